"""A fast yes/no check of a document against the spec format's JSON Schema.

jsonschema is thorough but slow (~2 s for a 500-table spec, plus ~80 ms to import). Nearly
every spec a user runs is valid, and for a valid spec only the verdict matters. So the schema is
compiled once per process into plain Python closures that answer "certainly valid?"; only when
they say no does ``schema.validate_document`` run jsonschema, which then finds and words the
errors exactly as before.

The check is conservative by construction: a keyword it does not know makes the compiler give
up (every document then goes to jsonschema). Where it compiles, it answers as jsonschema does
(tests/test_schemacheck.py holds it to that on random schemas); a "no" to a valid document
would cost time, never a different result, but a "yes" to an invalid one would be a wrong
verdict, which is why ``enum`` and ``const`` compare as JSON does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords with no effect on validity.
_ANNOTATIONS = frozenset({"description", "title", "$schema", "$id", "$defs", "$comment",
                          "examples", "default", "deprecated", "readOnly", "writeOnly"})


class Unsupported(Exception):
    """The schema uses something this compiler does not handle; fall back to jsonschema."""


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or isinstance(value, float) and value.is_integer()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _same(a: Any, b: Any) -> bool:
    """JSON equality, as JSON Schema's enum and const compare: 1 and 1.0 are one number, True
    is no number, lists and objects compare member by member. (A stricter test is not safe:
    inside a oneOf, a branch that fails to match can make the document valid.)"""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b  # numbers by value; a container and a scalar are never equal


def _any_of(tests: tuple[Check, ...]) -> Check:
    def any_type(v: Any) -> bool:
        for test in tests:
            if test(v):
                return True
        return False

    return any_type


def _always(v: Any) -> bool:
    return True


def _guard(schema: Any) -> Check:
    """A cheap necessary condition of ``schema`` (its type and required keys), tried first so
    that a oneOf rejects the branches of another type without running them. The branch's own
    check still decides, so the verdict is the same."""
    if not isinstance(schema, dict) or not isinstance(schema.get("type"), str) \
            or schema["type"] not in _TYPES:
        return _always
    test = _TYPES[schema["type"]]
    required = schema.get("required")
    if schema["type"] == "object" and isinstance(required, list) and required:
        keys = tuple(required)
        return lambda v: isinstance(v, dict) and all(k in v for k in keys)
    return test


class _Compiler:
    def __init__(self, root: dict[str, Any]):
        self.root = root
        self.refs: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        if pointer in self.refs:
            return self.refs[pointer]
        if not pointer.startswith("#/"):
            raise Unsupported(f"$ref {pointer}")
        target: Any = self.root
        for part in pointer[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise Unsupported(f"$ref {pointer}")
            target = target[part]
        holder: list[Check] = []
        self.refs[pointer] = lambda v: holder[0](v)  # recursive schemas
        holder.append(self.compile(target))
        return self.refs[pointer]

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema))
        checks: list[Check] = []
        known = set(_ANNOTATIONS)
        s = schema

        def keyword(name: str) -> bool:
            known.add(name)
            return name in s

        if keyword("$ref"):
            checks.append(self.ref(s["$ref"]))
        if keyword("type"):
            names = s["type"] if isinstance(s["type"], list) else [s["type"]]
            tests = tuple(_TYPES[n] for n in names)
            checks.append(tests[0] if len(tests) == 1 else _any_of(tests))
        if keyword("enum"):
            options = list(s["enum"])
            if options and all(type(o) is str for o in options):  # _same, by hashing
                strings = frozenset(options)
                checks.append(lambda v, strings=strings: type(v) is str and v in strings)
            else:
                checks.append(lambda v, options=options: any(_same(v, o) for o in options))
        if keyword("const"):
            checks.append(lambda v, c=s["const"]: _same(v, c))
        if keyword("pattern"):
            search = re.compile(s["pattern"]).search
            checks.append(lambda v, search=search: not isinstance(v, str) or bool(search(v)))
        if keyword("minLength"):
            checks.append(lambda v, n=s["minLength"]: not isinstance(v, str) or len(v) >= n)
        if keyword("maxLength"):
            checks.append(lambda v, n=s["maxLength"]: not isinstance(v, str) or len(v) <= n)
        if keyword("minimum"):
            checks.append(lambda v, n=s["minimum"]: not _is_number(v) or v >= n)
        if keyword("maximum"):
            checks.append(lambda v, n=s["maximum"]: not _is_number(v) or v <= n)
        if keyword("minItems"):
            checks.append(lambda v, n=s["minItems"]: not isinstance(v, list) or len(v) >= n)
        if keyword("maxItems"):
            checks.append(lambda v, n=s["maxItems"]: not isinstance(v, list) or len(v) <= n)
        if keyword("minProperties"):
            checks.append(lambda v, n=s["minProperties"]: not isinstance(v, dict) or len(v) >= n)
        if keyword("required"):
            required = tuple(s["required"])
            checks.append(lambda v, r=required: not isinstance(v, dict)
                          or all(k in v for k in r))
        if keyword("items"):
            item = self.compile(s["items"])
            def items(v: Any, item=item) -> bool:
                if isinstance(v, list):
                    for x in v:
                        if not item(x):
                            return False
                return True

            checks.append(items)
        if keyword("propertyNames"):
            name = self.compile(s["propertyNames"])
            def names(v: Any, name=name) -> bool:
                if isinstance(v, dict):
                    for k in v:
                        if not name(k):
                            return False
                return True

            checks.append(names)
        has_props, has_extra = keyword("properties"), keyword("additionalProperties")
        if has_props or has_extra:
            props = {k: self.compile(sub) for k, sub in s.get("properties", {}).items()}
            extra = self.compile(s["additionalProperties"]) if has_extra else None

            def properties(v: Any, props=props, extra=extra) -> bool:
                if not isinstance(v, dict):
                    return True
                for key, value in v.items():
                    sub = props.get(key)
                    if sub is not None:
                        if not sub(value):
                            return False
                    elif extra is not None and not extra(value):
                        return False
                return True

            checks.append(properties)
        if keyword("oneOf"):
            branches = tuple((_guard(b), self.compile(b)) for b in s["oneOf"])

            def one_of(v: Any, branches=branches) -> bool:
                matches = 0
                for guard, test in branches:
                    if guard(v) and test(v):
                        matches += 1
                        if matches > 1:
                            return False
                return matches == 1

            checks.append(one_of)
        unknown = set(s) - known
        if unknown:
            raise Unsupported(", ".join(sorted(unknown)))
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda v: first(v) and second(v)
        if len(checks) == 3:
            first, second, third = checks
            return lambda v: first(v) and second(v) and third(v)

        def every(v: Any, checks=tuple(checks)) -> bool:
            for check in checks:
                if not check(v):
                    return False
            return True

        return every


def compile_schema(schema: dict[str, Any]) -> Check | None:
    """A function answering "certainly valid?", or None when the schema is out of reach."""
    try:
        return _Compiler(schema).compile(schema)
    except (Unsupported, KeyError, TypeError, re.error):
        return None
