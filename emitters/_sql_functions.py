"""SQL text every target writes alike, kept apart from sqlglot so that the Prisma, Drizzle
and ORM emitters can use it without importing sqlglot (start-up cost)."""

from __future__ import annotations

# `default: uuid`: the expression that makes a random uuid, per dialect (written as it is in
# every target). MySQL and MariaDB take a function default only in parentheses; SQLite has no
# uuid function, so its uuid4 text is put together from random bytes (randomblob is
# cryptographically random), version and variant digits included. Absent: the ORM makes it.
SQLITE_UUID4 = ("(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
                "substr(lower(hex(randomblob(2))), 2) || '-' || "
                "substr('89ab', 1 + (abs(random()) % 4), 1) || "
                "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))))")
# The ORM modules' column defaults whose SQL differs between their databases (postgres,
# mysql, sqlite): name in the module -> (SQL where none is given, SQL by dialect). Each
# module has one construct, SqlExpression, that writes these (and `default: {sql: ...}`).
def now_default(precision: int) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """`default: now` of a DATETIME(p) column: CURRENT_TIMESTAMP, with the precision on
    MySQL/MariaDB, whose DATETIME(p) refuses a default of a lower precision."""
    return (f"NOW_{precision}" if precision != 3 else "NOW", "CURRENT_TIMESTAMP",
            (("mysql", f"CURRENT_TIMESTAMP({precision})"),))


def uuid_default() -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """`default: uuid` made by the database (UUID_DEFAULTS)."""
    return ("NEW_UUID", "NULL",
            tuple((d, UUID_DEFAULTS[d]) for d in ("postgres", "mysql", "sqlite")))


UUID_DEFAULTS: dict[str, str] = {
    "postgres": "gen_random_uuid()",  # PostgreSQL 13+
    "mysql": "(UUID())",  # MySQL 8.0.13+, MariaDB 10.2+
    "sqlite": SQLITE_UUID4,
    "duckdb": "gen_random_uuid()",
    "tsql": "NEWID()",
    "snowflake": "UUID_STRING()",
    "bigquery": "GENERATE_UUID()",
    "databricks": "uuid()",
    "trino": "uuid()",
    "clickhouse": "generateUUIDv4()",
}
