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

from vigilo_gen.dialects import DATABASES
from vigilo_gen.emitter import Emitter, Provenance, option
from vigilo_gen.model import (
    DATETIME_PRECISION,
    NEW_UUID,
    NOW,
    Check,
    CheckKind,
    Field,
    FieldType,
    Model,
    Spec,
    SqlDefault,
    check_table,
)
from vigilo_gen.naming import constraint_name

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

# The attributes and methods of peewee.Model (3.17 to 4.x): a field, relation or
# back-reference with one of these names would hide them, so it gets a trailing "_".
RESERVED_ATTRS = frozenset({
    "add_index", "alias", "bind", "bind_ctx", "bulk_create", "bulk_update", "clone", "coerce",
    "copy", "create", "create_table", "delete", "delete_by_id", "delete_instance",
    "dependencies", "dirty_field_names", "dirty_fields", "drop_table", "filter", "get",
    "get_by_id", "get_id", "get_or_create", "get_or_none", "index", "insert", "insert_from",
    "insert_many", "is_alias", "is_dirty", "noop", "raw", "replace", "replace_many", "save",
    "select", "set_by_id", "table_exists", "truncate_table", "unwrap", "update",
    "validate_model", "DoesNotExist", "Meta", "_meta",
    "_unsaved", "_read_defaults",  # the generated BaseModel's
})


@dataclass(frozen=True)
class PeeweeOptions:
    base: str = option("", "Your own peewee Model (module:Name) the generated BaseModel "
                       "subclasses instead of peewee's Model: its Meta (database, ...) is "
                       "inherited, and no DatabaseProxy is written.", pattern=IMPORT_PATH)
    mixins: tuple[str, ...] = option((), "Mixin classes (module:Name, comma-separated) "
                                     "every model inherits (methods, properties; fields "
                                     "go in the base: peewee reads them from Models only).",
                                     pattern=IMPORT_PATH)
    model_mixins: tuple[tuple[str, tuple[str, ...]], ...] = option(
        (), 'Mixins of single models, before --mixins: {"Model": ["module:Name"]}.',
        mapping=True, pattern=IMPORT_PATH)


# The spec dialects the module's SqlExpression writes, by the name dialect() gives them.
PEEWEE_DIALECTS = {"postgres": "postgres", "mysql": "mysql", "sqlite": "sqlite"}


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
    T.ENUM: PeeweeType("EnumField", _max_length),
    T.TEXT: PeeweeType("TextField", _no_args),
    T.INT: PeeweeType("IntegerField", _no_args),
    T.BIGINT: PeeweeType("BigIntegerField", _no_args),
    T.FLOAT: PeeweeType("DoubleField", _no_args),
    T.DECIMAL: PeeweeType("DecimalField", lambda f: [f"max_digits={f.precision}",
                                                     f"decimal_places={f.scale}"]),
    T.BOOL: PeeweeType("BooleanField", _no_args),
    T.DATE: PeeweeType("DateField", _no_args),
    T.DATETIME: PeeweeType("DateTimeMsField", _no_args),
    T.JSON: PeeweeType("JsonField", _no_args),
    T.UUID: PeeweeType("UuidField", _no_args),
    T.BYTES: PeeweeType("BytesField", _no_args),
}
# A fixed-length string (`length: n`): CHAR(n). (FixedCharField strips the spaces the
# database pads a shorter value with when it reads it back.)
FIXED_LENGTH = PeeweeType("FixedCharField", _max_length)
# Integer keys the database generates: the module's helper fields, Peewee's AutoField and
# BigAutoField (AUTO_INCREMENT on MySQL, the rowid on SQLite) declared as an identity column
# on PostgreSQL (where Peewee would write SERIAL, a sequence default).
IDENTITY_TYPES: dict[FieldType, PeeweeType] = {
    T.INT: PeeweeType("IdentityField", _no_args),
    T.BIGINT: PeeweeType("BigIdentityField", _no_args),
}
# Field classes the generated module defines (a column type per database), not peewee's.
# Those with a column type per database (a ClassVar table of them, values of Any type).
TYPED_FIELDS = frozenset({"DateTimeMsField", "JsonField", "UuidField", "BytesField"})
MODULE_FIELDS = TYPED_FIELDS | {"IdentityField", "BigIdentityField", "EnumField"}


