"""``vigilo-gen sql --dialect NAME``: DDL for one database dialect, built as sqlglot trees.

This module only declares the emitter (cheap to import); the trees are built in ``sql_ddl``,
which imports sqlglot when a SQL output is actually rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigilo_gen.dialects import SQL_DIALECTS
from vigilo_gen.emitter import Emitter, Provenance, dialect_option, option
from vigilo_gen.model import Spec

# Every dialect we render: the engine's one list (``validate --dialect`` reads it too).
DIALECTS = SQL_DIALECTS


@dataclass(frozen=True)
class SqlOptions:
    dialect: str = option("postgres", "SQL dialect to write.", choices=DIALECTS)


def render(spec: Spec, options: SqlOptions, provenance: Provenance) -> str:
    from .sql_ddl import render_ddl

    return render_ddl(spec, options.dialect, provenance)


emitter = Emitter(
    name="sql",
    description="SQL DDL (CREATE TABLE, indexes, checks, updated_at triggers) for one dialect.",
    options=SqlOptions,
    render=render,
    filename=lambda options: f"schema.{options.dialect}.sql",
    dialects=dialect_option,
)
