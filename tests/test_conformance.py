"""The conformance suite: on every engine, every target that can create a schema there builds it
in a fresh database; the databases are reflected into one normalized description and must all
equal the one our SQL creates, except for the allowed differences (tests/conformance/allowed.py).
Then rows written through one ORM are read back through another. Every spec in ALL_SPECS."""

from __future__ import annotations

import pytest
from vigilo_gen.spec import load_spec

from tests.conformance import compare, reflect
from tests.conformance.build import (
    ENGINES,
    NOT_APPLICABLE,
    REFERENCE,
    TARGETS,
    ToolMissing,
    applicable,
)
from tests.conformance.crosscheck import PAIRS, cross_check
from tests.conformance.matrix import Conformance
from tests.support import ALL_SPECS, ROOT, missing

CELLS = [(s, e) for s in ALL_SPECS for e in ENGINES]
CELL_IDS = [f"{s.stem}-{e}" for s, e in CELLS]


@pytest.fixture(scope="session")
def conformance(tmp_path_factory) -> Conformance:
    engines: dict = {}
    suite = Conformance(lambda name: engines[name], tmp_path_factory.mktemp("conformance"))
    suite.engines = engines  # filled by each test from the engine fixtures
    return suite


def _descriptions(conformance, get_engine, spec_path, engine) -> dict[str, dict]:
    conformance.engines[engine] = get_engine(engine)
    conformance.prefetch(spec_path, engine)
    out = {}
    for target in TARGETS:
        if not applicable(target, engine):
            continue
        try:
            out[target] = conformance.description(spec_path, engine, target)
        except ToolMissing as exc:
            missing(str(exc))
    return out


@pytest.mark.engine
@pytest.mark.node
@pytest.mark.parametrize(("spec_path", "engine"), CELLS, ids=CELL_IDS)
def test_every_target_creates_the_same_database(conformance, get_engine, spec_path, engine):
    described = _descriptions(conformance, get_engine, spec_path, engine)
    reference = described[REFERENCE]

    # The reference itself holds exactly the Spec's tables and columns, in field order.
    spec = load_spec(spec_path)
    assert sorted(reference) == sorted(m.table for m in spec.models)
    for model in spec.models:
        columns = reference[model.table]["columns"]
        assert list(columns) == [f.column for f in model.fields], model.table

    problems = []
    for target, description in described.items():
        if target != REFERENCE:
            verdict = compare.judge(target, engine, reference, description)
            problems += [d.describe(REFERENCE, target) for d in verdict.real]
    assert not problems, f"{spec_path.name} on {engine}:\n" + "\n".join(problems)


@pytest.mark.engine
@pytest.mark.parametrize("engine", ["postgres", "sqlite"])
@pytest.mark.parametrize("pair", PAIRS, ids=[f"{w}-writes-{r}-reads" for w, r in PAIRS])
@pytest.mark.parametrize("spec_path", **{"argvalues": ALL_SPECS,
                                         "ids": [p.stem for p in ALL_SPECS]})
def test_rows_written_by_one_orm_read_back_by_another(fresh_db, tmp_path, spec_path, pair,
                                                      engine):
    writer, reader = pair
    problems = cross_check(load_spec(spec_path), spec_path, writer, reader, fresh_db(engine),
                           tmp_path)
    assert not problems, "\n".join(problems)


# --- the comparison itself: it must see real differences and allow only listed ones ---------


def _table(**changes) -> dict:
    table = {
        "columns": {"id": {"type": "varchar(36)", "nullable": False, "default": None},
                    "note": {"type": "varchar(255)", "nullable": True, "default": "'x'"}},
        "column order": ["id", "note"],
        "primary key": {"columns": "id", "name": "t_pkey"},
        "uniques": {}, "indexes": {}, "foreign keys": {},
        "checks": {"t_note_length_check": "LENGTH(note) >= 3"},
        "updated_at": ["trigger t_touch (BEFORE UPDATE)"],
    }
    table.update(changes)
    return {"t": table}


def test_a_type_difference_is_reported_readably():
    other = _table()
    other["t"]["columns"]["note"] = {"type": "text", "nullable": True, "default": "'x'"}
    verdict = compare.judge("sqlalchemy", "postgres", _table(), other)
    assert [d.describe("sql", "sqlalchemy") for d in verdict.real] == \
        ["sqlalchemy vs sql: t.note: type text vs varchar(255)"]


