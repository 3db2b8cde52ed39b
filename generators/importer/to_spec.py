"""A ``Source`` (tables, columns, constraints) turned into a spec document in the house style.

Names: models PascalCase and fields camelCase, with ``table:``/``column:`` only where the
snake_case rule would not give the original name back; constraint and index names only where
they differ from the naming rule (``{table}_pkey``, ``{table}_{cols}_key`` ...). Facts are read
back from the forms our SQL writes (``recognise``); whatever the spec cannot hold becomes a
``Note`` with its source position, never silently dropped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlglot import exp
from vigilo_gen import naming
from vigilo_gen.model import (
    DATETIME_PRECISION,
    DEFAULT_DECIMAL,
    DEFAULT_ENUM_LENGTH,
    DEFAULT_STRING_LENGTH,
    ID_LENGTH,
)

from . import composite, recognise
from .join_tables import add_many_to_many
from .source import Column, ForeignKey, Key, Note, Source, Table, named

DT = exp.DataType.Type

# sqlglot type -> spec type, for every dialect; the dialect tables below refine it.
TYPES: dict[DT, str] = {
    DT.VARCHAR: "string",
    DT.NVARCHAR: "string",
    DT.CHAR: "string",
    DT.NCHAR: "string",
    DT.TEXT: "text",
    DT.MEDIUMTEXT: "text",
    DT.LONGTEXT: "text",
    DT.TINYTEXT: "text",
    DT.INT: "int",
    DT.MEDIUMINT: "int",
    DT.SMALLINT: "int",
    DT.TINYINT: "int",
    DT.BIGINT: "bigint",
    # MySQL's unsigned integers: the next spec type that holds every value, at least 0
    DT.UTINYINT: "int",
    DT.USMALLINT: "int",
    DT.UMEDIUMINT: "int",
    DT.UINT: "bigint",
    DT.UBIGINT: "bigint",
    DT.DOUBLE: "float",
    DT.FLOAT: "float",
    DT.DECIMAL: "decimal",
    DT.BOOLEAN: "bool",
    DT.DATE: "date",
    DT.TIMESTAMPTZ: "datetime",
    DT.TIMESTAMP: "datetime",
    DT.DATETIME: "datetime",
    DT.TIMESTAMPLTZ: "datetime",
    DT.DATETIME64: "datetime",
    DT.DATETIME2: "datetime",
    DT.JSON: "json",
    DT.JSONB: "json",
    DT.UUID: "uuid",
    DT.VARBINARY: "bytes",
    DT.BINARY: "bytes",
    DT.BLOB: "bytes",
    DT.LONGBLOB: "bytes",
    DT.MEDIUMBLOB: "bytes",
    DT.TINYBLOB: "bytes",
    DT.SUPER: "json",
    DT.BIT: "bool",
}
# Types that hold fewer values than the spec type they map to: imported, and said.
NARROWER = {
    DT.SMALLINT: "SMALLINT",
    DT.MEDIUMINT: "MEDIUMINT",
    DT.TINYINT: "TINYINT",
    DT.FLOAT: "FLOAT (single precision)",
    DT.UTINYINT: "TINYINT UNSIGNED",
    DT.USMALLINT: "SMALLINT UNSIGNED",
    DT.UMEDIUMINT: "MEDIUMINT UNSIGNED",
    DT.UINT: "INT UNSIGNED",
}
# MySQL's unsigned integers take no negative value: the field's `min: 0` (unless a CHECK says
# more). BIGINT UNSIGNED holds values above a bigint's: imported as bigint, and said.
UNSIGNED = {DT.UTINYINT, DT.USMALLINT, DT.UMEDIUMINT, DT.UINT, DT.UBIGINT}
# Per dialect: a declared type that is the text form of a spec type (MySQL's CHAR(36) uuid,
# TINYINT(1) booleans, SQL Server's NVARCHAR(MAX) text); keyed by (type, first parameter).
DIALECT_TYPES: dict[str, dict[tuple[DT, int | str | None], str]] = {
    # PostgreSQL's varchar without a length "accepts strings of any size" (its docs, "Character
    # Types"): text, not a string of the spec's default length.
    "postgres": {(DT.VARCHAR, None): "text"},
    "mysql": {(DT.CHAR, 36): "uuid", (DT.TINYINT, 1): "bool"},
    "tsql": {(DT.NVARCHAR, "MAX"): "text", (DT.VARBINARY, "MAX"): "bytes"},
    # Oracle: NUMBER(10) and NUMBER(19) are our int and bigint (a decimal is NUMBER(p, s));
    # a string is VARCHAR2(n CHAR), so VARCHAR2(36) is an id, a reference or a uuid.
    "oracle": {(DT.DECIMAL, 10): "int", (DT.DECIMAL, 19): "bigint", (DT.VARCHAR, 36): "uuid"},
    # Snowflake's TEXT is VARCHAR (of its largest size): an unsized VARCHAR is text.
    "snowflake": {(DT.VARCHAR, None): "text", (DT.VARIANT, None): "json"},
    "redshift": {(DT.VARCHAR, "MAX"): "text"},
}
# The types a single-field key may have with `primaryKey: true` (README, "Keys").
KEY_TYPES = ("int", "bigint", "string", "uuid")
# Dialects whose id and uuid are the same declared text (Oracle's VARCHAR2(36)): a single key
# of it without a default is read as an id.
UUID_TEXT_IDS = {"oracle"}
# Dialects whose FLOAT is double precision (SQL Server's FLOAT is FLOAT(53), 8 bytes).
DOUBLE_FLOAT = {"tsql"}
# Timestamps without a time zone: TIMESTAMP, and SQL Server's DATETIME2.
PLAIN_TIMESTAMPS = {DT.TIMESTAMP, DT.DATETIME2}
# Fixed-length strings: CHAR(n) is `length: n` (README); an unsized CHAR is CHAR(1) in SQL.
FIXED_LENGTH = {DT.CHAR, DT.NCHAR}
# The fractional-second digits of a timestamp declared without them: MySQL's DATETIME keeps
# whole seconds; PostgreSQL's TIMESTAMP keeps microseconds ("the allowed range of p is from 0
# to 6", and no p is the full resolution). SQLite has no precision.
UNSIZED_PRECISION = {"mysql": 0, "postgres": 6}
# A boolean default written as text: 'true'/'false', or MySQL's quoted '1'/'0'.
BOOL_TEXTS = {"true": True, "false": False, "1": True, "0": False}
# Spec types whose default is only a word ('now', 'uuid'): a literal one (DEFAULT
# '2001-01-01') is kept as the SQL it is, `default: {sql: ...}`.
LITERAL_AS_SQL = {"date", "datetime", "uuid"}
# Spec types that take no default at all (a JSON or binary column): a default is reported.
TAKES_NO_DEFAULT = {"json", "bytes"}
NOW_FUNCTIONS = {
    "now",
    "current_timestamp",
    "sysdatetimeoffset",
    "getdate",
    "systimestamp",
    "localtimestamp",
}
# Our updated_at triggers, per dialect, as the database may give them back (whitespace and
# quoting vary): the column they keep current.
UPDATED_AT_TRIGGERS: dict[str, re.Pattern] = {
    "postgres": re.compile(
        r"BEFORE\s+UPDATE\s+ON\s+.*FOR\s+EACH\s+ROW\s+EXECUTE\s+"
        r"(?:FUNCTION|PROCEDURE)\s+(?:\S+\.)?\"?vigilo_gen_set_updated_at"
        r"\"?\s*\(\s*'(?P<column>(?:[^']|'')+)'\s*\)\s*;?\s*$",
        re.I | re.S,
    ),
    "sqlite": re.compile(
        r"AFTER\s+UPDATE\s+ON\s+\S+\s+FOR\s+EACH\s+ROW\s+WHEN\s+NEW\."
        r"\"(?P<column>(?:[^\"]|\"\")+)\"\s+IS\s+OLD\.\"(?P=column)\"\s+BEGIN"
        r"\s+UPDATE\s+\S+\s+SET\s+\"(?P=column)\"\s*=\s*CURRENT_TIMESTAMP\s+"
        r"WHERE\s+[^;]+;\s*END\s*;?\s*$",
        re.I | re.S,
    ),
}
UPDATED_AT_FUNCTION = "vigilo_gen_set_updated_at"
# What a foreign key does when its ON DELETE is not said: MySQL's SHOW CREATE TABLE (and so
# the inspector) omits RESTRICT, its default; elsewhere it is NO ACTION.
IMPLICIT_ACTION = {"mysql": "RESTRICT"}
# The same in our SQL file of a dialect (its Profile.on_delete_implicit): SQL Server writes
# NO ACTION when asked for it, so a foreign key without ON DELETE is RESTRICT.
UNSAID_ACTION_IN_SQL = {"tsql": "RESTRICT"}
ON_ACTIONS = {
    "CASCADE": "cascade",
    "SET NULL": "setNull",
    "RESTRICT": "restrict",
    "NO ACTION": "noAction",
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The comment our SQL writes above a table: "Model" or "Model: description".
_TITLE = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?:\s+(?P<description>.*))?)?$")


def identifier(name: str, fallback: str) -> str:
    """A spec identifier from any database name (spaces, dashes, leading digits replaced)."""
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or fallback
    return clean if _IDENTIFIER.fullmatch(clean) else f"_{clean}"


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken or candidate.lower() in {t.lower() for t in taken}:
        candidate, n = f"{name}{n}", n + 1
    taken.add(candidate)
    return candidate


class _Importer:
    def __init__(self, source: Source):
        self.source = source
        self.dialect = source.dialect
        self.notes: list[Note] = list(source.notes)
        self.models: dict[str, str] = {}  # table -> model name
        self.fields: dict[tuple[str, str], str] = {}  # (table, column) -> field name
        self.enums: dict[str, list[str]] = {}
        self.updated_at: set[tuple[str, str]] = set()
        self.composite: dict[str, list[ForeignKey]] = {}  # table -> its `relations:` keys

    def note(self, where: str, message: str) -> None:
        self.notes.append(Note(where, message))

    # -- names ------------------------------------------------------------------------------

    def name_everything(self) -> None:
        taken: set[str] = set()
        for table in self.source.tables:
            titled = _TITLE.match(table.title or "")
            if titled and table.comment is None and titled["description"]:
                table.comment = titled["description"]  # a dialect without catalogue comments
            if titled and titled["name"] not in taken:
                # Our SQL's own model name, from a spec that had it: kept as it is, even where
                # another differs only in case (a spec may have both datetime and DateTime).
                model = titled["name"]
                taken.add(model)
            else:
                model = _unique_name(naming.upper_camel(identifier(table.name, "Table")), taken)
            self.models[table.name] = model
            fields: set[str] = set()
            for column in table.columns:
                name = naming.lower_camel(identifier(column.name, "column"))
                if not name or not _IDENTIFIER.fullmatch(name):
                    name = identifier(column.name, "column")
                self.fields[(table.name, column.name)] = _unique_name(name, fields)

    # -- triggers -----------------------------------------------------------------------------

    def triggers(self) -> None:
        pattern = UPDATED_AT_TRIGGERS.get(self.dialect)
        for trigger in self.source.triggers:
            table = self.source.table(trigger.table)
            found = pattern.search(trigger.text) if pattern else None
            column = found["column"].replace("''", "'").replace('""', '"') if found else None
            if (
                table is not None
                and column
                and table.column(column) is not None
                and trigger.name == naming.constraint_name(table.name, (column,), "trigger")
            ):
                self.updated_at.add((table.name, column))
            else:
                self.note(
                    trigger.where,
                    f"not imported: trigger {trigger.name} on "
                    f"{trigger.table} (not the updated_at trigger vigilo-gen writes)",
                )
        for item in self.source.gaps.updated_at:  # "table.column", of a dialect without triggers
            table = next((t for t in self.source.tables if item.startswith(t.name + ".")), None)
            if table is not None and table.column(item[len(table.name) + 1 :]) is not None:
                self.updated_at.add((table.name, item[len(table.name) + 1 :]))
        for name, where in self.source.functions:
            if name != UPDATED_AT_FUNCTION:
                self.note(where, f"not imported: function {name}")

    def undeclared_foreign_keys(self) -> None:
        """A foreign key our header names as not declared (BigQuery refuses one to its own
        table): the line says its table, columns and referenced columns; in a file written
        before it did, a default name, {table}_{column}_fkey, is that column's, to the
        table's key, and another name cannot be placed (reported)."""
        for item in self.source.gaps.undeclared:
            where = f"{self.source.gaps.file}:{item.line}:1"
            table = self.source.table(item.table) if item.table else None
            if table is not None and all(table.column(c) for c in item.columns):
                table.foreign_keys.append(ForeignKey(
                    item.name, item.columns, table.name, item.targets, None, None, where))
                continue
            name = item.name
            found = next(
                (
                    (table, column)
                    for table in self.source.tables
                    for column in table.columns
                    if naming.constraint_name(table.name, (column.name,), "fkey") == name
                    and table.primary_key
                    and len(table.primary_key.columns) == 1
                ),
                None,
            )
            if found is None:
                self.note(
                    where,
                    f"foreign key {name} is not in the SQL and its name is not the default "
                    "one: its column is imported as a plain column",
                )
                continue
            table, column = found
            table.foreign_keys.append(
                ForeignKey(name, (column.name,), table.name, (), None, None, where)
            )

    def referenced_uniques(self) -> None:
        """A foreign key names one row: the column it references, when not the key, is unique
        (the spec requires it). A dialect without UNIQUE (Databricks, BigQuery) does not say
        so: the key is taken as unique under its default name, and the report says it."""
        for table in self.source.tables:
            for fk in table.foreign_keys:
                target = self.source.table(fk.target)
                columns = fk.target_columns
                if target is None or not columns or not target.primary_key:
                    continue
                if columns == target.primary_key.columns or any(
                    u.columns == columns for u in target.uniques
                ):
                    continue
                target.uniques.append(Key("", columns))
                what = columns[0] if len(columns) == 1 else f"({', '.join(columns)})"
                self.note(
                    fk.where,
                    f"{target.name}.{what} is referenced by {named('foreign key', fk.name)} "
                    "but is not unique in the SQL: imported as unique (a reference names one row)",
                )

    # -- the document -------------------------------------------------------------------------

    def unkeyed(self) -> None:
        """A table the spec cannot hold a key of (it has none, or one column of a type no key
        has: a float, a date) is not imported, and said; a foreign key to it is then one to a
        table not in the source."""
        kept = []
        for table in self.source.tables:
            key = table.primary_key.columns if table.primary_key else ()
            why = None
            if not key:
                why = "it has no primary key (the spec needs one: add one to the table)"
            elif len(key) == 1 and (column := table.column(key[0])) is not None:
                notes = len(self.notes)
                spec_type, _ = self.column_type(table, column, {})
                del self.notes[notes:]  # said again when the field is read
                if spec_type not in KEY_TYPES:
                    why = f"its key {column.name} is a {spec_type}, which no key can be"
            if why:
                self.note(table.where, f"not imported: table {table.name}: {why}")
                self.source.left_out.append(table.name)
            else:
                kept.append(table)
        self.source.tables[:] = kept

    def cycles(self) -> None:
        """Foreign keys between tables in a loop (SQL allows them; the spec creates its tables
        in order, so it refuses them): in each loop, the foreign key of the first table by name
        to the next is not imported, and said; its columns stay plain ones."""
        import graphlib

        while True:
            tables = {t.name: t for t in self.source.tables}
            graph = {
                t.name: {fk.target for fk in t.foreign_keys if fk.target in tables} - {t.name}
                for t in self.source.tables
            }
            try:
                tuple(graphlib.TopologicalSorter(graph).static_order())
                return
            except graphlib.CycleError as exc:
                loop = exc.args[1][:-1]  # each table depends on the next; the last is the first
            start = loop.index(min(loop))
            table, target = tables[loop[start]], loop[start - 1]
            path = " -> ".join([*loop[start::-1], *loop[:start:-1], loop[start]])
            for fk in [fk for fk in table.foreign_keys if fk.target == target]:
                table.foreign_keys.remove(fk)
                self.note(
                    fk.where,
                    f"not imported: {named('foreign key', fk.name)} of {table.name} "
                    f"({', '.join(fk.columns)}): it closes a loop of references ({path}); "
                    "its columns are plain ones",
                )

    def unique_names(self) -> None:
        """Constraint and index names are one namespace of the spec (PostgreSQL's schema);
        MySQL's index names are per table, so two tables may share one. The second table's
        and later take the naming rule's name instead, each said. (Within a table, MySQL's
        foreign key and the index it made share one name, which the import reads as such.)"""
        from dataclasses import replace

        seen: dict[str, str] = {}
        suffixes = {"uniques": "key", "indexes": "idx", "foreign_keys": "fkey", "checks": None}
        for table in self.source.tables:
            for kind, suffix in suffixes.items():
                items = getattr(table, kind)
                for index, item in enumerate(items):
                    if not item.name:
                        continue
                    if seen.setdefault(item.name, table.name) == table.name:
                        continue  # a foreign key and its index share a name (MySQL's own)
                    self.note(
                        table.where,
                        f"{item.name} of {table.name}: the name is {seen[item.name]}'s too "
                        "(a spec's names are one namespace); imported under the rule's name",
                    )
                    rule = naming.constraint_name(table.name, item.columns, suffix) if suffix \
                        else ""  # an unnamed CHECK takes the rule's name of its kind
                    items[index] = replace(item, name=rule)

    def document(self, name: str) -> dict[str, Any]:
        self.unkeyed()
        self.cycles()
        self.unique_names()
        self.name_everything()
        self.triggers()
        self.undeclared_foreign_keys()
        self.referenced_uniques()
        models = {}
        for table in self.source.tables:
            models[self.models[table.name]] = self.model(table)
        taken = self.name_relations(models)
        add_many_to_many(models, taken)
        doc: dict[str, Any] = {"version": 1, "name": identifier(name, "schema")}
        if self.enums:
            doc["enums"] = dict(sorted(self.enums.items()))
        doc["models"] = models
        return doc

    def model(self, table: Table) -> dict[str, Any]:
        model_name = self.models[table.name]
        out: dict[str, Any] = {}
        if naming.snake_case(model_name) != table.name:
            out["table"] = table.name
        if table.comment:
            out["description"] = table.comment
        key = table.primary_key.columns  # unkeyed() kept only tables with a key
        facts = self.check_facts(table)
        foreign = self.foreign_keys(table)
        fields: dict[str, dict] = {}
        for column in table.columns:
            fields[self.fields[(table.name, column.name)]] = self.field(
                table, column, key, facts.get(column.name, {}), foreign.get(column.name)
            )
        if table.primary_key and table.primary_key.name not in (
            "",
            "PRIMARY",
            naming.constraint_name(table.name, (), "pkey"),
        ):
            out["primaryKeyName"] = table.primary_key.name
        if (
            len(key) > 1
            or key
            and "primaryKey" not in fields[self.fields[(table.name, key[0])]]
            and fields[self.fields[(table.name, key[0])]]["type"] != "id"
        ):
            out["primaryKey"] = [self.fields[(table.name, c)] for c in key]
        out["fields"] = fields
        self.relations(table, fields, out)
        self.keys(table, fields, out, foreign)
        return out

    def relations(self, table: Table, fields: dict[str, dict], out: dict) -> None:
        """Foreign keys of several columns: ``relations:`` (importer/composite.py)."""
        taken = set(fields)
        # what an unsaid ON DELETE means, as for a foreign key of one column (ref below)
        implicit = (IMPLICIT_ACTION if self.source.catalogue else UNSAID_ACTION_IN_SQL).get(
            self.dialect
        )
        entries = {}
        # in the order of their columns, as ref fields are (a database lists keys by name)
        order = {c.name: n for n, c in enumerate(table.columns)}
        for fk in sorted(
            self.composite.get(table.name, []), key=lambda fk: [order[c] for c in fk.columns]
        ):
            target = self.source.table(fk.target)
            entries[composite.name(self.models[target.name], taken)] = composite.relation(
                self.source,
                table,
                fk,
                {c.name: self.fields[(table.name, c.name)] for c in table.columns},
                {c.name: self.fields[(target.name, c.name)] for c in target.columns},
                self.models[target.name],
                implicit,
            )
        if entries:
            out["relations"] = entries

    def field(
        self,
        table: Table,
        column: Column,
        key: tuple[str, ...],
        facts: dict,
        foreign: ForeignKey | None,
    ) -> dict[str, Any]:
        spec_type, params = self.column_type(table, column, facts)
        out: dict[str, Any] = {"type": spec_type}
        field_name = self.fields[(table.name, column.name)]
        if naming.snake_case(field_name) != column.name:
            out["column"] = column.name
        single_key = key == (column.name,)
        if foreign is not None:
            out = {"type": "ref", **({"column": out["column"]} if "column" in out else {})}
            out.update(self.reference(table, column, foreign))
            params = {}  # a reference holds the type of the key it references
        elif (
            single_key
            and (
                spec_type == "string"
                and params.get("maxLength") == ID_LENGTH
                or spec_type == "uuid"
                and self.dialect in UUID_TEXT_IDS
            )
            and column.default is None
        ):
            out = {"type": "id", **({"column": out["column"]} if "column" in out else {})}
            params = {}
        elif single_key and spec_type in KEY_TYPES:
            out["primaryKey"] = True
        if spec_type in ("enum",):
            out["enum"] = params.pop("enum")
        for word, value in params.items():
            out[word] = value
        if column.nullable and column.name not in key:
            out["nullable"] = True
        updated_at = (table.name, column.name) in self.updated_at or column.on_update_now
        default = self.default(table, column, spec_type, updated_at)
        if default is not None:
            out["default"] = default
        identity = column.identity or (
            self.dialect == "sqlite"
            and single_key
            and column.type.this is DT.INT
            and foreign is None
        )
        if identity:
            if out.get("primaryKey") and spec_type in ("int", "bigint"):
                out["default"] = "autoincrement"
            else:
                self.note(
                    table.where,
                    f"{table.name}.{column.name} is generated by the "
                    "database: only a single int or bigint key can be (not imported)",
                )
        if updated_at:
            if spec_type == "datetime":
                out["updatedAt"] = True
                if out.get("default") == "now" and not column.nullable:
                    del out["default"]  # implied: a row's first "updated at" is its creation
            else:
                self.note(
                    table.where,
                    f"{table.name}.{column.name} is kept current on update "
                    "but is not a datetime (not imported)",
                )
        checks = facts.get("names", {})
        if checks:
            out["checkNames"] = checks
        if column.comment:
            out["description"] = column.comment
        return out

    # -- types, defaults ----------------------------------------------------------------------

    def column_type(self, table: Table, column: Column, facts: dict) -> tuple[str, dict]:
        declared = column.type
        params = declared.expressions if isinstance(declared, exp.DataType) else []
        # a size (a literal, MAX) or, in an ARRAY or a STRUCT, a type of its own
        size = [
            p.this.this if isinstance(p.this, exp.Literal)
            else p.this.sql() if isinstance(p.this, exp.Expression) else p.sql()
            for p in params
        ]
        first = int(size[0]) if size and str(size[0]).isdigit() else None
        # The one parameter as written (36, MAX, Oracle's "36 CHAR"); none for (p, s).
        word = None
        if len(params) == 1:
            word = first if first is not None and not params[0].expression else params[0].sql()
        spec_type = DIALECT_TYPES.get(self.dialect, {}).get((declared.this, word)) or TYPES.get(
            declared.this
        )
        seen = Declared(self, table, column, facts, declared.this, first)
        for refine in REFINEMENTS.get(self.dialect, DEFAULT_REFINEMENTS):
            spec_type = refine(seen, spec_type) or spec_type
        whole = spec_type == "decimal" and (len(size) < 2 or str(size[1]) == "0")
        if seen.only_key and (spec_type == "text" or whole):
            # A key the spec has no type for, but one near it (README, "Keys")
            spec_type, held = ("string", "VARCHAR(255)") if spec_type == "text" else (
                "bigint", "BIGINT")
            self.note(
                table.where,
                f"{table.name}.{column.name}: a {declared.sql(_reader(self.dialect))} key imported "
                f"as {spec_type} "
                f"(a {held} column once regenerated)",
            )
            return spec_type, {}
        if spec_type is None:
            self.note(
                table.where,
                f"{table.name}.{column.name}: type {declared.sql()} has no "
                "spec type; imported as text",
            )
            return "text", {}
        if (
            declared.this in NARROWER
            and spec_type in ("int", "bigint", "float")
            and not (declared.this is DT.FLOAT and self.dialect in DOUBLE_FLOAT)
        ):
            self.note(
                table.where,
                f"{table.name}.{column.name}: {NARROWER[declared.this]} "
                f"imported as {spec_type} (a wider column once regenerated)",
            )
        if declared.this is DT.UBIGINT and spec_type == "bigint":
            self.note(
                table.where,
                f"{table.name}.{column.name}: BIGINT UNSIGNED imported as bigint (values "
                "above 9223372036854775807 do not fit once regenerated)",
            )
        if "json" in facts:
            spec_type = "json"
        if "bool" in facts:
            spec_type = "bool"
        params: dict[str, Any] = {}
        if spec_type == "string":
            length = first or DEFAULT_STRING_LENGTH
            if declared.this in FIXED_LENGTH and "values" not in facts:
                params["length"] = first or 1
            elif "values" in facts:
                spec_type = "enum"
                params["enum"] = self.enum(table, column, facts["values"])
                if length != max(DEFAULT_ENUM_LENGTH, *(len(v) for v in facts["values"])):
                    params["maxLength"] = length
            elif length != DEFAULT_STRING_LENGTH or first is None and size:
                params["maxLength"] = length
        if spec_type == "decimal":
            precision = first or DEFAULT_DECIMAL[0]
            scale = int(size[1]) if len(size) > 1 else 0 if first else DEFAULT_DECIMAL[1]
            if (precision, scale) != DEFAULT_DECIMAL:
                params["precision"], params["scale"] = precision, scale
        if spec_type == "datetime":
            if first is None:
                first = UNSIZED_PRECISION.get(self.dialect)
            if first is not None and first != DATETIME_PRECISION:
                params["precision"] = first
            if declared.this in PLAIN_TIMESTAMPS and self.dialect not in ("mysql", "sqlite"):
                params["timezone"] = False
        for word in ("minLength", "pattern", "min", "max"):
            if word in facts:
                params[word] = facts[word]
        if declared.this in UNSIGNED and spec_type in ("int", "bigint") and "min" not in params:
            params["min"] = 0
        return spec_type, params

    def wide_key(self, table: Table, column: Column) -> bool:
        """A key some foreign key references from a BIGINT column."""
        return self.referenced_as(table, column, DT.BIGINT)

    def referenced_as(self, table: Table, column: Column, kind: DT) -> bool:
        """A key some foreign key references from a column of that type."""
        for other in self.source.tables:
            for fk in other.foreign_keys:
                if (
                    fk.target == table.name
                    and len(fk.columns) == 1
                    and (
                        fk.target_columns
                        or (table.primary_key.columns if table.primary_key else ())
                    )
                    == (column.name,)
                ):
                    referencing = other.column(fk.columns[0])
                    if referencing is not None and referencing.type.this is kind:
                        return True
        return False

    def uuid_default(self, column: Column) -> bool:
        from vigilo_gen.emitters._sql_functions import UUID_DEFAULTS

        text = UUID_DEFAULTS.get(self.dialect)
        return (
            bool(text)
            and column.default is not None
            and _same_sql(column.default, text, self.dialect)
        )

    def indexed(self, table: Table, column: Column) -> bool:
        from vigilo_gen.emitters._sql_functions import UUID_DEFAULTS

        # A text field may have an index of its own (`index: true`), but be in no key and in
        # no index of several columns: there, a TEXT column is a uuid.
        keyed = (
            *table.uniques,
            *([table.primary_key] if table.primary_key else []),
            *(i for i in table.indexes if len(i.columns) > 1),
        )
        uuid_default = column.default is not None and _same_sql(
            column.default, UUID_DEFAULTS[self.dialect], self.dialect
        )
        if column.default is not None and not uuid_default:
            return False  # a literal default: a uuid field takes none, so this is text
        return uuid_default or any(column.name in k.columns for k in keyed)

    def enum(self, table: Table, column: Column, values: list[str]) -> str:
        for name, known in self.enums.items():
            if known == values:
                return name
        base = naming.upper_camel(self.fields[(table.name, column.name)])
        if base in self.enums:
            base = self.models[table.name] + base
        name = base
        n = 2
        while name in self.enums:
            name, n = f"{base}{n}", n + 1
        self.enums[name] = values
        return name

    def default(self, table: Table, column: Column, spec_type: str, updated_at: bool):
        tree = column.default
        if tree is None:
            return None
        from vigilo_gen.emitters._sql_functions import UUID_DEFAULTS

        tree = recognise.plain(tree)
        if (
            isinstance(tree, (exp.CurrentTimestamp, exp.CurrentDate))
            or isinstance(tree, (exp.Anonymous, exp.Var))
            and tree.name.lower() in NOW_FUNCTIONS
            and not tree.expressions
        ):
            return "now"
        uuid_text = UUID_DEFAULTS.get(self.dialect)
        if uuid_text and _same_sql(column.default, uuid_text, self.dialect):
            return "uuid"
        if isinstance(tree, exp.Null):
            return None
        as_sql = {
            "sql": {self.dialect: column.default_text or column.default.sql(_reader(self.dialect))}
        }
        if spec_type in TAKES_NO_DEFAULT:
            self.note(
                table.where,
                f"not imported: default {as_sql['sql'][self.dialect]} of "
                f"{table.name}.{column.name} (a {spec_type} field takes none)",
            )
            return None
        try:
            value = recognise.literal_value(tree)
        except ValueError:
            return as_sql
        if spec_type in LITERAL_AS_SQL:
            return as_sql
        if spec_type == "bool" and isinstance(value, int) and value in (0, 1):
            return bool(value)
        if spec_type == "bool" and isinstance(value, str) and value.lower() in BOOL_TEXTS:
            return BOOL_TEXTS[value.lower()]  # MySQL writes DEFAULT '0' as readily as 0
        if spec_type in ("int", "bigint") and isinstance(value, float) and value.is_integer():
            return int(value)
        if (
            spec_type in ("int", "bigint")
            and isinstance(value, str)
            and re.fullmatch(r"-?\d+", value)
        ):
            return int(value)  # PostgreSQL gives a negative default back as '-5'::integer
        if spec_type in ("float", "decimal") and isinstance(value, int):
            # MySQL's catalogue keeps the number, not how it was written: a float's is a float
            return float(value) if self.source.catalogue and self.dialect == "mysql" else value
        if spec_type in ("float", "decimal") and isinstance(value, str):
            try:
                return float(value) if "." in value or "e" in value.lower() else int(value)
            except ValueError:
                pass
        return value

    # -- checks ----------------------------------------------------------------------------

    def check_facts(self, table: Table) -> dict[str, dict]:
        """Per column: what its CHECK constraints say (enum values, range, minLength, pattern,
        a JSON or boolean check), and the names that differ from the rule."""
        facts: dict[str, dict] = defaultdict(dict)
        for check in table.checks:
            found = recognise.check_form(check.condition)
            column = table.column(found[1]) if found else None
            if column is None:
                condition = " ".join(check.condition.sql(_reader(self.dialect)).split())
                label = named("CHECK", check.name)
                self.note(check.where, f"not imported: {label} on {table.name}: {condition}")
                continue
            kind, name, values = found
            if kind == "pattern" and self.dialect == "mysql":
                values = {"pattern": values["pattern"].removeprefix("(?-i)")}
            facts[name].update(values)
            if kind in ("json", "bool"):
                facts[name][kind] = True
                continue  # the database's own check (MariaDB's JSON, Oracle's NUMBER(1))
            default = naming.constraint_name(table.name, (name, kind), "check")
            if check.name and check.name != default:
                facts[name].setdefault("names", {})[kind] = check.name
        return facts

    # -- references ----------------------------------------------------------------------------

    def foreign_keys(self, table: Table) -> dict[str, ForeignKey]:
        result = {}
        for fk in table.foreign_keys:
            target = self.source.table(fk.target)
            if len(fk.columns) > 1 and composite.why_not(self.source, table, fk) is None:
                self.composite.setdefault(table.name, []).append(fk)  # `relations:`
                continue
            if len(fk.columns) != 1 or target is None:
                why = (
                    composite.why_not(self.source, table, fk)
                    if len(fk.columns) != 1
                    else f"its table {fk.target} is not in the source"
                )
                self.note(
                    fk.where,
                    f"not imported: {named('foreign key', fk.name)} of {table.name} "
                    f"({', '.join(fk.columns)}): {why}",
                )
                continue
            if fk.columns[0] in result:
                self.note(
                    fk.where,
                    f"not imported: second {named('foreign key', fk.name)} on "
                    f"{table.name}.{fk.columns[0]}",
                )
                continue
            result[fk.columns[0]] = fk
        return result

    def reference(self, table: Table, column: Column, fk: ForeignKey) -> dict[str, Any]:
        target = self.source.table(fk.target)
        out: dict[str, Any] = {"to": self.models[target.name]}
        target_columns = fk.target_columns or (
            target.primary_key.columns if target.primary_key else ()
        )
        key = target.primary_key.columns if target.primary_key else ()
        if target_columns and target_columns != key:
            out["references"] = self.fields[(target.name, target_columns[0])]
        nullable = column.nullable
        default_delete = "setNull" if nullable else "cascade"
        implicit = (IMPLICIT_ACTION if self.source.catalogue else UNSAID_ACTION_IN_SQL).get(
            self.dialect
        )
        # The header of our SQL names the action a dialect could not declare (gaps.py).
        on_delete = self.source.gaps.on_delete.get(fk.name) or fk.on_delete
        on_update = self.source.gaps.on_update.get(fk.name) or fk.on_update
        delete = ON_ACTIONS.get(on_delete or implicit or "NO ACTION", "noAction")
        if delete == "setNull" and not nullable:
            # SQL takes it, but the delete then fails on the NOT NULL column: as NO ACTION does
            delete = "noAction"
            self.note(
                fk.where,
                f"{named('foreign key', fk.name)} of {table.name} ({column.name}): ON DELETE "
                "SET NULL on a NOT NULL column (a delete fails) imported as noAction",
            )
        if delete != default_delete:
            out["onDelete"] = delete
        if on_update and not (self.source.catalogue and on_update == implicit):
            out["onUpdate"] = ON_ACTIONS.get(on_update, "noAction")
        if fk.name and fk.name != naming.constraint_name(table.name, (column.name,), "fkey"):
            out["foreignKeyName"] = fk.name
        return out

    def name_relations(self, models: dict[str, dict]) -> dict[str, set[str]]:
        """Relation and back-reference names: the spec's defaults (build.py's rule) where they
        collide with nothing, else the default with the field's name added. Returns every
        model's attribute names (fields, relations, back-references)."""
        pairs: dict[frozenset, int] = defaultdict(int)
        for name, model in models.items():
            for spec in model["fields"].values():
                if spec["type"] == "ref":
                    pairs[frozenset((name, spec["to"]))] += 1
        for name, model in models.items():
            for rel in (model.get("relations") or {}).values():
                pairs[frozenset((name, rel["to"]))] += 1
        taken = {
            name: set(model["fields"]) | set(model.get("relations") or {})
            for name, model in models.items()
        }
        backrefs = []
        for name in sorted(models):
            for field_name, spec in models[name]["fields"].items():
                if spec["type"] != "ref":
                    continue
                relation = naming.relation_name(field_name)
                chosen = relation
                if chosen in taken[name]:
                    chosen = _unique_name(field_name + "Ref", set(taken[name]))
                taken[name].add(chosen)
                if chosen != relation:
                    spec["relation"] = chosen
                backrefs.append((name, field_name, spec, chosen))
        for name, field_name, spec, relation in backrefs:
            target = spec["to"]
            default = naming.lower_camel(name)
            if not spec.get("unique"):
                default = naming.plural(default)
            if target == name or pairs[frozenset((name, target))] > 1:
                default += naming.upper_camel(relation)
            chosen = default
            if chosen in taken[target]:
                chosen = _unique_name(default + naming.upper_camel(field_name), set(taken[target]))
            taken[target].add(chosen)
            if chosen != default:
                spec["backref"] = chosen
        for name in sorted(models):  # relations of several fields: build's default backref
            model = models[name]
            groups = [model.get("primaryKey") or []]
            groups += [u["fields"] if isinstance(u, dict) else u for u in model.get("unique", [])]
            for relation, rel in (model.get("relations") or {}).items():
                target = rel["to"]
                default = naming.lower_camel(name)
                if not any(set(rel["fields"]) == set(g) for g in groups):
                    default = naming.plural(default)
                if target == name or pairs[frozenset((name, target))] > 1:
                    default += naming.upper_camel(relation)
                chosen = default
                if chosen in taken[target]:
                    chosen = _unique_name(default + "Ref", set(taken[target]))
                taken[target].add(chosen)
                if chosen != default:
                    rel["backref"] = chosen
        return taken

    # -- uniques, indexes ------------------------------------------------------------------------

    def keys(self, table: Table, fields: dict[str, dict], out: dict, foreign: dict) -> None:
        field_of = {c.name: self.fields[(table.name, c.name)] for c in table.columns}
        order = {c.name: n for n, c in enumerate(table.columns)}
        key = table.primary_key.columns if table.primary_key else ()
        uniques = [u for u in table.uniques if u.columns != key or not key]
        indexes = list(table.indexes)
        if self.dialect == "mysql":  # MySQL's own index for a foreign key nothing else leads
            own = {(fk.name, fk.columns) for fk in table.foreign_keys}
            indexes = [i for i in indexes if (i.name, i.columns) not in own]
        # Single-column uniques first, in column order: `unique: true` on the field; the rest
        # in order: the model's `unique:` list (build lists them in that order).
        listed_uniques, last = [], -1
        for unique in uniques:
            column = unique.columns[0]
            spec = fields[field_of[column]]
            if (
                len(unique.columns) == 1
                and order[column] > last
                and not listed_uniques
                and spec["type"] not in ("id",)
                and not spec.get("primaryKey")
            ):
                last = order[column]
                spec["unique"] = True
                if unique.name and unique.name != naming.constraint_name(
                    table.name, (column,), "key"
                ):
                    spec["uniqueName"] = unique.name
            else:
                listed_uniques.append(unique)
        listed_indexes, last = [], -1
        leading = {u.columns[0] for u in uniques} | ({key[0]} if key else set())
        field_level = []
        for index in indexes:
            column = index.columns[0]
            if (
                len(index.columns) == 1
                and order[column] > last
                and not listed_indexes
                and fields[field_of[column]]["type"] not in ("id",)
            ):
                last = order[column]
                field_level.append(index)
            else:
                listed_indexes.append(index)
        for fk in self.composite.get(table.name, []):  # a relation's own index: implicit
            rel = next(
                r
                for r in out["relations"].values()
                if r["fields"] == [field_of[c] for c in fk.columns]
            )
            others = [
                tuple(key),
                *(tuple(u.columns) for u in uniques),
                *(
                    tuple(i.columns)
                    for i in listed_indexes
                    if tuple(i.columns) != tuple(fk.columns)
                ),
            ]
            own, words = composite.index_words(table, fk, listed_indexes, set(others))
            if own is not None:
                listed_indexes.remove(own)
            rel.update(words)
        leading |= {i.columns[0] for i in listed_indexes}
        indexed = {i.columns[0]: i for i in field_level}
        for column, index in indexed.items():
            spec = fields[field_of[column]]
            automatic = column in foreign and column not in leading
            if not automatic:
                spec["index"] = True
            if index.name != naming.constraint_name(table.name, (column,), "idx"):
                spec["indexName"] = index.name
        for column in foreign:
            if column not in indexed and column not in leading:
                fields[field_of[column]]["index"] = False
        for word, items, suffix in (
            ("unique", listed_uniques, "key"),
            ("indexes", listed_indexes, "idx"),
        ):
            entries = []
            for item in items:
                names = [field_of[c] for c in item.columns]
                if not item.name or item.name == naming.constraint_name(
                    table.name, item.columns, suffix
                ):
                    entries.append(names)
                else:
                    entries.append({"fields": names, "name": item.name})
            if entries:
                out[word] = entries
        # `fields` first in the written model, then the lists: rebuild the order.
        ordered = {
            k: out[k]
            for k in (
                "table",
                "description",
                "primaryKeyName",
                "primaryKey",
                "fields",
                "unique",
                "indexes",
                "relations",
            )
            if k in out
        }
        out.clear()
        out.update(ordered)


