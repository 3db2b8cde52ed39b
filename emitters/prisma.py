"""``vigilo-gen prisma [--dialect postgres|mysql|sqlite] [--enums string|native]``.

A complete ``schema.prisma`` describing the same database as ``vigilo-gen sql``: ``@@map`` /
``@map`` give every model and field its physical name, ``@db.*`` native types give the physical
column types, and ``map:`` arguments are written only where Prisma's default constraint name
differs from the Spec's. What Prisma cannot express (CHECK constraints) is written as a ``///``
comment on the field, so it shows up in the generated client's documentation too.

The output is laid out exactly as ``prisma format`` leaves it (checked by the tests).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from vigilo_gen.dialects import DATABASES
from vigilo_gen.emitter import Emitter, Provenance, dialect_option, option
from vigilo_gen.errors import UsageError
from vigilo_gen.model import (
    DATETIME_PRECISION,
    NEW_UUID,
    NOW,
    CheckKind,
    CompositeReference,
    Field,
    FieldType,
    Model,
    Spec,
    SqlDefault,
    check_table,
)

from ._sql_functions import UUID_DEFAULTS
from ._templates import template

T = FieldType

DIALECTS = ("postgres", "mysql", "sqlite")
PROVIDERS = {"postgres": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}

SCALARS: dict[FieldType, str] = {
    T.ID: "String",
    T.REF: "String",
    T.STRING: "String",
    T.TEXT: "String",
    T.INT: "Int",
    T.BIGINT: "BigInt",
    T.FLOAT: "Float",
    T.DECIMAL: "Decimal",
    T.BOOL: "Boolean",
    T.DATE: "DateTime",
    T.DATETIME: "DateTime",
    T.ENUM: "String",
    T.JSON: "Json",  # JSONB on PostgreSQL, JSON on MySQL, TEXT on SQLite
    T.UUID: "String",
    T.BYTES: "Bytes",  # BYTEA, LONGBLOB, BLOB
}


def _varchar(f: Field) -> str:
    return f"{'Char' if f.fixed_length else 'VarChar'}({f.max_length})"


def _decimal(f: Field) -> str:
    return f"Decimal({f.precision}, {f.scale})"


# Native type attributes (@db.X) per dialect: only where Prisma's default column type differs
# from the physical type of the contract (Int, BigInt, Float, Boolean already match; MySQL's
# DateTime default is DATETIME(3)). Prisma's SQLite connector has no native types.
NATIVE_TYPES: dict[str, dict[FieldType, object]] = {
    "postgres": {
        T.ID: _varchar, T.REF: _varchar, T.STRING: _varchar, T.ENUM: _varchar,
        T.TEXT: "Text", T.DECIMAL: _decimal, T.DATE: "Date",
        T.DATETIME: lambda f: f"Timestamp{'tz' if f.timezone else ''}({f.precision})",
        T.UUID: "Uuid",
    },
    "mysql": {
        T.ID: _varchar, T.REF: _varchar, T.STRING: _varchar, T.ENUM: _varchar,
        T.TEXT: "Text", T.DECIMAL: _decimal, T.DATE: "Date", T.UUID: "Char(36)",
        # DATETIME(3) is Prisma's own DateTime there: another precision is spelt out.
        T.DATETIME: lambda f: None if f.precision == DATETIME_PRECISION
        else f"DateTime({f.precision})",
    },
    "sqlite": {},
}

# `default: now` on a date column: the database's current date (Prisma's now() is a timestamp).
CURRENT_DATE = {
    "postgres": 'dbgenerated("CURRENT_DATE")',
    "mysql": 'dbgenerated("(curdate())")',
    "sqlite": 'dbgenerated("CURRENT_DATE")',
}

# Field.generate -> Prisma's default function for a key it generates (autoincrement() is an
# identity-like column: SERIAL on PostgreSQL, AUTO_INCREMENT on MySQL, the rowid on SQLite).
GENERATED_KEYS = {"uuid": "uuid()", "identity": "autoincrement()"}

# Constraints a Prisma connector cannot name (it refuses `map:` on them): MySQL calls every
# primary key PRIMARY; SQLite keeps neither primary key nor foreign key names.
UNNAMED = {"mysql": ("pkey",), "sqlite": ("pkey", "fkey")}

ON_DELETE = {"cascade": "Cascade", "setNull": "SetNull", "restrict": "Restrict",
             "noAction": "NoAction"}

# Facts of the physical contract a dialect's Prisma connector cannot declare at all, written
# once above the datasource.
DIALECT_GAPS = {
    "postgres": (),
    "mysql": (),
    "sqlite": (
        "Prisma's SQLite connector has no native types: strings are declared TEXT (no length),",
        "dates DATETIME and decimals DECIMAL (no precision). SQLite stores them alike.",
    ),
}

CHECK_GAP = "not expressible in Prisma"
# An updatedAt field without a default is NULL until the row's first update in the database
# and the other ORMs; Prisma Client sets @updatedAt on create as well.
UPDATED_AT_NULL_GAP = ("NULL until the row's first update (in the database and the other "
                       "targets); Prisma Client also sets it when it creates a row.")

# Scalars a dialect's connector declares differently from SCALARS, with what the field's
# documentation says instead. Prisma's Json on SQLite declares JSONB: NUMERIC affinity, which
# turns a document that is a bare number into a number and differs from every other target's
# TEXT; the column stays TEXT and the application encodes it.
DIALECT_SCALARS: dict[str, dict[FieldType, tuple[str, str]]] = {
    "sqlite": {T.JSON: ("String", "A JSON document stored as text: JSON.stringify it before "
                                  "writing and JSON.parse it after reading (Prisma's Json on "
                                  "SQLite would declare JSONB, a NUMERIC column).")},
}


@dataclass(frozen=True)
class PrismaOptions:
    dialect: str = option("postgres", "Database the schema targets.", choices=DIALECTS)
    enums: str = option(
        "string",
        "How enum fields are declared: 'string' (VARCHAR + CHECK, the same database as the "
        "other targets) or 'native' (Prisma enum types: a different physical schema).",
        choices=("string", "native"),
    )


# --- names --------------------------------------------------------------------------------

# Names `prisma validate` refuses for a model or an enum: its scalar types and the words the
# generated client reserves (checked with Prisma 7's validator).
RESERVED_TYPE_NAMES = frozenset("""String Boolean Int BigInt Float Decimal DateTime Json Bytes
PrismaClient async await break case catch class const continue debugger default delete do else
enum export extends false finally for function if implements import in instanceof interface let
new null package private protected public return super switch this throw true try typeof using
var void while with yield""".split())


def _prisma_name(name: str, bad: bool, taken: set[str]) -> str:
    """``name`` where Prisma takes it, else a name it takes: leading underscores dropped (a
    Prisma name starts with a letter) and a trailing ``_`` added, unique among ``taken``."""
    if not bad and name[:1].isalpha():
        return name
    base = name.lstrip("_")
    if not base[:1].isalpha():
        base = "x" + base
    candidate = base + "_"
    while candidate in taken:
        candidate += "_"
    return candidate


class _Names:
    """The Prisma name of every model, enum and field: the spec's name where Prisma accepts
    it, else a renamed one whose physical name stays the spec's (``@@map`` / ``@map``)."""

    def __init__(self, spec: Spec) -> None:
        # Models and enums share Prisma's one namespace of types (the spec keeps them apart).
        taken = {m.name for m in spec.models} | {e.name for e in spec.enums}
        self.types: dict[str, str] = {}  # model name -> Prisma model
        self.enums: dict[str, str] = {}  # enum name -> Prisma enum
        for names, items in ((self.types, spec.models), (self.enums, spec.enums)):
            for item in items:
                clash = names is self.enums and item.name in self.types
                names[item.name] = _prisma_name(item.name,
                                                item.name in RESERVED_TYPE_NAMES or clash, taken)
                taken.add(names[item.name])
        self.fields: dict[tuple[str, str], str] = {}
        for model in spec.models:
            names = [f.name for f in model.fields]
            names += [f.reference.relation for f in model.references]
            names += [b.name for b in model.backrefs]
            names += [r.name for r in model.composite_references]
            names += [r.backref for r in model.composite_backrefs]
            used = set(names)
            for name in names:
                self.fields[(model.name, name)] = _prisma_name(name, False, used)
                used.add(self.fields[(model.name, name)])

    def field(self, model: str, name: str) -> str:
        return self.fields[(model, name)]


