"""Independent oracles (tests/oracle): the database our SQL creates, and the API's required
properties, against expectations computed from each spec's YAML text by the README's rules —
never from the Spec model, so a bug in generators/build.py or generators/naming.py fails here
and not only in a snapshot."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.conformance.reflect import describe
from tests.oracle import EDGES_SPEC, expected_database, read
from tests.support import ALL_SPECS, generate, run_cli

SPECS = [*ALL_SPECS, EDGES_SPEC]
SPEC_IDS = [p.stem for p in SPECS]


@pytest.fixture(scope="module")
def pg_databases(tmp_path_factory, postgres_engine):
    """Every spec's schema, created on PostgreSQL from `vigilo-gen sql` and reflected once."""
    out = {}
    for spec_path in SPECS:
        work = tmp_path_factory.mktemp(spec_path.stem)
        db = postgres_engine.create_database(f"oracle_{spec_path.stem}")
        try:
            db.execute_script(generate("sql", spec_path, work / "schema.sql",
                                       "--dialect", "postgres"))
            out[spec_path.stem] = describe(db)
        finally:
            db.drop()
    return out


@pytest.mark.engine
@pytest.mark.parametrize("spec_path", SPECS, ids=SPEC_IDS)
def test_the_database_holds_the_documented_names_and_nullability(pg_databases, spec_path):
    """Tables, columns, NOT NULL, the primary key, every unique, index, foreign key (with its
    target and ON DELETE action) and CHECK, each named by the README's pattern."""
    actual = pg_databases[spec_path.stem]
    expected = expected_database(spec_path)
    assert sorted(actual) == sorted(expected)
    for table, want in expected.items():
        got = actual[table]
        assert {c: {"nullable": v["nullable"]} for c, v in got["columns"].items()} \
            == want["columns"], table
        assert list(got["columns"]) == list(want["columns"]), f"{table}: column order"
        assert got["primary key"] == want["primary key"], table
        assert got["uniques"] == want["uniques"], table
        assert got["indexes"] == want["indexes"], table
        fks = {c: {k: v[k] for k in ("name", "references", "on_delete")}
               for c, v in got["foreign keys"].items()}
        assert fks == want["foreign keys"], table
        assert set(got["checks"]) == want["checks"], table


def _flag(value, default: bool) -> bool:
    return default if value is None else value == "true"


def _allows_null(schema: dict) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(_allows_null(s) for s in schema.get("anyOf", []) + schema.get("oneOf", []))


API_SPECS = [p for p in SPECS if "\napi:" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("spec_path", API_SPECS, ids=[p.stem for p in API_SPECS])
def test_api_required_and_nullable_properties_follow_the_spec_text(spec_path):
    """README, API shapes: ``Model.field`` is optional and nullable when the field is
    nullable; ``{field: ..., optional: ..., nullable: ...}`` says so itself; a nested schema,
    object, list or map is required and not null unless it says otherwise."""
    models = read(spec_path)
    document = yaml.load(spec_path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    result = run_cli("openapi", "--spec", str(spec_path), check=True)
    schemas = json.loads(result.stdout)["components"]["schemas"]
    checked = 0
    for name, shape in document["api"].get("schemas", {}).items():
        if "object" not in shape:
            continue
        rendered = schemas[name]
        for prop, raw in shape["object"].items():
            if isinstance(raw, str) or "field" in raw:
                ref = raw if isinstance(raw, str) else raw["field"]
                model, field = ref.split(".")
                nullable_field = models[model].field(field).nullable
                raw = {} if isinstance(raw, str) else raw
                optional = _flag(raw.get("optional"), nullable_field)
                nullable = _flag(raw.get("nullable"), nullable_field)
            else:
                optional = _flag(raw.get("optional"), False)
                nullable = _flag(raw.get("nullable"), False)
            assert (prop in rendered.get("required", [])) == (not optional), (name, prop)
            assert _allows_null(rendered["properties"][prop]) == nullable, (name, prop)
            checked += 1
    assert checked >= 3


def test_a_derived_name_of_exactly_63_characters_is_kept(tmp_path):
    """PostgreSQL's limit is 63 (README, Names): a constraint name of exactly 63 characters is
    the documented pattern as written, not shortened."""
    table = "t" * (63 - len("_pkey"))
    spec = tmp_path / "limit.yaml"
    spec.write_text(f"version: 1\nname: limit\nmodels:\n  M:\n    table: {table}\n"
                    "    fields:\n      id: {type: id}\n")
    ddl = run_cli("sql", "--spec", str(spec), "--dialect", "postgres", cwd=tmp_path,
                  check=True).stdout
    assert f'CONSTRAINT "{table}_pkey" PRIMARY KEY' in ddl