class _Module:
    def __init__(self, names: PyNames, user_base: bool = False) -> None:
        # The DatabaseProxy and peewee's Model, unless the user's base Model brings both.
        self.peewee: set[str] = set() if user_base else {"DatabaseProxy", "Model"}
        self.needs: set[str] = set()
        self.n = names  # how each module-level name is written
        self.classes: dict[str, str] = {}  # model name -> its class name
        # Datetime fields other than TIMESTAMP(3) WITH TIME ZONE: (class, time zone, precision)
        self.timestamps: set[tuple[str, bool, int]] = set()
        # Module-level SqlExpression defaults (NOW, NEW_UUID...): name -> its arguments.
        self.constants: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
        self.enums: dict[str, str] = {}  # spec enum name -> its class name

    def use(self, *names: str) -> str:
        """Import ``names`` from peewee; returns the first as written."""
        self.peewee.update(names)
        return self.n(names[0])


def _attr(name: str) -> str:
    return safe_attr(name, RESERVED_ATTRS)


def _defaults(field: Field, module: _Module) -> list[str | Call]:
    """default= (Python side) and the DEFAULT of the column (server side)."""
    value = field.default
    if field.generate == "uuid":
        module.needs.add("new_id")
        return [f"default={module.n('new_id')}"]
    if value is None:
        return []
    module.needs.add("Default")
    default = module.n("Default")
    if isinstance(value, SqlDefault):
        return [Call("constraints=[", (Call(f"{default}(", (
            sql_expression(module, PEEWEE_DIALECTS, "NULL", value.expressions),)),), "]")]
    if value is NEW_UUID:
        server = f"constraints=[{default}({sql_constant(module, *uuid_default())})]"
        if field.primary_key:
            # Peewee reads a new row's key back from the cursor's lastrowid (SQLite, MySQL),
            # which is no uuid: it makes the key itself, as the database would (a uuid4).
            return [f"default={module.n('uuid')}.uuid4", server]
        return [server]
    if value is NOW:
        if field.type is T.DATE:
            return [f'constraints=[{default}({module.use("SQL")}("CURRENT_DATE"))]']
        return [f"constraints=[{default}({sql_constant(module, *now_default(field.precision))})]"]
    if field.type is T.ENUM and isinstance(value, str):
        # The member in Python; the database's DEFAULT is its value.
        member = enum_member_names(field.enum.values)[field.enum.values.index(value)]
        return [f"default={module.enums[field.enum.name]}.{member}",
                Call("constraints=[", (Call(f"{default}(", (py_str(value),)),), "]")]
    if isinstance(value, bool):
        python = str(value)
    elif isinstance(value, str):
        python = py_str(value)
    elif field.type is T.DECIMAL:
        module.needs.add("Decimal")
        python = py_decimal(value, module.n("Decimal"))
    else:
        python = py_number(value)
    # A Call, not text: a long default must be laid out (split) as ruff format would.
    return [f"default={python}", Call("constraints=[", (Call(f"{default}(", (python,)),), "]")]


