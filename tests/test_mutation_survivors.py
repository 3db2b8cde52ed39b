"""Behaviour the survivors of `make mutate-sample` showed untested (docs/mutation.md): each test
states a documented rule (README, docs/import.md) and fails on the mutant that survived it.
All run in process or on SQLite, in seconds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from vigilo_gen import registry
from vigilo_gen.importer.parse_sql import read_sql
from vigilo_gen.importer.to_spec import to_spec
from vigilo_gen.importer.write_spec import write_spec
from vigilo_gen.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent

# -- README, "One physical schema" ---------------------------------------------------------------

ENGINES = {"PostgreSQL": "postgres", "MySQL / MariaDB": "mysql", "SQLite": "sqlite"}

# One field of every spec type the README's table lists, with the numbers its (n), (p, s) take.
TYPES_SPEC = """\
version: 1
name: physical
enums:
  State: [open, shut]
models:
  Owner:
    fields:
      id: {type: id}
  Thing:
    fields:
      id: {type: id}
      ownerId: {type: ref, to: Owner}
      label: {type: string, maxLength: 17}
      body: {type: text}
      count: {type: int}
      total: {type: bigint}
      ratio: {type: float}
      price: {type: decimal, precision: 11, scale: 3}
      done: {type: bool}
      day: {type: date}
      seenAt: {type: datetime}
      state: {type: enum, enum: State}
"""
# spec type -> (column, the numbers of its parameters)
COLUMNS = {
    "id": ("id", {}),
    "ref": ("owner_id", {}),
    "string": ("label", {"n": "17"}),
    "text": ("body", {}),
    "int": ("count", {}),
    "bigint": ("total", {}),
    "float": ("ratio", {}),
    "decimal": ("price", {"p": "11", "s": "3"}),
    "bool": ("done", {}),
    "date": ("day", {}),
    "datetime": ("seen_at", {}),
    "enum": ("state", {"n": "50"}),  # "maxLength on the field sets n (default 50)"
}


def _split(cell: str) -> list[str]:
    """A cell's items at its top-level commas ("INT, BIGINT"; not "DECIMAL(p, s)")."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(cell):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            items.append(cell[start:i].strip())
            start = i + 1
    return [*items, cell[start:].strip()]


def readme_types() -> dict[str, dict[str, str]]:
    """engine dialect -> spec type -> the type the README's table gives (its first word where
    it adds a note: "BOOLEAN (TINYINT(1))", "VARCHAR(n) + CHECK ...")."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## One physical schema", 1)[1].split("\n\n", 2)[1]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()]
    header, body = rows[0], rows[2:]
    out: dict[str, dict[str, str]] = {ENGINES[h]: {} for h in header[1:]}
    for row in body:
        kinds = _split(row[0])
        previous = None
        for engine_header, cell in zip(header[1:], row[1:], strict=True):
            cell = previous if cell == "same" else cell
            previous = cell
            types = _split(cell) if len(_split(cell)) == len(kinds) else [cell] * len(kinds)
            for kind, type_text in zip(kinds, types, strict=True):
                type_text = type_text.split(" + ")[0].split(" (")[0]
                out[ENGINES[engine_header]][kind] = type_text
    return out


def _declared(sql: str) -> dict[str, str]:
    """column -> the text after its name in the CREATE TABLE of table ``thing``."""
    body = sql.split('TABLE "thing" (', 1)[-1].split("TABLE `thing` (", 1)[-1].split("\n);", 1)[0]
    return {m[1]: m[2] for m in re.finditer(r'^\s+["`](\w+)["`] (.*)$', body, re.M)}


def test_the_readme_table_is_read_whole():
    types = readme_types()
    assert set(types) == set(ENGINES.values())
    for engine_types in types.values():
        assert set(engine_types) == set(COLUMNS)


@pytest.mark.parametrize("dialect", list(ENGINES.values()))
def test_each_column_has_the_readme_physical_type(dialect, tmp_path):
    """README, "One physical schema": the column type of each spec type on each engine (a
    datetime is TIMESTAMPTZ(3) / DATETIME(3) / DATETIME by default)."""
    path = tmp_path / "physical.yaml"
    path.write_text(TYPES_SPEC, encoding="utf-8")
    emitter = registry.load("sql")
    declared = _declared(emitter.run(load_spec(path), emitter.make_options(dialect=dialect)))
    for kind, type_text in readme_types()[dialect].items():
        column, numbers = COLUMNS[kind]
        pattern = re.escape(type_text)
        for letter, number in numbers.items():
            pattern = re.sub(rf"\b{letter}\b", number.replace("\\", "\\\\"), pattern)
        assert re.match(rf"{pattern}(\s|,|$)", declared[column]), (kind, declared[column])


# -- README, "Keys": a ref holds the type of the key it references --------------------------------

UUID_KEY_SPEC = """\
version: 1
name: uuidkeys
models:
  Owner:
    fields:
      id: {type: uuid, primaryKey: true, default: uuid}
      name: {type: string, maxLength: 20}
  Pet:
    fields:
      id: {type: id}
      ownerId: {type: ref, to: Owner}
