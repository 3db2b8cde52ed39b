"""Reflect a database into one normalized description, comparable across targets.

SQLAlchemy's inspector reads tables, columns, keys, uniques, indexes and CHECK constraints; the
engine's own catalogue fills in what the inspector does not see (SQLite's declared types, foreign
key actions, triggers, MariaDB's ON UPDATE). Normalization removes *notation only* — two
spellings the engine treats identically — never a difference in what the database stores or
enforces. Every rule below says why it is only notation.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

# Tables a tool keeps for its own bookkeeping, not part of the schema.
TOOL_TABLES = ("_prisma_migrations", "__drizzle_migrations")

Description = dict[str, dict[str, Any]]  # table -> aspect -> value


def describe(db) -> Description:
    """The normalized description of every table in ``db`` (a tests.engines.Database)."""
    if db.engine_name == "duckdb":
        return _describe_duckdb(db)
    from sqlalchemy import inspect

    engine = db.sqlalchemy_engine()
    try:
        inspector = inspect(engine)
        with engine.connect() as conn:
            catalogue = _CATALOGUES[db.engine_name](conn)
        out: Description = {}
        for table in sorted(inspector.get_table_names()):
            if table in TOOL_TABLES:
                continue
            out[table] = _describe_table(db.engine_name, inspector, table, catalogue,
                                         engine.dialect)
        return out
    finally:
        engine.dispose()


# --- types --------------------------------------------------------------------------------


def _sqlite_affinity(declared: str) -> str:
    """SQLite's type affinity of a declared type (https://sqlite.org/datatype3.html §3.1).

    SQLite stores and enforces only the affinity: VARCHAR(36) and TEXT are both TEXT (the
    length is not enforced), DECIMAL(12, 2), BOOLEAN, DATE, DATETIME are NUMERIC. INTEGER and
    NUMERIC affinity behave identically for every value stored ("the difference is only evident
    in a CAST expression", §3), so both are reported as NUMERIC.
    """
    t = declared.upper()
    if "INT" in t:
        return "NUMERIC"
    if any(word in t for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if t == "" or "BLOB" in t:
        return "BLOB"
    if any(word in t for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


# PostgreSQL keeps timestamps to the microsecond: "By default, there is no explicit bound on
# precision. The allowed range of p is from 0 to 6" (docs, Date/Time Types, 8.5), and a value is
# stored with "1 microsecond" resolution. So TIMESTAMP and TIMESTAMP(6) store, round and
# compare every value the same: two spellings of one type (the catalogue keeps the typmod).
_PG_FULL_PRECISION = re.compile(r"^(timestamp|time)\(6\)( with(out)? time zone)$")


def _pg_type(type_name: str) -> str:
    return _PG_FULL_PRECISION.sub(r"\1\2", type_name)


def _family(engine: str, type_name: str) -> str:
    t = type_name.lower()
    if engine == "postgres" and t == "boolean":
        return "bool"
    if any(w in t for w in ("char", "text")):
        return "str"
    if any(w in t for w in ("date", "time")):
        return "time"
    return "num"  # numbers; MariaDB and SQLite booleans are numbers too (TRUE is 1)


# --- defaults -----------------------------------------------------------------------------

_PG_CAST = re.compile(r"::[a-z_ ]+(\(\d+(,\s*\d+)?\))?(\[\])?$", re.I)
_NOW = {
    # PostgreSQL: now() is CURRENT_TIMESTAMP (both: start of the transaction, full precision).
    "postgres": {"now()": "CURRENT_TIMESTAMP", "current_timestamp": "CURRENT_TIMESTAMP",
                 "current_date": "CURRENT_DATE"},
    # MariaDB: the precision is kept (CURRENT_TIMESTAMP and CURRENT_TIMESTAMP(3) differ).
    "mariadb": {"current_timestamp()": "CURRENT_TIMESTAMP", "now()": "CURRENT_TIMESTAMP",
                "current_timestamp": "CURRENT_TIMESTAMP", "curdate()": "CURRENT_DATE",
                "current_date": "CURRENT_DATE", "current_date()": "CURRENT_DATE"},
    "sqlite": {"current_timestamp": "CURRENT_TIMESTAMP", "current_date": "CURRENT_DATE"},
}


def _strip_parens(text: str) -> str:
    """'(x)' -> 'x' when the parentheses enclose the whole expression (MySQL's expression
    defaults, SQLite's parenthesised defaults: the same value)."""
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(text) - 1:
                return text
        text = text[1:-1].strip()
    return text


def _unquote(engine: str, text: str) -> str | None:
    """The value of a SQL string literal, or None if ``text`` is not one."""
    if len(text) < 2 or text[0] != "'" or text[-1] != "'":
        return None
    body = text[1:-1]
    if engine == "mariadb":  # MariaDB's catalogue escapes backslashes in string defaults
        body = re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "0": "\0"}.get(
            m.group(1), m.group(1)), body)
    return body.replace("''", "'")


