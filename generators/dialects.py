"""Facts about database dialects that the engine itself needs (validation of identifiers).

Emitter-specific dialect facts (type names, triggers) live in the emitters' own tables.
"""

from __future__ import annotations

# Longest identifier each dialect accepts; None: no practical limit. Our names for SQL dialects
# are sqlglot's. The four dialects run in the tests come first.
IDENTIFIER_LIMITS: dict[str, int | None] = {
    "postgres": 63,
    "mysql": 64,
    "sqlite": None,
    "duckdb": None,
    "tsql": 128,
    "oracle": 128,
    "snowflake": 255,
    "bigquery": 1024,
    "redshift": 127,
    "databricks": 255,
    "spark": 255,
    "trino": None,
    "clickhouse": None,
    "materialize": 255,
    "risingwave": 63,
}

# The dialects a spec is checked against when no dialect is named: the ones the ORM targets
# (Prisma, Drizzle, SQLAlchemy, Peewee) may run on.
PORTABLE_DIALECTS = ("postgres", "mysql", "sqlite")
