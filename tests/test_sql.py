"""The sql emitter: snapshots, parse-back in every dialect, and real engines enforcing the rules.

The engine tests are driven by the Spec model alone, so they run unchanged on every spec in
ALL_SPECS: insert one row per model, then prove each unique, check, cascade, set-null and
updated_at rule the spec declares.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import json
import re
import uuid

import pytest
import sqlglot
from vigilo_gen.dialects import DATABASES
from vigilo_gen.emitters.sql import DIALECTS
from vigilo_gen.emitters.sql_ddl import PROFILES
from vigilo_gen.model import NEW_UUID, NOW, FieldType, OnDelete, SqlDefault
from vigilo_gen.spec import load_spec

from tests.engines import expect_violation
from tests.sample_values import cascade_children, sample_rows, valid_value, violations
from tests.support import ALL_SPECS, SPEC_IDS, generate, spec_params

# Our engine name -> the dialect it runs (MariaDB runs the mysql output).
ENGINES = {"postgres": "postgres", "mariadb": "mysql", "sqlite": "sqlite", "duckdb": "duckdb"}
QUOTE = {"postgres": '"', "mariadb": "`", "sqlite": '"', "duckdb": '"'}


def test_every_dialect_has_a_profile():
    assert set(DIALECTS) == set(PROFILES)
    assert len(DIALECTS) >= 10


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("spec_path", **spec_params())
def test_snapshot(spec_path, dialect, tmp_path, snapshot):
    assert generate("sql", spec_path, tmp_path / "schema.sql", "--dialect", dialect) == snapshot


def _statements(text: str) -> list[str]:
    """Our output separates statements by blank lines (trigger bodies contain none)."""
    code = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    return [part.strip() for part in code.split("\n\n") if part.strip()]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("spec_path", **spec_params())
def test_parses_back(spec_path, dialect, tmp_path):
    """Every table and index statement parses in its own dialect, every named constraint
    parses as a constraint, and sqlglot's rendering of the parsed tree is stable."""
    text = generate("sql", spec_path, tmp_path / "schema.sql", "--dialect", dialect)
    spec = load_spec(spec_path)
    read = "mysql" if dialect == "mysql" else dialect
    write = PROFILES[dialect].write
    tables, names = 0, set()
    for statement in _statements(text):
        if statement.startswith(("CREATE OR REPLACE FUNCTION", "CREATE TRIGGER")):
            continue
        if statement.startswith("COMMENT ON"):  # one per line
            for line in statement.splitlines():
                tree = sqlglot.parse_one(line.rstrip(";"), read=read)
                assert isinstance(tree, sqlglot.exp.Comment), line
                assert sqlglot.parse_one(tree.sql(dialect=write), read=read).sql(
                    dialect=write) == tree.sql(dialect=write), line
            continue
        sql = statement.rstrip(";")
        tree = sqlglot.parse_one(sql, read=read)
        assert isinstance(tree, sqlglot.exp.Create), statement
        tables += tree.args["kind"] == "TABLE"
        names.update(c.this.name for c in tree.find_all(sqlglot.exp.Constraint))
        once = tree.sql(dialect=write)
        assert sqlglot.parse_one(once, read=read).sql(dialect=write) == once, statement
    assert tables == len(spec.models)
    expected = set(re.findall(r"CONSTRAINT [\"`\[]([^\"`\]]+)", text))
    assert names == expected


def test_no_dialect_specific_text_for_unknown_features(tmp_path):
    """The bundled spec's postgres output needs no comment about missing features."""
    text = generate("sql", ALL_SPECS[0], tmp_path / "s.sql", "--dialect", "postgres")
    assert "Not expressed" not in text


# -- real engines ---------------------------------------------------------------------------


def _param(value, engine):
    if engine == "sqlite" and isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dict, list)):  # a json field's document, as its JSON text
        return json.dumps(value)
    if isinstance(value, uuid.UUID):  # the 36-character text every engine reads as a uuid
        return str(value)
    if engine == "mariadb" and isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