# --- view-model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One field line: ``name  Type  @attrs``, with its ``///`` lines above it."""

    docs: tuple[str, ...]
    name: str
    type: str
    attrs: str


@dataclass(frozen=True)
class Group:
    """Rows aligned together (prisma format aligns each run of lines between blank lines)."""

    rows: tuple[Row, ...]
    name_width: int
    type_width: int


@dataclass(frozen=True)
class ModelView:
    docs: tuple[str, ...]
    name: str
    groups: tuple[Group, ...]
    block_attrs: tuple[str, ...]


@dataclass(frozen=True)
class EnumView:
    docs: tuple[str, ...]
    name: str
    values: tuple[str, ...]
    physical: str | None = None  # @@map of a renamed enum (the database type keeps its name)


def _group(rows: list[Row]) -> Group:
    return Group(tuple(rows), max(len(r.name) for r in rows), max(len(r.type) for r in rows))


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    if "e" in text or "E" in text:  # Prisma's parser has no exponent notation
        text = format(value, "f").rstrip("0")
        text += "0" if text.endswith(".") else ""
    return text


def _default_name(table: str, columns: tuple[str, ...], suffix: str, dialect: str) -> str | None:
    """Prisma's default constraint name, or None where Prisma would truncate it (then we
    always write ``map:``, rather than imitating Prisma's truncation)."""
    name = "_".join((table, *columns, suffix))
    # The database's identifier limit (Prisma's connectors truncate at it); None: never.
    limit = DATABASES[dialect].identifier_limit
    return name if limit is None or len(name) < limit else None


