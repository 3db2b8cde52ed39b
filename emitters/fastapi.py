"""``vigilo-gen fastapi``: a FastAPI router that serves the spec's endpoints.

It renders the operation plan (``Spec.api.operations``, derived by the engine: see
docs/runtime.md) over the generated SQLAlchemy models and validates bodies with the generated
Pydantic models; the module decides no semantics of its own. The fixed part (errors, auth,
transactions, JSON conversions) is ``templates/fastapi_runtime.py.txt``; this module writes one
handler per endpoint and one reader per response object, then formats the whole with ruff.
"""

from __future__ import annotations

import keyword
import textwrap
from dataclasses import dataclass

from vigilo_gen import naming
from vigilo_gen.emitter import Emitter, Provenance, option
from vigilo_gen.errors import UsageError
from vigilo_gen.model import INT_BOUNDS, NOW, Field, FieldType, Spec, api_int_bounds
from vigilo_gen.operations import (
    Assign,
    InsertChild,
    Operation,
    Read,
    ReadColumn,
    ReadList,
    ReadMap,
    ReadObject,
    ReplaceSet,
    UpdateRoot,
    UpsertChild,
)

T = FieldType


def C(model: str) -> str:  # noqa: N802 (read as a marker: "the ORM class of")
    """The class the generated SQLAlchemy models give a model: ``class_`` for a keyword."""
    return model + "_" if keyword.iskeyword(model) else model


def A(name: str) -> str:  # noqa: N802 (read as a marker: "the ORM attribute of")
    """The attribute the generated SQLAlchemy models give a field or relation (``from_``)."""
    from .sqlalchemy import _attr

    return _attr(name)


@dataclass(frozen=True)
class FastapiOptions:
    models: str = option(".models", "Module of the generated SQLAlchemy models (import path).")
    schemas: str = option(".schemas", "Module of the generated Pydantic models (import path).")


# Conversions between a column's Python value and its JSON value, by field type (absent: none).
TO_JSON = {T.DATE: "_date_json", T.DATETIME: "_datetime_json", T.DECIMAL: "_decimal_json"}
FROM_JSON = {T.DATE: "_date_value", T.DATETIME: "_datetime_value", T.DECIMAL: "_decimal_value"}
# Path parameters arrive as text; these validate and convert them by field type.
PARAM_TYPES = {T.INT: "int", T.BIGINT: "int", T.FLOAT: "float", T.BOOL: "bool",
               T.DATE: "datetime.date", T.DATETIME: "datetime.datetime",
               T.DECIMAL: "decimal.Decimal"}


def _import(module: str, alias: str) -> str:
    """``from . import models as db`` for a relative module, ``import x.y as db`` otherwise."""
    if module.startswith("."):
        package, _, name = module.rpartition(".")
        return f"from {package or '.'} import {name} as {alias}"
    return f"import {module} as {alias}"


def _json_literal(field: Field, value: object) -> str:
    if field.type is T.DECIMAL:
        return repr(str(value))
    return repr(value)


@dataclass
class _Rows:
    """The rows of one model that one statement fetches for a response.

    The root set is selected by its key; every to-many step adds a child set selected by its
    parents' keys (``IN``), so a response costs one statement per set, whatever the rows.
    To-one steps are LEFT JOINs of the set's statement, their columns labelled
    ``<relation>__<column>`` beside the set's own ``<column>`` labels.
    """

    name: str  # the statement's constant
    model: str
    step: object | None  # the to-many Step from the parent set (None: the root set)
    parent: _Rows | None
    parent_key: str  # label of the parent row's key that this set's rows reference
    columns: dict[str, str]  # label -> column expression
    joins: dict[str, str]  # alias label -> "aliased(...)" + join condition, in join order
    order_by: tuple[str, ...]