def _field(spec: Spec, model: Model, field: Field, module: _Module) -> str:
    ref = field.reference
    if ref is not None:
        target = '"self"' if ref.target == model.name else module.classes[ref.target]
        if ref.foreign_key and field.value_type is not T.UUID:
            foreign_key = module.use("ForeignKeyField")
        else:  # without a FOREIGN KEY, or to a uuid key: the module's ForeignKeyField
            module.needs.add("Reference")
            foreign_key = module.n("Reference")
        args: list[object] = [target, f"column_name={py_str(field.column)}"]
        if not ref.to_key:  # a unique field of the target, not its key
            args.append(f"field={py_str(_field_attr(spec.model(ref.target), ref.target_field))}")
        if field.nullable:
            args.append("null=True")
        args.append(f"backref={py_str(_attr(ref.backref_attr))}")
        if ref.foreign_key:
            args += [f"on_delete={py_str(ref.on_delete.sql)}",
                     *([f"on_update={py_str(ref.on_update.sql)}"] if ref.on_update else []),
                     f"constraint_name={py_str(ref.constraint)}"]
        else:
            args.append("constraint=False")
        args.append("index=False")
        return layout(Call(f"{_attr(ref.relation_attr)} = {foreign_key}(", tuple(args)), "    ")
    kind = IDENTITY_TYPES[field.type] if field.identity else \
        FIXED_LENGTH if field.fixed_length else TYPES[field.type]
    if field.type is T.DATETIME and (not field.timezone or
                                     field.precision != DATETIME_PRECISION):
        name = ("" if field.timezone else "Naive") + f"Timestamp{field.precision}Field"
        module.needs.add("DateTimeMsField")
        module.timestamps.add((name, field.timezone, field.precision))
        field_class = module.n(name)
    elif kind.field in MODULE_FIELDS:
        module.needs.add(kind.field)
        field_class = module.n(kind.field)
    else:
        field_class = module.use(kind.field)
    attr = _attr(field.attr)
    args = list(kind.args(field))
    if field.type is T.ENUM:
        args.insert(0, module.enums[field.enum.name])
    if attr != field.column:
        args.append(f"column_name={py_str(field.column)}")
    if field.primary_key and not model.composite:  # a composite key is Meta.primary_key
        args.append("primary_key=True")
    if field.nullable:
        args.append("null=True")
    args += _defaults(field, module)
    if field.updated_at:
        args.append("auto_now=True")
    if field.primary_key and not model.composite and \
            model.pk_constraint != constraint_name(model.table, (), "pkey"):
        module.needs.add("named_key")  # a name of the spec's, not the one PostgreSQL gives
        return layout(Call(f"{attr} = {module.n('named_key')}(", (
            Call(f"{field_class}(", tuple(args)), py_str(model.pk_constraint))), "    ")
    return layout(Call(f"{attr} = {field_class}(", tuple(args)), "    ")


def _check(model: Model, check: Check, module: _Module) -> object:
    return CHECKS[check.kind](check, model.field(check.field), py_str(check.name), module)


def _enum_check(check: Check, field: Field, name: str, module: _Module) -> object:
    # Exact(column): byte for byte on MySQL/MariaDB, whose collations ignore case.
    module.needs.update(("check", "Exact"))
    values = Call("[", tuple(py_str(v) for v in field.enum.values), "]", hug=False)
    exact = f"{module.n('Exact')}({py_str(check.column)})"
    return Call(f"{module.n('check')}(", (name, Call(f"{exact}.in_(", (values,))))


def _range_check(check: Check, field: Field, name: str, module: _Module) -> object:
    module.needs.add("check")
    col = f"{module.use('Entity')}({py_str(check.column)})"
    low, high = field.minimum, field.maximum
    condition: object
    if low is not None and high is not None:  # a Call: laid out as ruff format would
        condition = Call(f"{col}.between(", (py_number(low), py_number(high)))
    elif low is not None:
        condition = f"{col} >= {py_number(low)}"
    else:
        condition = f"{col} <= {py_number(high)}"
    return Call(f"{module.n('check')}(", (name, condition))


def _length_check(check: Check, field: Field, name: str, module: _Module) -> object:
    module.needs.update(("check", "CharLength"))
    condition = Call(f"{module.n('CharLength')}(", (py_str(check.column), str(field.min_length)))
    return Call(f"{module.n('check')}(", (name, condition))


