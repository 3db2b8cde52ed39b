"""The HTTP contract suite: every endpoint of a spec, checked against a running server at a base
URL and its database, by the rules of docs/runtime.md.

``Suite(spec_path, base_url, db_url).run(endpoint, family)`` runs one family of cases for one
endpoint and returns a ``Result`` (cases run, failures). Families:

- ``roundtrip``  valid bodies (every variant of bodies.VARIANTS) written to a root one after the
                 other; after each, the database holds what the body says (merge keeps what a
                 body omits, replace resets it), and every read endpoint of the same root
                 answers what the read rules make of the database (and the body's values);
                 GET endpoints: roots seeded bare and with every child, read back; DELETE: the
                 root is gone, then 404.
- ``bad-body``   every rule of every body property broken in turn: 400, ``{"error": str}``
                 naming the JSON path, the database unchanged (every table, every row).
- ``bad-param``  every rule of every path parameter broken: 400, nothing written.
- ``auth``       no token, a rejected token, another owner's token, the owner's token, on an
                 owned root and an unowned one: 401 / 404 / 2xx as the spec says.
- ``roots``      an unknown root: 404 for reads, deletes and writes, unless a parameter says
                 ``create: true`` (then the write creates it, owned by the caller).
- ``protocol``   non-JSON body 415, malformed JSON 400, a body over 1 MiB 413, wrong methods
                 405, unknown paths 404, each with the Error envelope.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import httpx
from vigilo_gen.model import NOW, Endpoint, FieldShape, FieldType, Model, ObjectShape
from vigilo_gen.spec import load_spec

from . import bodies, rules, values
from .db import Database
from .server import ALICE, BAD_TOKEN, BOB, OTHER_TOKEN, OWNER_TOKEN

T = FieldType
FAMILIES = ("roundtrip", "bad-body", "bad-param", "auth", "roots", "protocol")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_BODY = 1024 * 1024


def families(spec, endpoint: Endpoint) -> list[str]:
    """The families of cases that apply to ``endpoint``."""
    found = ["roundtrip"]
    if endpoint.body is not None:
        found.append("bad-body")
    if bodies.bad_params(spec, endpoint):
        found.append("bad-param")
    if spec.api.auth_scheme:
        found.append("auth")
    found += ["roots", "protocol"]
    return found


@dataclass
class Result:
    cases: int = 0
    failures: list[str] = dc_field(default_factory=list)

    def check(self, ok: bool, message: str) -> bool:
        self.cases += 1
        if not ok:
            self.failures.append(message)
        return ok


@dataclass
class Root:
    pk: Any
    params: dict[str, str]
    owner: str | None


class Suite:
    def __init__(self, spec_path: Path, base_url: str, db_url: str):
        self.spec_path = Path(spec_path)
        self.spec = load_spec(self.spec_path)
        assert self.spec.api is not None, f"{spec_path} has no api section"
        self.api = self.spec.api
        self.words = rules.Words.read(self.spec, self.spec_path)
        self.base_url = base_url.rstrip("/")
        self.db = Database(self.spec, db_url)
        self.http = httpx.Client(base_url=self.base_url, timeout=60)
        self._refs: dict[str, Any] = {}
        self._counter = 0

    def close(self) -> None:
        self.http.close()
        self.db.close()

    def endpoint(self, name: str) -> Endpoint:
        return next(ep for ep in self.api.endpoints if ep.name == name)

    def run(self, endpoint: Endpoint, family: str) -> Result:
        result = Result()
        method = getattr(self, "_" + family.replace("-", "_"))
        try:
            method(endpoint, result)
        except AssertionError as exc:  # a check that cannot go on
            result.failures.append(f"{endpoint.name} {family}: {exc}")
        return result

    def run_all(self, families: tuple[str, ...]) -> list[str]:
        """Every endpoint through each of ``families``: the failures. A family that runs no
        case for an endpoint is a failure too (the check would prove nothing)."""
        failures = []
        for endpoint in self.api.endpoints:
            for family in families:
                result = self.run(endpoint, family)
                if result.cases == 0:
                    failures.append(f"{endpoint.name} {family}: no case ran")
                failures += result.failures
        return failures

    # -- helpers ----------------------------------------------------------------------------

    @property
    def owned(self) -> bool:
        return bool(self.words.owners)

    def root_model(self, endpoint: Endpoint) -> Model:
        return rules.root_model(self.spec, endpoint)

    def token_for(self, owner: str | None) -> str | None:
        if not self.api.auth_scheme:
            return None
        return {ALICE: OWNER_TOKEN, BOB: OTHER_TOKEN}.get(owner, OWNER_TOKEN)

    def url(self, endpoint: Endpoint, params: dict[str, str]) -> str:
        path = endpoint.path
        for name, value in params.items():
            path = path.replace("{" + name + "}", httpx.URL("/" + value).raw_path.decode()[1:]
                                .replace("?", "%3F").replace("#", "%23"))
        return self.api.base_path + path

    def request(self, endpoint: Endpoint, params: dict[str, str], body: Any = ...,
                token: str | None = None, method: str | None = None, **kw: Any
                ) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not ...:
            kw["content"] = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        return self.http.request(method or endpoint.method, self.url(endpoint, params),
                                 headers=headers, **kw)

    def ref_value(self, model_name: str) -> str:
        """The id of a row of ``model_name`` (seeded once) for ref fields in bodies."""
        if model_name not in self._refs:
            model = self.spec.model(model_name)
            owner = self.words.owner_field(model)
            row = self.db.insert(model, owner=(owner, None) if owner and owner.nullable
                                 else None)
            self._refs[model_name] = row[model.primary_key.name]
        return self._refs[model_name]

    def _owner_row(self, model: Model, owner: str) -> None:
        """Owner ids held in a ref field must name an existing row of its target."""
        fld = self.words.owner_field(model)
        if fld is not None and fld.reference is not None:
            target = self.spec.model(fld.reference.target)
            if not self.db.find(target, **{target.primary_key.name: owner}):
                self.db.insert(target, {target.primary_key.name: owner},
                               owner=self._owner_spec(target, owner))

    def _owner_spec(self, model: Model, owner: str | None):
        fld = self.words.owner_field(model)
        return (fld, owner) if fld is not None else None

    def new_root(self, endpoint: Endpoint, owner: str | None = ALICE) -> Root:
        """A root row for ``endpoint`` in the database, owned by ``owner`` where the spec has
        an owner field (its primary key as owner: that owner's one row)."""
        model = self.root_model(endpoint)
        ofield = self.words.owner_field(model)
        if ofield is None:
            owner = None
        elif owner is None and not ofield.nullable:
            owner = BOB  # cannot be unowned: the nearest is someone else's
        given: dict[str, Any] = {}
        if owner is not None and ofield is not None:
            self._owner_row(model, owner)
            if ofield.primary_key:
                found = self.db.find(model, **{ofield.name: owner})
                if found:
                    return self._root_of(endpoint, model, found[0], owner)
        row = self.db.insert(model, given, owner=self._owner_spec(model, owner))
        return self._root_of(endpoint, model, row, owner)

    def _root_of(self, endpoint: Endpoint, model: Model, row: dict, owner: str | None) -> Root:
        params = {name: str(values.json_of_db(shape.field, row[shape.field.name]))
                  for name, shape in endpoint.params}
        return Root(row[model.primary_key.name], params, owner)

    def root_for(self, endpoint: Endpoint, root: Root) -> Root:
        """The same root row, addressed by ``endpoint``'s path parameters (two reads of one
        model may name it by different fields)."""
        model = self.root_model(endpoint)
        row = self.db.state().by_pk(model, root.pk)
        return self._root_of(endpoint, model, row, root.owner)

    def unknown_params(self, endpoint: Endpoint) -> dict[str, str]:
        """Parameter values no row has."""
        import random

        self._counter += 1
        rng = random.Random(f"unknown:{endpoint.name}:{self._counter}")
        return {name: str(values.unique_value(shape.field, rng))
                for name, shape in endpoint.params}

    def seed_children(self, endpoint: Endpoint, root: Root) -> None:
        """Rows of every model that references the root model (one per one-to-one child,
        three per one-to-many child with distinct keys), every field given a value."""
        import random

        model = self.root_model(endpoint)
        rng = random.Random(f"children:{endpoint.name}:{root.pk}")
        for child in self.spec.models:
            for ref in rules.child_refs(self.spec, model, child):
                count = 1 if rules.is_one_to_one(ref) else 3
                groups = rules.set_key_fields(child, ref)
                distinct = {f: values.distinct_values(child.field(f), rng, count)
                            for group in groups for f in group
                            if child.field(f).reference is None and not child.field(f).primary_key}
                for i in range(count):
                    given = {ref.name: root.pk}
                    for fld in child.fields:
                        if fld.primary_key or fld.reference is not None or fld.default is NOW:
                            continue
                        if fld.name in distinct and len(distinct[fld.name]) > i:
                            given[fld.name] = self.db_value(fld, distinct[fld.name][i])
                        else:
                            given[fld.name] = self.db_value(fld, values.valid_value(fld, rng))
                    ofield = self.words.owner_field(child)
                    if ofield is not None and ofield.name not in given:
                        given[ofield.name] = root.owner
                    self.db.insert(child, given)

    def db_value(self, fld, value):
        return self.db.db_value(fld, value)

    def envelope(self, reply: httpx.Response) -> str | None:
        """The Error envelope's message, or None when the body is not one."""
        try:
            data = reply.json()
        except ValueError:
            return None
        if isinstance(data, dict) and set(data) == {"error"} and isinstance(data["error"], str):
            return data["error"]
        return None

    def ok_status(self, endpoint: Endpoint, inserts: bool) -> int:
        return 201 if inserts else 200

    def inserts(self, endpoint: Endpoint) -> bool:
        if endpoint.body is None:
            return False
        maker = bodies.BodyMaker(self.spec, endpoint, self.ref_value)
        writes = rules.body_writes(self.spec, endpoint, maker.valid("full"), self.words)
        return bool(writes.inserts)

    def reads_of(self, endpoint: Endpoint) -> list[Endpoint]:
        """Read endpoints (GET with a response) of the same root model."""
        model = self.root_model(endpoint).name
        return [ep for ep in self.api.endpoints if ep.method == "GET" and ep.response and
                self.root_model(ep).name == model]

    def _describe(self, endpoint: Endpoint, params: dict, body: Any = ...) -> str:
        text = f"{endpoint.method} {self.url(endpoint, params)}"
        if body is not ...:
            shown = json.dumps(body)
            text += " " + (shown if len(shown) < 400 else shown[:400] + "...")
        return text

    # -- families ---------------------------------------------------------------------------

    def _roundtrip(self, endpoint: Endpoint, result: Result) -> None:
        if endpoint.method == "DELETE":
            return self._roundtrip_delete(endpoint, result)
        if endpoint.body is None:
            return self._roundtrip_read(endpoint, result)
        root = self.new_root(endpoint)
        token = self.token_for(root.owner)
        merge = self.words.merges(endpoint)
        expected: dict[tuple, Any] = {}  # (group key, field name) -> value, scalars kept
        for index, variant in enumerate(bodies.VARIANTS):
            maker = bodies.BodyMaker(self.spec, endpoint, self.ref_value, seed=index)
            body = maker.valid(variant)
            before = self.db.state()
            reply = self.request(endpoint, root.params, body, token)
            writes = rules.body_writes(self.spec, endpoint, body, self.words)
            status = 201 if writes.inserts else 200
            where = f"{endpoint.name} [{variant}] {self._describe(endpoint, root.params, body)}"
            if not result.check(reply.status_code == status,
                                f"{where}: expected {status}, got {reply.status_code} "
                                f"{reply.text[:300]}"):
                continue
            after = self.db.state()
            self._check_reply(endpoint, reply, writes, before, after, result, where)
            self._check_writes(endpoint, root, writes, merge, expected, before, after, result,
                               where, first=index == 0)
            self._check_reads(endpoint, root, token, after, writes, result, where)

    def _check_reply(self, endpoint, reply, writes, before, after, result, where) -> None:
        try:
            data = reply.json()
        except ValueError:
            result.check(False, f"{where}: the answer is not JSON: {reply.text[:200]}")
            return
        if endpoint.response is None or not writes.inserts:
            result.check(data == {"success": True},
                         f"{where}: expected {{\"success\": true}}, got {data!r}")
            return
        # An insert answers its response schema read from the new row.
        (model_name,) = writes.inserts
        model = self.spec.model(model_name)
        new = self._new_rows(model, before, after)
        if len(new) != 1:
            return
        shape = self.api.schema(endpoint.response).shape
        want = rules.expected_read(self.spec, shape, after, model, new[0])
        problems = rules.compare(self.spec, model, shape, want, data)
        result.check(not problems, f"{where}: the 201 answer is not the new row: {problems}")

    def _new_rows(self, model: Model, before: rules.State, after: rules.State) -> list[dict]:
        pk = model.primary_key.name
        old = {str(r[pk]) for r in before.rows[model.name]}
        return [r for r in after.rows[model.name] if str(r[pk]) not in old]

    def _check_writes(self, endpoint, root, writes, merge, expected, before, after, result,
                      where, first) -> None:
        spec = self.spec
        model = self.root_model(endpoint)
        root_row = after.by_pk(model, root.pk)
        if not result.check(root_row is not None, f"{where}: the root row is gone"):
            return
        # Scalars: the root and one-to-one children.
        for group, fld in writes.omitted:
            if group[0] in ("root", "one") and not merge:
                default = rules.default_json(fld)
                expected[(group, fld.name)] = None if default is rules.OMIT and fld.nullable \
                    else default
        for fact in writes.facts:
            if fact.group[0] in ("root", "one"):
                expected[(fact.group, fact.field.name)] = fact.value
        for (group, name), value in expected.items():
            if value is rules.OMIT:
                continue
            if group[0] == "root":
                row, fld = root_row, model.field(name)
            else:
                child = spec.model(group[1])
                rows = after.children(child, child.field(group[2]), root.pk)
                if not result.check(len(rows) == 1, f"{where}: {len(rows)} {child.name} rows "
                                    f"for the root, expected 1 (upsert)"):
                    continue
                row, fld = rows[0], child.field(name)
            result.check(values.same_value(fld, value, row[name]),
                         f"{where}: {fld.name} holds {row[name]!r}, the body wrote {value!r}")
        # Replaced sets: exactly the body's rows; a replace (no merge) empties an omitted set.
        sets = dict(writes.sets)
        if not merge:
            sets.update((key, 0) for key in writes.omitted_sets if key not in sets)
        for (child_name, ref_name), count in sets.items():
            child = spec.model(child_name)
            rows = after.children(child, child.field(ref_name), root.pk)
            wanted: dict[int, dict[str, tuple]] = {}
            for fact in writes.facts:
                if fact.group[0] == "set" and fact.group[1] == child_name:
                    wanted.setdefault(fact.group[3], {})[fact.field.name] = (fact.field,
                                                                             fact.value)
            if not result.check(len(rows) == count, f"{where}: {child_name} has {len(rows)} "
                                f"rows for the root, the body replaced the set with {count}"):
                continue
            remaining = list(rows)
            for item in wanted.values():
                match = next((r for r in remaining if all(values.same_value(f, v, r[n])
                                                          for n, (f, v) in item.items())), None)
                if result.check(match is not None, f"{where}: no {child_name} row holds "
                                f"{ {n: v for n, (f, v) in item.items()} } in {rows}"):
                    remaining.remove(match)
        # Inserts: one new row holding the body's values, the rest at their defaults.
        for child_name in writes.inserts:
            child = spec.model(child_name)
            new = self._new_rows(child, before, after)
            if not result.check(len(new) == 1, f"{where}: {len(new)} new {child_name} rows, "
                                "expected 1"):
                continue
            for fact in writes.facts:
                if fact.group[0] == "insert":
                    got = new[0][fact.field.name]
                    result.check(values.same_value(fact.field, fact.value, got),
                                 f"{where}: new {child_name}.{fact.field.name} holds {got!r}, "
                                 f"the body wrote {fact.value!r}")
            for group, fld in writes.omitted:
                default = rules.default_json(fld)
                if group[0] == "insert" and default is not rules.OMIT:
                    got = new[0][fld.name]
                    result.check(values.same_value(fld, default, got),
                                 f"{where}: new {child_name}.{fld.name} holds {got!r}, "
                                 f"expected its default {default!r}")
            ref = child.field(rules.classify(spec, model, child_name, endpoint.via or
                                             self.words.via.get(endpoint.name))[2])
            result.check(str(new[0][ref.name]) == str(root.pk),
                         f"{where}: the new {child_name} row is not the root's")
        # Nothing else changed: other roots keep their rows.
        for other in spec.models:
            touched = other.name == model.name or other.name in {g[1] for g, _f in
                                                                 writes.omitted if len(g) > 1} or \
                other.name in {f.group[1] for f in writes.facts if len(f.group) > 1} or \
                other.name in writes.inserts or other.name in {m for m, _r in sets}
            if not touched:
                result.check(before.rows[other.name] == after.rows[other.name],
                             f"{where}: {other.name} rows changed, the body does not write it")

    def _check_reads(self, endpoint, root, token, state, writes, result, where) -> None:
        model = self.root_model(endpoint)
        root_row = state.by_pk(model, root.pk)
        for read in self.reads_of(endpoint):
            params = self._root_of(read, model, root_row, root.owner).params
            reply = self.request(read, params, token=token)
            label = f"{where}; then {self._describe(read, params)}"
            if not result.check(reply.status_code == 200, f"{label}: expected 200, got "
                                f"{reply.status_code} {reply.text[:300]}"):
                continue
            shape = self.api.schema(read.response).shape
            want = rules.expected_read(self.spec, shape, state, model, root_row)
            problems = rules.compare(self.spec, model, shape, want, reply.json())
            result.check(not problems, f"{label}: {problems}")
            # And directly: each scalar the body wrote, where the response carries its field.
            carried = _scalars(self.spec, shape, reply.json())
            for fact in writes.facts:
                if fact.group[0] in ("root", "one") and (fact.model, fact.field.name) in carried:
                    got = carried[(fact.model, fact.field.name)]
                    if fact.value is None and got is rules.OMIT:
                        continue
                    result.check(values.same_value(fact.field, fact.value, got),
                                 f"{label}: {fact.path} was written {fact.value!r}, "
                                 f"read back {got!r}")

    def _roundtrip_read(self, endpoint: Endpoint, result: Result) -> None:
        model = self.root_model(endpoint)
        for seeded in (False, True):
            root = self.new_root(endpoint)
            if seeded:
                self.seed_children(endpoint, root)
                self._seed_parents(model, root)
            state = self.db.state()
            root_row = state.by_pk(model, root.pk)
            root = self._root_of(endpoint, model, root_row, root.owner)
            token = self.token_for(root.owner)
            reply = self.request(endpoint, root.params, token=token)
            where = f"{endpoint.name} [{'with children' if seeded else 'bare'}] " \
                    f"{self._describe(endpoint, root.params)}"
            if not result.check(reply.status_code == 200,
                                f"{where}: expected 200, got {reply.status_code} "
                                f"{reply.text[:300]}"):
                continue
            shape = self.api.schema(endpoint.response).shape
            want = rules.expected_read(self.spec, shape, state, model, root_row)
            problems = rules.compare(self.spec, model, shape, want, reply.json())
            result.check(not problems, f"{where}: {problems}")

    def _seed_parents(self, model: Model, root: Root) -> None:
        """Point each nullable reference of the root at a new row (many-to-one reads)."""
        for fld in model.references:
            if fld.nullable and fld.reference.target != model.name and \
                    self.words.owner_field(model) is not fld:
                target = self.spec.model(fld.reference.target)
                row = self.db.insert(target, owner=self._owner_spec(target, root.owner))
                table = self.db.metadata.tables[model.table]
                with self.db.engine.begin() as conn:
                    conn.execute(table.update().where(
                        table.c[model.primary_key.column] == root.pk).values(
                        {fld.column: row[target.primary_key.name]}))

    def _roundtrip_delete(self, endpoint: Endpoint, result: Result) -> None:
        model = self.root_model(endpoint)
        root = self.new_root(endpoint)
        self.seed_children(endpoint, root)
        token = self.token_for(root.owner)
        reply = self.request(endpoint, root.params, token=token)
        where = f"{endpoint.name} {self._describe(endpoint, root.params)}"
        if result.check(reply.status_code == 200, f"{where}: expected 200, got "
                        f"{reply.status_code} {reply.text[:300]}"):
            result.check(_json(reply) == {"success": True},
                         f"{where}: expected {{\"success\": true}}, got {reply.text[:200]}")
        state = self.db.state()
        result.check(state.by_pk(model, root.pk) is None, f"{where}: the root row is still there")
        for read in self.reads_of(endpoint):
            params = {name: root.params.get(name, v) for name, v in
                      self._params_from(read, model, root).items()}
            again = self.request(read, params, token=token)
            result.check(again.status_code == 404 and self.envelope(again) is not None,
                         f"{where}; then GET {read.path}: expected 404 with the Error envelope, "
                         f"got {again.status_code} {again.text[:200]}")
        before = self.db.dump()
        again = self.request(endpoint, root.params, token=token)
        result.check(again.status_code == 404 and self.envelope(again) is not None,
                     f"{where} a second time: expected 404 with the Error envelope, got "
                     f"{again.status_code} {again.text[:200]}")
        result.check(self.db.dump() == before, f"{where} a second time: the database changed")

    def _params_from(self, endpoint: Endpoint, model: Model, root: Root) -> dict[str, str]:
        return dict(root.params)

    def _bad_body(self, endpoint: Endpoint, result: Result) -> None:
        root = self.new_root(endpoint)
        token = self.token_for(root.owner)
        maker = bodies.BodyMaker(self.spec, endpoint, self.ref_value, seed=99)
        cases = maker.bad()
        snapshot = self.db.dump()
        for case in cases:
            reply = self.request(endpoint, root.params, case.body, token)
            where = f"{endpoint.name} bad body ({case.label}) " \
                    f"{self._describe(endpoint, root.params, case.body)}"
            self._expect_error(reply, 400, where, result, case)
            now = self.db.dump()
            result.check(now == snapshot, f"{where}: the database changed: "
                         f"{_dump_diff(snapshot, now)}")
            snapshot = now
        if self.words.creates_root(endpoint):
            params = self.unknown_params(endpoint)
            for case in cases[:3]:
                reply = self.request(endpoint, params, case.body, token)
                where = f"{endpoint.name} bad body ({case.label}) on an unknown root " \
                        f"{self._describe(endpoint, params, case.body)}"
                self._expect_error(reply, 400, where, result, case)
                now = self.db.dump()
                result.check(now == snapshot, f"{where}: the database changed (a root was "
                             f"created?): {_dump_diff(snapshot, now)}")

    def _expect_error(self, reply: httpx.Response, status: int, where: str, result: Result,
                      case: bodies.BadBody | None = None) -> None:
        message = self.envelope(reply)
        if not result.check(reply.status_code == status and message is not None,
                            f"{where}: expected {status} with {{\"error\": str}}, got "
                            f"{reply.status_code} {reply.text[:300]}"):
            return
        if case is not None:
            result.check(case.names_path(message),
                         f"{where}: the error does not name {case.path}: {message!r}")

    def _bad_param(self, endpoint: Endpoint, result: Result) -> None:
        root = self.new_root(endpoint)
        token = self.token_for(root.owner)
        body = bodies.BodyMaker(self.spec, endpoint, self.ref_value).valid("full") \
            if endpoint.body is not None else ...
        snapshot = self.db.dump()
        for label, name, value in bodies.bad_params(self.spec, endpoint):
            params = {**root.params, name: value}
            reply = self.request(endpoint, params, body, token)
            where = f"{endpoint.name} bad parameter ({label}) " \
                    f"{self._describe(endpoint, params, body)}"
            self._expect_error(reply, 400, where, result)
            now = self.db.dump()
            result.check(now == snapshot, f"{where}: the database changed: "
                         f"{_dump_diff(snapshot, now)}")
            snapshot = now

    def _auth(self, endpoint: Endpoint, result: Result) -> None:
        model = self.root_model(endpoint)
        ofield = self.words.owner_field(model)
        required = endpoint.auth_required
        roots: list[str | None] = [ALICE] if ofield is not None else []
        if ofield is None or (ofield.nullable and not ofield.primary_key):
            roots.append(None)
        for owner in roots:
            for token, who in ((None, "no token"), (BAD_TOKEN, "a rejected token"),
                               (OTHER_TOKEN, "another owner's token"),
                               (OWNER_TOKEN, "the owner's token")):
                root = self.new_root(endpoint, owner)
                if endpoint.method == "DELETE":
                    self.seed_children(endpoint, root)
                caller = {OWNER_TOKEN: ALICE, OTHER_TOKEN: BOB}.get(token)
                if token == BAD_TOKEN or (token is None and required):
                    status = 401
                elif ofield is not None and root.owner is not None and caller != root.owner:
                    status = 404
                else:
                    status = 201 if self.inserts(endpoint) else 200
                body = bodies.BodyMaker(self.spec, endpoint, self.ref_value,
                                        seed=7).valid("full") \
                    if endpoint.body is not None else ...
                snapshot = self.db.dump() if status >= 400 else None
                reply = self.request(endpoint, root.params, body, token)
                where = (f"{endpoint.name} with {who} on a root "
                         f"{'owned by its owner' if owner else 'without an owner'} "
                         f"{self._describe(endpoint, root.params, body)}")
                if status >= 400:
                    self._expect_error(reply, status, where, result)
                    if endpoint.method != "GET":
                        now = self.db.dump()
                        result.check(now == snapshot, f"{where}: the database changed: "
                                     f"{_dump_diff(snapshot, now)}")
                else:
                    result.check(reply.status_code == status, f"{where}: expected {status}, "
                                 f"got {reply.status_code} {reply.text[:300]}")

    def _roots(self, endpoint: Endpoint, result: Result) -> None:
        model = self.root_model(endpoint)
        creates = self.words.creates_root(endpoint) and endpoint.body is not None
        ofield = self.words.owner_field(model)
        callers = [OWNER_TOKEN] if self.api.auth_scheme else [None]
        if self.api.auth_scheme and not endpoint.auth_required:
            callers.append(None)
        for token in callers:
            params = self.unknown_params(endpoint)
            body = bodies.BodyMaker(self.spec, endpoint, self.ref_value, seed=11).valid("full") \
                if endpoint.body is not None else ...
            snapshot = self.db.dump()
            reply = self.request(endpoint, params, body, token)
            who = "a token" if token else "no token"
            where = f"{endpoint.name} on an unknown root ({who}) " \
                    f"{self._describe(endpoint, params, body)}"
            if not creates:
                self._expect_error(reply, 404, where, result)
                now = self.db.dump()
                result.check(now == snapshot, f"{where}: the database changed: "
                             f"{_dump_diff(snapshot, now)}")
                continue
            status = 201 if self.inserts(endpoint) else 200
            if not result.check(reply.status_code == status, f"{where}: expected {status} "
                                f"(create: true), got {reply.status_code} {reply.text[:300]}"):
                continue
            where_fields = {shape.field.name: value for (name, shape), value in
                            zip(endpoint.params, params.values(), strict=True)}
            rows = self.db.find(model, **where_fields)
            if not result.check(len(rows) == 1, f"{where}: {len(rows)} roots with the path's "
                                "values, expected 1 created"):
                continue
            row = rows[0]
            caller = ALICE if token == OWNER_TOKEN else None
            if ofield is not None:
                result.check(values.same_value(ofield, caller, row[ofield.name]) if caller
                             else row[ofield.name] is None,
                             f"{where}: the new root's owner is {row[ofield.name]!r}, expected "
                             f"{caller!r}")
            writes = rules.body_writes(self.spec, endpoint, body, self.words)
            written = {f.field.name for f in writes.facts if f.group[0] == "root"}
            for fld in model.fields:
                if fld.name in written or fld.name in where_fields or fld.primary_key or \
                        fld is ofield or fld.default is NOW:
                    continue
                default = rules.default_json(fld)
                want = None if default is rules.OMIT else default
                result.check(values.same_value(fld, want, row[fld.name]),
                             f"{where}: the new root's {fld.name} is {row[fld.name]!r}, "
                             f"expected its default {want!r}")
            # And it reads back.
            for read in self.reads_of(endpoint):
                again = self.request(read, self._root_of(read, model, row, caller).params,
                                     token=token)
                result.check(again.status_code == 200, f"{where}; then GET {read.path}: "
                             f"expected 200, got {again.status_code} {again.text[:200]}")

    def _protocol(self, endpoint: Endpoint, result: Result) -> None:
        root = self.new_root(endpoint)
        token = self.token_for(root.owner)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = self.url(endpoint, root.params)
        snapshot = self.db.dump()

        def expect(reply: httpx.Response, status: int, what: str) -> None:
            nonlocal snapshot
            where = f"{endpoint.name} {what}"
            self._expect_error(reply, status, where, result)
            now = self.db.dump()
            result.check(now == snapshot, f"{where}: the database changed: "
                         f"{_dump_diff(snapshot, now)}")
            snapshot = now

        if endpoint.body is not None:
            body = json.dumps(bodies.BodyMaker(self.spec, endpoint, self.ref_value)
                              .valid("full")).encode()
            for ctype in ("text/plain", "application/x-www-form-urlencoded"):
                reply = self.http.request(endpoint.method, url, content=body,
                                          headers={**headers, "Content-Type": ctype})
                expect(reply, 415, f"{endpoint.method} {url} as {ctype}: non-JSON body")
            reply = self.http.request(endpoint.method, url, content=body[:-1], headers={
                **headers, "Content-Type": "application/json"})
            expect(reply, 400, f"{endpoint.method} {url} with malformed JSON")
            big = b'{"zzPadding": "' + b"x" * MAX_BODY + b'"}'
            reply = self.http.request(endpoint.method, url, content=big, headers={
                **headers, "Content-Type": "application/json"})
            expect(reply, 413, f"{endpoint.method} {url} with a body over 1 MiB")
        used = {ep.method for ep in self.api.endpoints if ep.path == endpoint.path}
        for method in METHODS:
            if method not in used:
                reply = self.http.request(method, url, headers=headers)
                expect(reply, 405, f"{method} {url}: a method the path does not have")
                allow = {m.strip().upper() for m in reply.headers.get("allow", "").split(",")
                         if m.strip()} - {"HEAD", "OPTIONS"}
                result.check(allow == used, f"{endpoint.name} {method} {url}: 405 with "
                             f"Allow: {reply.headers.get('allow')!r}, the path has "
                             f"{', '.join(sorted(used))}")
        for suffix in ("/zz-no-such-segment",):
            reply = self.http.request(endpoint.method, url + suffix, headers=headers,
                                      **({"json": {}} if endpoint.body is not None else {}))
            expect(reply, 404, f"{endpoint.method} {url + suffix}: unknown path")
        reply = self.http.get(self.api.base_path + "/zz-unknown/path", headers=headers)
        expect(reply, 404, f"GET {self.api.base_path}/zz-unknown/path: unknown path")


def _json(reply: httpx.Response) -> Any:
    try:
        return reply.json()
    except ValueError:
        return None


def _scalars(spec, shape, value) -> dict[tuple[str, str], Any]:
    """(model, field) -> value of the response's scalars outside lists and maps."""
    found: dict[tuple[str, str], Any] = {}

    def walk(shape, value):
        shape = rules.resolve(spec, shape)
        if isinstance(shape, FieldShape):
            found[(shape.model, shape.field.name)] = value
        elif isinstance(shape, ObjectShape):
            for name, sub in shape.properties:
                if isinstance(value, dict):
                    walk(sub, value.get(name, rules.OMIT))
                else:
                    walk(sub, rules.OMIT)

    walk(shape, value)
    return found


def _dump_diff(before: dict, after: dict) -> str:
    parts = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, []), after.get(table, [])
        if old != new:
            gone = [r for r in old if r not in new]
            added = [r for r in new if r not in old]
            parts.append(f"{table}: -{gone[:3]} +{added[:3]}")
    return "; ".join(parts)[:800]


def copy_body(body: Any) -> Any:
    return copy.deepcopy(body)
