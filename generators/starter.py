"""What ``vigilo-gen init`` writes: the bundled spec, its JSON Schema, and a config naming every
built-in target. The config is a string here (no package data to ship)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .config import CONFIG_NAME

SPEC_FILE = Path("spec") / "vigilo.yaml"
SCHEMA_FILE = Path("spec") / "vigilo-spec.schema.json"  # named by the spec's first line

DEFAULT_CONFIG = """\
# vigilo-gen project config: `vigilo-gen all` writes every [[output]] below, and
# `vigilo-gen check` (in CI) fails when one of them is stale or missing.
# Paths are relative to this file. Options are the emitter's flags (`vigilo-gen list`);
# one emitter may appear several times, e.g. SQL for two dialects.

spec = "spec/vigilo.yaml"

# SQL DDL. Dialects: postgres mysql sqlite duckdb tsql oracle snowflake bigquery redshift
# databricks trino clickhouse.
[[output]]
emitter = "sql"
dialect = "postgres"
path = "generated/sql/schema.postgres.sql"

[[output]]
emitter = "sql"
dialect = "mysql"
path = "generated/sql/schema.mysql.sql"

[[output]]
emitter = "sql"
dialect = "sqlite"
path = "generated/sql/schema.sqlite.sql"

# TypeScript: Prisma and Drizzle (dialect: postgres, mysql or sqlite).
[[output]]
emitter = "prisma"
dialect = "postgres"
path = "generated/prisma/schema.prisma"

[[output]]
emitter = "drizzle"
dialect = "postgres"
path = "generated/drizzle/schema.ts"

# Python ORMs.
[[output]]
emitter = "sqlalchemy"
path = "generated/python/models_sqlalchemy.py"

[[output]]
emitter = "peewee"
path = "generated/python/models_peewee.py"

# The HTTP API: OpenAPI 3.1 (format: json or yaml) and Pydantic v2 models.
[[output]]
emitter = "openapi"
format = "json"
path = "generated/api/openapi.json"

[[output]]
emitter = "pydantic"
path = "generated/python/api_models.py"

# The endpoints, served. Python: a FastAPI router over the two modules above (import paths
# relative to the router); `vigilo-gen serve` runs the same router with no code of yours.
[[output]]
emitter = "fastapi"
models = ".models_sqlalchemy"
schemas = ".api_models"
path = "generated/python/router.py"

# TypeScript: Zod schemas, query helpers + Request handlers over the Drizzle schema above
# (orm: drizzle or prisma), and a tRPC router over those helpers.
[[output]]
emitter = "zod"
path = "generated/drizzle/schemas.zod.ts"

[[output]]
emitter = "ts-handlers"
orm = "drizzle"
dialect = "postgres"
path = "generated/drizzle/handlers.ts"

[[output]]
emitter = "trpc"
path = "generated/drizzle/router.trpc.ts"
"""


def starter_files() -> list[tuple[Path, bytes]]:
    """(relative path, content) of every file ``init`` writes."""
    bundled = resources.files("vigilo_gen.bundled")
    return [
        (SPEC_FILE, bundled.joinpath("vigilo.yaml").read_bytes()),
        (SCHEMA_FILE, bundled.joinpath(SCHEMA_FILE.name).read_bytes()),
        (Path(CONFIG_NAME), DEFAULT_CONFIG.encode("utf-8")),
    ]
