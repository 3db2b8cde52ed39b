"""The binding rules of docs/runtime.md, applied to a Spec model by this suite on its own.

The suite never reads the engine's operation plan: what an endpoint must do is derived here from
the documented rules (the root row of the path parameters; a body property typed by a field of
the root updates it, by a one-to-one child's field upserts the child, a list or map of a
one-to-many child replaces that set, scalars of a one-to-many child insert a row; reads assemble
the root, its one-to-one children, the rows it references and its child sets) and from the spec
words (`create`, `owner`, `via`, `merge`), which are read from the Spec model where it carries
them and from the spec's YAML otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import yaml
from vigilo_gen.model import (
    Endpoint,
    Field,
    FieldShape,
    FieldType,
    ListShape,
    MapShape,
    Model,
    ObjectShape,
    SchemaRef,
    Shape,
    Spec,
)

T = FieldType
OMIT = object()  # a property the answer leaves out


def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if hasattr(obj, name):
            return getattr(obj, name)
    return default


# --- spec words ---------------------------------------------------------------------------


@dataclass
class Words:
    """`create`, `owner`, `merge` and endpoint-level `via`, as the spec says them."""

    creates: set[str] = dc_field(default_factory=set)  # "Model.field" of create: true params
    owners: dict[str, str] = dc_field(default_factory=dict)  # model -> owner field name
    merge: dict[str, bool] = dc_field(default_factory=dict)  # endpoint name -> merge
    via: dict[str, str] = dc_field(default_factory=dict)  # endpoint name -> backref

    @classmethod
    def read(cls, spec: Spec, path: Path) -> Words:
        words = cls()
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        api = raw.get("api") or {}
        for value in (api.get("params") or {}).values():
            if isinstance(value, dict) and value.get("create"):
                words.creates.add(value["field"])
        owner = (api.get("auth") or {}).get("owner")
        for ref in [owner] if isinstance(owner, str) else owner or []:
            model, name = ref.split(".", 1)
            words.owners[model] = name
        for endpoint in api.get("endpoints") or []:
            if "merge" in endpoint:
                words.merge[endpoint["name"]] = bool(endpoint["merge"])
            if "via" in endpoint:
                words.via[endpoint["name"]] = endpoint["via"]
        # The Spec model's own spelling wins where it has one.
        for model_name, owner_field in _attr(spec.api, "owners", default=()) or ():
            words.owners[model_name] = owner_field.name
        return words

    def creates_root(self, endpoint: Endpoint) -> bool:
        for _name, shape in endpoint.params:
            if _attr(shape, "create", default=False):
                return True
            if f"{shape.model}.{shape.field.name}" in self.creates:
                return True
        return False

    def owner_field(self, model: Model) -> Field | None:
        name = self.owners.get(model.name)
        return model.field(name) if name else None

    def merges(self, endpoint: Endpoint) -> bool:
        value = _attr(endpoint, "merge")
        if isinstance(value, bool):
            return value
        return self.merge.get(endpoint.name, endpoint.method != "PUT")


# --- shapes -------------------------------------------------------------------------------


def resolve(spec: Spec, shape: Shape) -> Shape:
    """A SchemaRef as the shape it names, with the reference's optional and nullable."""
    seen = set()
    while isinstance(shape, SchemaRef):
        if shape.name in seen:
            raise AssertionError(f"recursive schema {shape.name}")
        seen.add(shape.name)
        target = spec.api.schema(shape.name).shape
        via = _attr(shape, "via") or _attr(target, "via")
        shape = _replace(target, optional=shape.optional, nullable=shape.nullable or
                         target.nullable, description=target.description)
        if via and not _attr(shape, "via"):
            object.__setattr__(shape, "_contract_via", via)
    return shape


def _replace(shape: Shape, **changes: Any) -> Shape:
    import dataclasses

    return dataclasses.replace(shape, **changes)


def via_of(shape: Shape) -> str | None:
    return _attr(shape, "via") or getattr(shape, "_contract_via", None)


def leaf_models(spec: Spec, shape: Shape) -> set[str]:
    """The models whose fields type the leaves of ``shape`` (map keys included)."""
    shape = resolve(spec, shape)
    if isinstance(shape, FieldShape):
        return {shape.model}
    if isinstance(shape, ObjectShape):
        return set().union(*(leaf_models(spec, sub) for _n, sub in shape.properties)) \
            if shape.properties else set()
    if isinstance(shape, ListShape):
        return leaf_models(spec, shape.items)
    if isinstance(shape, MapShape):
        return {shape.keys.model} | leaf_models(spec, shape.values)
    raise TypeError(shape)