class Rows:
    """Inserts and reads rows of one database through plain parameterised SQL."""

    def __init__(self, db, engine: str):
        self.db, self.engine, self.q = db, engine, QUOTE[engine]
        self.seeds = itertools.count(1000)  # for fresh rows: never the sample rows' seeds

    def name(self, identifier: str) -> str:
        return f"{self.q}{identifier}{self.q}"

    def insert(self, table: str, row: dict) -> None:
        columns = ", ".join(self.name(c) for c in row)
        marks = ", ".join([self.db.placeholder] * len(row))
        self.db.execute(f"INSERT INTO {self.name(table)} ({columns}) VALUES ({marks})",
                        [_param(v, self.engine) for v in row.values()])

    def update(self, table: str, pk: str, pk_value, column: str, value) -> None:
        p = self.db.placeholder
        self.db.execute(f"UPDATE {self.name(table)} SET {self.name(column)} = {p} "
                        f"WHERE {self.name(pk)} = {p}", [_param(value, self.engine),
                                                          _param(pk_value, self.engine)])

    def get(self, table: str, pk: str, pk_value, column: str):
        return self.db.scalar(f"SELECT {self.name(column)} FROM {self.name(table)} "
                              f"WHERE {self.name(pk)} = {self.db.placeholder}",
                              [_param(pk_value, self.engine)])

    def keys(self, table: str, pk: str) -> set:
        return {r[0] for r in self.db.execute(f"SELECT {self.name(pk)} FROM {self.name(table)}")}

    def count(self, table: str) -> int:
        return self.db.scalar(f"SELECT COUNT(*) FROM {self.name(table)}")


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value


@pytest.fixture
def loaded(request, fresh_db, tmp_path):
    """(spec, Rows, rows) with the schema created from our SQL and one row per model."""
    engine, spec_path = request.param
    spec = load_spec(spec_path)
    db = fresh_db(engine)
    db.execute_script(generate("sql", spec_path, tmp_path / "schema.sql",
                               "--dialect", ENGINES[engine]))
    rows = Rows(db, engine)
    sample = sample_rows(spec)
    for model in spec.models:
        rows.insert(model.table, sample[model.name])
    return spec, rows, sample


ENGINE_CASES = [(e, p) for e in ENGINES for p in ALL_SPECS]
ENGINE_IDS = [f"{e}-{s}" for e in ENGINES for s in SPEC_IDS]
engine_cases = pytest.mark.parametrize("loaded", ENGINE_CASES, ids=ENGINE_IDS, indirect=True)


@engine_cases
def test_rows_round_trip(loaded):
    spec, rows, sample = loaded
    for model in spec.models:
        assert rows.count(model.table) == 1
        pk = model.primary_key.column
        for field in model.fields:
            if field.type in (FieldType.STRING, FieldType.TEXT, FieldType.ENUM):
                expected = sample[model.name].get(field.column)
                assert rows.get(model.table, pk, sample[model.name][pk], field.column) == expected
            if field.default is NOW:  # filled in by the database
                assert rows.get(model.table, pk, sample[model.name][pk], field.column)
            if field.type in READ_BACK and sample[model.name].get(field.column) is not None:
                stored = rows.get(model.table, pk, sample[model.name][pk], field.column)
                assert READ_BACK[field.type](stored) == sample[model.name][field.column], \
                    (field.name, stored)


# What a driver returns for a json, uuid or bytes column, as the value written: PostgreSQL's
# and DuckDB's drivers decode JSON and uuids themselves, the others return their text.
READ_BACK = {
    FieldType.JSON: lambda v: json.loads(v) if isinstance(v, (str, bytes)) else v,
    FieldType.UUID: lambda v: v if isinstance(v, uuid.UUID) else uuid.UUID(str(v)),
    FieldType.BYTES: bytes,
}


@engine_cases
def test_unique_constraints_refuse_duplicates(loaded):
    spec, rows, sample = loaded
    tested = 0
    for model in spec.models:
        row = sample[model.name]
        # A new key: of a composite key, its last own (not referencing) column.
        key = next((f for f in reversed(model.key) if f.reference is None), model.primary_key)
        for unique in model.uniques:
            if any(row.get(c) is None for c in unique.columns):
                continue  # NULLs never collide
            duplicate = {**row, key.column: valid_value(key, 99)}
            # Vary every other unique so that only this one can refuse the row.
            for other in model.uniques:
                if other is not unique:
                    for column in set(other.columns) - set(unique.columns):
                        field = next(f for f in model.fields if f.column == column)
                        if field.reference is None:
                            duplicate[column] = valid_value(field, 7)
            with expect_violation("unique"):
                rows.insert(model.table, duplicate)
            tested += 1
    assert tested or not any(m.uniques for m in spec.models)