class _Module:
    """Collects the functions of the generated module while the plan is rendered."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.readers: list[str] = []
        self.reader_names: set[str] = set()
        self.adapters: list[str] = []
        self.statements: list[str] = []
        self.sets: list[_Rows] = []  # the sets of the response being rendered

    # -- statements ------------------------------------------------------------------------

    def pk(self, model: str) -> Field:
        return self.spec.model(model).primary_key

    def new_set(self, name: str, model: str, step, parent: _Rows | None,
                parent_key: str) -> _Rows:
        rows = _Rows(name, model, step, parent, parent_key, {}, {}, ())
        rows.columns[A(self.pk(model).attr)] = f"db.{C(model)}.{A(self.pk(model).attr)}"
        self.sets.append(rows)
        return rows

    def source(self, rows: _Rows, path: tuple) -> tuple[str, str]:
        """(label prefix, expression prefix) of the row reached from a set's row by the
        to-one steps ``path``; each step is joined once."""
        if not path:
            return "", f"db.{C(rows.model)}"
        label, outer = "", f"db.{C(rows.model)}"
        model = rows.model
        for step in path:
            alias = f"{label}{A(step.attr)}"
            name = f"{rows.name}_{alias.upper()}"
            if alias not in rows.joins:
                target_pk = A(self.pk(step.model).attr)
                if step.child:  # the related row references us
                    on = f"{name}.{A(step.ref.attr)} == {outer}.{A(self.pk(model).attr)}"
                else:  # we reference the related row
                    on = f"{name}.{target_pk} == {outer}.{A(step.ref.attr)}"
                self.statements.append(f"{name} = aliased(db.{C(step.model)}, "
                                       f"name={alias.lower()!r})")
                rows.joins[alias] = f"{name}, {on}"
                rows.columns[f"{alias}__pk"] = f"{name}.{target_pk}"
            label, outer, model = f"{alias}__", name, step.model
        return label, outer

    def column_label(self, rows: _Rows, path: tuple, field: Field) -> str:
        label, outer = self.source(rows, path)
        name = f"{label}{A(field.attr)}"
        rows.columns[name] = f"{outer}.{A(field.attr)}"
        return name

    def statement(self, rows: _Rows, where: str, lock: bool = False) -> None:
        cols = ", ".join(f"{expr}.label({label!r})" for label, expr in rows.columns.items())
        text = f"{rows.name} = select({cols}).select_from(db.{C(rows.model)})"
        for join in rows.joins.values():
            text += f".outerjoin({join})"
        text += f".where({where})"
        if rows.order_by:
            text += ".order_by(" + ", ".join(rows.order_by) + ")"
        if lock:
            text += ".with_for_update()"
        self.statements.append(text)

    # -- reads -------------------------------------------------------------------------------

    def value(self, read: Read, rows: _Rows, name: str) -> str:
        """An expression for a value that is never absent (list items, map values)."""
        if isinstance(read, ReadColumn) and not read.through:
            return self.column(read.field, f"r.{self.column_label(rows, (), read.field)}")
        if isinstance(read, ReadObject) and not read.through and not read.presence:
            return f"{self.reader(read, rows, (), name)}(r, sets)"
        raise UsageError(f"fastapi: {name}: a list item or map value must be a column or an "
                         "object of the same row")

    def column(self, field: Field, expr: str) -> str:
        convert = TO_JSON.get(field.value_type)
        return f"{convert}({expr})" if convert else expr

    def reader(self, node: ReadObject, rows: _Rows, path: tuple, name: str) -> str:
        """A function reading ``node`` from a row of ``rows``: the dict, or None when the
        object is absent (its related row missing, or a presence column NULL)."""
        function = "_read_" + naming.snake_case(name).strip("_")
        while function in self.reader_names:
            function += "_"
        self.reader_names.add(function)
        lines = [f"def {function}(row: Any, sets: _Sets) -> dict[str, Any] | None:"]
        path = (*path, *node.through)
        if node.through:
            label, _ = self.source(rows, path)
            lines += [f"    if row.{label}pk is None:", "        return None"]
        present = set()
        if node.presence:
            labels = [self.column_label(rows, path, f) for f in node.presence]
            present = set(node.presence)
            lines += ["    if " + " or ".join(f"row.{x} is None" for x in labels) + ":",
                      "        return None"]
        lines.append("    out: dict[str, Any] = {}")
        for prop, read in node.properties:
            lines += ["    " + line for line in
                      self.prop(prop, read, rows, path, f"{name}_{prop}", present)]
        lines.append("    return out")
        self.readers.append("\n".join(lines))
        return function

    def prop(self, prop: str, read: Read, rows: _Rows, path: tuple, name: str,
             present: set) -> list[str]:
        key = repr(prop)
        if isinstance(read, ReadColumn):
            field = read.field
            label = self.column_label(rows, (*path, *read.through), field)
            value = self.column(field, f"row.{label}")
            if read.through:
                label, _ = self.source(rows, (*path, *read.through))
                if read.has_fallback:
                    fallback = "None" if read.fallback is None else \
                        _json_literal(field, read.fallback)
                    return [f"out[{key}] = (",
                            f"    {value} if row.{label}pk is not None else {fallback}",
                            ")"]
                return [f"if row.{label}pk is not None:", f"    out[{key}] = {value}"]
            label = self.column_label(rows, path, field)
            if field.nullable and not read.nullable and field not in present:
                return [f"if row.{label} is not None:", f"    out[{key}] = {value}"]
            return [f"out[{key}] = {value}"]
        if isinstance(read, ReadObject):
            function = self.reader(read, rows, path, name)
            if read.optional and not read.nullable:
                return [f"value = {function}(row, sets)", "if value is not None:",
                        f"    out[{key}] = value"]
            return [f"out[{key}] = {function}(row, sets)"]
        if isinstance(read, (ReadList, ReadMap)):
            label, _ = self.source(rows, path)
            # The key of the row the set hangs from: the set's own row, or a joined one.
            parent_key = f"{label}pk" if label else A(self.pk(rows.model).attr)
            child = self.new_set(f"{rows.name}_{len(self.sets)}", read.step.model, read.step,
                                 rows, parent_key)
            child.columns["parent__"] = f"db.{C(read.step.model)}.{A(read.step.ref.attr)}"
            found = f"sets[{child.name!r}].get(row.{parent_key}, ())"
            if isinstance(read, ReadList):
                child.order_by = tuple(f"db.{C(child.model)}.{A(f.attr)}"
                                       for f in read.order_by)
                item = self.value(read.item, child, f"{name}_item")
                return [f"out[{key}] = [{item} for r in {found}]"]
            key_label = self.column_label(child, (), read.key)
            value = self.value(read.value, child, f"{name}_value")
            return [f"out[{key}] = {{str(r.{key_label}): {value} for r in {found}}}"]
        raise AssertionError(read)

    def response(self, read: Read, model: str, prefix: str, where: str, name: str,
                 extra: dict[str, str]) -> tuple[str, list[str]]:
        """Statements that fetch a response (the root set's, ``prefix``, selects ``extra``
        columns too), the reader of its root row, and the lines that fetch the other sets
        into ``sets``."""
        self.sets = []
        root = self.new_set(prefix, model, None, None, "")
        root.columns.update(extra)
        reader = self.reader(read, root, (), name)
        self.statement(root, where)
        for rows in self.sets[1:]:
            fk = f"db.{C(rows.model)}.{A(rows.step.ref.attr)}"
            self.statement(rows, f"{fk}.in_(bindparam('parents', expanding=True))")
        lines = []
        for rows in self.sets[1:]:
            parents = f"[row.{rows.parent_key}]" if rows.parent is root else \
                f"_keys(sets[{rows.parent.name!r}], {rows.parent_key!r})"
            lines.append(f"sets[{rows.name!r}] = _group(conn.execute({rows.name}, "
                         f"{{'parents': {parents}}}))")
        return reader, lines

    # -- writes --------------------------------------------------------------------------

    def get(self, assign: Assign, data: str) -> str:
        """The column value of an assign's body value (present: checked by the caller)."""
        expr = data + "".join(f"[{p!r}]" for p in assign.path)
        convert = FROM_JSON.get(assign.field.value_type)
        if not convert:
            return expr
        if not assign.field.nullable:
            return f"{convert}({expr})"
        return f"_or_none({convert}, {expr})"

    def present(self, assign: Assign, data: str) -> str:
        return f"_has({data}, {assign.path!r})"

    def reset(self, field: Field) -> str:
        """The value an omitted property takes under replace: the default, else NULL."""
        if field.default is None or field.default is NOW:
            return "None"
        if field.type is T.DECIMAL:
            return f"decimal.Decimal({str(field.default)!r})"
        return repr(field.default)

    def values(self, assigns: tuple[Assign, ...], data: str, merge: bool,
               target: str = "values") -> list[str]:
        """Lines that fill the dict ``target`` (column key -> value) from the body."""
        lines = [f"{target}: dict[str, Any] = {{}}"]
        for assign in assigns:
            setter = f"{target}[{assign.field.column!r}] = "
            if assign.required:
                lines.append(setter + self.get(assign, data))
                continue
            lines.append(f"if {self.present(assign, data)}:")
            lines.append(f"    {setter}{self.get(assign, data)}")
            if not merge:
                lines += ["else:", f"    {setter}{self.reset(assign.field)}"]
        return lines

    def row(self, assigns: tuple[Assign, ...], data: str, *fixed: str) -> list[str]:
        """Lines that build ``row``, one new row: the ``fixed`` entries, then the column of
        every assign the body carries (an omitted one takes the column's default)."""
        lines = ["row: dict[str, Any] = {" + ", ".join(
            [*fixed, *(f"{a.field.column!r}: {self.get(a, data)}"
                       for a in assigns if a.required)]) + "}"]
        for assign in assigns:
            if not assign.required:
                lines += [f"if {self.present(assign, data)}:",
                          f"    row[{assign.field.column!r}] = {self.get(assign, data)}"]
        return lines

    def by_key(self, verb: str, model: str, field: Field) -> str:
        """A module-level UPDATE or DELETE of ``model``'s rows whose ``field`` is the
        ``_vigilo_key`` parameter (an UPDATE's SET columns are the other parameters)."""
        table = f"db.{C(model)}"
        name = f"_{verb.upper()}_{naming.snake_case(model).upper()}_BY_" \
            f"{naming.snake_case(field.name).upper()}"
        return self.define(name, f"{verb}({table}).where({table}.{A(field.attr)} == "
                                 "bindparam('_vigilo_key'))")

    def inserter(self, model: str) -> str:
        return self.define(f"_INSERT_{naming.snake_case(model).upper()}",
                           f"insert(db.{C(model)})")

    def write(self, write, merge: bool) -> list[str]:
        if isinstance(write, UpdateRoot):
            root = self.root_model
            update = self.by_key("update", root, self.pk(root))
            return [*self.values(write.assigns, "body", merge),
                    "if values:",
                    f"    conn.execute({update}, {{'_vigilo_key': root_key, **values}})"]
        if isinstance(write, UpsertChild):
            step = write.step
            model = f"db.{C(step.model)}"
            fk = A(step.ref.attr)
            update = self.by_key("update", step.model, step.ref)
            exists = self.define(f"_{naming.snake_case(step.model).upper()}_EXISTS",
                                 f"select({model}.{fk}).where({model}.{fk} == "
                                 "bindparam('_vigilo_key'))")
            # The root row is locked: no other request can insert this child meanwhile.
            return [*self.values(write.assigns, "body", merge),
                    f"if not values or not conn.execute({update}, "
                    "{'_vigilo_key': root_key, **values}).rowcount:",
                    f"    if not conn.execute({exists}, {{'_vigilo_key': root_key}}).first():",
                    f"        conn.execute({self.inserter(step.model)}, "
                    f"{{{step.ref.column!r}: root_key, **values}})"]
        if isinstance(write, ReplaceSet):
            step = write.step
            model = f"db.{C(step.model)}"
            fk = A(step.ref.attr)
            delete = f"conn.execute({self.by_key('delete', step.model, step.ref)}, " \
                "{'_vigilo_key': root_key})"
            if write.key is None:
                loop = f"for item in body[{write.prop!r}]:"
                row = self.row(write.assigns, "item", f"{step.ref.column!r}: root_key")
            else:
                key = "int(map_key)" if write.key.value_type in (T.INT, T.BIGINT) else "map_key"
                loop = f"for map_key, item in body[{write.prop!r}].items():"
                row = self.row(write.assigns, "item", f"{step.ref.column!r}: root_key",
                               f"{write.key.column!r}: {key}")
            insert = ["rows = []", loop, *("    " + line for line in row),
                      "    rows.append(row)",
                      f"_insert_rows(conn, {self.inserter(step.model)}, rows)"]
            if write.required:
                return [delete, *insert]
            lines = [f"if {write.prop!r} in body:", "    " + delete]
            lines += ["    " + line for line in insert]
            if not merge:
                lines += ["else:", "    " + delete]
            return lines
        raise AssertionError(write)

    def duplicates(self, write: ReplaceSet) -> list[str]:
        """A check, before any write, that no two items of a replaced list share a key, and
        that a map's keys keep the key field's rules (JSON keys are text: the range of an
        int key is checked here)."""
        if write.key is not None:
            return [f"_map_keys(body, {write.prop!r}, {self.adapter(write.key)})"]
        if not write.unique:
            return []
        paths = []
        for field in write.unique:
            assign = next(a for a in write.assigns if a.field == field)
            paths.append(assign.path)
        return [f"_unique_items(body, {write.prop!r}, {tuple(paths)!r})"]

    # -- handlers ------------------------------------------------------------------------

    def handler(self, op: Operation, options: FastapiOptions) -> str:
        endpoint = op.endpoint
        root = op.root
        # Suffixed, so no endpoint name (``import``, ``delete``) can shadow a name in use.
        name = naming.snake_case(endpoint.name) + "_endpoint"
        prefix = "_" + naming.snake_case(endpoint.name).upper()
        self.root_model = root.model
        model = f"db.{C(root.model)}"
        pk = A(self.pk(root.model).attr)
        lines = [f"@_route(router, {endpoint.method!r}, {endpoint.path!r}, {endpoint.name!r})",
                 f"async def {name}(request: Request) -> Response:"]
        lines.append(f"    caller = _caller(request, verify, required={endpoint.auth_required})")
        keys = [f"_param(request, {param!r}, {self.adapter(field)})"
                for param, field in root.params]
        lines.append(f"    key = ({', '.join(keys)},)")
        if endpoint.body is not None:
            from .openapi import body_name

            lines.append(f"    body = await _body(request, api.{body_name(endpoint)})")
            for write in op.writes:
                if isinstance(write, ReplaceSet):
                    lines += ["    " + line for line in self.duplicates(write)]
        else:
            lines.append("    body = None")
        lines.append(f"    return await run_in_threadpool(_{name}, caller, key, body)")
        where = ", ".join(self.key_match(f"{model}.{A(field.attr)}", field, i)
                          for i, (_, field) in enumerate(root.params))
        params = "{" + ", ".join(
            f"'k{i}': key[{i}]" + (f", 'k{i}_next': _day_after(key[{i}])"
                                   if field.value_type is T.DATE else "")
            for i, (_, field) in enumerate(root.params)) + "}"
        owner = f"row.{A(root.owner.attr)}" if root.owner else "None"
        work = [f"def _{name}(caller: str | None, key: tuple[Any, ...], body: Any) -> Response:",
                "    def work(conn: Connection) -> Response:"]
        missing = f"raise Problem(404, {self.not_found(root.model)!r})"
        if op.kind == "read":
            extra = {A(root.owner.attr): f"{model}.{A(root.owner.attr)}"} if root.owner \
                else {}
            reader, fetch = self.response(op.read, root.model, prefix, where,
                                          endpoint.response or endpoint.name, extra)
            work += [f"        row = conn.execute({prefix}, {params}).first()",
                     f"        if row is None or not _visible({owner}, caller):",
                     f"            {missing}",
                     "        sets: _Sets = {}"]
            work += ["        " + line for line in fetch]
            work += [f"        return _json(200, {reader}(row, sets))",
                     "    return _transact(engine, work, write=False)"]
            return "\n".join(lines) + "\n\n" + "\n".join(work)
        # Writes: the root row is locked first, so one root's writers take turns.
        columns = [f"{model}.{pk}.label({pk!r})"]
        if root.owner is not None and A(root.owner.attr) != pk:
            columns.append(f"{model}.{A(root.owner.attr)}.label({A(root.owner.attr)!r})")
        # One statement per root and key, shared by every write endpoint that uses it.
        lock = self.define(f"_LOCK_{naming.snake_case(root.model).upper()}",
                           f"select({', '.join(columns)}).where({where}).with_for_update()")
        work += [f"        row = conn.execute({lock}, {params}).first()",
                 f"        if row is not None and not _visible({owner}, caller):",
                 f"            {missing}"]
        if root.create and op.kind in ("write", "insert"):
            values = ", ".join(f"{field.column!r}: key[{i}]" for i, (_, field) in
                               enumerate(root.params))
            if root.owner is not None:
                values += f", {root.owner.column!r}: caller"
            key = self.pk(root.model)
            insert = f"conn.execute({self.inserter(root.model)}, {{{values}}})"
            work += ["        if row is None:"]
            if key.generate == "uuid":
                work += ["            root_key = _new_id()",
                         f"            conn.execute({self.inserter(root.model)}, "
                         f"{{{key.column!r}: root_key, {values}}})"]
            elif key.identity:  # the database makes the key
                work += [f"            root_key = {insert}.inserted_primary_key[0]"]
            else:  # a natural key: the path names it
                index = [f for _, f in root.params].index(key)
                work += [f"            {insert}", f"            root_key = key[{index}]"]
            work += ["        else:", f"            root_key = row.{pk}"]
        else:
            work += ["        if row is None:", f"            {missing}",
                     f"        root_key = row.{pk}"]
        if op.kind == "delete":
            # The foreign keys decide what happens to the children (cascade, set null, ...).
            drop = self.by_key("delete", root.model, self.pk(root.model))
            work += [f"        conn.execute({drop}, {{'_vigilo_key': root_key}})",
                     "        return _json(200, SUCCESS)"]
        elif op.kind == "insert":
            insert = op.writes[0]
            assert isinstance(insert, InsertChild)
            child = f"db.{C(insert.step.model)}"
            child_key = self.pk(insert.step.model)
            child_pk = A(child_key.attr)
            execute = f"conn.execute({self.inserter(insert.step.model)}, row)"
            if child_key.identity:  # the database makes the key
                row = self.row(insert.assigns, "body", f"{insert.step.ref.column!r}: root_key")
                work += [*("        " + line for line in row),
                         f"        new_key = {execute}.inserted_primary_key[0]"]
            else:
                row = self.row(insert.assigns, "body", f"{child_key.column!r}: new_key",
                               f"{insert.step.ref.column!r}: root_key")
                work += ["        new_key = _new_id()", *("        " + line for line in row),
                         f"        {execute}"]
            if op.read is not None:
                new_where = f"{child}.{child_pk} == bindparam('k0')"
                reader, fetch = self.response(op.read, insert.step.model, prefix + "_NEW",
                                              new_where, endpoint.response or endpoint.name,
                                              {})
                work += [f"        row = conn.execute({prefix}_NEW, {{'k0': new_key}}).one()",
                         "        sets: _Sets = {}"]
                work += ["        " + line for line in fetch]
                work.append(f"        return _json({op.status}, {reader}(row, sets))")
            else:
                work.append(f"        return _json({op.status}, SUCCESS)")
        else:
            for write in op.writes:
                work += ["        " + line for line in self.write(write, op.merge)]
            work.append("        return _json(200, SUCCESS)")
        work.append("    return _transact(engine, work, write=True)")
        return "\n".join(lines) + "\n\n" + "\n".join(work)

    def define(self, name: str, expression: str) -> str:
        """A module-level statement: ``name``, or the name it already has."""
        for line in self.statements:
            head, _, body = line.partition(" = ")
            if body == expression:
                return head
        while any(line.startswith(f"{name} = ") for line in self.statements):
            name += "_"
        self.statements.append(f"{name} = {expression}")
        return name

    def not_found(self, model: str) -> str:
        return f"no {model} matches this path"

    def key_match(self, column: str, field: Field, index: int) -> str:
        """The root's condition on one path parameter. A date matches its day's rows however a
        client stored it: on SQLite, a date is text, the day ("2024-05-01") or, as Prisma
        writes it, the full timestamp of its midnight ("2024-05-01T00:00:00.000+00:00"), which
        sorts after the day and before the next. A range keeps the unique index in use."""
        key = f"bindparam('k{index}')"
        if field.value_type is not T.DATE:
            return f"{column} == {key}"
        return (f"or_({column} == {key}, "
                f"and_({column} > {key}, {column} < bindparam('k{index}_next')))")

    def adapter(self, field: Field) -> str:
        """A module-level TypeAdapter that checks a path parameter against its field."""
        name = "_" + naming.snake_case(field.name).upper() + "_PARAM"
        constraints = []
        if field.value_type in (T.STRING, T.TEXT, T.ID, T.REF, T.ENUM):
            base = "str"
            if field.enum is not None:
                base = "Literal[" + ", ".join(repr(v) for v in field.enum.values) + "]"
            if field.max_length is not None and field.enum is None:
                constraints.append(f"max_length={field.max_length}")
            if field.min_length is not None:
                constraints.append(f"min_length={field.min_length}")
            from .openapi import field_schema

            pattern = field_schema(field).get("pattern")  # the uuid pattern of ids and refs
            if pattern is not None:
                constraints.append(f"pattern={pattern!r}")
            kind = "StringConstraints" if constraints else None
        else:
            base = PARAM_TYPES.get(field.value_type, "str")
            low, high = field.minimum, field.maximum
            if field.value_type in INT_BOUNDS:  # within the column's and JSON's exact range
                low, high = api_int_bounds(field)
            if low is not None:
                constraints.append(f"ge={low!r}")
            if high is not None:
                constraints.append(f"le={high!r}")
            kind = "Field" if constraints else None
        annotated = f"Annotated[{base}, {kind}({', '.join(constraints)})]" if kind else base
        text = f"{name} = TypeAdapter({annotated})"
        if text not in self.adapters:
            while any(a.startswith(f"{name} =") for a in self.adapters):
                name += "_"
                text = f"{name} = TypeAdapter({annotated})"
            self.adapters.append(text)
        return name


