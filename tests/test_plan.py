"""The operation plan follows the rules of docs/runtime.md.

Each expectation is written from the documented rule for the bundled spec or a small spec
made here, not read from the planner: a bug cannot move it along.
"""

from __future__ import annotations

import re
import textwrap

import pytest
from vigilo_gen.operations import (
    InsertChild,
    ReadColumn,
    ReadList,
    ReadMap,
    ReadObject,
    ReplaceSet,
    UpdateRoot,
    UpsertChild,
)
from vigilo_gen.spec import load_spec

from tests.support import ROOT

VIGILO = ROOT / "spec" / "vigilo.yaml"


@pytest.fixture(scope="module")
def vigilo():
    return load_spec(VIGILO)


def test_every_bundled_endpoint_is_bound(vigilo):
    assert vigilo.api.unbound == ()
    assert [op.endpoint.name for op in vigilo.api.operations] == \
        [e.name for e in vigilo.api.endpoints]


def test_instance_key_selects_the_root_and_creates_it(vigilo):
    for op in vigilo.api.operations:
        assert op.root.model == "VigiloInstance"
        assert [(p, f.name) for p, f in op.root.params] == [("instanceKey", "instanceKey")]
        assert op.root.create is True
        assert op.root.owner.name == "userId"


def test_state_is_assembled_from_the_root_and_its_children(vigilo):
    read = vigilo.api.operation("getState").read
    assert isinstance(read, ReadObject) and read.through == ()
    props = dict(read.properties)
    # position: an object of one one-to-one child's fields is that child, absent with it.
    assert isinstance(props["position"], ReadObject)
    assert [s.model for s in props["position"].through] == ["VigiloPosition"]
    assert props["position"].optional
    # connections: a list of a one-to-many child, ordered by its unique key beside the ref.
    connections = props["connections"]
    assert isinstance(connections, ReadList) and connections.step.model == "VigiloConnection"
    assert [f.name for f in connections.order_by] == ["todoIndex"]
    # targetPosition: nested from two flat columns, absent while they are NULL.
    target = dict(connections.item.properties)["targetPosition"]
    assert isinstance(target, ReadObject) and target.through == ()
    assert sorted(f.name for f in target.presence) == ["targetPositionX", "targetPositionY"]
    # settings columns: through the one-to-one child, the field's default when it is missing.
    display = props["displayMode"]
    assert isinstance(display, ReadColumn)
    assert [s.model for s in display.through] == ["VigiloSettings"]
    assert (display.has_fallback, display.fallback) == (True, "full")
    assert (props["lineOpacity"].has_fallback, props["lineOpacity"].fallback) == (True, 0.5)
    # statuses: a map keyed by the child's todoIndex.
    statuses = props["statuses"]
    assert isinstance(statuses, ReadMap) and statuses.key.name == "todoIndex"
    assert statuses.step.model == "VigiloStatus"


def test_writes_follow_the_fields_that_type_the_body(vigilo):
    position = vigilo.api.operation("savePosition")
    assert position.kind == "write" and position.status == 200 and position.merge
    (upsert,) = position.writes
    assert isinstance(upsert, UpsertChild) and upsert.step.model == "VigiloPosition"
    assert [(a.path, a.field.name) for a in upsert.assigns] == [(("x",), "x"), (("y",), "y")]

    (replace,) = vigilo.api.operation("saveConnections").writes
    assert isinstance(replace, ReplaceSet) and replace.key is None
    assert replace.step.model == "VigiloConnection"
    assert (("targetPosition", "x"), "targetPositionX") in \
        [(a.path, a.field.name) for a in replace.assigns]
    assert [f.name for f in replace.unique] == ["todoIndex"]

    (statuses,) = vigilo.api.operation("saveStatuses").writes
    assert isinstance(statuses, ReplaceSet) and statuses.key.name == "todoIndex"
    assert [a.field.name for a in statuses.assigns] == ["status"]

    (hidden,) = vigilo.api.operation("saveHidden").writes
    assert isinstance(hidden, UpsertChild) and hidden.step.model == "VigiloSettings"


