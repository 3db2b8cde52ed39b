"""Facts about the databases we write SQL for, one record per database, read by the engine
and by every emitter that needs them (``sql``, ``drizzle``, ``sqlalchemy``, ``peewee``,
``prisma``): identifier limits, whether a CHECK can match a regular expression and how it is
made case-sensitive, and whether an enum CHECK must compare bytes. The one list of SQL
dialects (``sql --dialect`` and ``validate --dialect`` both read it) is the record's keys.

What a target spells its own way (type names, triggers, Drizzle's operator text) stays in the
target's tables; what is a fact of the database is here, once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Database:
    """One database, by sqlglot's dialect name."""

    # The longest identifier it accepts (None: no practical one). Spec names are ASCII (the
    # schema's pattern), so a vendor's limit in bytes and one in characters are the same here.
    identifier_limit: int | None
    column_limit: int | None = None  # where columns have a lower limit of their own
    regex: bool = True  # a CHECK can match a regular expression
    # Added before every pattern: MySQL/MariaDB's REGEXP ignores case under the usual
    # case-insensitive collations, "(?-i)" (PCRE) turns that off.
    regex_prefix: str = ""
    # The usual collations ignore case and trailing spaces ('Red ' = 'red'): an enum CHECK
    # compares CAST(column AS BINARY), byte for byte, to accept exactly the spec's values.
    binary_enum_check: bool = False


# Every SQL dialect we write. The first four are executed on real engines in the tests; every
# one parses back with sqlglot, and each has a profile (what it can enforce) in
# sql_ddl.PROFILES.
DATABASES: dict[str, Database] = {
    "postgres": Database(63),
    "mysql": Database(64, regex_prefix="(?-i)", binary_enum_check=True),
    "sqlite": Database(None, regex=False),  # no regular expressions in SQLite
    "duckdb": Database(None),
    "tsql": Database(128, regex=False),  # SQL Server has no regex operator in CHECK
    "oracle": Database(128),
    "snowflake": Database(255),
    "bigquery": Database(1024, column_limit=300),  # tables 1,024 bytes, columns 300 characters
    "redshift": Database(127),
    "databricks": Database(255),
    "trino": Database(None),
    "clickhouse": Database(None),
}
IDENTIFIER_LIMITS: dict[str, int | None] = {
    name: db.identifier_limit for name, db in DATABASES.items()}
COLUMN_LIMITS: dict[str, int | None] = {
    name: db.column_limit or db.identifier_limit for name, db in DATABASES.items()}
SQL_DIALECTS: tuple[str, ...] = tuple(DATABASES)

# The dialects a spec is checked against when no dialect is named: the ones the ORM targets
# (Prisma, Drizzle, SQLAlchemy, Peewee) may run on.
PORTABLE_DIALECTS = ("postgres", "mysql", "sqlite")
