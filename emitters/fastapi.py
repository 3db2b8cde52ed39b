"""``vigilo-gen fastapi``: a FastAPI router that serves the spec's endpoints.

It renders the operation plan (``Spec.api.operations``, derived by the engine: see
docs/runtime.md) over the generated SQLAlchemy models and validates bodies with the generated
Pydantic models; the module decides no semantics of its own. The fixed part (errors, auth,
transactions, JSON conversions) is ``templates/fastapi_runtime.py.txt``; this module writes one
handler per endpoint and one reader per response object, then formats the whole with ruff.
"""

from __future__ import annotations

import keyword
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


class _Module:
    """Collects the functions of the generated module while the plan is rendered."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.readers: list[str] = []
        self.reader_names: set[str] = set()
        self.adapters: list[str] = []
        self.object_models: dict[int, str] = {}  # id(ReadObject) -> the model it reads
        self.root_model = ""
        self.fetched: set[str] = set()  # related rows a reader has already fetched
        self.present_fields: set[Field] = set()  # columns a reader knows are not NULL

    # -- reads ---------------------------------------------------------------------------

    def value(self, read: Read, row: str, name: str) -> str:
        """An expression for a value that is never absent (list items, map values)."""
        if isinstance(read, ReadColumn) and not read.through:
            return self.column(read.field, f"{row}.{A(read.field.attr)}")
        if isinstance(read, ReadObject) and not read.through and not read.presence:
            return f"{self.reader(read, name)}({row})"
        raise UsageError(f"fastapi: {name}: a list item or map value must be a column or an "
                         "object of the same row")

    def column(self, field: Field, expr: str) -> str:
        convert = TO_JSON.get(field.type)
        return f"{convert}({expr})" if convert else expr

    def reader(self, node: ReadObject, name: str) -> str:
        """A function reading ``node`` from a row: the dict, or None when it is absent."""
        function = "_read_" + naming.snake_case(name).strip("_")
        while function in self.reader_names:
            function += "_"
        self.reader_names.add(function)
        lines = [f"def {function}(row: db.{C(self.model_of(node))}) -> dict[str, Any] | None:"]
        source = "row"
        if node.through:
            source = "related"
            lines.append(f"    related = row.{A(node.through[0].attr)}")
            lines.append("    if related is None:")
            lines.append("        return None")
        if node.presence:
            test = " or ".join(f"{source}.{A(f.attr)} is None" for f in node.presence)
            lines.append(f"    if {test}:")
            lines.append("        return None")
        lines.append("    out: dict[str, Any] = {}")
        outer, self.fetched = self.fetched, set()
        outer_present, self.present_fields = self.present_fields, set(node.presence)
        for prop, read in node.properties:
            lines += ["    " + line for line in self.prop(prop, read, source, f"{name}_{prop}")]
        self.present_fields = outer_present
        lines.append("    return out")
        self.fetched = outer
        self.readers.append("\n".join(lines))
        return function

    def model_of(self, node: ReadObject) -> str:
        return self.object_models[id(node)]

    def prop(self, prop: str, read: Read, row: str, name: str) -> list[str]:
        key = repr(prop)
        if isinstance(read, ReadColumn):
            field = read.field
            if read.through:
                # The related row is fetched once per reader, into a variable named after
                # the relation (``settings = row.settings``).
                step = read.through[0]
                related = f"related_{A(step.attr)}"
                lines = [] if related in self.fetched else [f"{related} = {row}.{A(step.attr)}"]
                self.fetched.add(related)
                value = self.column(field, f"{related}.{A(field.attr)}")
                if read.has_fallback:
                    fallback = "None" if read.fallback is None else \
                        _json_literal(field, read.fallback)
                    return lines + [f"out[{key}] = (",
                                    f"    {value} if {related} is not None else {fallback}",
                                    ")"]
                return lines + [f"if {related} is not None:", f"    out[{key}] = {value}"]
            expr = self.column(field, f"{row}.{A(field.attr)}")
            if field.nullable and not read.nullable and field not in self.present_fields:
                return [f"if {row}.{A(field.attr)} is not None:", f"    out[{key}] = {expr}"]
            return [f"out[{key}] = {expr}"]
        if isinstance(read, ReadObject):
            function = self.reader(read, name)
            if read.optional and not read.nullable:
                return [f"value = {function}({row})", "if value is not None:",
                        f"    out[{key}] = value"]
            return [f"out[{key}] = {function}({row})"]
        if isinstance(read, ReadList):
            order = ", ".join(f"r.{A(f.attr)}" for f in read.order_by)
            item = self.value(read.item, "r", f"{name}_item")
            return [f"out[{key}] = [",
                    f"    {item} for r in sorted({row}.{A(read.step.attr)}, "
                    f"key=lambda r: ({order},))",
                    "]"]
        if isinstance(read, ReadMap):
            value = self.value(read.value, "r", f"{name}_value")
            return [f"out[{key}] = {{str(r.{A(read.key.attr)}): {value} "
                    f"for r in {row}.{A(read.step.attr)}}}"]
        raise AssertionError(read)

    def index_models(self, read: Read, model: str) -> None:
        """Remember the model each object is read from (for the readers' annotations)."""
        if isinstance(read, ReadObject):
            inner = read.through[0].model if read.through else model
            self.object_models[id(read)] = model  # the reader is given the outer row
            for _, sub in read.properties:
                self.index_models(sub, inner)
        elif isinstance(read, ReadList):
            self.index_models(read.item, read.step.model)
        elif isinstance(read, ReadMap):
            self.index_models(read.value, read.step.model)

    def loads(self, read: Read | None) -> list[str]:
        """Loader options that fetch every relation a read follows, in a few queries."""
        if read is None:
            return []
        found: list[str] = []

        def walk(node: Read, owner: str, chain: str) -> None:
            if isinstance(node, ReadColumn):
                for step in node.through:
                    found.append(f"{chain}joinedload(db.{C(owner)}.{A(step.attr)})")
            elif isinstance(node, ReadObject):
                inner = owner
                for step in node.through:
                    found.append(f"{chain}joinedload(db.{C(owner)}.{A(step.attr)})")
                    inner = step.model
                for _, sub in node.properties:
                    walk(sub, inner, chain if not node.through else
                         f"{chain}joinedload(db.{C(owner)}.{A(node.through[0].attr)}).")
            elif isinstance(node, (ReadList, ReadMap)):
                here = f"{chain}selectinload(db.{C(owner)}.{A(node.step.attr)})"
                found.append(here)
                walk(node.item if isinstance(node, ReadList) else node.value, node.step.model,
                     here + ".")

        walk(read, self.root_model, "")
        unique: list[str] = []
        for option_text in found:
            if option_text not in unique and not any(o.startswith(option_text + ".")
                                                     for o in found):
                unique.append(option_text)
        return unique

    # -- writes --------------------------------------------------------------------------

    def get(self, assign: Assign, data: str) -> str:
        """The expression for an assign's value in ``data`` (present: checked by the caller).

        A null of a nullable column is written as SQL NULL: SQLAlchemy would put the column
        default in place of a plain None on a new row."""
        expr = data + "".join(f"[{p!r}]" for p in assign.path)
        convert = FROM_JSON.get(assign.field.type)
        if not assign.field.nullable:
            return f"{convert}({expr})" if convert else expr
        return f"_or_null({convert or '_same'}, {expr})"

    def present(self, assign: Assign, data: str) -> str:
        return f"_has({data}, {assign.path!r})"

    def reset(self, field: Field) -> str:
        """The value an omitted property takes under replace: the default, else NULL."""
        if field.default is None or field.default is NOW:
            return "null()"
        if field.type is T.DECIMAL:
            return f"decimal.Decimal({str(field.default)!r})"
        return repr(field.default)

    def apply(self, assigns: tuple[Assign, ...], target: str, data: str, merge: bool,
              indent: str) -> list[str]:
        lines = []
        for assign in assigns:
            setter = f"{target}.{A(assign.field.attr)} = "
            if assign.required:
                lines.append(indent + setter + self.get(assign, data))
                continue
            lines.append(f"{indent}if {self.present(assign, data)}:")
            lines.append(f"{indent}    {setter}{self.get(assign, data)}")
            if not merge:
                lines.append(f"{indent}else:")
                lines.append(f"{indent}    {setter}{self.reset(assign.field)}")
        return lines


    def new_row(self, model: str, ref: Field, assigns: tuple[Assign, ...], data: str,
                extra: dict[str, str], indent: str) -> list[str]:
        """Lines that build a new row of ``model`` from ``data`` (omitted: column defaults)."""
        lines = [f"{indent}row = db.{C(model)}({A(ref.attr)}=root.id"
                 + "".join(f", {k}={v}" for k, v in extra.items()) + ")"]
        for assign in assigns:
            setter = f"row.{A(assign.field.attr)} = "
            if assign.required:
                lines.append(indent + setter + self.get(assign, data))
            else:
                lines.append(f"{indent}if {self.present(assign, data)}:")
                lines.append(f"{indent}    {setter}{self.get(assign, data)}")
        lines.append(f"{indent}session.add(row)")
        return lines

    def write(self, write, merge: bool) -> list[str]:
        if isinstance(write, UpdateRoot):
            return self.apply(write.assigns, "root", "body", merge, "")
        if isinstance(write, UpsertChild):
            step = write.step
            lines = [f"child = root.{A(step.attr)}", "if child is None:",
                     f"    child = db.{C(step.model)}({A(step.ref.attr)}=root.id)",
                     "    session.add(child)"]
            return lines + self.apply(write.assigns, "child", "body", merge, "")
        if isinstance(write, ReplaceSet):
            step = write.step
            delete = (f"session.execute(delete(db.{C(step.model)}).where("
                      f"db.{C(step.model)}.{A(step.ref.attr)} == root.id))")
            if write.key is None:
                loop = [f"for item in body[{write.prop!r}]:"]
                data = "item"
                extra = {}
            else:
                key = "int(map_key)" if write.key.type in (T.INT, T.BIGINT) else "map_key"
                loop = [f"for map_key, item in body[{write.prop!r}].items():"]
                data = "item"
                extra = {A(write.key.attr): key}
            body = self.new_row(step.model, step.ref, write.assigns, data, extra, "    ")
            if write.required:
                return [delete, *loop, *body]
            lines = [f"if {write.prop!r} in body:", "    " + delete]
            lines += ["    " + line for line in loop + body]
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
        self.root_model = root.model
        lines = [f"@router.{endpoint.method.lower()}({endpoint.path!r}, "
                 f"name={endpoint.name!r})",
                 f"async def {name}(request: Request) -> Response:"]
        lines.append(f"    caller = _caller(request, verify, required={endpoint.auth_required})")
        keys = []
        for param, field in root.params:
            adapter = self.adapter(field)
            keys.append((field, f"_param(request, {param!r}, {adapter})"))
        key_args = ", ".join(expr for _, expr in keys)
        lines.append(f"    key = ({key_args},)")
        body_model = None
        if endpoint.body is not None:
            from .openapi import body_name

            body_model = body_name(endpoint)
            lines.append(f"    body = await _body(request, api.{body_model})")
            for write in op.writes:
                if isinstance(write, ReplaceSet):
                    lines += ["    " + line for line in self.duplicates(write)]
        else:
            lines.append("    body = None")
        lines.append(f"    return await run_in_threadpool(_{name}, caller, key, body)")
        # The work, in a worker thread: one transaction (retried on a lost race).
        where = ", ".join(f"db.{C(root.model)}.{A(field.attr)} == key[{i}]"
                          for i, (_, field) in enumerate(root.params))
        owner = f"root.{A(root.owner.attr)}" if root.owner else "None"
        work = [f"def _{name}(caller: str | None, key: tuple[Any, ...], body: Any) -> Response:",
                "    def work(session: Session) -> Response:"]
        select_root = f"select(db.{C(root.model)}).where({where})"
        if op.kind == "read":
            self.index_models(op.read, root.model)
            loads = self.loads(op.read)
            if loads:
                select_root += ".options(" + ", ".join(loads) + ")"
            work += [f"        root = session.scalars({select_root}).unique().one_or_none()",
                     f"        if root is None or not _visible({owner}, caller):",
                     f"            raise Problem(404, {self.not_found(root.model)!r})"]
            reader = self.reader(op.read, endpoint.response or name)
            work.append(f"        return _json(200, {reader}(root))")
            work.append("    return _transact(sessions, work, write=False)")
            return "\n".join(lines) + "\n\n" + "\n".join(work)
        work += [f"        root = session.scalars({select_root}.with_for_update()).one_or_none()",
                 f"        if root is not None and not _visible({owner}, caller):",
                 f"            raise Problem(404, {self.not_found(root.model)!r})"]
        if root.create and op.kind in ("write", "insert"):
            values = ", ".join(f"{A(field.attr)}=key[{i}]" for i, (_, field) in
                               enumerate(root.params))
            if root.owner is not None:
                values += f", {A(root.owner.attr)}=caller"
            work += ["        if root is None:",
                     f"            root = db.{C(root.model)}({values})",
                     "            session.add(root)",
                     "            session.flush()"]
        else:
            work += ["        if root is None:",
                     f"            raise Problem(404, {self.not_found(root.model)!r})"]
        if op.kind == "delete":
            # The foreign keys decide what happens to the children (cascade, set null, ...).
            pk = A(self.spec.model(root.model).primary_key.attr)
            work += [f"        session.execute(delete(db.{C(root.model)}).where("
                     f"db.{C(root.model)}.{pk} == root.{pk}))",
                     "        return _json(200, SUCCESS)"]
        elif op.kind == "insert":
            insert = op.writes[0]
            assert isinstance(insert, InsertChild)
            work += ["        " + line for line in
                     self.new_row(insert.step.model, insert.step.ref, insert.assigns, "body",
                                  {}, "")]
            work.append("        session.flush()")
            if op.read is not None:
                self.index_models(op.read, insert.step.model)
                reader = self.reader(op.read, endpoint.response or name)
                work += ["        session.refresh(row)",
                         f"        return _json({op.status}, {reader}(row))"]
            else:
                work.append(f"        return _json({op.status}, SUCCESS)")
        else:
            for write in op.writes:
                work += ["        " + line for line in self.write(write, op.merge)]
            work.append("        return _json(200, SUCCESS)")
        work.append("    return _transact(sessions, work, write=True)")
        return "\n".join(lines) + "\n\n" + "\n".join(work)

    def not_found(self, model: str) -> str:
        return f"no {model} matches this path"

    def adapter(self, field: Field) -> str:
        """A module-level TypeAdapter that checks a path parameter against its field."""
        name = "_" + naming.snake_case(field.name).upper() + "_PARAM"
        constraints = []
        if field.type in (T.STRING, T.TEXT, T.ID, T.REF, T.ENUM):
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
            base = PARAM_TYPES.get(field.type, "str")
            low, high = field.minimum, field.maximum
            if field.type in INT_BOUNDS:  # within the column's and JSON's exact range
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
        raise UsageError(f"{spec.source_name} has no 'api' section: there is nothing to serve")
    if api.unbound:
        name, position, why = api.unbound[0]
        raise UsageError(f"{spec.source_name}:{position.line}:{position.column}: endpoint "
                         f"{name} cannot be served: {why}")
    module = _Module(spec)
    handlers = [module.handler(op, options) for op in api.operations]
    template = resources.files("vigilo_gen.emitters").joinpath(
        "templates/fastapi_runtime.py.txt").read_text(encoding="utf-8")
    header = "".join(f"# {line}\n" for line in provenance.header_lines())
    router = "\n\n".join(handlers)
    router = "\n".join(("    " + line) if line else "" for line in router.splitlines())
    code = (template
            .replace("__HEADER__", header.rstrip("\n"))
            .replace("__IMPORT_MODELS__", _import(options.models, "db"))
            .replace("__IMPORT_SCHEMAS__", _import(options.schemas, "api"))
            .replace("__BASE_PATH__", repr(api.base_path))
            .replace("__ROUTES_TABLE__", _routes_table(api))
            .replace("__ADAPTERS__", "\n".join(module.adapters))
            .replace("__READERS__", "\n\n\n".join(module.readers))
            .replace("__ROUTES__", router))
    return _ruff_format(code)


def _routes_table(api) -> str:
    methods: dict[str, list[str]] = {}
    for endpoint in api.endpoints:
        methods.setdefault(endpoint.path, []).append(endpoint.method)
    return "{" + ", ".join(f"{path!r}: {tuple(sorted(m))!r}" for path, m in methods.items()) + "}"


def _ruff_format(code: str) -> str:
    """Drop the runtime's imports this spec does not use, sort the rest, and format as
    ``ruff format`` would (the generated module passes ``ruff check`` and ``--check``)."""
    import subprocess

    from .pydantic import LINE_LENGTH, _ruff

    common = ("--isolated", "--target-version", "py310", "--line-length", str(LINE_LENGTH),
              "--stdin-filename", "router.py", "-")
    for step in (("check", "--select", "F401,I", "--fix", "--quiet", *common),
                 ("format", *common)):
        result = subprocess.run([_ruff(), *step], input=code, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"ruff {step[0]} failed on the generated router: "
                               f"{result.stderr.strip() or result.stdout.strip()}")
        code = result.stdout
    return code


emitter = Emitter(
    name="fastapi",
    description="A FastAPI router serving the spec's endpoints over the SQLAlchemy and "
                "Pydantic models.",
    options=FastapiOptions,
    render=render,
    filename=lambda options: "router.py",
)
