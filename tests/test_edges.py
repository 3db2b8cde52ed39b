"""Engine tests at the edges, on the database every target builds (our SQL, SQLAlchemy
``create_all``, Peewee ``create_tables``, drizzle-kit's SQL, Prisma's schema engine), with the
expectations read from tests/oracle/edges.yaml's text (tests/oracle), not from the Spec model:

- NULL into every required column is refused, on every engine; NULL into a nullable one is not;
- each bound is accepted exactly and refused one step past it: ints, bigints, floats (the next
  double), decimals (one unit of the scale), lengths (minLength by CHECK, maxLength by the
  VARCHAR), with non-ASCII text so a byte count instead of a character count is caught;
- a delete of a referenced row through every onDelete, the default for a required and for a
  nullable ref included.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import math
import uuid

import pytest

from tests.conformance.build import ADMIN_LOCK, ToolMissing, build
from tests.engines import constraint_violation_kind, expect_violation
from tests.oracle import EDGES_SPEC, read
from tests.support import missing

D = decimal.Decimal
QUOTE = {"postgres": '"', "mariadb": "`", "sqlite": '"', "duckdb": '"'}
CELLS = [("sql", "postgres"), ("sql", "mariadb"), ("sql", "sqlite"), ("sql", "duckdb"),
         ("sqlalchemy", "postgres"), ("sqlalchemy", "mariadb"), ("sqlalchemy", "sqlite"),
         ("peewee", "postgres"), ("peewee", "mariadb"), ("peewee", "sqlite"),
         ("drizzle", "postgres"), ("drizzle", "mariadb"), ("drizzle", "sqlite"),
         ("prisma", "postgres"), ("prisma", "sqlite")]
CELL_IDS = [f"{t}-{e}" for t, e in CELLS]
# Documented, not enforced: "VARCHAR lengths are not enforced by SQLite/DuckDB" (the notes at
# the top of those dialects' SQL). Asserted as accepted there, so a change is noticed.
LENGTHS_ENFORCED = {"postgres", "mariadb"}
MODELS = read(EDGES_SPEC)
PARENT = MODELS["Parent"]
_seeds = itertools.count(1)


class Db:
    """Plain parameterised SQL on one built database."""

    def __init__(self, db, target: str):
        self.db, self.engine, self.target = db, db.engine_name, target
        self.q = QUOTE[self.engine]

    def name(self, identifier: str) -> str:
        return f"{self.q}{identifier}{self.q}"

    def param(self, value):
        if self.engine == "sqlite" and isinstance(value, (D, dt.date)):
            return str(value) if isinstance(value, D) else value.isoformat()
        if self.engine == "mariadb" and isinstance(value, dt.datetime):
            return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value

    def insert(self, table: str, row: dict) -> None:
        columns = ", ".join(self.name(c) for c in row)
        marks = ", ".join([self.db.placeholder] * len(row))
        self.db.execute(f"INSERT INTO {self.name(table)} ({columns}) VALUES ({marks})",
                        [self.param(v) for v in row.values()])

    def delete(self, table: str, key: str) -> None:
        self.db.execute(f"DELETE FROM {self.name(table)} WHERE {self.name('id')} = "
                        f"{self.db.placeholder}", [key])

    def get(self, table: str, key: str, column: str = "id"):
        rows = self.db.execute(f"SELECT {self.name(column)} FROM {self.name(table)} WHERE "
                               f"{self.name('id')} = {self.db.placeholder}", [key])
        return rows[0][0] if rows else "<no row>"


def parent_row(**values) -> dict:
    """A valid parent row (its uniques fresh), with ``values`` in place of the defaults."""
    seed = next(_seeds)
    row = {"id": str(uuid.uuid4()), "label": f"L{seed:04x}", "body": "x", "note": None,
           "count": 0, "big": 0, "ratio": 1.0, "price": D("1.00"), "flag": True,
           "day": dt.date(2024, 1, 2),
           "seen_at": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
           "tint": "red", "code": f"c{seed}", "rank": 0, "maybe": None}
    return {**row, **values}


@pytest.fixture(scope="module")
def databases(request, tmp_path_factory):
    """(target, engine) -> Db, each built once per module and dropped at its end."""
    made: dict = {}

    def get(target: str, engine_name: str) -> Db:
        if (target, engine_name) not in made:
            engine = request.getfixturevalue(f"{engine_name}_engine")
            try:
                built = build(target, EDGES_SPEC, engine,
                              tmp_path_factory.mktemp(f"{target}-{engine_name}"))
            except ToolMissing as exc:
                missing(str(exc))
            made[(target, engine_name)] = Db(built.db, target)
        return made[(target, engine_name)]

    yield get
    for db in made.values():
        with ADMIN_LOCK:
            db.db.drop()


@pytest.mark.engine
@pytest.mark.parametrize(("target", "engine"), CELLS, ids=CELL_IDS)
def test_null_is_refused_in_every_required_column(databases, target, engine):
    db = databases(target, engine)
    parent = parent_row()
    db.insert("parent", parent)
    refused = accepted = 0
    for model in MODELS.values():
        for field in model.fields:
            base = parent_row() if model is PARENT else {"id": str(uuid.uuid4()),
                                                         "parent_id": parent["id"]}
            row = {**base, field.column: None}
            if field.nullable:
                db.insert(model.table, row)
                assert db.get(model.table, row["id"], field.column) is None
                accepted += 1
            else:
                with expect_violation("not_null"):
                    db.insert(model.table, row)
                refused += 1
    assert refused == sum(not f.nullable for m in MODELS.values() for f in m.fields)
    assert accepted >= 4


# column -> (accepted at the bounds, refused one step past them)
BOUNDS = {
    "count": ([-3, 7], [-4, 8]),
    "big": ([-9_000_000_000, 9_000_000_000], [-9_000_000_001, 9_000_000_001]),
    "ratio": ([0.25, 1.5], [math.nextafter(0.25, -math.inf), math.nextafter(1.5, math.inf)]),
    "price": ([D("-10.50"), D("99.99")], [D("-10.51"), D("100.00")]),
    "maybe": ([1], [0]),
    # minLength 2 counts characters: 2 accented letters (4 bytes) pass, one (2 bytes) does not
    "label": (["ab", "éé", "😀😀"], ["a", "é", "😀"]),
    "body": (["x", "é"], [""]),
    "tint": (["red", "green"], ["blue"]),
}


def test_the_bounds_are_the_spec_text():
    """The table above is the edges spec's bounds (min, max, minLength), as written."""
    for column, (ok, _bad) in BOUNDS.items():
        raw = next(f.raw for f in PARENT.fields if f.column == column)
        if "min" in raw:
            assert D(str(min(ok))) == D(raw["min"]), column
        if "max" in raw:
            assert D(str(max(ok))) == D(raw["max"]), column
        if "minLength" in raw:
            assert min(len(v) for v in ok) == int(raw["minLength"]), column


