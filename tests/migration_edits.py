"""Hypothesis strategies for old/new spec pairs: an old spec from the fuzz strategies
(tests/strategies.py, without its API section: migrations are about the database), and a new
one made from it by random edits — models and fields added, dropped and renamed (with
``renamedFrom``), types widened, ranges narrowed and widened, nullability, defaults, enum values
added and removed, patterns dropped, uniques, indexes, foreign key actions.

Edits keep the rows tests/sample_values.py writes valid in the new spec (a range is narrowed
above the values it writes, an enum loses a value it does not use), so a migration that loses
or alters a value is a failure of the migration, never of the edit. Destructive ones are
applied with --allow-destructive.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st
from vigilo_gen import naming

from tests.strategies import FIELD_NAMES, INT_RANGE, MODEL_NAMES, UNINDEXABLE, spec_data

Data = dict[str, Any]


def _snake(name: str) -> str:
    return naming.snake_case(name).lower()


def _taken(fields: dict) -> set[str]:
    out = set()
    for name, spec in fields.items():
        out |= {_snake(name), name.lower(), _snake(spec.get("column", name))}
        if spec["type"] == "ref":
            relation = naming.relation_name(name)
            out |= {_snake(relation), relation.lower()}
    return out


def _free_field_name(draw, fields: dict, retired: dict) -> str | None:
    """A name no field of the model has, nor had in the old spec (a new field under an old
    name continues that field: a type change, not the edit meant)."""
    taken = _taken(fields) | _taken(retired)
    choices = [n for n in FIELD_NAMES if _snake(n) not in taken and n.lower() not in taken
               and _snake(naming.relation_name(n)) not in taken]
    return draw(st.sampled_from(choices)) if choices else None


def _insert(fields: dict, name: str, spec: dict, at: int) -> dict:
    items = list(fields.items())
    items.insert(at, (name, spec))
    return dict(items)


def _groups(model: dict, change) -> None:
    """Apply ``change`` (a function of a field-name list, returning a list or None to drop the
    group) to every composite unique and index of ``model``."""
    for key in ("unique", "indexes"):
        groups = [g for g in (change(list(g)) for g in model.get(key, [])) if g]
        if groups:
            model[key] = groups
        else:
            model.pop(key, None)


def _referenced(data: Data, model: str) -> bool:
    return any(s.get("to") == model for name, m in data["models"].items() if name != model
               for s in [*m["fields"].values(), *(m.get("relations") or {}).values()])


def _in_relation(data: Data, model: str, name: str) -> bool:
    """A field of a relation of several fields (``relations:``), on either side: edits leave
    those alone as they leave keys (their types and nullability must keep matching)."""
    own = data["models"][model].get("relations") or {}
    if any(name in rel["fields"] for rel in own.values()):
        return True
    return any(rel.get("to") == model and name in rel.get("references", ())
               for m in data["models"].values()
               for rel in (m.get("relations") or {}).values())


def _is_key(model: dict, name: str, spec: dict) -> bool:
    """A primary key field: type id, `primaryKey: true` (an integer or natural key) or part
    of the model's composite `primaryKey` (edits leave keys alone)."""
    return spec["type"] == "id" or bool(spec.get("primaryKey")) \
        or name in (model.get("primaryKey") or ())


def _non_id(draw, data: Data, accept=lambda spec: True):
    choices = [(m, f) for m, model in data["models"].items()
               for f, spec in model["fields"].items()
               if not _is_key(model, f, spec) and not _in_relation(data, m, f)
               and accept(spec)]
    return draw(st.sampled_from(choices)) if choices else None