def fresh_row(spec, rows: Rows, model) -> dict:
    """A new row of ``model`` whose parents are inserted first (fresh ones, so that one-to-one
    uniques cannot collide); the row itself is returned, not inserted."""
    row, seed = {}, next(rows.seeds)
    for field in model.fields:
        if field.default is NOW:
            continue
        if field.reference is None:
            row[field.column] = valid_value(field, seed)
        elif field.reference.target == model.name:
            row[field.column] = None
        else:
            target = spec.model(field.reference.target)
            parent = fresh_row(spec, rows, target)
            rows.insert(target.table, parent)
            row[field.column] = parent[field.reference.target_column]
    return row


@engine_cases
def test_checks_refuse_bad_values(loaded):
    """Each bad value in a new row is refused (a new row rather than an UPDATE, because DuckDB
    refuses any update of a referenced row)."""
    spec, rows, _sample = loaded
    tested = 0
    for model in spec.models:
        for field in model.fields:
            for kind, value in violations(field):
                if kind == "pattern" and not DATABASES[ENGINES[rows.engine]].regex:
                    continue  # listed in the output's header as not enforced
                row = fresh_row(spec, rows, model)
                with expect_violation("check"):
                    rows.insert(model.table, {**row, field.column: value})
                tested += 1
    assert tested >= sum(1 for m in spec.models for f in m.fields if f.has_range or f.enum)


@engine_cases
def test_updated_at_moves_on_update(loaded):
    spec, rows, sample = loaded
    # DuckDB has no triggers: there the column must stay put (the output's header says that the
    # application sets it), which is asserted too, so the day DuckDB changes we notice.
    maintained = rows.engine != "duckdb"
    old = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    for model in spec.models:
        stamps = model.updated_at_fields
        unique_columns = {c for u in model.uniques for c in u.columns}
        other = next((f for f in model.fields if not f.primary_key and f.reference is None
                      and f.default is not NOW and f.column not in unique_columns
                      and valid_value(f, 1) != valid_value(f, 0)), None)
        if not stamps or other is None or (not maintained and model.backrefs):
            continue  # DuckDB refuses any UPDATE of a referenced row
        pk, key = model.primary_key.column, sample[model.name][model.primary_key.column]
        for stamp in stamps:
            rows.update(model.table, pk, key, stamp.column, old)
        rows.update(model.table, pk, key, other.column, valid_value(other, 1))
        for stamp in stamps:
            moved = _as_datetime(rows.get(model.table, pk, key, stamp.column))
            assert (moved > old + dt.timedelta(days=365)) == maintained, \
                (model.table, stamp.column, moved)


@engine_cases
def test_updated_at_without_default_is_null_until_the_first_update(loaded):
    """A nullable updatedAt field without a default (README): a new row holds NULL there; the
    database sets it on the row's first update (not on DuckDB, which has no triggers)."""
    spec, rows, _sample = loaded
    for model in spec.models:
        nulls = [f for f in model.updated_at_fields if f.default is None]
        unique_columns = {c for u in model.uniques for c in u.columns}
        other = next((f for f in model.fields if not f.primary_key and f.reference is None
                      and not f.updated_at and f.default is not NOW
                      and f.column not in unique_columns
                      and valid_value(f, 1) != valid_value(f, 0)), None)
        if not nulls or other is None:
            continue
        row = {c: v for c, v in fresh_row(spec, rows, model).items()
               if c not in {f.column for f in nulls}}
        rows.insert(model.table, row)
        pk, key = model.primary_key.column, row[model.primary_key.column]
        for stamp in nulls:
            assert rows.get(model.table, pk, key, stamp.column) is None, stamp.name
        if rows.engine == "duckdb" and model.backrefs:
            continue  # DuckDB refuses any UPDATE of a referenced row
        rows.update(model.table, pk, key, other.column, valid_value(other, 1))
        for stamp in nulls:
            stored = rows.get(model.table, pk, key, stamp.column)
            assert (stored is not None) == (rows.engine != "duckdb"), (stamp.name, stored)


