"""OpenAPI 3.1 document of the spec's HTTP API (JSON by default, ``--format yaml``).

``build_document(spec, provenance)`` is the single source of every API schema: this emitter
serialises it, and the ``pydantic`` emitter feeds the same document to datamodel-code-generator.

Choices (each fact is written once in the spec and read from the Spec model here):
- A property typed by a model field carries every constraint of that field: enum values,
  minimum/maximum, minLength/maxLength, pattern. ``optional`` -> not in ``required``;
  ``nullable`` -> ``type: [T, "null"]`` (or ``anyOf [..., null]`` for enums and references).
- Objects reject unknown keys (``additionalProperties: false``): a misspelt key is an error,
  not a silently ignored value. The Pydantic models agree (``extra="forbid"``).
- int/bigint: ``integer`` with format int32/int64 and the type's own bounds where the spec
  gives none, so every consumer rejects a value the database column cannot hold; a bigint is
  bounded by +-(2**53 - 1) as well, the integers a JSON number carries exactly to JavaScript
  (``API_INT_BOUNDS``; the column keeps its 64 bits for other writers).
- decimal: a *string* (exact; a JSON number would be read as a binary float) whose pattern
  allows at most precision-scale integer digits and scale fraction digits, and no minus sign
  when the minimum is >= 0. Other bounds of a decimal cannot be written on a string: the
  property's description says so (the database CHECK still enforces them).
- id/ref: ``string``, format uuid, maxLength 36 and the hyphenated uuid pattern.
  date/datetime: format date / date-time.
- Each enum a body or schema uses is one component (its name, or ``<Name>Enum`` where a
  schema, a body or an envelope has that name) with its description and values; properties
  ``$ref`` it, so generators make one named type of it (datamodel-code-generator, openapi-ts).
  Path parameters and map keys keep their values inline. Database defaults are not API
  defaults and are not written.
- Named schemas (``api.schemas``) are components; so is each request body
  (``<OperationId>Body``) and the ``Success`` / ``Error`` envelopes of the protocol.
- Map keys: ``propertyNames`` (integers as their decimal text, enums as their values).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from vigilo_gen import naming
from vigilo_gen.emitter import Emitter, Provenance, option
from vigilo_gen.errors import UsageError
from vigilo_gen.model import (
    ID_LENGTH,
    INT_BOUNDS,
    Api,
    Endpoint,
    Enum,
    Field,
    FieldShape,
    FieldType,
    ListShape,
    MapShape,
    ObjectShape,
    SchemaRef,
    Shape,
    Spec,
    api_int_bounds,
)

OPENAPI_VERSION = "3.1.0"
JSON_MEDIA = "application/json"
SCHEMAS = "#/components/schemas/"
SUCCESS, ERROR = naming.ENVELOPES

T = FieldType
# The text form of a uuid, hyphens included: the format says what it is, the pattern makes every
# validator check it (format assertion is optional in JSON Schema 2020-12).
_ID_SCHEMA = {
    "type": "string",
    "format": "uuid",
    "maxLength": ID_LENGTH,
    "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
}

# FieldType -> the JSON Schema of its values, before the field's own constraints.
TYPE_SCHEMAS: dict[FieldType, dict[str, Any]] = {
    T.ID: _ID_SCHEMA,
    T.REF: _ID_SCHEMA,
    T.STRING: {"type": "string"},
    T.TEXT: {"type": "string"},
    T.INT: {"type": "integer", "format": "int32"},
    T.BIGINT: {"type": "integer", "format": "int64"},
    T.FLOAT: {"type": "number", "format": "double"},
    T.DECIMAL: {"type": "string"},
    T.BOOL: {"type": "boolean"},
    T.DATE: {"type": "string", "format": "date"},
    T.DATETIME: {"type": "string", "format": "date-time"},
    T.ENUM: {"type": "string"},
    # Any JSON document but null (a null is the field's nullability, as for every type).
    T.JSON: {"type": ["object", "array", "string", "number", "boolean"]},
    T.UUID: {k: v for k, v in _ID_SCHEMA.items()},
    # The bytes as base64 text (RFC 4648), the way JSON Schema 2020-12 says binary in a string.
    T.BYTES: {"type": "string", "contentEncoding": "base64"},
}

# Example values of the types whose valid values a generic rule cannot pick otherwise.
TYPE_EXAMPLES: dict[FieldType, Any] = {
    T.ID: "0b6f7e1c-2d4a-4c9e-9f3b-5a7d8e6c1b2a",
    T.REF: "0b6f7e1c-2d4a-4c9e-9f3b-5a7d8e6c1b2a",
    T.BOOL: False,
    T.DATE: "2024-01-31",
    T.DATETIME: "2024-01-31T12:00:00.000Z",
    T.JSON: {"any": ["JSON", 1, True]},
    T.UUID: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    T.BYTES: "AAEC/w==",
}

# Auth scheme of the spec -> OpenAPI security scheme (name, object).
SECURITY_SCHEMES: dict[str, tuple[str, dict[str, str]]] = {
    "bearer": ("bearerAuth", {"type": "http", "scheme": "bearer"}),
}

# Error responses: status -> (component name, description). The body is the Error envelope.
ERROR_RESPONSES: dict[str, tuple[str, str]] = {
    "400": ("BadRequest", "The request is malformed: a parameter or the body is invalid."),
    "401": ("Unauthorized", "A bearer token is required and was missing or rejected."),
    "404": ("NotFound", "Nothing is stored for this key."),
    "409": ("Conflict", "The write conflicts with stored rows (a unique key is taken)."),
    "413": ("PayloadTooLarge", "The body is larger than the server accepts."),
    "415": ("UnsupportedMediaType", "The body is not JSON."),
    "500": ("InternalError", "The server failed to complete the request."),
}


@dataclass(frozen=True)
class Options:
    format: str = option("json", "Output format.", choices=("json", "yaml"))


# --- schemas ------------------------------------------------------------------------------


def _ref(name: str) -> dict[str, str]:
    return {"$ref": SCHEMAS + name}


def _number(value: int | float) -> int | float:
    """Whole floats as ints, so ``0.0`` and ``0`` read the same in every output."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def decimal_pattern(field: Field) -> str:
    """At most precision-scale integer digits and scale fraction digits; no sign if min >= 0;
    an integral max (or min below zero) bounds the text too (``1000000`` and not above)."""
    whole, scale = (field.precision or 0) - (field.scale or 0), field.scale or 0
    fraction = rf"(\.[0-9]{{1,{scale}}})?" if scale else ""
    low, high = field.minimum, field.maximum
    if high is None and (low is None or low >= 0):
        sign = "" if low is not None else "-?"
        integer = "0" if whole <= 0 else \
            ("0|[1-9]" if whole == 1 else f"0|[1-9][0-9]{{0,{whole - 1}}}")
        return f"^{sign}({integer}){fraction}$"
    widest = 10 ** max(whole, 0) - 1
    zeros = rf"(\.0{{1,{scale}}})?" if scale else ""

    def up_to(limit: float | int | None) -> str:
        """Texts of the magnitudes from 0 to ``limit``, in the column's digits."""
        if limit is None or limit > widest:
            return f"({_up_to(widest)}){fraction}"
        top = int(limit)
        if limit != top:  # a fractional bound: the pattern keeps the whole part only
            return f"({_up_to(top)}){fraction}"
        below = f"({_up_to(top - 1)}){fraction}|" if top >= 1 else ""
        return f"{below}{top}{zeros}"

    options = [] if high is not None and high < 0 else [up_to(high)]
    if low is None or low < 0:
        options.append(f"-({up_to(None if low is None else -low)})")
    return "^(" + "|".join(options) + ")$"