def root_model(spec: Spec, endpoint: Endpoint) -> Model:
    models = {shape.model for _n, shape in endpoint.params}
    assert len(models) == 1, f"{endpoint.name}: parameters of several models {models}"
    return spec.model(models.pop())


def child_refs(spec: Spec, root: Model, child: Model) -> list[Field]:
    """The reference fields of ``child`` that point at ``root`` (a child relation each)."""
    return [f for f in child.references if f.reference.target == root.name and child is not root]


def child_ref(spec: Spec, root: Model, child: Model, via: str | None) -> Field:
    refs = child_refs(spec, root, child)
    if via:
        chosen = [f for f in refs if f.reference.backref == via]
        assert chosen, f"via {via!r}: no relation of {child.name} to {root.name} with that backref"
        return chosen[0]
    assert len(refs) == 1, f"{child.name} -> {root.name}: {len(refs)} relations and no via"
    return refs[0]


def parent_ref(root: Model, parent: Model, via: str | None = None) -> Field | None:
    refs = [f for f in root.references if f.reference.target == parent.name]
    if via:
        refs = [f for f in refs if f.reference.relation == via] or refs
    return refs[0] if len(refs) == 1 else None


def is_one_to_one(ref: Field) -> bool:
    return ref.unique or ref.reference.one_to_one


def set_order_field(child: Model, ref: Field) -> Field | None:
    """The unique key beside the reference that orders a set (``todoIndex``), if any."""
    for unique in child.uniques:
        if len(unique.fields) == 2 and ref.name in unique.fields:
            other = [name for name in unique.fields if name != ref.name][0]
            return child.field(other)
    return None


def set_key_fields(child: Model, ref: Field) -> list[tuple[str, ...]]:
    """The field groups that must be distinct within one root's set (composite uniques with the
    reference), and the single unique fields (distinct across every row)."""
    groups = []
    for unique in child.uniques:
        if ref.name in unique.fields and len(unique.fields) > 1:
            groups.append(tuple(name for name in unique.fields if name != ref.name))
        elif ref.name not in unique.fields:
            groups.append(unique.fields)
    return groups


# --- what a body writes -------------------------------------------------------------------


@dataclass
class Fact:
    """One value the body puts in the database: ``field`` of ``model`` in the row ``group``:
    ("root",), ("one", model), ("set", model, ref field, index) or ("insert", model)."""

    model: str
    field: Field
    value: Any
    group: tuple
    path: str


@dataclass
class Writes:
    facts: list[Fact]
    omitted: list[tuple[tuple, Field]]  # (group, field) of properties the body left out
    sets: dict[tuple[str, str], int]  # (child model, ref field) replaced -> row count
    inserts: set[str]  # models a row is inserted into
    # (child model, ref field) of sets the body left out: kept by a merge, emptied by a
    # replace (docs/runtime.md: what a PUT body omits is reset)
    omitted_sets: list[tuple[str, str]] = dc_field(default_factory=list)


def classify(spec: Spec, root: Model, model_name: str, endpoint_via: str | None) -> tuple:
    """The row group a scalar of ``model_name`` (outside any list or map) writes to."""
    if model_name == root.name:
        return ("root",)
    child = spec.model(model_name)
    ref = child_ref(spec, root, child, endpoint_via if len(child_refs(spec, root, child)) > 1
                    else None)
    return ("one", child.name, ref.name) if is_one_to_one(ref) else \
        ("insert", child.name, ref.name)


