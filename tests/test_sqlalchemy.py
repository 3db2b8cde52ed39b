"""The sqlalchemy emitter: snapshots, ruff + mypy --strict on the output, and the generated
module driven through the ORM on SQLite, PostgreSQL and MariaDB for every spec."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import MANYTOONE, Session
from vigilo_gen.spec import load_spec

from tests.engines import expect_violation
from tests.orm_scenario import (
    ENGINES,
    import_generated,
    is_enum_member,
    plan_for,
    same,
    utc_naive,
)
from tests.sample_values import cascade_children, with_fresh_key
from tests.support import ALL_SPECS, SPEC_IDS, generate, require_executable, spec_params


@pytest.mark.parametrize("spec_path", **spec_params())
def test_snapshot(spec_path, tmp_path, snapshot):
    assert generate("sqlalchemy", spec_path, tmp_path / "models.py") == snapshot


def test_output_passes_ruff_and_mypy_strict(tmp_path):
    from tests.test_peewee import INTEGER_KEYS_SPEC

    files = [tmp_path / f"{name}_models.py" for name in SPEC_IDS]
    for spec_path, path in zip(ALL_SPECS, files, strict=True):
        generate("sqlalchemy", spec_path, path)
    # Every test spec has an id field (uuid4 keys): one without any imports no uuid helper.
    (tmp_path / "integer_keys.yaml").write_text(INTEGER_KEYS_SPEC)
    files.append(tmp_path / "integer_keys_models.py")
    generate("sqlalchemy", tmp_path / "integer_keys.yaml", files[-1])
    names = [str(f) for f in files]
    ruff = require_executable("ruff")
    for command in ([ruff, "check", "--isolated", "--target-version", "py310", *names],
                    [ruff, "format", "--isolated", "--check", *names]):
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                             *names], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def orm(request, fresh_db, tmp_path):
    """(spec, generated module, SQLAlchemy engine) on a fresh database with the tables."""
    spec_path, engine_name = request.param
    path = tmp_path / "models.py"
    generate("sqlalchemy", spec_path, path)
    module = import_generated(path)
    engine = fresh_db(engine_name).sqlalchemy_engine()
    module.Base.metadata.create_all(engine)
    return load_spec(spec_path), module, engine, engine_name


ORM_PARAMS = [(s, e) for s in ALL_SPECS for e in ENGINES]
ORM_IDS = [f"{s.stem}-{e}" for s in ALL_SPECS for e in ENGINES]


def _attrs(cls) -> dict[str, str]:
    """Column name -> mapped attribute name (a column may be mapped as e.g. ``from_``)."""
    return {column.name: key for key, column in sa.inspect(cls).columns.items()}


@pytest.mark.engine
@pytest.mark.parametrize("orm", ORM_PARAMS, ids=ORM_IDS, indirect=True)
def test_orm_round_trip(orm):
    spec, module, engine, engine_name = orm
    plan = plan_for(spec)
    classes = {m.name: getattr(module, m.name) for m in spec.models}
    attrs = {name: _attrs(cls) for name, cls in classes.items()}

    def insert_all() -> None:
        with Session(engine) as session:
            for model in spec.models:
                row = plan.rows[model.name]
                session.add(classes[model.name](**{attrs[model.name][c]: v
                                                   for c, v in row.items()}))
                session.flush()
            session.commit()

    # Insert one row per model (parents first), then read everything back.
    insert_all()
    with Session(engine) as session:
        for model in spec.models:
            obj = session.get(classes[model.name], plan.pk(model))
            assert obj is not None
            for field in model.fields:
                value = getattr(obj, attrs[model.name][field.column])
                if field.column in plan.rows[model.name]:
                    assert same(field, plan.rows[model.name][field.column], value), field.name
                else:  # a server default (now)
                    assert value is not None, field.name
                assert is_enum_member(field, value), (field.name, value)
            for rel in sa.inspect(classes[model.name]).relationships:  # both ways
                loaded = getattr(obj, rel.key)
                keys = [getattr(obj, attrs[model.name][c.name]) for c in rel.local_columns]
                if rel.direction is MANYTOONE and None not in keys:
                    assert loaded is not None, rel.key

    # Updating a row through the ORM moves its updated_at.
    for model, field, new in plan.updatable():
        cls, stamp = classes[model.name], model.updated_at_fields[0]
        with Session(engine) as session:
            obj = session.get(cls, plan.pk(model))
            before = getattr(obj, attrs[model.name][stamp.column])
            setattr(obj, attrs[model.name][field.column], new)
            session.commit()
        with Session(engine) as session:
            obj = session.get(cls, plan.pk(model))
            assert same(field, new, getattr(obj, attrs[model.name][field.column]))
            after = getattr(obj, attrs[model.name][stamp.column])
            assert utc_naive(after) > utc_naive(before), (before, after)

    # A duplicate of a unique key is refused.
    found = plan.unique_to_violate()
    assert found is not None, "spec without a unique to violate"
    model, unique = found
    row = with_fresh_key(model, plan.rows[model.name])
    with Session(engine) as session:
        session.add(classes[model.name](**{attrs[model.name][c]: v for c, v in row.items()}))
        with expect_violation("unique"):
            session.flush()

    # Every CHECK refuses a value that only it can refuse.
    checked = plan.check_violations(engine_name)
    assert checked, "spec without a check to violate"
    for model, field, _kind, value in checked:
        with Session(engine) as session:
            obj = session.get(classes[model.name], plan.pk(model))
            setattr(obj, attrs[model.name][field.column], value)
            with expect_violation("check"):
                session.flush()

    # Deleting the root row through the ORM removes every cascaded child row, and a
    # database-side DELETE (no ORM cascade) does the same: the two agree.
    root = plan.root()
    if root is None:  # no relation has a foreign key: nothing cascades
        return
    children = cascade_children(spec, root)
    for how in ("orm", "database"):
        with Session(engine) as session:
            for blocker in plan.blockers(root):  # RESTRICT: their rows must go first
                for obj in session.scalars(sa.select(classes[blocker.name])):
                    session.delete(obj)
            session.flush()
            root_cls = classes[root.name]
            if how == "orm":
                session.delete(session.get(root_cls, plan.pk(root)))
            else:
                pk = getattr(root_cls, attrs[root.name][root.primary_key.column])
                session.execute(sa.delete(root_cls).where(pk == plan.pk(root)))
            session.commit()
        with Session(engine) as session:
            assert session.get(classes[root.name], plan.pk(root)) is None
            for child, _field in children:
                count = session.scalar(sa.select(sa.func.count())
                                       .select_from(classes[child.name]))
                assert count == 0, f"{how}: {child.name} rows survive"
        if how == "orm":
            _clear(engine, spec, classes)
            insert_all()


def _clear(engine, spec, classes) -> None:
    with Session(engine) as session:
        for model in reversed(spec.models):
            session.execute(sa.delete(classes[model.name]))
        session.commit()


@pytest.mark.engine
@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_teams_own_table_gets_the_spec_constraint_names(fresh_db, tmp_path, engine_name):
    """README ("names"): every target names constraints {table}_pkey, {table}_{cols}_key,
    {table}_{cols}_idx and {table}_{col}_fkey. A table a team adds on the module's Base,
    with constraints it leaves unnamed, gets names by the same rule (MySQL calls every
    primary key PRIMARY)."""
    spec_path = ALL_SPECS[0]
    path = tmp_path / "models.py"
    generate("sqlalchemy", spec_path, path)
    module = import_generated(path)
    parent = load_spec(spec_path).models[0]
    target = f"{parent.table}.{parent.primary_key.column}"

    class TeamNote(module.Base):
        __tablename__ = "team_note"
        __table_args__ = (sa.UniqueConstraint("parent_id", "slug"),)
        id: sa.orm.Mapped[int] = sa.orm.mapped_column(primary_key=True)
        parent_id = sa.orm.mapped_column(sa.ForeignKey(target), index=True)
        slug: sa.orm.Mapped[str] = sa.orm.mapped_column(sa.String(20), unique=True)

    engine = fresh_db(engine_name).sqlalchemy_engine()
    module.Base.metadata.create_all(engine)
    inspector = sa.inspect(engine)
    if engine_name != "mariadb":
        assert inspector.get_pk_constraint("team_note")["name"] == "team_note_pkey"
    assert [fk["name"] for fk in inspector.get_foreign_keys("team_note")] == [
        "team_note_parent_id_fkey"]
    assert {u["name"] for u in inspector.get_unique_constraints("team_note")} == {
        "team_note_slug_key", "team_note_parent_id_slug_key"}
    assert "team_note_parent_id_idx" in {i["name"] for i in inspector.get_indexes("team_note")}


NOW_PRECISIONS_SPEC = """\
version: 1
models:
  Log:
    fields:
      id: {type: id}
      at0: {type: datetime, precision: 0, default: now}
      at3: {type: datetime, default: now}
      at6: {type: datetime, precision: 6, default: now}
      day: {type: date, default: now}