def field_schema(field: Field) -> dict[str, Any]:
    """The JSON Schema of a field's non-null values, with every constraint of the field."""
    schema = dict(TYPE_SCHEMAS[field.value_type])
    if field.enum is not None:
        schema["enum"] = list(field.enum.values)
    if field.value_type in (T.STRING, T.TEXT):
        if field.min_length is not None:
            schema["minLength"] = field.min_length
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        if field.pattern is not None:
            schema["pattern"] = field.pattern
    if field.value_type in INT_BOUNDS:
        schema["minimum"], schema["maximum"] = api_int_bounds(field)
    elif field.value_type is T.FLOAT:
        if field.minimum is not None:
            schema["minimum"] = _number(field.minimum)
        if field.maximum is not None:
            schema["maximum"] = _number(field.maximum)
    elif field.type is T.DECIMAL:
        schema["pattern"] = decimal_pattern(field)
    return schema


def _decimal_note(field: Field) -> str | None:
    """The bounds of a decimal that its string pattern cannot say (JSON Schema has no
    numeric bounds on strings)."""
    low = field.minimum if field.minimum is not None and field.minimum != 0 else None
    if low is None and field.maximum is None:
        return None
    parts = [f">= {_number(low)}" if low is not None else "", f"<= {_number(field.maximum)}"
             if field.maximum is not None else ""]
    return "Decimal sent as a string; the server also requires it " + \
        " and ".join(p for p in parts if p) + "."


