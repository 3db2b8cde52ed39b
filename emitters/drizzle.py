"""``vigilo-gen drizzle [--dialect postgres|mysql|sqlite]``: a Drizzle ORM schema module.

One table per model (``pgTable`` / ``mysqlTable`` / ``sqliteTable``) with the Spec's physical
table and column names and types, ids generated with ``crypto.randomUUID()``, ``updated_at``
set on every update (``$onUpdate``), every unique constraint, index, CHECK constraint and
foreign key named with the Spec's names in the table config, ``relations()`` in both
directions, and the row types (``$inferSelect`` / ``$inferInsert``).

The TypeScript is laid out exactly as prettier leaves it (``ts_layout``; checked by the tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from vigilo_gen.dialects import DATABASES
from vigilo_gen.emitter import Emitter, Provenance, dialect_option, option
from vigilo_gen.errors import UsageError
from vigilo_gen.model import (
    NEW_UUID,
    NOW,
    CheckKind,
    Field,
    FieldType,
    ManyToMany,
    Model,
    Spec,
    SqlDefault,
    check_table,
)
from vigilo_gen.naming import lower_camel

from . import ts_layout as ts
from ._sql_functions import UUID_DEFAULTS
from ._templates import template

T = FieldType
DIALECTS = ("postgres", "mysql", "sqlite")


@dataclass(frozen=True)
class DialectProfile:
    module: str  # drizzle-orm/<module>
    table: str  # table builder
    # FieldType -> (column builder, options(field) -> [(key, ts source)])
    types: dict
    now: dict  # FieldType (DATE/DATETIME) -> chain call for `default: now`
    on_update: str  # expression the updated_at column is set to on every update
    length_fn: str  # SQL function for character length
    # The SQL regex operator, where the database has one (dialects.DATABASES: whether it
    # does, the pattern's prefix, and byte-exact enum CHECKs).
    regex: str | None
    # The call that makes the database generate an integer key (default: autoincrement);
    # None where the primary key alone does it (SQLite's INTEGER PRIMARY KEY is the rowid).
    identity: str | None = None


def _length(f: Field) -> list:
    return [("length", str(f.max_length))]


def _enum(f: Field) -> list:
    return [*_length(f), ("enum", f.enum.values)]


def _decimal(f: Field) -> list:
    return [("precision", str(f.precision)), ("scale", str(f.scale))]


def _none(f: Field) -> list:
    return []


BIGINT = [("mode", '"number"')]

# A column builder Drizzle does not have, defined in the module with customType (pg-core has
# no bytea, mysql-core no longblob): builder name -> the SQL type it declares.
CUSTOM = "custom:"
CUSTOM_TYPES = {"bytea": "bytea", "longblob": "longblob"}

PROFILES: dict[str, DialectProfile] = {
    "postgres": DialectProfile(
        module="pg-core", table="pgTable",
        types={
            T.ID: ("varchar", _length), T.REF: ("varchar", _length),
            T.STRING: ("varchar", _length), T.ENUM: ("varchar", _enum),
            T.TEXT: ("text", _none), T.INT: ("integer", _none),
            T.BIGINT: ("bigint", lambda f: BIGINT), T.FLOAT: ("doublePrecision", _none),
            T.DECIMAL: ("numeric", _decimal), T.BOOL: ("boolean", _none),
            T.DATE: ("date", _none),
            T.DATETIME: ("timestamp", lambda f: [("precision", str(f.precision)),
                                                  ("withTimezone", "true")] if f.timezone
                         else [("precision", str(f.precision))]),
            T.JSON: ("jsonb", _none), T.UUID: ("uuid", _none), T.BYTES: (CUSTOM + "bytea", _none),
        },
        now={T.DATETIME: ("defaultNow", []), T.DATE: ("default", ["sql`CURRENT_DATE`"])},
        on_update="() => new Date()",
        length_fn="char_length", regex="~",
        identity="generatedByDefaultAsIdentity",
    ),
    "mysql": DialectProfile(
        module="mysql-core", table="mysqlTable",
        types={
            T.ID: ("varchar", _length), T.REF: ("varchar", _length),
            T.STRING: ("varchar", _length), T.ENUM: ("varchar", _enum),
            T.TEXT: ("text", _none), T.INT: ("int", _none),
            T.BIGINT: ("bigint", lambda f: BIGINT), T.FLOAT: ("double", _none),
            T.DECIMAL: ("decimal", _decimal), T.BOOL: ("boolean", _none),
            T.DATE: ("date", lambda f: [("mode", '"string"')]),
            T.DATETIME: ("datetime", lambda f: [("mode", '"date"'), ("fsp", str(f.precision))]),
            T.JSON: ("json", _none), T.UUID: ("char", lambda f: [("length", "36")]),
            T.BYTES: (CUSTOM + "longblob", _none),
        },
        # MySQL needs the precision of a DATETIME(3) default spelt out.
        now={T.DATETIME: ("default", ["sql`CURRENT_TIMESTAMP({p})`"]),
             T.DATE: ("default", ["sql`(CURRENT_DATE)`"])},
        on_update="() => new Date()",
        length_fn="CHAR_LENGTH", regex="REGEXP",
        identity="autoincrement",
    ),
    "sqlite": DialectProfile(
        module="sqlite-core", table="sqliteTable",
        types={
            T.ID: ("text", _length), T.REF: ("text", _length),
            T.STRING: ("text", _length), T.ENUM: ("text", _enum),
            T.TEXT: ("text", _none), T.INT: ("integer", _none),
            T.BIGINT: ("integer", _none), T.FLOAT: ("real", _none),
            T.DECIMAL: ("numeric", _none), T.BOOL: ("integer", lambda f: [("mode",
                                                                           '"boolean"')]),
            # numeric(): the NUMERIC affinity SQLite gives the DATE/DATETIME every other
            # target declares (text() would be TEXT affinity); values stay ISO-8601 text.
            T.DATE: ("numeric", _none), T.DATETIME: ("numeric", _none),
            T.JSON: ("text", lambda f: [("mode", '"json"')]), T.UUID: ("text", _none),
            T.BYTES: ("blob", lambda f: [("mode", '"buffer"')]),
        },
        now={T.DATETIME: ("default", ["sql`CURRENT_TIMESTAMP`"]),
             T.DATE: ("default", ["sql`CURRENT_DATE`"])},
        # Dates are ISO-8601 text here: keep the database's own format on update too.
        on_update="() => sql`CURRENT_TIMESTAMP`",
        length_fn="length", regex=None,
    ),
}

# Literal defaults whose TypeScript value is a string although the spec gives a number.
STRING_VALUED = {T.DECIMAL}

# Marks a column interpolation inside a CHECK body until it is written as ``${t.field}``.
COLUMN_MARK, COLUMN_MARK_END = "\x00", "\x01"

ON_DELETE = {"cascade": "cascade", "setNull": "set null", "restrict": "restrict",
             "noAction": "no action"}

# Words a top-level `const` cannot be named (the table's variable is lowerCamel(model name)).
RESERVED = frozenset("""break case catch class const continue debugger default delete do else
enum export extends false finally for function if import in instanceof new null return super
switch this throw true try typeof var void while with yield let static implements interface
package private protected public await arguments eval""".split())

TYPE_RESERVED = frozenset("""any unknown never object number string boolean symbol bigint
undefined void""".split())


@dataclass(frozen=True)
class DrizzleOptions:
    dialect: str = option("postgres", "Database the schema targets.", choices=DIALECTS)


def variable(model: Model) -> str:
    """The table's TypeScript variable: lowerCamel of the model name, never a reserved word.
    (The Spec has no TypeScript names; this is the one place they are derived.)"""
    name = lower_camel(model.name)
    return name + "Table" if name in RESERVED else name


def _sql_number(value: int | float) -> str:
    """A bound in CHECK SQL: ``1.0`` is written ``1``, as the SQL emitter writes it."""
    text = repr(value)
    return text[:-2] if isinstance(value, float) and text.endswith(".0") else text


def _sql_string(value: str, dialect: str) -> str:
    text = value.replace("'", "''")
    if dialect == "mysql":  # backslash is an escape character in MySQL string literals
        text = text.replace("\\", "\\\\")
    return f"'{text}'"


class _ModuleBuilder:
    def __init__(self, spec: Spec, dialect: str):
        self.spec = spec
        self.dialect = dialect
        self.profile = PROFILES[dialect]
        self.database = DATABASES[dialect]
        self.core: set[str] = {self.profile.table}
        self.customs: set[str] = set()  # CUSTOM_TYPES the module defines
        self.orm: set[str] = set()
        # Module-level values the spec names: the tables and their relations. An import that
        # one of them would hide is imported under an alias (`index as _index`).
        self.taken = {variable(m) for m in spec.models} | {
            variable(m) + "Relations" for m in spec.models}
        self.aliases: dict[str, str] = {}
        # Each enum a column uses: an exported `as const` array of its values (the columns'
        # `enum` option) and a union type of them. Row types and reserved words are avoided.
        types = {m.name for m in spec.models} | {f"New{m.name}" for m in spec.models} | {
            m.name + "Row" for m in spec.models} | RESERVED | TYPE_RESERVED
        used = {f.enum.name for m in spec.models for f in m.fields
                if f.type is T.ENUM and f.enum is not None}
        self.enums: dict[str, tuple[str, str]] = {}  # enum name -> (values const, type)
        for enum in (e for e in spec.enums if e.name in used):
            const, type_name = lower_camel(enum.name) + "Values", enum.name
            while const in self.taken or const in RESERVED:
                const = "_" + const
            while type_name in types:
                type_name += "Enum"
            self.taken.add(const)
            types.add(type_name)
            self.enums[enum.name] = (const, type_name)
        # The table config's parameter: `t` unless a table is called t.
        self.param = next(p for p in ("t", "table", "_t", "__t") if p not in self.taken)

    def n(self, name: str) -> str:
        """How an imported name is written in this module."""
        if name not in self.taken:
            return name
        if name not in self.aliases:
            alias = "_" + name
            while alias in self.taken or alias in self.aliases.values():
                alias = "_" + alias
            self.aliases[name] = alias
        return self.aliases[name]

    def core_fn(self, name: str) -> str:
        self.core.add(name)
        return self.n(name)

    def sql(self, body: str) -> ts.Node:
        """A ``sql`...``` template; ``COLUMN % name`` marks where a column is interpolated."""
        self.orm.add("sql")
        parts = body.split(COLUMN_MARK)
        text = ts.template(parts[0]) + "".join(
            "${" + self.param + "." + rest.split(COLUMN_MARK_END, 1)[0] + "}"
            + ts.template(rest.split(COLUMN_MARK_END, 1)[1]) for rest in parts[1:])
        return ts.text(f"{self.n('sql')}`{text}`", simple=False)

    def sql_text(self, text: str) -> str:
        """A fixed sql`...` of the dialect's table, with sql written as imported."""
        self.orm.add("sql")
        return text.replace("sql`", self.n("sql") + "`")

    # -- columns ---------------------------------------------------------------------------

    def column(self, model: Model, field: Field) -> ts.Node:
        builder, options_fn = self.profile.types[field.value_type]
        if field.fixed_length and builder == "varchar":
            builder = "char"  # length: n, CHAR(n) (SQLite's text has no fixed length)
        if builder.startswith(CUSTOM):
            builder = builder.removeprefix(CUSTOM)
            self.customs.add(builder)
            self.core.add("customType")
            builder = self.n(builder)
        else:
            builder = self.core_fn(builder)
        props = []
        for key, value in options_fn(field):
            if isinstance(value, tuple):  # enum values: the module's array of them
                props.append((key, ts.text(self.enums[field.enum.name][0])))
            else:
                props.append((key, ts.text(value)))
        head_args = [ts.text(ts.string(field.column))]
        if props:
            head_args.append(ts.obj(props))
        head = ts.call(builder, head_args)
        calls: list[tuple[str, list[ts.Node]]] = []
        if field.primary_key:
            if self._pk_inline(model) and not model.composite:
                calls.append(("primaryKey", []))
            else:
                calls.append(("notNull", []))
            if field.generate == "uuid":
                crypto = "crypto" if "crypto" not in self.taken else "globalThis.crypto"
                calls.append(("$defaultFn", [ts.text(f"() => {crypto}.randomUUID()",
                                                     simple=False)]))
            elif field.identity and self.profile.identity:
                calls.append((self.profile.identity, []))
        elif not field.nullable:
            calls.append(("notNull", []))
        default = self.default(field)
        if default is not None:
            calls.append(default)
        if field.updated_at:
            on_update = self.profile.on_update
            if "sql`" in on_update:
                on_update = self.sql_text(on_update)
            calls.append(("$onUpdate", [ts.text(on_update, simple=False)]))
        return ts.chain(head, calls)

    def default(self, field: Field):
        value = field.default
        if value is None:
            return None
        if isinstance(value, SqlDefault):
            sql = value.sql(self.dialect)
            return None if sql is None else ("default", [self.sql(sql)])
        if value is NEW_UUID:  # the database's own function, as our SQL writes it
            if self.dialect == "postgres":
                return ("defaultRandom", [])
            return ("default", [self.sql(UUID_DEFAULTS[self.dialect])])
        if value is NOW:
            method, arguments = self.profile.now[field.type]
            nodes = []
            for a in (a.replace("{p}", str(field.precision)) for a in arguments):
                if a.startswith("sql`"):
                    nodes.append(ts.text(self.sql_text(a), simple=False))
                else:
                    nodes.append(ts.text(a))
            return (method, nodes)
        if isinstance(value, bool):
            return ("default", [ts.text("true" if value else "false")])
        if isinstance(value, (int, float)):
            # a decimal's default is its text, as written; any other is a number literal
            literal = ts.string(repr(value)) if field.type in STRING_VALUED else ts.number(value)
            return ("default", [ts.text(literal)])
        if self.dialect == "mysql" and "\\" in value:
            # drizzle-kit (0.31) writes MySQL string defaults without escaping backslashes,
            # which breaks the statement: give the database default as SQL text instead.
            literal = _sql_string(value, self.dialect)
            if field.type is T.TEXT:  # MySQL accepts a TEXT default only as an expression
                literal = f"({literal})"
            return ("default", [self.sql(literal)])
        return ("default", [ts.text(ts.string(value))])

    def _pk_inline(self, model: Model) -> bool:
        """An inline ``.primaryKey()`` gets the database's own name: ``{table}_pkey`` on
        PostgreSQL (MySQL calls every primary key PRIMARY, SQLite's are unnamed)."""
        if self.dialect != "postgres":
            return True
        default = f"{model.table}_pkey"
        return model.pk_constraint == default and len(default) <= 63

    # -- table config ----------------------------------------------------------------------

    def config(self, model: Model) -> list[ts.Node]:
        entries: list[ts.Node] = []
        t = self.param
        if not self._pk_inline(model) or model.composite:
            # PostgreSQL keeps the key's name; MySQL calls every key PRIMARY, SQLite none.
            named = [("name", ts.text(ts.string(model.pk_constraint)))] \
                if self.dialect == "postgres" or not model.composite else []
            entries.append(ts.call(self.core_fn("primaryKey"), [ts.obj([
                *named,
                ("columns", ts.arr([ts.text(f"{t}.{f.name}") for f in model.key])),
            ])]))
        for unique in model.uniques:
            entries.append(ts.chain(ts.call(self.core_fn("unique"),
                                            [ts.text(ts.string(unique.name))]),
                                    [("on", [ts.text(f"{t}.{f}") for f in unique.fields])]))
        for index in model.indexes:
            entries.append(ts.chain(ts.call(self.core_fn("index"),
                                            [ts.text(ts.string(index.name))]),
                                    [("on", [ts.text(f"{t}.{f}") for f in index.fields])]))
        for check in model.checks:
            body = self.check_sql(model, check)
            if body is None:
                continue
            entries.append(ts.call(self.core_fn("check"),
                                   [ts.text(ts.string(check.name)), self.sql(body)]))
        for field in model.references:
            ref = field.reference
            if not ref.foreign_key:
                continue  # foreignKey: false: relations() below still joins the tables
            target = self.spec.model(ref.target)
            target_var = t if target.name == model.name else variable(target)
            fk = ts.call(self.core_fn("foreignKey"), [ts.obj([
                ("name", ts.text(ts.string(ref.constraint))),
                ("columns", ts.arr([ts.text(f"{t}.{field.name}")])),
                ("foreignColumns", ts.arr([ts.text(f"{target_var}.{ref.target_field}")])),
            ])])
            actions = [("onDelete", [ts.text(ts.string(ON_DELETE[ref.on_delete.value]))])]
            if ref.on_update is not None:
                actions.append(("onUpdate",
                                [ts.text(ts.string(ON_DELETE[ref.on_update.value]))]))
            entries.append(ts.chain(fk, actions))
        for rel in model.composite_references:  # ``relations:``: foreignKey({columns: [a, b]})
            if not rel.foreign_key:
                continue
            target = self.spec.model(rel.target)
            target_var = t if target.name == model.name else variable(target)
            fk = ts.call(self.core_fn("foreignKey"), [ts.obj([
                ("name", ts.text(ts.string(rel.constraint))),
                ("columns", ts.arr([ts.text(f"{t}.{f}") for f in rel.fields])),
                ("foreignColumns", ts.arr([ts.text(f"{target_var}.{f}")
                                           for f in rel.target_fields])),
            ])])
            actions = [("onDelete", [ts.text(ts.string(ON_DELETE[rel.on_delete.value]))])]
            if rel.on_update is not None:
                actions.append(("onUpdate",
                                [ts.text(ts.string(ON_DELETE[rel.on_update.value]))]))
            entries.append(ts.chain(fk, actions))
        return entries

    def check_sql(self, model: Model, check) -> str | None:
        """The CHECK's condition, with ``${t.field}`` for the column (Drizzle quotes it)."""
        field = model.field(check.field)
        col = f"{COLUMN_MARK}{field.name}{COLUMN_MARK_END}"
        return CHECKS[check.kind](self, field, col)

    def enum_sql(self, field: Field, col: str) -> str:
        values = ", ".join(_sql_string(v, self.dialect) for v in field.enum.values)
        if self.database.binary_enum_check:
            col = f"CAST({col} AS BINARY)"
        return f"{col} IN ({values})"

    def range_sql(self, field: Field, col: str) -> str:
        parts = []
        if field.minimum is not None:
            parts.append(f"{col} >= {_sql_number(field.minimum)}")
        if field.maximum is not None:
            parts.append(f"{col} <= {_sql_number(field.maximum)}")
        return " AND ".join(parts)

    def length_sql(self, field: Field, col: str) -> str:
        return f"{self.profile.length_fn}({col}) >= {field.min_length}"

    def pattern_sql(self, field: Field, col: str) -> str | None:
        if not self.database.regex:
            return None
        pattern = _sql_string(self.database.regex_prefix + field.pattern, self.dialect)
        return f"{col} {self.profile.regex} {pattern}"

    # -- docs ------------------------------------------------------------------------------

    def field_docs(self, model: Model, field: Field) -> list[str]:
        docs = field.description.splitlines() if field.description else []
        if isinstance(field.default, SqlDefault) and field.default.sql(self.dialect) is None:
            docs.append(f"No default on {self.dialect}: its SQL default is written for "
                        + ", ".join(d for d, _ in field.default.expressions) + " only.")
        if field.updated_at and field.default is None:
            docs.append("NULL until the row's first update (in the database and the other "
                        "targets); Drizzle's $onUpdate also fills it on insert.")
        for check in model.checks:
            if check.field == field.name and check.kind == "pattern" and \
                    not self.database.regex:
                docs.append(f"Pattern {field.pattern} is not checked by the database (SQLite "
                            "has no regular expressions): validate it in the application.")
        return docs

    # -- module ----------------------------------------------------------------------------

    def table(self, model: Model) -> str:
        columns = []
        for field in model.fields:
            docs = self.field_docs(model, field)
            prefix: list = []
            for line in _jsdoc(docs):
                prefix += [line, ts.HARDLINE]
            columns.append([*prefix, f"{field.name}: ", self.column(model, field).doc])
        body = ts.join([",", ts.LINE], columns)
        cols = ts.Node(ts.group("{", ts.indent(ts.LINE, *body), ts.IfBreak(","), ts.LINE, "}",
                                broken=True), False, True)
        arguments = [ts.text(ts.string(model.table)), cols]
        config = self.config(model)
        if config:
            arguments.append(ts.arrow(f"({self.param})", ts.arr(config)))
        doc = [f"export const {variable(model)} = ",
               ts.call(self.n(self.profile.table), arguments).doc,
               ";"]
        return ts.render(doc)

    def relations(self, model: Model) -> str | None:
        entries = []
        helpers = set()
        for field in model.references:
            ref = field.reference
            target = self.spec.model(ref.target)
            props = [
                ("fields", ts.arr([ts.text(f"{variable(model)}.{field.name}")])),
                ("references", ts.arr([ts.text(f"{variable(target)}.{ref.target_field}")])),
            ]
            if ref.ambiguous:
                props.append(("relationName", ts.text(ts.string(ref.name))))
            helpers.add("one")
            entries.append((ref.relation, ts.call(self.helper("one"),
                                                  [ts.text(variable(target)), ts.obj(props)])))
        for backref in model.backrefs:
            source = self.spec.model(backref.source_model)
            kind = "one" if backref.one_to_one else "many"
            helpers.add(kind)
            arguments = [ts.text(variable(source))]
            if backref.ambiguous:
                arguments.append(ts.obj([("relationName",
                                          ts.text(ts.string(backref.relation_name)))]))
            entries.append((backref.name, ts.call(self.helper(kind), arguments)))
        for rel in model.composite_references:
            target = self.spec.model(rel.target)
            props = [
                ("fields", ts.arr([ts.text(f"{variable(model)}.{f}") for f in rel.fields])),
                ("references", ts.arr([ts.text(f"{variable(target)}.{f}")
                                       for f in rel.target_fields])),
            ]
            if rel.ambiguous:
                props.append(("relationName", ts.text(ts.string(rel.relation_name))))
            helpers.add("one")
            entries.append((rel.name, ts.call(self.helper("one"),
                                              [ts.text(variable(target)), ts.obj(props)])))
        for rel in model.composite_backrefs:
            kind = "one" if rel.one_to_one else "many"
            helpers.add(kind)
            arguments = [ts.text(variable(self.spec.model(rel.source)))]
            if rel.ambiguous:
                arguments.append(ts.obj([("relationName", ts.text(ts.string(rel.relation_name)))]))
            entries.append((rel.backref, ts.call(self.helper(kind), arguments)))
        if not entries:
            return None
        self.orm.add("relations")
        body = ts.obj(entries, expanded=True)
        params = "({ " + ", ".join(
            h if self.helper(h) == h else f"{h}: {self.helper(h)}"
            for h in sorted(helpers, key=["one", "many"].index)) + " })"
        doc = [f"export const {variable(model)}Relations = ",
               ts.call(self.n("relations"), [ts.text(variable(model)),
                                            ts.arrow(params, body)]).doc, ";"]
        return "".join(self.many_to_many_note(model, m2m) for m2m in model.many_to_many) \
            + ts.render(doc)

    def many_to_many_note(self, model: Model, m2m: ManyToMany) -> str:
        """A gap: relations() (drizzle-orm 0.x) has no many-to-many through a table (its
        ``through`` is relations v2's, drizzle-orm 1.0). A ``manyToMany`` is reached as
        Drizzle's docs do it, through the join table's own relations; said where it would be."""
        through = self.spec.model(m2m.through)
        source = through.field(m2m.source_field).reference
        target = through.field(m2m.target_field).reference
        path = f"{{ {source.backref}: {{ with: {{ {target.relation}: true }} }} }}"
        return (f"// {model.name}.{m2m.name} (manyToMany through {through.name}): relations() "
                f"has no many-to-many;\n// query it through the join table: with: {path}\n")

    def helper(self, name: str) -> str:
        """`one` / `many` of a relations callback, renamed where a table has that name."""
        if name not in self.taken:
            return name
        alias = "_" + name
        while alias in self.taken:
            alias = "_" + alias
        return alias

    def types(self, model: Model) -> list[str]:
        var = variable(model)
        # A type alias cannot be a reserved word or a predefined type name (`class`, `any`).
        row = model.name + "Row" if model.name in RESERVED | TYPE_RESERVED else model.name
        return [ts.render(group_type(f"export type {name} = ", f"typeof {var}.{infer};"))
                for name, infer in ((row, "$inferSelect"),
                                    (f"New{model.name}", "$inferInsert"))]

    def enum_blocks(self) -> list[str]:
        """Per enum: its values as an exported ``as const`` array and their union type."""
        blocks = []
        for enum in (e for e in self.spec.enums if e.name in self.enums):
            const, type_name = self.enums[enum.name]
            docs = _jsdoc(enum.description.splitlines() if enum.description else [])
            values = ts.arr([ts.text(ts.string(v)) for v in enum.values])
            lines = [*docs, ts.render([f"export const {const} = ", values.doc, " as const;"]),
                     *docs, ts.render(group_type(f"export type {type_name} = ",
                                                 f"(typeof {const})[number];"))]
            blocks.append("\n".join(lines))
        return blocks

    def custom_types(self) -> list[str]:
        """The customType definitions the columns use, as prettier lays them out."""
        return [f"const {self.n(name)} = {self.n('customType')}<"
                "{ data: Buffer; driverData: Buffer }>({\n"
                f'  dataType() {{\n    return "{CUSTOM_TYPES[name]}";\n  }},\n}});'
                for name in sorted(self.customs)]

    def imports(self) -> list[str]:
        lines = []
        for names, module in ((self.orm, "drizzle-orm"),
                              (self.core, f"drizzle-orm/{self.profile.module}")):
            if not names:
                continue
            items = [ts.text(n if self.n(n) == n else f"{n} as {self.n(n)}")
                     for n in sorted(names)]
            body = ts.join([",", ts.LINE], [i.doc for i in items])
            doc = ["import ", ts.group("{", ts.indent(ts.LINE, *body), ts.IfBreak(","), ts.LINE,
                                       "}"), f' from "{module}";']
            lines.append(ts.render(doc))
        return lines


