"""``vigilo-gen sqlalchemy``: one module of SQLAlchemy 2.0 typed declarative models.

The module creates, with ``Base.metadata.create_all(engine)``, the same tables as
``vigilo-gen sql`` on PostgreSQL, MySQL/MariaDB and SQLite: names, physical types (through
``with_variant`` where a dialect's type differs), nullability, server defaults, named primary
keys, uniques, indexes, CHECK constraints and foreign keys all come from the Spec model.
Relationships are declared both ways, with ``cascade``/``passive_deletes`` chosen from the
foreign key's ON DELETE so that ORM deletes and database deletes agree.

The output passes ``ruff check``, ``ruff format --check`` and ``mypy --strict`` (tested).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vigilo_gen.emitter import Emitter, NoOptions, Provenance
from vigilo_gen.model import NOW, Check, Field, FieldType, Model, OnDelete, Spec

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

# Module-level names of the generated code that a model class name must not shadow.
MODULE_NAMES = frozenset({
    "Any", "Base", "Decimal", "Mapped", "datetime", "uuid", "new_id", "utcnow", "DoubleType",
    "TimestampType", "CurrentTimestamp", "SQLCompiler", "FunctionElement", "compiles",
    "mapped_column", "relationship", "DeclarativeBase", "mysql", "postgresql", "regex_check",
})
# Attributes a declarative class already has: a field with one of these names gets a "_".
RESERVED_ATTRS = frozenset({"metadata", "registry"})


@dataclass(frozen=True)
class PyType:
    """A spec type in SQLAlchemy: the column type expression, the Python type of Mapped[...],
    and the names both need imported."""

    sql: Callable[[Field], str]
    python: str
    imports: tuple[str, ...] = ()  # names from `sqlalchemy`
    needs: tuple[str, ...] = ()  # module-level helpers of the generated module


def _varchar(f: Field) -> str:
    return f"String({f.max_length})"


TYPES: dict[FieldType, PyType] = {
    T.ID: PyType(_varchar, "str", ("String",)),
    T.REF: PyType(_varchar, "str", ("String",)),
    T.STRING: PyType(_varchar, "str", ("String",)),
    T.ENUM: PyType(_varchar, "str", ("String",)),
    T.TEXT: PyType(lambda f: "Text", "str", ("Text",)),
    T.INT: PyType(lambda f: "Integer", "int", ("Integer",)),
    T.BIGINT: PyType(lambda f: "BigInteger", "int", ("BigInteger",)),
    T.FLOAT: PyType(lambda f: "DoubleType", "float", needs=("DoubleType",)),
    T.DECIMAL: PyType(lambda f: f"DECIMAL({f.precision}, {f.scale})", "Decimal", ("DECIMAL",),
                      ("Decimal",)),
    T.BOOL: PyType(lambda f: "Boolean", "bool", ("Boolean",)),
    T.DATE: PyType(lambda f: "Date", "datetime.date", ("Date",), ("datetime",)),
    T.DATETIME: PyType(lambda f: "TimestampType", "datetime.datetime",
                       needs=("TimestampType", "datetime")),
}

# ON DELETE of a foreign key -> keyword arguments of the relationship on the referenced side,
# so that deleting a parent through the ORM does what the database does.
#   CASCADE: the ORM deletes loaded children, the database the others (passive_deletes).
#   SET NULL: the ORM nulls loaded children's keys, the database the others.
#   RESTRICT / NO ACTION: the ORM leaves children alone ("all") so the database refuses.
BACKREF_DELETE: dict[OnDelete, tuple[str, ...]] = {
    OnDelete.CASCADE: ('cascade="all, delete-orphan"', "passive_deletes=True"),
    OnDelete.SET_NULL: ("passive_deletes=True",),
    OnDelete.RESTRICT: ('passive_deletes="all"',),
    OnDelete.NO_ACTION: ('passive_deletes="all"',),
}
# For a nullable foreign key with CASCADE, a child removed from its parent's collection is not
# an orphan to delete: its key may simply become NULL.
NULLABLE_CASCADE = ('cascade="all"', "passive_deletes=True")


class _Module:
    """Collects the imports and helpers a generated module needs while it is built."""

    def __init__(self) -> None:
        self.sqlalchemy: set[str] = set()
        self.needs: set[str] = set()

    def use(self, *names: str) -> str:
        """Import ``names`` from sqlalchemy; returns the first, to write it in place."""
        self.sqlalchemy.update(names)
        return names[0] if names else ""


def _attr(name: str) -> str:
    return safe_attr(name, RESERVED_ATTRS)


def _column_type(field: Field, module: _Module) -> str:
    pytype = TYPES[field.type]
    module.use(*pytype.imports)
    module.needs.update(pytype.needs)
    return pytype.sql(field)


def _python_type(field: Field) -> str:
    base = TYPES[field.type].python
    return f"{base} | None" if field.nullable else base


def _defaults(field: Field, module: _Module) -> list[str]:
    """default= / server_default= / onupdate= arguments of a column."""
    args: list[str] = []
    value = field.default
    if field.primary_key and field.generate:
        module.needs.add("new_id")
        args.append("default=new_id")
    elif value is NOW:
        if field.type is T.DATE:
            args.append(f"server_default={module.use('func')}.current_date()")
        else:
            module.needs.add("CurrentTimestamp")
            args.append("server_default=CurrentTimestamp()")
    elif isinstance(value, bool):
        args += [f"default={value}", f"server_default={module.use(str(value).lower())}()"]
    elif isinstance(value, str):
        args += [f"default={py_str(value)}", f"server_default={py_str(value)}"]
    elif isinstance(value, (int, float)):
        python = py_decimal(value) if field.type is T.DECIMAL else py_number(value)
        args += [f"default={python}",
                 f"server_default={module.use('text')}({py_str(py_number(value))})"]
    if field.updated_at:
        module.needs.add("utcnow")
        args.append("onupdate=utcnow")
    return args


def _column(model: Model, field: Field, attr: str, module: _Module) -> str:
    args: list[object] = []
    if attr != field.column:
        args.append(py_str(field.column))
    args.append(_column_type(field, module))
    ref = field.reference
    if ref is not None:
        module.use("ForeignKey")
        args.append(Call("ForeignKey(", (
            py_str(f"{ref.target_table}.{ref.target_column}"),
            f"ondelete={py_str(ref.on_delete.sql)}",
            f"name={py_str(ref.constraint)}",
        )))
    if field.primary_key:
        args.append("primary_key=True")
    args += _defaults(field, module)
    head = f"{attr}: Mapped[{_python_type(field)}] = mapped_column("
    return layout(Call(head, tuple(args)), "    ")


def _check(model: Model, check: Check, module: _Module) -> list[object]:
    """CheckConstraint(s) of one Check, built from SQL expressions so that each dialect
    quotes the column and spells the operators its own way."""
    field = model.field(check.field)
    col = f"{module.use('column')}({py_str(check.column)})"
    name = f"name={py_str(check.name)}"
    if check.kind == "enum":
        values = Call("[", tuple(py_str(v) for v in field.enum.values), "]", hug=False)
        return [Call("CheckConstraint(", (Call(f"{col}.in_(", (values,)), name))]
    if check.kind == "range":
        bounds = []
        if field.minimum is not None:
            bounds.append(f"{col} >= {py_number(field.minimum)}")
        if field.maximum is not None:
            bounds.append(f"{col} <= {py_number(field.maximum)}")
        condition = bounds[0] if len(bounds) == 1 else Call(f"{module.use('and_')}(",
                                                             tuple(bounds))
        return [Call("CheckConstraint(", (condition, name))]
    if check.kind == "length":
        # func.char_length is LENGTH on SQLite, CHAR_LENGTH elsewhere: characters, not bytes.
        condition = f"{module.use('func')}.char_length({col}) >= {field.min_length}"
        return [Call("CheckConstraint(", (condition, name))]
    if check.kind == "pattern":
        module.needs.add("regex_check")
        module.use("column")
        args = (py_str(check.column), py_str(field.pattern), f"name={py_str(check.name)}")
        return [Call("*regex_check(", args)]
    raise AssertionError(f"unknown check kind {check.kind}")


def _table_args(model: Model, module: _Module) -> str:
    """The __table_args__ statement of a model: named primary key, uniques, checks, indexes."""
    items: list[object] = []
    pk = model.primary_key
    items.append(Call(f"{module.use('PrimaryKeyConstraint')}(", (
        py_str(pk.column), f"name={py_str(model.pk_constraint)}")))
    for unique in model.uniques:
        module.use("UniqueConstraint")
        items.append(Call("UniqueConstraint(", (*(py_str(c) for c in unique.columns),
                                                f"name={py_str(unique.name)}")))
    for check in model.checks:
        module.use("CheckConstraint")
        items += _check(model, check, module)
    for index in model.indexes:
        module.use("Index")
        items.append(Call("Index(", (py_str(index.name), *(py_str(c) for c in index.columns))))
    return layout(Call("__table_args__ = (", tuple(items), hug=False), "    ")


def _relationships(spec: Spec, model: Model, attrs: dict[str, str]) -> list[str]:
    """relationship() attributes: one per ref field of the model, one per back-reference."""
    lines: list[str] = []
    for field in model.references:
        ref = field.reference
        target = spec.model(ref.target)
        args = [f"back_populates={py_str(_attr(ref.backref_attr))}"]
        if ref.ambiguous:
            args.append(f"foreign_keys=[{attrs[field.name]}]")
        if ref.target == model.name:
            args.append(f"remote_side=[{attrs[target.primary_key.name]}]")
        annotation = f"{target.name} | None" if field.nullable else target.name
        head = f"{_attr(ref.relation_attr)}: Mapped[{annotation}] = relationship("
        lines.append(layout(Call(head, tuple(args)), "    "))
    for backref in model.backrefs:
        source = spec.model(backref.source_model)
        source_field = source.field(backref.source_field)
        args = [f"back_populates={py_str(_attr(source_field.reference.relation_attr))}"]
        if backref.ambiguous:
            key = f"{source.name}.{_attr(source_field.attr)}"
            args.append(f"foreign_keys={py_str('[' + key + ']')}")
        if backref.on_delete is OnDelete.CASCADE and source_field.nullable:
            args += NULLABLE_CASCADE
        else:
            args += BACKREF_DELETE[backref.on_delete]
        annotation = f"{source.name} | None" if backref.one_to_one else f"list[{source.name}]"
        head = f"{_attr(backref.attr)}: Mapped[{annotation}] = relationship("
        lines.append(layout(Call(head, tuple(args)), "    "))
    return lines


@dataclass(frozen=True)
class _Attribute:
    comment: str | None
    code: str


@dataclass(frozen=True)
class _Class:
    name: str
    docstring: str | None
    table: str
    table_args: str
    columns: list[_Attribute]
    relationships: list[str]


def _class(spec: Spec, model: Model, module: _Module) -> _Class:
    attrs = {f.name: _attr(f.attr) for f in model.fields}
    columns = [_Attribute(py_comment(f.description, INDENT) if f.description else None,
                          _column(model, f, attrs[f.name], module)) for f in model.fields]
    return _Class(model.name, _docstring(model.description), py_str(model.table),
                  _table_args(model, module), columns, _relationships(spec, model, attrs))


def _docstring(text: str | None) -> str | None:
    return None if text is None else py_docstring(text, INDENT)



def render(spec: Spec, options: NoOptions, provenance: Provenance) -> str:
    module = _Module()
    classes = [_class(spec, model, module) for model in spec.models]
    check_class_names(spec, MODULE_NAMES | set(module.sqlalchemy), "SQLAlchemy")
    needs = module.needs
    if "TimestampType" in needs:
        module.use("DateTime")
    if "DoubleType" in needs:
        module.use("Double", "REAL")
    if "CurrentTimestamp" in needs:
        module.use("DateTime")
    orm = {"DeclarativeBase", "Mapped", "mapped_column"}
    if any(c.relationships for c in classes):
        orm.add("relationship")
    stdlib = sorted({"datetime" for n in needs if n in ("datetime", "utcnow", "CurrentTimestamp",
                                                        "TimestampType")}
                    | ({"uuid"} if "new_id" in needs else set()))
    dialects = sorted({"mysql", "postgresql"} if "TimestampType" in needs else set())
    title = py_docstring(spec.title.rstrip("."), "")
    return template("sqlalchemy.py.j2").render(
        header=provenance.header("#"),
        title=title,
        stdlib=stdlib,
        decimal="Decimal" in needs,
        any_type="CurrentTimestamp" in needs,
        sqlalchemy_import=import_from("sqlalchemy", module.sqlalchemy),
        dialects=dialects,
        compiler="CurrentTimestamp" in needs,
        orm_import=import_from("sqlalchemy.orm", orm),
        needs=needs,
        classes=classes,
    )


def filename(options: NoOptions) -> str:
    return "models.py"


emitter = Emitter(
    name="sqlalchemy",
    description="SQLAlchemy 2.0 typed declarative models (one module).",
    options=NoOptions,
    render=render,
    filename=filename,
)
