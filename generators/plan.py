"""Derive the operation plan of every endpoint from the spec's typing (docs/runtime.md).

The path parameters select a root row; each response property is read from the row its field
belongs to, reached through the relations of the root; each body property is written to the
row its field belongs to. What cannot be derived (two relations between the same models and no
``via``, a field the root cannot reach, ...) leaves the endpoint unbound, with a message that
names the word that settles it: description targets (OpenAPI, Pydantic) still describe it, and
runtime targets refuse it.
"""

from __future__ import annotations

from .model import (
    DATETIME_PRECISION,
    Api,
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
)
from .operations import (
    Assign,
    InsertChild,
    Operation,
    Read,
    ReadColumn,
    ReadList,
    ReadMap,
    ReadObject,
    ReplaceSet,
    RootKey,
    Step,
    UpdateRoot,
    UpsertChild,
    Write,
)

# The answer's HTTP shape and success status per method (a body of a child's scalars makes a
# POST an insert: 201).
_KIND_BY_METHOD = {"GET": "read", "DELETE": "delete", "POST": "write", "PUT": "write",
                   "PATCH": "write"}
_MERGE_BY_METHOD = {"POST": True, "PATCH": True, "PUT": False}


class Unbound(Exception):
    """This endpoint's effect cannot be derived; the message says why and what settles it."""