"""


def test_peewee_gives_a_reference_to_a_uuid_key_the_keys_own_column_type(tmp_path):
    """README, "Keys": a `ref` holds the type of the key it references, in the database: the
    tables Peewee's create_tables makes (SQLite) give the reference column the key's type."""
    import peewee

    from tests.orm_scenario import import_generated
    from tests.support import generate

    spec = tmp_path / "uuidkeys.yaml"
    spec.write_text(UUID_KEY_SPEC, encoding="utf-8")
    generate("peewee", spec, tmp_path / "models.py")
    module = import_generated(tmp_path / "models.py")
    database = peewee.SqliteDatabase(":memory:")
    module.database.initialize(database)
    database.create_tables(module.MODELS)
    types = {
        (table, row[1]): row[2].upper()
        for table in ("owner", "pet")
        for row in database.execute_sql(f'PRAGMA table_info("{table}")').fetchall()
    }
    assert types[("pet", "owner_id")] == types[("owner", "id")], types
    database.close()


# -- docs/import.md ------------------------------------------------------------------------------


def _import_sql(text: str, dialect: str) -> tuple[str, list[str]]:
    doc, notes = to_spec(read_sql(text, dialect, "schema.sql"), "schema")
    return write_spec(doc, notes, "schema.sql"), [str(n) for n in notes]


def test_a_back_reference_that_would_collide_is_made_unique(tmp_path):
    """docs/import.md: relation and back-reference names follow the spec's rule, "made unique
    where they would collide": author already has a column `posts`, the plural a back-reference
    from post would take."""
    text, _ = _import_sql(
        "CREATE TABLE author (id INT PRIMARY KEY, posts INT NOT NULL);\n"
        "CREATE TABLE post (id INT PRIMARY KEY, author_id INT NOT NULL REFERENCES author (id));\n",
        "postgres",
    )
    path = tmp_path / "imported.yaml"
    path.write_text(text, encoding="utf-8")
    spec = load_spec(path)  # refuses a back-reference named like a field of its target
    author = spec.model("Author")
    backref = spec.model("Post").field("authorId").reference.backref_attr
    assert backref not in {f.name for f in author.fields}
    assert backref != "posts"


SESSION_SETTINGS = {
    "postgres": "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n",
    "mysql": "SET NAMES utf8mb4;\nSET FOREIGN_KEY_CHECKS = 0;\n",
    "sqlite": "PRAGMA foreign_keys = ON;\n",
}


@pytest.mark.parametrize("dialect", list(SESSION_SETTINGS))
def test_session_settings_are_skipped_without_a_report(dialect):
    """docs/import.md, "What is reported": session settings (SET, PRAGMA: the head of every
    dump) describe no schema object, so they are skipped and not reported; the table after
    them is imported."""
    text, notes = _import_sql(
        SESSION_SETTINGS[dialect] + "CREATE TABLE tag (id INT PRIMARY KEY, label TEXT);\n", dialect
    )
    assert notes == []
    assert "Tag:" in text


NUMBER_DEFAULTS_SPEC = """\
version: 1
name: numbers
models:
  Gauge:
    fields:
      id: {type: id}
      ratio: {type: float, default: 5}
      price: {type: decimal, precision: 8, scale: 2, default: 2}