def _up_to(limit: int) -> str:
    """A regex of the decimal texts of 0..limit (no leading zeros), e.g. 0..2147483647."""
    digits = str(limit)
    options = ["0"] if limit >= 0 else []
    if len(digits) > 2:
        options.append(f"[1-9][0-9]{{0,{len(digits) - 2}}}")
    elif len(digits) == 2:
        options.append("[1-9]")
    # As many digits as the limit: a smaller digit at some place, anything after it.
    for place, digit in enumerate(digits):
        low = "1" if place == 0 else "0"
        high = int(digit) - 1
        if high >= int(low):
            rest = len(digits) - place - 1
            span = low if high == int(low) else f"[{low}-{high}]"
            options.append(digits[:place] + span + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(digits)
    return "|".join(dict.fromkeys(o for o in options if o))


def int_range_pattern(low: int, high: int) -> str:
    """The pattern of an integer map key's text (JSON keys are strings): exactly the texts of
    low..high when the range holds 0; of 0..high when low is positive, of low..-1 when high is
    negative (a pattern for a bound away from 0 would be long: the server checks it)."""
    parts = [_up_to(high)] if high >= 0 else []
    if low < 0:
        parts.append(f"-({_up_to(-low)})".replace("-(0|", "-("))
    return f"^({'|'.join(parts)})$"


def key_schema(keys: FieldShape) -> dict[str, Any]:
    """``propertyNames`` of a map: JSON keys are strings, so integers are matched as text."""
    field = keys.field
    if field.value_type in INT_BOUNDS:
        return {"pattern": int_range_pattern(*api_int_bounds(field))}
    schema = field_schema(field)
    schema.pop("type", None)
    return schema


def _with_null(schema: dict[str, Any]) -> dict[str, Any]:
    """Let ``null`` through as well: in the type list where possible, else ``anyOf``."""
    if isinstance(schema.get("type"), str) and "enum" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    if isinstance(schema.get("type"), list):  # a json field's several types
        return {**schema, "type": [*schema["type"], "null"]}
    description = schema.pop("description", None)
    wrapped: dict[str, Any] = {"anyOf": [schema, {"type": "null"}]}
    if description is not None:
        wrapped = {"description": description, **wrapped}
    return wrapped


def shape_schema(shape: Shape, enums: dict[str, str] | None = None) -> dict[str, Any]:
    """The JSON Schema of a value of ``shape`` (its optionality is the parent's business).
    ``enums``: enum name -> its component, for a ``$ref`` (else the values are inlined)."""
    description = shape.description
    enums = enums or {}
    if isinstance(shape, FieldShape) and shape.field.type is T.ENUM \
            and shape.field.enum.name in enums:
        schema = _ref(enums[shape.field.enum.name])
    elif isinstance(shape, FieldShape):
        schema = field_schema(shape.field)
        if shape.field.type is T.DECIMAL:
            note = _decimal_note(shape.field)
            description = f"{description} {note}" if description and note else description or note
    elif isinstance(shape, SchemaRef):
        schema = _ref(shape.name)
    elif isinstance(shape, ObjectShape):
        schema = object_schema(shape, enums)
    elif isinstance(shape, ListShape):
        schema = {"type": "array", "items": shape_schema(shape.items, enums)}
        if shape.max_items is not None:
            schema["maxItems"] = shape.max_items
    elif isinstance(shape, MapShape):
        schema = {"type": "object", "propertyNames": key_schema(shape.keys),
                  "additionalProperties": shape_schema(shape.values, enums)}
    else:  # pragma: no cover - the Shape union is closed
        raise TypeError(shape)
    if description:
        schema = {"description": description, **schema}
    return _with_null(schema) if shape.nullable else schema


def object_schema(shape: ObjectShape, enums: dict[str, str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: shape_schema(sub, enums) for name, sub in shape.properties},
    }
    required = [name for name, sub in shape.properties if not sub.optional]
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def enum_components(api: Api) -> dict[str, str]:
    """Enum name -> its component's name: the enum's, with "Enum" after it while a named
    schema, a body or an envelope has that name."""
    taken = {n.name for n in api.schemas} | {SUCCESS, ERROR} | {
        body_name(e) for e in api.endpoints if e.body is not None}
    names: dict[str, str] = {}
    for enum in api_enums(api):
        name = enum.name
        while name in taken:
            name += "Enum"
        names[enum.name] = name
        taken.add(name)
    return names


def api_enums(api: Api) -> list[Enum]:
    """The enums the API's bodies and schemas use, in first-use order."""
    found: dict[str, Enum] = {}

    def walk(shape: Shape) -> None:
        if isinstance(shape, FieldShape) and shape.field.type is T.ENUM:
            found.setdefault(shape.field.enum.name, shape.field.enum)
        elif isinstance(shape, ObjectShape):
            for _name, sub in shape.properties:
                walk(sub)
        elif isinstance(shape, ListShape):
            walk(shape.items)
        elif isinstance(shape, MapShape):
            walk(shape.values)

    for named in api.schemas:
        walk(named.shape)
    for endpoint in api.endpoints:
        if endpoint.body is not None:
            walk(endpoint.body)
    return list(found.values())


def body_name(endpoint: Endpoint) -> str:
    """Component name of an endpoint's request body: ``saveLineColor`` -> ``SaveLineColorBody``."""
    return naming.body_component(endpoint.name)


def component_schemas(api: Api) -> dict[str, dict[str, Any]]:
    """Every schema of the API by component name: named schemas, bodies, the envelopes."""
    components: dict[str, dict[str, Any]] = {}
    owners: dict[str, str] = {}

    def add(name: str, schema: dict[str, Any], owner: str) -> None:
        if name in components:
            raise UsageError(f"the OpenAPI component name '{name}' is used by both "
                             f"{owners[name]} and {owner}; rename one of them")
        components[name], owners[name] = schema, owner

    enums = api_enums(api)
    names = enum_components(api)
    for named in api.schemas:
        schema = shape_schema(named.shape, names)
        if named.description and "description" not in schema:
            schema = {"description": named.description, **schema}
        add(named.name, schema, f"schema '{named.name}'")
    for endpoint in api.endpoints:
        if endpoint.body is not None:
            body = {"description": f"Request body of {endpoint.name}.",
                    **object_schema(endpoint.body, names)}
            add(body_name(endpoint), body, f"the body of endpoint '{endpoint.name}'")
    for enum in enums:
        schema = {"type": "string", "enum": list(enum.values)}
        if enum.description:
            schema = {"description": enum.description, **schema}
        add(names[enum.name], schema, f"enum '{enum.name}'")
    add(SUCCESS, {
        "description": "The request succeeded.",
        "type": "object",
        "properties": {"success": {"const": True}},
        "required": ["success"],
        "additionalProperties": False,
    }, "the success envelope")
    add(ERROR, {
        "description": "The request failed; the message says why.",
        "type": "object",
        "properties": {"error": {"type": "string"}},
        "required": ["error"],
        "additionalProperties": False,
    }, "the error envelope")
    return components


# --- examples -----------------------------------------------------------------------------

_OMIT = object()  # an optional property left out of an example (it would recurse forever)

try:  # the stdlib regex parser: Python 3.11+ name, then the older one
    from re import _parser as _sre  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre  # type: ignore[no-redef]


def _regex_sample(pattern: str, extra: int) -> str | None:
    """A short string matching ``pattern`` (first alternative, first class member, minimum
    repetitions plus ``extra``), or None for constructs this sampler does not know."""
    c = _sre  # constants live on the parser module
    out: list[str] = []

    def walk(items) -> bool:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "ANY":
                out.append("a")
            elif name == "NOT_LITERAL":  # [^@]: the parser's word for a one-character negation
                out.append(next(ch for ch in _NEGATED_CLASS_PICKS if ch != chr(arg)))
            elif name == "IN":
                choice = _class_member(arg)
                if choice is None:
                    return False
                out.append(choice)
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, sub = arg
                count = low + extra if high is c.MAXREPEAT or low + extra <= high else high
                count = max(count, low)
                for _ in range(count):
                    if not walk(sub):
                        return False
            elif name == "SUBPATTERN":
                if not walk(arg[-1]):
                    return False
            elif name == "BRANCH":
                if not walk(arg[1][0]):
                    return False
            elif name == "AT":
                continue
            else:
                return False
        return True

    return "".join(out) if walk(_sre.parse(pattern)) else None


# Tried, in order, for a negated class ([^@]): the first one it does not exclude (a space
# for [^\S], a non-ASCII letter for [^\x00-\x7f]).
_NEGATED_CLASS_PICKS = "aA0x_-. é"
_CATEGORY_TESTS = {
    "CATEGORY_DIGIT": str.isdigit, "CATEGORY_NOT_DIGIT": lambda ch: not ch.isdigit(),
    "CATEGORY_WORD": lambda ch: ch.isalnum() or ch == "_",
    "CATEGORY_NOT_WORD": lambda ch: not (ch.isalnum() or ch == "_"),
    "CATEGORY_SPACE": str.isspace, "CATEGORY_NOT_SPACE": lambda ch: not ch.isspace(),
}


def _in_class(ch: str, items) -> bool | None:
    """Whether ``ch`` is one of a (not negated) class's items; None for an item not known."""
    for op, arg in items:
        name = str(op)
        if name == "LITERAL" and ch == chr(arg):
            return True
        if name == "RANGE" and arg[0] <= ord(ch) <= arg[1]:
            return True
        if name == "CATEGORY":
            test = _CATEGORY_TESTS.get(str(arg))
            if test is None:
                return None
            if test(ch):
                return True
        elif name not in ("LITERAL", "RANGE"):
            return None
    return False


def _class_member(items) -> str | None:
    """First member of a character class, preferring a letter or digit; for a negated class
    the first of a few common characters it does not exclude; None when unsure."""
    if items and str(items[0][0]) == "NEGATE":
        excluded = [_in_class(ch, items[1:]) for ch in _NEGATED_CLASS_PICKS]
        if None in excluded:
            return None
        return next((ch for ch, out in zip(_NEGATED_CLASS_PICKS, excluded, strict=True)
                     if not out), None)
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            return None
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}.get(
                str(arg))
    return None