def render(spec: Spec, options: FastapiOptions, provenance: Provenance) -> str:
    from importlib import resources


    api = spec.api
    if api is None:
        raise UsageError(f"{spec.shown_path} has no 'api' section: there "
                         "is nothing to serve")
    if api.unbound:
        name, position, why = api.unbound[0]
        where = spec.shown_path
        raise UsageError(f"{where}:{position.line}:{position.column}: endpoint {name} cannot "
                         f"be served: {why}")
    module = _Module(spec)
    handlers = [module.handler(op, options) for op in api.operations]
    template = resources.files("vigilo_gen.emitters").joinpath(
        "templates/fastapi_runtime.py.txt").read_text(encoding="utf-8")
    # Within ruff's 88 columns: a long command line (--spec PATH) continues on a "#   " line.
    header = "".join(
        "".join(f"{text}\n" for text in textwrap.wrap(
            line, 88, initial_indent="# ", subsequent_indent="#   ", break_long_words=False,
            break_on_hyphens=False))
        for line in provenance.header_lines())
    router = "\n\n".join(handlers)
    router = "\n".join(("    " + line) if line else "" for line in router.splitlines())
    code = (template
            .replace("__HEADER__", header.rstrip("\n"))
            .replace("__IMPORT_MODELS__", _import(options.models, "db"))
            .replace("__IMPORT_SCHEMAS__", _import(options.schemas, "api"))
            .replace("__BASE_PATH__", repr(api.base_path))
            .replace("__ROUTES_TABLE__", _routes_table(api))
            .replace("__ADAPTERS__", "\n".join(module.adapters))
            .replace("__STATEMENTS__", "\n".join(module.statements))
            .replace("__READERS__", "\n\n\n".join(module.readers))
            .replace("__ROUTES__", router))
    from ._python import ruff_format

    # Drops the runtime's imports this spec does not use, sorts the rest, formats.
    return ruff_format(code, "router.py", fixes="F401,I")


def _routes_table(api) -> str:
    methods: dict[str, list[str]] = {}
    for endpoint in api.endpoints:
        methods.setdefault(endpoint.path, []).append(endpoint.method)
    return "{" + ", ".join(f"{path!r}: {tuple(sorted(m))!r}" for path, m in methods.items()) + "}"


emitter = Emitter(
    name="fastapi",
    description="A FastAPI router serving the spec's endpoints over the SQLAlchemy and "
                "Pydantic models.",
    options=FastapiOptions,
    render=render,
    filename=lambda options: "router.py",
    needs_api=True,
)