"""


@pytest.mark.engine
@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
def test_whole_number_defaults_of_float_and_decimal_fields_round_trip(
    engine_name, get_engine, tmp_path
):
    """docs/import.md, "Round trip": spec -> our SQL -> database -> `import db` -> spec -> our
    SQL is byte-identical; a float's or decimal's default written as a whole number stays one
    (only MySQL's catalogue turns it into a number of its own, which the doc names)."""
    from tests.test_import import through_database

    spec = tmp_path / "numbers.yaml"
    spec.write_text(NUMBER_DEFAULTS_SPEC, encoding="utf-8")
    through_database(spec, engine_name, get_engine, tmp_path)


# -- mermaid's --max-chars ----------------------------------------------------------------------


def test_a_table_longer_than_max_chars_alone_is_one_usage_error():
    """Every diagram part stays within --max-chars (tests/test_docs_emitters.py); a table that
    alone needs more cannot be split, which is bad input: one line naming the table, exit 2."""
    from tests.support import run_cli

    spec = ROOT / "tests" / "specs" / "shop.yaml"
    result = run_cli("mermaid", "--spec", str(spec), "--format", "markdown", "--max-chars", "100")
    assert result.returncode == 2, result.stdout
    assert re.fullmatch(
        r"vigilo-gen: error: table \S+ alone needs \d+ characters of diagram; "
        r"--max-chars is 100\n",
        result.stderr,
    ), result.stderr


# -- README, gap A1: Prisma's CHECKs are /// comments on the fields ------------------------------


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
@pytest.mark.parametrize("spec_name", ["shop", "blog", "parcel"])
def test_prisma_names_every_check_of_our_sql_in_a_comment(spec_name, dialect):
    """README, A1: Prisma cannot create CHECK constraints, "they are `///` comments on the
    fields": each CHECK our SQL creates on the engine (named in it) is named in a `///` line."""
    spec = load_spec(ROOT / "tests" / "specs" / f"{spec_name}.yaml")
    sql = registry.load("sql")
    checks = set(
        re.findall(
            r'CONSTRAINT ["`](\w+)["`] CHECK', sql.run(spec, sql.make_options(dialect=dialect))
        )
    )
    assert checks, "the spec has CHECKs to look for"
    prisma = registry.load("prisma")
    schema = prisma.run(spec, prisma.make_options(dialect=dialect))
    comments = "\n".join(line for line in schema.splitlines() if line.strip().startswith("///"))
    assert {name for name in checks if name not in comments} == set()


def test_a_long_statement_that_is_not_ddl_is_reported_in_one_line():
    """docs/import.md, "What is reported": a statement that is not DDL (nor a dump's rows) is
    one report line, with its place; a long one is shortened, not an internal error."""
    roles = ", ".join(f"reader_number_{i}" for i in range(20))
    _, notes = _import_sql(
        "CREATE TABLE tag (id INT PRIMARY KEY, label TEXT);\n"
        f"GRANT SELECT, INSERT, UPDATE ON tag TO {roles};\n",
        "postgres",
    )
    assert len(notes) == 1
    assert notes[0].startswith("schema.sql:2:1: not imported: statement ")
    assert "GRANT SELECT" in notes[0]
    assert len(notes[0]) < 120


# -- docs/migrations.md: a migrated database equals a fresh build of the new spec ---------------


@pytest.mark.engine
@pytest.mark.parametrize("engine_name", ["postgres", "mariadb"])
def test_removing_a_model_description_migrates_to_a_fresh_build(tmp_path, get_engine, engine_name):
    """A model's description is its table's comment (README); removing it from the spec
    migrates the table to what a fresh build of the new spec is, on each engine that keeps
    comments (MariaDB has no NULL table comment: an empty one is none)."""
    from tests.migration_support import migrate_and_compare
    from tests.test_migrate import SHOP, edited, specs

    new = edited(
        SHOP, ("    description: A category tree; each group may have a parent group.\n", "")
    )
    old, new = specs(tmp_path, SHOP, new)
    script = migrate_and_compare(
        get_engine(engine_name), old, new, allow_destructive=False, ignore=()
    )
    assert "COMMENT" in script


# -- tests/test_names.py's rule: no model or enum name is refused by any emitter ----------------

CLASHING_NAMES_SPEC = """\
version: 1
name: clashing
enums:
  State: [open, shut]
models:
  StateValues:
    fields:
      id: {type: id}
      state: {type: enum, enum: State}
"""


def test_drizzle_keeps_an_enum_values_array_apart_from_a_table_of_its_name(tmp_path):
    """No model or enum name is refused by any emitter (tests/test_names.py): enum State's
    values array (stateValues) and model StateValues's table (stateValues) both exist, under
    two names."""
    path = tmp_path / "clashing.yaml"
    path.write_text(CLASHING_NAMES_SPEC, encoding="utf-8")
    drizzle = registry.load("drizzle")
    text = drizzle.run(load_spec(path), drizzle.make_options(dialect="postgres"))
    exported = re.findall(r"^export const (\w+)", text, re.M)
    assert len(exported) == len(set(exported)), exported
    assert any(name.endswith("stateValues") and name != "stateValues" for name in exported)


# -- docs/import.md, "Merging: --into SPEC": the database decides the physical facts -----------

ENUM_LENGTH_SPEC = """\
version: 1
name: lengths
enums:
  State: [open, shut]
models:
  Door:
    fields:
      id: {type: id}
      state: {type: enum, enum: State{length}}
"""


def test_merging_takes_an_enum_columns_length_from_the_database(tmp_path):
    """--into: the database decides the physical facts; a spec whose enum field says
    maxLength: 255 merged with a database whose column has the enum's own length gives the
    database's SQL back (the explicit length goes)."""
    from tests.support import run_cli

    database_spec = tmp_path / "database.yaml"
    database_spec.write_text(ENUM_LENGTH_SPEC.replace("{length}", ""), encoding="utf-8")
    sql = registry.load("sql")
    ddl = tmp_path / "schema.sql"
    ddl.write_text(sql.run(load_spec(database_spec), sql.make_options(dialect="postgres")))
    spec = tmp_path / "lengths.yaml"
    spec.write_text(ENUM_LENGTH_SPEC.replace("{length}", ", maxLength: 255"), encoding="utf-8")
    result = run_cli("import", "sql", str(ddl), "--dialect", "postgres", "--into", str(spec))
    assert result.returncode == 0, result.stderr
    options = sql.make_options(dialect="postgres")
    merged = sql.run(load_spec(spec), options).split("\n-- Dialect: ", 1)[1]
    assert merged == sql.run(load_spec(database_spec), options).split("\n-- Dialect: ", 1)[1]


# -- docs/plugins.md: an emitter name registered twice is an error naming both packages ----------


@pytest.mark.parametrize("module", ["aa_shadow_plugin", "zz_shadow_plugin"])
def test_a_duplicate_name_is_found_whatever_the_plugins_module_is_called(module, tmp_path):
    """The clash is found whichever registration comes first and however its module sorts
    beside vigilo_gen's (tests/test_plugins.py checks one module name)."""
    from tests.support import run_cli
    from tests.test_plugins import MARKER_PLUGIN, SHOP, env_with, install_plugin

    site = install_plugin(
        tmp_path / "site",
        "vigilo-gen-shadow",
        {"prisma": "emitter"},
        module,
        MARKER_PLUGIN.replace('"tables"', '"prisma"'),
    )
    env = {**env_with(site), "PLUGIN_MARKER": str(tmp_path / "marker")}
    result = run_cli("prisma", "--spec", str(SHOP), env=env)
    assert result.returncode == 2, result.stderr
    assert (
        "vigilo-gen: error: emitter 'prisma' is registered by vigilo-gen "
        f"(vigilo_gen.emitters.prisma:emitter) and vigilo-gen-shadow ({module}:emitter)"
    ) in result.stderr


# -- README, field types: a ref's default backref ------------------------------------------------

BACKREFS_SPEC = """\
version: 1
name: backrefs
models:
  Shelf:
    fields:
      id: {type: id}
"""
# model -> the plural the README's examples give for it
PLURALS = {
    "Tag": "tags",
    "Box": "boxes",
    "Status": "statuses",
    "Category": "categories",
    "Day": "days",
}


def test_a_refs_default_backref_is_its_models_plural():
    """README, field types: `backref` defaults to the referencing model's name in lowerCamelCase,
    plural unless the ref is unique (then singular)."""
    import tempfile

    text = (
        BACKREFS_SPEC
        + "".join(
            f"  {name}:\n    fields:\n      id: {{type: id}}\n"
            "      shelfId: {type: ref, to: Shelf}\n"
            for name in PLURALS
        )
        + "  Label:\n    fields:\n      id: {type: id}\n"
        "      shelfId: {type: ref, to: Shelf, unique: true}\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "backrefs.yaml"
        path.write_text(text, encoding="utf-8")
        spec = load_spec(path)
    got = {m.name: m.field("shelfId").reference.backref for m in spec.models if m.name != "Shelf"}
    assert got == {**PLURALS, "Label": "label"}


AMBIGUOUS_SPEC = """\
version: 1
name: backrefs
models:
  User:
    fields:
      id: {type: id}
      mentorId: {type: ref, to: User, nullable: true}
  Order:
    fields:
      id: {type: id}
      ownerId: {type: ref, to: User}
      buyerId: {type: ref, to: User, unique: true}
  Box:
    fields:
      id: {type: id}
      userId: {type: ref, to: User}
"""


def test_a_default_backref_names_the_relation_where_the_model_alone_would_be_ambiguous(tmp_path):
    """README, field types: where a model references itself, or another model through several
    refs, the default backref is followed by the relation's name (`usersMentor`,
    `ordersOwner`, `orderBuyer`); a single ref keeps the plain plural (`boxes`)."""
    path = tmp_path / "backrefs.yaml"
    path.write_text(AMBIGUOUS_SPEC, encoding="utf-8")
    spec = load_spec(path)
    got = {(m.name, f.name): f.reference.backref
           for m in spec.models for f in m.fields if f.reference is not None}
    assert got == {("User", "mentorId"): "usersMentor", ("Order", "ownerId"): "ordersOwner",
                   ("Order", "buyerId"): "orderBuyer", ("Box", "userId"): "boxes"}


# -- README, the escape hatch for a default only SQL can say -----------------------------------

SQL_DEFAULT_SPEC = """\
version: 1
models:
  Page:
    fields:
      id: {type: id}
      slug: {type: string, maxLength: 40,
             default: {sql: {postgres: "md5(random()::text)", mysql: "(md5(rand()))"}}}
"""


@pytest.mark.parametrize("target", ["prisma", "drizzle", "sql"])
def test_a_dialect_the_sql_default_does_not_name_is_said_to_have_none(target, tmp_path):
    """README: "a dialect not named has no default, which its output says"."""
    path = tmp_path / "page.yaml"
    path.write_text(SQL_DEFAULT_SPEC)
    emitter = registry.load(target)
    text = emitter.run(load_spec(path), emitter.make_options(dialect="sqlite"))
    said = [line for line in text.splitlines() if "mysql, postgres only" in line]
    assert len(said) == 1, text
    assert ("sqlite" in said[0] or "here" in said[0]) and "default" in said[0]
    assert "md5" not in text.split(said[0], 1)[1]  # no default written for SQLite


# -- README, "Keys" ------------------------------------------------------------------------------

KEY_LAST_SPEC = """\
version: 1
models:
  Language:
    fields:
      name: {type: string, maxLength: 40}
      rank: {type: int, nullable: true}
      code: {type: string, maxLength: 3, primaryKey: true}
  Film:
    fields:
      id: {type: id}
      languageCode: {type: ref, to: Language}
"""


@pytest.mark.parametrize("dialect", sorted(ENGINES.values()))
def test_the_key_is_the_field_marked_primary_key_wherever_it_is_listed(dialect, tmp_path):
    """README: every model has one primary key, an id field or a field with primaryKey: true;
    a ref holds the type of the key it references (here VARCHAR(3))."""
    path = tmp_path / "keys.yaml"
    path.write_text(KEY_LAST_SPEC)
    emitter = registry.load("sql")
    text = emitter.run(load_spec(path), emitter.make_options(dialect=dialect))
    q = '`' if dialect == "mysql" else '"'
    assert f"PRIMARY KEY ({q}code{q})" in text
    assert re.search(rf"{q}language_code{q} VARCHAR\(3\) NOT NULL", text), text
    assert f"REFERENCES {q}language{q} ({q}code{q})" in text


def test_a_unique_constraint_on_the_key_columns_is_skipped_without_a_report():
    """docs/import.md: a unique constraint on exactly the primary key's columns describes
    nothing the key does not; it is skipped without a line."""
    sql = ('CREATE TABLE "shelf" ("code" VARCHAR(8) NOT NULL, "name" TEXT, CONSTRAINT '
           '"shelf_pkey" PRIMARY KEY ("code"), CONSTRAINT "shelf_code_key" UNIQUE ("code"));\n')
    text, report = _import_sql(sql, "postgres")
    assert report == []
    assert "unique" not in text and "primaryKey: true" in text


# MySQL/MariaDB triggers as dumps write them: clauses before TRIGGER, a BEGIN ... END body.
TRIGGERS = [
    "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END;",
    "CREATE DEFINER=`root`@`localhost` TRIGGER trg BEFORE INSERT ON t FOR EACH ROW "
    "BEGIN SET NEW.a = 1; SET NEW.b = 2; END;",
    "CREATE OR REPLACE DEFINER=root TRIGGER trg BEFORE INSERT ON t FOR EACH ROW "
    "BEGIN SET NEW.a = 1; SET NEW.b = 2; END;",
]


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_a_trigger_with_a_body_is_one_report_item_whatever_precedes_trigger(trigger):
    """docs/import.md: each construct the spec cannot hold is one line, at its statement's
    start; the semicolons inside a trigger's BEGIN ... END do not end it."""
    sql = "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT);\n" + trigger + "\n"
    text, report = _import_sql(sql, "mysql")
    assert len(report) == 1 and report[0].startswith("schema.sql:2:1: not imported: "), report
    assert "trigger trg" in report[0].lower()
    assert all(f"      {c}: " in text for c in ("a", "b"))


def test_our_updated_at_trigger_on_a_column_that_is_not_a_datetime_is_reported():
    """docs/import.md: our updated_at trigger reads back as updatedAt: true, which only a
    datetime takes; on any other column it is one report line, and the column stays plain."""
    emitter = registry.load("sql")
    shop = emitter.run(load_spec(ROOT / "tests" / "specs" / "shop.yaml"),
                       emitter.make_options(dialect="postgres"))
    function = re.search(r"^CREATE OR REPLACE FUNCTION .*?^\$\$;$", shop, re.M | re.S).group(0)
    sql = (function + '\n\nCREATE TABLE "t" ("id" VARCHAR(36) NOT NULL, "stamp" TEXT, '
           'CONSTRAINT "t_pkey" PRIMARY KEY ("id"));\n\n'
           'CREATE TRIGGER "t_stamp_trigger" BEFORE UPDATE ON "t"\n'
           '  FOR EACH ROW EXECUTE FUNCTION "vigilo_gen_set_updated_at"(\'stamp\');\n')
    text, report = _import_sql(sql, "postgres")
    assert [line.split(": ", 1)[1] for line in report] == [
        "t.stamp is kept current on update but is not a datetime (not imported)"]
    assert "stamp: {type: text, nullable: true}" in text and "updatedAt" not in text


# -- docs/plugins.md: what a plug-in's render() reads ----------------------------------------------


def _dataclass_objects(value, seen: set[int]):
    """Every dataclass instance reachable from ``value`` (through fields, tuples, dicts)."""
    import dataclasses

    if id(value) in seen:
        return
    seen.add(id(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield value
        for field in dataclasses.fields(value):
            yield from _dataclass_objects(getattr(value, field.name), seen)
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _dataclass_objects(item, seen)
    elif isinstance(value, dict):
        for item in (*value.keys(), *value.values()):
            yield from _dataclass_objects(item, seen)


@pytest.mark.parametrize("spec_path", [ROOT / "spec" / "vigilo.yaml",
                                       *sorted((ROOT / "tests" / "specs").glob("*.yaml"))],
                         ids=lambda p: p.stem)
def test_the_spec_model_is_frozen_dataclasses_all_the_way_down(spec_path, tmp_path):
    """docs/plugins.md: render() reads a Spec of frozen dataclasses, so a plug-in may hash any
    part of it and none can change it. An SQL default (the README's escape hatch) included."""
    import dataclasses

    text = spec_path.read_text(encoding="utf-8")
    path = tmp_path / spec_path.name
    path.write_text(text)
    objects = list(_dataclass_objects(load_spec(path), set()))
    assert objects
    for value in objects:
        assert type(value).__dataclass_params__.frozen, type(value).__name__
        hash(value)
    page = tmp_path / "page.yaml"
    page.write_text(SQL_DEFAULT_SPEC)
    kinds = {type(v).__name__ for v in _dataclass_objects(load_spec(page), set())}
    assert "SqlDefault" in kinds
    assert all(type(v).__dataclass_params__.frozen
               for v in _dataclass_objects(load_spec(page), set()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        objects[0].name = "changed"


def test_a_parse_errors_place_is_the_1_based_line_and_column_of_its_offset():
    from vigilo_gen.importer.parse_sql import position

    text = "CREATE TABLE a (x INT);\nCREATE TABLE b (\n  y INT\n);\n"
    assert position(text, 0) == (1, 1)
    assert position(text, text.index("CREATE TABLE b")) == (2, 1)
    assert position(text, text.index("y INT")) == (3, 3)


def test_an_imported_enums_name_is_numbered_from_2_where_taken():
    """docs/import.md: an enum is named after its field; where that name is taken, after the
    model and the field; where that is taken too, that name numbered from 2."""
    sql = (
        "CREATE TABLE t (id INT PRIMARY KEY, state VARCHAR(5) NOT NULL CHECK "
        "(state IN ('a', 'b')));\n"
        "CREATE TABLE x (id INT PRIMARY KEY, u_state VARCHAR(5) NOT NULL CHECK "
        "(u_state IN ('c', 'd')), u_state2 VARCHAR(5) NOT NULL CHECK (u_state2 IN ('e', 'f')));\n"
        "CREATE TABLE u (id INT PRIMARY KEY, state VARCHAR(5) NOT NULL CHECK "
        "(state IN ('g', 'h')));\n"
    )
    text, report = _import_sql(sql, "postgres")
    assert report == []
    for line in ("  State: [a, b]", "  UState: [c, d]", "  UState2: [e, f]",
                 "  UState3: [g, h]"):
        assert line in text.splitlines(), text


# -- docs/import.md: what is imported, what is reported, and merging -----------------------------


def test_a_table_whose_key_is_three_references_is_not_a_join_model():
    """docs/import.md: a table of nothing but *two* foreign keys to two other tables, which make
    its key, is a join model (a manyToMany on one side); one of three such references is a
    model of its own, with no manyToMany through it."""
    tables = "".join(f"CREATE TABLE {t} (id INT PRIMARY KEY);\n" for t in "abc")
    refs = {t: f"{t}_id INT NOT NULL REFERENCES {t} (id)" for t in "abc"}
    three = (f"CREATE TABLE abc ({refs['a']}, {refs['b']}, {refs['c']}, "
             "PRIMARY KEY (a_id, b_id, c_id));\n")
    two = f"CREATE TABLE ab ({refs['a']}, {refs['b']}, PRIMARY KEY (a_id, b_id));\n"
    text, report = _import_sql(tables + three, "postgres")
    assert report == [] and "Abc:" in text
    assert "manyToMany" not in text, text
    text, _ = _import_sql(tables + two, "postgres")  # the rule's own case, for contrast
    assert "manyToMany: {bs: {through: Ab}}" in text, text


def test_a_range_check_over_two_columns_is_reported_and_bounds_neither():
    """docs/import.md: `CHECK (col >= x AND col <= y)` on one column is its min and max; a CHECK
    of another form (here the bounds of two columns) is one report line, and neither column
    gets a bound."""
    sql = ("CREATE TABLE t (id INT PRIMARY KEY, lo INT NOT NULL, hi INT NOT NULL, "
           "CHECK (lo >= 0 AND hi <= 10));\n")
    text, report = _import_sql(sql, "postgres")
    assert report == ["schema.sql:1:71: not imported: CHECK on t: lo >= 0 AND hi <= 10"]
    assert "lo: {type: int}" in text and "hi: {type: int}" in text


EXPLICIT_DEFAULTS_SPEC = """\
version: 1
name: explicit
models:
  Author:
    fields:
      id: {type: id}
  Post:
    fields:
      id: {type: id}
      authorId: {type: ref, to: Author, onDelete: cascade}
      editorId: {type: ref, to: Author, nullable: true, onDelete: setNull}
"""


def test_merging_keeps_an_on_delete_the_spec_states_although_it_is_the_default(tmp_path):
    """docs/import.md, "Merging: --into SPEC": a fact the spec states explicitly although it is
    the default (`onDelete: cascade` on a required reference) stays."""
    from tests.support import run_cli

    spec = tmp_path / "explicit.yaml"
    spec.write_text(EXPLICIT_DEFAULTS_SPEC, encoding="utf-8")
    sql = registry.load("sql")
    ddl = tmp_path / "schema.sql"
    ddl.write_text(sql.run(load_spec(spec), sql.make_options(dialect="postgres")))
    result = run_cli("import", "sql", str(ddl), "--dialect", "postgres", "--into", str(spec))
    assert result.returncode == 0, result.stderr
    merged = spec.read_text(encoding="utf-8")
    assert "authorId: {type: ref, to: Author, onDelete: cascade}" in merged, merged
    assert "editorId: {type: ref, to: Author, nullable: true, onDelete: setNull}" in merged


@pytest.mark.parametrize("values", ["0, 1, 2", "1, 2", "1, 0, 5"])
def test_only_a_check_of_exactly_0_and_1_makes_an_oracle_number_1_a_bool(values):
    """docs/import.md, oracle: `NUMBER(1)` with its CHECK (IN (0, 1)) is a bool; a NUMBER(1)
    checked against other numbers is no bool, and its CHECK (of another form) is reported."""
    sql = (f"CREATE TABLE t (id NUMBER(10) PRIMARY KEY, flag NUMBER(1) NOT NULL CHECK "
           f"(flag IN (1, 0)), lvl NUMBER(1) NOT NULL CHECK (lvl IN ({values})));\n")
    text, report = _import_sql(sql, "oracle")
    assert "flag: {type: bool}" in text
    assert "lvl: {type: bool}" not in text and "lvl: {type: decimal" in text, text
    assert len(report) == 1 and report[0].endswith(f"CHECK on t: lvl IN ({values})"), report


SELF_REFERENCES_SPEC = """\
version: 1
name: selfrefs
models:
  Node:
    fields:
      code: {type: string, maxLength: 5, primaryKey: true}
      serial: {type: int, unique: true}
      parentCode: {type: ref, to: Node, nullable: true, foreignKeyName: node_up}
      twinSerial: {type: ref, to: Node, references: serial, nullable: true, onDelete: cascade}
"""


def test_a_self_reference_bigquery_does_not_declare_is_imported_whatever_its_name(tmp_path):
    """docs/import.md, bigquery: a self-reference BigQuery refuses to declare is read back from
    its header line, which names its table, columns and referenced columns, under a name of
    its own too; a file written before the line said them still gives the default name's."""
    spec = tmp_path / "selfrefs.yaml"
    spec.write_text(SELF_REFERENCES_SPEC, encoding="utf-8")
    sql = registry.load("sql").run(load_spec(spec),
                                   registry.load("sql").make_options(dialect="bigquery"))
    assert "foreign key node_up on node (parent_code) references node (code) but is not " \
        "declared: BigQuery refuses a foreign key to its own table" in sql
    text, _ = _import_sql(sql, "bigquery")
    assert "parentCode: {type: ref, to: Node, foreignKeyName: node_up, nullable: true" in text
    assert "twinSerial: {type: ref, to: Node, references: serial, onDelete: cascade, " \
        "nullable: true" in text
    older = re.sub(r" on node \([^)]*\) references node \([^)]*\) but is not declared",
                   " is not declared", sql)
    assert older.count("is not declared: BigQuery") == 2
    text, report = _import_sql(older, "bigquery")
    assert "twinSerial: {type: ref, to: Node" in text  # under its default name
    assert "parentCode: {type: string, maxLength: 5, nullable: true" in text
    assert any("foreign key node_up is not in the SQL and its name is not the default one"
               in line for line in report)


def test_merging_takes_every_kind_of_physical_change_from_the_database(tmp_path):
    """docs/import.md, "Merging: --into SPEC": the database decides the physical facts (tables,
    columns, types, keys, constraints), matched by physical name; the spec keeps the rest. The
    database here differs from the spec in each kind of fact: a table it has that the spec
    lacks, a renamed table, a dropped column, a column comment, a unique dropped and an index
    added; the merged spec gives the database's SQL, with the spec's comments and relation
    names kept."""
    from tests.support import run_cli
    from tests.test_import import sql_of

    original = (ROOT / "tests" / "specs" / "shop.yaml").read_text(encoding="utf-8")
    edits = [
        ("      bio: {type: text, nullable: true}\n", ""),
        ("  Group:\n    description:", "  Group:\n    table: groups\n    description:"),
        ("    unique:\n      - [parentId, name]\n", ""),
        ("      - [groupId]\n", "      - [groupId]\n      - [rating]\n"),
        ("      placedAt: {type: datetime, nullable: true}",
         "      placedAt: {type: datetime, nullable: true, description: When it was placed.}"),
        ("\n  Order:\n", "\n  Coupon:\n    fields:\n      id: {type: id}\n"
         "      percent: {type: int, min: 1, max: 90}\n\n  Order:\n"),
    ]
    database_text = original
    for old, new in edits:
        assert old in database_text, old
        database_text = database_text.replace(old, new, 1)
    database = tmp_path / "database.yaml"
    database.write_text(database_text, encoding="utf-8")
    ddl = tmp_path / "schema.sql"
    sql = registry.load("sql")
    ddl.write_text(sql.run(load_spec(database), sql.make_options(dialect="postgres")))
    spec = tmp_path / "shop.yaml"
    spec.write_text(original, encoding="utf-8")
    result = run_cli("import", "sql", str(ddl), "--dialect", "postgres", "--into", str(spec))
    assert result.returncode == 0, result.stderr
    assert sql_of(spec, "postgres") == sql_of(database, "postgres")
    merged = spec.read_text(encoding="utf-8")
    assert merged.startswith(original.split("version:")[0])  # the spec's opening comments
    assert "relation: reviewer, backref: reviewedOrders" in merged  # names the spec gave


def test_a_second_foreign_key_on_a_column_is_reported_and_the_first_is_its_ref():
    """docs/import.md: a second foreign key on a column that has one is one report line; the
    first is the column's ref."""
    sql = ("CREATE TABLE a (id INT PRIMARY KEY);\nCREATE TABLE b (id INT PRIMARY KEY);\n"
           "CREATE TABLE c (id INT PRIMARY KEY, x INT REFERENCES a (id), "
           "CONSTRAINT c_x_b FOREIGN KEY (x) REFERENCES b (id));\n")
    text, report = _import_sql(sql, "postgres")
    assert report == ["schema.sql:3:1: not imported: second foreign key c_x_b on c.x"]
    assert "x: {type: ref, to: A," in text


def _python_module(target: str, spec_text: str, folder: Path):
    """The module a Python emitter (sqlalchemy, peewee) writes for ``spec_text``, imported."""
    from tests.orm_scenario import import_generated

    spec_path = folder / "spec.yaml"
    spec_path.write_text(spec_text, encoding="utf-8")
    emitter = registry.load(target)
    module_path = folder / f"{target}_models.py"
    module_path.write_text(emitter.run(load_spec(spec_path), emitter.make_options()),
                           encoding="utf-8")
    return import_generated(module_path)


QUOTED_DOCS_SPEC = '''\
version: 1
name: quoted
title: '"Quoted" title, ending in a quote"'
enums:
  Tone:
    description: '"Loud" or quiet, said "twice"'
    values: [loud, quiet]
models:
  Memo:
    description: '"Begins" with a quote and ends with one"'
    fields:
      id: {type: id}
      tone: {type: enum, enum: Tone}
  Slash:
    description: 'Ends with a backslash and a quote \\"'
    fields:
      id: {type: id}
'''


@pytest.mark.parametrize("target", ["sqlalchemy", "peewee"])
def test_a_docstring_that_begins_or_ends_with_a_quote_says_the_text_exactly(target, tmp_path):
    """README: descriptions become docstrings, put in every target as written. A text that
    begins or ends with a double quote cannot open or close the docstring early: the module
    imports and each docstring is the text."""
    import inspect

    module = _python_module(target, QUOTED_DOCS_SPEC, tmp_path)
    assert inspect.getdoc(module.Memo) == '"Begins" with a quote and ends with one"'
    assert inspect.getdoc(module.Slash) == 'Ends with a backslash and a quote \\"'
    assert ' models of the "Quoted" title, ending in a quote".\n' in inspect.getdoc(module)
    if target == "sqlalchemy":  # the enum's own class (Peewee keeps values in a tuple)
        assert inspect.getdoc(module.Tone) == '"Loud" or quiet, said "twice"'


SHADOWS_SPEC = """\
version: 1
name: shadows
models:
  String:
    fields:
      id: {type: id}
      label: {type: string, maxLength: 20}
  _String:
    fields:
      id: {type: id}
      stringId: {type: ref, to: String}
      note: {type: text, nullable: true}
"""


@pytest.mark.parametrize("target", ["sqlalchemy", "peewee"])
def test_models_named_like_a_helper_and_its_alias_make_a_module_that_works(target, tmp_path):
    """README: models are identifiers (`[A-Za-z_][A-Za-z0-9_]*`), and the generated module
    renames a helper a model hides (`String` -> `_String`). A model `_String` takes that alias
    too: the next one must still be a name Python does not mangle inside a class body (two
    leading underscores would be). The module imports, and a row of each model round-trips
    through SQLite."""
    module = _python_module(target, SHADOWS_SPEC, tmp_path)
    string_model, other_model = module.String, module._String
    if target == "sqlalchemy":
        import sqlalchemy as sa
        from sqlalchemy.orm import Session

        engine = sa.create_engine(f"sqlite:///{tmp_path / 'a.db'}")
        module.Base.metadata.create_all(engine)
        with Session(engine) as session:
            parent = string_model(label="hello")
            session.add(parent)
            session.flush()
            session.add(other_model(string_id=parent.id, note="n"))
            session.commit()
            assert session.scalars(sa.select(other_model)).one().string_id == parent.id
        engine.dispose()
    else:
        import peewee

        database = peewee.SqliteDatabase(str(tmp_path / "p.db"))
        module.database.initialize(database)
        database.create_tables(module.MODELS)
        parent = string_model.create(label="hello")
        other_model.create(string=parent, note="n")
        assert other_model.get().string.label == "hello"
        database.close()


CHAR_KEY_SPEC = """\
version: 1
name: geo
models:
  Country:
    fields:
      code: {type: string, length: 3, primaryKey: true}
  City:
    fields:
      id: {type: id}
      countryCode: {type: ref, to: Country}
"""


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_a_reference_to_a_fixed_length_key_has_the_keys_char_type(dialect, tmp_path):
    """README: a ref holds the values of the key it references, in that key's type; a string
    key with `length: 3` is CHAR(3) (the README's type table), so is the column referencing
    it, in our SQL and in SQLAlchemy's DDL of the generated models."""
    import sqlalchemy as sa
    from sqlalchemy.schema import CreateTable

    from tests.orm_scenario import import_generated

    spec_path = tmp_path / "geo.yaml"
    spec_path.write_text(CHAR_KEY_SPEC, encoding="utf-8")
    spec = load_spec(spec_path)
    sql = registry.load("sql").run(spec, registry.load("sql").make_options(dialect=dialect))
    quote = "`" if dialect == "mysql" else '"'
    assert re.search(rf"{quote}code{quote} CHAR\(3\) NOT NULL", sql), sql
    assert re.search(rf"{quote}country_code{quote} CHAR\(3\) NOT NULL", sql), sql
    emitter = registry.load("sqlalchemy")
    module_path = tmp_path / "geo_models.py"
    module_path.write_text(emitter.run(spec, emitter.make_options()), encoding="utf-8")
    module = import_generated(module_path)
    ddl = str(CreateTable(module.City.__table__).compile(
        dialect=sa.create_engine("sqlite://").dialect))
    assert "country_code CHAR(3) NOT NULL" in ddl, ddl


# -- seed 27 ------------------------------------------------------------------------------------


def test_the_markdown_reference_names_an_inline_objects_properties():
    """README, the Markdown reference: each schema's properties in a table with a short type;
    an object written inline (`owner: {object: {name: Person.name}, via: owner}`) is its
    properties' names, `or null` when the spec says `nullable: true`."""
    from tests.test_docs_emitters import render_markdown

    spec_path = ROOT / "tests" / "contract" / "params.yaml"
    text = registry.load("markdown").run(load_spec(spec_path),
                                         registry.load("markdown").make_options())
    rows = {row[0]: row[1] for row in render_markdown(text).rows if len(row) == 3}
    assert rows["owner"] == "object {name}", rows
    assert rows["keeper"] == "object {name} or null", rows


def test_mysqls_now_function_as_a_default_is_read_as_now():
    """docs/import.md: `DEFAULT CURRENT_TIMESTAMP` is `default: now`; MySQL's NOW() is its
    synonym (MySQL manual, "NOW() ... CURRENT_TIMESTAMP and CURRENT_TIMESTAMP() are synonyms
    for NOW()"), so a hand-written `DEFAULT NOW()` is `now` too."""
    doc, _ = to_spec(read_sql("CREATE TABLE event (id INT PRIMARY KEY,\n"
                              "  at DATETIME NOT NULL DEFAULT NOW());\n", "mysql", "e.sql"), "e")
    assert doc["models"]["Event"]["fields"]["at"].get("default") == "now", doc


# Two models whose tables are named like drizzle's `index` and its first alias `_index`.
INDEX_TWICE = """\
version: 1
name: shelves
models:
  Index:
    fields:
      id: {type: id}
      label: {type: string, maxLength: 20, index: true}
  _index:
    fields:
      id: {type: id}
"""


@pytest.mark.node
def test_an_import_both_of_whose_first_names_are_tables_takes_the_next(tmp_path):
    """The drizzle module's imports step around the module-level names the spec takes (its
    table variables): `index` is a table and so is `_index`, so drizzle's index comes in as
    `__index`, and the module type-checks (tsc --strict)."""
    from tests.support import generate
    from tests.test_drizzle import node_tool

    spec = tmp_path / "shelves.yaml"
    spec.write_text(INDEX_TWICE, encoding="utf-8")
    module = tmp_path / "shelves.ts"
    generate("drizzle", spec, module, "--dialect", "postgres")
    text = module.read_text(encoding="utf-8")
    assert "index as __index" in text, text
    result = node_tool("tsc-check.mjs", str(module), "--", "--noUnusedLocals")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_routers_header_wraps_within_ruffs_line_length(tmp_path):
    """The FastAPI router passes ruff at its 88 columns (README: the generated Python passes
    ruff): a header line that would be 89 characters (the command line with an eight-character
    spec path) continues on a "#   " line."""
    import subprocess
    import sys

    from tests.support import run_cli

    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "pp.yml").write_text(
        (ROOT / "tests" / "contract" / "params.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    result = run_cli("fastapi", "--spec", "x/pp.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    router = tmp_path / "router.py"
    router.write_text(result.stdout, encoding="utf-8")
    assert "--spec\n#   x/pp.yml\n" in result.stdout, result.stdout[:400]
    check = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select",
                            "E501", "--line-length", "88", str(router)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_a_derived_name_over_63_characters_keeps_its_start_and_a_digest():
    """README, "Names": a derived constraint name longer than 63 characters (PostgreSQL's
    limit) keeps its first 54 characters and ends in `_` and the first 8 hex digits of the
    full name's SHA-1; in the SQL of a spec whose table and columns make such a name."""
    import hashlib

    table = "a_table_whose_name_is_rather_long"
    spec_text = (f"version: 1\nname: long\nmodels:\n  T:\n    table: {table}\n    fields:\n"
                 "      id: {type: id}\n"
                 "      first_column_of_the_key: {type: int}\n"
                 "      second_column_of_the_key: {type: int}\n"
                 "    unique: [[first_column_of_the_key, second_column_of_the_key]]\n")
    full = f"{table}_first_column_of_the_key_second_column_of_the_key_key"
    assert len(full) > 63
    expected = f"{full[:54]}_{hashlib.sha1(full.encode()).hexdigest()[:8]}"
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.yaml"
        path.write_text(spec_text, encoding="utf-8")
        sql = registry.load("sql").run(load_spec(path),
                                       registry.load("sql").make_options(dialect="postgres"))
    assert f'CONSTRAINT "{expected}" UNIQUE' in sql, sql
