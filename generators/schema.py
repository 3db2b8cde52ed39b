"""Validate a spec document against the spec format's JSON Schema, with one-line messages.

The schema (``spec/vigilo-spec.schema.json``) is the single description of the format's shape;
editors use the same file for completion. jsonschema's own messages are written for schema
authors, so each error kind is translated into a sentence for spec authors, pointing at the
key or value it is about.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from .errors import Diagnostic, did_you_mean
from .yamlsource import SourceMap

SCHEMA_FILE = "vigilo-spec.schema.json"
MAX_ERRORS = 20

_JSON_TYPES = {
    "object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
    "number": "a number", "boolean": "true or false", "null": "null",
}
_PATTERN_MEANINGS = {
    "^[A-Za-z_][A-Za-z0-9_]*$": "a name of letters, digits and '_' that does not start with a "
                                "digit",
    "^[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*$": "a field reference 'Model.field'",
}


@lru_cache(maxsize=1)
def format_schema() -> dict[str, Any]:
    text = resources.files("vigilo_gen.bundled").joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


def _type_name(value: Any) -> str:
    for python_type, name in ((bool, "true/false"), (int, "an integer"), (float, "a number"),
                              (str, "a string"), (list, "a list"), (dict, "a mapping")):
        if isinstance(value, python_type):
            return name
    return "null" if value is None else type(value).__name__


def _is_json_type(value: Any, json_type: str) -> bool:
    python_types = {"object": dict, "array": list, "string": str, "boolean": bool}
    return isinstance(value, python_types.get(json_type, ()))


def _choose(error) -> list:
    """For a oneOf failure, the errors of the branch that best explains what the author meant
    (every one of them: a mapping with two unknown keys is told about both)."""
    if error.validator != "oneOf" or not error.context:
        return [error]
    instance = error.instance
    branches: dict[int, list] = {}
    for sub in error.context:
        branches.setdefault(sub.schema_path[0], []).append(sub)
    best = None
    for index, subs in sorted(branches.items()):
        schema = error.validator_value[index]
        want = schema.get("type")
        if want == "string" and isinstance(instance, str) or \
           want == "array" and isinstance(instance, list):
            best = subs
            break
        if want == "object" and isinstance(instance, dict):
            required = schema.get("required", [])
            if all(key in instance for key in required):
                best = subs
                break
    if best is None:
        return [error]
    return [chosen for sub in sorted(best, key=lambda e: (-len(e.path), str(e.message)))
            for chosen in _choose(sub)]


def _messages(error, source: SourceMap) -> list[Diagnostic]:
    """Every diagnostic one jsonschema error stands for: an object with two unknown keys or two
    missing ones gives two lines, each pointing at its own key."""
    result = []
    for chosen in _choose(error):
        value, schema = chosen.instance, chosen.schema
        path = tuple(chosen.absolute_path)
        where = ".".join(str(p) for p in path) or "the spec"
        if chosen.validator == "additionalProperties" and isinstance(value, dict):
            known = set(schema.get("properties", {}))
            for extra in (k for k in value if k not in known):
                result.append(source.error((*path, extra), f"unknown key '{extra}' in {where}",
                                           did_you_mean(extra, known), at_key=True))
            continue
        if chosen.validator == "required" and isinstance(value, dict):
            for missing in (k for k in chosen.validator_value if k not in value):
                result.append(source.error(path, f"{where} is missing the required key "
                                                 f"'{missing}'", at_key=True))
            continue
        result.append(_message(chosen, source))
    return result


def _message(error, source: SourceMap) -> Diagnostic:
    path = tuple(error.absolute_path)
    kind = error.validator
    value = error.instance
    where = ".".join(str(p) for p in path) or "the spec"
    if kind == "type":
        wanted = error.validator_value
        wanted = wanted if isinstance(wanted, list) else [wanted]
        names = " or ".join(_JSON_TYPES.get(w, w) for w in wanted)
        return source.error(path, f"{where} must be {names}, not {_type_name(value)}")
    if kind == "enum":
        options = [str(o) for o in error.validator_value]
        hint = did_you_mean(str(value), options) or "one of: " + ", ".join(options)
        noun = "field type" if path and path[-1] == "type" else "value"
        return source.error(path, f"unknown {noun} {value!r} in {where}", hint)
    if kind == "const":
        return source.error(path, f"{where} must be {error.validator_value!r}, not {value!r}")
    if kind == "pattern":
        meaning = _PATTERN_MEANINGS.get(error.validator_value,
                                        f"text matching {error.validator_value}")
        # propertyNames errors carry the key as instance and the mapping as path.
        if "propertyNames" in error.absolute_schema_path:
            return source.error((*path, value), f"name {value!r} must be {meaning}",
                                at_key=True)
        return source.error(path, f"{value!r} in {where} must be {meaning}")
    if "propertyNames" in error.absolute_schema_path:  # about a key: point at the key
        return source.error((*path, value), f"name {value!r}: {error.message}", at_key=True)
    if kind in ("minItems", "minProperties"):
        return source.error(path, f"{where} must not be empty")
    if kind in ("minimum", "maximum", "minLength", "maxLength", "maxItems"):
        return source.error(path, f"{where}: {error.message}")
    if kind == "oneOf":
        wanted = [b.get("type") for b in error.validator_value]
        if all(wanted) and not any(_is_json_type(value, w) for w in wanted):
            names = " or ".join(dict.fromkeys(_JSON_TYPES.get(w, w) for w in wanted))
            return source.error(path, f"{where} must be {names}, not {_type_name(value)}")
        return source.error(path, f"{where} is not a valid definition")
    return source.error(path, f"{where}: {error.message}")


@lru_cache(maxsize=1)
def _quick_check():
    from .schemacheck import compile_schema

    return compile_schema(format_schema())


def validate_document(data: Any, source: SourceMap) -> list[Diagnostic]:
    if not isinstance(data, dict):
        return [source.error((), f"the spec must be a mapping at the top level, not "
                                 f"{_type_name(data)}")]
    quick = _quick_check()
    if quick is not None and quick(data):  # certainly valid: skip jsonschema (see schemacheck)
        return []
    import jsonschema  # imported here: finding and wording errors is its only use

    validator = jsonschema.Draft202012Validator(format_schema())
    diagnostics = []
    for error in validator.iter_errors(data):
        diagnostics.extend(_messages(error, source))
        if len(diagnostics) >= MAX_ERRORS:
            break
    unique = {(d.position, d.message): d for d in diagnostics}
    return sorted(unique.values(), key=lambda d: d.position)
