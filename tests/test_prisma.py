"""The prisma emitter: snapshots, `prisma validate`, `prisma format` leaves it unchanged, and
Prisma's own schema engine creates the same tables, columns and keys as the Spec (and as the
SQL emitter) on PostgreSQL and SQLite."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from vigilo_gen import registry
from vigilo_gen.spec import load_spec

from tests import physical
from tests.conformance import compare, reflect
from tests.support import ALL_SPECS, ROOT, generate, missing, run_cli, spec_params

DIALECTS = ("postgres", "mysql", "sqlite")
ENUMS = ("string", "native")
NODE_TOOLS = ROOT / "tools" / "node"


def node_tool(script: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    if not (NODE_TOOLS / "node_modules" / ".bin" / "prisma").exists():
        missing("npm check tools (npm ci --prefix tools/node)")
    node = shutil.which("node")
    if node is None:
        missing("executable 'node'")
    return subprocess.run([node, str(NODE_TOOLS / script), *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


@pytest.mark.parametrize("enums", ENUMS)
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("spec_path", **spec_params())
def test_snapshot(snapshot, spec_path, dialect, enums):
    emitter = registry.load("prisma")
    spec = load_spec(spec_path)
    assert emitter.run(spec, emitter.make_options(dialect=dialect, enums=enums)) == snapshot


def test_output_is_deterministic_and_names_come_from_the_spec():
    emitter = registry.load("prisma")
    spec = load_spec(ALL_SPECS[0])
    options = emitter.make_options()
    text = emitter.run(spec, options)
    assert text == emitter.run(load_spec(ALL_SPECS[0]), options)
    for model in spec.models:
        assert f"model {model.name} {{" in text
        if model.table != model.name:
            assert f'@@map("{model.table}")' in text


def test_unknown_dialect_is_a_usage_error():
    result = run_cli("prisma", "--dialect", "oracle")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.mark.node
def test_prisma_validate_and_format(tmp_path):
    """For every spec and dialect, `prisma validate` accepts the schema and `prisma format`
    leaves it byte-identical. (`prisma format` runs the same validation first, so the
    --enums native variants, only formatted, are validated too: one CLI start less each.)"""
    jobs = []
    for spec_path in ALL_SPECS:
        for dialect in DIALECTS:
            for enums in ENUMS:
                out = tmp_path / f"{spec_path.stem}-{dialect}-{enums}" / "schema.prisma"
                out.parent.mkdir()
                generate("prisma", spec_path, out, "--dialect", dialect, "--enums", enums)
                jobs.append((out, enums == "string"))

    def check(job: tuple[Path, bool]) -> list[str]:
        path, validate_too = job
        problems = []
        if validate_too:
            validate = node_tool("prisma.mjs", "validate", str(path))
            if validate.returncode != 0:
                problems.append(f"{path.parent.name}: prisma validate failed:\n"
                                f"{validate.stdout}{validate.stderr}")
        before = path.read_text()
        fmt = node_tool("prisma.mjs", "format", str(path))
        if fmt.returncode != 0:
            problems.append(f"{path.parent.name}: prisma format failed:\n"
                            f"{fmt.stdout}{fmt.stderr}")
        elif path.read_text() != before:
            diff = "".join(difflib.unified_diff(before.splitlines(True),
                                                path.read_text().splitlines(True)))
            problems.append(f"{path.parent.name}: prisma format changed the output:\n{diff}")
        return problems

    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1) as pool:
        problems = [p for result in pool.map(check, jobs) for p in result]
    assert not problems, "\n".join(problems)


def _apply(schema: Path, url: str) -> None:
    result = node_tool("prisma-apply.mjs", "--schema", str(schema), "--url", url)
    assert result.returncode == 0, f"prisma-apply failed:\n{result.stdout}{result.stderr}"


@pytest.mark.node
@pytest.mark.engine
@pytest.mark.parametrize("engine_name", ["postgres", "sqlite"])
@pytest.mark.parametrize("spec_path", **spec_params())
def test_schema_engine_creates_the_spec_names(tmp_path, fresh_db, spec_path, engine_name):
    """Prisma's schema engine applies the schema to a fresh database; the tables, columns and
    keys it creates carry the Spec's names, and the whole database (types, nullability,
    defaults, keys, foreign key actions; CHECKs but for A1) equals the one `vigilo-gen sql`
    creates, compared as the conformance suite compares them."""
    schema = tmp_path / "schema.prisma"
    generate("prisma", spec_path, schema, "--dialect", engine_name)
    db = fresh_db(engine_name)
    _apply(schema, db.url)
    created = physical.reflect(db)
    spec = load_spec(spec_path)
    expected = physical.from_spec(spec, engine_name)
    if engine_name == "sqlite":  # Prisma names no foreign key there (README): its own default
        expected = physical.with_default_fk_names(spec, expected)
    assert created == expected

    sql_db = fresh_db(engine_name)
    sql_db.execute_script(generate("sql", spec_path, tmp_path / "schema.sql",
                                   "--dialect", engine_name))
    ours = physical.reflect(sql_db)
    if engine_name == "sqlite":
        ours = physical.with_default_fk_names(spec, ours)
    assert created == ours
    verdict = compare.judge("prisma", engine_name, reflect.describe(sql_db), reflect.describe(db))
    assert not verdict.real, "\n".join(d.describe("sql", "prisma") for d in verdict.real)


# --- the companion SQL of `prisma migrate` (docs/prisma-migrate.md) ------------------------

COMPANION_DIALECTS = ("postgres", "sqlite")


@pytest.mark.parametrize("dialect", COMPANION_DIALECTS)
@pytest.mark.parametrize("spec_path", **spec_params())
def test_companion_snapshot(snapshot, spec_path, dialect):
    emitter = registry.load("prisma-companion")
    spec = load_spec(spec_path)
    assert emitter.run(spec, emitter.make_options(dialect=dialect)) == snapshot


@pytest.mark.parametrize("enums", ENUMS)
@pytest.mark.parametrize("spec_path", **spec_params())
def test_companion_adds_every_check_prisma_cannot_declare(spec_path, enums):
    """Every CHECK of the Spec, as one ALTER TABLE that PostgreSQL's grammar (sqlglot) reads
    back; with native enums, none for enum values (a Prisma enum type holds only its values)."""
    import sqlglot

    emitter = registry.load("prisma-companion")
    spec = load_spec(spec_path)
    text = emitter.run(spec, emitter.make_options(dialect="postgres", enums=enums))
    added = set()
    for line in text.splitlines():
        if line.startswith("ALTER TABLE"):
            tree = sqlglot.parse_one(line.rstrip(";"), read="postgres")
            added |= {c.name for c in tree.find_all(sqlglot.exp.Constraint)}
    expected = {c.name for m in spec.models for c in m.checks
                if not (enums == "native" and c.kind == "enum")}
    assert added == expected
    stamps = [m for m in spec.models if m.updated_at_fields]
    assert text.count("CREATE TRIGGER") == sum(len(m.updated_at_fields) for m in stamps)



@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
@pytest.mark.parametrize("spec_path", **spec_params())
def test_the_companion_says_what_the_sql_file_says_it_cannot_express(spec_path, dialect):
    """Prisma's migration plus the companion is our SQL's database (README), so the
    companion's "Not expressed in this dialect" lines are the SQL file's, one for one."""
    def gap_lines(name: str) -> list[str]:
        emitter = registry.load(name)
        head = emitter.run(load_spec(spec_path), emitter.make_options(dialect=dialect))
        head = head.split("\n\n", 1)[0]
        return head.split("-- Not expressed in this dialect:\n", 1)[-1].splitlines() \
            if "-- Not expressed in this dialect:" in head else []

    assert gap_lines("prisma-companion") == gap_lines("sql")


def test_the_companion_recipe_is_documented():
    docs = (ROOT / "docs" / "prisma-migrate.md").read_text(encoding="utf-8")
    assert "prisma migrate dev --create-only" in docs
    assert "vigilo-gen prisma-companion --dialect postgres" in docs


@pytest.mark.node
@pytest.mark.engine
def test_native_enums_are_snake_case_types_on_postgres(tmp_path, fresh_db):
    """With --enums native, PostgreSQL's enum types are named like the tables (@@map), not
    the quoted model-style "OrderState" Prisma writes by default."""
    spec_path = ROOT / "tests" / "specs" / "shop.yaml"
    schema = tmp_path / "schema.prisma"
    generate("prisma", spec_path, schema, "--dialect", "postgres", "--enums", "native")
    db = fresh_db("postgres")
    _apply(schema, db.url)
    types = {r[0] for r in db.execute("SELECT typname FROM pg_type WHERE typtype = 'e'")}
    spec = load_spec(spec_path)
    used = {f.enum.name for m in spec.models for f in m.fields if f.enum is not None}
    assert types == {"order_state", "size"} == {e.physical for e in spec.enums
                                                if e.name in used}


@pytest.mark.node
@pytest.mark.engine
def test_a_native_enum_named_like_a_table_gets_a_type_name_of_its_own(tmp_path, fresh_db):
    """PostgreSQL gives every table a row type of its name: the enum's type takes another
    (``color_enum``), so Prisma's schema engine creates both."""
    spec_path = tmp_path / "clash.yaml"
    spec_path.write_text("version: 1\nenums:\n  Color: [red, blue]\nmodels:\n  Color_:\n"
                         "    table: color\n    fields:\n      id: {type: id}\n"
                         "      tone: {type: enum, enum: Color}\n")
    schema = tmp_path / "schema.prisma"
    generate("prisma", spec_path, schema, "--dialect", "postgres", "--enums", "native")
    db = fresh_db("postgres")
    _apply(schema, db.url)
    types = {r[0] for r in db.execute("SELECT typname FROM pg_type WHERE typtype = 'e'")}
    assert types == {"color_enum"}
    assert "color" in db.table_names()


