"""The drizzle emitter: snapshots, prettier leaves it unchanged, `tsc --noEmit` (strict) checks it
against the real drizzle-orm, and the SQL `drizzle-kit generate` makes of it runs on fresh
PostgreSQL, MariaDB and SQLite databases, creating the Spec's tables, columns and keys (the same
names as `vigilo-gen sql`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from vigilo_gen import registry
from vigilo_gen.spec import load_spec

from tests import physical
from tests.conformance import compare, reflect
from tests.support import ALL_SPECS, ROOT, generate, missing, spec_params

DIALECTS = ("postgres", "mysql", "sqlite")
KIT_DIALECTS = {"postgres": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}
ENGINES = {"postgres": "postgres", "mysql": "mariadb", "sqlite": "sqlite"}
NODE_TOOLS = ROOT / "tools" / "node"


def node_tool(script: str, *args: str) -> subprocess.CompletedProcess:
    if not (NODE_TOOLS / "node_modules" / "drizzle-orm").exists():
        missing("npm check tools (npm ci --prefix tools/node)")
    node = shutil.which("node")
    if node is None:
        missing("executable 'node'")
    return subprocess.run([node, str(NODE_TOOLS / script), *args], capture_output=True,
                          text=True, timeout=180, env=dict(os.environ))


@pytest.fixture(scope="module")
def modules(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every spec x dialect, generated once through the CLI."""
    out = tmp_path_factory.mktemp("drizzle")
    files = {}
    for spec_path in ALL_SPECS:
        for dialect in DIALECTS:
            path = out / f"{spec_path.stem}_{dialect}.ts"
            generate("drizzle", spec_path, path, "--dialect", dialect)
            files[(spec_path.stem, dialect)] = path
    return files


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("spec_path", **spec_params())
def test_snapshot(snapshot, spec_path, dialect):
    emitter = registry.load("drizzle")
    spec = load_spec(spec_path)
    assert emitter.run(spec, emitter.make_options(dialect=dialect)) == snapshot


def test_layout_engine_breaks_like_prettier():
    from vigilo_gen.emitters import ts_layout as ts

    short = ts.chain(ts.call("integer", [ts.text('"x"')]),
                     [("notNull", []), ("default", [ts.text("0")])])
    assert ts.render(["a: ", short.doc]) == 'a: integer("x").notNull().default(0)'
    forced = ts.chain(ts.call("integer", [ts.text('"x"')]),
                      [("notNull", []), ("default", [ts.text("sql`0`", simple=False)])])
    assert ts.render(["a: ", forced.doc]) == 'a: integer("x")\n  .notNull()\n  .default(sql`0`)'
    assert ts.string('it\'s "q"') == "'it\\'s \"q\"'"
    assert ts.string("it's") == '"it\'s"'


@pytest.mark.node
def test_prettier_leaves_the_modules_unchanged(modules):
    result = node_tool("node_modules/prettier/bin/prettier.cjs", "--check",
                       *map(str, modules.values()))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.node
def test_tsc_strict_type_checks_every_module(modules):
    result = node_tool("tsc-check.mjs", *map(str, modules.values()), "--",
                       "--noUnusedLocals")
    assert result.returncode == 0, result.stdout + result.stderr


def _enum_names(spec) -> dict[str, tuple[str, str]]:
    """README, "Enums": each enum a column uses is exported as `<lowerCamel name>Values`, an
    `as const` array of its values, and a union type named like the enum (`...Enum` where a
    table's row type has that name)."""
    from vigilo_gen.naming import lower_camel

    rows = {m.name for m in spec.models} | {f"New{m.name}" for m in spec.models}
    used = {f.enum.name for m in spec.models for f in m.fields if f.enum is not None}
    return {e.name: (lower_camel(e.name) + "Values",
                     e.name + "Enum" if e.name in rows else e.name)
            for e in spec.enums if e.name in used}


@pytest.mark.node
def test_enums_are_exported_once_and_type_their_columns(modules, tmp_path):
    """Type-level facts tsc proves: each exported values array is exactly the spec's list (in
    order), and each enum column's row type is exactly the union (with null when nullable)."""
    from vigilo_gen.emitters.drizzle import variable

    checks = []
    for spec_path in ALL_SPECS:
        spec = load_spec(spec_path)
        names = _enum_names(spec)
        if not names:
            continue
        for dialect in DIALECTS:
            module = modules[(spec_path.stem, dialect)]
            lines = ["type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T "
                     "extends B ? 1 : 2 ? true : false;"]
            imported = set()
            for enum in spec.enums:
                if enum.name not in names:
                    continue
                const, type_name = names[enum.name]
                imported |= {const, f"type {type_name}"}
                tuple_type = "readonly [" + ", ".join(json.dumps(v) for v in enum.values) + "]"
                lines.append(f"export const {const}Exact: Equal<typeof {const}, {tuple_type}> "
                             "= true;")
            for model in spec.models:
                for field in model.fields:
                    if field.enum is None:
                        continue
                    table = variable(model)
                    imported.add(table)
                    union = names[field.enum.name][1] + (" | null" if field.nullable else "")
                    lines.append(f"export const {table}_{field.name}Typed: Equal<(typeof "
                                 f"{table}.$inferSelect)[{json.dumps(field.name)}], {union}>"
                                 " = true;")
            check = tmp_path / f"check_{spec_path.stem}_{dialect}.ts"
            check.write_text(f"import {{ {', '.join(sorted(imported))} }} from "
                             f"{json.dumps('./' + module.stem)};\n" + "\n".join(lines) + "\n")
            shutil.copy(module, tmp_path / module.name)
            checks.append(check)
    assert checks, "no spec with an enum column"
    result = node_tool("tsc-check.mjs", *map(str, checks))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.node
