"""Build a database from an old spec, fill it, migrate it, and compare it with a fresh build of
the new spec: the proof of ``vigilo-gen migrate`` (tests/test_migrate*.py).

The comparison is the conformance tests' reflection (tests/conformance/reflect.py, compare.py):
columns with their types, nullability and defaults, keys, foreign keys with their actions,
indexes, CHECKs and updated_at maintenance, read back from the engine's catalogue.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from pathlib import Path
from typing import Any

from vigilo_gen import registry
from vigilo_gen.diff import diff
from vigilo_gen.migrate import plan_migration
from vigilo_gen.model import NOW, Spec

from tests.conformance.compare import differences
from tests.conformance.reflect import describe
from tests.sample_values import sample_rows

DIALECT = {"postgres": "postgres", "mariadb": "mysql", "sqlite": "sqlite"}


def ddl(spec: Spec, engine: str) -> str:
    sql = registry.load("sql")
    return sql.run(spec, sql.make_options(dialect=DIALECT[engine]))


def _param(value: Any, engine: str) -> Any:
    if engine == "sqlite" and isinstance(value, decimal.Decimal):
        return str(value)
    if engine == "sqlite" and isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):  # a json field's document, as its JSON text
        return json.dumps(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def fill(db, spec: Spec, seeds: tuple[int, ...] = (0, 1)) -> int:
    """Insert valid rows (one per model per seed, parents first); a row the database refuses
    (see _violation) is left out. Returns the rows kept."""
    kept = 0
    for seed in seeds:
        for name, row in sample_rows(spec, seed).items():
            table = spec.model(name).table
            columns = ", ".join(f'"{c}"' if db.engine_name != "mariadb" else f"`{c}`"
                                for c in row)
            marks = ", ".join([db.placeholder] * len(row))
            quoted = f'"{table}"' if db.engine_name != "mariadb" else f"`{table}`"
            try:
                db.execute(f"INSERT INTO {quoted} ({columns}) VALUES ({marks})",
                           [_param(v, db.engine_name) for v in row.values()])
                kept += 1
            except Exception as exc:  # noqa: BLE001 - the engine's own violation error
                if not _violation(exc):
                    raise
    return kept


def _violation(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    # A key violation (two seeds, one value) or a sample the column cannot hold (the sample
    # generator's numbers ignore a tiny decimal's precision): that row is simply not written.
    return any(w in text for w in ("unique", "duplicate", "integrity", "foreign key",
                                   "constraint", "out of range", "overflow"))


def canonical(value: Any) -> Any:
    """A value as stored, in a form equal across a widening conversion (5 == 5.0 == 5.00)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, decimal.Decimal)):
        return decimal.Decimal(str(value)).normalize()
    if isinstance(value, (bytes, bytearray, memoryview)):  # bytea: memoryview; a BLOB: bytes
        value = bytes(value)
        try:
            return value.decode()  # MySQL hands some text back as bytes
        except UnicodeDecodeError:
            return value  # a bytes field's value: every byte, compared as is
    if isinstance(value, str) and value[:1] in "{[":  # a json document read back as text
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, uuid.UUID):  # PostgreSQL's uuid; the others hand back its text
        return str(value)
    return value


def read(db, table: str, columns: list[str], order: str) -> list[tuple]:
    q = (lambda n: f"`{n}`") if db.engine_name == "mariadb" else (lambda n: f'"{n}"')
    rows = db.execute(f"SELECT {', '.join(q(c) for c in columns)} FROM {q(table)} "
                      f"ORDER BY {q(order)}")
    return [tuple(canonical(v) for v in row) for row in rows]


def kept_values(pairing, db, side: str) -> dict[str, list[tuple]]:
    """Every row of every kept column of every kept table, from the old (before) or the new
    (after) side of the pairing."""
    out = {}
    for mp in pairing.models:
        if mp.old is None or mp.new is None:
            continue
        pairs = [fp for fp in mp.fields if fp.old and fp.new]
        model = getattr(mp, side)
        fields = [getattr(fp, side) for fp in pairs]
        out[mp.new.name] = read(db, model.table, [f.column for f in fields],
                                model.primary_key.column)
    return out


def expected(pairing, before: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The kept values as the migration must leave them: a NULL in a column made NOT NULL
    becomes the new default (the documented backfill); every other value is unchanged."""
    out = {}
    for mp in pairing.models:
        if mp.new is None or mp.new.name not in before:
            continue
        pairs = [fp for fp in mp.fields if fp.old and fp.new]
        fills = [canonical(fp.new.default) if fp.old.nullable and not fp.new.nullable
                 and fp.new.default is not None and fp.new.default is not NOW else None
                 for fp in pairs]
        out[mp.new.name] = [tuple(fill if value is None and fill is not None else value
                                  for value, fill in zip(row, fills, strict=True))
                            for row in before[mp.new.name]]
    return out


def apply(db, script: str) -> None:
    if script:
        db.execute_script(script)


ALEMBIC_ENV = """
from alembic import context
from sqlalchemy import create_engine, event

engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
if engine.dialect.name == "sqlite":  # as an application runs SQLite: foreign keys on
    @event.listens_for(engine, "connect")
    def _fk_on(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
"""


def apply_alembic(db, revision: str, folder: Path) -> None:
    """Run ``revision`` (a module written by ``migrate --format alembic``) with Alembic's own
    ``upgrade head`` against ``db``."""
    from alembic import command
    from alembic.config import Config

    versions = folder / "versions"
    versions.mkdir(parents=True)
    (folder / "env.py").write_text(ALEMBIC_ENV, encoding="utf-8")
    (versions / "0001_vigilo.py").write_text(revision, encoding="utf-8")
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.set_main_option("sqlalchemy.url", db.sqlalchemy_url.replace("%", "%%"))
    command.upgrade(config, "head")


def migrate_and_compare(engine, old: Spec, new: Spec, *, allow_destructive: bool = True,
                        ignore: tuple[str, ...] = (), alembic: Path | None = None) -> str:
    """Old built and filled, migrated (by the SQL script, or by the Alembic revision run with
    Alembic in the folder ``alembic``); the result must reflect as a fresh build of new does,
    and every kept value must be kept. Returns the migration script."""
    result = diff(old, new)
    script = plan_migration(result, DIALECT[engine.name], allow_destructive=allow_destructive,
                            format="alembic" if alembic else "sql")
    with engine.create_database("migrated") as db:
        db.execute_script(ddl(old, engine.name))
        fill(db, old)
        before = kept_values(result.pairing, db, "old")
        try:
            if alembic and script:
                apply_alembic(db, script, alembic)
            else:
                apply(db, script)
        except Exception as exc:
            raise AssertionError(f"the migration failed: {exc}\n--- script ---\n{script}") \
                from None
        migrated = describe(db)
        migrated.pop("alembic_version", None)  # Alembic's own bookkeeping
        after = kept_values(result.pairing, db, "new")
    with engine.create_database("fresh") as db:
        db.execute_script(ddl(new, engine.name))
        fresh = describe(db)
    found = [d for d in differences(fresh, migrated) if d.aspect not in ignore]
    assert not found, "\n".join(d.describe("fresh", "migrated") for d in found) + \
        "\n--- script ---\n" + script
    before = expected(result.pairing, before)
    assert after == before, f"values changed:\n{before}\n{after}\n--- script ---\n{script}"
    return script
