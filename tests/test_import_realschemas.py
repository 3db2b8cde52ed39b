"""``import db`` of real public databases (issue 16): what it cannot read, it says.

For each schema of tests/realschemas/ the original is built on PostgreSQL the way its project
builds it (as in tests/test_realschemas.py: Chinook's own script, Prisma's schema engine for
Umami, Django's ``migrate`` for django-taggit), ``import db`` reads it into a spec, our SQL of
that spec is built on a fresh database, and both databases are reflected with the conformance
matrix's reflection (tests/conformance/reflect.py) and compared. Every difference must be one
the import reported (a line on stderr and a comment at the top of the spec): a difference no
report item names fails the test, and so does a report that changes (the items are listed per
schema below, each with why the spec cannot hold it).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from vigilo_gen import registry
from vigilo_gen.spec import load_spec

from tests.conformance.compare import Difference, differences
from tests.conformance.reflect import describe
from tests.support import run_cli
from tests.test_realschemas import (
    _DJANGO_MIGRATE,
    _DJANGO_TABLES,
    TAGGIT,
    UMAMI,
    _chinook_script,
)


def _chinook(db, tmp_path) -> Path:
    """Chinook's own script; its DDL, for ``import sql``."""
    ddl, _ = _chinook_script()
    db.execute_script(ddl)
    path = tmp_path / "Chinook_PostgreSql.sql"
    path.write_text(ddl, encoding="utf-8")
    return path