def _map_arg(name: str, table: str, columns: tuple[str, ...], suffix: str, dialect: str) -> str:
    if suffix in UNNAMED.get(dialect, ()):
        return ""
    return "" if name == _default_name(table, columns, suffix, dialect) else f"map: {_string(name)}"


def _args(*parts: str) -> str:
    parts = tuple(p for p in parts if p)
    return f"({', '.join(parts)})" if parts else ""


def _range_fact(field: Field) -> str:
    bounds = []
    if field.minimum is not None:
        bounds.append(f">= {_number(field.minimum)}")
    if field.maximum is not None:
        bounds.append(f"<= {_number(field.maximum)}")
    return "Range: " + " and ".join(bounds)


# What each kind of CHECK says in the field's documentation (Prisma cannot enforce it); a
# kind without an entry fails here, at import.
CHECK_FACTS = check_table({
    CheckKind.ENUM: lambda field: "Allowed values: " + ", ".join(field.enum.values),
    CheckKind.RANGE: _range_fact,
    CheckKind.LENGTH: lambda field: f"Minimum length: {field.min_length}",
    CheckKind.PATTERN: lambda field: f"Pattern: {field.pattern}",
}, "prisma")


def _check_docs(model: Model, field: Field, options: PrismaOptions) -> list[str]:
    """One ``///`` line per CHECK constraint of the field that Prisma cannot express."""
    docs = []
    for check in model.checks:
        if check.field != field.name:
            continue
        where = f"CHECK {check.name}, {CHECK_GAP}"
        if check.kind is CheckKind.ENUM and options.enums == "native":
            continue  # the enum type enforces it
        fact = CHECK_FACTS[check.kind](field)
        if check.kind is CheckKind.PATTERN and options.dialect == "sqlite":
            where = "SQLite has no regular expressions: enforce it in the application"
        docs.append(f"{fact} ({where}).")
    return docs


