"""The fastapi emitter: snapshots, ruff, and the generated router imported and exercised.

The full behaviour (every endpoint, every broken rule, the auth matrix, on SQLite, PostgreSQL
and MariaDB) is the HTTP contract suite's (tests/contract/); here the generated module is
checked as code a Python team would adopt, and run in-process on SQLite for the documented
answers that the bundled spec does not reach (201 inserts, PUT, DELETE, required tokens).
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest
from vigilo_gen.spec import load_spec

from tests.support import ALL_SPECS, BUNDLED_SPEC, generate

API_SPECS = [p for p in ALL_SPECS if load_spec(p).api is not None]


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """Each spec's models, schemas and router, written by the CLI as one package."""
    root = tmp_path_factory.mktemp("fastapi")
    made = {}
    for path in API_SPECS:
        package = root / f"app_{path.stem}"
        package.mkdir()
        (package / "__init__.py").write_text("")
        generate("sqlalchemy", path, package / "models.py")
        generate("pydantic", path, package / "schemas.py")
        made[path.stem] = generate("fastapi", path, package / "router.py")
    sys.path.insert(0, str(root))
    yield root, made
    sys.path.remove(str(root))


@pytest.mark.parametrize("spec_path", API_SPECS, ids=[p.stem for p in API_SPECS])
def test_snapshot(spec_path, packages, snapshot):
    assert packages[1][spec_path.stem] == snapshot


