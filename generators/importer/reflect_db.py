"""Read a live database (PostgreSQL, MySQL/MariaDB, SQLite) into a ``Source``.

Through SQLAlchemy's inspector: tables, columns, keys, uniques, indexes, foreign keys, checks
and comments. Types, defaults and check conditions come back as the database's own text, which
is parsed with sqlglot in the database's dialect, so that ``to_spec`` recognises them exactly
as it does in a SQL file. What the inspector does not give is asked with one query per
dialect (the tables below): creation order of constraints and indexes (the order a spec lists
them in), triggers, views. SQLite keeps each table's CREATE statement as written: it is read
by the SQL reader, which loses nothing (the inspector re-parses the same text, less fully).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import sqlglot
from sqlglot import exp
from vigilo_gen.errors import UsageError

from . import recognise
from .source import Check, Column, ForeignKey, Key, Source, Table, Trigger

# SQLAlchemy dialect name -> our dialect name (the sql emitter's).
DIALECTS = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}

# Names of constraints and indexes in creation order (PostgreSQL gives each a growing oid),
# so that a re-generated schema lists them as the original did.
ORDER_BY = {
    "postgresql": (
        "SELECT c.relname, c.oid::bigint FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
        "AND c.relkind = 'i' UNION ALL SELECT conname, co.oid::bigint FROM "
        "pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace "
        "WHERE n.nspname = current_schema() AND co.contype IN ('u', 'f', 'c') "
        "ORDER BY 2"
    )
}
TRIGGERS = {
    "postgresql": "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON "
    "n.oid = c.relnamespace WHERE n.nspname = current_schema() "
    "AND NOT t.tgisinternal ORDER BY t.oid",
    "mysql": "SELECT trigger_name, event_object_table, action_statement FROM "
    "information_schema.triggers WHERE trigger_schema = DATABASE() "
    "ORDER BY trigger_name",
}
FUNCTIONS = {
    "postgresql": "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = current_schema() ORDER BY p.oid",
    "mysql": "SELECT routine_name FROM information_schema.routines WHERE "
    "routine_schema = DATABASE() ORDER BY routine_name",
}
# PostgreSQL's partial and expression indexes (the inspector gives their columns only).
# Indexes the spec cannot hold, with why: partial or expression indexes, an operator class
# that is not its type's default (Django's varchar_pattern_ops beside a varchar index), an
# access method other than btree (a spec index is a plain btree index).
INDEX_DEFS = {
    "postgresql": "SELECT c.relname, pg_get_indexdef(c.oid), CASE "
    "WHEN i.indpred IS NOT NULL OR i.indexprs IS NOT NULL "
    "THEN 'a partial or expression index' "
    "WHEN EXISTS (SELECT 1 FROM unnest(i.indclass) AS k(oid) JOIN pg_opclass o "
    "ON o.oid = k.oid WHERE NOT o.opcdefault) "
    "THEN 'an index with an operator class that is not its type''s default' "
    "WHEN a.amname <> 'btree' THEN 'an index of access method ' || a.amname "
    "END FROM pg_index i JOIN pg_class c ON "
    "c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_am a ON a.oid = c.relam "
    "WHERE n.nspname = current_schema()"
}


def connect(url: str):
    try:
        from sqlalchemy import create_engine
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    except ImportError:
        raise UsageError(
            "`vigilo-gen import db` reads databases through SQLAlchemy, which is "
            "not installed (pip install 'vigilo-gen[import]')"
        ) from None

    try:
        engine = create_engine(url)
    except ImportError as exc:  # the URL names a driver that is not installed
        raise UsageError(
            f"{_safe(url)}: its database driver is not installed ({exc}); "
            "vigilo-gen[import] installs postgresql+psycopg://, mysql+pymysql://, sqlite:///"
        ) from None
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise UsageError(f"{_safe(url)}: not a database URL SQLAlchemy can open ({exc})") from None
    if engine.dialect.name not in DIALECTS:
        raise UsageError(
            f"{_safe(url)}: {engine.dialect.name} is not imported (PostgreSQL, "
            "MySQL/MariaDB and SQLite are)"
        )
    return engine


def _safe(url: str) -> str:
    """The URL without its password (it goes into messages and the spec's header)."""
    return re.sub(r"(//[^:/@]+):[^@/]*@", r"\1:***@", url)


def read_db(url: str) -> tuple[Source, str]:
    """The database's schema and its name (for the spec's ``name``)."""
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = connect(url)
    kind = engine.dialect.name
    try:
        with engine.connect() as connection:
            if kind == "sqlite":
                return _read_sqlite(connection), "schema"
            inspector = inspect(connection)
            source = _Reflector(connection, inspector, kind, text).read()
            name = connection.execute(
                text("SELECT current_database()" if kind == "postgresql" else "SELECT DATABASE()")
            ).scalar()
            return source, name or "schema"
    except SQLAlchemyError as exc:
        first = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()
        raise UsageError(
            f"{_safe(url)}: cannot read the database: {first[0] if first else type(exc).__name__}"
        ) from None
    finally:
        engine.dispose()


def _read_sqlite(connection) -> Source:
    from sqlalchemy import text

    from .parse_sql import read_sql

    rows = connection.execute(
        text(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    ).all()
    script = "".join(f"{sql};\n" for _, _, sql in rows)
    source = read_sql(script, "sqlite", "sqlite_master")
    # Positions in the joined script mean nothing to a user: name the object instead.
    lines = {}
    line = 1
    for kind, name, sql in rows:
        lines[line] = f"{kind} {name}"
        line += sql.count("\n") + 1
    source.notes = [type(n)(_object(lines, n.where), n.message) for n in source.notes]
    source.triggers = [
        Trigger(t.name, t.table, t.text, f"trigger {t.name}") for t in source.triggers
    ]
    for table in source.tables:
        table.where = f"table {table.name}"
        table.checks = [Check(c.name, c.condition, table.where) for c in table.checks]
        table.foreign_keys = [
            ForeignKey(
                f.name, f.columns, f.target, f.target_columns, f.on_delete, f.on_update, table.where
            )
            for f in table.foreign_keys
        ]
    return source


def _object(lines: dict[int, str], where: str) -> str:
    try:
        line = int(where.split(":")[1])
    except (IndexError, ValueError):
        return where
    start = max((n for n in lines if n <= line), default=1)
    return lines.get(start, where)


class _Reflector:
    def __init__(self, connection, inspector, kind: str, text):
        self.connection = connection
        self.inspector = inspector
        self.kind = kind
        self.dialect = DIALECTS[kind]
        self.reader = "postgres" if kind == "postgresql" else "mysql"
        self.text = text
        self.source = Source(dialect=self.dialect, catalogue=True)

    def query(self, table: dict[str, str]) -> list[tuple]:
        sql = table.get("mysql" if self.kind == "mariadb" else self.kind)
        return [tuple(r) for r in self.connection.execute(self.text(sql)).all()] if sql else []

    def parse(self, text: str, where: str) -> exp.Expression | None:
        try:
            return sqlglot.parse_one(text, read=self.reader)
        except sqlglot.errors.SqlglotError:
            self.source.note(where, f"cannot read {text!r}")
            return None

    def read(self) -> Source:
        order = {name: n for n, (name, *_rest) in enumerate(self.query(ORDER_BY))}
        odd_indexes = {
            name: (why, definition) for name, definition, why in self.query(INDEX_DEFS) if why
        }
        extras = {}
        if self.dialect == "mysql":
            # EXTRA (auto_increment, ON UPDATE) and the default as the server keeps it (the
            # inspector's reading of SHOW CREATE TABLE loses some quoted text defaults).
            extras = {
                (t, c): ((e or "").lower(), d)
                for t, c, e, d in self.connection.execute(
                    self.text(
                        "SELECT table_name, column_name, extra, column_default FROM "
                        "information_schema.columns WHERE table_schema = DATABASE()"
                    )
                ).all()
            }
        for name in self.inspector.get_table_names():
            self.source.tables.append(self.table(name, order, odd_indexes, extras))
        for name in self.inspector.get_view_names():
            self.source.note(f"view {name}", "not imported: a view")
        for name, table, definition in self.query(TRIGGERS):
            self.source.triggers.append(Trigger(name, table, definition, f"trigger {name}"))
        for (name,) in self.query(FUNCTIONS):
            self.source.functions.append((name, f"function {name}"))
        return self.source

    def table(self, name: str, order: dict, odd_indexes: dict, extras: dict) -> Table:
        inspector = self.inspector
        table = Table(name=name, where=f"table {name}")
        with contextlib.suppress(NotImplementedError):
            table.comment = inspector.get_table_comment(name).get("text") or None
        for info in inspector.get_columns(name):
            table.columns.append(self.column(table, info, extras))
        pk = inspector.get_pk_constraint(name)
        if pk and pk.get("constrained_columns"):
            table.primary_key = Key(pk.get("name") or "", tuple(pk["constrained_columns"]))
        uniques = [
            Key(u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(name)
        ]
        unique_names = {u.name for u in uniques}
        indexes = []
        for index in inspector.get_indexes(name):
            iname = index["name"]
            if index.get("duplicates_constraint") or iname in unique_names:
                continue
            columns = index.get("column_names") or []
            options = index.get("dialect_options") or {}
            if iname in odd_indexes or None in columns or options.get("postgresql_where"):
                why, definition = odd_indexes.get(iname, ("a partial or expression index", ""))
                self.source.note(
                    f"index {iname}", f"not imported: {why} ({definition})".replace(" ()", "")
                )
                continue
            key = Key(iname, tuple(columns))
            (uniques if index.get("unique") else indexes).append(key)
        if self.dialect == "mysql":  # the keys in the order SHOW CREATE TABLE lists them
            quoted = self.connection.dialect.identifier_preparer.quote(name)
            shown = self.connection.execute(self.text(f"SHOW CREATE TABLE {quoted}")).one()[1]
            order = {
                m[1].replace("``", "`"): m.start()
                for m in re.finditer(r"KEY `((?:[^`]|``)+)`", shown)
            }
        if order:  # creation order, where the database keeps it
            uniques.sort(key=lambda k: order.get(k.name, 0))
            indexes.sort(key=lambda k: order.get(k.name, 0))
        table.uniques, table.indexes = uniques, indexes
        rules = {}
        if self.dialect == "mysql":  # the inspector gives NO ACTION back as nothing said
            rules = {
                n: {"ondelete": d, "onupdate": u}
                for n, d, u in self.connection.execute(
                    self.text(
                        "SELECT constraint_name, delete_rule, update_rule FROM "
                        "information_schema.referential_constraints WHERE "
                        "constraint_schema = DATABASE() AND table_name = :t"
                    ),
                    {"t": name},
                ).all()
            }
        for fk in inspector.get_foreign_keys(name):
            options = rules.get(fk.get("name")) or fk.get("options") or {}
            if (fk.get("options") or {}).get("deferrable"):
                initially = (fk["options"].get("initially") or "IMMEDIATE").upper()
                self.source.note(
                    f"constraint {fk.get('name')} on {name}",
                    f"foreign key {fk.get('name')} of {name} "
                    f"({', '.join(fk['constrained_columns'])}) is DEFERRABLE INITIALLY "
                    f"{initially}: the spec has no word for when a foreign key is checked "
                    "(imported as checked at once)",
                )
            table.foreign_keys.append(
                ForeignKey(
                    fk.get("name") or "",
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    _action(options.get("ondelete")),
                    _action(options.get("onupdate")),
                    f"constraint {fk.get('name')} on {name}",
                )
            )
        if order:
            table.foreign_keys.sort(key=lambda f: order.get(f.name, 0))
        checks = inspector.get_check_constraints(name)
        if self.dialect == "mysql":  # with MariaDB's own JSON checks, which the inspector skips
            checks = [
                {"name": n, "sqltext": t}
                for n, t in self.connection.execute(
                    self.text(
                        "SELECT constraint_name, check_clause FROM "
                        "information_schema.check_constraints WHERE "
                        "constraint_schema = DATABASE() AND table_name = :t "
                        "ORDER BY constraint_name"
                    ),
                    {"t": name},
                ).all()
            ]
        with contextlib.suppress(NotImplementedError):
            for check in checks:
                where = f"constraint {check.get('name')} on {name}"
                condition = self.parse(check["sqltext"], where)
                if condition is not None:
                    table.checks.append(Check(check.get("name") or "", condition, where))
        return table

    def column(self, table: Table, info: dict[str, Any], extras: dict) -> Column:
        where = f"column {table.name}.{info['name']}"
        type_text = info["type"].compile(dialect=self.connection.dialect)
        declared = self.parse_type(type_text, where)
        column = Column(
            name=info["name"],
            type=declared,
            nullable=bool(info["nullable"]),
            comment=info.get("comment") or None,
        )
        extra, server_default = extras.get((table.name, info["name"]), ("", None))
        column.identity = bool(info.get("identity")) or "auto_increment" in extra
        column.on_update_now = "on update current_timestamp" in extra
        default = server_default if self.dialect == "mysql" else info.get("default")
        if default is not None and not (self.dialect == "mysql" and default.upper() == "NULL"):
            column.default = self.parse(default, where)
            column.default_text = default
            if self.dialect == "mysql" and not isinstance(column.default, exp.Literal):
                column.default_text = f"({default})"  # MySQL takes an expression in parentheses
        if self.dialect == "postgres":
            recognise.sequence_generated(column)
        return column

    def parse_type(self, text: str, where: str) -> exp.DataType:
        try:
            return exp.DataType.build(text, dialect=self.reader)
        except sqlglot.errors.SqlglotError:
            self.source.note(where, f"type {text} is not understood: imported as text")
            return exp.DataType.build("TEXT")


def _action(word: str | None) -> str | None:
    return " ".join(word.upper().split()) if word else None