def _pattern_check(check: Check, field: Field, name: str, module: _Module) -> object:
    module.needs.update(("check", "Matches"))
    condition = Call(f"{module.n('Matches')}(", (py_str(check.column), py_str(field.pattern)))
    return Call(f"{module.n('check')}(", (name, condition))


# How each kind of CHECK is written; a kind without an entry fails here, at import.
CHECKS = check_table({
    CheckKind.ENUM: _enum_check,
    CheckKind.RANGE: _range_check,
    CheckKind.LENGTH: _length_check,
    CheckKind.PATTERN: _pattern_check,
}, "peewee")


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
    fields += _composite_accessors(spec, model, module)
    meta = [f"table_name = {py_str(model.table)}"]
    if model.composite and model.pk_constraint != constraint_name(model.table, (), "pkey"):
        # A gap: peewee writes a CompositeKey's PRIMARY KEY itself, with no name.
        meta += [f"# Peewee's CompositeKey cannot name its key: PostgreSQL names it "
                 f"{model.table}_pkey,", f"# not {model.pk_constraint} (MySQL: PRIMARY, "
                 "SQLite: unnamed, as in every target)."]
    if model.composite:
        meta.append(layout(Call(f"primary_key = {module.use('CompositeKey')}(", tuple(
            py_str(_field_attr(model, f.name)) for f in model.key)), "        "))
    constraints: list[object] = []
    for unique in model.uniques:
        module.needs.add("unique")
        constraints.append(Call(f"{module.n('unique')}(", (py_str(unique.name),
                                            *(py_str(c) for c in unique.columns))))
    constraints += [_check(model, c, module) for c in model.checks]
    constraints += _composite_constraints(model, module)
    depends = [module.classes[r.target] for r in model.composite_references
               if r.foreign_key and r.target != model.name]
    if depends:  # create_tables orders by ForeignKeyFields only: the target table first
        meta.append(layout(Call("depends_on = (", tuple(dict.fromkeys(depends)), hug=False),
                           "        "))
    if constraints:
        meta.append(layout(Call("constraints = (", tuple(constraints), hug=False), "        "))
    indexes = []
    cls = module.classes[model.name]
    for index in model.indexes:
        attrs = [f"{cls}.{_field_attr(model, name)}" for name in index.fields]
        indexes.append(layout(Call(f"{cls}.add_index(", (
            *attrs, f"name={py_str(index.name)}"))))
    return _Class(cls, _docstring(model.description), fields, meta,
                  indexes + _many_to_many(spec, model, module))


def _many_to_many(spec: Spec, through: Model, module: _Module) -> list[str]:
    """The ``manyToMany`` relations going through this join model, after its class: only
    then do both sides and the join model exist (Peewee's DeferredThroughModel adds the field
    the same way, with ``_meta.add_field``). ``ManyToManyField`` declares both accessors."""
    lines = []
    for model in spec.models:
        for m2m in model.many_to_many:
            if not m2m.owner or m2m.through != through.name:
                continue
            owner, join = module.classes[model.name], module.classes[through.name]
            if m2m.ambiguous:
                # A gap: the accessor follows the join model's first ref to each side.
                lines.append(f"# {model.name}.{m2m.name} (many-to-many through {through.name})"
                             f": Peewee's ManyToManyField follows\n# the first ref to each "
                             f"side and {through.name} has several: use {join}'s relations.")
                continue
            module.use("ManyToManyField")
            field = Call(f"{module.n('ManyToManyField')}(", (
                module.classes[m2m.target], f"backref={py_str(_attr(m2m.backref_attr))}",
                f"through_model={join}"))
            lines.append(layout(Call(f"{owner}._meta.add_field(", (
                py_str(_attr(m2m.attr)), field))))
    return lines


