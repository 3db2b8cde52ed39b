"""The ts-handlers and trpc emitters: `tsc --strict` on the generated handlers and tRPC router of
every spec, dialect and ORM (with the Drizzle schema or Prisma client, and the Zod module they
import); the tRPC router's scenarios through its server-side caller; and the HTTP
contract suite, unchanged, against a plain Node HTTP server hosting them over Drizzle
(better-sqlite3, node-postgres) and over the Prisma 7 client (its driver adapters) on SQLite
and PostgreSQL, for every spec with an API (Prisma: see PRISMA_SPECS).

One test per ORM x spec x engine x endpoint x family, like tests/test_contract.py; one server
per ORM x spec x engine. `VIGILO_TS_ORMS=drizzle` narrows the ORMs,
`VIGILO_CONTRACT_ENGINES=sqlite` the engines; the counts of cases run
are printed at the end (and written to $VIGILO_TS_CONTRACT_COUNTS when set)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from vigilo_gen.spec import load_spec

from tests.contract.node_server import NodeHandlersProcess, generate_module, schema_sql
from tests.contract.served import Served
from tests.contract.suite import Suite, families
from tests.support import ALL_SPECS, ROOT, missing
from tests.test_drizzle import node_tool

ENGINES = [e for e in os.environ.get("VIGILO_CONTRACT_ENGINES", "sqlite,postgres").split(",")
           if e in ("sqlite", "postgres")]
CONTRACT_SPECS = [p for p in ALL_SPECS if load_spec(p).api is not None]
ORMS = [o for o in os.environ.get("VIGILO_TS_ORMS", "drizzle,prisma").split(",") if o]
# Prisma (slower to generate and to serve) runs the bundled spec and blog by default, every spec
# with VIGILO_TS_ALL_SPECS=1: the added CI time stays under three minutes.
PRISMA_SPECS = CONTRACT_SPECS if os.environ.get("VIGILO_TS_ALL_SPECS") else [
    ROOT / "spec" / "vigilo.yaml", ROOT / "tests" / "specs" / "blog.yaml"]
API_SPECS = [p for p in ALL_SPECS if load_spec(p).api is not None]
COUNTS: dict[tuple[str, str, str], int] = defaultdict(int)
FAILED: dict[tuple[str, str, str], int] = defaultdict(int)


def _require_node() -> None:
    if shutil.which("node") is None:
        missing("executable 'node'")
    for package in ("drizzle-orm", "zod", "esbuild", "better-sqlite3", "pg", "prisma",
                    "@prisma/client", "@prisma/adapter-pg", "@prisma/adapter-better-sqlite3"):
        if not (ROOT / "tools" / "node" / "node_modules" / package).exists():
            missing(f"npm package {package} (npm ci --prefix tools/node)")


@pytest.mark.node
@pytest.mark.parametrize("orm", ["drizzle", "prisma"])
def test_tsc_strict_type_checks_every_handlers_module(tmp_path, orm):
    _require_node()
    import subprocess
    import sys

    files = []
    for spec_path in API_SPECS:
        for dialect in ("postgres", "sqlite"):
            handlers = generate_module(spec_path, tmp_path / f"{spec_path.stem}-{dialect}",
                                       orm, dialect)
            router = handlers.parent / "router.trpc.ts"  # the tRPC router over them
            subprocess.run([sys.executable, "-m", "vigilo_gen", "trpc", "--spec",
                            str(spec_path), "--out", str(router)], check=True)
            files += [handlers, router]
    result = node_tool("tsc-check.mjs", *map(str, files))
    assert result.returncode == 0, result.stdout[:3000] + result.stderr


# Cells that fail for a reason outside the generated code, each checked to fail (strict xfail).
PRISMA_SQLITE_DECIMALS = ("Prisma 7.10's better-sqlite3 adapter reads a DECIMAL(p, s) column "
                          "holding 7975.3 as 7975 (the fraction is lost on the way out)")
KNOWN = {
    ("prisma", "parcel", "sqlite", "customs", "roundtrip"): PRISMA_SQLITE_DECIMALS,
    ("prisma", "shop", "sqlite", "createOrder", "roundtrip"): PRISMA_SQLITE_DECIMALS,
}


def _cases() -> list:
    cases = []
    for orm in ORMS:
        for spec_path in CONTRACT_SPECS if orm == "drizzle" else PRISMA_SPECS:
            spec = load_spec(spec_path)
            for engine in ENGINES:
                for endpoint in spec.api.endpoints:
                    for family in families(spec, endpoint):
                        known = KNOWN.get((orm, spec_path.stem, engine, endpoint.name, family))
                        marks = [pytest.mark.xfail(strict=True, reason=known)] if known else []
                        cases.append(pytest.param(
                            orm, spec_path, engine, endpoint.name, family, marks=marks,
                            id=f"{orm}-{spec_path.stem}-{engine}-{endpoint.name}-{family}"))
    return cases


class _Served(Served):
    """This module's server (see tests/contract/served.py)."""