# -- declared types that say less than the spec type -------------------------------------------
# Where a dialect declares two spec types alike (SQLite's TEXT for text and uuid, ClickHouse's
# one String, Databricks' BIGINT identity), what else the table says tells them apart. Each
# refinement takes what was declared and the type read so far, and gives the type it is
# instead, or None; REFINEMENTS lists each dialect's, in order.


@dataclass(frozen=True)
class Declared:
    importer: _Importer
    table: Table
    column: Column
    facts: dict
    type: DT
    first: int | None  # the first parameter, a number

    @property
    def only_key(self) -> bool:
        """The table's whole primary key is this one column."""
        key = self.table.primary_key
        return key is not None and key.columns == (self.column.name,)

    @property
    def in_key(self) -> bool:
        key = self.table.primary_key
        return bool(key) and self.column.name in key.columns


def _rowid_bigint(seen: Declared, spec_type: str | None) -> str | None:
    """SQLite's rowid key is INTEGER even for a bigint key: its BIGINT references say it."""
    if seen.type is DT.INT and seen.importer.wide_key(seen.table, seen.column):
        return "bigint"
    return None


def _sqlite_text_uuid(seen: Declared, spec_type: str | None) -> str | None:
    """SQLite's uuid is TEXT: of TEXT fields only a uuid is a key or indexed with others."""
    if (
        spec_type == "text"
        and seen.importer.indexed(seen.table, seen.column)
        and not {"minLength", "pattern"} & set(seen.facts)
    ):
        return "uuid"
    return None