def _composite_constraints(model: Model, module: _Module) -> list[object]:
    """FOREIGN KEY (a, b) REFERENCES t (x, y) of ``relations:`` in Meta.constraints: Peewee's
    ForeignKeyField holds one column, so a composite foreign key is a table constraint."""
    result: list[object] = []
    for rel in model.composite_references:
        if not rel.foreign_key:
            continue
        module.needs.add("foreign_key")
        actions = [f"ON DELETE {rel.on_delete.sql}",
                   *([f"ON UPDATE {rel.on_update.sql}"] if rel.on_update else [])]
        result.append(Call(f"{module.n('foreign_key')}(", (
            py_str(rel.constraint), Call("(", tuple(py_str(c) for c in rel.columns)),
            py_str(rel.target_table),
            Call("(", tuple(py_str(c) for c in rel.target_columns)),
            py_str(" ".join(actions)))))
    return result


def _composite_accessors(spec: Spec, model: Model,
                         module: _Module) -> list[tuple[str | None, str]]:
    """Peewee has no composite foreign key, so no ForeignKeyField to join or back-reference
    through: a relation of ``relations:`` is a read-only property on each side (a query by
    the columns); write the fields themselves to change it."""
    result: list[tuple[str | None, str]] = []

    def condition(other: Model, other_fields, own_fields, own: Model) -> str:
        cls = module.classes[other.name]
        return " & ".join(f"({cls}.{_field_attr(other, o)} == "
                          f"self.__data__.get({py_str(_field_attr(own, m))}))"
                          for o, m in zip(other_fields, own_fields, strict=True))

    for rel in model.composite_references:
        target = spec.model(rel.target)
        cls = module.classes[target.name]
        values = ", ".join(f"self.__data__.get({py_str(_field_attr(model, f))})"
                           for f in rel.fields)
        result.append((f"# Peewee has no composite foreign key: {rel.name} is read "
                       f"through ({', '.join(rel.columns)}).",
                       "\n    ".join([
                           "@property",
                           f"def {_attr(rel.attr)}(self) -> Any:",
                           f"    if None in ({values},):",
                           "        return None",
                           f"    return {cls}.get_or_none("
                           f"{condition(target, rel.target_fields, rel.fields, model)})"])))
    for rel in model.composite_backrefs:
        source = spec.model(rel.source)
        cls = module.classes[source.name]
        query = (f"{cls}.get_or_none" if rel.one_to_one else f"{cls}.select().where")
        result.append((f"# Peewee has no composite foreign key: {rel.backref} is read through "
                       f"{source.table} ({', '.join(rel.columns)}).",
                       "\n    ".join([
                           "@property",
                           f"def {_attr(rel.backref_attr)}(self) -> Any:",
                           f"    return {query}("
                           f"{condition(source, rel.fields, rel.target_fields, model)})"])))
    return result


def _field_attr(model: Model, name: str) -> str:
    """The attribute of a field in the Peewee model (a ref field's attribute is its relation)."""
    field = model.field(name)
    if field.reference is not None:
        return _attr(field.reference.relation_attr)
    return _attr(field.attr)


def _docstring(text: str | None) -> str | None:
    return None if text is None else py_docstring(text, INDENT)