@pytest.fixture(scope="session")
def served_ts(request, tmp_path_factory):
    def get(orm: str, spec_path: Path, engine: str) -> Suite:
        key = (orm, spec_path.stem, engine)
        if _Served.key == key:
            return _Served.suite
        _Served.stop()
        _require_node()
        workdir = tmp_path_factory.mktemp(f"ts-{orm}-{spec_path.stem}-{engine}")
        handlers = generate_module(spec_path, workdir / "gen", orm, engine)
        if engine == "sqlite":
            path = workdir / "contract.db"
            connection = sqlite3.connect(path)
            connection.executescript(schema_sql(spec_path, "sqlite"))
            connection.close()
            node_db, db_url = str(path), f"sqlite:///{path}"
        else:
            database = request.getfixturevalue("postgres_engine").create_database(
                f"ts_{spec_path.stem}")
            _Served.database = database
            database.execute_script(schema_sql(spec_path, "postgres"))
            node_db, db_url = database.url, database.sqlalchemy_url
        _Served.key = key
        _Served.server = NodeHandlersProcess(handlers, engine, node_db, workdir, orm=orm).start()
        _Served.suite = Suite(spec_path, _Served.server.base_url, db_url)
        return _Served.suite

    yield get
    _Served.stop()


@pytest.mark.node
@pytest.mark.parametrize(("orm", "spec_path", "engine", "endpoint_name", "family"), _cases())
def test_contract(served_ts, orm, spec_path, engine, endpoint_name, family):
    suite = served_ts(orm, spec_path, engine)
    result = suite.run(suite.endpoint(endpoint_name), family)
    COUNTS[(orm, spec_path.stem, engine)] += result.cases
    FAILED[(orm, spec_path.stem, engine)] += len(result.failures)
    assert result.cases > 0 or family == "roundtrip", "no case ran"
    if result.failures:
        shown = "\n".join(result.failures[:25])
        pytest.fail(f"{len(result.failures)} of {result.cases} cases failed:\n{shown}",
                    pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def _report_counts():
    yield
    if COUNTS:
        lines = ["contract cases run, Node handlers (orm x spec x engine): failures"]
        for (orm, spec, engine), count in sorted(COUNTS.items()):
            lines.append(f"  {orm:8} {spec:10} {engine:9} {count:6}  "
                         f"{FAILED[(orm, spec, engine)]}")
        print("\n" + "\n".join(lines))
        target = os.environ.get("VIGILO_TS_CONTRACT_COUNTS")
        if target:
            Path(target).write_text(json.dumps(
                {f"{o}/{s}/{e}": {"cases": c, "failures": FAILED[(o, s, e)]}
                 for (o, s, e), c in sorted(COUNTS.items())}, indent=2) + "\n")


# --- concurrency: the workload of tests/test_service_concurrency.py, served by Node ------------


@pytest.mark.engine
@pytest.mark.node
@pytest.mark.parametrize("engine", ["postgres", "sqlite"])
def test_concurrent_writers_and_first_write_races(fresh_db, tmp_path, monkeypatch, engine):
    """Eight clients' mixed writes, and simultaneous first writes to new keys, through two Node
    servers on one PostgreSQL (one on SQLite): every acknowledged write kept, one root per key,
    no 5xx (the checks of tests/test_service_concurrency.py)."""
    import sys

    from tests import test_service_concurrency as workload

    _require_node()
    monkeypatch.setenv("VIGILO_SERVE_CMD", f"{sys.executable} -m tests.contract.node_serve_cmd "
                                           f"--spec {ROOT / 'spec' / 'vigilo.yaml'}")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setattr(workload, "OPS", 150)
    if engine == "postgres":
        workload.run_scenario(fresh_db("postgres").sqlalchemy_url, tmp_path, 2, "ts-pg")
    else:
        workload.run_scenario(f"sqlite:///{tmp_path / 'vigilo.db'}", tmp_path, 1, "ts-sqlite")


# --- the tRPC router: the same rules through tRPC's server-side caller -------------------------


@pytest.mark.node
@pytest.mark.parametrize("orm", ["drizzle", "prisma"])
def test_trpc_router_scenarios(tmp_path, orm):
    """A procedure per endpoint over the same helpers: writes, the read that sees them, and
    each error of the contract as tRPC's code (owner 404, rejected token 401, a body or
    parameter rule 400, a duplicate set key 400, an unknown root 404)."""
    import subprocess
    import sys

    from tests.contract.server import ALICE, BAD_TOKEN, OTHER_TOKEN, OWNER_TOKEN, TOKENS

    _require_node()
    spec_path = ROOT / "spec" / "vigilo.yaml"
    handlers = generate_module(spec_path, tmp_path / "gen", orm, "sqlite")
    router = handlers.parent / "router.trpc.ts"
    subprocess.run([sys.executable, "-m", "vigilo_gen", "trpc", "--spec", str(spec_path),
                    "--out", str(router)], check=True)
    database = tmp_path / "trpc.db"
    connection = sqlite3.connect(database)
    connection.executescript(schema_sql(spec_path, "sqlite"))
    connection.close()
    calls = [
        ("saveDisplayMode", {"instanceKey": "k1", "body": {"displayMode": "compact"}},
         OWNER_TOKEN),
        ("saveStatuses", {"instanceKey": "k1", "body": {"statuses": {"0": "done", "7": "todo"}}},
         OWNER_TOKEN),
        ("saveConnections", {"instanceKey": "k1", "body": {"connections": [
            {"todoIndex": 2, "targetPosition": {"x": 1, "y": 2}}, {"todoIndex": 1}]}},
         OWNER_TOKEN),
        ("getState", {"instanceKey": "k1"}, OWNER_TOKEN),
        ("getState", {"instanceKey": "k1"}, OTHER_TOKEN),
        ("getState", {"instanceKey": "k1"}, BAD_TOKEN),
        ("getState", {"instanceKey": "k1"}, None),
        ("getState", {"instanceKey": "no-such-key"}, OWNER_TOKEN),
        ("getState", {"instanceKey": "bad key!"}, OWNER_TOKEN),
        ("savePosition", {"instanceKey": "k1", "body": {"x": "1", "y": 2}}, OWNER_TOKEN),
        ("saveConnections", {"instanceKey": "k1", "body": {"connections": [
            {"todoIndex": 1}, {"todoIndex": 1}]}}, OWNER_TOKEN),
        ("saveStatuses", {"instanceKey": "k1", "body": {"statuses": {"01": "done"}}},
         OWNER_TOKEN),
    ]
    payload = json.dumps([{"procedure": p, "input": i, "token": t} for p, i, t in calls])
    command = [shutil.which("node"), str(ROOT / "tools" / "node" / "trpc-calls.mjs"),
               "--router", str(router), "--dialect", "sqlite", "--db", str(database),
               "--orm", orm]
    if orm == "prisma":
        command += ["--client", str(handlers.parent / "generated" / "prisma" / "client.ts")]
    env = {**os.environ, "VIGILO_TOKENS": ",".join(f"{t}={o}" for t, o in TOKENS.items())}
    result = subprocess.run(command, input=payload, capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout)
    assert [o["ok"] for o in out[:4]] == [True] * 4, out[:4]
    state = out[3]["data"]
    assert state["displayMode"] == "compact" and state["statuses"] == {"0": "done", "7": "todo"}
    empty = {"targetSelector": None, "targetLabel": None}
    assert state["connections"] == [{"todoIndex": 1, **empty},
                                    {"todoIndex": 2, **empty, "targetPosition": {"x": 1, "y": 2}}]
    assert "position" not in state and state["lineColor"] == "#3b82f6"
    codes = [o.get("code") for o in out[4:]]
    assert codes == ["NOT_FOUND", "UNAUTHORIZED", "NOT_FOUND", "NOT_FOUND", "BAD_REQUEST",
                     "BAD_REQUEST", "BAD_REQUEST", "BAD_REQUEST"], out[4:]
    rows = sqlite3.connect(database).execute(
        "SELECT user_id FROM vigilo_instance WHERE instance_key = 'k1'").fetchall()
    assert rows == [(ALICE,)]  # created by the first write, owned by its caller
    # README: a GET endpoint is a query, every other one a mutation (tRPC's HTTP adapter
    # serves queries with GET and mutations with POST); read from the spec's text.
    kinds = subprocess.run([shutil.which("node"), str(ROOT / "tools" / "node" / "trpc-calls.mjs"),
                            "--router", str(router), "--types"],
                           capture_output=True, text=True, timeout=120)
    assert kinds.returncode == 0, kinds.stdout + kinds.stderr
    endpoints = yaml.safe_load(spec_path.read_text(encoding="utf-8"))["api"]["endpoints"]
    assert json.loads(kinds.stdout) == {
        e["name"]: "query" if e["method"] == "GET" else "mutation" for e in endpoints}


# --- the queries a request sends (docs/runtime.md, "The TypeScript handlers' queries") ---------


def _one_query_reads(spec) -> list:
    """The reads whose every to-one row is the root's own one-to-one child or referenced row,
    each of another table: those the root's query brings (a left join)."""
    from vigilo_gen.operations import ReadColumn, ReadList, ReadMap, ReadObject

    def fits(node, model, tables) -> bool:
        for _, read in node.properties:
            if isinstance(read, ReadColumn | ReadObject) and read.through:
                step = read.through[0]
                if step.model == model or len(read.through) > 1:
                    return False
                if isinstance(read, ReadObject) and any(
                        not isinstance(r, ReadColumn) or r.through for _, r in read.properties):
                    return False
                tables.setdefault(step.name, step.model)
            elif isinstance(read, ReadObject) and not fits(read, model, tables):
                return False
            elif isinstance(read, ReadList | ReadMap) and read.step.model == model:
                return False
        return True

    found = []
    for op in spec.api.operations:
        tables: dict[str, str] = {}
        if op.kind == "read" and op.read is not None and not op.read.through \
                and fits(op.read, op.root.model, tables) and tables \
                and len(set(tables.values())) == len(tables):
            found.append(op)
    return found


def _lists(node) -> int:
    """The lists and maps a read shows (one query each)."""
    from vigilo_gen.operations import ReadList, ReadMap, ReadObject

    return sum(1 if isinstance(r, ReadList | ReadMap) else
               _lists(r) if isinstance(r, ReadObject) and not r.through else 0
               for _, r in node.properties)


QUERY_SPECS = [p for p in CONTRACT_SPECS if _one_query_reads(load_spec(p))]


@pytest.mark.engine
@pytest.mark.node
@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
@pytest.mark.parametrize("spec_path", QUERY_SPECS, ids=lambda p: p.stem)
def test_a_read_brings_its_to_one_rows_with_its_root(fresh_db, tmp_path, engine, spec_path):
    """A read (Drizzle) is one transaction: one query for the root and the one-to-one children
    and referenced rows it shows, one per list or map; on SQLite a repeated read compiles no
    statement but its BEGIN and COMMIT; on PostgreSQL every statement of a request, prepared
    ones too, runs on the transaction's one connection."""
    import subprocess
    from urllib.parse import quote

    from tests.migration_support import fill
    from tests.sample_values import sample_rows

    _require_node()
    spec = load_spec(spec_path)
    db = fresh_db(engine)
    db.execute_script(schema_sql(spec_path, engine))
    assert fill(db, spec, seeds=(0,)) == len(spec.models)
    rows = sample_rows(spec)
    calls, expected = [], []
    for op in _one_query_reads(spec):
        root = spec.model(op.root.model)
        if op.root.owner is not None:  # everyone's row: the read is anonymous
            db.execute(f'UPDATE "{root.table}" SET "{op.root.owner.column}" = NULL')
        path = op.endpoint.path
        for param, field in op.root.params:
            path = path.replace("{" + param + "}", quote(str(rows[root.name][field.column]),
                                                        safe=""))
        calls += [{"method": "GET", "path": spec.api.base_path + path}] * 2
        expected.append(2 + 1 + _lists(op.read))
    handlers = generate_module(spec_path, tmp_path / "gen", "drizzle", engine)
    result = subprocess.run(
        [shutil.which("node") or "node", str(ROOT / "tools" / "node" / "count-queries.mjs"),
         "--handlers", str(handlers), "--dialect", engine,
         "--db", str(db.path) if engine == "sqlite" else db.url],
        input=json.dumps(calls), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    for i, count in enumerate(expected):
        first, again = answers[2 * i], answers[2 * i + 1]
        assert first["status"] == again["status"] == 200, (calls[2 * i], first)
        assert len(first["statements"]) == len(again["statements"]) == count, first
        if engine == "sqlite":
            assert again["prepared"] == 2, again  # BEGIN and COMMIT
        else:
            assert first["connections"] == again["connections"] == 1, again


PARAMS_SPEC = ROOT / "tests" / "contract" / "params.yaml"


@pytest.mark.node
@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
@pytest.mark.parametrize("orm", ["drizzle", "prisma"])
def test_a_path_parameter_of_each_type_is_checked_by_its_rules(served_ts, orm, engine):
    """docs/runtime.md, "Errors": a path parameter that breaks its field's rules answers 400
    naming it; one that keeps them selects its root (404 when there is none). For a
    parameter of each type a root can be addressed by: date, enum, int, string, id."""
    failures = served_ts(orm, PARAMS_SPEC, engine).run_all(("roundtrip", "bad-param", "roots"))
    assert not failures, "\n".join(failures[:25])