def body_writes(spec: Spec, endpoint: Endpoint, body: dict, words: Words) -> Writes:
    root = root_model(spec, endpoint)
    writes = Writes([], [], {}, set())
    via = _attr(endpoint, "via") or words.via.get(endpoint.name)

    def scalar_group(model_name: str, set_group: tuple | None) -> tuple:
        if set_group is not None:
            return set_group
        group = classify(spec, root, model_name, via)
        if group[0] == "insert":
            writes.inserts.add(model_name)
        return group

    def all_leaves(shape: Shape, set_group: tuple | None) -> list[tuple[tuple, Field]]:
        shape = resolve(spec, shape)
        if isinstance(shape, FieldShape):
            return [(scalar_group(shape.model, set_group), shape.field)]
        if isinstance(shape, ObjectShape):
            return [leaf for _n, sub in shape.properties for leaf in all_leaves(sub, set_group)]
        if isinstance(shape, (ListShape, MapShape)):
            child, ref = _set_target(spec, root, shape)
            writes.omitted_sets.append((child.name, ref.name))
        return []  # an omitted set has no scalar leaves

    def walk(shape: Shape, value: Any, path: str, set_group: tuple | None) -> None:
        shape = resolve(spec, shape)
        if isinstance(shape, FieldShape):
            writes.facts.append(Fact(shape.model, shape.field, value,
                                     scalar_group(shape.model, set_group), path))
        elif isinstance(shape, ObjectShape):
            if value is None:
                for group, fld in all_leaves(shape, set_group):
                    writes.facts.append(Fact(fld.name and "", fld, None, group, path))
                return
            for name, sub in shape.properties:
                if name in value:
                    walk(sub, value[name], f"{path}.{name}", set_group)
                else:
                    writes.omitted.extend(all_leaves(sub, set_group))
        elif isinstance(shape, ListShape):
            child, ref = _set_target(spec, root, shape)
            writes.sets[(child.name, ref.name)] = len(value)
            for index, item in enumerate(value):
                walk(shape.items, item, f"{path}[{index}]", ("set", child.name, ref.name, index))
        elif isinstance(shape, MapShape):
            child, ref = _set_target(spec, root, shape)
            writes.sets[(child.name, ref.name)] = len(value)
            for index, (key, item) in enumerate(value.items()):
                group = ("set", child.name, ref.name, index)
                writes.facts.append(Fact(child.name, shape.keys.field,
                                         parse_key(shape.keys.field, key), group, path))
                walk(shape.values, item, f"{path}.{key}", group)

    walk(endpoint.body, body, "$", None)
    for fact in writes.facts:  # fill the model of facts made from a null object
        if not fact.model:
            fact.model = _model_of(spec, fact.field)
    return writes


def _model_of(spec: Spec, fld: Field) -> str:
    for model in spec.models:
        if any(f is fld for f in model.fields):
            return model.name
    raise KeyError(fld.name)


def _set_target(spec: Spec, root: Model, shape: ListShape | MapShape) -> tuple[Model, Field]:
    models = leaf_models(spec, shape)
    assert len(models) == 1, f"a set typed by several models {models}"
    child = spec.model(models.pop())
    return child, child_ref(spec, root, child, via_of(shape))


def parse_key(fld: Field, key: str) -> Any:
    return int(key) if fld.value_type in (T.INT, T.BIGINT) else key


def default_json(fld: Field) -> Any:
    """The JSON value of a field's default (OMIT for `now`, a database-made one, and none)."""
    if fld.literal_default is None:
        return OMIT
    if fld.type is T.DECIMAL:
        return str(fld.default)
    return fld.default


# --- what a read answers ------------------------------------------------------------------


class State:
    """The rows of every model, read from the database (model -> list of field -> value)."""

    def __init__(self, spec: Spec, rows: dict[str, list[dict[str, Any]]]):
        self.spec = spec
        self.rows = rows

    def by_pk(self, model: Model, pk: Any) -> dict[str, Any] | None:
        for row in self.rows[model.name]:
            if str(row[model.primary_key.name]) == str(pk):
                return row
        return None

    def children(self, child: Model, ref: Field, pk: Any) -> list[dict[str, Any]]:
        return [row for row in self.rows[child.name] if row[ref.name] is not None and
                str(row[ref.name]) == str(pk)]


