"""tests/specs/hostile.yaml says exactly what it says in every target: its string defaults
(quotes, backslashes, ``--``, ``;``, ``*/``, ``${``, backticks, newlines, non-ASCII) come back
byte for byte from every engine, every ORM and the API documents. (Its snapshots, engine rules,
type checks and tool runs are the emitters' own tests, through tests/support.ALL_SPECS.)"""

from __future__ import annotations

import json

import pytest
from vigilo_gen.model import NOW, FieldType
from vigilo_gen.spec import load_spec

from tests.orm_scenario import import_generated
from tests.sample_values import valid_value
from tests.support import ROOT, generate

HOSTILE = ROOT / "tests" / "specs" / "hostile.yaml"
SPEC = load_spec(HOSTILE)
ENGINES = {"postgres": "postgres", "mariadb": "mysql", "sqlite": "sqlite", "duckdb": "duckdb"}
QUOTE = {"postgres": '"', "mariadb": "`", "sqlite": '"', "duckdb": '"'}
TEXT_DEFAULTS = [(m, f) for m in SPEC.models for f in m.fields
                 if isinstance(f.default, str) and f.type is not FieldType.ENUM]


def test_the_spec_is_hostile_enough():
    texts = "".join(f.default for _m, f in TEXT_DEFAULTS)
    for piece in ("'", '"', "\\", "--", ";", "*/", "${", "`", "\n", "ö"):
        assert piece in texts, piece


def _parents(model):
    """Column values for the required references of ``model`` (rows inserted by the caller)."""
    return {f.column: f.reference.target for f in model.fields
            if f.reference is not None and not f.nullable}


@pytest.mark.engine
@pytest.mark.parametrize("engine", ENGINES)
def test_sql_defaults_come_back_exactly(engine, fresh_db, tmp_path):
    db = fresh_db(engine)
    db.execute_script(generate("sql", HOSTILE, tmp_path / "schema.sql",
                               "--dialect", ENGINES[engine]))
    q, p = QUOTE[engine], db.placeholder
    keys = {}
    for model in SPEC.models:  # parents first: one row each with only the required columns
        pk = model.primary_key
        row = {pk.column: valid_value(pk, len(keys))}
        for column, target in _parents(model).items():
            row[column] = keys[target]
        for f in model.fields:
            if not f.nullable and f.default is None and f.column not in row:
                row[f.column] = valid_value(f, 0)
        columns = ", ".join(f"{q}{c}{q}" for c in row)
        db.execute(f"INSERT INTO {q}{model.table}{q} ({columns}) VALUES "
                   f"({', '.join([p] * len(row))})", list(row.values()))
        keys[model.name] = row[pk.column]
    for model, field in TEXT_DEFAULTS:
        stored = db.scalar(f"SELECT {q}{field.column}{q} FROM {q}{model.table}{q}")
        assert stored == field.default, (engine, model.name, field.name)


def test_python_orm_defaults_are_exact(tmp_path):
    """The client-side defaults of the SQLAlchemy and Peewee models, and the rows they write."""
    import peewee
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    alchemy = import_generated(generate("sqlalchemy", HOSTILE, tmp_path / "a.py") and
                               tmp_path / "a.py")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    alchemy.Base.metadata.create_all(engine)
    pee = import_generated(generate("peewee", HOSTILE, tmp_path / "p.py") and tmp_path / "p.py")
    database = peewee.SqliteDatabase(str(tmp_path / "p.db"))
    pee.database.initialize(database)
    database.create_tables(pee.MODELS)
    for model, field in TEXT_DEFAULTS:
        column = getattr(alchemy, model.name).__table__.c[field.column]
        assert column.default.arg == field.default
        peewee_field = getattr(pee, model.name)._meta.columns[field.column]
        assert peewee_field.default == field.default
    # Rows written through each ORM, every default left to it, read back with plain SQL.
    with Session(engine) as session:
        objects = {}
        for model in SPEC.models:
            cls = getattr(alchemy, model.name)
            values = {}
            for f in model.fields:
                if f.reference is not None and not f.nullable:
                    values[sa.inspect(cls).get_property_by_column(
                        cls.__table__.c[f.column]).key] = objects[f.reference.target].id
            objects[model.name] = cls(**values)
            session.add(objects[model.name])
            session.flush()
        session.commit()
    with database.atomic():
        rows = {}
        for model in SPEC.models:
            cls = getattr(pee, model.name)
            values = {}
            for f in model.fields:
                if f.reference is not None and not f.nullable:
                    values[cls._meta.columns[f.column].name] = rows[f.reference.target]
            rows[model.name] = cls.create(**values)
    with engine.connect() as connection:
        for model, field in TEXT_DEFAULTS:
            sql = sa.text(f'SELECT "{field.column}" FROM "{model.table}"')
            assert connection.execute(sql).scalar_one() == field.default
            assert database.execute_sql(
                f'SELECT "{field.column}" FROM "{model.table}"').fetchone()[0] == field.default
    engine.dispose()
    database.close()


def test_api_documents_carry_the_exact_text(tmp_path):
    document = json.loads(generate("openapi", HOSTILE, tmp_path / "openapi.json"))
    assert document["info"]["title"] == SPEC.title
    assert document["info"]["description"] == SPEC.description
    operations = {op["operationId"]: op for path in document["paths"].values()
                  for op in path.values() if isinstance(op, dict) and "operationId" in op}
    for endpoint in SPEC.api.endpoints:
        if endpoint.summary:
            assert operations[endpoint.name]["summary"] == endpoint.summary
    schema = document["components"]["schemas"]["Hostile"]
    where = SPEC.model("Where")
    for name, prop in schema["properties"].items():
        field = where.field(name)
        if field.default is not None and field.default is not NOW:
            assert prop.get("default", field.default) == field.default, name
        if field.pattern:
            assert prop["pattern"] == field.pattern

    models = import_generated(generate("pydantic", HOSTILE, tmp_path / "api.py") and
                              tmp_path / "api.py")
    hostile = models.Hostile
    for name, info in hostile.model_fields.items():
        field = where.field(info.alias or name)
        if field.pattern:
            assert info.metadata and any(getattr(m, "pattern", None) == field.pattern
                                         for m in info.metadata), name