# Tried when the sampler cannot follow a pattern (negated classes and the like).
_FALLBACK_STRINGS = ("example", "a", "A", "0", "x1", "a-b", "a b", "a_b", "a.b", "@", "#")


def _string_example(field: Field) -> str:
    low = field.min_length or 0
    high = field.max_length if field.max_length is not None else 10**9
    if field.pattern is None:
        text = "example"
        text = text + "x" * max(0, low - len(text))
        return text[:high]
    candidates = [_regex_sample(field.pattern, extra) for extra in range(64)]
    candidates += [text + "x" * max(0, low - len(text)) for text in _FALLBACK_STRINGS]
    for text in candidates:
        if text is not None and low <= len(text) <= high and re.search(field.pattern, text):
            return text
    raise UsageError(f"cannot synthesize an example for pattern {field.pattern!r} of "
                     f"{field.name}; give the field a default")


def _numeric_example(field: Field) -> int | float:
    low, high = field.minimum, field.maximum
    bounds = INT_BOUNDS
    if field.value_type in bounds:
        low, high = api_int_bounds(field)
    value: int | float = 0
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high  # an int's bounds are whole (api_int_bounds), so the value is too
    return _number(value) if field.value_type in bounds else value


def field_example(field: Field) -> Any:
    """A valid value of ``field``: its default, else its first enum value, else a value that
    satisfies its range, length and pattern."""
    if field.literal_default is not None:
        value = field.literal_default
    elif field.enum is not None:
        return field.enum.values[0]
    elif field.value_type in TYPE_EXAMPLES:
        return TYPE_EXAMPLES[field.value_type]
    elif field.value_type in (T.STRING, T.TEXT):
        return _string_example(field)
    else:
        value = _numeric_example(field)
    if field.type is T.DECIMAL:
        return f"{value:.{field.scale or 0}f}"
    return value