def test_allowed_differences_cover_only_what_they_say():
    no_checks = _table(checks={})
    assert not compare.judge("prisma", "postgres", _table(), no_checks).real  # A1
    assert compare.judge("drizzle", "postgres", _table(), no_checks).real  # not drizzle's
    changed = _table(checks={"t_note_length_check": "LENGTH(note) >= 4"})
    assert compare.judge("prisma", "postgres", _table(), changed).real  # a different rule
    client = _table(updated_at=[])
    assert not compare.judge("peewee", "sqlite", _table(), client).real  # A2
    other_trigger = _table(updated_at=["trigger other (AFTER UPDATE)"])
    assert compare.judge("peewee", "sqlite", _table(), other_trigger).real


@pytest.mark.parametrize(("engine", "a", "b"), [
    ("postgres", "((n >= 0) AND (n <= 5))", "n BETWEEN 0 AND 5"),
    ("postgres", "((state)::text = ANY ((ARRAY['a'::character varying, 'b'::character "
                 "varying])::text[]))", "\"state\" IN ('a', 'b')"),
    ("postgres", "(char_length((email)::text) >= 3)", "LENGTH(\"email\") >= 3"),
    ("sqlite", "\"t\".\"n\" >= 0", "n >= 0"),
    ("mariadb", "`n` between 0 and 5", "n >= 0 AND n <= 5"),
])
def test_check_notation_is_normalized(engine, a, b):
    assert reflect.normalize_check(engine, a, "t") == reflect.normalize_check(engine, b, "t")


@pytest.mark.parametrize(("engine", "a", "b"), [
    ("mariadb", "CHAR_LENGTH(email) >= 3", "LENGTH(email) >= 3"),  # bytes vs characters
    ("postgres", "n > 0", "n >= 0"),
    ("sqlite", "\"other\".\"n\" >= 0", "n >= 0"),
])
def test_check_semantics_are_not_normalized_away(engine, a, b):
    assert reflect.normalize_check(engine, a, "t") != reflect.normalize_check(engine, b, "t")


@pytest.mark.parametrize(("engine", "family", "a", "b"), [
    ("postgres", "time", "now()", "CURRENT_TIMESTAMP"),
    ("postgres", "str", "'draft'::character varying", "'draft'"),
    ("postgres", "num", "'0'::numeric", "0"),
    ("sqlite", "num", "FALSE", "0"),
    ("mariadb", "str", "'it\\'s \\\\'", "'it''s \\\\'"),
])
def test_default_notation_is_normalized(engine, family, a, b):
    assert reflect.normalize_default(engine, family, a) == \
        reflect.normalize_default(engine, family, b)


def test_default_precision_is_kept_on_mariadb():
    assert reflect.normalize_default("mariadb", "time", "current_timestamp(3)") != \
        reflect.normalize_default("mariadb", "time", "current_timestamp()")


def test_sqlite_types_compare_by_affinity():
    affinity = reflect._sqlite_affinity
    assert affinity("VARCHAR(36)") == affinity("TEXT") == "TEXT"
    assert affinity("BOOLEAN") == affinity("INTEGER") == affinity("DATETIME") == "NUMERIC"
    assert affinity("text") != affinity("DATE")  # TEXT vs NUMERIC: a real difference


def test_the_docs_show_every_allowed_difference_and_not_applicable_cell():
    docs = (ROOT / "docs" / "conformance.md").read_text(encoding="utf-8")
    from tests.conformance.allowed import ALLOWED

    for entry in ALLOWED:
        assert f"**{entry.id}**" in docs, f"{entry.id} is not in docs/conformance.md"
    for reason in set(NOT_APPLICABLE.values()):
        assert reason in docs
    assert "make conformance" in docs


def test_prisma_migrate_with_the_companion_relies_on_no_allowed_difference():
    """The recipe of docs/prisma-migrate.md must give our SQL's database exactly: no entry of
    ALLOWED may cover it, so its cells in the matrix are a plain ✓ or fail."""
    from tests.conformance.allowed import ALLOWED

    assert "prisma-migrate" in TARGETS
    assert not [a.id for a in ALLOWED if "prisma-migrate" in a.targets]
