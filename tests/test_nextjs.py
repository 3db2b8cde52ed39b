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

`VIGILO_CONTRACT_ENGINES=sqlite` narrows the engines. The build times and the counts of cases
run are printed at the end (and written to $VIGILO_NEXT_CONTRACT_COUNTS when set)."""

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
from tests.contract.server import ServeProcess
from tests.contract.suite import Suite, families
from tests.support import ROOT, missing

EXAMPLE = ROOT / "examples" / "nextjs-prisma"
NODE_TOOLS = ROOT / "tools" / "node"
SPEC = ROOT / "spec" / "vigilo.yaml"
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
BUILD_SECONDS: dict[str, float] = {}
COUNTS: dict[str, int] = defaultdict(int)
FAILED: dict[str, int] = defaultdict(int)


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


def app_copy(engine: str) -> Path:
    """The example in tools/node/scratch/, its outputs for ``engine``, its client generated."""
    app = NODE_TOOLS / "scratch" / f"nextjs-{engine}-{os.getpid()}"
    shutil.rmtree(app, ignore_errors=True)
    shutil.copytree(
        EXAMPLE,
        app,
        ignore=shutil.ignore_patterns(
            "generated", ".next", "node_modules", "next-env.d.ts", "*.tsbuildinfo"
        ),
    )
    if engine != "postgres":  # the committed example is PostgreSQL's
        config = _toml().loads((EXAMPLE / "vigilo-gen.toml").read_text(encoding="utf-8"))
        config["spec"] = str((EXAMPLE / config["spec"]).resolve())
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


def next_build(app: Path, engine: str) -> None:
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
    BUILD_SECONDS[engine] = time.monotonic() - started


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


class _Served:
    engine: str | None = None
    app: Path | None = None
    server: NextStartProcess | None = None
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
        if cls.app is not None:
            shutil.rmtree(cls.app, ignore_errors=True)
        cls.engine = cls.app = cls.server = cls.suite = cls.database = None


@pytest.fixture(scope="session")
def served_next(request, tmp_path_factory):
    def get(engine: str) -> Suite:
        if _Served.engine == engine:
            return _Served.suite
        _Served.stop()
        _require_tools()
        _Served.engine = engine
        _Served.app = app = app_copy(engine)
        next_build(app, engine)
        if engine == "sqlite":
            path = tmp_path_factory.mktemp("nextjs-sqlite") / "contract.db"
            connection = sqlite3.connect(path)
            connection.executescript(schema_sql(SPEC, "sqlite"))
            connection.close()
            database_url, db_url = f"file:{path}", f"sqlite:///{path}"
        else:
            database = request.getfixturevalue("postgres_engine").create_database("nextjs")
            _Served.database = database
            database.execute_script(schema_sql(SPEC, "postgres"))
            database_url, db_url = database.url, database.sqlalchemy_url
        _Served.server = NextStartProcess(app, database_url).start()
        _Served.suite = Suite(SPEC, _Served.server.base_url, db_url)
        return _Served.suite

    yield get
    _Served.stop()


def _cases() -> list:
    spec = load_spec(SPEC)
    return [
        pytest.param(engine, endpoint.name, family, id=f"{engine}-{endpoint.name}-{family}")
        for engine in ENGINES
        for endpoint in spec.api.endpoints
        for family in families(spec, endpoint)
    ]


@pytest.mark.engine
@pytest.mark.node
@pytest.mark.parametrize(("engine", "endpoint_name", "family"), _cases())
def test_contract(served_next, engine, endpoint_name, family):
    suite = served_next(engine)
    result = suite.run(suite.endpoint(endpoint_name), family)
    COUNTS[engine] += result.cases
    FAILED[engine] += len(result.failures)
    assert result.cases > 0 or family == "roundtrip", "no case ran"
    if result.failures:
        shown = "\n".join(result.failures[:25])
        pytest.fail(
            f"{len(result.failures)} of {result.cases} cases failed:\n{shown}", pytrace=False
        )


@pytest.fixture(scope="session", autouse=True)
def _report():
    yield
    if BUILD_SECONDS or COUNTS:
        lines = ["Next.js (examples/nextjs-prisma, Prisma): next build s, contract cases, failures"]
        for engine in sorted(set(BUILD_SECONDS) | set(COUNTS)):
            lines.append(
                f"  {engine:9} {BUILD_SECONDS.get(engine, 0):6.1f} "
                f"{COUNTS[engine]:6} {FAILED[engine]:4}"
            )
        print("\n" + "\n".join(lines))
        target = os.environ.get("VIGILO_NEXT_CONTRACT_COUNTS")
        if target:
            Path(target).write_text(
                json.dumps(
                    {
                        e: {
                            "build_seconds": round(BUILD_SECONDS.get(e, 0), 1),
                            "cases": COUNTS[e],
                            "failures": FAILED[e],
                        }
                        for e in sorted(set(BUILD_SECONDS) | set(COUNTS))
                    },
                    indent=2,
                )
                + "\n"
            )
