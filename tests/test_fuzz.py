"""Property-based tests: random valid specs through every emitter and engine; random broken
specs through the CLI.

Profiles: CI (``CI=true``) runs a fixed, derandomized set of examples; a local run draws fresh
ones of the same size; ``make fuzz`` (``VIGILO_FUZZ=long``) runs many more.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import re
import subprocess
import tempfile
import uuid
import warnings
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, reject, settings
from vigilo_gen import registry
from vigilo_gen.errors import SpecError, UsageError
from vigilo_gen.model import NOW, FieldType, Spec
from vigilo_gen.spec import load_spec

from tests.orm_scenario import import_generated
from tests.sample_values import valid_value
from tests.strategies import invalid_specs, valid_specs
from tests.support import IN_CI, require_executable, run_cli

T = FieldType
LONG = os.environ.get("VIGILO_FUZZ") == "long"
# (valid specs in-process, valid specs on PostgreSQL, broken specs through the CLI)
EXAMPLES = (2000, 100, 400) if LONG else (100, 10, 30)


def profile(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples, deadline=None, derandomize=IN_CI and not LONG,
        database=None if IN_CI else settings.default.database, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.function_scoped_fixture],
    )


# Names the strategy cannot keep apart in every case (relation and back-reference attributes
# derived from model names): the engine refuses them with a clear message, which is fine.
_COLLISIONS = re.compile(r"collides with|both map to|is used twice")


def load(text: str, folder: Path) -> Spec:
    path = folder / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        return load_spec(path)
    except SpecError as exc:
        if all(_COLLISIONS.search(d.message) for d in exc.diagnostics):
            reject()
        raise AssertionError(f"a valid spec was refused:\n{exc}\n--- spec ---\n{text}") from None


def option_sets(name: str):
    """Every combination of an emitter's choice options (dialect, format, enums)."""
    emitter = registry.load(name)
    combos = [{}]
    for f in emitter.option_fields():
        choices = f.metadata.get("choices") or (f.default,)
        combos = [{**c, f.name: v} for c in combos for v in choices]
    return [emitter.make_options(**c) for c in combos]


# Refusals by design, each a one-line UsageError: the emitter cannot express the spec.
KNOWN_REFUSALS = re.compile(
    r"has no 'api' section"  # openapi, pydantic: nothing to describe
    r"|is not a valid Prisma enum value; use --enums string"  # prisma --enums native
    r"|the name of a table; use --enums string"  # prisma --enums native on PostgreSQL
    r"|cannot be served: "  # fastapi: an endpoint without a derivable plan (docs/runtime.md)
    r"|cannot be called: "  # client: the same, for the browser side
    r"|nothing for a provider to hold"  # react: no read whose state a write updates
)


def render_all(spec: Spec, again: Spec) -> dict[tuple, str]:
    """Every emitter x option set, rendered from two separate loads: byte-identical.
    Outputs an emitter refuses (by design, see KNOWN_REFUSALS) are left out."""
    outputs = {}
    for name in registry.names():
        emitter = registry.load(name)
        for options in option_sets(name):
            try:
                text = emitter.run(spec, options)
            except UsageError as exc:
                assert KNOWN_REFUSALS.search(str(exc)), f"{name} {options}: {exc}"
                continue
            assert text == emitter.run(again, options), f"{name} {options} is not deterministic"
            assert text.strip(), f"{name} {options} rendered nothing"
            outputs[(name, *sorted(map(str, vars(options).values())))] = text
    return outputs


# -- rows ---------------------------------------------------------------------------------------


def value_for(field, seed: int):
    """A value the field accepts: the default, else a bound, else a sample value."""
    if field.type in (T.INT, T.BIGINT, T.FLOAT, T.DECIMAL):
        if field.default is not None:
            value = field.default
        else:
            value = next((b for b in (field.minimum, field.maximum) if b is not None), 0)
        if field.type is T.DECIMAL:
            return decimal.Decimal(str(value))
        return int(value) if field.type in (T.INT, T.BIGINT) else float(value)
    if field.literal_default is not None:
        return field.literal_default
    return valid_value(field, seed)


def rows_for(spec: Spec, minimal: bool, seed: int) -> list[tuple[str, dict]]:
    """One row per model, parents first: every column, or only the ones that need a value."""
    pks: dict[str, str] = {}
    rows: dict[str, dict] = {}
    result = []
    for model in spec.models:
        row = {}
        for field in model.fields:
            needed = field.primary_key or not field.nullable and field.default is None
            if field.default is NOW or minimal and not needed:
                continue
            if field.reference is not None:
                row[field.column] = pks.get(field.reference.target)
            else:
                row[field.column] = value_for(field, seed)
        for rel in model.composite_references:  # ``relations:``: the target row's values
            for column, target_column in zip(rel.columns, rel.target_columns, strict=True):
                row[column] = rows[rel.target].get(target_column)
        pks[model.name] = row[model.primary_key.column]
        rows[model.name] = row
        result.append((model.table, row))
    return result


def _param(value, engine: str):
    if engine == "sqlite" and isinstance(value, decimal.Decimal):
        return str(value)
    if engine == "sqlite" and isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):  # a json field's document, as its JSON text
        return json.dumps(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def exercise(db, spec: Spec, ddl: str) -> None:
    """Create the schema, insert rows that take every default (then delete them), and full
    rows; the database must accept all of it."""
    db.execute_script(ddl)
    # Exactly the spec's tables: no text of the spec became a statement of its own.
    assert db.table_names() == {m.table for m in spec.models}
    p = db.placeholder

    def insert(table: str, row: dict) -> None:
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join([p] * len(row))
        db.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})',
                   [_param(v, db.engine_name) for v in row.values()])

    minimal = rows_for(spec, minimal=True, seed=1)
    for table, row in minimal:
        insert(table, row)
    for table, _row in reversed(minimal):
        db.execute(f'DELETE FROM "{table}"')
    for table, row in rows_for(spec, minimal=False, seed=0):
        insert(table, row)
    for model in spec.models:
        assert db.scalar(f'SELECT COUNT(*) FROM "{model.table}"') == 1