class Editor:
    def __init__(self, draw, old: Data):
        self.draw = draw
        self.old = old
        self.data = copy.deepcopy(old)
        # Fields whose sample rows differ (string, no pattern, no default) in the old spec:
        # only those may become unique (the rows are written from the old spec; equal ones
        # would make the migration fail, as VG141 says it must).
        self.distinct = {id(s) for m in self.data["models"].values()
                         for s in m["fields"].values()
                         if s["type"] == "string" and "pattern" not in s and "default" not in s}
        # Fields whose range an edit changed: narrowed once, relative to the old range only.
        self.narrowed: set[int] = set()

    @property
    def models(self) -> dict:
        return self.data["models"]

    def old_fields(self, model: str) -> dict:
        """The fields the model had in the old spec (none for a model added by an edit)."""
        origin = self.models[model].get("renamedFrom", model)
        return self.old["models"].get(origin, {}).get("fields", {})

    def origin(self, spec: dict, name: str, old_names) -> None:
        """Set renamedFrom on something renamed: its first name in the old spec, if any."""
        if "renamedFrom" not in spec and name in old_names:
            spec["renamedFrom"] = name

    # -- models ---------------------------------------------------------------------------

    def add_model(self) -> bool:
        free = [n for n in MODEL_NAMES if n not in self.models
                and all(m.get("renamedFrom") != n for m in self.models.values())
                and n not in self.old["models"]]
        if not free:
            return False
        name = self.draw(st.sampled_from(free))
        fields: dict = {"id": {"type": "id"}, "label": {"type": "string", "maxLength": 40,
                                                        "nullable": True}}
        if self.draw(st.booleans()):
            # Not a model with a composite key: a ref holds one column (README, "Keys").
            target = self.draw(st.sampled_from(sorted(
                n for n, m in self.models.items() if "primaryKey" not in m)))
            fields["ownerId"] = {"type": "ref", "to": target, "nullable": True,
                                 "onDelete": self.draw(st.sampled_from(["setNull", "cascade"]))}
        self.models[name] = {"fields": fields}
        return True

    def drop_model(self) -> bool:
        choices = [m for m in self.models if not _referenced(self.data, m)]
        if len(self.models) < 2 or not choices:
            return False
        del self.models[self.draw(st.sampled_from(sorted(choices)))]
        return True

    def rename_model(self) -> bool:
        free = [n for n in MODEL_NAMES if n not in self.models and n not in self.old["models"]]
        if not free:
            return False
        old = self.draw(st.sampled_from(sorted(self.models)))
        new = self.draw(st.sampled_from(free))
        spec = self.models[old]
        self.origin(spec, old, self.old["models"])
        self.data["models"] = {new if k == old else k: v for k, v in self.models.items()}
        for model in self.models.values():
            for field in [*model["fields"].values(), *(model.get("relations") or {}).values()]:
                if field.get("to") == old:
                    field["to"] = new
        return True

    # -- fields ---------------------------------------------------------------------------

    def add_field(self) -> bool:
        m = self.draw(st.sampled_from(sorted(self.models)))
        model = self.models[m]
        name = _free_field_name(self.draw, model["fields"], self.old_fields(m))
        if name is None:
            return False
        spec = self.draw(st.sampled_from([
            {"type": "int", "nullable": True}, {"type": "string", "maxLength": 40,
                                                "default": "x"},
            {"type": "bool", "default": False}, {"type": "int", "default": 7, "min": 0},
            {"type": "datetime", "updatedAt": True}, {"type": "text", "nullable": True},
            {"type": "decimal", "precision": 10, "scale": 2, "nullable": True}]))
        at = self.draw(st.integers(0, len(model["fields"])))
        model["fields"] = _insert(model["fields"], name, copy.deepcopy(spec), at)
        return True

    def drop_field(self) -> bool:
        found = _non_id(self.draw, self.data)
        if found is None:
            return False
        m, f = found
        model = self.models[m]
        del model["fields"][f]
        _groups(model, lambda g: None if f in g else g)
        return True

    def rename_field(self) -> bool:
        m = self.draw(st.sampled_from(sorted(self.models)))
        model = self.models[m]
        old = self.draw(st.sampled_from(list(model["fields"])))
        new = _free_field_name(self.draw, model["fields"], self.old_fields(m))
        if new is None:
            return False
        spec = model["fields"][old]
        self.origin(spec, old, self.old_fields(m))
        model["fields"] = {new if k == old else k: v for k, v in model["fields"].items()}
        _groups(model, lambda g: [new if x == old else x for x in g])
        # the lists of field names that hold it: its composite key, its relations, and the
        # relations of other models that reference it by name (references:)
        def renamed(names: list[str]) -> list[str]:
            return [new if x == old else x for x in names]

        if "primaryKey" in model:
            model["primaryKey"] = renamed(model["primaryKey"])
        for rel in (model.get("relations") or {}).values():
            rel["fields"] = renamed(rel["fields"])
        for other in self.models.values():
            for rel in (other.get("relations") or {}).values():
                if rel["to"] == m and "references" in rel:
                    rel["references"] = renamed(rel["references"])
        return True

    def _field(self, accept):
        found = _non_id(self.draw, self.data, accept)
        return None if found is None else self.models[found[0]]["fields"][found[1]]

    def widen_type(self) -> bool:
        spec = self._field(lambda s: s["type"] in ("int", "string", "enum", "uuid", "json")
                           or s["type"] == "datetime" and s.get("precision", 3) < 6)
        if spec is None:
            return False
        if spec["type"] == "uuid":  # its text, 36 characters (a string: keys may cover it)
            if spec.get("default") == "uuid":  # a generated uuid is no string's default
                del spec["default"]
            spec["type"] = "string"
            spec["maxLength"] = self.draw(st.sampled_from([36, 64]))
        elif spec["type"] == "json":  # the document's JSON text
            spec.pop("default", None)
            spec["type"] = "text"
        elif spec["type"] == "datetime":  # more fractional digits
            spec["precision"] = self.draw(st.integers(spec.get("precision", 3) + 1, 6))
        elif spec["type"] == "int":
            spec["type"] = self.draw(st.sampled_from(["bigint", "float", "decimal"]))
            if spec["type"] == "decimal":
                spec.update(precision=18, scale=6)
        elif spec["type"] == "string":
            spec["maxLength"] = spec.get("maxLength", 255) + 45
        else:
            values = self.enum_values(spec["enum"])
            del spec["enum"]
            spec["type"] = "string"
            spec["maxLength"] = max(spec.get("maxLength", 50), 50, *map(len, values))
        return True

    def narrow_range(self) -> bool:
        spec = self._field(lambda s: s["type"] in ("int", "bigint", "float")
                           and s.get("min") is not None and id(s) not in self.narrowed)
        if spec is None:
            return False
        self.narrowed.add(id(spec))
        low = spec["min"]
        high = spec.get("max", low + 1000)
        if spec["type"] in INT_RANGE:  # no max: the type's own, near the top of its range
            high = min(high, INT_RANGE[spec["type"]][1])
        # sample values are low + (high - low) * k / 8 with k <= 2: the lower half is kept.
        middle = low + (high - low) / 2
        middle = int(middle) if spec["type"] != "float" else middle
        if middle <= low + (high - low) / 4 + 1 or spec.get("default", low) > middle:
            return False
        spec["max"] = middle
        return True

    def widen_range(self) -> bool:
        spec = self._field(lambda s: "max" in s or "min" in s)
        if spec is None:
            return False
        spec.pop(self.draw(st.sampled_from(sorted(k for k in ("min", "max") if k in spec))))
        # narrow_range reads the bounds the old rows were drawn from: not after a widening.
        self.narrowed.add(id(spec))
        return True

    def nullable(self) -> bool:
        spec = self._field(lambda s: not s.get("nullable"))
        if spec is None:
            return False
        spec["nullable"] = True
        return True

    def required_with_default(self) -> bool:
        spec = self._field(lambda s: s.get("nullable") and s["type"] in ("int", "bigint", "bool")
                           and s.get("onDelete") != "setNull")
        if spec is None:
            return False
        del spec["nullable"]
        if "default" not in spec:
            if spec["type"] == "bool":
                spec["default"] = False
            else:
                low, high = spec.get("min"), spec.get("max")
                spec["default"] = low if low is not None else (
                    high if high is not None and high < 0 else 0)
        return True

    def default(self) -> bool:
        spec = self._field(lambda s: s["type"] in ("int", "bigint", "bool")
                           and not s.get("updatedAt"))
        if spec is None:
            return False
        if "default" in spec and self.draw(st.booleans()) and spec.get("nullable", False):
            del spec["default"]
        elif spec["type"] == "bool":
            spec["default"] = not spec.get("default", False)
        else:
            low, high = spec.get("min"), spec.get("max")
            value = spec.get("default", 0) + 1
            if high is None:  # the type's own bound (a default at the largest bigint)
                high = INT_RANGE[spec["type"]][1]
            if (low is None or value >= low) and value <= high:
                spec["default"] = value
            else:
                return False
        return True

    # -- enums, patterns, keys --------------------------------------------------------------

    def enum_values(self, name: str) -> list[str]:
        raw = self.data["enums"][name]
        return raw if isinstance(raw, list) else raw["values"]

    def _enum(self):
        enums = sorted(self.data.get("enums", {}))
        return self.draw(st.sampled_from(enums)) if enums else None

    def _enum_fields(self, name: str) -> list[dict]:
        return [s for m in self.models.values() for s in m["fields"].values()
                if s.get("enum") == name]

    def add_enum_value(self) -> bool:
        name = self._enum()
        if name is None:
            return False
        values = self.enum_values(name)
        new = next(v for v in ("zz9", "q", "new_value") if v not in values)
        if any(s.get("maxLength", 50) < len(new) for s in self._enum_fields(name)):
            return False
        values.append(new)
        return True

    def remove_enum_value(self) -> bool:
        name = self._enum()
        if name is None or len(self.enum_values(name)) < 3:
            return False
        values = self.enum_values(name)
        if any(s.get("default") == values[-1] for s in self._enum_fields(name)):
            return False
        values.pop()  # sample rows use the first two values only
        return True

    def drop_pattern(self) -> bool:
        spec = self._field(lambda s: "pattern" in s)
        if spec is None:
            return False
        del spec["pattern"]
        return True

    def unique(self) -> bool:
        spec = self._field(lambda s: s.get("unique") or id(s) in self.distinct)
        if spec is None:
            return False
        spec["unique"] = not spec.get("unique", False)
        if not spec["unique"]:
            spec.pop("uniqueName", None)  # a name of no constraint is refused
        return True

    def index(self) -> bool:
        m = self.draw(st.sampled_from(sorted(self.models)))
        model = self.models[m]
        if model.get("indexes") and self.draw(st.booleans()):
            model["indexes"].pop()
            if not model["indexes"]:
                del model["indexes"]
            return True
        spec = self._field(lambda s: s["type"] not in UNINDEXABLE)
        if spec is None:
            return False
        spec["index"] = not spec.get("index", False)
        if not spec["index"]:
            spec.pop("indexName", None)  # a name of no index is refused
        return True

    def on_delete(self) -> bool:
        # A relation without a foreign key has no ON DELETE (README: foreignKey: false).
        spec = self._field(lambda s: s["type"] == "ref" and s.get("foreignKey", True))
        if spec is None:
            return False
        choices = ["cascade", "restrict", "noAction"] + (["setNull"] if spec.get("nullable")
                                                         else [])
        choices = [c for c in choices if c != spec.get("onDelete")]
        spec["onDelete"] = self.draw(st.sampled_from(choices))
        return True


