"""The ts-handlers emitter: `tsc --strict` on the generated handlers of every spec and dialect
(with the Drizzle schema and Zod modules they import), and the HTTP contract suite, unchanged,
against a plain Node HTTP server hosting them over Drizzle on SQLite (better-sqlite3) and
PostgreSQL (node-postgres), for the bundled spec and tests/specs/blog.yaml.

One test per spec x engine x endpoint x family, like tests/test_contract.py; one server per
spec x engine. `VIGILO_CONTRACT_ENGINES=sqlite` narrows the engines; the counts of cases run
are printed at the end (and written to $VIGILO_TS_CONTRACT_COUNTS when set)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
from vigilo_gen.spec import load_spec

from tests.contract.node_server import NodeHandlersProcess, generate_module, schema_sql
from tests.contract.suite import Suite, families
from tests.support import ALL_SPECS, ROOT, missing
from tests.test_drizzle import node_tool

ENGINES = [e for e in os.environ.get("VIGILO_CONTRACT_ENGINES", "sqlite,postgres").split(",")
           if e in ("sqlite", "postgres")]
CONTRACT_SPECS = [p for p in ALL_SPECS if load_spec(p).api is not None]
API_SPECS = [p for p in ALL_SPECS if load_spec(p).api is not None]
COUNTS: dict[tuple[str, str], int] = defaultdict(int)
FAILED: dict[tuple[str, str], int] = defaultdict(int)


def _require_node() -> None:
    if shutil.which("node") is None:
        missing("executable 'node'")
    for package in ("drizzle-orm", "zod", "esbuild", "better-sqlite3", "pg"):
        if not (ROOT / "tools" / "node" / "node_modules" / package).exists():
            missing(f"npm package {package} (npm ci --prefix tools/node)")


@pytest.mark.node
def test_tsc_strict_type_checks_every_handlers_module(tmp_path):
    files = []
    for spec_path in API_SPECS:
        for dialect in ("postgres", "sqlite"):
            files.append(generate_module(spec_path, tmp_path / f"{spec_path.stem}-{dialect}",
                                         "drizzle", dialect))
    result = node_tool("tsc-check.mjs", *map(str, files))
    assert result.returncode == 0, result.stdout[:3000] + result.stderr


def _cases() -> list:
    cases = []
    for spec_path in CONTRACT_SPECS:
        spec = load_spec(spec_path)
        for engine in ENGINES:
            for endpoint in spec.api.endpoints:
                for family in families(spec, endpoint):
                    cases.append(pytest.param(spec_path, engine, endpoint.name, family,
                                              id=f"{spec_path.stem}-{engine}-{endpoint.name}"
                                                 f"-{family}"))
    return cases


class _Served:
    key: tuple[str, str] | None = None
    server: NodeHandlersProcess | None = None
    suite: Suite | None = None
    database = None

    @classmethod
    def stop(cls) -> None:
        if cls.suite is not None:
            cls.suite.close()
        if cls.server is not None:
            cls.server.stop()
        if cls.database is not None:
            cls.database.drop()
        cls.key = cls.server = cls.suite = cls.database = None


@pytest.fixture(scope="session")
def served_ts(request, tmp_path_factory):
    def get(spec_path: Path, engine: str) -> Suite:
        key = (spec_path.stem, engine)
        if _Served.key == key:
            return _Served.suite
        _Served.stop()
        _require_node()
        workdir = tmp_path_factory.mktemp(f"ts-{spec_path.stem}-{engine}")
        handlers = generate_module(spec_path, workdir / "gen", "drizzle", engine)
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
        _Served.server = NodeHandlersProcess(handlers, engine, node_db, workdir).start()
        _Served.suite = Suite(spec_path, _Served.server.base_url, db_url)
        return _Served.suite

    yield get
    _Served.stop()


@pytest.mark.node
@pytest.mark.parametrize(("spec_path", "engine", "endpoint_name", "family"), _cases())
def test_contract_over_drizzle(served_ts, spec_path, engine, endpoint_name, family):
    suite = served_ts(spec_path, engine)
    result = suite.run(suite.endpoint(endpoint_name), family)
    COUNTS[(spec_path.stem, engine)] += result.cases
    FAILED[(spec_path.stem, engine)] += len(result.failures)
    assert result.cases > 0 or family == "roundtrip", "no case ran"
    if result.failures:
        shown = "\n".join(result.failures[:25])
        pytest.fail(f"{len(result.failures)} of {result.cases} cases failed:\n{shown}",
                    pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def _report_counts():
    yield
    if COUNTS:
        lines = ["contract cases run, Node handlers over Drizzle (spec x engine): failures"]
        for (spec, engine), count in sorted(COUNTS.items()):
            lines.append(f"  {spec:10} {engine:9} {count:6}  {FAILED[(spec, engine)]}")
        print("\n" + "\n".join(lines))
        target = os.environ.get("VIGILO_TS_CONTRACT_COUNTS")
        if target:
            Path(target).write_text(json.dumps(
                {f"{s}/{e}": {"cases": c, "failures": FAILED[(s, e)]}
                 for (s, e), c in sorted(COUNTS.items())}, indent=2) + "\n")


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
