"""The allowed differences: the only ways a target's database may differ from the one our SQL
creates on the same engine. Each entry says which targets and engines it covers, exactly which
difference it allows (a predicate on one Difference), and why. Keep this list short: a new
difference is fixed in the emitter unless the target truly cannot express the fact.

docs/conformance.md shows this list to users.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MISSING = "<missing>"


@dataclass(frozen=True)
class Allowed:
    id: str
    targets: tuple[str, ...]
    engines: tuple[str, ...]
    summary: str  # one line, for the matrix legend
    reason: str
    matches: Callable[[Any], bool]


ALLOWED: tuple[Allowed, ...] = (
    Allowed(
        id="A1",
        targets=("prisma",),
        engines=("postgres", "sqlite"),
        summary="Prisma creates no CHECK constraints",
        reason="Prisma's schema language has no CHECK constraints (enum values, ranges, "
               "lengths, patterns). The emitter writes each one as a /// comment on the field; "
               "the database does not enforce them. With `prisma migrate`, append "
               "`vigilo-gen prisma-companion` to the migration (row prisma-migrate: no "
               "allowed difference).",
        # only a CHECK that is absent: a CHECK that exists with another rule is never allowed
        matches=lambda d: d.aspect == "checks" and d.actual == MISSING,
    ),
    Allowed(
        id="A2",
        targets=("sqlalchemy", "peewee", "prisma", "drizzle"),
        engines=("postgres", "mariadb", "sqlite"),
        summary="ORMs maintain updated_at in the client; our SQL in the database",
        reason="Our SQL keeps updated_at current in the database (a BEFORE UPDATE trigger on "
               "PostgreSQL, ON UPDATE CURRENT_TIMESTAMP(3) on MariaDB, an AFTER UPDATE trigger "
               "on SQLite), so every writer gets it, even a plain UPDATE. The ORMs set it "
               "themselves on every update made through them (SQLAlchemy onupdate, Peewee "
               "save(), Prisma @updatedAt, Drizzle $onUpdate) and create no trigger. Both keep "
               "the column's default, type and nullability identical; a database shared with "
               "writers outside the ORM should be created with our SQL.",
        # only a mechanism that is absent from the ORM's database
        matches=lambda d: d.aspect == "updated_at" and d.actual == [],
    ),
)