def normalize_default(engine: str, family: str, raw: str | None) -> str | None:
    if raw is None:
        return None
    text = _strip_parens(str(raw).strip())
    if engine == "postgres":  # the casts PostgreSQL adds to a literal of the column's type
        while _PG_CAST.search(text):
            text = _strip_parens(_PG_CAST.sub("", text).strip())
    if text.upper() == "NULL":
        return None
    value = _unquote(engine, text)
    literal = value if value is not None else text
    if family == "str":
        return repr(literal) if value is not None else literal
    if family == "bool":
        return {"true": "TRUE", "false": "FALSE"}.get(literal.lower(), literal)
    if family == "num":
        # TRUE/FALSE are the numbers 1/0 on MariaDB and SQLite; '0' is the number 0 in a
        # numeric column (the engine converts it on insert).
        literal = {"true": "1", "false": "0"}.get(literal.lower(), literal)
        try:
            return str(Decimal(literal).normalize())
        except InvalidOperation:
            return literal
    return _NOW.get(engine, {}).get(literal.lower(), literal)


# --- CHECK constraints ----------------------------------------------------------------------


def normalize_check(engine: str, text: str, table: str) -> str:
    """A CHECK expression in one canonical spelling (parsed and re-rendered with sqlglot).

    Removed as notation: quoting, letter case, spacing, redundant parentheses; the casts and
    ``= ANY (ARRAY[...])`` PostgreSQL's deparser writes for ``IN (...)``; ``x BETWEEN a AND b``,
    which the SQL standard defines as ``x >= a AND x <= b``; on PostgreSQL, ``char_length``
    and ``length``, the same function there (characters, not bytes); a column qualified with
    its own table (``"t"."c"`` is ``"c"`` inside t's CHECK).
    """
    import sqlglot
    from sqlglot import exp

    read = {"postgres": "postgres", "mariadb": "mysql", "sqlite": "sqlite"}[engine]
    try:
        tree = sqlglot.parse_one(text, read=read)
    except sqlglot.errors.ParseError:
        return " ".join(text.split())

    def simplify(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Paren):
            return node.this
        if engine == "postgres" and isinstance(node, exp.Cast):
            return node.this
        if isinstance(node, exp.Between):
            return exp.and_(exp.GTE(this=node.this.copy(), expression=node.args["low"].copy()),
                            exp.LTE(this=node.this.copy(), expression=node.args["high"].copy()))
        if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Any):
            array = node.expression.this
            array = array.this if isinstance(array, (exp.Paren, exp.Cast)) else array
            if isinstance(array, exp.Cast):
                array = array.this
            if isinstance(array, exp.Array):
                return exp.In(this=node.this.copy(), expressions=[
                    e.this.copy() if isinstance(e, exp.Cast) else e.copy()
                    for e in array.expressions])
        if isinstance(node, exp.Column) and node.table == table:
            return exp.column(node.name)
        if engine == "postgres" and isinstance(node, exp.Anonymous) and \
                node.name.lower() == "char_length":
            return exp.Length(this=node.expressions[0].copy())
        return node

    previous = None
    while previous != tree.sql():
        previous = tree.sql()
        tree = tree.transform(simplify)
    # Identifiers unquoted, lower-case: names are compared elsewhere, not their quoting.
    for ident in tree.find_all(exp.Identifier):
        ident.set("quoted", False)
    rendered = tree.sql(dialect=read, normalize=True, pretty=False)
    return " ".join(rendered.split())


# --- one table ----------------------------------------------------------------------------


def _generated(engine: str, col: dict, declared: str | None, pk: list[str]) -> str | None:
    """How the database makes a column's values when an insert omits it, beyond a default:
    an identity column or a sequence (PostgreSQL), AUTO_INCREMENT (MariaDB), the rowid
    (SQLite: a lone primary key declared exactly INTEGER)."""
    if engine == "postgres":
        if col.get("identity"):
            return "identity"
        return "sequence" if str(col.get("default") or "").startswith("nextval(") else None
    if engine == "mariadb":
        return "auto_increment" if col.get("autoincrement") is True else None
    if engine == "sqlite":
        return "rowid" if pk == [col["name"]] and (declared or "").upper() == "INTEGER" \
            else None
    return None