@engine_cases
def test_uuid_defaults_are_new_random_uuids(loaded):
    """`default: uuid` (README): a row inserted without the column gets a uuid from the
    database, a new one per row: version 4 (random), except MySQL's and MariaDB's UUID(),
    which their manuals define as an RFC 4122 version 1 (time-based) uuid."""
    spec, rows, _sample = loaded
    version = 1 if rows.engine == "mariadb" else 4
    for model in spec.models:
        generated = [f for f in model.fields if f.default is NEW_UUID]
        if not generated:
            continue
        seen: dict[str, set] = {f.column: set() for f in generated}
        for _ in range(2):
            row = {c: v for c, v in fresh_row(spec, rows, model).items()
                   if c not in seen}
            pk = model.primary_key.column
            before = rows.keys(model.table, pk)
            rows.insert(model.table, row)
            # A key the database makes (a uuid key with `default: uuid`): the new one.
            (key,) = rows.keys(model.table, pk) - before if pk in seen else (row[pk],)
            for field in generated:
                value = uuid.UUID(str(rows.get(model.table, pk, key, field.column)))
                assert value.version == version and value.variant == uuid.RFC_4122, value
                seen[field.column].add(value)
        assert all(len(values) == 2 for values in seen.values()), seen


@engine_cases
def test_sql_defaults_are_evaluated_by_the_database(loaded):
    """`default: {sql: ...}` (README): where the spec names the engine's dialect, a row
    inserted without the column gets the expression's value; elsewhere there is no default."""
    spec, rows, _sample = loaded
    tested = 0
    for model in spec.models:
        fields = [f for f in model.fields if isinstance(f.default, SqlDefault)
                  and f.default.sql(ENGINES[rows.engine]) is not None]
        if not fields:
            continue
        row = {c: v for c, v in fresh_row(spec, rows, model).items()
               if c not in {f.column for f in fields}}
        rows.insert(model.table, row)
        for field in fields:
            value = rows.get(model.table, model.primary_key.column,
                             row[model.primary_key.column], field.column)
            assert value is not None and value != "", (field.name, value)
            tested += 1
    assert tested or rows.engine == "duckdb" or not any(
        isinstance(f.default, SqlDefault) for m in spec.models for f in m.fields)


@engine_cases
def test_deletes_cascade_and_set_null(loaded):
    spec, rows, sample = loaded
    roots = [m for m in spec.models if cascade_children(spec, m)]
    if rows.engine == "duckdb":
        # DuckDB accepts no ON DELETE action: deleting a referenced row is refused instead.
        for root in roots:
            with expect_violation():
                rows.db.execute(f"DELETE FROM {rows.name(root.table)}")
        return
    # SET NULL: point a fresh target row's referrers at it, delete it, see NULL.
    for model in spec.models:
        for field in model.references:
            ref = field.reference
            if ref.on_delete is not OnDelete.SET_NULL or ref.target == model.name:
                continue
            target = spec.model(ref.target)
            fresh = dict(sample_rows(spec, seed=5)[target.name])
            for tfield in target.references:
                fresh[tfield.column] = sample[tfield.reference.target][
                    tfield.reference.target_column] \
                    if tfield.reference.target != target.name else None
            fresh[target.primary_key.column] = valid_value(target.primary_key, 55)
            rows.insert(target.table, fresh)
            pk, key = model.primary_key.column, sample[model.name][model.primary_key.column]
            rows.update(model.table, pk, key, field.column, fresh[ref.target_column])
            rows.db.execute(f"DELETE FROM {rows.name(target.table)} WHERE "
                            f"{rows.name(target.primary_key.column)} = {rows.db.placeholder}",
                            [fresh[target.primary_key.column]])
            assert rows.get(model.table, pk, key, field.column) is None
    for root in roots[:1]:
        blockers = [(m, f) for m in spec.models for f in m.references
                    if f.reference.target == root.name and m.name != root.name
                    and f.reference.on_delete in (OnDelete.RESTRICT, OnDelete.NO_ACTION)]
        if blockers:  # RESTRICT refuses the delete until the referencing rows are gone
            with expect_violation("foreign_key"):
                rows.db.execute(f"DELETE FROM {rows.name(root.table)}")
            for model, _field in blockers:
                rows.db.execute(f"DELETE FROM {rows.name(model.table)}")
        rows.db.execute(f"DELETE FROM {rows.name(root.table)}")
        for child, _field in cascade_children(spec, root):
            assert rows.count(child.table) == 0, f"{child.table} kept rows after delete"


