"""``import ... --into SPEC``: each rule of docs/import.md, "Merging: --into SPEC", against a
database that differs from the spec in that one respect. The database is a second spec's SQL,
so "the database decides the physical facts" has one check: the merged spec gives that SQL.
In process (the merge's own API) where the rule is the merge's; through the CLI where it is
what the user sees (the message, the file left alone)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from vigilo_gen import registry
from vigilo_gen.errors import UsageError
from vigilo_gen.importer.merge import merge_into
from vigilo_gen.importer.parse_sql import read_sql
from vigilo_gen.importer.report import check_spec
from vigilo_gen.importer.to_spec import to_spec
from vigilo_gen.spec import load_spec

from tests.support import run_cli

SQL = registry.load("sql")


def _sql(spec: Path) -> str:
    return SQL.run(load_spec(spec), SQL.make_options(dialect="postgres"))


def _body(sql: str) -> str:
    return sql.split("\n-- Dialect: ", 1)[1]  # without the header, which names the spec file


def _merge(tmp_path: Path, spec_text: str, database_text: str) -> tuple[str, Path]:
    """The spec merged with the database that ``database_text``'s SQL creates: the merged text,
    and the database's spec (to compare SQL against)."""
    database = tmp_path / "database.yaml"
    database.write_text(database_text, encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text, encoding="utf-8")
    doc, _ = to_spec(read_sql(_sql(database), "postgres", "schema.sql"), "schema")
    merged = merge_into(spec, doc)
    spec.write_text(merged, encoding="utf-8")
    return merged, database


def _fields(text: str, model: str) -> dict:
    return yaml.safe_load(text)["models"][model]["fields"]


# One spec and the database variants below, each differing from it in one kind of fact.
DEPOT = """\
version: 1
name: depot
enums:
  Grade: [low, high]
models:
  Shelf:
    fields:
      id: {type: id}
      serial: {type: int, unique: true}
      label: {type: string, maxLength: 255}
      stockedAt: {type: datetime, precision: 3}
      grade: {type: enum, enum: Grade}
  Crate:
    fields:
      id: {type: id}
      shelfId: {type: ref, to: Shelf, foreignKey: false}
      shelfSerial: {type: ref, to: Shelf, references: serial, foreignKey: false, nullable: true}
      note: {type: string, maxLength: 200, nullable: true}
"""


def test_a_foreign_key_false_reference_that_gained_its_foreign_key_becomes_a_plain_reference(
        tmp_path):
    """The database decides the physical facts: a `foreignKey: false` reference whose column
    now has a FOREIGN KEY is a reference with that key's facts (its ON DELETE), and no longer
    says `foreignKey: false` (a spec saying both is refused: onDelete needs a foreign key)."""
    database = DEPOT.replace(
        "shelfId: {type: ref, to: Shelf, foreignKey: false}",
        "shelfId: {type: ref, to: Shelf, onDelete: restrict}",
    )
    merged, database_spec = _merge(tmp_path, DEPOT, database)
    assert _fields(merged, "Crate")["shelfId"] == {"type": "ref", "to": "Shelf",
                                                   "onDelete": "restrict"}
    assert _body(_sql(tmp_path / "spec.yaml")) == _body(_sql(database_spec))


def test_a_foreign_key_false_reference_keeps_its_target_column_and_takes_the_columns_facts(
        tmp_path):
    """A `foreignKey: false` reference stays one, `references:` included; its nullability
    comes from the database, and with no index of its own it is `index: false`."""
    database = DEPOT.replace(
        "shelfSerial: {type: ref, to: Shelf, references: serial, foreignKey: false, "
        "nullable: true}",
        "shelfSerial: {type: ref, to: Shelf, references: serial, foreignKey: false, "
        "index: false}",
    )
    merged, database_spec = _merge(tmp_path, DEPOT, database)
    assert _fields(merged, "Crate")["shelfSerial"] == {
        "type": "ref", "to": "Shelf", "references": "serial", "foreignKey": False,
        "index": False,
    }
    assert _body(_sql(tmp_path / "spec.yaml")) == _body(_sql(database_spec))


@pytest.mark.parametrize("leading", ["unique", "index"])
def test_a_foreign_key_false_reference_that_leads_a_key_keeps_the_index_false_it_said(
        tmp_path, leading):
    """A `foreignKey: false` reference that leads a unique key or an index of the database has
    that index: `index: false` is then implied, and a spec that said it keeps saying it."""
    spec = DEPOT.replace(
        "shelfId: {type: ref, to: Shelf, foreignKey: false}",
        "shelfId: {type: ref, to: Shelf, foreignKey: false, index: false}",
    )
    word = {"unique": "unique", "index": "indexes"}[leading]
    database = spec.replace(
        "      note: {type: string, maxLength: 200, nullable: true}\n",
        "      note: {type: string, maxLength: 200, nullable: true}\n"
        f"    {word}:\n      - [shelfId, note]\n",
    )
    merged, database_spec = _merge(tmp_path, spec, database)
    assert _fields(merged, "Crate")["shelfId"] == {"type": "ref", "to": "Shelf",
                                                   "foreignKey": False, "index": False}
    assert yaml.safe_load(merged)["models"]["Crate"][word] == [["shelfId", "note"]]
    assert _body(_sql(tmp_path / "spec.yaml")) == _body(_sql(database_spec))