def _describe_table(engine: str, inspector, table: str, catalogue: dict, dialect) -> dict:
    columns = {}
    pk_columns = inspector.get_pk_constraint(table).get("constrained_columns") or []
    for col in inspector.get_columns(table):
        if engine == "sqlite":
            type_name = _sqlite_affinity(catalogue["declared"][table][col["name"]])
        else:
            type_name = str(col["type"].compile(dialect=dialect)).lower()
            if engine == "postgres":
                type_name = _pg_type(type_name)
        default = col.get("default")
        if engine == "mariadb":
            # The inspector parses SHOW CREATE TABLE and loses defaults it cannot parse (a
            # string with quotes and backslashes): read MariaDB's own column default.
            default = catalogue["defaults"][table][col["name"]]
        declared = catalogue["declared"][table][col["name"]] if engine == "sqlite" else None
        columns[col["name"]] = {
            "type": type_name,
            "nullable": bool(col["nullable"]),
            "default": normalize_default(engine, _family(engine, type_name), default),
            "generated": _generated(engine, col, declared, pk_columns),
        }
    pk = inspector.get_pk_constraint(table)
    fks = {}
    for fk in inspector.get_foreign_keys(table):
        options = fk.get("options") or {}
        action = {name: _fk_action(engine, options.get(name)) for name in ("ondelete",
                                                                             "onupdate")}
        if engine == "sqlite":  # PRAGMA foreign_key_list is SQLite's own answer
            action = catalogue["fk_actions"][table].get(tuple(fk["constrained_columns"]), action)
        fks[", ".join(fk["constrained_columns"])] = {
            # SQLite neither stores nor reports foreign key names (only the CREATE text has
            # them): they cannot differ in anything the database does.
            "name": None if engine == "sqlite" else fk.get("name"),
            "references": f"{fk['referred_table']}({', '.join(fk['referred_columns'])})",
            "on_delete": action["ondelete"], "on_update": action["onupdate"],
        }
        deferrable = catalogue.get("deferrable", {}).get((table, fk.get("name")))
        if deferrable is not None:  # only a deferrable one says so: NOT DEFERRABLE is usual
            fks[", ".join(fk["constrained_columns"])]["deferrable"] = deferrable
    fk_names = {fk.get("name") for fk in inspector.get_foreign_keys(table)}
    uniques: dict[str, str | None] = {}
    indexes: dict[str, str] = {}
    for unique in inspector.get_unique_constraints(table):
        uniques[", ".join(unique["column_names"])] = unique.get("name")
    for index in inspector.get_indexes(table):
        columns_key = ", ".join(c for c in index["column_names"] if c)
        if index.get("unique"):
            uniques.setdefault(columns_key, index.get("name"))
        elif engine == "mariadb" and index.get("name") in fk_names:
            continue  # InnoDB's implicit index behind a foreign key, named after it
        else:
            indexes[index["name"]] = columns_key
    if engine == "sqlite":
        # A UNIQUE constraint is an unnamed automatic index in SQLite (its name lives only in
        # the CREATE text and is not reported in errors): compare uniques by columns only.
        uniques = {cols: None for cols in uniques}
    checks = {}
    for check in inspector.get_check_constraints(table):
        checks[check.get("name") or f"<unnamed {len(checks)}>"] = normalize_check(
            engine, check["sqltext"], table)
    return {
        "columns": columns,
        "column order": list(columns),
        "primary key": {
            "columns": ", ".join(pk.get("constrained_columns") or []),
            # Only PostgreSQL keeps a primary key's name: MariaDB calls every one PRIMARY,
            # SQLite does not store it.
            "name": pk.get("name") if engine == "postgres" else None,
        },
        "uniques": dict(sorted(uniques.items())),
        "indexes": dict(sorted(indexes.items())),
        "foreign keys": dict(sorted(fks.items())),
        "checks": dict(sorted(checks.items())),
        "updated_at": sorted(catalogue["maintained"].get(table, [])),
    }


