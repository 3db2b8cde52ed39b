"""The behavioural cross-check: rows written through one ORM are read back through another.

The writer ORM creates the tables and inserts one row per model (parents first) letting its own
code generate every id and default; the reader ORM reads each row back by that id and must see
the same values; then the writer updates a row and the reader must see the new value and an
``updated_at`` the writer moved forward. Spec-driven: rows come from tests/sample_values.py.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from vigilo_gen.model import NOW, Model, Spec

from tests.conformance.build import peewee_database
from tests.orm_scenario import import_generated, plan_for, same, utc_naive
from tests.support import generate


class SqlAlchemyOrm:
    name = "sqlalchemy"

    def __init__(self, spec_path: Path, db, work: Path) -> None:
        import sqlalchemy as sa

        path = work / "cross_sqlalchemy.py"
        generate("sqlalchemy", spec_path, path)
        self.module = import_generated(path)
        self.engine = db.sqlalchemy_engine()
        self.attrs = {}
        for cls in self.module.Base.__subclasses__():
            self.attrs[cls.__name__] = {c.name: k for k, c in sa.inspect(cls).columns.items()}

    def create_tables(self) -> None:
        self.module.Base.metadata.create_all(self.engine)

    def insert(self, model: Model, row: dict[str, Any]) -> Any:
        from sqlalchemy.orm import Session

        cls, attrs = getattr(self.module, model.name), self.attrs[model.name]
        with Session(self.engine) as session:
            obj = cls(**{attrs[c]: v for c, v in row.items()})
            session.add(obj)
            session.commit()
            return getattr(obj, attrs[model.primary_key.column])

    def read(self, model: Model, pk: Any) -> dict[str, Any]:
        from sqlalchemy.orm import Session

        cls, attrs = getattr(self.module, model.name), self.attrs[model.name]
        with Session(self.engine) as session:
            obj = session.get(cls, pk)
            assert obj is not None, f"sqlalchemy cannot find {model.name} {pk!r}"
            return {f.column: getattr(obj, attrs[f.column]) for f in model.fields}

    def update(self, model: Model, pk: Any, column: str, value: Any) -> None:
        from sqlalchemy.orm import Session

        cls, attrs = getattr(self.module, model.name), self.attrs[model.name]
        with Session(self.engine) as session:
            setattr(session.get(cls, pk), attrs[column], value)
            session.commit()

    def close(self) -> None:
        self.engine.dispose()


class PeeweeOrm:
    name = "peewee"

    def __init__(self, spec_path: Path, db, work: Path) -> None:
        path = work / "cross_peewee.py"
        generate("peewee", spec_path, path)
        self.module = import_generated(path)
        self.database = peewee_database(db)
        self.module.database.initialize(self.database)
        self.names = {cls.__name__: {c: f.name for c, f in cls._meta.columns.items()}
                      for cls in self.module.MODELS}

    def create_tables(self) -> None:
        self.database.create_tables(self.module.MODELS)

    def insert(self, model: Model, row: dict[str, Any]) -> Any:
        names = self.names[model.name]
        obj = getattr(self.module, model.name).create(**{names[c]: v for c, v in row.items()})
        return obj.__data__[names[model.primary_key.column]]

    def read(self, model: Model, pk: Any) -> dict[str, Any]:
        obj = getattr(self.module, model.name).get_by_id(pk)
        return {f.column: obj.__data__.get(self.names[model.name][f.column])
                for f in model.fields}

    def update(self, model: Model, pk: Any, column: str, value: Any) -> None:
        obj = getattr(self.module, model.name).get_by_id(pk)
        setattr(obj, self.names[model.name][column], value)
        obj.save()

    def close(self) -> None:
        self.database.close()


ORMS = {"sqlalchemy": SqlAlchemyOrm, "peewee": PeeweeOrm}
PAIRS = (("sqlalchemy", "peewee"), ("peewee", "sqlalchemy"))


def _uuid4_problem(pk: Any, given: Any) -> str | None:
    try:
        generated = uuid.UUID(str(pk))
    except ValueError:
        generated = None
    if generated is None or generated.version != 4 or str(generated) != pk:
        return "not a uuid4 in its 36-character form"
    return None


# Field.generate -> what is wrong with the key an ORM gave a new row (None: nothing).
KEY_PROBLEMS = {
    "uuid": _uuid4_problem,
    # the database's identity: a positive integer (its first value is 1)
    "identity": lambda pk, given: None if isinstance(pk, int) and not isinstance(pk, bool)
    and pk >= 1 else "not a positive integer from the database",
    # a natural key: the one the row was given
    None: lambda pk, given: None if pk == given else f"not the key it was given ({given!r})",
}


def cross_check(spec: Spec, spec_path: Path, writer_name: str, reader_name: str, db,
                work: Path) -> list[str]:
    """Problems found (empty: the two ORMs agree on every row)."""
    work.mkdir(parents=True, exist_ok=True)
    writer = ORMS[writer_name](spec_path, db, work)
    reader = ORMS[reader_name](spec_path, db, work)
    problems: list[str] = []
    try:
        writer.create_tables()
        plan = plan_for(spec)
        new_ids: dict[tuple[str, Any], Any] = {}  # (model, sample id) -> id the writer made
        pks: dict[str, Any] = {}
        written: dict[str, dict[str, Any]] = {}
        for model in spec.models:
            key = model.primary_key
            pk_column = key.column
            # A generated key (uuid, identity) is the writer's to make; a natural one is given.
            row = {c: v for c, v in plan.rows[model.name].items()
                   if c != pk_column or not key.generate}
            for field in model.references:  # point at the parent row the writer created
                if row.get(field.column) is not None and field.reference.to_key:
                    row[field.column] = new_ids[(field.reference.target, row[field.column])]
            pk = writer.insert(model, row)
            if model.composite:  # given, not generated: the key is the row's own values
                pk = tuple(row[f.column] for f in model.key)
            new_ids[(model.name, plan.rows[model.name][pk_column])] = pk
            pks[model.name], written[model.name] = pk, row
            problem = None if model.composite else \
                KEY_PROBLEMS[key.generate](pk, plan.rows[model.name][pk_column])
            if problem:
                problems.append(f"{writer_name} generated {model.name} id {pk!r}: {problem}")
        for model in spec.models:
            seen = reader.read(model, pks[model.name])
            for field in model.fields:
                expected = pks[model.name] if field.primary_key and not model.composite else \
                    written[model.name].get(field.column, field.default)
                value = seen[field.column]
                if field.default is NOW or (expected is None and field.default is not None):
                    if value is None:
                        problems.append(f"{reader_name} reads {model.name}.{field.name} as "
                                        f"NULL after {writer_name} inserted its default")
                elif not same(field, expected, value):
                    problems.append(f"{model.name}.{field.name}: {writer_name} wrote "
                                    f"{expected!r}, {reader_name} reads {value!r}")
        for model, field, new in plan.updatable():
            stamp = model.updated_at_fields[0]
            before = reader.read(model, pks[model.name])[stamp.column]
            writer.update(model, pks[model.name], field.column, new)
            after = reader.read(model, pks[model.name])
            if not same(field, new, after[field.column]):
                problems.append(f"{model.name}.{field.name}: {writer_name} updated it to "
                                f"{new!r}, {reader_name} reads {after[field.column]!r}")
            if not utc_naive(after[stamp.column]) > utc_naive(before):
                problems.append(f"{model.name}.{stamp.name}: {writer_name}'s update left it "
                                f"at {after[stamp.column]!r} (was {before!r}) for "
                                f"{reader_name}")
    finally:
        writer.close()
        reader.close()
    return problems
