"""``vigilo-gen peewee``: one module of Peewee models.

``database.create_tables(MODELS)`` creates the same tables as ``vigilo-gen sql`` on
PostgreSQL, MySQL/MariaDB and SQLite: names, physical types, nullability, server defaults,
uniques, indexes, CHECK constraints and foreign keys come from the Spec model. Where the SQL
differs between databases (millisecond timestamps, string literals, CHAR_LENGTH, regular
expressions) the module's small DDL helpers spell it for the database creating the table.

Peewee declares a primary key inline (``"id" VARCHAR(36) NOT NULL PRIMARY KEY``) and cannot
name it: PostgreSQL names it ``<table>_pkey`` itself (the Spec's name unless it had to be
shortened), MySQL always calls it PRIMARY, SQLite leaves it unnamed. Said in the output too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vigilo_gen.emitter import Emitter, NoOptions, Provenance
from vigilo_gen.model import NOW, Check, Field, FieldType, Model, Spec

from ._python import (
    INDENT,
    Call,
    check_class_names,
    import_from,
    layout,
    py_comment,
    py_decimal,
    py_docstring,
    py_number,
    py_str,
    safe_attr,
)
from ._templates import template

T = FieldType

# The attributes and methods of peewee.Model (3.17 to 4.x): a field, relation or
# back-reference with one of these names would hide them, so it gets a trailing "_".
RESERVED_ATTRS = frozenset({
    "add_index", "alias", "bind", "bind_ctx", "bulk_create", "bulk_update", "clone", "coerce",
    "copy", "create", "create_table", "delete", "delete_by_id", "delete_instance",
    "dependencies", "dirty_field_names", "dirty_fields", "drop_table", "filter", "get",
    "get_by_id", "get_id", "get_or_create", "get_or_none", "index", "insert", "insert_from",
    "insert_many", "is_alias", "is_dirty", "noop", "raw", "replace", "replace_many", "save",
    "select", "set_by_id", "table_exists", "truncate_table", "unwrap", "update",
    "validate_model", "DoesNotExist",
})
# Module-level names of the generated code that a model class name must not shadow.
MODULE_NAMES = frozenset({
    "Any", "BaseModel", "database", "datetime", "uuid", "Decimal", "Context", "Node", "SQL",
    "Entity", "NodeList", "EnclosedNodeList", "ValueLiterals", "Metadata", "Model",
    "DatabaseProxy", "new_id", "utcnow", "dialect", "Default", "CurrentTimestamp",
    "DateTimeMsField", "SchemaMetadata", "unique", "check", "LengthCheck", "PatternCheck",
    "MODELS", "ForeignKeyField", "CharField", "TextField", "IntegerField", "BigIntegerField",
    "DoubleField", "DecimalField", "BooleanField", "DateField", "DateTimeField",
})


@dataclass(frozen=True)
class PeeweeType:
    field: str  # field class
    args: Callable[[Field], list[str]]


def _no_args(f: Field) -> list[str]:
    return []


def _max_length(f: Field) -> list[str]:
    return [f"max_length={f.max_length}"]


TYPES: dict[FieldType, PeeweeType] = {
    T.ID: PeeweeType("CharField", _max_length),
    T.STRING: PeeweeType("CharField", _max_length),
    T.ENUM: PeeweeType("CharField", _max_length),
    T.TEXT: PeeweeType("TextField", _no_args),
    T.INT: PeeweeType("IntegerField", _no_args),
    T.BIGINT: PeeweeType("BigIntegerField", _no_args),
    T.FLOAT: PeeweeType("DoubleField", _no_args),
    T.DECIMAL: PeeweeType("DecimalField", lambda f: [f"max_digits={f.precision}",
                                                     f"decimal_places={f.scale}"]),
    T.BOOL: PeeweeType("BooleanField", _no_args),
    T.DATE: PeeweeType("DateField", _no_args),
    T.DATETIME: PeeweeType("DateTimeMsField", _no_args),
}


class _Module:
    def __init__(self) -> None:
        self.peewee: set[str] = {"DatabaseProxy", "Model"}
        self.needs: set[str] = set()

    def use(self, *names: str) -> str:
        self.peewee.update(names)
        return names[0]


def _attr(name: str) -> str:
    return safe_attr(name, RESERVED_ATTRS)


def _defaults(field: Field, module: _Module) -> list[str | Call]:
    """default= (Python side) and the DEFAULT of the column (server side)."""
    value = field.default
    if field.primary_key and field.generate:
        module.needs.add("new_id")
        return ["default=new_id"]
    if value is None:
        return []
    module.needs.add("Default")
    if value is NOW:
        if field.type is T.DATE:
            return [f'constraints=[Default({module.use("SQL")}("CURRENT_DATE"))]']
        module.needs.add("CurrentTimestamp")
        return ["constraints=[Default(CurrentTimestamp())]"]
    if isinstance(value, bool):
        python = str(value)
    elif isinstance(value, str):
        python = py_str(value)
    elif field.type is T.DECIMAL:
        module.needs.add("Decimal")
        python = py_decimal(value)
    else:
        python = py_number(value)
    # A Call, not text: a long default must be laid out (split) as ruff format would.
    return [f"default={python}", Call("constraints=[", (Call("Default(", (python,)),), "]")]


def _field(spec: Spec, model: Model, field: Field, module: _Module) -> str:
    ref = field.reference
    if ref is not None:
        module.use("ForeignKeyField")
        target = '"self"' if ref.target == model.name else ref.target
        args: list[object] = [target, f"column_name={py_str(field.column)}"]
        if field.nullable:
            args.append("null=True")
        args += [f"backref={py_str(_attr(ref.backref_attr))}",
                 f"on_delete={py_str(ref.on_delete.sql)}",
                 f"constraint_name={py_str(ref.constraint)}",
                 "index=False"]
        return layout(Call(f"{_attr(ref.relation_attr)} = ForeignKeyField(", tuple(args)), "    ")
    kind = TYPES[field.type]
    if kind.field == "DateTimeMsField":
        module.needs.add("DateTimeMsField")
    else:
        module.use(kind.field)
    attr = _attr(field.attr)
    args = list(kind.args(field))
    if attr != field.column:
        args.append(f"column_name={py_str(field.column)}")
    if field.primary_key:
        args.append("primary_key=True")
    if field.nullable:
        args.append("null=True")
    args += _defaults(field, module)
    if field.updated_at:
        args.append("auto_now=True")
    return layout(Call(f"{attr} = {kind.field}(", tuple(args)), "    ")


def _check(model: Model, check: Check, module: _Module) -> object:
    field = model.field(check.field)
    name = py_str(check.name)
    col = f"{module.use('Entity')}({py_str(check.column)})"
    module.needs.add("check")
    if check.kind == "enum":
        values = Call("[", tuple(py_str(v) for v in field.enum.values), "]", hug=False)
        return Call("check(", (name, Call(f"{col}.in_(", (values,))))
    if check.kind == "range":
        low, high = field.minimum, field.maximum
        if low is not None and high is not None:
            condition = f"{col}.between({py_number(low)}, {py_number(high)})"
        elif low is not None:
            condition = f"{col} >= {py_number(low)}"
        else:
            condition = f"{col} <= {py_number(high)}"
        return Call("check(", (name, condition))
    if check.kind == "length":
        module.needs.add("LengthCheck")
        return Call("LengthCheck(", (name, py_str(check.column), str(field.min_length)))
    if check.kind == "pattern":
        module.needs.add("PatternCheck")
        return Call("PatternCheck(", (name, py_str(check.column), py_str(field.pattern)))
    raise AssertionError(f"unknown check kind {check.kind}")


@dataclass(frozen=True)
class _Class:
    name: str
    docstring: str | None
    fields: list[tuple[str | None, str]]  # (comment, code)
    meta: list[str]
    indexes: list[str]


def _class(spec: Spec, model: Model, module: _Module) -> _Class:
    fields = [(py_comment(f.description, INDENT) if f.description else None,
               _field(spec, model, f, module)) for f in model.fields]
    meta = [f"table_name = {py_str(model.table)}"]
    constraints: list[object] = []
    for unique in model.uniques:
        module.needs.add("unique")
        constraints.append(Call("unique(", (py_str(unique.name),
                                            *(py_str(c) for c in unique.columns))))
    constraints += [_check(model, c, module) for c in model.checks]
    if constraints:
        meta.append(layout(Call("constraints = (", tuple(constraints), hug=False), "        "))
    indexes = []
    for index in model.indexes:
        attrs = [f"{model.name}.{_field_attr(model, name)}" for name in index.fields]
        indexes.append(layout(Call(f"{model.name}.add_index(", (
            *attrs, f"name={py_str(index.name)}"))))
    return _Class(model.name, _docstring(model.description), fields, meta, indexes)


def _field_attr(model: Model, name: str) -> str:
    """The attribute of a field in the Peewee model (a ref field's attribute is its relation)."""
    field = model.field(name)
    if field.reference is not None:
        return _attr(field.reference.relation_attr)
    return _attr(field.attr)


def _docstring(text: str | None) -> str | None:
    return None if text is None else py_docstring(text, INDENT)



def render(spec: Spec, options: NoOptions, provenance: Provenance) -> str:
    check_class_names(spec, MODULE_NAMES, "Peewee")
    module = _Module()
    classes = [_class(spec, model, module) for model in spec.models]
    needs = module.needs
    # What each DDL helper of the module is built from.
    helper_imports = {
        "Default": ("Node", "Context"),
        "CurrentTimestamp": ("Node", "Context"),
        "DateTimeMsField": ("DateTimeField", "SQL", "Context"),
        "unique": ("NodeList", "SQL", "Entity", "EnclosedNodeList"),
        "check": ("NodeList", "SQL", "Entity", "EnclosedNodeList", "ValueLiterals", "Node"),
        "LengthCheck": ("NodeList", "SQL", "Entity", "EnclosedNodeList", "Node", "Context"),
        "PatternCheck": ("Node", "Context", "Metadata"),
    }
    for need, names in helper_imports.items():
        if need in needs:
            module.use(*names)
    if {"Default", "CurrentTimestamp", "DateTimeMsField", "LengthCheck",
            "PatternCheck"} & needs:
        needs.add("dialect")
    if "DateTimeMsField" in needs:
        needs.add("utcnow")
    stdlib = sorted(({"datetime"} if "utcnow" in needs else set())
                    | ({"uuid"} if "new_id" in needs else set()))
    models = layout(Call("MODELS = (", tuple(m.name for m in spec.models), hug=False))
    if len(spec.models) == 1:
        models = f"MODELS = ({spec.models[0].name},)"
    return template("peewee.py.j2").render(
        header=provenance.header("#"),
        title=py_docstring(spec.title.rstrip("."), ""),
        stdlib=stdlib,
        decimal="Decimal" in needs,
        peewee_import=import_from("peewee", module.peewee),
        needs=needs,
        classes=classes,
        models=models,
    )


def filename(options: NoOptions) -> str:
    return "models.py"


emitter = Emitter(
    name="peewee",
    description="Peewee models bound through a DatabaseProxy (one module).",
    options=NoOptions,
    render=render,
    filename=filename,
)