def shape_example(api: Api, shape: Shape, seen: tuple[str, ...] = ()) -> Any:
    if isinstance(shape, FieldShape):
        return field_example(shape.field)
    if isinstance(shape, SchemaRef):
        if shape.name in seen:  # a recursive schema: stop where the shape allows it
            return None if shape.nullable else _OMIT
        return shape_example(api, api.schema(shape.name).shape, (*seen, shape.name))
    if isinstance(shape, ObjectShape):
        return object_example(api, shape, seen)
    if isinstance(shape, ListShape):
        item = shape_example(api, shape.items, seen)
        return [] if item is _OMIT or shape.max_items == 0 else [item]
    if isinstance(shape, MapShape):
        value = shape_example(api, shape.values, seen)
        return {} if value is _OMIT else {str(field_example(shape.keys.field)): value}
    raise TypeError(shape)  # pragma: no cover


def object_example(api: Api, shape: ObjectShape, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    example = {}
    for name, sub in shape.properties:
        value = shape_example(api, sub, seen)
        if value is _OMIT:
            if not sub.optional:
                raise UsageError(f"property '{name}' needs a value of a schema that contains "
                                 "itself; make it optional, nullable or a list")
            continue
        example[name] = value
    return example


# --- the document -------------------------------------------------------------------------


def _parameter(name: str, shape: FieldShape) -> dict[str, Any]:
    parameter: dict[str, Any] = {"name": name, "in": "path", "required": True}
    if shape.description:
        parameter["description"] = shape.description
    parameter["schema"] = field_schema(shape.field)
    return parameter


def _json_content(schema: dict[str, Any], example: Any = _OMIT) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not _OMIT:
        media["example"] = example
    return {JSON_MEDIA: media}


def _operation(spec: Spec, endpoint: Endpoint, security_name: str | None) -> dict[str, Any]:
    api = spec.api
    assert api is not None
    operation: dict[str, Any] = {"operationId": endpoint.name}
    if endpoint.tag:
        operation["tags"] = [endpoint.tag]
    if endpoint.summary:
        operation["summary"] = endpoint.summary
    if endpoint.description:
        operation["description"] = endpoint.description
    if endpoint.params:
        operation["parameters"] = [_parameter(name, shape) for name, shape in endpoint.params]
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": _json_content(_ref(body_name(endpoint)),
                                     object_example(api, endpoint.body)),
        }
    if endpoint.response is not None:
        ok = {"description": f"The {endpoint.response}.",
              "content": _json_content(_ref(endpoint.response))}
    else:
        ok = {"description": "Saved.", "content": _json_content(_ref(SUCCESS))}
    operation_plan = _plan(api, endpoint)
    success = str(operation_plan.status) if operation_plan else "200"
    responses: dict[str, Any] = {success: ok}
    for status in _error_statuses(endpoint, operation_plan, security_name):
        responses[status] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"}
    operation["responses"] = responses
    if security_name is not None:
        operation["security"] = ([{security_name: []}] if endpoint.auth_required
                                 else [{}, {security_name: []}])
    return operation


