"""Hand-written schemas, one per engine, read two independent ways: `import sql` parses the file,
`import db` reads what the engine built from it through its catalogue (docs/import.md). The two
must give the same spec: a bug in either reader, or in the rules that turn both into a spec,
shows as a difference, with no expectation written by the code under test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vigilo_gen import registry
from vigilo_gen.importer.parse_sql import read_sql
from vigilo_gen.importer.reflect_db import read_db
from vigilo_gen.importer.to_spec import to_spec
from vigilo_gen.importer.write_spec import write_spec
from vigilo_gen.spec import load_spec

HERE = Path(__file__).parent / "import"


def _spelling_apart(doc: dict) -> dict:
    """A SQL default as an expression, not as spelled: PostgreSQL keeps a default in its own
    spelling ('2001-01-01'::date for '2001-01-01', docs/import.md), casts included."""
    import copy

    import sqlglot
    from vigilo_gen.importer.recognise import plain

    doc = copy.deepcopy(doc)
    for model in doc["models"].values():
        for field in model["fields"].values():
            default = field.get("default")
            if isinstance(default, dict):
                field["default"] = {"sql": {
                    dialect: plain(sqlglot.parse_one(text, read=dialect)).sql(dialect)
                    for dialect, text in default["sql"].items()}}
    return doc


def _differences(from_file: dict, from_database: dict) -> list[str]:
    from_file, from_database = _spelling_apart(from_file), _spelling_apart(from_database)
    found = []
    for key in sorted(set(from_file) | set(from_database)):
        if key != "models":
            if from_file.get(key) != from_database.get(key):
                found.append(f"{key}: file {from_file.get(key)!r}, database "
                             f"{from_database.get(key)!r}")
            continue
        for model in sorted(set(from_file[key]) | set(from_database[key])):
            a, b = from_file[key].get(model), from_database[key].get(model)
            if a != b:
                found.append(f"model {model}:\n  file     {json.dumps(a)}\n"
                             f"  database {json.dumps(b)}")
    return found


# An engine names a column's CHECK the file left unnamed: PostgreSQL {table}_{column}_check,
# MariaDB after its column. `import db` keeps a name that is not the spec's rule
# ({table}_{column}_{kind}_check); `import sql` has none to keep (docs/import.md).
ENGINE_CHECK_NAMES = {"postgres": "{table}_{column}_check", "mysql": "{column}"}


def _without_engine_check_names(doc: dict, dialect: str, tables: dict[str, str]) -> dict:
    rule = ENGINE_CHECK_NAMES.get(dialect)
    for model_name, model in doc["models"].items():
        for field_name, field in model["fields"].items():
            names = field.get("checkNames", {})
            column = field.get("column", _snake(field_name))
            for kind, name in list(names.items()):
                if rule and name == rule.format(table=tables[model_name], column=column):
                    del names[kind]
            if "checkNames" in field and not names:
                del field["checkNames"]
    return doc


def _as_innodb_holds_it(doc: dict) -> dict:
    """InnoDB's NO ACTION is RESTRICT (MySQL manual, "FOREIGN KEY Constraints"), and MariaDB
    gives an unsaid ON DELETE back as RESTRICT: a file's unsaid action, noAction, is held as
    restrict (docs/import.md's round-trip rules)."""
    for model in doc["models"].values():
        for field in model["fields"].values():
            if field.get("onDelete") == "noAction":
                field["onDelete"] = "restrict"
        for relation in model.get("relations", {}).values():
            if relation.get("onDelete") == "noAction":
                relation["onDelete"] = "restrict"
    return doc


def _snake(name: str) -> str:
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _read_both(text: str, dialect: str, database) -> tuple[dict, dict]:
    from_file, _ = to_spec(read_sql(text, dialect, "shop.sql"), "shop")
    if dialect == "mysql":
        from_file = _as_innodb_holds_it(from_file)
    database.execute_script(text)
    database.close()
    source, _ = read_db(database.sqlalchemy_url)
    from_database, _ = to_spec(source, "shop")
    tables = {name: model.get("table", _snake(name))
              for name, model in from_database["models"].items()}
    return from_file, _without_engine_check_names(from_database, dialect, tables)


@pytest.mark.engine
@pytest.mark.parametrize("schema", ["shop", "library", "events"])
@pytest.mark.parametrize("engine", ["postgres", "mariadb", "sqlite"])
def test_a_hand_written_schema_reads_the_same_from_the_file_and_the_database(
        engine, schema, fresh_db, tmp_path):
    """Then the imported spec is a working one: its SQL builds, on the same engine, a database
    that `import db` reads as that spec again (names, types, keys, checks, actions)."""
    dialect = {"mariadb": "mysql"}.get(engine, engine)
    text = (HERE / f"{schema}.{dialect}.sql").read_text(encoding="utf-8")
    from_file, from_database = _read_both(text, dialect, fresh_db(engine))
    problems = _differences(from_file, from_database)
    assert not problems, "\n".join(problems)

    spec_path = tmp_path / f"{schema}.yaml"
    spec_path.write_text(write_spec(from_file, [], f"{schema}.sql"), encoding="utf-8")
    emitter = registry.load("sql")
    rebuilt = fresh_db(engine, f"{schema}_rebuilt")
    rebuilt.execute_script(emitter.run(load_spec(spec_path),
                                       emitter.make_options(dialect=dialect)))
    rebuilt.close()
    source, _ = read_db(rebuilt.sqlalchemy_url)
    again, _ = to_spec(source, "shop")
    if dialect == "mysql":
        from_file = _as_innodb_holds_it(from_file)
    problems = _differences(from_file, again)
    assert not problems, "\n".join(problems)


def test_postgresqls_serial_types_are_keys_the_database_numbers():
    """docs/import.md: an identity key is `primaryKey: true, default: autoincrement`; a serial
    column is an integer numbered from a sequence (PostgreSQL docs, "Serial Types": smallserial,
    serial and bigserial are smallint, integer and bigint with a nextval() default), and so is
    a column whose default is nextval() of a sequence."""
    sql = ("CREATE SEQUENCE ticket_seq;\n"
           "CREATE TABLE a (id serial PRIMARY KEY);\n"
           "CREATE TABLE b (id bigserial PRIMARY KEY);\n"
           "CREATE TABLE c (id integer PRIMARY KEY DEFAULT nextval('ticket_seq'::regclass));\n")
    doc, notes = to_spec(read_sql(sql, "postgres", "s.sql"), "s")
    assert doc["models"]["A"]["fields"]["id"] == {"type": "int", "primaryKey": True,
                                                  "default": "autoincrement"}
    assert doc["models"]["B"]["fields"]["id"] == {"type": "bigint", "primaryKey": True,
                                                  "default": "autoincrement"}
    assert doc["models"]["C"]["fields"]["id"] == {"type": "int", "primaryKey": True,
                                                  "default": "autoincrement"}
    assert not [n for n in map(str, notes) if "serial" in n.lower() or "nextval" in n]


def test_a_mysql_key_inside_create_table_is_an_index():
    """docs/import.md: an index of whole columns is the field's `index: true` (or the model's
    `indexes:`); MySQL declares one inside CREATE TABLE as `KEY name (cols)` or `INDEX name
    (cols)` (MySQL manual, CREATE TABLE). A FULLTEXT key or one over a column's prefix is
    none of the spec's, and is reported."""
    sql = ("CREATE TABLE post (id INT PRIMARY KEY, title VARCHAR(80), body TEXT,\n"
           "  kind VARCHAR(8), KEY post_title_idx (title),\n"
           "  INDEX post_kind_title_idx (kind, title),\n"
           "  KEY post_body_prefix (body(20)), FULLTEXT KEY post_body_text (body));\n")
    doc, notes = to_spec(read_sql(sql, "mysql", "p.sql"), "p")
    post = doc["models"]["Post"]
    assert post["fields"]["title"].get("index") is True, post
    assert post["indexes"] == [["kind", "title"]], post
    assert [str(n) for n in notes] == [
        "p.sql:1:1: not imported: constraint of post: INDEX post_body_prefix (body(20))",
        "p.sql:1:1: not imported: constraint of post: FULLTEXT INDEX post_body_text (body)",
    ]


def test_a_literal_default_the_spec_cannot_hold_as_a_value_is_kept_as_sql_or_reported(
        tmp_path):
    """docs/import.md: a date, datetime or uuid field's default is only `now` or `uuid`, so a
    literal one is `default: {sql: {dialect: text as written}}`; a json or bytes field takes
    no default, so its default is reported. Either way the imported spec loads."""
    sql = ("CREATE TABLE t (id int PRIMARY KEY, d date DEFAULT '2001-01-01',\n"
           "  at timestamptz DEFAULT '2001-01-01 00:00:00+00',\n"
           "  u uuid DEFAULT '00000000-0000-0000-0000-000000000000',\n"
           "  j jsonb DEFAULT '{}', b bytea DEFAULT '\\x00');\n")
    doc, notes = to_spec(read_sql(sql, "postgres", "t.sql"), "t")
    fields = doc["models"]["T"]["fields"]
    assert fields["d"]["default"] == {"sql": {"postgres": "'2001-01-01'"}}
    assert fields["at"]["default"] == {"sql": {"postgres": "'2001-01-01 00:00:00+00'"}}
    assert fields["u"]["default"] == {"sql": {"postgres":
                                              "'00000000-0000-0000-0000-000000000000'"}}
    assert "default" not in fields["j"] and "default" not in fields["b"]
    assert [str(n) for n in notes] == [
        "t.sql:1:1: not imported: default '{}' of t.j (a json field takes none)",
        "t.sql:1:1: not imported: default '\\x00' of t.b (a bytes field takes none)",
    ]
    spec_path = tmp_path / "t.yaml"
    spec_path.write_text(write_spec(doc, notes, "t.sql"), encoding="utf-8")
    assert load_spec(spec_path).model("T").field("d").default is not None


def test_mysqls_own_spellings_read_as_their_meaning():
    """MySQL manual: an unsigned integer takes no negative value (and INT UNSIGNED values above
    an INT's), `UNIQUE KEY name (cols)` names its key, TINYINT(1) is a boolean whose default
    may be written '0'. docs/import.md: so an unsigned column is the next spec type that holds
    it, with `min: 0`, reported as a wider column; the key keeps its name; the default is
    false. PostgreSQL's varchar without a length is text (its docs, "Character Types")."""
    sql = ("CREATE TABLE seat (id INT PRIMARY KEY, row_no SMALLINT UNSIGNED NOT NULL,\n"
           "  total INT UNSIGNED NOT NULL, free TINYINT(1) NOT NULL DEFAULT '0',\n"
           "  UNIQUE KEY seat_place (row_no, total));\n")
    doc, notes = to_spec(read_sql(sql, "mysql", "s.sql"), "s")
    seat = doc["models"]["Seat"]
    assert seat["fields"]["rowNo"] == {"type": "int", "min": 0}
    assert seat["fields"]["total"] == {"type": "bigint", "min": 0}
    assert seat["fields"]["free"] == {"type": "bool", "default": False}
    assert seat["unique"] == [{"fields": ["rowNo", "total"], "name": "seat_place"}]
    assert [str(n) for n in notes] == [
        "s.sql:1:1: seat.row_no: SMALLINT UNSIGNED imported as int (a wider column once "
        "regenerated)",
        "s.sql:1:1: seat.total: INT UNSIGNED imported as bigint (a wider column once "
        "regenerated)",
    ]
    doc, _ = to_spec(read_sql("CREATE TABLE n (id INT PRIMARY KEY, body varchar);\n",
                              "postgres", "n.sql"), "n")
    assert doc["models"]["N"]["fields"]["body"] == {"type": "text", "nullable": True}


# -- scripts as their clients run them ----------------------------------------------------------

CLIENT_SCRIPTS = {
    # psql's meta-commands (a line starting with a backslash, psql docs) and pg_dump's data
    # (COPY ... FROM stdin, its rows up to a line \.), INSERTs and a query
    "postgres": (
        "\\restrict a1b2c3\n"
        "\\c shop\n"
        "CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL);\n"
        "COPY public.item (id, name) FROM stdin;\n"
        "1\tan item; with a semicolon\n"
        "2\t\\N\n"
        "\\.\n"
        "INSERT INTO item VALUES (3, 'three');\n"
        "SELECT pg_catalog.setval('item_seq', 3, true);\n"
        "\\unrestrict a1b2c3\n"
    ),
    # SQL Server's batch separator GO (sqlcmd docs), with and without a count, no semicolons
    "tsql": (
        "CREATE TABLE [dbo].[Item] ([Id] INT NOT NULL, [Name] NVARCHAR(40) NOT NULL,\n"
        "  CONSTRAINT [PK_Item] PRIMARY KEY CLUSTERED ([Id]))\n"
        "GO\n"
        "INSERT INTO [dbo].[Item] ([Id], [Name]) VALUES (1, N'one')\n"
        "GO 2\n"
    ),
    # SQL*Plus's commands (CONNECT, PROMPT) and the / that runs the buffer
    "oracle": (
        "CONNECT shop/secret@FREEPDB1;\n"
        "PROMPT Creating the tables\n"
        "CREATE TABLE Item (Id NUMBER(10) NOT NULL, Name VARCHAR2(40 CHAR) NOT NULL,\n"
        "  CONSTRAINT PK_Item PRIMARY KEY (Id))\n"
        "/\n"
    ),
}


@pytest.mark.parametrize("dialect", sorted(CLIENT_SCRIPTS))
def test_a_scripts_client_commands_and_rows_are_not_read_as_schema(dialect):
    """docs/import.md: a client's own lines (psql's meta-commands, sqlcmd's GO, SQL*Plus's
    commands) and a dump's rows (COPY data, INSERT) describe no schema object: read without a
    line, and the tables around them are read as written."""
    doc, notes = to_spec(read_sql(CLIENT_SCRIPTS[dialect], dialect, "s.sql"), "s")
    assert [str(n) for n in notes] == []
    fields = doc["models"]["Item"]["fields"]
    assert list(fields) == ["id", "name"], fields
    assert fields["id"]["type"] == "int" and fields["id"].get("primaryKey") is True, fields


def test_a_table_without_a_key_the_spec_can_hold_is_reported_and_the_rest_imported():
    """README, "Keys": every model has a primary key, a single one of int, bigint, string or
    uuid. docs/import.md: a table without one is not imported (reported), a foreign key to it
    is one to a table not in the source; a text key is a string, a whole-number NUMERIC key a
    bigint, each reported as the column it becomes; the rest of the file is imported."""
    sql = ("CREATE TABLE audit (at timestamptz NOT NULL, what text);\n"
           "CREATE TABLE day (d date PRIMARY KEY);\n"
           "CREATE TABLE tag (slug text PRIMARY KEY);\n"
           "CREATE TABLE ticket (no numeric(12) PRIMARY KEY, day_d date REFERENCES day (d),\n"
           "  tag_slug text REFERENCES tag (slug));\n")
    doc, notes = to_spec(read_sql(sql, "postgres", "k.sql"), "k")
    assert sorted(doc["models"]) == ["Tag", "Ticket"]
    assert doc["models"]["Tag"]["fields"]["slug"] == {"type": "string", "primaryKey": True}
    assert doc["models"]["Ticket"]["fields"]["no"] == {"type": "bigint", "primaryKey": True}
    assert doc["models"]["Ticket"]["fields"]["tagSlug"]["type"] == "ref"
    assert doc["models"]["Ticket"]["fields"]["dayD"] == {"type": "date", "nullable": True}
    assert [str(n) for n in notes] == [
        "k.sql:1:1: not imported: table audit: it has no primary key (the spec needs one: add "
        "one to the table)",
        "k.sql:2:1: not imported: table day: its key d is a date, which no key can be",
        "k.sql:3:1: tag.slug: a TEXT key imported as string (a VARCHAR(255) column once "
        "regenerated)",
        "k.sql:4:1: not imported: foreign key of ticket (day_d): its table day is not in the "
        "source",
        "k.sql:4:1: ticket.no: a DECIMAL(12) key imported as bigint (a BIGINT column once "
        "regenerated)",
    ]


def test_a_mysql_routine_between_delimiters_is_one_statement_reported():
    """The mysql client's DELIMITER (MySQL manual, "Defining Stored Programs"): until the next
    DELIMITER, statements end with the new one, and a routine's body keeps its own `;`. The
    routine is one report line; a table it creates inside its body is none of the schema."""
    sql = ("CREATE TABLE film (id INT PRIMARY KEY);\n"
           "DELIMITER //\n"
           "CREATE PROCEDURE report (IN n INT)\n"
           "BEGIN\n"
           "  CREATE TEMPORARY TABLE tmp (id INT PRIMARY KEY);\n"
           "  DROP TABLE tmp;\n"
           "END //\n"
           "DELIMITER ;\n"
           "CREATE TABLE actor (id INT PRIMARY KEY);\n")
    doc, notes = to_spec(read_sql(sql, "mysql", "r.sql"), "r")
    assert sorted(doc["models"]) == ["Actor", "Film"]
    assert len(notes) == 1 and notes[0].where == "r.sql:3:1", [str(n) for n in notes]
    assert "CREATE PROCEDURE report" in notes[0].message


def test_what_sql_takes_and_a_spec_cannot_is_read_into_a_spec_that_loads(tmp_path):
    """README's validation refuses reference cycles between models, ON DELETE SET NULL on a
    required reference and one name for two constraints; SQL takes each (MySQL's index names
    are per table). docs/import.md: the loop's foreign key of the first table by name is not
    imported, SET NULL on a NOT NULL column is noAction (the delete fails either way), a name
    already taken gives way to the rule's; each is reported, and a function sqlglot cannot
    parse is reported, not fatal."""
    sql = ("CREATE TABLE store (id INT PRIMARY KEY, manager_id INT NOT NULL);\n"
           "CREATE TABLE staff (id INT PRIMARY KEY, store_id INT NOT NULL,\n"
           "  KEY idx_store (store_id),\n"
           "  CONSTRAINT staff_store FOREIGN KEY (store_id) REFERENCES store (id));\n"
           "CREATE TABLE rental (id INT PRIMARY KEY, store_id INT NOT NULL,\n"
           "  KEY idx_store (store_id),\n"
           "  CONSTRAINT rental_store FOREIGN KEY (store_id) REFERENCES store (id)\n"
           "    ON DELETE SET NULL);\n"
           "ALTER TABLE store ADD CONSTRAINT store_manager FOREIGN KEY (manager_id)\n"
           "  REFERENCES staff (id);\n"
           "CREATE FUNCTION last_day(timestamp without time zone) RETURNS date AS 'x';\n")
    doc, notes = to_spec(read_sql(sql, "mysql", "c.sql"), "c")
    assert [str(n) for n in notes] == [
        "c.sql:2:1: not imported: foreign key staff_store of staff (store_id): it closes a loop "
        "of references (staff -> store -> staff); its columns are plain ones",
        "c.sql:5:1: idx_store of rental: the name is staff's too (a spec's names are one "
        "namespace); imported under the rule's name",
        "c.sql:5:1: foreign key rental_store of rental (store_id): ON DELETE SET NULL on a NOT "
        "NULL column (a delete fails) imported as noAction",
        "c.sql:11:1: not imported: statement 'CREATE FUNCTION last_day(timestamp without time "
        "zone) RET...'",
    ]
    staff, rental = doc["models"]["Staff"]["fields"], doc["models"]["Rental"]["fields"]
    assert staff["storeId"]["type"] == "int"
    assert rental["storeId"]["onDelete"] == "noAction"
    spec_path = tmp_path / "c.yaml"
    spec_path.write_text(write_spec(doc, notes, "c.sql"), encoding="utf-8")
    assert load_spec(spec_path).model("Rental").field("storeId").reference.target == "Store"