def _spec(tmp_path, api: str, models: str | None = None):
    models = models or """
      User:
        fields:
          id: {type: id}
          handle: {type: string, maxLength: 20, unique: true}
          name: {type: string, maxLength: 20, nullable: true}
      Order:
        fields:
          id: {type: id}
          userId: {type: ref, to: User, onDelete: cascade, relation: user, backref: orders}
          reviewerId: {type: ref, to: User, nullable: true, onDelete: setNull,
                       relation: reviewer, backref: reviewed}
          code: {type: string, maxLength: 10}
          rating: {type: int, nullable: true}
        unique: [[userId, code]]
    """
    text = "version: 1\nmodels:\n" + textwrap.indent(textwrap.dedent(models), "  ")[1:] + \
        "api:\n" + textwrap.indent(textwrap.dedent(api), "  ")[1:]
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return load_spec(path)


def test_two_relations_between_the_same_models_need_via(tmp_path):
    api = """
    params: {handle: User.handle}
    endpoints:
      - {name: addOrder, method: POST, path: '/u/{handle}', body: {code: Order.code}}
    """
    spec = _spec(tmp_path, api)
    ((name, _, why),) = spec.api.unbound
    assert name == "addOrder"
    assert "several relations (orders, reviewed)" in why and "'via'" in why
    settled = _spec(tmp_path, api.replace("path: '/u/{handle}',", "path: '/u/{handle}', "
                                          "via: orders,"))
    op = settled.api.operation("addOrder")
    assert op.kind == "insert" and op.status == 201
    (insert,) = op.writes
    assert isinstance(insert, InsertChild) and insert.step.ref.name == "userId"
    # A via naming no relation of the two is refused with that name, not taken for a choice.
    typo = _spec(tmp_path, api.replace("path: '/u/{handle}',", "path: '/u/{handle}', "
                                       "via: orderz,"))
    ((name, _, why),) = typo.api.unbound
    assert name == "addOrder" and why.endswith("; 'via: orderz' names no such relation")


def test_put_replaces_and_patch_merges(tmp_path):
    api = """
    params: {orderId: Order.id}
    endpoints:
      - {name: putRating, method: PUT, path: '/o/{orderId}', body: {rating: Order.rating}}
      - {name: patchRating, method: PATCH, path: '/o/{orderId}/r', body: {rating: Order.rating}}
      - {name: postKeep, method: POST, path: '/o/{orderId}/k', merge: false,
         body: {rating: Order.rating}}
    """
    spec = _spec(tmp_path, api)
    assert spec.api.operation("putRating").merge is False
    assert spec.api.operation("patchRating").merge is True
    assert spec.api.operation("postKeep").merge is False
    assert isinstance(spec.api.operation("putRating").writes[0], UpdateRoot)


def test_unbindable_endpoints_say_why(tmp_path):
    api = """
    params: {name: User.name, code: Order.code}
    schemas:
      Codes: {map: Order.rating, keys: Order.rating}
      Page: {object: {codes: {schema: Codes, via: orders}}}
    endpoints:
      - {name: byName, method: DELETE, path: '/n/{name}'}
      - {name: byCode, method: DELETE, path: '/c/{code}'}
      - {name: noParam, method: DELETE, path: '/x'}
      - {name: badMap, method: GET, path: '/u/{name}/m', response: Page}
    """
    spec = _spec(tmp_path, api)
    why = {name: text for name, _, text in spec.api.unbound}
    assert "not unique in User" in why["byName"]
    assert "not unique in Order" in why["byCode"]
    assert "no path parameter selects a root row" in why["noParam"]
    assert set(why) == {"byName", "byCode", "noParam", "badMap"}