@pytest.mark.engine
@pytest.mark.parametrize(("target", "engine"), CELLS, ids=CELL_IDS)
def test_each_bound_is_accepted_and_one_step_past_it_refused(databases, target, engine):
    db = databases(target, engine)
    for column, (ok, bad) in BOUNDS.items():
        for value in ok:
            row = parent_row(**{column: value})
            db.insert("parent", row)
            stored = db.get("parent", row["id"], column)
            if isinstance(value, str):
                assert stored == value, (column, value)
            db.delete("parent", row["id"])
        if target == "prisma":
            continue  # A1: Prisma creates no CHECK constraints (docs/conformance.md)
        for value in bad:
            row = parent_row(**{column: value})
            with expect_violation("check"):
                db.insert("parent", row)
            assert db.get("parent", row["id"]) == "<no row>", (column, value)


# MariaDB's usual collation (utf8mb4_unicode_ci) ignores case and trailing spaces: a plain
# CHECK (tint IN ('red', 'green')) would accept 'Red' and 'red ', values the spec's enum and
# the API refuse. Every target's enum CHECK compares the column's bytes there.
CASE_CELLS = [(t, e) for t, e in CELLS if t != "prisma"]


@pytest.mark.engine
@pytest.mark.parametrize(("target", "engine"), CASE_CELLS, ids=[f"{t}-{e}" for t, e in CASE_CELLS])
@pytest.mark.parametrize("value", ["Red", "red "])
def test_enum_checks_are_exact(databases, target, engine, value):
    db = databases(target, engine)
    row = parent_row(tint=value)
    with expect_violation("check"):
        db.insert("parent", row)


@pytest.mark.engine
@pytest.mark.parametrize(("target", "engine"), CELLS, ids=CELL_IDS)
def test_max_lengths_count_characters(databases, target, engine):
    """VARCHAR(5): five characters fit, whatever their bytes; a sixth does not."""
    db = databases(target, engine)
    for value in ("abcde", "ééééé", "日本語日本", "😀😀😀😀😀"):
        row = parent_row(label=value)
        db.insert("parent", row)
        assert db.get("parent", row["id"], "label") == value
    for value in ("abcdef", "éééééé", "😀😀😀😀😀😀"):
        row = parent_row(label=value)
        if engine in LENGTHS_ENFORCED:
            with pytest.raises(Exception) as refused:
                db.insert("parent", row)
            assert constraint_violation_kind(refused.value) in (None, "other"), refused.value
            assert db.get("parent", row["id"]) == "<no row>"
        else:
            db.insert("parent", row)
            assert db.get("parent", row["id"], "label") == value


@pytest.mark.engine
@pytest.mark.parametrize(("target", "engine"), CELLS, ids=CELL_IDS)
def test_deletes_through_every_on_delete(databases, target, engine):
    db = databases(target, engine)
    seen = set()
    for model in MODELS.values():
        if model is PARENT:
            continue
        ref = model.field("parentId")
        action = ref.on_delete
        seen.add((action, "onDelete" in ref.raw))
        parent, child = parent_row(), {"id": str(uuid.uuid4())}
        db.insert("parent", parent)
        db.insert(model.table, {**child, "parent_id": parent["id"]})
        if engine == "duckdb" or action in ("RESTRICT", "NO ACTION"):
            # DuckDB accepts no ON DELETE action (its SQL's header says so): every delete of a
            # referenced row is refused there.
            with expect_violation("foreign_key"):
                db.delete("parent", parent["id"])
            assert db.get("parent", parent["id"]) == parent["id"], model.name
            assert db.get(model.table, child["id"], "parent_id") == parent["id"], model.name
            continue
        db.delete("parent", parent["id"])
        if action == "CASCADE":
            assert db.get(model.table, child["id"]) == "<no row>", model.name
        else:
            assert action == "SET NULL"
            assert db.get(model.table, child["id"], "parent_id") is None, model.name
    assert seen == {("CASCADE", False), ("SET NULL", False), ("CASCADE", True),
                    ("SET NULL", True), ("RESTRICT", True), ("NO ACTION", True)}
