"""examples/nextjs-prisma as a Next.js user ships it: `prisma generate`, a real `next build`
(Turbopack, TypeScript checked) and `next start`, then the HTTP contract suite, unchanged,
against it: every endpoint x family of the bundled spec, on PostgreSQL and on SQLite.

PostgreSQL runs the committed example as it is. The SQLite run is the same app with its two
dialect-bound outputs (the Prisma schema, hence the client, and the handlers) regenerated for
SQLite by `vigilo-gen all` from the example's own config with `dialect = "sqlite"`, as a user
switching databases would. One build per engine; the database is created from `vigilo-gen sql`,
as for the other runtimes (tests/test_ts_handlers.py).

The app is copied under tools/node/scratch/ (git-ignored), not into a temporary folder with a
symlinked node_modules: Turbopack compiles only files inside its root (the folder of the nearest
lockfile, tools/node here) and resolves packages by walking up from the app, so the copy finds
tools/node/node_modules without an npm install, and without a `turbopack.root` in the example's
config. Through a symlink the packages resolve outside the root and the build stops ("Could not
find the Next.js package").

`VIGILO_CONTRACT_ENGINES=sqlite` narrows the engines; `VIGILO_NEXT_SPECS=blog,parcel` adds
test specs (the same app, its config pointed at that spec: nothing hand-written in it names a
table or an endpoint), a build each, so CI runs the bundled spec only. The build times and the
counts of cases run are printed at the end (and written to $VIGILO_NEXT_CONTRACT_COUNTS when
set)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from vigilo_gen.config import _toml
from vigilo_gen.spec import load_spec

from tests.contract.node_server import schema_sql
from tests.contract.served import Served
from tests.contract.server import ServeProcess
from tests.contract.suite import Suite, families
from tests.support import ROOT, missing
from tests.test_ts_handlers import KNOWN

EXAMPLE = ROOT / "examples" / "nextjs-prisma"
NODE_TOOLS = ROOT / "tools" / "node"
SPEC = ROOT / "spec" / "vigilo.yaml"
SPECS = [SPEC] + [
    ROOT / "tests" / "specs" / f"{name}.yaml"
    for name in os.environ.get("VIGILO_NEXT_SPECS", "").split(",")
    if name
]
ENGINES = [
    e
    for e in os.environ.get("VIGILO_CONTRACT_ENGINES", "postgres,sqlite").split(",")
    if e in ("sqlite", "postgres")
]
# The outputs whose text depends on the database: switched to SQLite for the SQLite run.
DIALECT_BOUND = ("prisma", "ts-handlers")
PACKAGES = (
    "next",
    "react",
    "react-dom",
    "typescript",
    "@types/react",
    "@types/node",
    "zod",
    "prisma",
    "@prisma/client",
    "@prisma/adapter-pg",
    "@prisma/adapter-better-sqlite3",
)
# (spec, engine) -> seconds of `next build`, contract cases run, cases failed.
BUILD_SECONDS: dict[tuple[str, str], float] = {}
COUNTS: dict[tuple[str, str], int] = defaultdict(int)
FAILED: dict[tuple[str, str], int] = defaultdict(int)


def _require_tools() -> str:
    node = shutil.which("node")
    if node is None:
        missing("executable 'node'")
    for package in PACKAGES:
        if not (NODE_TOOLS / "node_modules" / package / "package.json").exists():
            missing(f"npm package {package} (npm ci --prefix tools/node)")
    return node


def _run(command: list[str], cwd: Path, what: str, timeout: float, **env: str) -> str:
    result = subprocess.run(
        command, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, (
        f"{what} exited {result.returncode}:\n{(result.stdout + result.stderr)[-4000:]}"
    )
    return result.stdout


def _toml_config(config: dict) -> str:
    """The example's config again (string values only; a JSON string is a TOML basic string)."""
    lines = [f"spec = {json.dumps(config['spec'])}"]
    for output in config["output"]:
        lines += ["", "[[output]]", *(f"{k} = {json.dumps(v)}" for k, v in output.items())]
    return "\n".join(lines) + "\n"


def app_copy(spec_path: Path, engine: str) -> Path:
    """The example in tools/node/scratch/, its outputs for ``spec_path`` and ``engine``, its
    client generated."""
    app = NODE_TOOLS / "scratch" / f"nextjs-{spec_path.stem}-{engine}-{os.getpid()}"
    shutil.rmtree(app, ignore_errors=True)
    shutil.copytree(
        EXAMPLE,
        app,
        ignore=shutil.ignore_patterns(
            "generated", ".next", "node_modules", "next-env.d.ts", "*.tsbuildinfo"
        ),
    )
    config = _toml().loads((EXAMPLE / "vigilo-gen.toml").read_text(encoding="utf-8"))
    assert (EXAMPLE / config["spec"]).resolve() == SPEC
    if engine != "postgres" or spec_path != SPEC:  # the committed example: the bundled spec, PG
        config["spec"] = str(spec_path)
        for output in config["output"]:
            if output["emitter"] in DIALECT_BOUND:
                output["dialect"] = engine
        (app / "vigilo-gen.toml").write_text(_toml_config(config), encoding="utf-8")
        _run(
            [sys.executable, "-m", "vigilo_gen", "all", "--config", "vigilo-gen.toml"],
            app,
            "vigilo-gen all",
            120,
        )
        assert f"dialect={engine}" in (app / "src" / "vigilo" / "handlers.ts").read_text()
    # The client, offline: the prisma-client generator needs no engine binary to generate.
    _run(
        [
            _require_tools(),
            str(NODE_TOOLS / "node_modules" / "prisma" / "build" / "index.js"),
            "generate",
            "--schema",
            "prisma/schema.prisma",
        ],
        app,
        "prisma generate",
        300,
        PRISMA_SCHEMA_ENGINE_BINARY=shutil.which("true") or "/bin/true",
    )
    return app


