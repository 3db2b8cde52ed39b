"""Request bodies of an endpoint, made from its body shape alone: valid bodies (every optional
property present, or left out, or null; values at the bounds of their rules) and bad bodies
that each break exactly one rule of one property, with the JSON path the 400 must name.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vigilo_gen.model import (
    Endpoint,
    FieldShape,
    FieldType,
    ListShape,
    MapShape,
    Model,
    ObjectShape,
    Shape,
    Spec,
)

from . import rules, values

T = FieldType
RefValue = Callable[[str], str]  # model name -> the id of an existing row of it

# Valid body variants: which optional properties are present, and where values sit.
VARIANTS = ("full", "edges-low", "edges-high", "nulls", "minimal")


def _edge(variant: str) -> str | None:
    return {"edges-low": "low", "edges-high": "high"}.get(variant)


class BodyMaker:
    def __init__(self, spec: Spec, endpoint: Endpoint, ref_value: RefValue, seed: int = 0):
        self.spec = spec
        self.endpoint = endpoint
        self.root = rules.root_model(spec, endpoint)
        self.ref_value = ref_value
        self.rng = random.Random(f"{spec.name}:{endpoint.name}:{seed}")

    # -- valid ------------------------------------------------------------------------------

    def valid(self, variant: str = "full") -> dict[str, Any]:
        return self._value(self.endpoint.body, variant)

    def _field(self, shape: FieldShape, variant: str) -> Any:
        fld = shape.field
        if fld.type is T.REF:
            return self.ref_value(fld.reference.target)
        if variant == "nulls" and shape.nullable:
            return None
        return values.valid_value(fld, self.rng, _edge(variant))

    def _value(self, shape: Shape, variant: str) -> Any:
        shape = rules.resolve(self.spec, shape)
        if isinstance(shape, FieldShape):
            return self._field(shape, variant)
        if isinstance(shape, ObjectShape):
            result = {}
            for name, sub in shape.properties:
                sub_r = rules.resolve(self.spec, sub)
                if variant == "minimal" and sub_r.optional:
                    continue
                if variant == "nulls" and sub_r.nullable and not isinstance(sub_r, FieldShape):
                    result[name] = None
                    continue
                result[name] = self._value(sub, variant)
            return result
        if isinstance(shape, ListShape):
            count = {"minimal": 0, "edges-low": 1}.get(variant, 3)
            if variant == "edges-high" and shape.max_items:
                count = shape.max_items
            if shape.max_items is not None:
                count = min(count, shape.max_items)
            items = [self._value(shape.items, variant) for _ in range(count)]
            self._distinct_keys(shape, items)
            return items
        if isinstance(shape, MapShape):
            count = {"minimal": 0, "edges-low": 1}.get(variant, 3)
            keys = values.distinct_values(shape.keys.field, self.rng, count)
            return {values.key_text(shape.keys.field, key): self._value(shape.values, variant)
                    for key in keys}
        raise TypeError(shape)

    def _distinct_keys(self, shape: ListShape, items: list[dict[str, Any]]) -> None:
        """Give the items of a replaced set distinct values where the child's unique keys
        say so (the body would otherwise be a duplicate, a 400)."""
        child, ref = rules._set_target(self.spec, self.root, shape)
        item_shape = rules.resolve(self.spec, shape.items)
        if not isinstance(item_shape, ObjectShape):
            return
        names = {sub.field.name: name for name, sub in item_shape.properties
                 if isinstance(rules.resolve(self.spec, sub), FieldShape)}
        for group in rules.set_key_fields(child, ref):
            present = [f for f in group if f in names]
            if not present:
                continue
            fld = child.field(present[0])
            fresh = values.distinct_values(fld, self.rng, len(items))
            for item, value in zip(items, fresh, strict=False):
                item[names[fld.name]] = value

    # -- bad --------------------------------------------------------------------------------

    def bad(self) -> list[BadBody]:
        """Every rule of every property broken in turn, in a body otherwise valid."""
        base = self.valid("full")
        cases: list[BadBody] = []
        self._bad(self.endpoint.body, base, [], cases, base, in_set=None)
        cases.append(BadBody("body is a list", [base], "$", "type"))
        cases.append(BadBody("body is a string", "text", "$", "type"))
        cases.append(BadBody("body is null", None, "$", "type"))
        return cases

    def _bad(self, shape: Shape, value: Any, path: list, cases: list[BadBody], base: Any,
             in_set: Model | None) -> None:
        shape = rules.resolve(self.spec, shape)

        def put(new_value: Any, where: list = path) -> Any:
            body = copy.deepcopy(base)
            if not where:
                return new_value
            target = body
            for part in where[:-1]:
                target = target[part]
            target[where[-1]] = new_value
            return body

        text = _json_path(path)
        if isinstance(shape, FieldShape):
            fld = shape.field
            for rule, broken in values.broken_values(fld):
                cases.append(BadBody(f"{text} {rule}", put(broken), text, rule))
        elif isinstance(shape, ObjectShape):
            cases.append(BadBody(f"{text} is a list", put([value]), text, "type"))
            cases.append(BadBody(f"{text} has an unknown key", put({**value, "zzUnknown": 1}),
                                 f"{text}.zzUnknown" if path else "$.zzUnknown", "extra key"))
            for name, sub in shape.properties:
                sub_r = rules.resolve(self.spec, sub)
                sub_path = [*path, name]
                sub_text = _json_path(sub_path)
                if not sub_r.optional:
                    missing = {k: v for k, v in value.items() if k != name}
                    cases.append(BadBody(f"{sub_text} missing", put(missing), sub_text,
                                         "required"))
                if not sub_r.nullable:
                    cases.append(BadBody(f"{sub_text} is null", put(None, sub_path), sub_text,
                                         "null"))
                if name in value and value[name] is not None:
                    self._bad(sub, value[name], sub_path, cases, base, in_set)
            # A property spelt with another case or as snake_case is an unknown key too.
            for name, _sub in shape.properties[:1]:
                other = name.upper() if name.upper() != name else name.lower()
                if other not in value and other != name:
                    renamed = {other if k == name else k: v for k, v in value.items()}
                    cases.append(BadBody(f"{_json_path([*path, name])} spelt {other}",
                                         put(renamed), _json_path([*path, other]),
                                         "extra key", alt_paths=(_json_path([*path, name]),)))
        elif isinstance(shape, ListShape):
            cases.append(BadBody(f"{text} is an object", put({"0": value[0] if value else 1}),
                                 text, "type"))
            if shape.max_items is not None and value:
                too_many = [copy.deepcopy(value[0]) for _ in range(shape.max_items + 1)]
                cases.append(BadBody(f"{text} over maxItems", put(too_many), text, "maxItems",
                                     prefix_ok=True))
            if value:
                self._bad(shape.items, value[0], [*path, 0], cases, base, in_set)
                self._duplicates(shape, value, path, put, cases)
        elif isinstance(shape, MapShape):
            cases.append(BadBody(f"{text} is a list", put(list(value.values())), text, "type"))
            first_value = next(iter(value.values())) if value else \
                self._value(shape.values, "full")
            for rule, key in values.broken_keys(shape.keys.field):
                if key in value:
                    continue
                cases.append(BadBody(f"{text} {rule}", put({**value, key: first_value}),
                                     f"{text}.{key}", rule,
                                     alt_paths=(text, f"{text}[{json.dumps(key)}]")))
            if value:
                key = next(iter(value))
                self._bad(shape.values, value[key], [*path, key], cases, base, in_set)

    def _duplicates(self, shape: ListShape, value: list, path: list, put, cases) -> None:
        if len(value) < 2:
            return
        child, ref = rules._set_target(self.spec, self.root, shape)
        item_shape = rules.resolve(self.spec, shape.items)
        if not isinstance(item_shape, ObjectShape):
            return
        names = {sub.field.name: name for name, sub in item_shape.properties
                 if isinstance(rules.resolve(self.spec, sub), FieldShape)}
        for group in rules.set_key_fields(child, ref):
            if all(f in names for f in group):
                items = copy.deepcopy(value)
                for f in group:
                    items[1][names[f]] = items[0][names[f]]
                cases.append(BadBody(f"{_json_path(path)} duplicate {'+'.join(group)}",
                                     put(items), _json_path(path), "duplicate key",
                                     prefix_ok=True))


@dataclass
class BadBody:
    label: str
    body: Any
    path: str  # the JSON path the error must name
    rule: str
    prefix_ok: bool = False  # a path below ``path`` is as good (an item of a list)
    alt_paths: tuple[str, ...] = ()

    def names_path(self, message: str) -> bool:
        for path in (self.path, *self.alt_paths):
            for spelling in path_spellings(path):
                if spelling in message:
                    # "$.a" must not be satisfied by "$.ab"
                    rest = message.split(spelling, 1)[1][:1]
                    after = message.split(spelling, 1)[1]
                    if rest in ("", ":", " ", ",", ";", ")", "'", '"') or \
                            after.startswith(".[key]") or \
                            (self.prefix_ok and rest in (".", "[")):
                        return True
        return False


def _json_path(parts: list) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def path_spellings(path: str) -> list[str]:
    """``$.a.0`` may be written ``$.a["0"]`` or ``$.a['0']`` for a map key."""
    spellings = [path]
    head, _, last = path.rpartition(".")
    if head:
        spellings += [f'{head}["{last}"]', f"{head}['{last}']"]
    return spellings


def bad_params(spec: Spec, endpoint: Endpoint) -> list[tuple[str, str, str]]:
    """(label, parameter name, value) with each rule of each path parameter broken (only
    values a URL path can carry: no slash, not empty)."""
    cases = []
    for name, shape in endpoint.params:
        for rule, value in values.broken_values(shape.field):
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                continue
            text = str(value)
            if not text or "/" in text or text in (".", "..") or "\n" in text:
                continue
            if shape.field.value_type in (T.STRING, T.TEXT, T.ENUM, T.ID, T.REF, T.DATE,
                                    T.DATETIME) and not isinstance(value, str):
                continue  # a number in a path is text: no rule broken
            if shape.field.value_type in (T.INT, T.BIGINT) and isinstance(value, str) and \
                    value.lstrip("-").isdigit():
                continue  # and the text of an integer is that integer there
            cases.append((f"{name} {rule}", name, text))
    return cases