def test_ruff_passes_the_generated_routers(packages):
    root, _ = packages
    files = [str(p) for p in sorted(root.glob("app_*/router.py"))]
    common = ["--isolated", "--target-version", "py310"]
    check = subprocess.run([sys.executable, "-m", "ruff", "check", *common, "--select",
                            "E,F,W,I,B,UP", "--line-length", "88", *files],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = subprocess.run([sys.executable, "-m", "ruff", "format", "--check", *common, *files],
                         capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_each_statement_is_built_once(packages):
    """README: the router runs SQLAlchemy Core statements built once from the models: at module
    level, one per statement, however many endpoints run it (the bundled spec's endpoints
    update, lock and insert the same rows)."""
    import ast

    root, _ = packages
    built = 0
    for router in sorted(root.glob("app_*/router.py")):
        statements = [
            ast.unparse(node.value)
            for node in ast.parse(router.read_text(encoding="utf-8")).body
            if isinstance(node, ast.Assign)
            and any(word in ast.unparse(node.value)
                    for word in ("select(", "insert(", "update(", "delete("))
        ]
        assert len(statements) == len(set(statements)), router
        built += len(statements)
    assert built > 0  # the test reads statements, not nothing


@pytest.fixture
def client(packages, tmp_path):
    """A TestClient of a spec's generated app over a fresh SQLite file."""
    from fastapi.testclient import TestClient
    from sqlalchemy import create_engine
    from vigilo_gen.serve import prepare_database

    made = []

    def make(stem: str, tokens: dict[str, str] | None = None):
        router = importlib.import_module(f"app_{stem}.router")
        engine = create_engine(f"sqlite:///{tmp_path / stem}.db")
        app = router.create_app(engine, router.token_verifier(tokens) if tokens else None)
        prepare_database(load_spec(next(p for p in API_SPECS if p.stem == stem)), engine)
        test_client = TestClient(app, raise_server_exceptions=False)
        test_client.engine = engine  # for seeding rows the API does not create
        made.append(engine)
        return test_client

    yield make
    for engine in made:
        engine.dispose()


def test_bundled_spec_round_trip_and_the_original_quirks(client):
    c = client("vigilo")
    assert c.get("/api/btwfyi/state/k1").status_code == 404
    assert c.get("/api/btwfyi/state/k1").json() == {"error": "no VigiloInstance matches this path"}
    # The first write creates the instance; the state then reads every default.
    assert c.post("/api/btwfyi/hidden/k1", json={"isHidden": True}).json() == {"success": True}
    state = c.get("/api/btwfyi/state/k1").json()
    assert state == {"connections": [], "displayMode": "full", "isHidden": True,
                     "showLines": True, "showBadges": True, "lineColor": "#3b82f6",
                     "lineOpacity": 0.5, "componentOpacity": 1, "statuses": {}}
    # The statuses the original dropped silently are refused, and nothing is written.
    bad = c.post("/api/btwfyi/statuses/k1", json={"statuses": {"x": "done"}})
    assert bad.status_code == 400 and bad.json()["error"].startswith("$.statuses")
    assert c.get("/api/btwfyi/state/k1").json()["statuses"] == {}


def test_shop_insert_put_delete_and_required_tokens(client):
    # Owner ids are User ids (owner: User.id): uuids, as the id pattern requires.
    user_a, user_b = "0a0a0a0a-0000-4000-8000-00000000000a", "0b0b0b0b-0000-4000-8000-00000000000b"
    nobody = "0c0c0c0c-0000-4000-8000-00000000000c"
    c = client("shop", {"tok-a": user_a, "tok-b": user_b})
    # The User root is not created by writes (no create: true): seed it directly.
    import sqlalchemy as sa

    models = importlib.import_module("app_shop.models")
    with c.engine.begin() as conn:
        for uid in (user_a, user_b):
            conn.execute(sa.insert(models.User).values(id=uid, email=f"{uid}@x.io"))
    orders = f"/v2/users/{user_a}/orders"
    assert c.get(orders).status_code == 401  # auth required: no token
    assert c.get(orders, headers={"Authorization": "Bearer nope"}).status_code == 401
    # Another owner's root answers exactly as a missing one.
    other = c.get(orders, headers={"Authorization": "Bearer tok-b"})
    missing = c.get(f"/v2/users/{nobody}/orders", headers={"Authorization": "Bearer tok-b"})
    assert (other.status_code, other.json()) == (missing.status_code, missing.json())
    assert other.status_code == 404
    auth = {"Authorization": "Bearer tok-a"}
    made = c.post(orders, json={"code": "ABC-1234", "total": "12.50", "from": "2024-01-31"},
                  headers=auth)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["state"] == "draft" and body["total"] == "12.50" and len(body["id"]) == 36
    again = {"code": "ABC-1234", "total": "1.00"}
    assert c.post(orders, json=again, headers=auth).status_code == 409
    listed = c.get(orders, headers=auth).json()
    assert [o["id"] for o in listed["orders"]] == [body["id"]]
    rating = f"/v2/orders/{body['id']}/rating"
    assert c.put(rating, json={"rating": 4.5}, headers=auth).status_code == 200
    assert c.put(rating, json={"rating": 4.5},
                 headers={"Authorization": "Bearer tok-b"}).status_code == 404
    assert c.delete(f"/v2/orders/{body['id']}").status_code == 404  # no token: owned rows hidden
    assert c.delete(f"/v2/orders/{body['id']}", headers=auth).json() == {"success": True}
    assert c.get(orders, headers=auth).json()["orders"] == []


INSERT_SPEC = """\
version: 1
models:
  User:
    fields:
      id: {type: id}
      handle: {type: string, maxLength: 20, unique: true}
  Order:
    fields:
      id: {type: id}
      userId: {type: ref, to: User, onDelete: cascade}
      code: {type: string, maxLength: 10}
  Line:
    fields:
      id: {type: id}
      orderId: {type: ref, to: Order, onDelete: cascade}
      sku: {type: string, maxLength: 10}
api:
  params:
    handle: User.handle
  schemas:
    Line: {object: {sku: Line.sku}}
    Placed:
      object:
        code: Order.code
        lines: {list: {schema: Line}}
  endpoints:
    - {name: placeOrder, method: POST, path: '/u/{handle}/orders', body: {code: Order.code},
       response: Placed}
"""


def _app(spec_text: str, tmp_path, monkeypatch, name: str):
    """A TestClient of a spec's generated package over a fresh SQLite file, and its engine."""
    from fastapi.testclient import TestClient
    from sqlalchemy import create_engine
    from vigilo_gen.serve import prepare_database

    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text)
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    generate("sqlalchemy", spec, package / "models.py")
    generate("pydantic", spec, package / "schemas.py")
    generate("fastapi", spec, package / "router.py")
    monkeypatch.syspath_prepend(str(tmp_path))
    for module in [m for m in sys.modules if m.startswith(name)]:
        del sys.modules[module]
    router = importlib.import_module(f"{name}.router")
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    prepare_database(load_spec(spec), engine)
    return TestClient(router.create_app(engine, None), raise_server_exceptions=False), engine


ENUM_PARAM_SPEC = """\
version: 1
enums:
  Kind: [open, shut]
models:
  Board:
    fields:
      id: {type: id}
      kind: {type: enum, enum: Kind, unique: true}
      title: {type: string, maxLength: 20, nullable: true}
api:
  params:
    kind: {field: Board.kind, create: true}
  schemas:
    Shown: {object: {title: Board.title}}
  endpoints:
    - {name: getBoard, method: GET, path: '/boards/{kind}', response: Shown}
    - {name: setTitle, method: POST, path: '/boards/{kind}', body: {title: Board.title}}
"""


def test_a_path_parameter_of_an_enum_field_takes_only_its_values(tmp_path, monkeypatch):
    """docs/runtime.md, "Errors": a parameter that breaks a rule is a 400 naming it; an enum
    field's rule is its values. A value of the enum addresses the root row by it (created by
    its first write: `create: true`)."""
    c, engine = _app(ENUM_PARAM_SPEC, tmp_path, monkeypatch, "app_enum_param")
    try:
        bad = c.post("/boards/ajar", json={"title": "x"})
        assert bad.status_code == 400 and "kind" in bad.json()["error"], bad.text
        assert c.get("/boards/ajar").status_code == 400
        assert c.get("/boards/open").status_code == 404  # no such root yet
        assert c.post("/boards/open", json={"title": "Ideas"}).status_code == 200
        assert c.get("/boards/open").json() == {"title": "Ideas"}
        assert c.get("/boards/shut").status_code == 404
    finally:
        engine.dispose()


@pytest.mark.parametrize(("flags", "absent"), [
    ("optional: true", "omitted"),
    ("nullable: true", None),
    ("optional: true, nullable: true", None),
])
def test_a_missing_one_to_one_object_is_null_when_nullable_else_omitted(
        flags, absent, tmp_path, monkeypatch):
    """docs/runtime.md: an object that is a one-to-one child is null, when the child row does
    not exist, if the property is nullable (optional or not), else omitted."""
    text = BUNDLED_SPEC.read_text()
    old = "position: {schema: Position, optional: true}"
    assert old in text
    c, engine = _app(text.replace(old, f"position: {{schema: Position, {flags}}}"), tmp_path,
                     monkeypatch, "app_position")
    try:
        assert c.post("/api/btwfyi/hidden/k1", json={"isHidden": True}).status_code == 200
        state = c.get("/api/btwfyi/state/k1").json()
        assert state.get("position", "omitted") == absent
        assert c.post("/api/btwfyi/position/k1", json={"x": 1, "y": 2}).status_code == 200
        assert c.get("/api/btwfyi/state/k1").json()["position"] == {"x": 1, "y": 2}
    finally:
        engine.dispose()


def test_an_insert_answers_201_with_its_response_read_from_the_new_row(tmp_path, monkeypatch):
    """docs/runtime.md: scalar fields of a one-to-many child insert a new row and answer 201
    with the endpoint's response read from the new row, its own sets (still empty) included."""
    import sqlalchemy as sa

    c, engine = _app(INSERT_SPEC, tmp_path, monkeypatch, "app_insert")
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO \"user\" (id, handle) VALUES "
                                 "('0a0a0a0a-0000-4000-8000-00000000000a', 'ann')"))
        placed = c.post("/u/ann/orders", json={"code": "A1"})
        assert (placed.status_code, placed.json()) == (201, {"code": "A1", "lines": []})
        assert c.post("/u/bob/orders", json={"code": "A1"}).status_code == 404
    finally:
        engine.dispose()