def _field_docs(field: Field) -> list[str]:
    return field.description.splitlines() if field.description else []


def _default_attr(field: Field, options: PrismaOptions) -> str:
    value = field.default
    if value is None:
        return ""
    if value is NOW:
        text = "now()" if field.type is T.DATETIME else CURRENT_DATE[options.dialect]
    elif value is NEW_UUID:  # the database's own function, as our SQL writes it
        text = f"dbgenerated({_string(UUID_DEFAULTS[options.dialect])})"
    elif isinstance(value, SqlDefault):
        sql = value.sql(options.dialect)
        if sql is None:
            return ""  # the field's documentation says so (_scalar_row)
        text = f"dbgenerated({_string(sql)})"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = _number(value)
    elif field.type is T.ENUM and options.enums == "native":
        text = value
    else:
        text = _string(value)
    return f"@default({text})"


def _scalar_row(spec: Spec, model: Model, field: Field, options: PrismaOptions,
                names: _Names) -> Row:
    dialect = options.dialect
    type_name, note = DIALECT_SCALARS.get(dialect, {}).get(
        field.value_type, (SCALARS[field.value_type], None))
    if _rowid_bigint(spec, field, dialect):
        type_name = "Int"
    name = names.field(model.name, field.name)
    if field.type is T.ENUM and options.enums == "native":
        type_name = names.enums[field.enum.name]
    attrs = []
    if field.primary_key and not model.composite:  # a composite key is the model's @@id
        attrs.append("@id" + _args(_map_arg(model.pk_constraint, model.table, (), "pkey",
                                            dialect)))
    if field.generate in GENERATED_KEYS:
        attrs.append(f"@default({GENERATED_KEYS[field.generate]})")
    if field.unique_constraint:
        attrs.append("@unique" + _args(_map_arg(field.unique_constraint, model.table,
                                                (field.column,), "key", dialect)))
    default = _default_attr(field, options)
    if default:
        attrs.append(default)
    if field.updated_at:
        attrs.append("@updatedAt")
    if field.column != name:
        attrs.append(f"@map({_string(field.column)})")
    native = NATIVE_TYPES[dialect].get(field.value_type)
    if native is not None and not isinstance(native, str):
        native = native(field)
    if native is not None and not (field.type is T.ENUM and options.enums == "native"):
        attrs.append("@db." + native)
    if field.updated_at and field.default is None:
        note = UPDATED_AT_NULL_GAP
    if isinstance(field.default, SqlDefault) and field.default.sql(dialect) is None:
        note = ("No default on " + dialect + ": its SQL default is written for "
                + ", ".join(d for d, _ in field.default.expressions) + " only.")
    docs = _field_docs(field) + ([note] if note else []) + _check_docs(model, field, options)
    return Row(tuple(docs), name, type_name + ("?" if field.nullable else ""),
               " ".join(attrs))


def _rowid_bigint(spec: Spec, field: Field, dialect: str) -> bool:
    """Whether ``field`` is a bigint identity key, or a reference to one, on SQLite: Prisma
    generates a key there only for an Int (declared INTEGER: the rowid, 64-bit in SQLite),
    so such a key and its references are Int (BigInt would be a BIGINT that nothing fills)."""
    if dialect != "sqlite":
        return False
    key = spec.model(field.reference.target).field(field.reference.target_field) \
        if field.reference else field
    return key.identity and key.type is T.BIGINT


ROWID_GAP = ("A bigint identity key (and each reference to it) is Int here: Prisma's SQLite "
             "connector generates", "only Int keys (INTEGER, the rowid); its client refuses "
             "values above 2147483647.")