def test_a_map_needs_its_key_unique_beside_the_reference(tmp_path):
    api = """
    params: {handle: User.handle}
    schemas:
      Ratings: {map: Order.rating, keys: Order.code}
      ByRating: {map: Order.code, keys: Order.rating}
    endpoints:
      - {name: good, method: GET, path: '/g/{handle}', response: Page}
      - {name: bad, method: GET, path: '/b/{handle}', response: Bad}
    """
    api = api.replace("    endpoints:",
                      "      Page: {object: {r: {schema: Ratings, via: orders}}}\n"
                      "      Bad: {object: {r: {schema: ByRating, via: orders}}}\n"
                      "    endpoints:")
    spec = _spec(tmp_path, api)
    assert isinstance(dict(spec.api.operation("good").read.properties)["r"], ReadMap)
    ((name, _, why),) = spec.api.unbound
    assert name == "bad" and "unique: [[userId, rating]]" in why


def test_an_owner_is_required_for_every_root_once_declared(tmp_path):
    api = """
    auth: {scheme: bearer, owner: User.handle}
    params: {orderId: Order.id}
    endpoints:
      - {name: drop, method: DELETE, path: '/o/{orderId}'}
    """
    spec = _spec(tmp_path, api)
    ((name, _, why),) = spec.api.unbound
    assert "root Order has no owner field in api.auth.owner" in why


def test_the_fastapi_emitter_refuses_an_unbound_endpoint_with_its_position(tmp_path):
    from vigilo_gen.errors import UsageError
    from vigilo_gen.registry import load

    api = """
    params: {handle: User.handle}
    endpoints:
      - {name: addOrder, method: POST, path: '/u/{handle}', body: {code: Order.code}}
    """
    spec = _spec(tmp_path, api)
    emitter = load("fastapi")
    with pytest.raises(UsageError, match=r"spec\.yaml:\d+:\d+: endpoint addOrder cannot be "
                                         r"served: .*'via'"):
        emitter.run(spec, emitter.make_options())


def test_every_runtime_refuses_the_first_unbound_endpoint_with_one_line(tmp_path):
    """README: `fastapi` and `serve` refuse an endpoint the runtimes cannot serve with its
    `file:line:col`; every runtime emitter names the same one, the first in the spec."""
    import subprocess
    import sys

    api = """
    params: {name: User.name, code: Order.code}
    endpoints:
      - {name: first, method: DELETE, path: '/n/{name}'}
      - {name: second, method: DELETE, path: '/c/{code}'}
    """
    _spec(tmp_path, api)
    lines = set()
    for emitter in ("fastapi", "ts-handlers", "trpc", "client"):
        run = subprocess.run([sys.executable, "-m", "vigilo_gen", emitter, "--spec",
                              str(tmp_path / "spec.yaml")], capture_output=True, text=True)
        assert run.returncode == 2, (emitter, run.stderr)
        (line,) = run.stderr.splitlines()
        assert "endpoint first cannot be" in line, (emitter, line)
        lines.add(line.split(": endpoint first", 1)[0])
    assert len(lines) == 1, lines  # one place: the first endpoint's
    # ... named by the spec's path as given, which an editor opens (docs/plugins.md,
    # Spec.shown_path), at the first endpoint's line
    text = (tmp_path / "spec.yaml").read_text().splitlines()
    row = next(i for i, t in enumerate(text, 1) if "name: first" in t)
    (place,) = lines
    assert re.fullmatch(rf"vigilo-gen: error: {re.escape(str(tmp_path / 'spec.yaml'))}:{row}:\d+",
                        place), place


