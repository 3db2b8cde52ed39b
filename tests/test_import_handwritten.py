"""Hand-written schemas, one per engine, read two independent ways: `import sql` parses the file,
`import db` reads what the engine built from it through its catalogue (docs/import.md). The two
must give the same spec: a bug in either reader, or in the rules that turn both into a spec,
shows as a difference, with no expectation written by the code under test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vigilo_gen.importer.parse_sql import read_sql
from vigilo_gen.importer.reflect_db import read_db
from vigilo_gen.importer.to_spec import to_spec

HERE = Path(__file__).parent / "import"


def _differences(from_file: dict, from_database: dict) -> list[str]:
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


def _snake(name: str) -> str:
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _read_both(text: str, dialect: str, database) -> tuple[dict, dict]:
    from_file, _ = to_spec(read_sql(text, dialect, "shop.sql"), "shop")
    database.execute_script(text)
    database.close()
    source, _ = read_db(database.sqlalchemy_url)
    from_database, _ = to_spec(source, "shop")
    tables = {name: model.get("table", _snake(name))
              for name, model in from_database["models"].items()}
    return from_file, _without_engine_check_names(from_database, dialect, tables)


@pytest.mark.engine
@pytest.mark.parametrize("engine", ["postgres", "mariadb", "sqlite"])
def test_a_hand_written_schema_reads_the_same_from_the_file_and_the_database(
        engine, fresh_db):
    dialect = {"mariadb": "mysql"}.get(engine, engine)
    text = (HERE / f"shop.{dialect}.sql").read_text(encoding="utf-8")
    from_file, from_database = _read_both(text, dialect, fresh_db(engine))
    problems = _differences(from_file, from_database)
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