def test_identifier_limits_are_checked_per_dialect(tmp_path):
    long_name = "a" * 64
    spec = tmp_path / "long.yaml"
    spec.write_text(f"version: 1\nmodels:\n  M:\n    fields:\n      id: {{type: id}}\n"
                    f"      {long_name}: {{type: int}}\n")
    from tests.support import run_cli

    result = run_cli("sql", "--spec", str(spec), "--dialect", "postgres")
    assert result.returncode == 2
    assert re.search(r":6:7: column name 'a{64}' is 64 characters long; postgres allows 63",
                     result.stderr), result.stderr
    assert run_cli("sql", "--spec", str(spec), "--dialect", "mysql").returncode == 0


# -- foreign keys are indexed ----------------------------------------------------------------


def _leading_columns(model) -> set[str]:
    return {c.columns[0] for c in (*model.uniques, *model.indexes)} | {model.key[0].column}


@pytest.mark.parametrize("spec_path", **spec_params())
def test_every_foreign_key_column_leads_an_index_or_a_key(spec_path):
    """Deleting a referenced row looks up its referrers by the foreign key column (to cascade,
    set null or refuse): without an index that leads with the column, the lookup scans the
    table (PostgreSQL creates no such index by itself)."""
    spec = load_spec(spec_path)
    for model in spec.models:
        for field in model.references:
            assert field.column in _leading_columns(model), (model.table, field.column)


def test_a_foreign_key_index_is_named_like_any_index_and_can_be_refused(tmp_path):
    spec_path = tmp_path / "fk.yaml"
    spec_path.write_text(
        "version: 1\nmodels:\n"
        "  Team:\n    fields:\n      id: {type: id}\n"
        "  Member:\n    fields:\n      id: {type: id}\n"
        "      teamId: {type: ref, to: Team}\n"
        "      mentorId: {type: ref, to: Team, nullable: true, relation: mentor,"
        " backref: mentees, index: false}\n"
        "      code: {type: string, maxLength: 8}\n"
        "      otherId: {type: ref, to: Team, relation: other, backref: others}\n"
        "    unique: [[otherId, code]]\n")
    member = load_spec(spec_path).model("Member")
    # team_id: indexed by default; mentor_id: index: false; other_id: the unique leads with it.
    assert [(i.name, i.columns) for i in member.indexes] == [
        ("member_team_id_idx", ("team_id",))]
    text = generate("sql", spec_path, tmp_path / "fk.sql", "--dialect", "postgres")
    assert 'CREATE INDEX "member_team_id_idx" ON "member"("team_id");' in text


@pytest.mark.engine
@pytest.mark.parametrize("spec_path", **spec_params())
def test_postgres_has_an_index_behind_every_foreign_key(fresh_db, spec_path, tmp_path):
    """Read from PostgreSQL's catalogue: for every foreign key, an index whose first column is
    the key's column (the query the PostgreSQL wiki gives for unindexed foreign keys)."""
    db = fresh_db("postgres")
    db.execute_script(generate("sql", spec_path, tmp_path / "schema.sql",
                               "--dialect", "postgres"))
    unindexed = db.execute(
        "SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c "
        "WHERE c.contype = 'f' AND NOT EXISTS (SELECT 1 FROM pg_index i "
        "WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])")
    assert unindexed == []


# -- descriptions reach the catalogue; one updated_at function -------------------------------

