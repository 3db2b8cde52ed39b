"""Real public schemas as tests (tests/realschemas/<name>/: the original, its source and licence,
and our spec of it).

For each schema the original is built on PostgreSQL the way its project builds it (its own DDL
script, Prisma's schema engine, SQLAlchemy's ``create_all``), our SQL is built from the spec,
both databases are reflected with the conformance matrix's reflection
(tests/conformance/reflect.py) and compared. The sample database must come out identical; a
production schema may differ only where its test lists the difference with the reason.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conformance.build import build
from tests.conformance.compare import differences
from tests.conformance.reflect import describe
from tests.orm_scenario import import_generated
from tests.support import ROOT, generate

REAL = ROOT / "tests" / "realschemas"


# --- Chinook ---------------------------------------------------------------------------------

CHINOOK = REAL / "chinook"
_POPULATE = "   Populate Tables"
# psql's own lines: the script makes and enters its database; a test has its own.
_PSQL_ONLY = re.compile(r"^(DROP DATABASE|CREATE DATABASE|\\c )[^\n]*\n", re.M)


def _chinook_script() -> tuple[str, str]:
    """(the script's DDL, its INSERTs), without the psql lines that create the database."""
    text = _PSQL_ONLY.sub("", (CHINOOK / "Chinook_PostgreSql.sql").read_text(encoding="utf-8"))
    cut = text.index(_POPULATE)
    cut = text.rindex("/*", 0, cut)
    return text[:cut], text[cut:]


@pytest.fixture(scope="module")
def chinook_sql(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("chinook") / "chinook.postgres.sql"
    generate("sql", CHINOOK / "chinook.yaml", out, "--dialect", "postgres")
    return out


@pytest.mark.parametrize("target", ["sql", "sqlalchemy", "peewee", "prisma", "drizzle"])
def test_chinook_is_the_scripts_database(fresh_db, get_engine, tmp_path, target):
    """Every target builds the database Chinook's own script builds: names, types, keys,
    constraints, indexes and defaults, with no difference."""
    ddl, _ = _chinook_script()
    original = fresh_db("postgres", "chinook_original")
    original.execute_script(ddl)
    ours = build(target, CHINOOK / "chinook.yaml", get_engine("postgres"), tmp_path).db
    try:
        reference, actual = describe(original), describe(ours)
    finally:
        ours.drop()
    assert len(reference) == 11
    found = [d.describe("Chinook_PostgreSql.sql", target) for d in differences(reference, actual)]
    assert found == [], "\n".join(found)


# Row counts of Chinook 1.4.5, as its README and data files give them.
_CHINOOK_ROWS = {
    "artist": 275,
    "album": 347,
    "track": 3503,
    "media_type": 5,
    "genre": 25,
    "playlist": 18,
    "playlist_track": 8715,
    "employee": 8,
    "customer": 59,
    "invoice": 412,
    "invoice_line": 2240,
}


def test_chinook_data_reads_back_through_sqlalchemy(fresh_db, chinook_sql, tmp_path):
    """The script's own rows load into the database our SQL made, and every row, read through
    the generated SQLAlchemy models, equals the row the original database holds."""
    from sqlalchemy import select, text
    from sqlalchemy.orm import Session

    ddl, rows = _chinook_script()
    original = fresh_db("postgres", "chinook_original_rows")
    original.execute_script(ddl + rows)
    ours = fresh_db("postgres", "chinook_ours_rows")
    ours.execute_script(chinook_sql.read_text(encoding="utf-8"))
    ours.execute_script(rows)

    module = tmp_path / "chinook_models.py"
    generate("sqlalchemy", CHINOOK / "chinook.yaml", module)
    models = import_generated(module)
    mapped = {m.class_.__tablename__: m.class_ for m in models.Base.registry.mappers}
    assert set(mapped) == set(_CHINOOK_ROWS)
    reference = original.sqlalchemy_engine()
    with Session(ours.sqlalchemy_engine()) as session, reference.connect() as conn:
        for table, cls in sorted(mapped.items()):
            columns = [c.name for c in cls.__table__.columns]
            keys = [c.name for c in cls.__table__.primary_key.columns]
            expected = [
                tuple(r)
                for r in conn.execute(
                    text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(keys)}")
                )
            ]
            order = [getattr(cls, c.key) for c in cls.__table__.primary_key.columns]
            got = [
                tuple(
                    getattr(obj, cls.__mapper__.get_property_by_column(c).key)
                    for c in cls.__table__.columns
                )
                for obj in session.scalars(select(cls).order_by(*order))
            ]
            assert len(got) == _CHINOOK_ROWS[table], table
            assert got == expected, table

        # The relations, followed through the models (values from the script's INSERTs).
        album = session.get(mapped["album"], 1)
        assert (album.title, album.artist.name) == (
            "For Those About To Rock We Salute You",
            "AC/DC",
        )
        assert len(album.tracks) == 10
        nancy = session.get(mapped["employee"], 2)
        assert (nancy.first_name, nancy.manager.last_name) == ("Nancy", "Adams")
        assert sorted(e.employee_id for e in nancy.reports) == [3, 4, 5]
        invoice = session.get(mapped["invoice"], 1)
        assert str(invoice.total) == "1.98" and invoice.customer.customer_id == 2
        assert invoice.invoice_date.isoformat() == "2021-01-01T00:00:00"
        assert sum(line.unit_price * line.quantity for line in invoice.lines) == invoice.total
        # manyToMany through the join table, against the original's own rows.
        for playlist_id in (1, 3, 17):
            expected_tracks = sorted(r[0] for r in conn.execute(text(
                f"SELECT track_id FROM playlist_track WHERE playlist_id = {playlist_id}")))
            playlist = session.get(mapped["playlist"], playlist_id)
            assert sorted(t.track_id for t in playlist.tracks) == expected_tracks
        expected_playlists = sorted(r[0] for r in conn.execute(text(
            "SELECT playlist_id FROM playlist_track WHERE track_id = 1")))
        track = session.get(mapped["track"], 1)
        assert sorted(p.playlist_id for p in track.playlists) == expected_playlists
        assert len(expected_playlists) > 1


# --- Umami -----------------------------------------------------------------------------------

UMAMI = REAL / "umami"

# The differences between the database Prisma's schema engine makes from Umami's schema and
# the one each target makes from umami.yaml, each with the reason it stays:
# (target, aspect) -> reason. Any other difference fails the test, and so does a listed one
# that is gone.
UMAMI_DIFFERENCES: dict[tuple[str, str], str] = {
    ("sql", "updated_at"): (
        "Umami's updatedAt fields are @updatedAt: Prisma Client sets them, the database does "
        "not. `updatedAt: true` says the database keeps the column (README: one physical "
        "schema), so our SQL adds a BEFORE UPDATE trigger and every writer gets it (the ORMs "
        "set it themselves, as Prisma Client does: no difference there)."
    ),
}


@pytest.mark.parametrize("target", ["sql", "sqlalchemy", "peewee", "prisma", "drizzle"])
def test_umami_is_the_prisma_schemas_database(fresh_db, get_engine, tmp_path, target):
    from tests.conformance.build import node_tool

    original = fresh_db("postgres", "umami_original")
    result = node_tool(
        "prisma-apply.mjs",
        "--schema",
        str(UMAMI / "schema.prisma"),
        "--url",
        original.url,
        "--mode",
        "diff",
        "--sql-out",
        str(tmp_path / "migration.sql"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ours = build(target, UMAMI / "umami.yaml", get_engine("postgres"), tmp_path).db
    try:
        reference, actual = describe(original), describe(ours)
    finally:
        ours.drop()
    assert len(reference) == 17
    found = differences(reference, actual)
    shown = [d.describe("schema.prisma", target) for d in found]
    unexplained = [
        text
        for d, text in zip(found, shown, strict=True)
        if (target, d.aspect) not in UMAMI_DIFFERENCES
    ]
    assert unexplained == [], f"{len(found)} differences:\n" + "\n".join(shown)
    listed = {aspect for t, aspect in UMAMI_DIFFERENCES if t == target}
    assert listed == {d.aspect for d in found}, "a listed difference is gone"


# --- django-taggit ----------------------------------------------------------------------------

TAGGIT = REAL / "taggit"
# What Django's `migrate` runs, in a process of its own (Django is configured once per process).
_DJANGO_MIGRATE = """
import sys
import django
from django.conf import settings
from django.core.management import call_command

name, user, password, host, port = sys.argv[1:6]
settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": name,
                           "USER": user, "PASSWORD": password, "HOST": host, "PORT": port}},
    INSTALLED_APPS=["django.contrib.contenttypes", "taggit"], USE_TZ=True)
django.setup()
call_command("migrate", verbosity=0)
"""
# Django's own bookkeeping, as _prisma_migrations is Prisma's: not part of the schema.
_DJANGO_TABLES = ("django_migrations",)

# (target, table, aspect, item) -> why it stays.
TAGGIT_DIFFERENCES: dict[tuple[str, str, str, str], str] = {
    **{
        (target, "taggit_tag", "indexes", f"taggit_tag_{column}_{suffix}_like"): (
            "Django adds a varchar_pattern_ops index beside every unique or indexed varchar "
            "on PostgreSQL, for LIKE 'prefix%' under a non-C collation; the spec has no "
            "word for an index's operator class."
        )
        for target in ("sql", "sqlalchemy", "peewee", "prisma", "drizzle")
        for column, suffix in (("name", "58eb2ed9"), ("slug", "6be58b2c"))
    },
    **{
        (target, "taggit_taggeditem", "foreign keys", column): (
            "Django creates every foreign key DEFERRABLE INITIALLY DEFERRED (checked at "
            "commit); the spec has no word for when a foreign key is checked, ours are "
            "checked at once."
        )
        for target in ("sql", "sqlalchemy", "peewee", "prisma", "drizzle")
        for column in ("content_type_id", "tag_id")
    },
    **{
        ("prisma", table, aspect, "id"): (
            "Prisma's schema engine declares @default(autoincrement()) SERIAL on PostgreSQL "
            "(a sequence default), not Django's identity column (the conformance matrix's "
            "A3); `prisma migrate` with `vigilo-gen prisma-companion` makes it the identity."
        )
        for table in ("django_content_type", "taggit_tag", "taggit_taggeditem")
        for aspect in ("default", "generated")
    },
}


@pytest.mark.parametrize("target", ["sql", "sqlalchemy", "peewee", "prisma", "drizzle"])
def test_taggit_is_the_django_migrations_database(fresh_db, get_engine, tmp_path, target):
    """Django's `migrate` builds the original, with Django's django_content_type."""
    import subprocess
    import sys

    original = fresh_db("postgres", "taggit_original")
    result = subprocess.run(
        [sys.executable, "-c", _DJANGO_MIGRATE, original.database, original.user,
         original.password, original.host, str(original.port)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(TAGGIT)},
    )
    assert result.returncode == 0, result.stderr
    ours = build(target, TAGGIT / "taggit.yaml", get_engine("postgres"), tmp_path).db
    try:
        reference, actual = describe(original), describe(ours)
    finally:
        ours.drop()
    for table in _DJANGO_TABLES:
        reference.pop(table)
    assert sorted(reference) == ["django_content_type", "taggit_tag", "taggit_taggeditem"]
    found = differences(reference, actual)
    shown = {(target, d.table, d.aspect, d.item): d.describe("migrate", target) for d in found}
    unexplained = [text for key, text in shown.items() if key not in TAGGIT_DIFFERENCES]
    assert unexplained == [], f"{len(found)} differences:\n" + "\n".join(shown.values())
    listed = {key for key in TAGGIT_DIFFERENCES if key[0] == target}
    assert listed == set(shown), "a listed difference is gone"