def _umami(db, tmp_path) -> Path:
    """Prisma's schema engine; the DDL it ran (``prisma migrate diff --script``)."""
    from tests.conformance.build import node_tool

    result = node_tool(
        "prisma-apply.mjs",
        "--schema",
        str(UMAMI / "schema.prisma"),
        "--url",
        db.url,
        "--mode",
        "diff",
        "--sql-out",
        str(tmp_path / "migration.sql"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp_path / "migration.sql"


def _taggit(db, tmp_path) -> None:
    """Django's ``migrate`` (no DDL file: Django runs its migrations' statements itself)."""
    import os

    result = subprocess.run(
        [sys.executable, "-c", _DJANGO_MIGRATE, db.database, db.user, db.password, db.host,
         str(db.port)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(TAGGIT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with db.sqlalchemy_engine().begin() as conn:  # Django's bookkeeping, not the schema
        from sqlalchemy import text

        for table in _DJANGO_TABLES:
            conn.execute(text(f'DROP TABLE "{table}"'))


BUILDERS = {"chinook": _chinook, "umami": _umami, "taggit": _taggit}


# The report of each import, item by item (``where: message``), with why the spec cannot hold
# each. Chinook's script and Umami's Prisma schema use nothing a spec cannot say (the sample
# database is our SQL's, tests/test_realschemas.py; Umami keeps no foreign keys: relationMode
# "prisma", so its relations come back as plain indexed columns, which is the database). Django
# adds what taggit/SOURCE.md lists: varchar_pattern_ops indexes (no word for an operator class)
# and foreign keys checked at commit (no word for when a foreign key is checked).
_DEFERRED = (
    "constraint {name} on taggit_taggeditem: foreign key {name} of taggit_taggeditem "
    "({column}) is DEFERRABLE INITIALLY DEFERRED: the spec has no word for when a foreign key "
    "is checked (imported as checked at once)"
)
_LIKE = (
    "index taggit_tag_{column}_{suffix}_like: not imported: an index with an operator class "
    "that is not its type's default (CREATE INDEX taggit_tag_{column}_{suffix}_like ON "
    "public.taggit_tag USING btree ({column} varchar_pattern_ops))"
)
REPORTS: dict[str, list[str]] = {
    "chinook": [],
    "umami": [],
    "taggit": [
        _DEFERRED.format(
            name="taggit_taggeditem_content_type_id_9957a03c_fk_django_co",
            column="content_type_id",
        ),
        _DEFERRED.format(
            name="taggit_taggeditem_tag_id_f4f5b767_fk_taggit_tag_id", column="tag_id"
        ),
        _LIKE.format(column="name", suffix="58eb2ed9"),
        _LIKE.format(column="slug", suffix="6be58b2c"),
    ],
}


def reported(difference: Difference, report: list[str]) -> bool:
    """A difference is reported when one report item names both its table and what differs
    in it (the column, constraint or index: ``Difference.item``), or, for a difference of the
    table itself, names the table."""
    words = [w for w in (difference.table, difference.item) if w]
    return any(all(re.search(rf"\b{re.escape(w)}\b", item) for w in words) for item in report)


def test_a_difference_no_item_names_is_unreported():
    """The matcher itself: an item about another column or table does not cover it."""
    item = "constraint fk on t: foreign key fk of t (a_id) is DEFERRABLE INITIALLY DEFERRED"
    assert reported(Difference("t", "foreign keys", "a_id", None, None), [item])
    assert not reported(Difference("t", "foreign keys", "a", None, None), [item])
    assert not reported(Difference("u", "foreign keys", "a_id", None, None), [item])
    assert not reported(Difference("t", "type", "b_id", None, None), [item])


# ``import sql`` of the DDL that built the original, where there is one ({ddl}: its path):
# Chinook's script holds nothing the spec cannot say; Prisma's migration opens with
# CREATE SCHEMA IF NOT EXISTS "public".
SQL_REPORTS: dict[str, list[str]] = {
    "chinook": [],
    "umami": ["{ddl}:2:1: not imported: schema public"],
}
# Report items that are no difference between the two databases, with why.
NO_DIFFERENCE = {
    "not imported: schema public": (
        "the schema every PostgreSQL database has, which our SQL's tables go into; the "
        "reflection reads that one schema"
    ),
}


@pytest.mark.parametrize(
    ("schema", "via"),
    [(schema, "db") for schema in BUILDERS] + [(schema, "sql") for schema in SQL_REPORTS],
)
def test_import_of_a_real_database_reports_every_difference(schema, via, fresh_db, tmp_path):
    original = fresh_db("postgres", f"{schema}_original")
    ddl = BUILDERS[schema](original, tmp_path)
    spec = tmp_path / f"{schema}.yaml"
    if via == "db":
        args, expected = ["db", original.sqlalchemy_url], REPORTS[schema]
    else:
        args = ["sql", str(ddl), "--dialect", "postgres"]
        expected = [item.format(ddl=ddl) for item in SQL_REPORTS[schema]]
    result = run_cli("import", *args, "--out", str(spec))
    assert result.returncode == 0, result.stderr
    # The report, as the user sees it: stderr, and the same items atop the spec.
    lines = [line.removeprefix("vigilo-gen: ") for line in result.stderr.splitlines()]
    report = [line for line in lines if not line.endswith("(listed at the top of the spec)")]
    atop = [line[4:] for line in spec.read_text(encoding="utf-8").splitlines()
            if line.startswith("#   ")]  # fmt: skip
    assert atop == report, result.stderr
    assert report == expected, "\n".join(report)

    emitter = registry.load("sql")
    ours = fresh_db("postgres", f"{schema}_ours")
    ours.execute_script(emitter.run(load_spec(spec), emitter.make_options(dialect="postgres")))
    reference, actual = describe(original), describe(ours)
    assert reference, "the original has no tables"
    found = differences(reference, actual)
    shown = [d.describe(schema, "import") for d in found]
    unreported = [text for d, text in zip(found, shown, strict=True) if not reported(d, report)]
    assert unreported == [], "\n".join(unreported) + "\nreport:\n" + "\n".join(report)
    # And each item is a difference: nothing is reported that the database does not show.
    silent = [
        i
        for i in report
        if not any(reported(d, [i]) for d in found)
        and not any(i.endswith(": " + known) for known in NO_DIFFERENCE)
    ]
    assert silent == [], "\n".join(silent)