def test_a_foreign_key_false_reference_with_an_index_of_its_own_has_no_index_false(tmp_path):
    """Its own index is the reference's automatic index: no `index: false`."""
    spec = DEPOT.replace(
        "shelfId: {type: ref, to: Shelf, foreignKey: false}",
        "shelfId: {type: ref, to: Shelf, foreignKey: false, index: false}",
    )
    merged, database_spec = _merge(tmp_path, spec, DEPOT)
    assert _fields(merged, "Crate")["shelfId"] == {"type": "ref", "to": "Shelf",
                                                   "foreignKey": False}
    assert _body(_sql(tmp_path / "spec.yaml")) == _body(_sql(database_spec))


def test_defaults_the_spec_states_explicitly_stay(tmp_path):
    """A fact the spec states explicitly although it is the default stays (README: a string's
    maxLength defaults to 255, a datetime's precision to 3, a field is required, a reference
    has its foreign key)."""
    spec = DEPOT.replace(
        "grade: {type: enum, enum: Grade}",
        "grade: {type: enum, enum: Grade, nullable: false}",
    ).replace(
        "note: {type: string, maxLength: 200, nullable: true}",
        "note: {type: string, maxLength: 200, nullable: true}\n"
        "      shelf2Id: {type: ref, to: Shelf, foreignKey: true, nullable: true}",
    )
    merged, database_spec = _merge(tmp_path, spec, spec)
    assert merged == spec
    assert _body(_sql(tmp_path / "spec.yaml")) == _body(_sql(database_spec))


def test_a_default_the_database_no_longer_has_is_removed_with_what_it_implied(tmp_path):
    """The database decides: a string of another length and a datetime of another precision
    replace the spec's explicit defaults."""
    database = DEPOT.replace(
        "label: {type: string, maxLength: 255}", "label: {type: string, maxLength: 40}"
    ).replace(
        "stockedAt: {type: datetime, precision: 3}", "stockedAt: {type: datetime, precision: 6}"
    )
    merged, database_spec = _merge(tmp_path, DEPOT, database)
    fields = _fields(merged, "Shelf")
    assert fields["label"] == {"type": "string", "maxLength": 40}
    assert fields["stockedAt"] == {"type": "datetime", "precision": 6}
    assert _body(_sql(tmp_path / "spec.yaml")) == _body(_sql(database_spec))


def test_an_enum_type_the_spec_lacks_is_added_and_one_it_has_keeps_its_name(tmp_path):
    """Enum names are the spec's: the database's type with the same values keeps the spec's
    name (Grade, though the database calls it another); a type the spec lacks is added."""
    spec = DEPOT.replace("Grade", "Level")
    database = DEPOT.replace(
        "  Grade: [low, high]\n", "  Grade: [low, high]\n  Tone: [dim, loud]\n"
    ).replace(
        "grade: {type: enum, enum: Grade}",
        "grade: {type: enum, enum: Grade}\n      tone: {type: enum, enum: Tone, nullable: true}",
    )
    merged, database_spec = _merge(tmp_path, spec, database)
    doc = yaml.safe_load(merged)
    assert doc["enums"] == {"Level": ["low", "high"], "Tone": ["dim", "loud"]}
    assert doc["models"]["Shelf"]["fields"]["grade"] == {"type": "enum", "enum": "Level"}
    assert doc["models"]["Shelf"]["fields"]["tone"] == {"type": "enum", "enum": "Tone",
                                                        "nullable": True}


def test_a_table_and_a_column_the_database_lacks_are_removed(tmp_path):
    """A field or model whose column or table is gone is removed."""
    spec = DEPOT + "  Ghost:\n    fields:\n      id: {type: id}\n"
    database = DEPOT.replace("      note: {type: string, maxLength: 200, nullable: true}\n", "")
    merged, database_spec = _merge(tmp_path, spec, database)
    doc = yaml.safe_load(merged)
    assert list(doc["models"]) == ["Shelf", "Crate"]
    assert "note" not in doc["models"]["Crate"]["fields"]
    assert _body(_sql(tmp_path / "spec.yaml")) == _body(_sql(database_spec))


API_NAMING_GHOST = """\
version: 1
name: haunt
models:
  Ghost:
    fields:
      id: {type: id}
      name: {type: string, maxLength: 40}
api:
  params:
    ghostId: Ghost.id
  schemas:
    GhostName:
      object:
        name: Ghost.name
  endpoints:
    - {name: getGhost, method: GET, path: '/ghosts/{ghostId}', response: GhostName}
"""