def test_a_response_that_is_not_an_object_is_unbound_not_a_crash(tmp_path):
    """The runtimes answer JSON objects (docs/runtime.md): a response schema that is a map, a
    list or a column is refused with its position by every runtime emitter (it used to stop
    fastapi and ts-handlers with an internal error, exit 3)."""
    import subprocess
    import sys

    api = """
    params: {handle: User.handle}
    schemas:
      Ratings: {map: Order.rating, keys: Order.code, via: orders}
      Codes: {list: Order.code, via: orders}
      Page: {object: {r: {schema: Ratings}}}
    endpoints:
      - {name: good, method: GET, path: '/g/{handle}', response: Page}
      - {name: asMap, method: GET, path: '/m/{handle}', response: Ratings}
      - {name: asList, method: GET, path: '/l/{handle}', response: Codes}
      - {name: asColumn, method: GET, path: '/c/{handle}', response: Handle}
    """
    api = api.replace("    endpoints:", "      Handle: User.handle\n    endpoints:")
    spec = _spec(tmp_path, api)
    why = {name: text for name, _, text in spec.api.unbound}
    assert set(why) == {"asMap", "asList", "asColumn"}, why
    assert all("is not an object" in text for text in why.values())
    for emitter in ("fastapi", "ts-handlers", "trpc"):
        run = subprocess.run([sys.executable, "-m", "vigilo_gen", emitter, "--spec",
                              str(tmp_path / "spec.yaml")], capture_output=True, text=True)
        assert run.returncode == 2, (emitter, run.stderr)
        assert "is not an object" in run.stderr and len(run.stderr.splitlines()) == 1


# Each rule of docs/runtime.md an endpoint can break, with the reason the runtimes give (the
# models are _spec's unless a case gives its own).
UNBOUND_CASES = {
 "via_read": ("""
    params: {handle: User.handle}
    schemas:
      Codes: {list: {object: {code: Order.code}}}
      Page: {object: {codes: {schema: Codes, via: nope}}}
    endpoints:
      - {name: e, method: GET, path: '/u/{handle}', response: Page}
    """, None),
 "not_key": ("""
    params: {handle: User.handle}
    schemas:
      Codes: {list: {object: {code: Order.code}}}
      Page: {object: {codes: {schema: Codes}}}
    endpoints:
      - {name: e, method: GET, path: '/u/{handle}', response: Page}
    """, """
      User:
        fields:
          id: {type: id}
          handle: {type: string, maxLength: 20, unique: true}
      Order:
        fields:
          id: {type: id}
          userHandle: {type: ref, to: User, references: handle}
          code: {type: string, maxLength: 10}
    """),
 "object_may_miss": ("""
    params: {orderId: Order.id}
    schemas:
      Page: {object: {code: Order.code, rev: {object: {handle: User.handle}, via: reviewer}}}
    endpoints:
      - {name: e, method: GET, path: '/o/{orderId}', response: Page}
    """, None),
 "column_may_miss": ("""
    params: {orderId: Order.id}
    schemas:
      Page: {object: {id: Order.id, rh: User.handle}}
    endpoints:
      - {name: e, method: GET, path: '/o/{orderId}', response: Page}
    """, """
      User:
        fields:
          id: {type: id}
          handle: {type: string, maxLength: 20, unique: true}
      Order:
        fields:
          id: {type: id}
          reviewerId: {type: ref, to: User, nullable: true}
    """),
 "object_nullable_columns": ("""
    params: {handle: User.handle}
    schemas:
      Page: {object: {info: {object: {name: {field: User.name, nullable: false}}}}}
    endpoints:
      - {name: e, method: GET, path: '/u/{handle}', response: Page}
    """, None),
 "map_values_elsewhere": ("""
    params: {handle: User.handle}
    endpoints:
      - {name: e, method: POST, path: '/u/{handle}', via: orders,
         body: {m: {map: User.name, keys: Order.code, via: orders}}}
    """, None),
 "list_in_written_row": ("""
    params: {handle: User.handle}
    endpoints:
      - {name: e, method: POST, path: '/u/{handle}',
         body: {x: {object: {name: User.name, names: {list: User.name}}}}}
    """, None),
 "insert_and_more": ("""
    params: {handle: User.handle}
    endpoints:
      - {name: e, method: POST, path: '/u/{handle}', via: orders,
         body: {code: Order.code, name: User.name}}
    """, None),
 "natural_key_insert": ("""
    params: {handle: User.handle}
    endpoints:
      - {name: e, method: POST, path: '/u/{handle}', body: {label: Tag.label}}
    """, """
      User:
        fields:
          id: {type: id}
          handle: {type: string, maxLength: 20, unique: true}
      Tag:
        fields:
          code: {type: string, maxLength: 5, primaryKey: true}
          userId: {type: ref, to: User}
          label: {type: string, maxLength: 10}
    """),
 "list_two_models": ("""
    params: {handle: User.handle}
    endpoints:
      - {name: e, method: PUT, path: '/u/{handle}',
         body: {all: {list: {object: {code: Order.code, name: User.name}}}}}
    """, None),
}
UNBOUND_CASES.update({
 "owner_written": ("""
    auth: {scheme: bearer, owner: Order.userId}
    params: {orderId: Order.id}
    endpoints:
      - {name: e, method: PATCH, path: '/o/{orderId}', body: {userId: Order.userId}}
    """, None),
 "mixes_fields": ("""
    params: {orderId: Order.id}
    endpoints:
      - {name: e, method: PATCH, path: '/o/{orderId}',
         body: {x: {object: {code: Order.code, handle: User.handle}}}}
    """, None),
 "list_read_two_models": ("""
    params: {handle: User.handle}
    schemas:
      Page: {object: {all: {list: {object: {code: Order.code, name: User.name}}}}}
    endpoints:
      - {name: e, method: GET, path: '/u/{handle}', response: Page}
    """, None),
 "datetime_local": ("""
    params: {handle: User.handle}
    endpoints:
      - {name: e, method: PATCH, path: '/u/{handle}', body: {seen: User.seen}}
    """, """
      User:
        fields:
          id: {type: id}
          handle: {type: string, maxLength: 20, unique: true}
          seen: {type: datetime, timezone: false}
    """),
})
UNBOUND_CASES["only_list_in_written_row"] = (
    UNBOUND_CASES["list_in_written_row"][0].replace("name: User.name, names", "names"), None)
