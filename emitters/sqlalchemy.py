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

from vigilo_gen.dialects import DATABASES
from vigilo_gen.emitter import Emitter, Provenance, option
from vigilo_gen.model import (
    DATETIME_PRECISION,
    NEW_UUID,
    NOW,
    Check,
    CheckKind,
    CompositeReference,
    Field,
    FieldType,
    Model,
    OnDelete,
    Spec,
    SqlDefault,
    check_table,
)

from ._python import (
    CLASSES_MARK,
    IMPORT_PATH,
    INDENT,
    Call,
    PyNames,
    enum_class,
    enum_class_names,
    enum_member_names,
    extension,
    import_from,
    layout,
    py_comment,
    py_decimal,
    py_docstring,
    py_number,
    py_str,
    refuse_shadowed,
    safe_attr,
    sql_constant,
    sql_constants,
    sql_expression,
    taken_names,
)
from ._sql_functions import now_default, uuid_default
from ._templates import template

T = FieldType

# Attributes a declarative class already has: a field with one of these names gets a "_".
RESERVED_ATTRS = frozenset({"metadata", "registry"})


@dataclass(frozen=True)
class SqlAlchemyOptions:
    base: str = option("", "Your own DeclarativeBase (module:Name), subclassed instead of "
                       "the generated Base: its MetaData receives the tables, with the "
                       "same constraint names.", pattern=IMPORT_PATH)
    mixins: tuple[str, ...] = option((), "Mixin classes (module:Name, comma-separated) "
                                     "every model inherits.", pattern=IMPORT_PATH)
    model_mixins: tuple[tuple[str, tuple[str, ...]], ...] = option(
        (), 'Mixins of single models, before --mixins: {"Model": ["module:Name"]}.',
        mapping=True, pattern=IMPORT_PATH)


@dataclass(frozen=True)
class PyType:
    """A spec type in SQLAlchemy: the column type (a module-level name and its arguments),
    the Python type of Mapped[...] (its first dotted part a module-level name), and the names
    both need imported."""

    name: str
    args: Callable[[Field], str]
    python: str
    imports: tuple[str, ...] = ()  # names from `sqlalchemy`
    needs: tuple[str, ...] = ()  # module-level helpers of the generated module


def _varchar(f: Field) -> str:
    return f"({f.max_length})"


def _bare(f: Field) -> str:
    return ""