@pytest.mark.engine
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("spec_path", **spec_params())
def test_drizzle_kit_sql_runs_and_creates_the_spec_names(tmp_path, modules, fresh_db, spec_path,
                                                        dialect):
    module = modules[(spec_path.stem, dialect)]
    result = node_tool("drizzle-sql.mjs", "--schema", str(module), "--dialect",
                       KIT_DIALECTS[dialect], "--out", str(tmp_path / "kit"))
    assert result.returncode == 0, result.stdout + result.stderr
    sql_files = [Path(line) for line in result.stdout.split() if line.endswith(".sql")]
    assert len(sql_files) == 1
    db = fresh_db(ENGINES[dialect])
    db.execute_script(physical.split_statements(sql_files[0].read_text()))

    created = physical.reflect(db)
    expected = physical.from_spec(load_spec(spec_path), db.engine_name)
    if dialect == "sqlite":  # drizzle-kit writes SQLite foreign keys without names
        created, expected = physical.without_fk_names(created), physical.without_fk_names(
            expected)
    assert created == expected

    sql_db = fresh_db(ENGINES[dialect])
    sql_db.execute_script(generate("sql", spec_path, tmp_path / "schema.sql",
                                   "--dialect", dialect))
    reference = physical.reflect(sql_db)
    if dialect == "sqlite":
        reference = physical.without_fk_names(reference)
    assert created == reference
    # The whole description (types, nullability, defaults, checks, foreign key actions), as
    # the conformance suite compares it: a dropped .notNull() or .default() fails here.
    verdict = compare.judge("drizzle", db.engine_name, reflect.describe(sql_db),
                            reflect.describe(db))
    assert not verdict.real, "\n".join(d.describe("sql", "drizzle") for d in verdict.real)


# Bounds and a default small enough for Python's repr to use an exponent (1e-07).
TINY_NUMBERS_SPEC = """\
version: 1
models:
  Probe:
    fields:
      id: {type: id}
      code: {type: string, maxLength: 10, unique: true}
      tiny: {type: float, min: 0.0000001, max: 0.00005, default: 0.000001}
      huge: {type: float, min: -1.0e+300, max: 2.5e-10, nullable: true}
api:
  params:
    code: {field: Probe.code, create: true}
  endpoints:
    - {name: saveProbe, method: PUT, path: '/probes/{code}',
       body: {tiny: Probe.tiny, huge: Probe.huge}}
"""


@pytest.mark.node
def test_prettier_leaves_number_literals_with_an_exponent_unchanged(tmp_path):
    """Prettier prints 1e-07 as 1e-7: the drizzle and zod modules must already say it so."""
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY_NUMBERS_SPEC)
    outputs = [tmp_path / "zod.ts", *(tmp_path / f"drizzle-{d}.ts" for d in DIALECTS)]
    generate("zod", spec, outputs[0])
    for dialect, out in zip(DIALECTS, outputs[1:], strict=True):
        generate("drizzle", spec, out, "--dialect", dialect)
    assert "z.gte(1e-7)" in outputs[0].read_text()
    assert all(".default(1e-6)" in out.read_text() for out in outputs[1:])
    result = node_tool("node_modules/prettier/bin/prettier.cjs", "--check", *map(str, outputs))
    assert result.returncode == 0, result.stdout + result.stderr


# Tables whose variables take the relations callback's `one` and its first alias `_one`.
ONE_SPEC = """\
version: 1
models:
  One:
    fields:
      id: {type: id}
  _one:
    table: one_under
    fields:
      id: {type: id}
      oneId: {type: ref, to: One}
"""


@pytest.mark.node
def test_the_relations_helpers_step_around_every_table_named_like_them(tmp_path):
    spec = tmp_path / "one.yaml"
    spec.write_text(ONE_SPEC)
    module = tmp_path / "one.ts"
    generate("drizzle", spec, module, "--dialect", "postgres")
    assert "({ one: __one }) =>" in module.read_text()
    result = node_tool("tsc-check.mjs", str(module), "--", "--noUnusedLocals")
    assert result.returncode == 0, result.stdout + result.stderr