EDITS = [name for name in vars(Editor) if not name.startswith("_") and name not in (
    "models", "origin", "old_fields", "enum_values", "distinct")]


def _unshared(value):
    """A copy of a YAML-like tree in which no two places hold the same mapping or list
    (copy.deepcopy keeps such sharing, and YAML writes it as an alias)."""
    if isinstance(value, dict):
        return {key: _unshared(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unshared(item) for item in value]
    return value


@st.composite
def spec_pairs(draw) -> tuple[Data, Data, list[str]]:
    """(old spec data, new spec data, the edits applied)."""
    # The drawn spec may hold one field mapping in two places (the strategies reuse drawn
    # values); an edit to one must not change the other, so the tree is copied apart first.
    old = _unshared(draw(spec_data()))
    old.pop("api", None)
    editor = Editor(draw, old)
    applied = []
    for edit in draw(st.lists(st.sampled_from(EDITS), min_size=2, max_size=6)):
        if getattr(editor, edit)():
            applied.append(edit)
    # The new spec says no manyToMany (the edits above may drop or rename the join model or
    # its refs): removing the word changes no table (README), so it adds no migration step.
    dropped = [m.pop("manyToMany") for m in editor.models.values() if "manyToMany" in m]
    if dropped:
        applied.append("drop-many-to-many")
    return old, editor.data, applied