def next_build(app: Path) -> float:
    started = time.monotonic()
    _run(
        [
            _require_tools(),
            str(NODE_TOOLS / "node_modules" / "next" / "dist" / "bin" / "next"),
            "build",
        ],
        app,
        "next build",
        900,
        NEXT_TELEMETRY_DISABLED="1",
    )
    return time.monotonic() - started


class NextStartProcess(ServeProcess):
    """`next start` of a built app: ServeProcess's start, wait (its "Ready in" line, then the
    app's GET /healthz, which queries the database) and stop."""

    what = "next start"
    port_taken = "eaddrinuse"
    ready_text = "Ready in"

    def __init__(self, app: Path, database_url: str):
        super().__init__(app, None, app, timeout=120)
        self.app = app
        self.database_url = database_url

    def environment(self) -> dict[str, str]:
        return {
            **super().environment(),
            "DATABASE_URL": self.database_url,
            "NEXT_TELEMETRY_DISABLED": "1",
        }

    def command(self) -> list[str]:
        return [
            _require_tools(),
            str(NODE_TOOLS / "node_modules" / "next" / "dist" / "bin" / "next"),
            "start",
            "-p",
            str(self.port),
            "-H",
            "127.0.0.1",
        ]


class _Served(Served):
    """This module's server (see tests/contract/served.py)."""


@pytest.fixture(scope="session")
def served_next(request, tmp_path_factory):
    def get(spec_path: Path, engine: str) -> Suite:
        key = (spec_path.stem, engine)
        if _Served.key == key:
            return _Served.suite
        _Served.stop()
        _require_tools()
        _Served.key = key
        _Served.app = app = app_copy(spec_path, engine)
        BUILD_SECONDS[key] = next_build(app)
        if engine == "sqlite":
            path = tmp_path_factory.mktemp(f"nextjs-{spec_path.stem}") / "contract.db"
            connection = sqlite3.connect(path)
            connection.executescript(schema_sql(spec_path, "sqlite"))
            connection.close()
            database_url, db_url = f"file:{path}", f"sqlite:///{path}"
        else:
            database = request.getfixturevalue("postgres_engine").create_database(
                f"nextjs_{spec_path.stem}"
            )
            _Served.database = database
            database.execute_script(schema_sql(spec_path, "postgres"))
            database_url, db_url = database.url, database.sqlalchemy_url
        _Served.server = NextStartProcess(app, database_url).start()
        _Served.suite = Suite(spec_path, _Served.server.base_url, db_url)
        return _Served.suite

    yield get
    _Served.stop()


def _cases() -> list:
    cases = []
    for spec_path in SPECS:
        spec = load_spec(spec_path)
        for engine in ENGINES:
            for endpoint in spec.api.endpoints:
                for family in families(spec, endpoint):
                    # The Prisma adapter's known faults (tests/test_ts_handlers.py), strict.
                    known = KNOWN.get(("prisma", spec_path.stem, engine, endpoint.name, family))
                    marks = [pytest.mark.xfail(strict=True, reason=known)] if known else []
                    cases.append(
                        pytest.param(
                            spec_path,
                            engine,
                            endpoint.name,
                            family,
                            marks=marks,
                            id=f"{spec_path.stem}-{engine}-{endpoint.name}-{family}",
                        )
                    )
    return cases


@pytest.mark.engine
@pytest.mark.node
@pytest.mark.parametrize(("spec_path", "engine", "endpoint_name", "family"), _cases())
def test_contract(served_next, spec_path, engine, endpoint_name, family):
    suite = served_next(spec_path, engine)
    result = suite.run(suite.endpoint(endpoint_name), family)
    COUNTS[(spec_path.stem, engine)] += result.cases
    FAILED[(spec_path.stem, engine)] += len(result.failures)
    assert result.cases > 0 or family == "roundtrip", "no case ran"
    if result.failures:
        shown = "\n".join(result.failures[:25])
        pytest.fail(
            f"{len(result.failures)} of {result.cases} cases failed:\n{shown}", pytrace=False
        )


@pytest.fixture(scope="session", autouse=True)
def _report():
    yield
    keys = sorted(set(BUILD_SECONDS) | set(COUNTS))
    if not keys:
        return
    lines = ["Next.js (examples/nextjs-prisma): spec, engine, next build s, cases, failures"]
    for spec, engine in keys:
        lines.append(
            f"  {spec:10} {engine:9} {BUILD_SECONDS.get((spec, engine), 0):6.1f} "
            f"{COUNTS[(spec, engine)]:6} {FAILED[(spec, engine)]:4}"
        )
    print("\n" + "\n".join(lines))
    target = os.environ.get("VIGILO_NEXT_CONTRACT_COUNTS")
    if target:
        report = {
            f"{spec}/{engine}": {
                "build_seconds": round(BUILD_SECONDS.get((spec, engine), 0), 1),
                "cases": COUNTS[(spec, engine)],
                "failures": FAILED[(spec, engine)],
            }
            for spec, engine in keys
        }
        Path(target).write_text(json.dumps(report, indent=2) + "\n")