def _plan(api: Any, endpoint: Endpoint) -> Any:
    """The endpoint's operation plan, or None when no runtime can serve it."""
    try:
        return api.operation(endpoint.name)
    except KeyError:
        return None


def _error_statuses(endpoint: Endpoint, plan: Any, security_name: str | None) -> list[str]:
    """What a server may answer besides success: the plan's rules (docs/runtime.md)."""
    statuses = ["400"]
    if security_name is not None:  # a rejected token answers 401 even where none is needed
        statuses.append("401")
    if endpoint.not_found or (plan is not None and plan.may_be_missing):
        statuses.append("404")
    if plan is not None and plan.kind in ("write", "insert"):
        statuses.append("409")
    if endpoint.body is not None:
        statuses += ["413", "415"]
    statuses.append("500")
    return statuses


def build_document(spec: Spec, provenance: Provenance) -> dict[str, Any]:
    """The OpenAPI document as plain data, keys in a stable order."""
    api = spec.api
    if api is None:
        raise UsageError(f"{spec.shown_path} has no 'api' section: there "
                         "is no HTTP API to describe")
    security_name, scheme = SECURITY_SCHEMES[api.auth_scheme] if api.auth_scheme else (None, None)
    info: dict[str, Any] = {"title": spec.title, "version": spec.api_version}
    if spec.description:
        info["description"] = spec.description
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "x-generated-by": provenance.header_lines(),
        "info": info,
    }
    if api.base_path:
        document["servers"] = [{"url": api.base_path}]
    tags = list(dict.fromkeys(ep.tag for ep in api.endpoints if ep.tag))
    if tags:
        document["tags"] = [{"name": tag} for tag in tags]
    paths: dict[str, dict[str, Any]] = {}
    used_errors: set[str] = set()
    for endpoint in api.endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(
            spec, endpoint, security_name)
        used_errors.update(_error_statuses(endpoint, _plan(api, endpoint), security_name))
    document["paths"] = paths
    components: dict[str, Any] = {"schemas": component_schemas(api)}
    components["responses"] = {
        name: {"description": description, "content": _json_content(_ref(ERROR))}
        for status, (name, description) in ERROR_RESPONSES.items() if status in used_errors
    }
    if security_name is not None and scheme is not None:
        components["securitySchemes"] = {security_name: scheme}
    document["components"] = components
    return document


def render(spec: Spec, options: Options, provenance: Provenance) -> str:
    document = build_document(spec, provenance)
    if options.format == "yaml":
        import yaml

        body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
        return provenance.header("#") + body
    return json.dumps(document, indent=2) + "\n"


def filename(options: Options) -> str:
    return f"openapi.{options.format}"


emitter = Emitter(
    name="openapi",
    description="OpenAPI 3.1 document of the HTTP API (JSON or YAML).",
    options=Options,
    render=render,
    filename=filename,
    needs_api=True,
)