def _fk_action(engine: str, action: str | None) -> str:
    action = (action or "NO ACTION").upper()
    if engine == "mariadb" and action == "NO ACTION":
        # InnoDB: "NO ACTION is a synonym for RESTRICT" (checks are immediate).
        return "RESTRICT"
    return action


# --- catalogues: what the inspector does not see ----------------------------------------------


def _catalogue_postgres(conn) -> dict:
    from sqlalchemy import text

    maintained: dict[str, list[str]] = {}
    rows = conn.execute(text(
        "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"))
    for table, name, definition in rows:
        timing = "BEFORE" if " BEFORE " in definition else "AFTER"
        maintained.setdefault(table, []).append(f"trigger {name} ({timing} UPDATE)")
    # When a foreign key is checked (the inspector does not say): Django, for one, creates
    # every foreign key DEFERRABLE INITIALLY DEFERRED.
    deferred = {(table, name): "INITIALLY DEFERRED" if initially else "INITIALLY IMMEDIATE"
                for table, name, initially in conn.execute(text(
                    "SELECT c.relname, k.conname, k.condeferred FROM pg_constraint k "
                    "JOIN pg_class c ON c.oid = k.conrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE k.contype = 'f' AND k.condeferrable "
                    "AND n.nspname = current_schema()"))}
    return {"maintained": maintained, "deferrable": deferred}


def _catalogue_mariadb(conn) -> dict:
    from sqlalchemy import text

    maintained: dict[str, list[str]] = {}
    defaults: dict[str, dict[str, str | None]] = {}
    rows = conn.execute(text(
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = DATABASE()"))
    for table, column, default, extra in rows:
        defaults.setdefault(table, {})[column] = default
        found = re.search(r"on update (\S+)", extra or "", re.I)
        if found:
            maintained.setdefault(table, []).append(
                f"{column}: ON UPDATE {found.group(1).lower()}")
    rows = conn.execute(text(
        "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING FROM information_schema.TRIGGERS "
        "WHERE TRIGGER_SCHEMA = DATABASE()"))
    for table, name, timing in rows:
        maintained.setdefault(table, []).append(f"trigger {name} ({timing} UPDATE)")
    return {"maintained": maintained, "defaults": defaults}


def _catalogue_sqlite(conn) -> dict:
    from sqlalchemy import text

    declared: dict[str, dict[str, str]] = {}
    fk_actions: dict[str, dict[tuple[str, ...], dict[str, str]]] = {}
    maintained: dict[str, list[str]] = {}
    tables = [r[0] for r in conn.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'table'"))]
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        declared[table] = {r[1]: r[2] for r in conn.execute(text(
            f"PRAGMA table_info({quoted})"))}
        groups: dict[int, list] = {}
        for row in conn.execute(text(f"PRAGMA foreign_key_list({quoted})")):
            groups.setdefault(row[0], []).append(row)
        fk_actions[table] = {
            tuple(r[3] for r in sorted(rows, key=lambda r: r[1])):
                {"onupdate": rows[0][5].upper(), "ondelete": rows[0][6].upper()}
            for rows in groups.values()}
    for table, name, sql in conn.execute(text(
            "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")):
        timing = "BEFORE" if re.search(r"\bBEFORE\b", sql, re.I) else "AFTER"
        maintained.setdefault(table, []).append(f"trigger {name} ({timing} UPDATE)")
    return {"declared": declared, "fk_actions": fk_actions, "maintained": maintained}


_CATALOGUES = {"postgres": _catalogue_postgres, "mariadb": _catalogue_mariadb,
               "sqlite": _catalogue_sqlite}


def _describe_duckdb(db) -> Description:
    """DuckDB has no SQLAlchemy dialect here: its own catalogue functions. (Only our SQL
    targets DuckDB, so this description is checked for completeness, not compared.)"""
    out: Description = {}
    for table, column, data_type, nullable, default in db.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM duckdb_columns() WHERE NOT internal ORDER BY table_name, column_index"):
        columns = out.setdefault(table, {"columns": {}, "constraints": []})["columns"]
        columns[column] = {"type": data_type.lower(), "nullable": bool(nullable),
                           "default": default}
    for table, kind, text in db.execute(
            "SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints() "
            "ORDER BY table_name, constraint_index"):
        if table in out:
            out[table]["constraints"].append(f"{kind}: {text}")
    for table, name, sql in db.execute(
            "SELECT table_name, index_name, sql FROM duckdb_indexes()"):
        if table in out:
            out[table]["constraints"].append(f"INDEX {name}: {sql}")
    return out