TYPES: dict[FieldType, PyType] = {
    T.ID: PyType("String", _varchar, "str", ("String",)),
    T.REF: PyType("String", _varchar, "str", ("String",)),
    T.STRING: PyType("String", _varchar, "str", ("String",)),
    T.ENUM: PyType("String", _varchar, "str", ("String",)),
    T.TEXT: PyType("Text", _bare, "str", ("Text",)),
    T.INT: PyType("Integer", _bare, "int", ("Integer",)),
    T.BIGINT: PyType("BigInteger", _bare, "int", ("BigInteger",)),
    T.FLOAT: PyType("DoubleType", _bare, "float", needs=("DoubleType",)),
    T.DECIMAL: PyType("DECIMAL", lambda f: f"({f.precision}, {f.scale})", "Decimal",
                      ("DECIMAL",), ("Decimal",)),
    T.BOOL: PyType("Boolean", _bare, "bool", ("Boolean",)),
    T.DATE: PyType("DateType", _bare, "datetime.date", needs=("DateType", "datetime")),
    T.DATETIME: PyType("TimestampType", _bare, "datetime.datetime",
                       needs=("TimestampType", "datetime")),
    T.JSON: PyType("JsonType", _bare, "Any", needs=("JsonType",)),
    T.UUID: PyType("UuidType", _bare, "uuid.UUID", needs=("UuidType",)),
    T.BYTES: PyType("BytesType", _bare, "bytes", needs=("BytesType",)),
}
# A fixed-length string (`length: n`, and a reference to such a key): CHAR(n).
FIXED_LENGTH = PyType("CHAR", _varchar, "str", ("CHAR",))
# Spec dialect -> SQLAlchemy dialect name (MariaDB is compiled as MySQL by SqlExpression).
SA_DIALECTS = {"postgres": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}
# The sqlalchemy names and dialect modules each module-level helper type needs.
HELPER_IMPORTS: dict[str, tuple[str, ...]] = {
    "TimestampType": ("DateTime",), "DoubleType": ("Double", "REAL"),
    "JsonType": ("JSON",),
    "UuidType": ("CHAR", "Dialect", "Text", "TypeDecorator"), "BytesType": ("LargeBinary",),
    "DateType": ("Date",), "Exact": ("String",),
    "enum_type": ("Enum",),
}
HELPER_DIALECTS: dict[str, tuple[str, ...]] = {
    "TimestampType": ("mysql", "postgresql"), "JsonType": ("postgresql",),
    "UuidType": ("postgresql",), "BytesType": ("mysql",), "DateType": ("sqlite",),
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

    def __init__(self, names: PyNames) -> None:
        self.sqlalchemy: set[str] = set()
        self.needs: set[str] = set()
        self.n = names  # how each module-level name is written
        self.classes: dict[str, str] = {}  # model name -> its class name
        self.timestamps: set[tuple[str, bool, int]] = set()  # see timestamp_type
        self.enums: dict[str, str] = {}  # spec enum name -> its class name
        # Module-level SqlExpression defaults (NOW, NEW_UUID...): name -> its arguments.
        self.constants: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
        self.conv = False  # constraint names in conv(): the Base is the user's (see constraint)

    def use(self, *names: str) -> str:
        """Import ``names`` from sqlalchemy; returns the first as written, to write it in
        place."""
        self.sqlalchemy.update(names)
        return self.n(names[0]) if names else ""

    def constraint(self, name: str) -> str:
        """A constraint's name as written. Under the user's own Base, ``conv(name)``: a naming
        convention of its MetaData that uses %(constraint_name)s (Alembic's recipe does, for
        CHECKs) would otherwise rewrite the name every other target gives the constraint."""
        if not self.conv:
            return py_str(name)
        self.needs.add("conv")
        return f"{self.n('conv')}({py_str(name)})"

    def dotted(self, path: str) -> str:
        """``datetime.date`` with its first part as written (``_datetime.date``)."""
        head, dot, rest = path.partition(".")
        return self.n(head) + dot + rest


def _attr(name: str) -> str:
    return safe_attr(name, RESERVED_ATTRS)


def timestamp_type(field: Field) -> tuple[str, bool, int] | None:
    """(helper name, time zone, precision) of a datetime column other than the default
    TIMESTAMP(3) WITH TIME ZONE (TimestampType), one module-level type per kind."""
    if field.type is not T.DATETIME or (field.timezone and
                                        field.precision == DATETIME_PRECISION):
        return None
    return (("" if field.timezone else "Naive") + f"Timestamp{field.precision}Type",
            field.timezone, field.precision)


def _column_type(field: Field, module: _Module) -> str:
    if field.type is T.ENUM:
        module.needs.add("enum_type")
        return f"{module.n('enum_type')}({module.enums[field.enum.name]}, {field.max_length})"
    kind = timestamp_type(field)
    if kind is not None:
        module.timestamps.add(kind)
        module.use("DateTime")
        return module.n(kind[0])
    pytype = FIXED_LENGTH if field.fixed_length else TYPES[field.value_type]
    module.use(*pytype.imports)
    module.needs.update(pytype.needs)
    text = module.n(pytype.name) + pytype.args(field)
    if field.identity and field.value_type is not T.INT:
        # SQLite generates a key only for a column declared exactly INTEGER (its rowid; 64-bit
        # there), so a bigint identity is INTEGER on SQLite, as in the SQL target.
        text += f"().with_variant({module.use('Integer')}(), \"sqlite\")"
    return text


def _python_type(field: Field, module: _Module) -> str:
    base = module.enums[field.enum.name] if field.type is T.ENUM \
        else module.dotted(TYPES[field.value_type].python)
    return f"{base} | None" if field.nullable else base


def _defaults(field: Field, module: _Module) -> list[str]:
    """default= / server_default= / onupdate= arguments of a column."""
    args: list[str] = []
    value = field.default
    if field.generate == "uuid":
        module.needs.add("new_id")
        args.append(f"default={module.n('new_id')}")
    elif isinstance(value, SqlDefault):
        args.append(sql_expression(module, SA_DIALECTS, "NULL", value.expressions,
                                   "server_default="))
    elif value is NEW_UUID:
        args.append(f"server_default={sql_constant(module, *uuid_default())}")
    elif value is NOW:
        if field.type is T.DATE:
            args.append(f"server_default={module.use('func')}.current_date()")
        else:
            args.append(f"server_default={sql_constant(module, *now_default(field.precision))}")
    elif field.type is T.ENUM and isinstance(value, str):
        member = enum_member_names(field.enum.values)[field.enum.values.index(value)]
        args += [f"default={module.enums[field.enum.name]}.{member}",
                 f"server_default={py_str(value)}"]
    elif isinstance(value, bool):
        args += [f"default={value}", f"server_default={module.use(str(value).lower())}()"]
    elif isinstance(value, str):
        args += [f"default={py_str(value)}", f"server_default={py_str(value)}"]
    elif isinstance(value, (int, float)):
        python = py_decimal(value, module.n("Decimal")) if field.type is T.DECIMAL \
            else py_number(value)
        args += [f"default={python}",
                 f"server_default={module.use('text')}({py_str(py_number(value))})"]
    if field.updated_at:
        module.needs.add("utcnow")
        args.append(f"onupdate={module.n('utcnow')}")
    return args


def _column(model: Model, field: Field, attr: str, module: _Module) -> str:
    args: list[object] = []
    if attr != field.column:
        args.append(py_str(field.column))
    args.append(_column_type(field, module))
    ref = field.reference
    if ref is not None and ref.foreign_key:  # foreignKey: false: the relationship joins
        args.append(Call(f"{module.use('ForeignKey')}(", (
            py_str(f"{ref.target_table}.{ref.target_column}"),
            f"ondelete={py_str(ref.on_delete.sql)}",
            *([f"onupdate={py_str(ref.on_update.sql)}"] if ref.on_update else []),
            f"name={module.constraint(ref.constraint)}",
        )))
    if field.identity:
        # GENERATED BY DEFAULT AS IDENTITY on PostgreSQL; MySQL's AUTO_INCREMENT and SQLite's
        # rowid come from autoincrement (the default for a lone integer key).
        args.append(f"{module.use('Identity')}()")
    if field.primary_key:
        args.append("primary_key=True")
    if field.primary_key and field.value_type in (T.INT, T.BIGINT) and not field.identity:
        args.append("autoincrement=False")  # a key the application gives
    args += _defaults(field, module)
    head = (f"{attr}: {module.n('Mapped')}[{_python_type(field, module)}] = "
            f"{module.n('mapped_column')}(")
    return layout(Call(head, tuple(args)), "    ")


def _check(model: Model, check: Check, module: _Module) -> list[object]:
    """CheckConstraint(s) of one Check, built from SQL expressions so that each dialect
    quotes the column and spells the operators its own way."""
    field = model.field(check.field)
    col = f"{module.use('column')}({py_str(check.column)})"
    return CHECKS[check.kind](check, field, col, f"name={module.constraint(check.name)}", module)


def _enum_check(check: Check, field: Field, col: str, name: str, module: _Module) -> list[object]:
    # Exact(column): byte for byte on MySQL/MariaDB, whose collations ignore case.
    module.needs.add("Exact")
    values = Call("[", tuple(py_str(v) for v in field.enum.values), "]", hug=False)
    exact = f"{module.n('Exact')}({col})"
    return [Call(f"{module.use('CheckConstraint')}(", (Call(f"{exact}.in_(", (values,)), name))]


def _range_check(check: Check, field: Field, col: str, name: str,
                 module: _Module) -> list[object]:
    bounds = []
    if field.minimum is not None:
        bounds.append(f"{col} >= {py_number(field.minimum)}")
    if field.maximum is not None:
        bounds.append(f"{col} <= {py_number(field.maximum)}")
    condition = bounds[0] if len(bounds) == 1 else Call(f"{module.use('and_')}(",
                                                         tuple(bounds))
    return [Call(f"{module.use('CheckConstraint')}(", (condition, name))]


def _length_check(check: Check, field: Field, col: str, name: str,
                  module: _Module) -> list[object]:
    # func.char_length is LENGTH on SQLite, CHAR_LENGTH elsewhere: characters, not bytes.
    condition = f"{module.use('func')}.char_length({col}) >= {field.min_length}"
    return [Call(f"{module.use('CheckConstraint')}(", (condition, name))]


def _pattern_check(check: Check, field: Field, col: str, name: str,
                   module: _Module) -> list[object]:
    module.needs.add("regex_check")
    args = (py_str(check.column), py_str(field.pattern), name)
    return [Call(f"*{module.n('regex_check')}(", args)]


# How each kind of CHECK is written; a kind without an entry fails here, at import.
CHECKS = check_table({
    CheckKind.ENUM: _enum_check,
    CheckKind.RANGE: _range_check,
    CheckKind.LENGTH: _length_check,
    CheckKind.PATTERN: _pattern_check,
}, "sqlalchemy")


def _table_args(model: Model, module: _Module) -> str:
    """The __table_args__ statement of a model: named primary key, uniques, checks, indexes."""
    items: list[object] = []
    items.append(Call(f"{module.use('PrimaryKeyConstraint')}(", (
        *(py_str(f.column) for f in model.key), f"name={module.constraint(model.pk_constraint)}")))
    for unique in model.uniques:
        items.append(Call(f"{module.use('UniqueConstraint')}(", (
            *(py_str(c) for c in unique.columns), f"name={module.constraint(unique.name)}")))
    for rel in model.composite_references:  # ``relations:``: a composite foreign key
        if rel.foreign_key:
            items.append(Call(f"{module.use('ForeignKeyConstraint')}(", (
                Call("[", tuple(py_str(c) for c in rel.columns), "]"),
                Call("[", tuple(py_str(f"{rel.target_table}.{c}") for c in rel.target_columns),
                     "]"),
                f"ondelete={py_str(rel.on_delete.sql)}",
                *([f"onupdate={py_str(rel.on_update.sql)}"] if rel.on_update else []),
                f"name={module.constraint(rel.constraint)}")))
    for check in model.checks:
        module.use("CheckConstraint")
        items += _check(model, check, module)
    for index in model.indexes:
        items.append(Call(f"{module.use('Index')}(", (
            module.constraint(index.name), *(py_str(c) for c in index.columns))))
    return layout(Call("__table_args__ = (", tuple(items), hug=False), "    ")


def _join(module: _Module, source: Model, field: Field, target: Model, *,
          many_side: bool) -> str:
    """primaryjoin= of a relation without a foreign key (``foreignKey: false``): with no
    ForeignKey to follow, ``foreign()`` marks the referencing column, and in a
    self-reference ``remote()`` the side the relationship loads."""
    column = f"{module.classes[source.name]}.{_attr(field.attr)}"
    key = f"{module.classes[target.name]}.{_attr(target.field(field.reference.target_field).attr)}"
    referencing, referenced = f"foreign({column})", key
    if source.name == target.name:
        if many_side:
            referencing = f"remote({referencing})"
        else:
            referenced = f"remote({referenced})"
    return f"primaryjoin={py_str(f'{referenced} == {referencing}')}"


def _composite_join(module: _Module, rel: CompositeReference, source: Model, target: Model,
                    *, many_side: bool) -> str:
    """primaryjoin= of a composite relation without a foreign key: every column pair, the
    referencing columns marked ``foreign()`` (``remote()`` in a self-reference, as _join)."""
    pairs = []
    for f, g in zip(rel.fields, rel.target_fields, strict=True):
        referencing = f"foreign({module.classes[source.name]}.{_attr(source.field(f).attr)})"
        referenced = f"{module.classes[target.name]}.{_attr(target.field(g).attr)}"
        if source.name == target.name:
            if many_side:
                referencing = f"remote({referencing})"
            else:
                referenced = f"remote({referenced})"
        pairs.append(f"{referenced} == {referencing}")
    return f"primaryjoin={py_str('and_(' + ', '.join(pairs) + ')')}"


def _composite_relationships(spec: Spec, model: Model, attrs: dict[str, str],
                             module: _Module) -> list[str]:
    """relationship() attributes of ``relations:`` (both sides): ``foreign_keys`` names the
    columns, since several relations may join the same tables."""
    lines: list[str] = []
    mapped, relationship = module.n("Mapped"), module.n("relationship")
    for rel in model.composite_references:
        target = spec.model(rel.target)
        target_class = module.classes[target.name]
        args = [f"back_populates={py_str(_attr(rel.backref_attr))}"]
        if not rel.foreign_key:
            args.append(_composite_join(module, rel, model, target, many_side=False))
        else:
            args.append(f"foreign_keys=[{', '.join(attrs[f] for f in rel.fields)}]")
            if rel.target == model.name:
                args.append(f"remote_side=[{', '.join(attrs[f] for f in rel.target_fields)}]")
        annotation = f"{target_class} | None" if rel.nullable else target_class
        head = f"{_attr(rel.attr)}: {mapped}[{annotation}] = {relationship}("
        lines.append(layout(Call(head, tuple(args)), "    "))
    for rel in model.composite_backrefs:
        source = spec.model(rel.source)
        source_class = module.classes[source.name]
        args = [f"back_populates={py_str(_attr(rel.attr))}"]
        if not rel.foreign_key:
            args.append(_composite_join(module, rel, source, model, many_side=True))
        else:
            keys = ", ".join(f"{source_class}.{_attr(source.field(f).attr)}" for f in rel.fields)
            args.append(f"foreign_keys={py_str('[' + keys + ']')}")
        if rel.on_delete is OnDelete.CASCADE and rel.nullable:
            args += NULLABLE_CASCADE
        else:
            args += BACKREF_DELETE[rel.on_delete]
        annotation = (f"{source_class} | None" if rel.one_to_one
                      else f"{module.n('list')}[{source_class}]")
        head = f"{_attr(rel.backref_attr)}: {mapped}[{annotation}] = {relationship}("
        lines.append(layout(Call(head, tuple(args)), "    "))
    return lines


def _relationships(spec: Spec, model: Model, attrs: dict[str, str],
                   module: _Module) -> list[str]:
    """relationship() attributes: one per ref field of the model, one per back-reference."""
    lines: list[str] = []
    n = module.n
    mapped, relationship = n("Mapped"), n("relationship")
    for field in model.references:
        ref = field.reference
        target = spec.model(ref.target)
        target_class = module.classes[target.name]
        args = [f"back_populates={py_str(_attr(ref.backref_attr))}"]
        if not ref.foreign_key:
            args.append(_join(module, model, field, target, many_side=False))
        else:
            if ref.ambiguous:
                args.append(f"foreign_keys=[{attrs[field.name]}]")
            if ref.target == model.name:
                args.append(f"remote_side=[{attrs[ref.target_field]}]")
        annotation = f"{target_class} | None" if field.nullable else target_class
        head = f"{_attr(ref.relation_attr)}: {mapped}[{annotation}] = {relationship}("
        lines.append(layout(Call(head, tuple(args)), "    "))
    for backref in model.backrefs:
        source = spec.model(backref.source_model)
        source_class = module.classes[source.name]
        source_field = source.field(backref.source_field)
        args = [f"back_populates={py_str(_attr(source_field.reference.relation_attr))}"]
        if not source_field.reference.foreign_key:
            args.append(_join(module, source, source_field, model, many_side=True))
        elif backref.ambiguous:
            key = f"{source_class}.{_attr(source_field.attr)}"
            args.append(f"foreign_keys={py_str('[' + key + ']')}")
        if backref.on_delete is OnDelete.CASCADE and source_field.nullable:
            args += NULLABLE_CASCADE
        else:
            args += BACKREF_DELETE[backref.on_delete]
        annotation = (f"{source_class} | None" if backref.one_to_one
                      else f"{n('list')}[{source_class}]")
        head = f"{_attr(backref.attr)}: {mapped}[{annotation}] = {relationship}("
        lines.append(layout(Call(head, tuple(args)), "    "))
    return lines


def _many_to_many(spec: Spec, model: Model, module: _Module) -> list[str]:
    """``manyToMany``: ``relationship(secondary=<join table>)`` on both sides, so that
    ``post.tags.append(tag)`` writes the join row. The join model keeps its own two
    relationships and back-references, which write the same columns: ``overlaps=`` names them,
    as SQLAlchemy asks of relationships that knowingly share columns."""
    lines: list[str] = []
    n = module.n
    for m2m in model.many_to_many:
        through = spec.model(m2m.through)
        source, target = through.field(m2m.source_field), through.field(m2m.target_field)
        target_model = spec.model(m2m.target)
        args = [f"secondary={py_str(through.table)}",
                f"back_populates={py_str(_attr(m2m.backref_attr))}"]
        if m2m.ambiguous or not (source.reference.foreign_key and target.reference.foreign_key):
            # Several refs to one side (or none a FOREIGN KEY): say which columns join.
            args += [f"primaryjoin={py_str(_secondary_join(module, model, through, source))}",
                     f"secondaryjoin="
                     f"{py_str(_secondary_join(module, target_model, through, target))}"]
        # ...and so do the other manyToMany through the same join model (its columns).
        shared = sorted({_attr(source.reference.relation_attr),
                         _attr(target.reference.relation_attr),
                         _attr(source.reference.backref_attr),
                         _attr(target.reference.backref_attr),
                         *(_attr(other.attr) for side in spec.models
                           for other in side.many_to_many
                           if other.through == m2m.through
                           and (side.name, other.name) not in ((model.name, m2m.name),
                                                               (m2m.target, m2m.backref)))})
        args.append(f"overlaps={py_str(','.join(shared))}")
        head = (f"{_attr(m2m.attr)}: {n('Mapped')}[{n('list')}[{module.classes[m2m.target]}]]"
                f" = {n('relationship')}(")
        lines.append(layout(Call(head, tuple(args)), "    "))
    return lines


def _secondary_join(module: _Module, side: Model, through: Model, ref: Field) -> str:
    """``Post.id == foreign(PostTag.post_id)``: a side's key (or referenced field) and the
    join model's column holding it. ``foreign()`` on both joins, FOREIGN KEY or not: once one
    column is annotated, SQLAlchemy reads the annotations only."""
    key = side.field(ref.reference.target_field)
    column = f"foreign({module.classes[through.name]}.{_attr(ref.attr)})"
    return f"{module.classes[side.name]}.{_attr(key.attr)} == {column}"


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
    return _Class(module.classes[model.name], _docstring(model.description),
                  py_str(model.table), _table_args(model, module), columns,
                  _relationships(spec, model, attrs, module)
                  + _many_to_many(spec, model, module)
                  + _composite_relationships(spec, model, attrs, module))


def _docstring(text: str | None) -> str | None:
    return None if text is None else py_docstring(text, INDENT)


def render(spec: Spec, options: SqlAlchemyOptions, provenance: Provenance) -> str:
    extended = extension(spec, options.base, options.mixins, options.model_mixins,
                         "sqlalchemy")
    taken = taken_names(spec, RESERVED_ATTRS)
    enums = enum_class_names(spec, taken)
    names = PyNames(taken | set(enums.values()))
    module = _Module(names)
    module.conv = bool(options.base)
    module.classes = {m.name: names.class_name(m.name) for m in spec.models}
    module.enums = enums
    enum_classes = [enum_class(e, enums[e.name], names("enum"), names("str"))
                    for e in spec.enums if e.name in enums]
    classes = [_class(spec, model, module) for model in spec.models]
    needs = module.needs
    if not options.base:
        module.use("MetaData")  # Base's, with the naming convention
    for need in sorted(needs):
        module.use(*HELPER_IMPORTS.get(need, ()))
    orm = {"Mapped", "mapped_column"} | (set() if options.base else {"DeclarativeBase"})
    if any(c.relationships for c in classes):
        orm.add("relationship")
    stdlib = ({"datetime" for n in needs if n in ("datetime", "utcnow", "TimestampType")}
              | ({"enum"} if enums else set())
              | ({"datetime"} if module.timestamps else set())
              | ({"uuid"} if needs & {"new_id", "UuidType"} else set()))
    dialects = sorted({d for need in needs for d in HELPER_DIALECTS.get(need, ())}
                      | ({"mysql", "postgresql"} if module.timestamps else set()))
    title = py_docstring(spec.title.rstrip("."), "")
    base = names(options.base.partition(":")[2] or "Base")

    def text() -> str:
        return template("sqlalchemy.py.j2").render(
            header=provenance.header("#"),
            title=title,
            base=base,
            user_base=bool(options.base),
            user_imports=extended.imports(),
            bases={module.classes[m.name]: extended.bases(m.name, base, names)
                   for m in spec.models},
            stdlib=sorted(stdlib | ({"builtins"} if names.needs_builtins else set())),
            decimal="Decimal" in needs,
            any_type=bool(needs & {"JsonType", "UuidType", "SqlExpression", "Exact"}),
            sqlalchemy_import=import_from("sqlalchemy", module.sqlalchemy),
            dialects=dialects,
            compiler=bool(needs & {"SqlExpression", "Exact"}),
            compiles=bool(needs & {"JsonType", "SqlExpression", "Exact"}),
            constants=sql_constants(module, SA_DIALECTS),
            mysql_regex_prefix=DATABASES["mysql"].regex_prefix,
            orm_import=import_from("sqlalchemy.orm", orm),
            needs=needs,
            classes=classes,
            enum_classes=enum_classes,
            timestamps=sorted(module.timestamps),
        )

    helpers, _ = text().split(CLASSES_MARK)
    names.resolve_module(helpers)
    helpers, generated = text().split(CLASSES_MARK)  # again: `import builtins` may be needed
    refuse_shadowed(helpers, extended, "sqlalchemy")
    return _one_blank_line_after_imports(names.rewrite(helpers)) + generated


def _one_blank_line_after_imports(code: str) -> str:
    """The module's first statement after its imports, when no helper precedes it, is the
    naming comment and an assignment: ruff's isort wants one blank line there, not the two
    a helper function takes (I001)."""
    head, marker, rest = code.partition("\n\n\n# The names every vigilo-gen target")
    if not marker:
        return code
    lines = head.split("\n")
    last = lines[-1]
    if last == ")":  # the end of a wrapped `from x import (...)`
        last = next(line for line in reversed(lines[:-1]) if not line.startswith(" "))
    if not last.startswith(("from ", "import ")):
        return code
    return head + marker[1:] + rest


def filename(options: SqlAlchemyOptions) -> str:
    return "models.py"


emitter = Emitter(
    name="sqlalchemy",
    description="SQLAlchemy 2.0 typed declarative models (one module).",
    options=SqlAlchemyOptions,
    render=render,
    filename=filename,
    templates=True,
)
