"""Facts about database dialects that the engine itself needs: the one list of SQL dialects
(``sql --dialect`` and ``validate --dialect`` both read it) and their identifier limits.

Emitter-specific dialect facts (type names, triggers) live in the emitters' own tables.
"""

from __future__ import annotations

# Every SQL dialect we write, by sqlglot's name, with the longest identifier it accepts (None:
# no practical limit). The first four are executed on real engines in the tests; every one
# parses back with sqlglot, and each has a profile (what it can enforce) in sql_ddl.PROFILES.
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
    "trino": None,
    "clickhouse": None,
}
SQL_DIALECTS: tuple[str, ...] = tuple(IDENTIFIER_LIMITS)

# The dialects a spec is checked against when no dialect is named: the ones the ORM targets
# (Prisma, Drizzle, SQLAlchemy, Peewee) may run on.
PORTABLE_DIALECTS = ("postgres", "mysql", "sqlite")