def _key_or_checked_string(seen: Declared, spec_type: str | None) -> str | None:
    """ClickHouse's one String: a key or one with a CHECK of a string is a string."""
    if spec_type == "text" and (
        seen.in_key or {"minLength", "pattern", "values"} & set(seen.facts)
    ):
        return "string"
    return None


def _sized_text_string(seen: Declared, spec_type: str | None) -> str | None:
    """BigQuery's STRING(n) is our VARCHAR(n); its unsized STRING is text."""
    return "string" if seen.type is DT.TEXT and seen.first is not None else None


def _text_key_uuid(seen: Declared, spec_type: str | None) -> str | None:
    """Databricks' and BigQuery's uuid is STRING, their text: only a uuid is a key."""
    return "uuid" if spec_type == "text" and seen.in_key else None


def _bigint_identity_int(seen: Declared, spec_type: str | None) -> str | None:
    """Databricks' identity is BIGINT: an int key is told by the INT columns referencing it."""
    if (
        seen.column.identity
        and seen.type is DT.BIGINT
        and seen.importer.referenced_as(seen.table, seen.column, DT.INT)
    ):
        return "int"
    return None


def _uuid_by_default(seen: Declared, spec_type: str | None) -> str | None:
    """A uuid kept as text (a VARCHAR(36), a STRING) is told by our uuid default."""
    as_text = spec_type == "string" and seen.first == ID_LENGTH or spec_type == "text"
    return "uuid" if as_text and seen.importer.uuid_default(seen.column) else None