# How each kind of CHECK is written; a kind without an entry fails here, at import.
CHECKS = check_table({
    CheckKind.ENUM: _ModuleBuilder.enum_sql,
    CheckKind.RANGE: _ModuleBuilder.range_sql,
    CheckKind.LENGTH: _ModuleBuilder.length_sql,
    CheckKind.PATTERN: _ModuleBuilder.pattern_sql,
}, "drizzle")


def group_type(left: str, right: str):
    """``export type X = typeof x.$inferSelect;`` breaking after ``=`` when too long."""
    return ts.group(left.rstrip(), ts.indent(ts.LINE, right))


def _jsdoc(lines: list[str]) -> list[str]:
    if not lines:
        return []
    lines = [line.replace("*/", "*\\/") for line in lines]  # spec text cannot end the comment
    if len(lines) == 1:
        return [f"/** {lines[0]} */"]
    return ["/**", *(f" * {line}" for line in lines), " */"]



@dataclass(frozen=True)
class TableView:
    docs: tuple[str, ...]
    table: str
    relations: str | None
    types: tuple[str, ...]


def render(spec: Spec, options: DrizzleOptions, provenance: Provenance) -> str:
    if options.dialect not in DIALECTS:
        raise UsageError(f"unknown dialect '{options.dialect}'; choose from "
                         + ", ".join(DIALECTS))
    builder = _ModuleBuilder(spec, options.dialect)
    tables = []
    for model in spec.models:
        docs = model.description.splitlines() if model.description else []
        tables.append(TableView(tuple(_jsdoc(docs)), builder.table(model),
                                builder.relations(model), tuple(builder.types(model))))
    return template("drizzle.ts.j2").render(
        header=provenance.header("//"), imports=builder.imports(), tables=tables,
        customs=builder.custom_types(), enums=builder.enum_blocks(),
    )


emitter = Emitter(
    name="drizzle",
    description="Drizzle ORM schema (TypeScript) for pg-core, mysql-core or sqlite-core.",
    options=DrizzleOptions,
    render=render,
    filename=lambda options: f"schema.{options.dialect}.ts",
    dialects=dialect_option,
    templates=True,
)