class Planner:
    def __init__(self, models: dict[str, Model], api: Api):
        self.models = models
        self.api = api
        self.owners = dict(api.owners)

    # -- relations ---------------------------------------------------------------------------

    def steps(self, model: str, target: str) -> list[Step]:
        """Every step from a row of ``model`` to rows of ``target``."""
        found = []
        for backref in self.models[model].backrefs:
            if backref.source_model == target:
                ref = self.models[target].field(backref.source_field)
                found.append(Step(target, ref, True, not backref.one_to_one, backref.name,
                                  backref.attr))
        for ref in self.models[model].references:
            if ref.reference.target == target:
                found.append(Step(target, ref, False, False, ref.reference.relation,
                                  ref.reference.relation_attr))
        return found

    def served(self, model: str, what: str) -> None:
        """The runtimes address a row by its one key column: a model with a composite key is
        described (OpenAPI, Pydantic) but not served."""
        found = self.models[model]
        if found.composite:
            raise Unbound(f"{what}: {model} has a composite primary key "
                          f"({', '.join(f.name for f in found.key)}), which the runtimes do not "
                          "address rows by yet")

    def _composite(self, model: str, target: str, via: str | None, found: bool,
                   what: str) -> None:
        """A relation of several fields (``relations:``) is described by OpenAPI and Pydantic
        but not followed by the runtimes, which join a row's one key column."""
        held = [(r.name, r) for r in self.models[model].composite_references
                if r.target == target]
        held += [(r.backref, r) for r in self.models[model].composite_backrefs
                 if r.source == target]
        named = [(n, r) for n, r in held if n == via] if via is not None else \
            ([] if found else held)
        if named:
            name, rel = named[0]
            raise Unbound(f"{what}: the relation {name} between {model} and {target} is held "
                          f"by several fields ({rel.source}: {', '.join(rel.fields)}), which "
                          "the runtimes do not follow yet")

    def step(self, model: str, target: str, via: str | None, to_many: bool, what: str) -> Step:
        candidates = [s for s in self.steps(model, target) if s.to_many == to_many]
        self._composite(model, target, via, bool(candidates), what)
        if via is not None:
            named = [s for s in candidates if s.name == via]
            if not named:
                names = ", ".join(sorted(s.name for s in candidates)) or "none"
                raise Unbound(f"{what}: 'via: {via}' names no "
                              f"{'to-many' if to_many else 'to-one'} relation from {model} to "
                              f"{target} (there: {names})")
            return named[0]
        if not candidates:
            kind = "one-to-many child" if to_many else "one-to-one child or referenced row"
            raise Unbound(f"{what}: {target} is not a {kind} of {model}")
        if len(candidates) > 1:
            names = ", ".join(sorted(s.name for s in candidates))
            raise Unbound(f"{what}: {model} reaches {target} through several relations "
                          f"({names}); say which with 'via'")
        self._check_step(candidates[0], what)
        return candidates[0]

    def _check_step(self, step: Step, what: str) -> Step:
        """A relation the runtimes follow joins a row's key to a reference to it."""
        self.served(step.model, what)
        if not step.ref.reference.to_key:
            raise Unbound(f"{what}: the relation {step.name} references "
                          f"{step.ref.reference.target}.{step.ref.reference.target_field}, not "
                          "its key; the runtimes follow relations by key only")
        return step

    def deref(self, shape: Shape) -> tuple[Shape, bool, bool, str | None]:
        """A named schema's shape, with the optional/nullable/via of the reference."""
        if isinstance(shape, SchemaRef):
            inner = self.api.schema(shape.name).shape
            via = shape.via or getattr(inner, "via", None)
            return inner, shape.optional, shape.nullable, via
        return shape, shape.optional, shape.nullable, getattr(shape, "via", None)

    def models_of(self, shape: Shape) -> list[str]:
        """The models of an object's fields (nested objects included; lists and maps not)."""
        shape, *_ = self.deref(shape)
        if isinstance(shape, FieldShape):
            return [shape.model]
        if isinstance(shape, ObjectShape):
            found: list[str] = []
            for _, sub in shape.properties:
                inner, *_ = self.deref(sub)
                if isinstance(inner, (FieldShape, ObjectShape)):
                    found += [m for m in self.models_of(inner) if m not in found]
            return found
        if isinstance(shape, ListShape):
            return self.models_of(shape.items)
        if isinstance(shape, MapShape):
            return [shape.keys.model]
        return []

    # -- reads -------------------------------------------------------------------------------

    def read(self, shape: Shape, model: str, what: str) -> Read:
        shape, optional, nullable, via = self.deref(shape)
        if isinstance(shape, FieldShape):
            if shape.model == model:
                return ReadColumn(shape.field, (), optional, nullable, False, None)
            step = self.step(model, shape.model, via, False, what)
            return self._column_through(shape.field, step, optional, nullable, what)
        if isinstance(shape, ObjectShape):
            # An object all of whose fields belong to one related row is that row (absent
            # with it); any other object is read from the current row, property by property.
            owners = self.models_of(shape)
            if len(owners) != 1 or owners[0] == model:
                return self._object(shape, model, (), optional, nullable, what)
            step = self.step(model, owners[0], via, False, what)
            if not (optional or nullable) and (step.child or step.ref.nullable):
                raise Unbound(f"{what}: the object is read from a {owners[0]} row that may "
                              "not exist: make it optional or nullable")
            return self._object(shape, owners[0], (step,), optional, nullable, what)
        if isinstance(shape, ListShape):
            owners = self.models_of(shape.items)
            if len(owners) != 1:
                raise Unbound(f"{what}: a list's items must be read from one model's rows "
                              f"(found {', '.join(owners) or 'none'})")
            step = self.step(model, owners[0], via, True, what)
            item = self.read(shape.items, owners[0], f"{what}[]")
            return ReadList(step, item, self._order(step), optional, nullable)
        if isinstance(shape, MapShape):
            child = shape.keys.model
            step = self.step(model, child, via, True, what)
            self._require_unique_key(step, shape.keys.field, what)
            value = self.read(shape.values, child, f"{what}{{}}")
            return ReadMap(step, shape.keys.field, value, optional, nullable)
        raise AssertionError(shape)

    def _column_through(self, field: Field, step: Step, optional: bool, nullable: bool,
                        what: str) -> ReadColumn:
        # A one-to-one child may not exist yet, nor a row a nullable reference points at.
        may_miss = step.child or step.ref.nullable
        if not may_miss:
            return ReadColumn(field, (step,), optional, nullable, False, None)
        if field.literal_default is not None:
            return ReadColumn(field, (step,), optional, nullable, True, field.literal_default)
        if nullable:
            return ReadColumn(field, (step,), optional, nullable, True, None)
        if optional:
            return ReadColumn(field, (step,), optional, nullable, False, None)
        raise Unbound(f"{what}: {step.model}.{field.name} is read from a row that may not "
                      "exist, and has no default: make the property optional or nullable")

    def _object(self, shape: ObjectShape, model: str, through: tuple[Step, ...],
                optional: bool, nullable: bool, what: str) -> ReadObject:
        properties = tuple((name, self.read(sub, model, f"{what}.{name}"))
                           for name, sub in shape.properties)
        presence = tuple(read.field for read in (r for _, r in properties)
                         if isinstance(read, ReadColumn) and not read.through
                         and not read.nullable and read.field.nullable)
        if presence and not (optional or nullable or through):
            raise Unbound(f"{what}: the object is required but its columns "
                          f"({', '.join(f.name for f in presence)}) may be NULL: make it "
                          "optional or nullable")
        return ReadObject(properties, through, presence, optional, nullable)

    def _order(self, step: Step) -> tuple[Field, ...]:
        """Children in the order of their unique key beside the reference, else by key."""
        return self._unique_beside(step) or (self.models[step.model].primary_key,)

    def _unique_beside(self, step: Step) -> tuple[Field, ...]:
        """The other fields of the child's composite unique that holds the reference."""
        child = self.models[step.model]
        for unique in child.uniques:
            if step.ref.name in unique.fields and len(unique.fields) > 1:
                return tuple(child.field(f) for f in unique.fields if f != step.ref.name)
        return ()

    def _require_unique_key(self, step: Step, key: Field, what: str) -> None:
        if self._unique_beside(step) != (key,):
            raise Unbound(f"{what}: a map keyed by {step.model}.{key.name} needs "
                          f"'unique: [[{step.ref.name}, {key.name}]]' on {step.model}: "
                          "otherwise two rows could share a key")

    # -- writes ------------------------------------------------------------------------------

    def assigns(self, shape: Shape, model: str, path: tuple[str, ...], required: bool,
                what: str) -> list[Assign]:
        """The columns of ``model`` a value writes, with their places in the body."""
        shape, optional, _nullable, _via = self.deref(shape)
        required = required and not optional
        if isinstance(shape, FieldShape):
            if shape.model != model:
                raise Unbound(f"{what}: {shape.model}.{shape.field.name} is not a field of "
                              f"{model}, the row this value is written to")
            field = shape.field
            if field.primary_key:
                raise Unbound(f"{what}: {model}.{field.name} is the primary key, which "
                              + ("the server generates" if field.generate else
                                 "the path selects"))
            if self.owners.get(model) == field:
                raise Unbound(f"{what}: {model}.{field.name} is the owner, which the token "
                              "sets")
            return [Assign(path, field, required)]
        if isinstance(shape, ObjectShape):
            found: list[Assign] = []
            for name, sub in shape.properties:
                found += self.assigns(sub, model, (*path, name), required,
                                      f"{what}.{name}")
            return found
        raise Unbound(f"{what}: a list or map inside a written row is not supported")

    def writes(self, endpoint: Endpoint, root: str) -> tuple[list[Write], bool]:
        """The body's writes, and whether they insert a new child row."""
        assert endpoint.body is not None
        own: list[Assign] = []
        upserts: dict[str, tuple[Step, list[Assign]]] = {}
        inserts: dict[str, tuple[Step, list[Assign]]] = {}
        sets: list[Write] = []
        for name, sub in endpoint.body.properties:
            what = f"body.{name}"
            inner, optional, _nullable, via = self.deref(sub)
            if isinstance(inner, (ListShape, MapShape)):
                sets.append(self._replace(name, inner, not optional, root, via, what))
                continue
            owners = self.models_of(inner)
            if not owners:  # an object of nothing but lists and maps
                raise Unbound(f"{what}: a list or map inside a written row is not supported")
            if len(owners) != 1:
                raise Unbound(f"{what}: a value written to one row mixes fields of "
                              f"{', '.join(owners)}")
            target = owners[0]
            if target == root:
                own += self.assigns(sub, root, (name,), True, what)
                continue
            steps = [s for s in self.steps(root, target) if s.child]
            via = via or endpoint.via
            if via is not None:
                steps = [s for s in steps if s.name == via]
            if not steps:
                raise Unbound(f"{what}: {target} is not a child of {root} (a body writes the "
                              f"root, its one-to-one children, or inserts a child)"
                              + (f"; 'via: {via}' names no such relation" if via else ""))
            if len(steps) > 1:
                names = ", ".join(sorted(s.name for s in steps))
                raise Unbound(f"{what}: {root} reaches {target} through several relations "
                              f"({names}); say which with 'via' on the endpoint")
            step = self._check_step(steps[0], what)
            bucket = inserts if step.to_many else upserts
            bucket.setdefault(step.name, (step, []))[1].extend(
                self.assigns(sub, target, (name,), True, what))
        for step, _ in (*upserts.values(), *inserts.values()):
            self._require_generated_key(step, f"endpoint {endpoint.name}")
        writes: list[Write] = []
        if own:
            writes.append(UpdateRoot(tuple(own)))
        writes += [UpsertChild(step, tuple(a)) for step, a in upserts.values()]
        writes += sets
        if inserts:
            if len(inserts) > 1 or writes:
                raise Unbound(f"endpoint {endpoint.name}: a body that inserts a child row "
                              "cannot write anything else")
            step, assigns = next(iter(inserts.values()))
            return [InsertChild(step, tuple(assigns))], True
        return writes, False

    def _require_generated_key(self, step: Step, what: str) -> None:
        """A write that inserts rows of ``step.model`` must be able to key them: a uuid the
        server makes or an identity the database makes; a natural key is nobody's to invent."""
        key = self.models[step.model].primary_key
        if not key.generate:
            raise Unbound(f"{what}: a new {step.model} row needs its key {key.name}, which "
                          "is neither generated (id, default: autoincrement) nor written by "
                          "this endpoint")

    def _replace(self, name: str, shape: ListShape | MapShape, required: bool, root: str,
                 via: str | None, what: str) -> ReplaceSet:
        if isinstance(shape, MapShape):
            child = shape.keys.model
            step = self.step(root, child, via, True, what)
            self._require_generated_key(step, what)
            self._require_unique_key(step, shape.keys.field, what)
            assigns = self.assigns(shape.values, child, (), True, f"{what}{{}}")
            return ReplaceSet(name, required, step, shape.keys.field, tuple(assigns),
                              (shape.keys.field,))
        owners = self.models_of(shape.items)
        if len(owners) != 1:
            raise Unbound(f"{what}: a list's items must be written to one model's rows")
        step = self.step(root, owners[0], via, True, what)
        self._require_generated_key(step, what)
        assigns = self.assigns(shape.items, owners[0], (), True, f"{what}[]")
        written = {a.field.name for a in assigns}
        unique = tuple(f for f in self._unique_beside(step) if f.name in written)
        return ReplaceSet(name, required, step, None, tuple(assigns), unique)

    # -- endpoints ---------------------------------------------------------------------------

    def root(self, endpoint: Endpoint) -> RootKey:
        if not endpoint.params:
            raise Unbound(f"endpoint {endpoint.name}: no path parameter selects a root row")
        models = {shape.model for _, shape in endpoint.params}
        if len(models) > 1:
            raise Unbound(f"endpoint {endpoint.name}: path parameters of several models "
                          f"({', '.join(sorted(models))}) select no single root row")
        model = self.models[models.pop()]
        self.served(model.name, f"endpoint {endpoint.name}")
        fields = {shape.field.name for _, shape in endpoint.params}
        unique_sets = [{f.name for f in model.key}] + [set(u.fields) for u in model.uniques]
        if fields not in unique_sets:
            raise Unbound(f"endpoint {endpoint.name}: the path parameters "
                          f"({', '.join(sorted(fields))}) are not unique in {model.name}: "
                          "type them by the primary key or a unique field")
        if self.owners and model.name not in self.owners:
            raise Unbound(f"endpoint {endpoint.name}: its root {model.name} has no owner field "
                          "in api.auth.owner")
        create = any(shape.create for _, shape in endpoint.params)
        return RootKey(model.name, tuple((p, s.field) for p, s in endpoint.params), create,
                       self.owners.get(model.name))

    def operation(self, endpoint: Endpoint) -> Operation:
        root = self.root(endpoint)
        kind = _KIND_BY_METHOD[endpoint.method]
        merge = endpoint.merge if endpoint.merge is not None else \
            _MERGE_BY_METHOD.get(endpoint.method, True)
        read = None
        writes: list[Write] = []
        status = 200
        if kind == "read":
            if endpoint.response is None:
                raise Unbound(f"endpoint {endpoint.name}: a GET needs a 'response' schema")
            read = self.read(self.api.schema(endpoint.response).shape, root.model,
                             endpoint.response)
        elif kind == "write":
            if endpoint.body is None or not endpoint.body.properties:
                raise Unbound(f"endpoint {endpoint.name}: a {endpoint.method} needs a body")
            writes, inserts = self.writes(endpoint, root.model)
            if inserts:
                kind, status = "insert", 201
                if endpoint.response is not None:
                    read = self.read(self.api.schema(endpoint.response).shape,
                                     writes[0].step.model, endpoint.response)
        if read is not None and not isinstance(read, ReadObject):
            # The runtimes answer a JSON object (the error envelope is one too); a list, map
            # or column is served as a property of an object schema.
            raise Unbound(f"endpoint {endpoint.name}: the response {endpoint.response} is not "
                          "an object: wrap it in an object schema's property")
        return Operation(endpoint, root, kind, read, tuple(writes), merge, status)