# Names Prisma refuses: its schema reference says model and field names "must adhere to the
# regular expression [A-Za-z][A-Za-z0-9_]*". The spec allows a leading underscore, digits after.
UNDERSCORE_SPEC = """\
version: 1
models:
  _9Lives:
    fields:
      id: {type: id}
      _2fa: {type: bool}
      __: {type: int, nullable: true}
      _x: {type: int, nullable: true}
      x_: {type: int, nullable: true}
"""
PRISMA_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def test_names_prisma_refuses_are_renamed_and_mapped_to_the_spec_names(tmp_path):
    spec = tmp_path / "underscore.yaml"
    spec.write_text(UNDERSCORE_SPEC)
    schema = tmp_path / "schema.prisma"
    generate("prisma", spec, schema, "--dialect", "postgres")
    (model, block), = re.findall(r"^model (\S+) \{\n(.*?)\n\}", schema.read_text(), re.S | re.M)
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    fields = [line for line in lines if not line.startswith("@@")]
    names = [model, *(line.split()[0] for line in fields)]
    assert all(PRISMA_NAME.fullmatch(n) for n in names), names
    assert len(set(names)) == len(names), names
    # Each name maps (@map, @@map) to the physical name the SQL emitter gives: one database.
    sql = run_cli("sql", "--spec", str(spec), "--dialect", "postgres", check=True).stdout
    physical = [m.group(1) if (m := re.search(r'@map\("(\w+)"\)', line)) else line.split()[0]
                for line in fields]
    assert physical == re.findall(r'^  "(\w+)" ', sql, re.M)
    assert re.search(r'@@map\("(\w+)"\)', block).group(1) == \
        re.search(r'CREATE TABLE "(\w+)"', sql).group(1)
    validate = node_tool("prisma.mjs", "validate", str(schema))
    assert validate.returncode == 0, validate.stdout + validate.stderr


