"""The property of ``vigilo-gen migrate``, on PostgreSQL, MariaDB and SQLite: for random old/new
spec pairs (tests/migration_edits.py), a database built from the old spec with our SQL and
filled with valid rows, then migrated,

(a) reflects exactly as a fresh build of the new spec does (tests/conformance/reflect.py);
(b) keeps every value of every kept column (converted where the type widened; a NULL made NOT
    NULL takes the new default);
(c) converges: ``diff new new`` is empty and migrate new -> new writes nothing.

CI (``CI=true``) runs a fixed, derandomized set of PAIRS examples per engine (and ALEMBIC_PAIRS
with the Alembic revision run by Alembic); ``make fuzz`` (``VIGILO_FUZZ=long``) runs 500 (100).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, reject, settings
from vigilo_gen.diff import diff
from vigilo_gen.errors import SpecError
from vigilo_gen.migrate import plan_migration
from vigilo_gen.oldspec import load_named

from tests.migration_edits import spec_pairs
from tests.migration_support import DIALECT, migrate_and_compare
from tests.strategies import to_yaml
from tests.support import IN_CI

LONG = os.environ.get("VIGILO_FUZZ") == "long"
# VIGILO_FUZZ_PAIRS overrides the count of a run (e.g. a quick local look, or a longer night).
PAIRS = int(os.environ.get("VIGILO_FUZZ_PAIRS") or (500 if LONG else 30))
ALEMBIC_PAIRS = max(1, PAIRS // 5) if LONG or "VIGILO_FUZZ_PAIRS" in os.environ else 10
# PostgreSQL cannot place a column: ADD COLUMN appends it (docs/migrations.md).
IGNORE = {"postgres": ("column order",), "mariadb": (), "sqlite": ()}
# Names the strategies cannot keep apart in every case (relation attributes derived from model
# and field names; a rename onto a name an edit took): the engine refuses them with a clear
# message, which is fine.
_REFUSED = re.compile(r"collides with|both map to|is used twice|which is still a")


def profile(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=IN_CI and not LONG,
                    database=None if IN_CI else settings.default.database, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture,
                                           HealthCheck.filter_too_much])


def load_pair(old_data, new_data, folder: Path):
    specs = []
    for name, data in (("old.yaml", old_data), ("new.yaml", new_data)):
        (folder / name).write_text(to_yaml(data, False), encoding="utf-8")
        try:
            specs.append(load_named(folder / name, name))
        except SpecError as exc:
            if all(_REFUSED.search(d.message) for d in exc.diagnostics):
                reject()
            raise AssertionError(f"{name} was refused:\n{exc}\n---\n{to_yaml(data, False)}") \
                from None
    return specs


def check(pair, engine, alembic: bool = False) -> None:
    old_data, new_data, edits = pair
    for edit in sorted(set(edits)):
        event(f"edit: {edit}")
    with tempfile.TemporaryDirectory() as tmp:
        old, new = load_pair(old_data, new_data, Path(tmp))
        try:
            migrate_and_compare(engine, old, new, ignore=IGNORE[engine.name],
                                alembic=Path(tmp) / "alembic" if alembic else None)
        except AssertionError as exc:
            raise AssertionError(f"edits: {edits}\n{exc}\n--- old ---\n"
                                 f"{to_yaml(old_data, False)}\n--- new ---\n"
                                 f"{to_yaml(new_data, False)}") from None
        again = diff(new, new)
        assert again.changes == (), again.changes
        assert plan_migration(again, DIALECT[engine.name]) == ""


@profile(PAIRS)
@given(pair=spec_pairs())
def test_migrations_on_sqlite(pair, sqlite_engine):
    check(pair, sqlite_engine)


@profile(PAIRS)
@given(pair=spec_pairs())
def test_migrations_on_postgres(pair, postgres_engine):
    check(pair, postgres_engine)


@profile(PAIRS)
@given(pair=spec_pairs())
def test_migrations_on_mariadb(pair, mariadb_engine):
    check(pair, mariadb_engine)


@profile(ALEMBIC_PAIRS)
@given(pair=spec_pairs())
def test_alembic_migrations_on_sqlite(pair, sqlite_engine):
    check(pair, sqlite_engine, alembic=True)


@profile(ALEMBIC_PAIRS)
@given(pair=spec_pairs())
def test_alembic_migrations_on_postgres(pair, postgres_engine):
    check(pair, postgres_engine, alembic=True)


@profile(ALEMBIC_PAIRS)
@given(pair=spec_pairs())
def test_alembic_migrations_on_mariadb(pair, mariadb_engine):
    check(pair, mariadb_engine, alembic=True)