DEFAULT_REFINEMENTS: tuple[Callable[[Declared, str | None], str | None], ...] = (_uuid_by_default,)
REFINEMENTS: dict[str, tuple[Callable[[Declared, str | None], str | None], ...]] = {
    "sqlite": (_rowid_bigint, _sqlite_text_uuid),
    "clickhouse": (_key_or_checked_string, _uuid_by_default),
    "bigquery": (_sized_text_string, _text_key_uuid, _uuid_by_default),
    "databricks": (_text_key_uuid, _bigint_identity_int, _uuid_by_default),
}


def _reader(dialect: str) -> str:
    from .parse_sql import READERS

    return READERS.get(dialect, dialect)


def _same_sql(tree: exp.Expression, text: str, dialect: str) -> bool:
    other = _plain_sql(text, dialect)
    return other is not None and recognise.plain(tree).sql() == other


@lru_cache(maxsize=64)  # the same few expressions (our uuid defaults), asked for every column
def _plain_sql(text: str, dialect: str) -> str | None:
    import sqlglot

    try:
        return recognise.plain(sqlglot.parse_one(text, read=_reader(dialect))).sql()
    except sqlglot.errors.SqlglotError:
        return None


def to_spec(source: Source, name: str) -> tuple[dict[str, Any], list[Note]]:
    importer = _Importer(source)
    doc = importer.document(name)
    return doc, sorted((_unrepeated(n) for n in importer.notes), key=_place)


def _unrepeated(note: Note) -> Note:
    """A database's note is placed by its object's name ("view big"): a message that only
    repeats it ("not imported: view big", SQLite's script or a function) says its kind
    instead, as the other notes of a database do ("view big: not imported: a view")."""
    if note.message != f"not imported: {note.where}":
        return note
    kind = note.where.split(" ", 1)[0]
    return Note(note.where, f"not imported: {'an' if kind[0] in 'aeiou' else 'a'} {kind}")


def _place(note: Note) -> tuple:
    """Notes in source order: by line and column in a SQL file, else by object name."""
    found = re.search(r":(\d+):(\d+)$", note.where)
    return (0, int(found[1]), int(found[2]), "") if found else (1, 0, 0, note.where)
