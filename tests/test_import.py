"""``vigilo-gen import``: a schema read back into a spec gives our SQL back, byte for byte.

Round trip (issue 16): spec -> our SQL -> database -> ``import db`` -> spec -> our SQL, on
PostgreSQL, MariaDB and SQLite, and spec -> our SQL -> ``import sql`` -> spec -> our SQL, for
every test spec, the bundled spec and random specs of the fuzz strategies. The two SQL texts
are compared from the line after the provenance header (which names the spec file).

A database does not keep everything a spec says; ``canonical`` writes the original spec as the
database holds it, each rule from the engine's documented behaviour (not from the importer):
the import must then give exactly that back.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, reject, settings
from vigilo_gen import naming, registry
from vigilo_gen.errors import SpecError
from vigilo_gen.importer.parse_sql import read_sql
from vigilo_gen.importer.reflect_db import read_db
from vigilo_gen.importer.to_spec import to_spec
from vigilo_gen.importer.write_spec import write_spec
from vigilo_gen.spec import load_spec

from tests.strategies import valid_specs
from tests.support import IN_CI

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "tests" / "specs").glob("*.yaml")) + [ROOT / "spec" / "vigilo.yaml"]
LONG = os.environ.get("VIGILO_FUZZ") == "long"
RANDOM_EXAMPLES = 100 if LONG else 10
ENGINE_DIALECT = {"postgres": "postgres", "mariadb": "mysql", "sqlite": "sqlite"}
_COLLISIONS = re.compile(r"collides with|both map to|is used twice")


def sql_of(spec_path: Path, dialect: str) -> str:
    """Our SQL for a spec, without the provenance header (it names the spec file)."""
    emitter = registry.load("sql")
    text = emitter.run(load_spec(spec_path), emitter.make_options(dialect=dialect))
    return text.split("\n-- Dialect: ", 1)[1]


# -- what a database keeps -----------------------------------------------------------------------


# The ON UPDATE action a catalogue gives back as no clause: PostgreSQL's pg_get_constraintdef
# omits NO ACTION; MariaDB's catalogue says RESTRICT (its default) for ON UPDATE unsaid.
UNSAID_ON_UPDATE = {"postgres": ("noAction",), "mysql": ("restrict",)}


def canonical(data: dict, dialect: str, through_db: bool, db_defaults=None) -> dict:
    """The spec as the database (or our SQL text) holds it:

    - no ``api`` section: the SQL does not depend on it, and a schema has none;
    - no blank description: PostgreSQL and MySQL store an empty comment as no comment (and
      a SQL file's ``-- Model: `` line says nothing);
    - from a database, model names are its table names in PascalCase (a catalogue keeps no
      model name; our SQL file names each model in the comment above its table);
    - SQLite: no CHECK can match a regular expression (our SQL leaves patterns out), and JSON
      and uuid values are TEXT (README, "One physical schema"): a TEXT column is text, unless
      it is part of a key or unique, or has a uuid default, which only a uuid field may be;
      SQLite keeps no comments: our SQL names a table's description in the comment above it
      (lost through the database), a column's nowhere;
    - PostgreSQL reports ``ON UPDATE NO ACTION``, MariaDB ``ON UPDATE RESTRICT``, as no
      clause: each is that database's default (UNSAID_ON_UPDATE);
    - MariaDB keeps no negative zero (a bound of -0.0 is 0.0);
    - MariaDB keeps a DOUBLE or DECIMAL default as a number (0.0 and 0 are one value there);
    - a default in SQL (``default: {sql: ...}``) is kept in the database's own spelling
      (PostgreSQL's pg_get_expr), which the test reads from the database itself;
    - MariaDB names every primary key PRIMARY (its own name is not kept).
    """
    data = yaml.safe_load(yaml.safe_dump(data, sort_keys=False))
    data.pop("api", None)
    models = data["models"]
    if through_db:
        renames = {}
        for name, model in models.items():
            table = model.get("table") or naming.snake_case(name)
            renames[name] = naming.upper_camel(table)
        data["models"] = models = {renames[n]: m for n, m in models.items()}
        for name, model in models.items():
            if naming.snake_case(name) == (model.get("table") or ""):
                model.pop("table")
            elif "table" not in model:
                old = next(o for o, n in renames.items() if n == name)
                model["table"] = naming.snake_case(old)
                if naming.snake_case(name) == model["table"]:
                    model.pop("table")
            for field in model["fields"].values():
                if field.get("type") == "ref":
                    field["to"] = renames[field["to"]]
    for model in models.values():  # blank descriptions: an empty comment, kept as none
        for item in (model, *model["fields"].values()):
            if isinstance(item.get("description"), str) and not item["description"].strip():
                item.pop("description")
    for name, model in models.items():
        indexed = {c for entry in model.get("unique") or []
                   for c in (entry if isinstance(entry, list) else entry["fields"])}
        indexed |= set(model.get("primaryKey") or [])
        for fname, field in model["fields"].items():
            if dialect == "sqlite":
                field.pop("pattern", None)
                (field.get("checkNames") or {}).pop("pattern", None)
                if field.get("checkNames") == {}:
                    field.pop("checkNames")
                keyed = field.get("unique") or fname in indexed \
                    or field.get("default") == "uuid"
                if field["type"] == "json" or field["type"] == "uuid" and not keyed:
                    field["type"] = "text"
                field.pop("description", None)  # our SQLite SQL has no column comments
            if through_db and field.get("onUpdate") in UNSAID_ON_UPDATE.get(dialect, ()):
                field.pop("onUpdate")
            if through_db and dialect == "mysql" and field["type"] in ("float", "decimal") \
                    and isinstance(field.get("default"), int):
                field["default"] = float(field["default"])
            for word in ("min", "max", "default"):
                if through_db and dialect == "mysql" and isinstance(field.get(word), float) \
                        and field[word] == 0:
                    field[word] = 0.0
            sql = (field.get("default") or {}).get("sql") if isinstance(
                field.get("default"), dict) else None
            if sql and through_db and dialect in sql:
                table = model.get("table") or naming.snake_case(name)
                column = field.get("column") or naming.snake_case(fname)
                sql[dialect] = (db_defaults or {}).get((table, column), sql[dialect])
        if dialect == "sqlite" and through_db:
            model.pop("description", None)
        if dialect == "mysql" and through_db:
            model.pop("primaryKeyName", None)
            mysql_key_order(name, model)
    return data


def mysql_key_order(name: str, model: dict) -> None:
    """MySQL and MariaDB keep a table's unique keys sorted (sql_table.cc, sort_keys): those
    whose columns are all NOT NULL first, then the others, each in creation order. Written as
    the model's ``unique:`` list in that order (the SQL is the same but for the order)."""
    table = model.get("table") or naming.snake_case(name)
    fields = model["fields"]
    entries = []  # (fields, name) in the order build lists them: field-level first
    for fname, field in fields.items():
        if field.get("unique") and not field.get("primaryKey") and field["type"] != "id":
            column = field.get("column") or naming.snake_case(fname)
            entries.append(([fname], field.get("uniqueName")
                            or naming.constraint_name(table, (column,), "key")))
    for entry in model.get("unique") or []:
        names = entry if isinstance(entry, list) else entry["fields"]
        columns = [fields[f].get("column") or naming.snake_case(f) for f in names]
        entries.append((names, None if isinstance(entry, list) else entry.get("name")
                        or naming.constraint_name(table, columns, "key")))
    key = set(model.get("primaryKey") or [])

    def nullable(names):
        return any(fields[f].get("nullable") and f not in key for f in names)

    ordered = sorted(entries, key=lambda e: nullable(e[0]))  # stable: creation order kept
    if ordered == entries:
        return
    for field in fields.values():
        field.pop("uniqueName", None)
    # A single-field unique stays `unique: true` (it makes a ref one-to-one); its place in
    # the list is taken by naming it there too, which build accepts as the same constraint.
    for fname, field in fields.items():
        if field.get("unique"):
            field.pop("unique")
    model["unique"] = [{"fields": names, "name": name} if name else names
                       for names, name in ordered]


def write(folder: Path, name: str, data_or_text) -> Path:
    path = folder / name
    text = data_or_text if isinstance(data_or_text, str) else yaml.safe_dump(
        data_or_text, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def assert_round_trip(original: Path, imported_text: str, dialect: str, through_db: bool,
                      folder: Path, db_defaults=None) -> None:
    data = yaml.safe_load(original.read_text(encoding="utf-8"))
    expected = sql_of(write(folder, "canonical.yaml",
                            canonical(data, dialect, through_db, db_defaults)), dialect)
    imported = write(folder, "imported.yaml", imported_text)
    try:
        got = sql_of(imported, dialect)
    except SpecError as exc:
        raise AssertionError(f"the imported spec does not load:\n{exc}\n{imported_text}") \
            from None
    assert got == expected, f"the imported spec gives other SQL:\n{imported_text}"


def import_db(url: str) -> str:
    source, name = read_db(url)
    doc, notes = to_spec(source, name)
    return write_spec(doc, notes, "db")


def import_sql(text: str, dialect: str) -> str:
    doc, notes = to_spec(read_sql(text, dialect, "schema.sql"), "schema")
    return write_spec(doc, notes, "schema.sql")


def through_database(spec_path: Path, engine_name: str, get_engine, folder: Path) -> None:
    dialect = ENGINE_DIALECT[engine_name]
    db = get_engine(engine_name).create_database("import")
    try:
        emitter = registry.load("sql")
        db.execute_script(emitter.run(load_spec(spec_path), emitter.make_options(dialect=dialect)))
        defaults = {}
        if engine_name == "postgres":
            defaults = {(t, c): d for t, c, d in db.execute(
                "SELECT table_name, column_name, column_default FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND column_default IS NOT NULL")}
        db.close()
        text = import_db(db.sqlalchemy_url)
    finally:
        db.drop()
    assert_round_trip(spec_path, text, dialect, True, folder, defaults)


# -- the test specs and the bundled spec ---------------------------------------------------------


@pytest.mark.parametrize("engine_name", list(ENGINE_DIALECT))
@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: p.stem)
def test_round_trip_through_the_database(spec_path, engine_name, get_engine, tmp_path):
    through_database(spec_path, engine_name, get_engine, tmp_path)


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
@pytest.mark.parametrize("spec_path", SPECS, ids=lambda p: p.stem)
def test_round_trip_through_a_sql_file(spec_path, dialect, tmp_path):
    emitter = registry.load("sql")
    text = emitter.run(load_spec(spec_path), emitter.make_options(dialect=dialect))
    assert_round_trip(spec_path, import_sql(text, dialect), dialect, False, tmp_path)


# -- random specs ---------------------------------------------------------------------------------


def random_profile() -> settings:
    return settings(max_examples=RANDOM_EXAMPLES, deadline=None, derandomize=IN_CI and not LONG,
                    database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def _random_spec(text: str, folder: Path) -> Path:
    path = write(folder, "spec.yaml", text)
    try:
        load_spec(path)
    except SpecError as exc:
        if all(_COLLISIONS.search(d.message) for d in exc.diagnostics):
            reject()
        raise
    return path


@pytest.mark.parametrize("engine_name", list(ENGINE_DIALECT))
@random_profile()
@given(text=valid_specs())
def test_random_specs_round_trip_through_the_database(text, engine_name, get_engine):
    with tempfile.TemporaryDirectory() as folder:
        through_database(_random_spec(text, Path(folder)), engine_name, get_engine, Path(folder))


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
@random_profile()
@given(text=valid_specs())
def test_random_specs_round_trip_through_a_sql_file(text, dialect):
    with tempfile.TemporaryDirectory() as folder:
        path = _random_spec(text, Path(folder))
        emitter = registry.load("sql")
        sql = emitter.run(load_spec(path), emitter.make_options(dialect=dialect))
        assert_round_trip(path, import_sql(sql, dialect), dialect, False, Path(folder))