UNBOUND_WHY = {
    'via_read': (
        "Page.codes: 'via: nope' names no to-many relation from User to Order (there: orders, "
        'reviewed)'
    ),
    'not_key': (
        'Page.codes: the relation orders references User.handle, not its key; the runtimes follow '
        'relations by key only'
    ),
    'object_may_miss': (
        'Page.rev: the object is read from a User row that may not exist: make it optional or '
        'nullable'
    ),
    'column_may_miss': (
        'Page.rh: User.handle is read from a row that may not exist, and has no default: make the '
        'property optional or nullable'
    ),
    'object_nullable_columns': (
        'Page.info: the object is required but its columns (name) may be NULL: make it optional or'
        ' nullable'
    ),
    'map_values_elsewhere': (
        'body.m{}: User.name is not a field of Order, the row this value is written to'
    ),
    'list_in_written_row': (
        'body.x.names: a list or map inside a written row is not supported'
    ),
    'insert_and_more': (
        'a body that inserts a child row cannot write anything else'
    ),
    'natural_key_insert': (
        'a new Tag row needs its key code, which is neither generated (id, default: '
        'autoincrement) nor written by this endpoint'
    ),
    'list_two_models': (
        "body.all: a list's items must be written to one model's rows"
    ),
    "only_list_in_written_row": "body.x: a list or map inside a written row is not supported",
    # docs/runtime.md, "Ownership": the token sets a root's owner, never the body
    "owner_written": "body.userId: Order.userId is the owner, which the token sets",
    "mixes_fields": "body.x: a value written to one row mixes fields of Order, User",
    "list_read_two_models": (
        "Page.all: a list's items must be read from one model's rows (found Order, User)"
    ),
    # README: the runtimes serve datetimes with a time zone and milliseconds only
    "datetime_local": (
        "User.seen is a datetime (no time zone or a precision other than 3) field, which the "
        "runtimes do not serve yet (OpenAPI, Pydantic and Zod describe it)"
    ),
}


@pytest.mark.parametrize("case", sorted(UNBOUND_CASES))
def test_each_unbound_endpoint_says_which_rule_it_breaks(case, tmp_path):
    api, models = UNBOUND_CASES[case]
    spec = _spec(tmp_path, api, models)
    assert [why for _, _, why in spec.api.unbound] == [UNBOUND_WHY[case]]