def _relation_row(spec: Spec, model: Model, field: Field, options: PrismaOptions,
                  names: _Names) -> Row:
    ref = field.reference
    target = spec.model(ref.target)
    args = [
        _string(ref.name) if ref.ambiguous else "",
        f"fields: [{names.field(model.name, field.name)}]",
        f"references: [{names.field(target.name, ref.target_field)}]",
        *((f"onDelete: {EMULATED_ACTION}", f"onUpdate: {EMULATED_ACTION}")
          if not ref.foreign_key and _relation_mode(spec) else (
            f"onDelete: {ON_DELETE[ref.on_delete.value]}",
            # Prisma's default is ON UPDATE CASCADE; every other target leaves NO ACTION.
            f"onUpdate: {ON_DELETE[ref.on_update.value] if ref.on_update else 'NoAction'}")),
        _map_arg(ref.constraint, model.table, (field.column,), "fkey", options.dialect)
        if ref.foreign_key else "",
    ]
    return Row((), names.field(model.name, ref.relation),
               names.types[target.name] + ("?" if field.nullable else ""),
               "@relation" + _args(*args))


def _composite_relation_row(spec: Spec, model: Model, rel: CompositeReference,
                            options: PrismaOptions, names: _Names) -> Row:
    """A relation held by several fields (``relations:``): ``@relation(fields: [a, b],
    references: [x, y])``, as Prisma writes a composite foreign key."""
    target = spec.model(rel.target)
    args = [
        _string(rel.relation_name) if rel.ambiguous else "",
        f"fields: [{', '.join(names.field(model.name, f) for f in rel.fields)}]",
        f"references: [{', '.join(names.field(target.name, f) for f in rel.target_fields)}]",
        *((f"onDelete: {EMULATED_ACTION}", f"onUpdate: {EMULATED_ACTION}")
          if not rel.foreign_key and _relation_mode(spec) else (
            f"onDelete: {ON_DELETE[rel.on_delete.value]}",
            f"onUpdate: {ON_DELETE[rel.on_update.value] if rel.on_update else 'NoAction'}")),
        _map_arg(rel.constraint, model.table, rel.columns, "fkey", options.dialect)
        if rel.foreign_key else "",
    ]
    return Row((), names.field(model.name, rel.name),
               names.types[target.name] + ("?" if rel.nullable else ""),
               "@relation" + _args(*args))


def _model_view(spec: Spec, model: Model, options: PrismaOptions, names: _Names) -> ModelView:
    dialect = options.dialect
    rows: list[Row] = []
    for field in model.fields:
        rows.append(_scalar_row(spec, model, field, options, names))
        if field.reference is not None:
            rows.append(_relation_row(spec, model, field, options, names))
    rows += [_composite_relation_row(spec, model, rel, options, names)
             for rel in model.composite_references]
    groups = [_group(rows)]
    backrefs = [
        Row((), names.field(model.name, b.name),
            names.types[b.source_model] + ("?" if b.one_to_one else "[]"),
            f"@relation({_string(b.relation_name)})" if b.ambiguous else "")
        for b in model.backrefs
    ] + [
        Row((), names.field(model.name, r.backref),
            names.types[r.source] + ("?" if r.one_to_one else "[]"),
            f"@relation({_string(r.relation_name)})" if r.ambiguous else "")
        for r in model.composite_backrefs
    ]
    if backrefs:
        groups.append(_group(backrefs))
    block = []
    if model.composite:
        block.append(f"@@id([{', '.join(names.field(model.name, f.name) for f in model.key)}]"
                     + "".join(f", {a}" for a in [_map_arg(model.pk_constraint, model.table, (),
                                                            "pkey", dialect)] if a) + ")")
    field_level = {f.unique_constraint for f in model.fields if f.unique_constraint}
    for unique in model.uniques:
        if unique.name in field_level:
            continue
        block.append(f"@@unique([{', '.join(names.field(model.name, f) for f in unique.fields)}]"
                     + "".join(f", {a}" for a in [_map_arg(unique.name, model.table,
                                                            unique.columns, "key", dialect)] if a)
                     + ")")
    for index in model.indexes:
        block.append(f"@@index([{', '.join(names.field(model.name, f) for f in index.fields)}]"
                     + "".join(f", {a}" for a in [_map_arg(index.name, model.table,
                                                            index.columns, "idx", dialect)] if a)
                     + ")")
    prisma_name = names.types[model.name]
    if model.table != prisma_name:
        block.append(f"@@map({_string(model.table)})")
    docs = model.description.splitlines() if model.description else []
    return ModelView(tuple(docs), prisma_name, tuple(groups), tuple(block))


