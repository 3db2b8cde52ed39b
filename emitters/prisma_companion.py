"""``vigilo-gen prisma-companion --dialect postgres|sqlite [--enums string|native]``.

The SQL that a migration of ``prisma migrate dev`` lacks, to be appended to it: the CHECK
constraints, updated_at triggers and catalogue comments Prisma's schema language cannot
declare (docs/prisma-migrate.md gives the recipe). With it, ``prisma migrate`` builds the same
database as ``vigilo-gen sql``; the conformance matrix proves it (row ``prisma migrate``).
MySQL is not offered: Prisma's offline schema engine has no MySQL connector, so the result
could not be proven here.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigilo_gen.emitter import Emitter, Provenance, dialect_option, option
from vigilo_gen.model import Spec

DIALECTS = ("postgres", "sqlite")


@dataclass(frozen=True)
class PrismaCompanionOptions:
    dialect: str = option("postgres", "Database the Prisma schema targets.", choices=DIALECTS)
    enums: str = option("string", "The --enums of the Prisma schema ('native' enums need no "
                        "CHECK for their values).", choices=("string", "native"))


def render(spec: Spec, options: PrismaCompanionOptions, provenance: Provenance) -> str:
    from .sql_ddl import render_prisma_companion

    return render_prisma_companion(spec, options.dialect, options.enums == "native",
                                   provenance)


emitter = Emitter(
    name="prisma-companion",
    description="SQL to append to a `prisma migrate dev --create-only` migration (CHECKs, "
                "updated_at triggers, comments).",
    options=PrismaCompanionOptions,
    render=render,
    filename=lambda options: f"prisma-companion.{options.dialect}.sql",
    dialects=dialect_option,
)
