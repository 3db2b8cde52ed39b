"""Validate a spec document against the spec format's JSON Schema, with one-line messages.

The schema (``spec/vigilo-spec.schema.json``) is the single description of the format's shape;
editors use the same file for completion. jsonschema's own messages are written for schema
authors, so each error kind is translated into a sentence for spec authors, pointing at the
key or value it is about.
"""

from __future__ import annotations

import json
import re
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

# Type names from other tools' vocabularies (SQL dialects, Prisma, Drizzle, SQLAlchemy, JSON
# Schema, ORMs) -> what to write instead. A closest-spelling guess is wrong for these (uuid is
# not always an id, serial is no decimal, a time of day is no datetime), so the words people
# bring along are a table: one line per meaning, looked up case-insensitively, without the
# parameters (varchar(255) is varchar).
_SYNONYM_HINTS: dict[str, tuple[str, ...]] = {
    "use 'id' for a primary key, a uuid the application generates; for another uuid column "
    "'uuid'":
        ("guid", "uniqueidentifier", "objectid"),
    "use 'int' with primaryKey: true and default: autoincrement (an identity key)":
        ("serial", "serial4", "smallserial", "serial2", "autoincrement", "autofield",
         "increments"),
    "use 'bigint' with primaryKey: true and default: autoincrement (an identity key)":
        ("bigserial", "serial8", "bigautofield", "bigincrements"),
    "use 'int'": ("integer", "int4", "int32", "smallint", "int2", "int16", "tinyint",
                  "mediumint"),
    "use 'bigint'": ("int8", "int64", "long", "biginteger"),
    "use 'datetime', a timestamp with time zone":
        ("timestamp", "timestamptz", "timestamp with time zone", "timestamp without time zone",
         "datetime2", "datetimeoffset", "smalldatetime", "instant", "zoneddatetime"),
    "there is no time-of-day or interval type: use 'string' with a pattern such as "
    "'^([01][0-9]|2[0-3]):[0-5][0-9]$', or 'int' for seconds":
        ("time", "timetz", "time with time zone", "time without time zone", "interval",
         "duration", "localtime"),
    "use 'string' with maxLength": ("varchar", "char", "character", "character varying",
                                     "nvarchar", "nchar", "varchar2", "nvarchar2", "str",
                                     "citext", "email", "url"),
    "use 'text'": ("clob", "nclob", "longtext", "mediumtext", "tinytext", "ntext",
                   "unicodetext"),
    "use 'json', any JSON document (JSONB on PostgreSQL)":
        ("jsonb", "object", "map", "dict", "variant", "super"),
    "use 'bool'": ("boolean", "bit", "logical"),
    "use 'float', a double-precision number":
        ("double", "double precision", "real", "float4", "float8", "float64", "number",
         "binary_double"),
    "use 'decimal' with precision and scale": ("numeric", "money", "bigdecimal"),
    "use 'ref' with to: <Model>": ("reference", "references", "relation", "foreignkey",
                                   "foreign_key", "fk", "belongsto", "belongs_to", "manytoone",
                                   "many2one"),
    "use 'enum' with enum: <Enum>": ("enumeration", "choice", "choices"),
    "use 'bytes', binary data (BYTEA, LONGBLOB, BLOB)":
        ("blob", "bytea", "binary", "varbinary", "longblob", "largebinary", "image", "buffer"),
    "there is no array type: a list is a model of its own with a 'ref' to its owner":
        ("array", "list"),
}
TYPE_SYNONYMS: dict[str, str] = {word: hint for hint, words in _SYNONYM_HINTS.items()
                                 for word in words}


def type_hint(value: object, types: list[str]) -> str:
    """The hint for an unknown field type: a synonym from another tool's vocabulary first,
    then the closest spelling, then the list of types."""
    text = str(value).strip().lower()
    word = re.sub(r"\s*\(.*\)\s*$", "", text)  # varchar(255) -> varchar
    word = re.sub(r"\s+", " ", word)
    if word in TYPE_SYNONYMS:
        return TYPE_SYNONYMS[word]
    if word in types and word != text:
        return f"write type: {word} and its size as options (maxLength, precision, scale)"
    return did_you_mean(str(value), types) or "one of: " + ", ".join(types)


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
        hint = None
        if "string" in wanted and isinstance(value, bool):
            hint = f"quote it: '{source.written(path) or str(value).lower()}'"
        return source.error(path, f"{where} must be {names}, not {_type_name(value)}", hint)
    if kind == "enum":
        options = [str(o) for o in error.validator_value]
        is_type = len(path) >= 3 and path[-3] == "fields" and path[-1] == "type"
        hint = type_hint(value, options) if is_type else \
            did_you_mean(str(value), options) or "one of: " + ", ".join(options)
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
        if error.validator_value > 1 and value:  # a composite key or reference of one field
            return source.error(path, f"{where} needs at least {error.validator_value} "
                                      "entries")
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


def _restore_words(errors, data: Any, source: SourceMap) -> bool:
    """Where the schema expects a string and YAML 1.1 read a yes/no/on/off as a boolean, put
    the word back as written (in ``data``). Whether anything was put back."""
    restored = False
    pending = list(errors)
    while pending:
        error = pending.pop()
        pending.extend(error.context or ())
        if error.validator != "type" or not isinstance(error.instance, bool):
            continue
        wanted = error.validator_value
        if "string" not in (wanted if isinstance(wanted, list) else [wanted]):
            continue
        path = tuple(error.absolute_path)
        word = source.yaml11_word(path)
        if word is None or not path:
            continue
        holder = data
        for step in path[:-1]:
            holder = holder[step]
        if isinstance(holder[path[-1]], bool):
            holder[path[-1]] = word
            restored = True
    return restored


def validate_document(data: Any, source: SourceMap) -> list[Diagnostic]:
    if not isinstance(data, dict):
        return [source.error((), f"the spec must be a mapping at the top level, not "
                                 f"{_type_name(data)}")]
    quick = _quick_check()
    if quick is not None and quick(data):  # certainly valid: skip jsonschema (see schemacheck)
        return []
    import jsonschema  # imported here: finding and wording errors is its only use

    validator = jsonschema.Draft202012Validator(format_schema())
    if _restore_words(validator.iter_errors(data), data, source):
        return validate_document(data, source)  # once more, with the words read as words
    diagnostics = []
    for error in validator.iter_errors(data):
        diagnostics.extend(_messages(error, source))
        if len(diagnostics) >= MAX_ERRORS:
            break
    unique = {(d.position, d.message): d for d in diagnostics}
    return sorted(unique.values(), key=lambda d: d.position)