def _enum_views(spec: Spec, options: PrismaOptions, names: _Names) -> list[EnumView]:
    if options.enums != "native":
        return []
    used = {f.enum.name for m in spec.models for f in m.fields if f.enum is not None}
    views = []
    for enum in spec.enums:
        if enum.name not in used:
            continue
        for value in enum.values:
            # Prisma enum values start with a letter ('_private' fails prisma validate).
            if not (value.isidentifier() and value.isascii() and value[0].isalpha()):
                raise UsageError(f"enum {enum.name} value '{value}' is not a valid Prisma enum "
                                 "value; use --enums string")
        docs = enum.description.splitlines() if enum.description else []
        prisma_name = names.enums[enum.name]
        # PostgreSQL names the type after @@map: snake_case like every table, never the
        # quoted "OrderState" (build keeps it apart from every table's name).
        views.append(EnumView(tuple(docs), prisma_name, enum.values,
                              _string(enum.physical) if prisma_name != enum.physical
                              else None))
    return views



def _without_foreign_key(spec: Spec) -> tuple[list[str], list[str]]:
    """The foreign key constraint names of the relations with one, and of those without."""
    refs = [f.reference for m in spec.models for f in m.references]
    refs += [r for m in spec.models for r in m.composite_references]
    return ([r.constraint for r in refs if r.foreign_key],
            [r.constraint for r in refs if not r.foreign_key])


# relationMode "prisma" has no NoAction on PostgreSQL or SQLite (prisma validate refuses it):
# Prisma Client emulates the nearest action, Restrict, which the header says.
EMULATED_ACTION = "Restrict"
RELATION_MODE_GAP = (
    'relationMode "prisma": no foreign keys in the database. Prisma Client refuses to',
    "delete or re-key a row other rows reference (Restrict: it has no NoAction here);",
    "the database and the other targets take no action.",
)


def _relation_mode(spec: Spec) -> str | None:
    """relationMode "prisma" (no foreign keys in the database) when no relation has one."""
    kept, left_out = _without_foreign_key(spec)
    return "prisma" if left_out and not kept else None


def _relation_mode_gap(spec: Spec) -> tuple[str, ...]:
    """What Prisma does differently with relations without a foreign key. Its relationMode
    is the datasource's, not a relation's: with some relations without a foreign key and
    others with one, Prisma keeps them all (the safer side)."""
    kept, left_out = _without_foreign_key(spec)
    if left_out and not kept:
        return RELATION_MODE_GAP
    if not left_out:
        return ()
    return ("Prisma's relationMode applies to every relation: this schema creates the "
            "foreign keys", "the other targets leave out (foreignKey: false): "
            + ", ".join(left_out) + ".")


def render(spec: Spec, options: PrismaOptions, provenance: Provenance) -> str:
    if options.dialect not in DIALECTS:
        raise UsageError(f"unknown dialect '{options.dialect}'; choose from "
                         + ", ".join(DIALECTS))
    names = _Names(spec)
    return template("prisma.prisma.j2").render(
        header=provenance.header("//"),
        provider=PROVIDERS[options.dialect],
        dialect_gaps=DIALECT_GAPS[options.dialect] + (
            ROWID_GAP if any(_rowid_bigint(spec, m.primary_key, options.dialect)
                             for m in spec.models) else ()) + _relation_mode_gap(spec),
        relation_mode=_relation_mode(spec),
        models=[_model_view(spec, m, options, names) for m in spec.models],
        enums=_enum_views(spec, options, names),
    )


emitter = Emitter(
    name="prisma",
    description="Prisma schema (schema.prisma) with the same tables, columns and keys as the SQL.",
    options=PrismaOptions,
    render=render,
    filename=lambda options: "schema.prisma",
    dialects=dialect_option,
    templates=True,
)
