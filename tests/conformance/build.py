"""Build one target's schema in a fresh database, the way a user of that target would.

- sql:        ``vigilo-gen sql --dialect D``, the script executed
- sqlalchemy: ``Base.metadata.create_all(engine)`` on the generated module
- peewee:     ``database.create_tables(MODELS)`` on the generated module
- prisma:     Prisma's own schema engine (``tools/node/prisma-apply.mjs``, push mode)
- prisma-migrate: what ``prisma migrate dev --create-only`` writes (the engine's diff from the
              empty database, ``prisma-apply.mjs --mode diff``) with ``vigilo-gen
              prisma-companion`` appended, as docs/prisma-migrate.md tells Prisma users
- drizzle:    ``drizzle-kit generate`` (``tools/node/drizzle-sql.mjs``), its SQL executed
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from tests.orm_scenario import import_generated
from tests.support import ROOT, generate

NODE_TOOLS = ROOT / "tools" / "node"

TARGETS = ("sql", "sqlalchemy", "peewee", "prisma", "prisma-migrate", "drizzle")
ENGINES = ("postgres", "mariadb", "sqlite", "duckdb")
# The reference every other target of an engine is compared with.
REFERENCE = "sql"
# Engine -> the --dialect of our emitters.
DIALECT = {"postgres": "postgres", "mariadb": "mysql", "sqlite": "sqlite", "duckdb": "duckdb"}
KIT_DIALECT = {"postgres": "postgresql", "mariadb": "mysql", "sqlite": "sqlite"}

# Cells that cannot exist, with the reason shown in the matrix.
_NO_PRISMA_MYSQL = ("Prisma's wasm schema engine (the only one that runs offline) has no "
                    "MySQL connector (\"Unsupported adapter provider: Mysql\")")
NOT_APPLICABLE: dict[tuple[str, str], str] = {
    ("prisma", "mariadb"): _NO_PRISMA_MYSQL,
    ("prisma-migrate", "mariadb"): _NO_PRISMA_MYSQL,
    **{(target, "duckdb"): "not a target for DuckDB (only our SQL has a DuckDB dialect)"
       for target in ("sqlalchemy", "peewee", "prisma", "prisma-migrate", "drizzle")},
}


class ToolMissing(RuntimeError):
    """A tool the target needs (node, tools/node/node_modules) is not installed."""


@dataclass(frozen=True)
class Built:
    target: str
    engine: str
    db: object  # tests.engines.Database
    artifact: Path  # the file the target was built from


# A server's admin connection (CREATE/DROP DATABASE) is one DB-API connection: one thread at
# a time. Builds of several targets run in parallel (tests/conformance/matrix.py).
ADMIN_LOCK = threading.Lock()


def applicable(target: str, engine: str) -> bool:
    return (target, engine) not in NOT_APPLICABLE


def node_tool(script: str, *args: str) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None:
        raise ToolMissing("executable 'node'")
    if not (NODE_TOOLS / "node_modules" / "drizzle-kit").exists():
        raise ToolMissing("npm check tools (npm ci --prefix tools/node)")
    return subprocess.run([node, str(NODE_TOOLS / script), *args], capture_output=True,
                          text=True, timeout=180, env=dict(os.environ))


def peewee_database(db):
    import peewee

    if db.engine_name == "sqlite":
        return peewee.SqliteDatabase(str(db.path), pragmas={"foreign_keys": 1})
    params = {"host": db.host, "port": db.port, "user": db.user, "password": db.password}
    if db.engine_name == "postgres":
        return peewee.PostgresqlDatabase(db.database, **params)
    return peewee.MySQLDatabase(db.database, charset="utf8mb4", **params)


def _sql(spec_path: Path, db, work: Path) -> Path:
    out = work / f"schema.{DIALECT[db.engine_name]}.sql"
    db.execute_script(generate("sql", spec_path, out, "--dialect", DIALECT[db.engine_name]))
    return out


def _sqlalchemy(spec_path: Path, db, work: Path) -> Path:
    out = work / "models_sqlalchemy.py"
    if not out.exists():
        generate("sqlalchemy", spec_path, out)
    module = import_generated(out)
    engine = db.sqlalchemy_engine()
    module.Base.metadata.create_all(engine)
    engine.dispose()
    return out


def _peewee(spec_path: Path, db, work: Path) -> Path:
    out = work / "models_peewee.py"
    if not out.exists():
        generate("peewee", spec_path, out)
    module = import_generated(out)
    database = peewee_database(db)
    module.database.initialize(database)
    try:
        database.create_tables(module.MODELS)
    finally:
        database.close()
    return out


def _prisma(spec_path: Path, db, work: Path) -> Path:
    out = work / f"prisma-{db.engine_name}" / "schema.prisma"
    out.parent.mkdir(exist_ok=True)
    generate("prisma", spec_path, out, "--dialect", DIALECT[db.engine_name])
    result = node_tool("prisma-apply.mjs", "--schema", str(out), "--url", db.url)
    if result.returncode != 0:
        raise RuntimeError(f"prisma-apply failed:\n{result.stdout}{result.stderr}")
    return out


def _prisma_migrate(spec_path: Path, db, work: Path) -> Path:
    folder = work / f"prisma-migrate-{db.engine_name}"
    folder.mkdir(exist_ok=True)
    schema, dialect = folder / "schema.prisma", DIALECT[db.engine_name]
    generate("prisma", spec_path, schema, "--dialect", dialect)
    migration = folder / "migration.sql"
    result = node_tool("prisma-apply.mjs", "--schema", str(schema), "--url", db.url,
                       "--mode", "diff", "--sql-out", str(migration))
    if result.returncode != 0:
        raise RuntimeError(f"prisma-apply --mode diff failed:\n{result.stdout}{result.stderr}")
    companion = generate("prisma-companion", spec_path, folder / "companion.sql",
                         "--dialect", dialect)
    db.execute_script(companion)
    migration.write_text(migration.read_text() + "\n" + companion)  # what the user keeps
    return migration


def _drizzle(spec_path: Path, db, work: Path) -> Path:
    dialect = DIALECT[db.engine_name]
    module = work / f"schema.{dialect}.ts"
    generate("drizzle", spec_path, module, "--dialect", dialect)
    kit = work / f"drizzle-kit-{dialect}"
    result = node_tool("drizzle-sql.mjs", "--schema", str(module), "--dialect",
                       KIT_DIALECT[db.engine_name], "--out", str(kit))
    if result.returncode != 0:
        raise RuntimeError(f"drizzle-kit generate failed:\n{result.stdout}{result.stderr}")
    sql_files = [Path(line) for line in result.stdout.split() if line.endswith(".sql")]
    if len(sql_files) != 1:
        raise RuntimeError(f"drizzle-kit wrote {len(sql_files)} SQL files: {result.stdout}")
    db.execute_script(sql_files[0].read_text().replace("--> statement-breakpoint", ""))
    return sql_files[0]


BUILDERS = {"sql": _sql, "sqlalchemy": _sqlalchemy, "peewee": _peewee, "prisma": _prisma,
            "prisma-migrate": _prisma_migrate, "drizzle": _drizzle}


def build(target: str, spec_path: Path, engine, work: Path) -> Built:
    """Create a fresh database on ``engine`` (a tests.engines.Engine) and build ``target``'s
    schema of ``spec_path`` in it. ``work`` holds the generated files."""
    if not applicable(target, engine.name):
        raise ValueError(f"{target} on {engine.name}: {NOT_APPLICABLE[(target, engine.name)]}")
    work.mkdir(parents=True, exist_ok=True)
    with ADMIN_LOCK:
        db = engine.create_database(f"{spec_path.stem}_{target}")
    artifact = BUILDERS[target](spec_path, db, work)
    return Built(target, engine.name, db, artifact)
