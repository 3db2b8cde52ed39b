"""``vigilo-gen dbml``: the tables in DBML (dbdiagram.io, dbdocs, @dbml/cli).

Built only on the public plug-in API (docs/plugins.md). Column types are written as
PostgreSQL spells them (DBML passes type names through, and ``dbml2sql --postgres`` is its
main use), with every physical name of the spec: primary key, unique and index names, foreign
key names and ON DELETE actions, defaults, notes. The PostgreSQL that @dbml/core's exporter
writes from this file reflects equal to ``vigilo-gen sql --dialect postgres`` except for what
DBML cannot say (tests/test_docs_emitters.py lists it):

- the spec's value rules (enum values, ranges, lengths, patterns): DBML's ``checks`` hold raw
  SQL of one dialect, and the spec's rules are written per dialect by ``sql``; they are listed
  in each column's note instead;
- ``updatedAt`` columns kept current by the database (a trigger in ``sql``): noted;
- the primary key constraint's name: DBML's exporter does not name primary keys (PostgreSQL
  then names it ``<table>_pkey``, which is the spec's own default).
"""

from __future__ import annotations

from dataclasses import dataclass

from vigilo_gen.emitter import Emitter, Provenance, option
from vigilo_gen.errors import Diagnostic
from vigilo_gen.model import NOW, Field, FieldType, Model, Spec

T = FieldType


@dataclass(frozen=True)
class DbmlOptions:
    notes: bool = option(True, "Write descriptions and value rules as notes (@dbml/core 10.2's "
                         "exporter copies a note into COMMENT ON without doubling its quotes).")


def _varchar(f: Field) -> str:
    return f"varchar({f.max_length})"


# PostgreSQL's spelling of each type (what `vigilo-gen sql --dialect postgres` writes).
TYPES = {
    T.ID: _varchar, T.REF: _varchar, T.STRING: _varchar, T.ENUM: _varchar,
    T.TEXT: lambda f: "text", T.INT: lambda f: "integer", T.BIGINT: lambda f: "bigint",
    T.FLOAT: lambda f: '"double precision"', T.DECIMAL: lambda f: f"decimal({f.precision},"
    f"{f.scale})", T.BOOL: lambda f: "boolean", T.DATE: lambda f: "date",
    T.DATETIME: lambda f: f"timestamptz({f.precision})",
}
# A string default holding a quote goes as an SQL expression (see _default); an expression
# cannot hold a backtick or a line break, so such a value is only noted.
UNSAYABLE = frozenset("`\n")
NOW_DEFAULT = {T.DATE: "`CURRENT_DATE`", T.DATETIME: "`CURRENT_TIMESTAMP`"}
ON_DELETE = {"cascade": "cascade", "setNull": "set null", "restrict": "restrict",
             "noAction": "no action"}


def _name(text: str) -> str:
    """A quoted DBML identifier (any name, keywords included)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _string(text: str) -> str:
    """A DBML string: single quotes, with backslash escapes; newlines kept as \\n."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def _default(field: Field) -> str | None:
    value = field.default
    if value is None:
        return None
    if value is NOW:
        return NOW_DEFAULT[field.type]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if "'" not in value:
        return _string(value)
    if not UNSAYABLE.intersection(value):
        # @dbml/core's exporter copies a string default into SQL without doubling its quotes:
        # such a value goes as an expression, the SQL string literal itself (standard SQL:
        # quotes doubled, backslashes literal).
        return "`'" + value.replace("'", "''") + "'`"
    return None  # not sayable: _column notes it


def _rules(field: Field) -> list[str]:
    """The value rules a database enforces (sql's CHECKs), in words, for the column's note."""
    rules = []
    if field.enum is not None:
        rules.append("one of: " + ", ".join(field.enum.values))
    if field.minimum is not None:
        rules.append(f">= {field.minimum}")
    if field.maximum is not None:
        rules.append(f"<= {field.maximum}")
    if field.min_length is not None:
        rules.append(f"length >= {field.min_length}")
    if field.pattern is not None:
        rules.append(f"matches {field.pattern}")
    if field.updated_at:
        rules.append("set to now on every update")
    return rules


def _column(field: Field, notes: bool) -> str:
    settings = ["not null"] if not field.nullable else []
    default = _default(field)
    rules = _rules(field)
    if default is not None:
        settings.append(f"default: {default}")
    elif field.default is not None:  # a value DBML cannot carry: said in the note
        rules.append(f"default: {field.default}")
    note = " ".join(filter(None, [field.description or "", *(f"[{r}]" for r in rules)]))
    if note and notes:
        settings.append(f"note: {_string(note)}")
    tail = f" [{', '.join(settings)}]" if settings else ""
    return f"  {_name(field.column)} {TYPES[field.type](field)}{tail}"


def _columns(names) -> str:
    quoted = [_name(c) for c in names]
    return quoted[0] if len(quoted) == 1 else f"({', '.join(quoted)})"


def _table(model: Model, notes: bool) -> list[str]:
    note = f" [note: {_string(model.description)}]" if model.description and notes else ""
    lines = [f"Table {_name(model.table)}{note} {{",
             *(_column(f, notes) for f in model.fields), "",
             "  Indexes {",
             f"    {_columns([model.primary_key.column])} [pk, name: "
             f"{_name(model.pk_constraint)}]"]
    lines += [f"    {_columns(u.columns)} [unique, name: {_name(u.name)}]"
              for u in model.uniques]
    lines += [f"    {_columns(i.columns)} [name: {_name(i.name)}]" for i in model.indexes]
    return [*lines, "  }", "}"]


def _refs(model: Model) -> list[str]:
    lines = []
    for field in model.references:
        ref = field.reference
        child = f"{_name(model.table)}.{_name(field.column)}"
        parent = f"{_name(ref.target_table)}.{_name(ref.target_column)}"
        # many-to-one: child > parent; one-to-one: parent - child (DBML's exporter puts the
        # foreign key of a one-to-one on the right-hand column).
        line = f"{parent} - {child}" if ref.one_to_one else f"{child} > {parent}"
        lines.append(f"Ref {_name(ref.constraint)}: {line} "
                     f"[delete: {ON_DELETE[ref.on_delete.value]}]")
    return lines


def validate(spec: Spec, options: DbmlOptions) -> list[Diagnostic]:
    file = spec.source_path or spec.source_name
    return [Diagnostic(file, f.position, f"type {f.type.value} has no DBML spelling yet")
            for m in spec.models for f in m.fields if f.type not in TYPES]


def render(spec: Spec, options: DbmlOptions, provenance: Provenance) -> str:
    out = [provenance.header("//").rstrip("\n"), "",
           f"Project {_name(spec.name)} {{", "  database_type: 'PostgreSQL'"]
    if spec.description and options.notes:
        out.append(f"  Note: {_string(spec.description)}")
    out.append("}")
    for model in spec.models:
        out += ["", *_table(model, options.notes)]
    refs = [line for model in spec.models for line in _refs(model)]
    if refs:
        out += ["", *refs]
    return "\n".join(out) + "\n"


emitter = Emitter(
    name="dbml",
    description="DBML of the tables (dbdiagram.io, dbdocs, dbml2sql): keys, indexes, notes.",
    options=DbmlOptions,
    render=render,
    filename=lambda options: "schema.dbml",
    validate=validate,
)