def expected_read(spec: Spec, shape: Shape, state: State, root: Model,
                  root_row: dict[str, Any], via: str | None = None) -> Any:
    """The JSON value a read endpoint must answer for ``shape`` (OMIT when left out), from
    the database rows, by the read rules of docs/runtime.md."""
    from .values import json_of_db

    def column(model: str, fld: Field, row: dict | None, shape: FieldShape) -> Any:
        if row is None:
            default = default_json(fld)
            if default is not OMIT:
                return default
            return None if shape.nullable else OMIT
        value = json_of_db(fld, row[fld.name])
        if value is None and not shape.nullable:
            return OMIT
        return value

    def row_for(model_name: str, item: tuple[Model, dict] | None,
                via: str | None) -> tuple[bool, dict | None]:
        """(found a relation, the row) of a scalar of ``model_name``; ``via`` names the relation
        when the root has several to that model (the innermost object's `via`)."""
        if item is not None and item[0].name == model_name:
            return True, item[1]
        if model_name == root.name:
            return True, root_row
        model = spec.model(model_name)
        refs = child_refs(spec, root, model)
        ones = [r for r in refs if is_one_to_one(r)]
        if ones:
            ref = ones[0] if len(ones) == 1 else child_ref(spec, root, model, via)
            rows = state.children(model, ref, root_row[root.primary_key.name])
            return True, rows[0] if rows else None
        pref = parent_ref(root, model, via)
        if pref is not None:
            target = root_row.get(pref.name)
            return True, state.by_pk(model, target) if target is not None else None
        raise AssertionError(f"{model_name} is not reachable from {root.name}")

    def walk(shape: Shape, item: tuple[Model, dict] | None, via: str | None) -> Any:
        shape = resolve(spec, shape)
        if isinstance(shape, FieldShape):
            _found, row = row_for(shape.model, item, via)
            return column(shape.model, shape.field, row, shape)
        if isinstance(shape, ObjectShape):
            via = via_of(shape) or via
            models = leaf_models(spec, shape)
            only_child = None
            if len(models) == 1 and not any(isinstance(resolve(spec, s), (ListShape, MapShape))
                                            for _n, s in shape.properties):
                name = next(iter(models))
                if name != root.name and (item is None or item[0].name != name):
                    _found, row = row_for(name, item, via)
                    model = spec.model(name)
                    if any(is_one_to_one(r) for r in child_refs(spec, root, model)):
                        only_child = row
                        if row is None:
                            return None if shape.nullable else OMIT
            result = {}
            for name, sub in shape.properties:
                value = walk(sub, item, via)
                sub_resolved = resolve(spec, sub)
                if value is OMIT and not sub_resolved.optional:
                    # a required property reading NULL: the object is left out (flat columns)
                    if isinstance(sub_resolved, FieldShape):
                        return None if shape.nullable else OMIT
                if value is not OMIT:
                    result[name] = value
            del only_child
            return result
        if isinstance(shape, ListShape):
            child, ref = _set_target(spec, root, shape)
            rows = state.children(child, ref, root_row[root.primary_key.name])
            order = set_order_field(child, ref)
            if order is not None:
                rows = sorted(rows, key=lambda r: r[order.name])
            return [walk(shape.items, (child, row), None) for row in rows]
        if isinstance(shape, MapShape):
            from .values import key_text

            child, ref = _set_target(spec, root, shape)
            rows = state.children(child, ref, root_row[root.primary_key.name])
            keys = shape.keys.field
            return {key_text(keys, json_of_db(keys, row[keys.name])): walk(shape.values,
                                                                          (child, row), None)
                    for row in rows}
        raise TypeError(shape)

    return walk(shape, None, via)


def list_ordered(spec: Spec, root: Model, shape: ListShape) -> bool:
    child, ref = _set_target(spec, root, shape)
    return set_order_field(child, ref) is not None


def compare(spec: Spec, root: Model, shape: Shape, expected: Any, got: Any,
            path: str = "$") -> list[str]:
    """Differences between an expected and an actual JSON value of ``shape`` (values compared
    by their field's type; lists without a promised order compared as multisets)."""
    from .values import same_value

    shape = resolve(spec, shape)
    if expected is OMIT:
        return [] if got is OMIT else [f"{path}: expected absent, got {got!r}"]
    if got is OMIT:
        return [f"{path}: missing (expected {expected!r})"]
    if expected is None or got is None:
        return [] if expected is None and got is None else \
            [f"{path}: expected {expected!r}, got {got!r}"]
    if isinstance(shape, FieldShape):
        return [] if same_value(shape.field, expected, got) else \
            [f"{path}: expected {expected!r}, got {got!r}"]
    if isinstance(shape, ObjectShape):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        problems = []
        for name, sub in shape.properties:
            problems += compare(spec, root, sub, expected.get(name, OMIT), got.get(name, OMIT),
                                f"{path}.{name}")
        extra = set(got) - {name for name, _s in shape.properties}
        if extra:
            problems.append(f"{path}: unexpected keys {sorted(extra)}")
        return problems
    if isinstance(shape, ListShape):
        if not isinstance(got, list) or len(got) != len(expected):
            return [f"{path}: expected {len(expected)} items {expected!r}, got {got!r}"]
        if list_ordered(spec, root, shape):
            return [p for i, (e, g) in enumerate(zip(expected, got, strict=True))
                    for p in compare(spec, root, shape.items, e, g, f"{path}[{i}]")]
        remaining = list(got)
        for e in expected:
            match = next((g for g in remaining if not compare(spec, root, shape.items, e, g)),
                         None)
            if match is None:
                return [f"{path}: no item matches {e!r} in {got!r}"]
            remaining.remove(match)
        return []
    if isinstance(shape, MapShape):
        if not isinstance(got, dict) or set(got) != set(expected):
            return [f"{path}: expected keys {sorted(expected)}, got {got!r}"]
        return [p for key in expected
                for p in compare(spec, root, shape.values, expected[key], got[key],
                                 f"{path}.{key}")]
    raise TypeError(shape)