# What each engine's catalogue says about a table's and a column's comment.
CATALOGUE_COMMENTS = {
    "postgres": ("SELECT obj_description(%s::regclass, 'pg_class')",
                 "SELECT col_description(%s::regclass, (SELECT attnum FROM pg_attribute WHERE "
                 "attrelid = %s::regclass AND attname = %s))"),
    "mariadb": ("SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                "DATABASE() AND TABLE_NAME = %s",
                "SELECT COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                "DATABASE() AND TABLE_NAME = %s AND TABLE_NAME = %s AND COLUMN_NAME = %s"),
    "duckdb": ("SELECT comment FROM duckdb_tables() WHERE table_name = ?",
               "SELECT comment FROM duckdb_columns() WHERE table_name = ? AND table_name = ? "
               "AND column_name = ?"),
}


@pytest.mark.engine
@pytest.mark.parametrize("engine", list(CATALOGUE_COMMENTS))
def test_descriptions_reach_the_catalogue(fresh_db, tmp_path, engine):
    """psql's describe, information_schema and every tool reading the catalogue show the spec's
    descriptions (on one line)."""
    spec_path = ALL_SPECS[0]
    spec = load_spec(spec_path)
    db = fresh_db(engine)
    db.execute_script(generate("sql", spec_path, tmp_path / "schema.sql",
                               "--dialect", ENGINES[engine]))
    table_sql, column_sql = CATALOGUE_COMMENTS[engine]
    tested = 0
    for model in spec.models:
        table = model.table
        if engine == "postgres":
            table = f'"{table}"'
        if model.description:
            assert db.scalar(table_sql, [table]) == " ".join(model.description.split())
            tested += 1
        for field in model.fields:
            if field.description:
                found = db.scalar(column_sql, [table, table, field.column])
                assert found == " ".join(field.description.split()), (model.table, field.column)
                tested += 1
    assert tested >= 5


def test_sqlite_says_that_descriptions_stay_sql_comments(tmp_path):
    text = generate("sql", ALL_SPECS[0], tmp_path / "s.sql", "--dialect", "sqlite")
    assert "--   descriptions are not stored in the sqlite catalogue" in text


@pytest.mark.engine
@pytest.mark.parametrize("spec_path", **spec_params())
def test_postgres_updated_at_triggers_share_one_function(fresh_db, spec_path, tmp_path):
    spec = load_spec(spec_path)
    stamps = sum(len(m.updated_at_fields) for m in spec.models)
    db = fresh_db("postgres")
    text = generate("sql", spec_path, tmp_path / "schema.sql", "--dialect", "postgres")
    db.execute_script(text)
    functions = db.execute(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype")
    triggers = db.scalar("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")
    assert (len(functions), triggers) == ((1, stamps) if stamps else (0, 0))
    # A second spec's script in the same database reuses the function (OR REPLACE).
    if stamps:
        function = re.search(r"^CREATE OR REPLACE FUNCTION .*?^\$\$;$", text, re.M | re.S)
        db.execute_script(function.group(0))


# -- vendor rules of the dialects no test can execute ------------------------------------------
# Each rule is the vendor's documented grammar or limit, checked on the output of every test spec
# and of small specs that reach the limit.


def _ddl(dialect: str, spec_path, tmp_path) -> str:
    return generate("sql", spec_path, tmp_path / f"{dialect}.sql", "--dialect", dialect)


def _code(ddl: str) -> str:
    return "\n".join(line for line in ddl.splitlines() if not line.startswith("--"))


def _spec(tmp_path, fields: str, extra: str = "") -> object:
    path = tmp_path / "limits.yaml"
    path.write_text("version: 1\nmodels:\n  Parent: {fields: {id: {type: id}}}\n  A:\n"
                    f"    fields:\n      id: {{type: id}}\n{fields}{extra}")
    return path


def _columns(ddl: str) -> dict[str, str]:
    """Column name -> its definition line (quoted "x" or [x])."""
    result = {}
    for line in ddl.splitlines():
        match = re.match(r'\s+["\[]([^"\]]+)["\]] (.*?),?$', line)
        if match and not line.lstrip().startswith("CONSTRAINT"):
            result[match.group(1)] = match.group(2)
    return result


@pytest.mark.parametrize("spec_path", **spec_params())
def test_oracle_grammar(spec_path, tmp_path):
    """Oracle SQL Language Reference, CREATE TABLE: references_clause takes ON DELETE CASCADE
    or SET NULL only; column_definition puts DEFAULT before the inline constraints (NOT NULL);
    BOOLEAN is a column type only from 23ai; VARCHAR2 holds at most 4000 bytes (standard
    MAX_STRING_SIZE)."""
    ddl = _code(_ddl("oracle", spec_path, tmp_path))
    spec = load_spec(spec_path)
    for action in re.findall(r"ON DELETE ([A-Z]+(?: [A-Z]+)?)", ddl):
        assert action in ("CASCADE", "SET NULL"), action
    for line in ddl.splitlines():
        if " DEFAULT " in line and "NOT NULL" in line:
            assert line.index(" DEFAULT ") < line.index("NOT NULL"), line
    assert "BOOLEAN" not in ddl
    for size in re.findall(r"VARCHAR2\((\d+)", ddl):
        assert int(size) <= 4000
    columns = _columns(ddl)
    for model in spec.models:
        for f in model.fields:
            if f.type is FieldType.BOOL:
                assert columns[f.column].startswith("NUMBER(1)"), columns[f.column]
                assert re.search(rf'CHECK \("{f.column}" IN \(0, 1\)\)', ddl), f.column
            if f.type in (FieldType.STRING, FieldType.ENUM):  # sizes in characters
                # CHAR [(size [BYTE | CHAR])]: a fixed-length one (`length: n`, README)
                kind = "CHAR" if f.fixed_length else "VARCHAR2"
                assert columns[f.column].startswith(f"{kind}({f.max_length} CHAR)")
            if f.type is FieldType.BOOL and f.default is not None:
                assert f"DEFAULT {int(f.default)}" in columns[f.column]


def test_oracle_restrict_and_no_action_omit_the_clause(tmp_path):
    spec = _spec(tmp_path, "      p: {type: ref, to: Parent, onDelete: restrict}\n"
                           "      q: {type: ref, to: Parent, onDelete: noAction}\n")
    ddl = _ddl("oracle", spec, tmp_path)
    assert '"a_p_fkey" FOREIGN KEY ("p") REFERENCES "parent" ("id"),\n' in ddl
    assert '"a_q_fkey" FOREIGN KEY ("q") REFERENCES "parent" ("id")\n' in ddl
    assert "Not expressed" not in ddl  # omitted, a referenced row cannot be deleted: the rule


def test_oracle_limits_long_strings_and_keys(tmp_path):
    """Over 4000 bytes a string is a CLOB, which no unique key or index may hold (ORA-02329),
    said in the header; an index on an already indexed column list is refused (ORA-01408); a
    composite unique key with a nullable column must let rows with a NULL in, as elsewhere."""
    spec = _spec(tmp_path, "      long: {type: string, maxLength: 5000, unique: true}\n"
                           "      code: {type: string, maxLength: 10, unique: true, index: true}\n"
                           "      kind: {type: string, maxLength: 10, nullable: true}\n"
                           "      name: {type: string, maxLength: 10}\n",
                 "    unique: [[kind, name]]\n    indexes: [[long]]\n")
    ddl = _ddl("oracle", spec, tmp_path)
    columns = _columns(ddl)
    assert columns["long"].startswith("CLOB")
    header = ddl.split("\n\n")[0]
    assert "long (maxLength 5000) is a CLOB" in header
    assert "a_long_key" in header and "a_long_key\" UNIQUE" not in ddl
    assert "a_long_idx" in header and 'INDEX "a_long_idx"' not in ddl
    assert 'INDEX "a_code_idx"' not in ddl  # a_code_key's index serves it
    assert 'CONSTRAINT "a_kind_name_key" UNIQUE' not in ddl
    assert re.search(r'CREATE UNIQUE INDEX "a_kind_name_key" ON "a"\(CASE WHEN .*"kind" IS NOT '
                     r'NULL.* THEN "kind" END, CASE WHEN .* THEN "name" END\)', ddl)


def _cascades(ddl: str) -> list[tuple[str, str]]:
    """(parent, child) for every foreign key with a cascading action, from SQL Server DDL."""
    edges = []
    for table, body in re.findall(r"CREATE TABLE \[([^\]]+)\] \((.*?)\n\);", ddl, re.S):
        for parent, action in re.findall(r"REFERENCES \[([^\]]+)\] \(\[[^\]]+\]\)"
                                         r"(?: ON DELETE (CASCADE|SET NULL|SET DEFAULT|"
                                         r"NO ACTION|RESTRICT))?", body):
            if action in ("CASCADE", "SET NULL", "SET DEFAULT"):
                edges.append((parent, table))
    return edges


@pytest.mark.parametrize("spec_path", **spec_params())
def test_sql_server_one_cascade_path(spec_path, tmp_path):
    """SQL Server (error 1785): a table may be reached from another by only one path of
    cascading referential actions, and from itself by none. What is weakened is named in the
    header."""
    ddl = _ddl("tsql", spec_path, tmp_path)
    edges = _cascades(ddl)
    assert all(parent != child for parent, child in edges)

    def paths(start: str, end: str) -> int:
        return sum(1 if child == end else paths(child, end)
                   for parent, child in edges if parent == start)

    tables = {t for edge in edges for t in edge}
    for start in tables:
        for end in tables:
            assert paths(start, end) <= 1, (start, end)
    spec = load_spec(spec_path)
    declared = [(m.table, f.reference) for m in spec.models for f in m.references
                if f.reference.on_delete in (OnDelete.CASCADE, OnDelete.SET_NULL)]
    for table, ref in declared:
        if (ref.target_table, table) in edges:
            continue
        assert re.search(rf"--   {ref.constraint} is NO ACTION, not ON DELETE "
                         rf"{ref.on_delete.sql}: .*error 1785", ddl), ref.constraint


def test_sql_server_shop_weakens_exactly_the_second_paths(tmp_path):
    ddl = _ddl("tsql", ALL_SPECS[[p.stem for p in ALL_SPECS].index("shop")], tmp_path)
    weakened = re.findall(r"--   (\w+) is NO ACTION, not ON DELETE", ddl)
    # group.parent_id cascades to its own table; order has two cascading keys to user.
    assert sorted(weakened) == ["group_parent_id_fkey", "order_reviewer_id_fkey"]


@pytest.mark.parametrize("spec_path", **spec_params())
def test_sql_server_strings_are_unicode(spec_path, tmp_path):
    """VARCHAR holds only the column collation's code page: text is NVARCHAR, literals N'..';
    NVARCHAR(n) takes n <= 4000. default: now is SYSDATETIMEOFFSET() (GETDATE() is local time
    with no offset, wrong for DATETIMEOFFSET)."""
    ddl = _ddl("tsql", spec_path, tmp_path)
    columns = _columns(ddl)
    spec = load_spec(spec_path)
    for model in spec.models:
        for f in model.fields:
            if f.type in (FieldType.STRING, FieldType.ENUM, FieldType.TEXT):
                # NCHAR(n): the fixed-length Unicode type (`length: n`, README)
                kind = "NCHAR(" if f.fixed_length else "NVARCHAR("
                assert columns[f.column].startswith(kind), (f.column, columns[f.column])
    literals = list(re.finditer(r"(N?)'(?:[^']|'')*'", _code(ddl)))
    assert all(m.group(1) == "N" for m in literals), \
        [m.group(0) for m in literals if not m.group(1)]
    for definition in columns.values():
        if definition.startswith("DATETIMEOFFSET") and "DEFAULT" in definition:
            assert definition.endswith("DEFAULT SYSDATETIMEOFFSET()"), definition
    for size in re.findall(r"NVARCHAR\((\d+)\)", ddl):
        assert int(size) <= 4000


def test_sql_server_unique_keys_let_many_nulls_in(tmp_path):
    """A SQL Server UNIQUE constraint admits one NULL; PostgreSQL, MySQL and SQLite any number.
    A unique key with a nullable column is a unique index filtered on IS NOT NULL. An
    NVARCHAR(MAX) cannot be an index key column."""
    spec = _spec(tmp_path, "      nick: {type: string, maxLength: 40, nullable: true, "
                           "unique: true}\n"
                           "      kind: {type: string, maxLength: 10, nullable: true}\n"
                           "      name: {type: string, maxLength: 10}\n"
                           "      long: {type: string, maxLength: 5000, unique: true}\n",
                 "    unique: [[kind, name]]\n")
    ddl = _ddl("tsql", spec, tmp_path)
    assert "CONSTRAINT [a_nick_key]" not in ddl and "CONSTRAINT [a_kind_name_key]" not in ddl
    assert "CREATE UNIQUE INDEX [a_nick_key] ON [a]([nick]) WHERE [nick] IS NOT NULL;" in ddl
    assert ("CREATE UNIQUE INDEX [a_kind_name_key] ON [a]([kind], [name]) "
            "WHERE [kind] IS NOT NULL;") in ddl
    assert _columns(ddl)["long"].startswith("NVARCHAR(MAX)")
    assert "a_long_key" not in _code(ddl)
    assert "a_long_key is not created: NVARCHAR(MAX)" in ddl


@pytest.mark.parametrize("spec_path", **spec_params())
def test_bigquery_keys(spec_path, tmp_path):
    """GoogleSQL DDL, primary and foreign keys: declared NOT ENFORCED, the primary key unnamed,
    no foreign key to its own table."""
    ddl = _code(_ddl("bigquery", spec_path, tmp_path))
    spec = load_spec(spec_path)
    for model in spec.models:
        body = re.search(rf"CREATE TABLE `{model.table}` \((.*?)\n\);", ddl, re.S).group(1)
        assert re.search(r"\n  PRIMARY KEY \(`[^`]+`(, `[^`]+`)*\) NOT ENFORCED", body), \
            model.table
        assert "CONSTRAINT `" + model.pk_constraint not in body
        for parent in re.findall(r"REFERENCES `([^`]+)` \(`[^`]+`\) NOT ENFORCED", body):
            assert parent != model.table
        assert body.count("FOREIGN KEY") == body.count(") NOT ENFORCED") - 1