def _api_first(text: str) -> str:
    """The same spec with its api section above its models (YAML keys have no order)."""
    head, rest = text.split("models:\n", 1)
    models, api = rest.split("api:\n", 1)
    return f"{head}api:\n{api}models:\n{models}"


@pytest.mark.parametrize(("comments", "api_first"), [(0, False), (3, False), (0, True)],
                         ids=["bare", "commented", "api-first"])
def test_removing_what_the_api_names_fails_at_its_line_and_leaves_the_spec_alone(
        tmp_path, comments, api_first):
    """The api section then fails validation where it names the removed field, with its
    `file:line:col` in the spec as it is on disk; nothing is written. (Comments above the
    models move every later line, and models below the api move none of its lines: the line
    is still the one on disk.)"""
    text = API_NAMING_GHOST.replace("models:\n", "models:\n" + "  # a haunted house\n" * comments)
    text = _api_first(text) if api_first else text
    spec = tmp_path / "haunt.yaml"
    spec.write_text(text, encoding="utf-8")
    database = tmp_path / "database.yaml"
    database.write_text(API_NAMING_GHOST.replace("      name: {type: string, maxLength: 40}\n",
                                                 "").split("api:")[0], encoding="utf-8")
    ddl = tmp_path / "schema.sql"
    ddl.write_text(_sql(database), encoding="utf-8")
    result = run_cli("import", "sql", str(ddl), "--dialect", "postgres", "--into", str(spec))
    assert result.returncode == 2, result.stderr
    lines = text.splitlines()
    line = lines.index("        name: Ghost.name")
    column = lines[line].index("Ghost.name") + 1
    assert result.stderr.splitlines() == [
        f"vigilo-gen: error: {spec}:{line + 1}:{column}: unknown field 'name' of model Ghost, "
        "once the database is merged in (nothing was written)"
    ]
    assert spec.read_text(encoding="utf-8") == text


def test_an_error_on_a_line_the_merge_wrote_names_the_spec_without_a_line():
    """A line the merge rewrote is not in the file on disk: the message names the file only."""
    before = "version: 1\nname: x\nmodels: {}\n"
    with pytest.raises(UsageError) as caught:
        check_spec("version: 1\nname: x\nmodels: {A: {fields: {}}}\n", "x.yaml", before=before)
    assert str(caught.value).startswith("x.yaml: "), caught.value
    assert str(caught.value).endswith(", once the database is merged in (nothing was written)")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("models: [unclosed\n", "not a YAML spec: "),
        ("- a list\n", "not a spec (a YAML mapping is expected)"),
    ],
    ids=["missing", "not-yaml", "not-a-mapping"],
)
def test_a_spec_that_cannot_be_merged_into_is_one_usage_error(tmp_path, content, message):
    """--into needs a readable YAML mapping: anything else is a usage error naming the file."""
    spec = tmp_path / "spec.yaml"
    if content is not None:
        spec.write_text(content, encoding="utf-8")
    doc, _ = to_spec(read_sql("CREATE TABLE t (id INT PRIMARY KEY);\n", "postgres", "s.sql"),
                     "s")
    with pytest.raises(UsageError) as caught:
        merge_into(spec, doc)
    assert str(caught.value).startswith(f"{spec}: {message}"), caught.value


LOGGED = """\
version: 1
name: logged
models:
  Log:
    fields:
      id: {type: id}
      at: {type: datetime}
      what: {type: text, nullable: true}
  Item:
    fields:
      id: {type: int, primaryKey: true}
"""


def test_a_table_the_spec_cannot_hold_keeps_its_model_as_the_spec_has_it(tmp_path):
    """docs/import.md: a table without a key the spec can hold is not imported, but it is not
    gone either: merged `--into` a spec that models it (its key added by hand), the model
    stays as it is, and the merge writes the rest."""
    spec = tmp_path / "logged.yaml"
    spec.write_text(LOGGED, encoding="utf-8")
    ddl = tmp_path / "schema.sql"
    ddl.write_text("CREATE TABLE log (at timestamptz NOT NULL, what text);\n"
                   "CREATE TABLE item (id int PRIMARY KEY, label text);\n", encoding="utf-8")
    result = run_cli("import", "sql", str(ddl), "--dialect", "postgres", "--into", str(spec))
    assert result.returncode == 0, result.stderr
    assert "not imported: table log: it has no primary key" in result.stderr
    merged = yaml.safe_load(spec.read_text(encoding="utf-8"))
    assert merged["models"]["Log"] == yaml.safe_load(LOGGED)["models"]["Log"]
    assert merged["models"]["Item"]["fields"]["label"] == {"type": "text", "nullable": True}