MIXED_FOREIGN_KEYS = """\
version: 1
name: mixed
models:
  Team:
    fields:
      id: {type: id}
  Player:
    fields:
      id: {type: id}
      teamId: {type: ref, to: Team}
      formerTeamId: {type: ref, to: Team, nullable: true, foreignKey: false}
"""


def test_a_spec_with_and_without_foreign_keys_keeps_them_all_and_says_which(tmp_path):
    """README, `foreignKey: false` in Prisma: with some relations with a foreign key and some
    without, relationMode cannot say it per relation: the schema keeps every foreign key (no
    relationMode) and the header names those the other targets leave out."""
    spec = tmp_path / "mixed.yaml"
    spec.write_text(MIXED_FOREIGN_KEYS, encoding="utf-8")
    schema = generate("prisma", spec, tmp_path / "schema.prisma")
    datasource = schema.split("datasource db {", 1)[1].split("}", 1)[0]
    assert "relationMode" not in datasource, datasource
    header = " ".join(line.removeprefix("// ") for line in schema.splitlines()
                      if line.startswith("// "))
    assert "the other targets leave out (foreignKey: false): player_former_team_id_fkey." \
        in header, header


def test_a_mysql_datetime_spells_out_every_precision_but_prismas_own(tmp_path):
    """Prisma's MySQL connector maps DateTime to DATETIME(3) (Prisma's type mapping
    reference); the README's `datetime` has `precision` 0 to 6, default 3 (MySQL keeps no time
    zone: DATETIME(p)). So a field of another precision says `@db.DateTime(p)` and one of 3
    says nothing. Precisions read from the spec's text (tests/specs/types.yaml)."""
    import yaml

    spec_path = ROOT / "tests" / "specs" / "types.yaml"
    models = yaml.safe_load(spec_path.read_text(encoding="utf-8"))["models"]
    precisions = {name: spec.get("precision", 3) for model in models.values()
                  for name, spec in model["fields"].items() if spec.get("type") == "datetime"}
    assert {3, 6, 0} <= set(precisions.values())
    schema = generate("prisma", spec_path, tmp_path / "schema.prisma", "--dialect", "mysql")
    for name, precision in precisions.items():
        (line,) = [x for x in schema.splitlines() if re.match(rf"\s+{name}\s+DateTime", x)]
        assert ("@db.DateTime(" in line) == (precision != 3), line
        if precision != 3:
            assert f"@db.DateTime({precision})" in line, line