def render(spec: Spec, options: PeeweeOptions, provenance: Provenance) -> str:
    extended = extension(spec, options.base, options.mixins, options.model_mixins, "peewee")
    taken = taken_names(spec, RESERVED_ATTRS)
    enums = enum_class_names(spec, taken)
    names = PyNames(taken | set(enums.values()))
    module = _Module(names, bool(options.base))
    module.classes = {m.name: names.class_name(m.name) for m in spec.models}
    module.enums = enums
    enum_classes = [enum_class(e, enums[e.name], names("enum"), names("str"))
                    for e in spec.enums if e.name in enums]
    classes = [_class(spec, model, module) for model in spec.models]
    needs = module.needs
    # What each DDL helper of the module is built from.
    helper_imports = {
        "Default": ("Node", "Context"),
        "SqlExpression": ("Node", "Context"),
        "DateTimeMsField": ("DateTimeField", "SQL", "Context"),
        "named_key": ("NodeList", "SQL", "Entity", "Context"),
        "IdentityField": ("AutoField", "SQL", "Context"),
        "BigIdentityField": ("BigAutoField", "SQL", "Context"),
        "JsonField": ("Field", "SQL", "Context"),
        "UuidField": ("Field", "SQL", "Context"),
        "BytesField": ("BlobField", "SQL", "Context"),
        "Reference": ("ForeignKeyField", "SQL", "Context"),
        "EnumField": ("CharField",),
        "unique": ("NodeList", "SQL", "Entity", "EnclosedNodeList"),
        "foreign_key": ("NodeList", "SQL", "Entity", "EnclosedNodeList"),
        "check": ("NodeList", "SQL", "Entity", "EnclosedNodeList", "ValueLiterals", "Node"),
        "CharLength": ("Entity", "Node", "Context"),
        "Matches": ("Entity", "Node", "Context", "Metadata"),
        "Exact": ("ColumnBase", "Entity", "Context"),
    }
    for need, imported in helper_imports.items():
        if need in needs:
            module.use(*imported)
    if {"Default", "SqlExpression", "CharLength",
            "Matches", "Exact", "named_key"} & needs or MODULE_FIELDS & needs:
        needs.add("dialect")
    if "DateTimeMsField" in needs:
        needs.add("utcnow")
    stdlib = (({"datetime"} if "utcnow" in needs else set())
              | ({"uuid"} if needs & {"new_id", "UuidField"} else set())
              | ({"json"} if "JsonField" in needs else set())
              | ({"enum"} if enums else set()))
    # Names from typing: Any for values of every kind, ClassVar for the column type tables.
    # (BaseModel's __init__ takes Any.)
    typing_names = sorted({"Any"} | ({"ClassVar"} if needs & TYPED_FIELDS else set()))
    class_names = tuple(module.classes[m.name] for m in spec.models)
    models = layout(Call(f"{names('MODELS')} = (", class_names, hug=False))
    if len(spec.models) == 1:
        models = f"{names('MODELS')} = ({class_names[0]},)"

    def text() -> str:
        return template("peewee.py.j2").render(
            header=provenance.header("#"),
            title=py_docstring(spec.title.rstrip("."), ""),
            base=names("BaseModel"),
            model_base=names(options.base.partition(":")[2] or "Model"),
            user_base=bool(options.base),
            user_imports=extended.imports(),
            bases={module.classes[m.name]: extended.bases(m.name, names("BaseModel"), names)
                   for m in spec.models},
            database=names("database"),
            models_name=names("MODELS"),
            stdlib=sorted(stdlib | ({"builtins"} if names.needs_builtins else set())),
            decimal="Decimal" in needs,
            typing_names=typing_names,
            constants=sql_constants(module, PEEWEE_DIALECTS),
            mysql_regex_prefix=DATABASES["mysql"].regex_prefix,
            timestamps=sorted(module.timestamps),
            peewee_import=import_from("peewee", module.peewee),
            needs=needs,
            classes=classes,
            enum_classes=enum_classes,
            models=models,
        )

    helpers, _ = text().split(CLASSES_MARK)
    names.resolve_module(helpers)
    helpers, generated = text().split(CLASSES_MARK)  # again: `import builtins` may be needed
    refuse_shadowed(helpers, extended, "peewee")
    if any(m.composite_references for m in spec.models):
        # the read-only accessors of composite relations are laid out by ruff, as the
        # pydantic emitter's output is (a spec without them keeps its text unchanged)
        from ._python import ruff_format

        return ruff_format(names.rewrite(helpers) + generated, "models.py")
    return names.rewrite(helpers) + generated


def filename(options: PeeweeOptions) -> str:
    return "models.py"


emitter = Emitter(
    name="peewee",
    description="Peewee models bound through a DatabaseProxy (one module).",
    options=PeeweeOptions,
    render=render,
    filename=filename,
    templates=True,
)
