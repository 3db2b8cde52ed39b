"""``vigilo-gen zod``: Zod 4 schemas of the API (the TypeScript twin of the Pydantic models).

Every component of the OpenAPI document (each enum a body or schema uses, named schemas, each
request body ``<OperationId>Body``, the ``Success`` and ``Error`` envelopes) becomes an
exported Zod schema with the same rules, read from the same functions of the openapi
emitter, and its inferred type of the same name:

- objects are ``z.strictObject`` (unknown keys refused, as ``additionalProperties: false``);
  ``optional`` -> ``z.optional``, ``nullable`` -> ``z.nullable``;
- int/bigint: ``z.int()`` with the field's range, else the column type's own (int32); a
  JavaScript number holds integers up to 2^53 - 1 only, so a bigint beyond that is refused;
- decimals are strings with the OpenAPI pattern and, as in the Pydantic models, their
  minimum and maximum (which a JSON Schema string cannot say); dates ``z.iso.date()``, datetimes
  ``z.iso.datetime({ offset: true })``; ids and refs the hyphenated uuid pattern;
- a map's keys are checked by the ``propertyNames`` of the document (the exact texts of an
  integer key's range; an enum key's values).

Written with the layout prettier gives (``ts_layout``), so ``prettier --check`` is clean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vigilo_gen.emitter import Emitter, Provenance
from vigilo_gen.errors import UsageError
from vigilo_gen.model import (
    Api,
    Field,
    FieldShape,
    FieldType,
    ListShape,
    MapShape,
    ObjectShape,
    SchemaRef,
    Shape,
    Spec,
)

from . import ts_layout as ts
from .openapi import (
    ERROR,
    SUCCESS,
    api_enums,
    body_name,
    enum_components,
    field_schema,
    key_schema,
)

T = FieldType
SAFE = 2**53 - 1  # Number.MAX_SAFE_INTEGER: z.int() refuses what lies beyond
_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


@dataclass(frozen=True)
class ZodOptions:
    pass


def regex_literal(pattern: str) -> str:
    """A JavaScript regex literal of a (portable) JSON Schema pattern, with the ``u`` flag so
    that it counts code points as JSON Schema (and Python) do."""
    out, escaped, in_class = [], False, False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            out.append("\\/")
            continue
        elif ch == "\n":
            out.append("\\n")
            continue
        out.append(ch)
    return "/" + "".join(out) + "/u"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return ts.number(value)


def _key(name: str) -> str:
    return name if _IDENT.match(name) else ts.string(name)


def _member_chain(calls: list[tuple[str, list[ts.Node]]]) -> ts.Node:
    """``z.a(x).b(y)`` as prettier prints a member chain whose head is the short identifier
    ``z``: the head is a group of its own, so two calls already make three groups, which stay
    on one line only when they fit, else break one call per line."""
    printed = [[f".{name}", ts.args(arguments)] for name, arguments in calls]
    one_line = ["z", *printed]
    # A function among the arguments keeps the chain on one line (its arguments break), as
    # prettier prints it (observed with prettier 3.10, checked by test_zod).
    functions = any(not a.simple for _, arguments in calls for a in arguments)
    if len(calls) + 1 <= 2 or functions:
        return ts.Node(ts.group(*one_line), False)
    expanded = ["z", ts.indent(*[[ts.HARDLINE, p] for p in printed])]
    return ts.Node(ts.Conditional((one_line, expanded)), False)


def _checks(head: str, checks: list[ts.Node], arguments: list[ts.Node] | None = None
            ) -> ts.Node:
    """``z.string().check(z.maxLength(9), ...)``: the checks in one call."""
    calls = [(head, arguments or [])]
    if checks:
        calls.append(("check", checks))
    return _member_chain(calls)


def _call(name: str, *arguments: str) -> ts.Node:
    return ts.call(name, [ts.text(a) for a in arguments])


class _Builder:
    def __init__(self, api: Api):
        self.api = api
        self.defined: set[str] = set()
        # Enum name -> the exported schema of its OpenAPI component (declared first).
        self.enums: dict[str, str] = {}

    def string_checks(self, schema: dict[str, Any]) -> list[ts.Node]:
        checks = []
        if "minLength" in schema:
            checks.append(_call("z.minLength", str(schema["minLength"])))
        if "maxLength" in schema:
            checks.append(_call("z.maxLength", str(schema["maxLength"])))
        if "pattern" in schema:
            checks.append(_call("z.regex", regex_literal(schema["pattern"])))
        return checks

    def field(self, field: Field) -> ts.Node:
        if field.type is T.ENUM and field.enum.name in self.enums:
            return ts.text(self.enums[field.enum.name])  # its exported schema
        schema = field_schema(field)
        if "enum" in schema:
            return ts.call("z.enum", [ts.arr([ts.text(ts.string(v)) for v in schema["enum"]])])
        kind = schema["type"]
        if isinstance(kind, list):  # a json field: any JSON value but null
            return _call("z.json().refine", "(value) => value !== null")
        if kind == "string":
            fmt = schema.get("format")
            if schema.get("contentEncoding") == "base64":
                return _call("z.base64")
            if fmt == "date":
                return _call("z.iso.date")
            if fmt == "date-time":
                return ts.call("z.iso.datetime", [ts.obj([("offset", ts.text("true"))])])
            checks = self.string_checks(schema)
            if field.type is T.DECIMAL:
                checks += self.decimal_bounds(field)
            return _checks("string", checks)
        if kind == "boolean":
            return _call("z.boolean")
        checks = []
        integer = kind == "integer"
        for key, check in (("minimum", "z.gte"), ("maximum", "z.lte")):
            if key in schema:
                value = schema[key]
                if integer and abs(value) > SAFE:
                    continue  # z.int() keeps to the safe integers already
                checks.append(_call(check, _number(value)))
        return _checks("int" if integer else "number", checks)

    def decimal_bounds(self, field: Field) -> list[ts.Node]:
        """The bounds of a decimal, which its pattern cannot say (the OpenAPI description
        and the Pydantic models do): compared as numbers, the text already has the scale."""
        checks = []
        for bound, op, word in ((field.minimum, ">=", "at least"),
                                (field.maximum, "<=", "at most")):
            if bound is None or (op == ">=" and bound == 0):  # no sign: the pattern says it
                continue
            text = _number(bound)
            checks.append(ts.call("z.refine", [
                ts.text(f"(text) => Number(text) {op} {text}", simple=False),
                ts.text(ts.string(f"{word} {text}"))]))
        return checks

    def keys(self, keys: FieldShape) -> tuple[str, ts.Node]:
        """The record function and the key schema of a map (``propertyNames``)."""
        schema = key_schema(keys)
        if "enum" in schema:
            return "z.partialRecord", ts.call("z.enum", [ts.arr(
                [ts.text(ts.string(str(v))) for v in schema["enum"]])])
        return "z.record", _checks("string", self.string_checks(schema))

    def shape(self, shape: Shape) -> ts.Node:
        if isinstance(shape, FieldShape):
            node = self.field(shape.field)
        elif isinstance(shape, SchemaRef):
            node = ts.text(shape.name) if shape.name in self.defined else \
                ts.call("z.lazy", [ts.arrow("()", ts.text(shape.name))])
        elif isinstance(shape, ObjectShape):
            node = self.object(shape)
        elif isinstance(shape, ListShape):
            checks = [] if shape.max_items is None else \
                [_call("z.maxLength", str(shape.max_items))]
            node = _checks("array", checks, [self.shape(shape.items)])
        elif isinstance(shape, MapShape):
            function, key = self.keys(shape.keys)
            node = ts.call(function, [key, self.shape(shape.values)])
        else:  # pragma: no cover - the Shape union is closed
            raise TypeError(shape)
        return ts.call("z.nullable", [node]) if shape.nullable else node

    def object(self, shape: ObjectShape) -> ts.Node:
        props = []
        for name, sub in shape.properties:
            node = self.shape(sub)
            if sub.optional:
                node = ts.call("z.optional", [node])
            props.append((_key(name), node))
        return ts.call("z.strictObject", [ts.obj(props)])


def _jsdoc(text: str | None) -> list[str]:
    if not text:
        return []
    lines = [line.replace("*/", "*\\/").rstrip() for line in text.splitlines()]
    if len(lines) == 1:
        return [f"/** {lines[0]} */"]
    return ["/**", *(f" * {line}".rstrip() for line in lines), " */"]


def _declaration(name: str, node: ts.Node, description: str | None) -> str:
    doc = [f"export const {name} = ", node.doc, ";"]
    lines = _jsdoc(description)
    const = ts.render(doc)
    alias = ts.render(ts.group(f"export type {name} =",
                               ts.indent(ts.LINE, f"z.infer<typeof {name}>;")))
    return "\n".join([*lines, const, alias])


def _envelopes() -> list[tuple[str, ts.Node, str]]:
    success = ts.call("z.strictObject", [ts.obj([("success", _call("z.literal", "true"))])])
    error = ts.call("z.strictObject", [ts.obj([("error", _call("z.string"))])])
    return [(SUCCESS, success, "The request succeeded."),
            (ERROR, error, "The request failed; the message says why.")]


def render(spec: Spec, options: ZodOptions, provenance: Provenance) -> str:
    api = spec.api
    if api is None:
        raise UsageError(f"{spec.shown_path} has no 'api' section: there is no HTTP API "
                         "to describe")
    builder = _Builder(api)
    blocks: list[str] = []
    names: set[str] = set()

    def add(name: str, node_of, description: str | None) -> None:
        if name in names:
            raise UsageError(f"the schema name '{name}' is used twice; rename one of them")
        names.add(name)
        node = node_of()
        builder.defined.add(name)
        blocks.append(_declaration(name, node, description))

    # Each enum component first: z.enum of its values, which the properties use.
    for enum in api_enums(api):
        values = ts.arr([ts.text(ts.string(v)) for v in enum.values])
        add(enum_components(api)[enum.name], lambda v=values: ts.call("z.enum", [v]),
            enum.description)
    builder.enums = enum_components(api)
    for named in _ordered(api):
        add(named.name, lambda n=named: builder.shape(n.shape),
            named.description or named.shape.description)
    for endpoint in api.endpoints:
        if endpoint.body is not None:
            add(body_name(endpoint), lambda e=endpoint: builder.object(e.body),
                f"Request body of {endpoint.name}.")
    for name, node, description in _envelopes():
        add(name, lambda n=node: n, description)
    header = provenance.header("//")
    return header + '\nimport { z } from "zod";\n\n' + "\n\n".join(blocks) + "\n"


def _ordered(api: Api) -> list:
    """Named schemas, each after the schemas it uses (a cycle keeps the spec's order and is
    broken by ``z.lazy``)."""
    by_name = {named.name: named for named in api.schemas}
    done: list = []
    seen: set[str] = set()

    def uses(shape: Shape) -> list[str]:
        if isinstance(shape, SchemaRef):
            return [shape.name]
        if isinstance(shape, ObjectShape):
            return [n for _, sub in shape.properties for n in uses(sub)]
        if isinstance(shape, ListShape):
            return uses(shape.items)
        if isinstance(shape, MapShape):
            return uses(shape.values)
        return []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in seen or name in path or name not in by_name:
            return
        for used in uses(by_name[name].shape):
            visit(used, (*path, name))
        if name not in seen:
            seen.add(name)
            done.append(by_name[name])

    for named in api.schemas:
        visit(named.name, ())
    return done


emitter = Emitter(
    name="zod",
    description="Zod 4 schemas of the API bodies, responses and named schemas, with their "
                "inferred TypeScript types.",
    options=ZodOptions,
    render=render,
    filename=lambda options: "schemas.zod.ts",
    needs_api=True,
)