NAME_KEYS = ("primaryKeyName", "uniqueName", "indexName", "foreignKeyName")


def given_names(text: str) -> set[str]:
    """The constraint and index names the spec text gives (README, "Constraint and index
    names"): read from the YAML, not from the model under test."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            found.update(node[key] for key in NAME_KEYS if isinstance(node.get(key), str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(text))
    return found


def ruff_format_check(paths: list[Path]) -> None:
    if not paths:
        return
    ruff = require_executable("ruff")
    result = subprocess.run([ruff, "format", "--isolated", "--diff", *map(str, paths)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# -- the properties -----------------------------------------------------------------------------


@profile(EXAMPLES[0])
@given(text=valid_specs())
def test_valid_specs_through_every_emitter(text, sqlite_engine, duckdb_engine):
    import peewee
    import sqlalchemy as sa
    from openapi_spec_validator import validate

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = load(text, folder)
        outputs = render_all(spec, load(text, folder))
        for engine, dialect in ((sqlite_engine, "sqlite"), (duckdb_engine, "duckdb")):
            with engine.create_database("fuzz") as db:
                exercise(db, spec, outputs[("sql", dialect)])
        python_outputs = [n for n in ("sqlalchemy", "peewee", "pydantic") if (n,) in outputs]
        for name in python_outputs:
            with warnings.catch_warnings():  # e.g. an invalid escape sequence in a docstring
                warnings.simplefilter("error")
                compile(outputs[(name,)], f"{name}.py", "exec")
            (folder / f"{name}_models.py").write_text(outputs[(name,)], encoding="utf-8")
        # The ORM modules are laid out as ruff format leaves them (pydantic: formatted by
        # datamodel-code-generator's own formatter, checked in test_pydantic).
        ruff_format_check([folder / f"{n}_models.py" for n in python_outputs if n != "pydantic"])
        if "sqlalchemy" in python_outputs:
            module = import_generated(folder / "sqlalchemy_models.py")
            with warnings.catch_warnings():  # no relationship writes columns another does
                warnings.simplefilter("error")  # without saying so (overlaps=)
                module.Base.registry.configure()
            engine = sa.create_engine("sqlite://")
            module.Base.metadata.create_all(engine)
            assert set(sa.inspect(engine).get_table_names()) == {m.table for m in spec.models}
            engine.dispose()
            # Every name the spec gives is a constraint's or an index's name in the models.
            declared = {str(item.name) for table in module.Base.metadata.tables.values()
                        for item in (*table.constraints, *table.indexes)}
            assert given_names(text) <= declared, given_names(text) - declared
        if "peewee" in python_outputs:
            module = import_generated(folder / "peewee_models.py")
            database = peewee.SqliteDatabase(":memory:", pragmas={"foreign_keys": 1})
            module.database.initialize(database)
            database.create_tables(module.MODELS)
            assert set(database.get_tables()) == {m.table for m in spec.models}
            database.close()
        if spec.api is not None:
            import_generated(folder / "pydantic_models.py")
            document = json.loads(outputs[("openapi", "json")])
            from_yaml = yaml.safe_load(outputs[("openapi", "yaml")])
            # The two formats differ only in the command named in the header.
            assert {**from_yaml, "x-generated-by": None} == {**document, "x-generated-by": None}
            validate(document)


@profile(EXAMPLES[1])
@given(text=valid_specs())
def test_valid_specs_on_postgres(text, postgres_engine):
    with tempfile.TemporaryDirectory() as tmp:
        spec = load(text, Path(tmp))
        ddl = registry.load("sql").run(spec, registry.load("sql").make_options(dialect="postgres"))
        with postgres_engine.create_database("fuzz") as db:
            exercise(db, spec, ddl)
            # Every name the spec gives is the name of a constraint or an index the database
            # holds, with its case (a quoted identifier keeps it).
            held = {row[0] for row in db.execute(
                "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = "
                "c.connamespace WHERE n.nspname = current_schema() UNION "
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}
            assert given_names(text) <= held, given_names(text) - held


_LOCATED = re.compile(r"^spec\.yaml(:\d+:\d+)?: \S")
# Mutations that always break the spec (the others may leave it valid, e.g. an empty
# description): those must fail; every other must fail cleanly or succeed.
_ALWAYS_BAD = {"delete-required", "bad-type-name", "break-reference", "bad-default",
               "unknown-key", "min-above-max", "duplicate-key", "required-self-ref"}


@profile(EXAMPLES[2])
@given(case=invalid_specs())
def test_broken_specs_fail_cleanly_through_the_cli(case):
    text, mutation = case
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "spec.yaml").write_text(text, encoding="utf-8")
        result = run_cli("validate", "--spec", "spec.yaml", cwd=Path(tmp))
    assert "Traceback" not in result.stderr + result.stdout, text
    assert result.returncode in (0, 2), (result.returncode, result.stderr, text)
    if mutation in _ALWAYS_BAD:
        assert result.returncode == 2, (mutation, text)
    if result.returncode == 2:
        lines = result.stderr.splitlines()
        assert lines and all(_LOCATED.match(line) for line in lines), (result.stderr, text)
        assert any(re.match(r"^spec\.yaml:\d+:\d+: ", line) for line in lines), result.stderr
