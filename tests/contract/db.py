"""The server's database, seen by the suite through SQLAlchemy on the server's URL: a dump of
every table (every row, ordered, driver values untouched) to prove a refused request wrote
nothing, the rows of each model by field name, and rows the suite seeds (roots that no endpoint
creates, rows a reference must point at)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import uuid
from typing import Any

import sqlalchemy as sa
from vigilo_gen.model import NOW, Field, FieldType, Model, Spec

from . import rules, values

T = FieldType


class Database:
    def __init__(self, spec: Spec, url: str):
        self.spec = spec
        self.url = url
        self.engine = sa.create_engine(url, pool_size=2, max_overflow=2) \
            if not url.startswith("sqlite") else sa.create_engine(url)
        if self.engine.dialect.name == "sqlite":
            @sa.event.listens_for(self.engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                cursor = dbapi_conn.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA busy_timeout=10000")
                cursor.close()
        self._metadata: sa.MetaData | None = None
        self.rng = random.Random(f"seed:{spec.name}")

    def close(self) -> None:
        self.engine.dispose()

    @property
    def metadata(self) -> sa.MetaData:
        if self._metadata is None:
            metadata = sa.MetaData()
            metadata.reflect(self.engine)
            self._metadata = metadata
        return self._metadata

    def _quote(self, name: str) -> str:
        return self.engine.dialect.identifier_preparer.quote(name)

    def dump(self) -> dict[str, list[tuple]]:
        """Every row of every table of the database (the server's own tables included),
        ordered by every column, as the driver returns them."""
        tables = sorted(sa.inspect(self.engine).get_table_names())
        dumped: dict[str, list[tuple]] = {}
        with self.engine.connect() as conn:
            for name in tables:
                columns = [c["name"] for c in sa.inspect(conn).get_columns(name)]
                order = ", ".join(self._quote(c) for c in columns)
                rows = conn.exec_driver_sql(
                    f"SELECT {order} FROM {self._quote(name)} ORDER BY {order}").fetchall()
                dumped[name] = [tuple(row) for row in rows]
        return dumped

    def state(self) -> rules.State:
        """Every model's rows, keyed by field name."""
        rows: dict[str, list[dict[str, Any]]] = {}
        with self.engine.connect() as conn:
            for model in self.spec.models:
                columns = ", ".join(self._quote(f.column) for f in model.fields)
                result = conn.exec_driver_sql(f"SELECT {columns} FROM {self._quote(model.table)}")
                rows[model.name] = [
                    {f.name: value for f, value in zip(model.fields, row, strict=True)}
                    for row in result.fetchall()]
        return rules.State(self.spec, rows)

    def find(self, model: Model, **where: Any) -> list[dict[str, Any]]:
        state = self.state()
        found = []
        for row in state.rows[model.name]:
            if all(values.same_value(model.field(k), v, row[k]) for k, v in where.items()):
                found.append(row)
        return found

    # -- seeding ----------------------------------------------------------------------------

    def insert(self, model: Model, given: dict[str, Any] | None = None,
               owner: tuple[Field, str | None] | None = None) -> dict[str, Any]:
        """Insert one row of ``model``: the given field values, a new row for every required
        reference, a valid value for every required field; returns the row by field name."""
        given = dict(given or {})
        row: dict[str, Any] = {}
        for fld in model.fields:
            if fld.name in given:
                row[fld.name] = given[fld.name]
            elif owner is not None and fld is owner[0]:
                row[fld.name] = owner[1]
            elif fld.identity:
                continue  # the database makes it: read back below
            elif fld.primary_key and fld.reference is None:
                row[fld.name] = str(uuid.uuid4()) if fld.generate == "uuid" else \
                    self.db_value(fld, values.unique_value(fld, self.rng))
            elif fld.reference is not None:
                if fld.nullable or fld.reference.target == model.name:
                    row[fld.name] = None
                else:
                    target = self.spec.model(fld.reference.target)
                    row[fld.name] = self.insert(target)[fld.reference.target_field]
            elif fld.default is NOW:
                row[fld.name] = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc) \
                    if fld.type is T.DATETIME else dt.date(2020, 1, 2)
            elif fld.literal_default is not None:
                row[fld.name] = fld.literal_default
            elif fld.default is not None:  # made by the database: seed a value of our own
                row[fld.name] = self.db_value(fld, values.valid_value(fld, self.rng))
            elif fld.nullable:
                row[fld.name] = None
            else:
                row[fld.name] = self.db_value(fld, values.valid_value(fld, self.rng))
        in_unique = {name for unique in model.uniques for name in unique.fields}
        for fld in model.fields:
            if (fld.unique or fld.name in in_unique) and fld.name not in given and \
                    not fld.primary_key and fld.reference is None and \
                    row[fld.name] is not None and fld.default is not NOW:
                row[fld.name] = self.db_value(fld, values.unique_value(fld, self.rng))
        for rel in model.composite_references:  # ``relations:``: a target row's values
            if any(name in given for name in rel.fields):
                continue
            if rel.nullable or rel.target == model.name:
                row.update(dict.fromkeys(rel.fields))
                continue
            target = self.insert(self.spec.model(rel.target))
            row.update({f: target[t] for f, t in zip(rel.fields, rel.target_fields,
                                                     strict=True)})
        table = self.metadata.tables[model.table]
        with self.engine.begin() as conn:
            done = conn.execute(table.insert().values({model.field(k).column: self.db_value(
                model.field(k), v) for k, v in row.items()}))
            if model.primary_key.identity:
                row[model.primary_key.name] = done.inserted_primary_key[0]
        return {f.name: row[f.name] for f in model.fields}  # in field order

    def db_value(self, fld: Field, value: Any) -> Any:
        """A JSON value as the Python value SQLAlchemy binds for the column."""
        import decimal

        if value is None:
            return None
        if fld.type is T.DECIMAL:
            return decimal.Decimal(str(value))
        if fld.type is T.DATE and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if fld.type is T.DATETIME and isinstance(value, str):
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            value = moment
        if fld.type is T.JSON and self.engine.dialect.name != "postgresql":
            return json.dumps(value)  # a text column there (JSON on MariaDB is LONGTEXT)
        if fld.type is T.BYTES and isinstance(value, str):
            return base64.b64decode(value)
        if fld.type is T.DATETIME and self.engine.dialect.name != "postgresql":
            return value.astimezone(dt.timezone.utc).replace(tzinfo=None) \
                if value.tzinfo else value
        return value