def plan(models: dict[str, Model], api: Api) -> tuple[tuple[Operation, ...], tuple]:
    """The operations of every endpoint that can be bound, and why the others cannot."""
    planner = Planner(models, api)
    operations, unbound = [], []
    for endpoint in api.endpoints:
        try:
            _served_types(api, endpoint)
            operations.append(planner.operation(endpoint))
        except Unbound as problem:
            # The runtimes say "endpoint X cannot be served: <why>": X is not said twice.
            why = str(problem).removeprefix(f"endpoint {endpoint.name}: ")
            unbound.append((endpoint.name, endpoint.position, why))
    return tuple(operations), tuple(unbound)


def creatable(model: Model, params: set[str], owner: Field | None) -> list[str]:
    """The required fields a first write could not fill (none: the root can be created)."""
    return [f.name for f in model.fields
            if not f.nullable and f.default is None and not f.generate
            and f.name not in params and f != owner]


# Types the runtimes (the FastAPI router, the TypeScript handlers) do not convert between
# JSON and the database yet; OpenAPI, Pydantic and Zod describe them.
NOT_SERVED = frozenset({FieldType.JSON, FieldType.UUID, FieldType.BYTES})


def _served_types(api: Api, endpoint) -> None:
    """Unbound when a value of the endpoint (path, body, response) has a type not served."""
    shapes = [shape for _, shape in endpoint.params]
    if endpoint.body is not None:
        shapes.append(endpoint.body)
    if endpoint.response is not None:
        shapes.append(SchemaRef(endpoint.response, False, False, None))
    seen: set[str] = set()
    while shapes:
        shape = shapes.pop()
        if isinstance(shape, FieldShape):
            field = shape.field
            kind = field.value_type.value if field.value_type in NOT_SERVED else None
            if field.type is FieldType.DATETIME and (not field.timezone or
                                                     field.precision != DATETIME_PRECISION):
                kind = "datetime (no time zone or a precision other than 3)"
            if kind is not None:
                raise Unbound(f"endpoint {endpoint.name}: {shape.model}.{field.name} is "
                              f"a {kind} field, which the runtimes do not "
                              "serve yet (OpenAPI, Pydantic and Zod describe it)")
        elif isinstance(shape, SchemaRef):
            known = {named.name for named in api.schemas}  # an unknown one is reported
            if shape.name not in seen and shape.name in known:
                seen.add(shape.name)
                shapes.append(api.schema(shape.name).shape)
        elif isinstance(shape, ObjectShape):
            shapes.extend(s for _, s in shape.properties)
        elif isinstance(shape, ListShape):
            shapes.append(shape.items)
        elif isinstance(shape, MapShape):
            shapes += [shape.values, shape.keys]
