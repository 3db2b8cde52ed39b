"""The peewee emitter: snapshots, ruff on the output, and the generated module driven through
Peewee on SQLite, PostgreSQL and MariaDB for every spec."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator

import peewee
import pytest
from vigilo_gen.spec import load_spec

from tests.engines import constraint_violation_kind
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
    assert generate("peewee", spec_path, tmp_path / "models.py") == snapshot


# No uuid anywhere (integer keys only): the module imports only what it uses.
INTEGER_KEYS_SPEC = """\
version: 1
models:
  Branch:
    fields:
      id: {type: int, primaryKey: true, default: autoincrement}
      name: {type: string, maxLength: 40}
  Loan:
    fields:
      id: {type: bigint, primaryKey: true, default: autoincrement}
      branchId: {type: ref, to: Branch}
"""


def test_output_passes_ruff(tmp_path):
    files = [tmp_path / f"{name}_models.py" for name in SPEC_IDS]
    for spec_path, path in zip(ALL_SPECS, files, strict=True):
        generate("peewee", spec_path, path)
    (tmp_path / "integer_keys.yaml").write_text(INTEGER_KEYS_SPEC)
    files.append(tmp_path / "integer_keys_models.py")
    generate("peewee", tmp_path / "integer_keys.yaml", files[-1])
    names = [str(f) for f in files]
    ruff = require_executable("ruff")
    for command in ([ruff, "check", "--isolated", "--target-version", "py310", *names],
                    [ruff, "format", "--isolated", "--check", *names]):
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


@contextlib.contextmanager
def expect_violation(kind: str) -> Iterator[None]:
    """Like tests.engines.expect_violation, looking through Peewee's wrapped exceptions."""
    try:
        yield
    except peewee.DatabaseError as exc:
        driver_error = exc.__context__ or exc
        got = constraint_violation_kind(driver_error)
        assert got == kind, f"expected a {kind} violation, got {got}: {exc}"
        return
    raise AssertionError(f"expected a {kind} violation, but the statement succeeded")


def _peewee_database(db) -> peewee.Database:
    if db.engine_name == "sqlite":
        return peewee.SqliteDatabase(str(db.path), pragmas={"foreign_keys": 1})
    params = {"host": db.host, "port": db.port, "user": db.user, "password": db.password}
    if db.engine_name == "postgres":
        return peewee.PostgresqlDatabase(db.database, **params)
    return peewee.MySQLDatabase(db.database, charset="utf8mb4", **params)


ORM_PARAMS = [(s, e) for s in ALL_SPECS for e in ENGINES]
ORM_IDS = [f"{s.stem}-{e}" for s in ALL_SPECS for e in ENGINES]


@pytest.fixture
def orm(request, fresh_db, tmp_path):
    """(spec, generated module, engine name) with the tables created on a fresh database."""
    spec_path, engine_name = request.param
    path = tmp_path / "models.py"
    generate("peewee", spec_path, path)
    module = import_generated(path)
    database = _peewee_database(fresh_db(engine_name))
    module.database.initialize(database)
    database.create_tables(module.MODELS)
    yield load_spec(spec_path), module, engine_name
    database.close()


@pytest.mark.engine
@pytest.mark.parametrize("orm", ORM_PARAMS, ids=ORM_IDS, indirect=True)
def test_orm_round_trip(orm):
    spec, module, engine_name = orm
    database = module.database
    plan = plan_for(spec)
    classes = {m.name: getattr(module, m.name) for m in spec.models}
    # column name -> Peewee field name (a foreign key's field is its relation: "instance").
    names = {m.name: {c: f.name for c, f in classes[m.name]._meta.columns.items()}
             for m in spec.models}

    def values(model, row):
        return {names[model.name][c]: v for c, v in row.items()}

    def stored(obj, model, column):
        return obj.__data__.get(names[model.name][column])

    def insert_all(plain_save: bool = False) -> None:
        with database.atomic():
            for model in spec.models:
                row = plan.rows[model.name]
                if plain_save:  # README of the module: save() of a new row inserts it
                    obj = classes[model.name](**values(model, row))
                    assert obj.save() == 1, model.name
                else:
                    obj = classes[model.name].create(**values(model, row))
                # What the database's DEFAULTs filled in is on the object, as read back.
                for field in model.fields:
                    if field.column not in row and field.default is not None:
                        assert stored(obj, model, field.column) is not None, field.name

    # Insert one row per model (parents first) with plain save()s, then read everything back.
    insert_all(plain_save=True)
    for model in spec.models:
        obj = classes[model.name].get_by_id(plan.pk(model))
        for field in model.fields:
            value = stored(obj, model, field.column)
            if field.column in plan.rows[model.name]:
                assert same(field, plan.rows[model.name][field.column], value), field.name
            else:  # a server default (now)
                assert value is not None, field.name
            assert is_enum_member(field, value), (field.name, value)
        for field in model.references:  # the relation resolves to the parent row
            if plan.rows[model.name][field.column] is not None:
                assert getattr(obj, names[model.name][field.column]) is not None

    # save() of an update moves updated_at.
    for model, field, new in plan.updatable():
        cls, stamp = classes[model.name], model.updated_at_fields[0]
        obj = cls.get_by_id(plan.pk(model))
        before = stored(obj, model, stamp.column)
        setattr(obj, names[model.name][field.column], new)
        obj.save()
        obj = cls.get_by_id(plan.pk(model))
        assert same(field, new, stored(obj, model, field.column))
        after = stored(obj, model, stamp.column)
        assert utc_naive(after) > utc_naive(before), (before, after)
        # An UPDATE query moves it too (the module's docstring says every update does).
        old_value = plan.rows[model.name][field.column]
        key = cls._meta.primary_key
        time.sleep(0.01)  # the column keeps milliseconds
        assert cls.update({names[model.name][field.column]: old_value}).where(
            key == plan.pk(model)).execute() == 1
        later = stored(cls.get_by_id(plan.pk(model)), model, stamp.column)
        assert utc_naive(later) > utc_naive(after), (after, later)

    # A duplicate of a unique key is refused.
    found = plan.unique_to_violate()
    assert found is not None, "spec without a unique to violate"
    model, _unique = found
    row = with_fresh_key(model, plan.rows[model.name])
    with expect_violation("unique"), database.atomic():
        classes[model.name].create(**values(model, row))

    # Every CHECK refuses a value that only it can refuse.
    checked = plan.check_violations(engine_name)
    assert checked, "spec without a check to violate"
    for model, field, _kind, value in checked:
        if field.primary_key:
            continue  # Peewee's save() finds the row by its key: a new key updates no row
        obj = classes[model.name].get_by_id(plan.pk(model))
        setattr(obj, names[model.name][field.column], value)
        with expect_violation("check"), database.atomic():
            obj.save()

    # delete_instance() of the root row: the database removes every cascaded child row.
    root = plan.root()
    if root is None:  # no relation has a foreign key: nothing cascades
        return
    for blocker in plan.blockers(root):  # RESTRICT: their rows must go first
        classes[blocker.name].delete().execute()
    classes[root.name].get_by_id(plan.pk(root)).delete_instance()
    assert classes[root.name].get_or_none(
        classes[root.name]._meta.primary_key == plan.pk(root)) is None
    for child, _field in cascade_children(spec, root):
        assert classes[child.name].select().count() == 0, f"{child.name} rows survive"

    # create() inserts as well, and returns the row with what its DEFAULTs filled in.
    for model in reversed(spec.models):
        classes[model.name].delete().execute()
    insert_all()