"""


def test_a_default_now_has_its_columns_precision_on_mysql(tmp_path):
    """README, datetime precision: MySQL/MariaDB's DATETIME(p) refuses a default of another
    precision, so `default: now` is CURRENT_TIMESTAMP(p) there; the SQLAlchemy models create
    the column as our SQL file does, for every precision."""
    from sqlalchemy.dialects import mysql
    from sqlalchemy.schema import CreateTable

    spec = tmp_path / "now.yaml"
    spec.write_text(NOW_PRECISIONS_SPEC, encoding="utf-8")
    generate("sqlalchemy", spec, tmp_path / "now_models.py")
    module = import_generated(tmp_path / "now_models.py")
    ddl = str(CreateTable(module.Base.metadata.tables["log"]).compile(dialect=mysql.dialect()))
    import re

    for column, precision in (("at0", 0), ("at3", 3), ("at6", 6)):
        # DATETIME is DATETIME(0) on MySQL, which SQLAlchemy writes without the (0)
        declared = rf"{column} DATETIME(\({precision}\))? NOT NULL "
        assert re.search(declared + rf"DEFAULT CURRENT_TIMESTAMP\({precision}\)", ddl), ddl


def test_identity_keys_are_written_as_the_readme_shows(tmp_path):
    """README, `default: autoincrement` in SQLAlchemy: `mapped_column(Integer, Identity(),
    primary_key=True)`, a bigint key `BigInteger().with_variant(Integer(), "sqlite")` (SQLite
    generates only an INTEGER key)."""
    from tests.test_peewee import INTEGER_KEYS_SPEC

    spec = tmp_path / "integer_keys.yaml"
    spec.write_text(INTEGER_KEYS_SPEC, encoding="utf-8")
    text = generate("sqlalchemy", spec, tmp_path / "models.py")
    assert "id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)" in text
    assert 'BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True' in text
    assert text.count(".with_variant(Integer()") == 1, text