def test_the_example_service_boots_and_serves(tmp_path, monkeypatch):
    """examples/fastapi-sqlalchemy: its app module, as `uvicorn app.main:app` would load it."""
    from fastapi.testclient import TestClient

    from tests.support import ROOT

    example = ROOT / "examples" / "fastapi-sqlalchemy"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'example.db'}")
    monkeypatch.setenv("VIGILO_TOKENS", "tok=alice")
    monkeypatch.syspath_prepend(str(example))
    for name in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        monkeypatch.delitem(sys.modules, name)
    main = importlib.import_module("app.main")
    c = TestClient(main.app)
    auth = {"Authorization": "Bearer tok"}
    assert c.post("/api/btwfyi/position/k", json={"x": 1, "y": 2}, headers=auth).status_code == 200
    assert c.get("/api/btwfyi/state/k", headers=auth).json()["position"] == {"x": 1, "y": 2}
    assert c.get("/api/btwfyi/state/k").status_code == 404  # alice's instance, no token
    main.engine.dispose()


def test_the_example_service_passes_the_contract_suite(tmp_path):
    """examples/fastapi-sqlalchemy run as its README says (`uvicorn app.main:app`), and the
    whole HTTP contract suite of the bundled spec pointed at it."""
    import os
    import time

    import httpx

    from tests.contract.server import TOKENS, free_port
    from tests.contract.suite import Suite, families
    from tests.support import ROOT

    example = ROOT / "examples" / "fastapi-sqlalchemy"
    db_url = f"sqlite:///{tmp_path / 'example.db'}"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url,
           "VIGILO_TOKENS": ",".join(f"{t}={o}" for t, o in TOKENS.items())}
    log = (tmp_path / "uvicorn.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host",
                               "127.0.0.1", "--port", str(port)], cwd=example, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "uvicorn.log").read_text()
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the example did not start"
                time.sleep(0.1)
        suite = Suite(ROOT / "spec" / "vigilo.yaml", base, db_url)
        failures, cases = [], 0
        try:
            for endpoint in suite.api.endpoints:
                for family in families(suite.spec, endpoint):
                    result = suite.run(endpoint, family)
                    cases += result.cases
                    failures += result.failures
        finally:
            suite.close()
        assert cases > 1000 and not failures, failures[:5]
    finally:
        server.terminate()
        server.wait(10)
        log.close()
