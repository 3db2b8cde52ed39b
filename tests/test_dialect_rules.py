"""The eight dialects no engine here runs (tsql, oracle, snowflake, bigquery, redshift,
databricks, trino, clickhouse): what their files say, read from the parsed trees and the
header, against rules taken from each vendor's documentation and expectations computed from
the spec text (tests/oracle), so a dropped clause or a wrong action fails a behavioural test.

Vendor rules (the syntax each vendor documents for CREATE TABLE):

- SQL Server, CREATE TABLE (learn.microsoft.com): ``ON DELETE { NO ACTION | CASCADE | SET NULL |
  SET DEFAULT }`` (no RESTRICT; NO ACTION is the default and refuses the delete); CHECK
  constraints, but no regular expressions in T-SQL (LIKE only).
- Oracle, references_clause (docs.oracle.com, SQL Reference): ``[ON DELETE { CASCADE |
  SET NULL }]``, nothing else (no NO ACTION, no RESTRICT: leaving the clause out is Oracle's
  refusing default); CHECK with REGEXP_LIKE.
- Snowflake, constraint properties: foreign keys accept every ON DELETE action, none is
  enforced; CHECK constraints are not supported.
- BigQuery, DDL reference: "BigQuery only supports unenforced primary keys", "The primary keys
  cannot be named"; ``PRIMARY KEY (...) NOT ENFORCED``, ``[CONSTRAINT name] FOREIGN KEY (...)
  REFERENCES t (...) NOT ENFORCED``, no ON DELETE, no UNIQUE, no CHECK.
- Redshift, CREATE TABLE: PRIMARY KEY / UNIQUE / REFERENCES are informational; REFERENCES has no
  ON DELETE; no CHECK.
- Databricks (Unity Catalog): PRIMARY KEY / FOREIGN KEY informational, FOREIGN KEY without
  ON DELETE; CHECK only by ALTER TABLE ... ADD CONSTRAINT on Delta tables, not in CREATE TABLE.
- Trino: CREATE TABLE has no table constraints at all.
- ClickHouse: no foreign keys; ``CONSTRAINT name CHECK expr`` is checked on INSERT.
"""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp
from vigilo_gen import registry
from vigilo_gen.spec import load_spec

from tests.oracle import EDGES_SPEC, read
from tests.support import ALL_SPECS

SPECS = [EDGES_SPEC, *ALL_SPECS]
PARSE_ONLY = ("tsql", "oracle", "snowflake", "bigquery", "redshift", "databricks", "trino",
              "clickhouse")
# dialect -> ON DELETE actions its FOREIGN KEY syntax accepts (None: no foreign keys at all)
ON_DELETE = {
    "tsql": {"NO ACTION", "CASCADE", "SET NULL", "SET DEFAULT"},
    "oracle": {"CASCADE", "SET NULL"},
    "snowflake": {"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"},
    "bigquery": set(), "redshift": set(), "databricks": set(),
    "trino": None, "clickhouse": None,
}
# dialect -> CHECK constraints in CREATE TABLE: None (not at all), or whether a pattern can be
# checked (a regular expression function exists in the dialect)
CHECKS = {"tsql": False, "oracle": True, "clickhouse": True,
          "snowflake": None, "bigquery": None, "redshift": None, "databricks": None,
          "trino": None}
INFORMATIONAL_FKS = {"snowflake", "bigquery", "redshift", "databricks"}
# dialect -> actions an omitted ON DELETE clause already is (vendor docs: SQL Server's default
# NO ACTION and Oracle's omitted clause both refuse the delete at once, which is RESTRICT)
IMPLICIT = {"tsql": {"NO ACTION", "RESTRICT"}, "oracle": {"NO ACTION", "RESTRICT"}}
# dialects whose bool column is a number with a CHECK (Oracle before 23ai: NUMBER(1) IN (0, 1))
BOOL_CHECKS = {"oracle"}


def rendered(spec_path, dialect: str) -> str:
    emitter = registry.load("sql")
    return emitter.run(load_spec(spec_path), emitter.make_options(dialect=dialect))


def gaps(text: str) -> list[str]:
    head = text.split("\n\n", 1)[0]
    if "-- Not expressed in this dialect:" not in head:
        return []
    part = head.split("-- Not expressed in this dialect:\n", 1)[1]
    return [line[len("--   "):] for line in part.splitlines() if line.startswith("--   ")]


def tables(text: str, dialect: str) -> dict[str, exp.Create]:
    out = {}
    code = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    for statement in (s.strip() for s in code.split("\n\n") if s.strip()):
        tree = sqlglot.parse_one(statement.rstrip(";"), read=dialect)
        if isinstance(tree, exp.Create) and tree.args["kind"] == "TABLE":
            out[tree.this.this.name] = tree
    return out


def constraints(tree: exp.Create) -> dict[str, exp.Expression]:
    return {c.this.name: c.expressions[0] for c in tree.find_all(exp.Constraint)}


def named_in(missing: list[str], name: str) -> bool:
    return any(re.search(rf"\b{re.escape(name)}\b", line) for line in missing)


@pytest.mark.parametrize("dialect", PARSE_ONLY)
def test_on_delete_is_written_where_the_vendor_accepts_it_and_said_where_not(dialect):
    allowed = ON_DELETE[dialect]
    for spec_path in SPECS:
        text = rendered(spec_path, dialect)
        written, missing = tables(text, dialect), gaps(text)
        for model in read(spec_path).values():
            for field in (f for f in model.fields if f.type == "ref"):
                # The documented rule, or the name the spec gives (foreignKeyName).
                name = field.raw.get("foreignKeyName") or f"{model.table}_{field.column}_fkey"
                fk = constraints(written[model.table]).get(name)
                if field.raw.get("foreignKey") is False:  # README: no database foreign key
                    assert fk is None, (dialect, name)
                    continue
                if allowed is None:
                    assert fk is None, (dialect, name)
                    assert f"foreign keys are not declared: {name}" in missing, (dialect, name)
                    continue
                if fk is None:  # left out (BigQuery: a key to its own table): said so
                    assert named_in(missing, name), (dialect, name, missing)
                    continue
                assert isinstance(fk, exp.ForeignKey), (dialect, name)
                options = [o for o in fk.args["reference"].args.get("options") or []
                           if o.startswith("ON DELETE")]
                assert all(o.removeprefix("ON DELETE ") in allowed for o in options), \
                    (dialect, name, options)
                action = field.on_delete
                implicit = IMPLICIT.get(dialect, {"NO ACTION"})
                if options == [f"ON DELETE {action}"] or (not options and action in implicit):
                    continue  # written, or the vendor's default is that action
                # Written otherwise, or not at all: the header says which key and why. An
                # action the vendor's syntax accepts is weakened only where the vendor refuses
                # the schema as a whole (SQL Server: one cascade path per pair of tables).
                said = [line for line in missing if re.search(rf"\b{re.escape(name)}\b", line)]
                assert said, (dialect, name, options, missing)
                if action in allowed:
                    assert any("refuses" in line for line in said), (dialect, name, said)
                if dialect in INFORMATIONAL_FKS:
                    assert "foreign keys are informational (not enforced)" in missing


@pytest.mark.parametrize("dialect", PARSE_ONLY)
def test_checks_are_written_where_the_vendor_has_them_and_said_where_not(dialect):
    supported = CHECKS[dialect]
    for spec_path in SPECS:
        text = rendered(spec_path, dialect)
        written, missing = tables(text, dialect), gaps(text)
        for model in read(spec_path).values():
            found = {n: c for n, c in constraints(written[model.table]).items()
                     if isinstance(c, exp.CheckColumnConstraint)}
            expected = {(f.raw.get("checkNames") or {}).get(kind)
                        or f"{model.table}_{f.column}_{kind}_check": (f, kind)
                        for f in model.fields for kind in f.check_kinds}
            if dialect in BOOL_CHECKS:
                expected.update({f"{model.table}_{f.column}_bool_check": (f, "bool")
                                 for f in model.fields if f.type == "bool"})
            if supported is None:
                assert not found, (dialect, model.table)
                for name in expected:
                    assert f"CHECK constraints are not supported: {name}" in missing, name
                continue
            for name, (field, kind) in expected.items():
                if kind == "pattern" and not supported:
                    assert name not in found, (dialect, name)
                    assert any(line.startswith("pattern checks are not enforced") and
                               line.endswith(f": {model.table}.{field.column}")
                               for line in missing), (dialect, name)
                    continue
                assert name in found, (dialect, name)
                condition = found[name].this
                columns = {c.name for c in condition.find_all(exp.Column)}
                assert columns == {field.column}, (dialect, name, columns)
                if kind == "range":
                    assert _bounds(condition) == _spec_bounds(field), (dialect, name)
            assert set(found) <= set(expected), (dialect, model.table)


def _bounds(condition: exp.Expression) -> dict[str, str]:
    """{'>=': min, '<=': max} as written in a range CHECK (inclusive operators only)."""
    out = {}
    for node in condition.find_all(exp.GTE, exp.LTE, exp.GT, exp.LT):
        key = {exp.GTE: ">=", exp.LTE: "<=", exp.GT: ">", exp.LT: "<"}[type(node)]
        literal = node.expression
        value = literal.this.name if isinstance(literal, exp.Neg) else literal.name
        out[key] = ("-" if isinstance(literal, exp.Neg) else "") + value
    return out


def _spec_bounds(field) -> dict[str, str]:
    out = {}
    for word, key in (("min", ">="), ("max", "<=")):
        if word in field.raw:
            out[key] = re.sub(r"\.0+$|(\.\d*?)0+$", r"\1", field.raw[word])
    return out


def test_bigquery_keys_are_declared_as_bigquery_documents_them():
    text = rendered(EDGES_SPEC, "bigquery")
    for table, tree in tables(text, "bigquery").items():
        sql = tree.sql(dialect="bigquery")
        assert f"CONSTRAINT `{table}_pkey`" not in sql, table
        keys = re.findall(r"(?:PRIMARY KEY|FOREIGN KEY) \([^)]*\)(?: REFERENCES `\w+` "
                          r"\(`\w+`\))?( NOT ENFORCED)?", sql)
        assert keys and all(keys), (table, sql)


@pytest.mark.parametrize("dialect", PARSE_ONLY)
def test_the_gaps_comment_lists_exactly_what_is_left_out(dialect):
    """Every gap line names something the spec has; a dialect that drops nothing says so by
    having no such section (and the section exists whenever something is dropped)."""
    text = rendered(EDGES_SPEC, dialect)
    missing = gaps(text)
    assert missing == sorted(set(missing), key=missing.index), "a gap line is repeated"
    names = {n for model in read(EDGES_SPEC).values() for n in (
        [f"{model.table}_{f.column}_fkey" for f in model.fields if f.type == "ref"]
        + [f"{model.table}_{f.column}_{k}_check" for f in model.fields for k in f.check_kinds]
        + [f"{model.table}_{f.column}_key" for f in model.fields
           if f.raw.get("unique") is True]
        + [f"{model.table}_{f.column}_idx" for f in model.fields if f.raw.get("index") is True]
        # README: a ref field is indexed ({table}_{column}_idx) unless a key starts with it.
        + [f"{model.table}_{f.column}_idx" for f in model.fields
           if f.type == "ref" and f.raw.get("index") is not False]
        + [f"{model.table}_{'_'.join(model.columns(g))}_{suffix}"
           for key, suffix in (("unique", "key"), ("indexes", "idx"))
           for g in model.raw.get(key, [])])}
    for line in missing:
        named = re.findall(r"\b(\w+_(?:fkey|check|key|idx))\b", line)
        assert all(n in names for n in named), line
    # A dialect without CHECKs, or with keys that are not enforced, always leaves something out.
    if CHECKS[dialect] is None or ON_DELETE[dialect] is None or dialect in INFORMATIONAL_FKS:
        assert missing, f"{dialect} expresses everything? Then its header should say nothing"


# -- identifier lengths, from each vendor's documentation ---------------------------------------
# dialect -> (longest table name, longest column name); None: no limit to check. Spec names
# are ASCII (the schema's pattern), so a limit in bytes is one in characters here.
IDENTIFIER_LENGTHS = {
    "postgres": (63, 63),  # "no more than NAMEDATALEN-1 bytes" (NAMEDATALEN is 64)
    "mysql": (64, 64),  # "Identifier Length Limits": 64 characters
    "tsql": (128, 128),  # sysname: nvarchar(128)
    "oracle": (128, 128),  # "Database Object Naming Rules": 128 bytes (12.2 and later)
    "snowflake": (255, 255),  # "Identifier requirements": 255 characters
    "bigquery": (1024, 300),  # tables 1,024 UTF-8 bytes; "Column names": 300 characters
    "redshift": (127, 127),  # "Names and identifiers": 1 to 127 bytes
    "databricks": (255, 255),  # "Names": object names cannot exceed 255 characters
    "sqlite": (None, None),
    "duckdb": (None, None),
    "trino": (None, None),
    "clickhouse": (None, None),
}


def _identifier_spec(tmp_path, table: str, column: str):
    path = tmp_path / f"{len(table)}-{len(column)}.yaml"
    path.write_text(f"version: 1\nmodels:\n  M:\n    table: {table}\n    fields:\n"
                    f"      id: {{type: id}}\n      v: {{type: int, column: {column}}}\n")
    return path


def test_every_sql_dialect_has_its_vendors_identifier_lengths():
    from vigilo_gen.dialects import SQL_DIALECTS

    assert set(IDENTIFIER_LENGTHS) == set(SQL_DIALECTS)


@pytest.mark.parametrize("dialect", sorted(IDENTIFIER_LENGTHS))
def test_names_at_the_vendors_limit_are_accepted_and_one_longer_refused(dialect, tmp_path):
    from tests.support import run_cli

    table_limit, column_limit = IDENTIFIER_LENGTHS[dialect]
    longest = ("t" * (table_limit or 2000), "c" * (column_limit or 2000))
    accepted = run_cli("sql", "--spec", str(_identifier_spec(tmp_path, *longest)),
                       "--dialect", dialect)
    assert accepted.returncode == 0, accepted.stderr
    assert "CREATE TABLE" in accepted.stdout and longest[1] in accepted.stdout
    for what, limit, names in (
        ("table name", table_limit, (longest[0] + "t", "c")),
        ("column name", column_limit, ("t", longest[1] + "c")),
    ):
        if limit is None:
            continue
        refused = run_cli("sql", "--spec", str(_identifier_spec(tmp_path, *names)),
                          "--dialect", dialect)
        assert refused.returncode == 2, refused.stdout[:200]
        assert re.search(rf"{what} '[tc]{{{limit + 1}}}' is {limit + 1} characters long; "
                         rf"{dialect} allows {limit}$", refused.stderr.strip()), refused.stderr


# dialect -> what its CREATE TABLE does with a primary key, from the vendor's docs: None
# (declared and enforced: nothing to say), "informational" (declared, not enforced: Snowflake
# "not enforced", BigQuery "unenforced", Redshift "informational", Databricks "informational",
# ClickHouse's PRIMARY KEY is the sort key, never unique) or "absent" (Trino: no constraints).
PRIMARY_KEYS = {"tsql": None, "oracle": None, "postgres": None, "mysql": None, "sqlite": None,
                "duckdb": None, "snowflake": "informational", "bigquery": "informational",
                "redshift": "informational", "databricks": "informational",
                "clickhouse": "informational", "trino": "absent"}
PRIMARY_KEY_GAPS = {None: set(), "informational": {"primary keys are informational (not enforced)"},
                    "absent": {"primary keys are not declared"}}


@pytest.mark.parametrize("dialect", sorted(PRIMARY_KEYS))
def test_the_header_says_what_a_dialect_does_with_primary_keys(dialect):
    text = rendered(SPECS[0], dialect)
    said = {line for line in gaps(text) if line.startswith("primary keys")}
    assert said == PRIMARY_KEY_GAPS[PRIMARY_KEYS[dialect]], gaps(text)
    declared = "PRIMARY KEY" in "\n".join(
        line for line in text.splitlines() if not line.startswith("--"))
    assert declared == (PRIMARY_KEYS[dialect] != "absent")


# SQL Server refuses a second cascade path and a cascade from a table to itself (error 1785,
# CREATE TABLE docs): such a foreign key is written NO ACTION, and the header tells the
# application what the database no longer does: set the column to NULL for SET NULL, delete
# the rows for CASCADE.
WEAKENED = re.compile(r"^(\S+) is NO ACTION, not ON DELETE (SET NULL|CASCADE): SQL Server refuses "
                      r".* \(error 1785\); before deleting a \S+ row, the application must "
                      r"(set it to NULL|delete those rows) in \S+( \(.*\))?$")


def test_a_weakened_sql_server_foreign_key_says_what_the_application_must_do():
    found = []
    for spec_path in SPECS:
        for line in gaps(rendered(spec_path, "tsql")):
            if "error 1785" in line:
                match = WEAKENED.match(line)
                assert match, line
                action, todo = match.group(2), match.group(3)
                assert todo == {"SET NULL": "set it to NULL", "CASCADE": "delete those rows"}[
                    action], line
                found.append(action)
    assert set(found) == {"SET NULL", "CASCADE"}  # both kinds are exercised


# A relation of several fields that cascades along a second path from one table (Branch to
# Book directly and through Shelf): the same rule for `relations:` as for a ref.
SECOND_CASCADE_OF_SEVERAL_FIELDS = """\
version: 1
name: casc
models:
  Branch:
    fields:
      id: {type: int, primaryKey: true, default: autoincrement}
  Shelf:
    fields:
      branchId: {type: ref, to: Branch, onDelete: cascade}
      number: {type: int}
    primaryKey: [branchId, number]
  Book:
    fields:
      id: {type: int, primaryKey: true, default: autoincrement}
      homeId: {type: ref, to: Branch, onDelete: cascade}
      shelfBranch: {type: int}
      shelfNumber: {type: int}
    relations:
      shelf: {fields: [shelfBranch, shelfNumber], to: Shelf, onDelete: cascade}
"""


def test_a_weakened_cascade_of_several_fields_says_to_delete_the_rows(tmp_path):
    spec_path = tmp_path / "casc.yaml"
    spec_path.write_text(SECOND_CASCADE_OF_SEVERAL_FIELDS, encoding="utf-8")
    lines = [line for line in gaps(rendered(spec_path, "tsql")) if "error 1785" in line]
    assert len(lines) == 1, lines
    match = WEAKENED.match(lines[0])
    assert match and match.group(2) == "CASCADE" and match.group(3) == "delete those rows", \
        lines[0]
    assert lines[0].endswith(" in book (shelf_branch, shelf_number)"), lines[0]


def test_sql_server_creates_every_unique_key_and_index_it_does_not_say_it_cannot():
    """SQL Server has UNIQUE constraints and indexes (a filtered unique index where a column
    is nullable); only a key holding an NVARCHAR(MAX) column cannot be indexed, which the
    header says ("... is not created"). Every other unique key and index is in the file."""
    for spec_path in SPECS:
        text = rendered(spec_path, "tsql")
        said = {line.split(" is not created", 1)[0] for line in gaps(text)
                if " is not created" in line}
        for model in load_spec(spec_path).models:
            for key in (*model.uniques, *model.indexes):
                present = f"[{key.name}] UNIQUE" in text or f"INDEX [{key.name}] ON" in text
                assert present != (key.name in said), (spec_path.name, key.name)


@pytest.mark.parametrize(("length", "said"), [(1000, False), (1001, True), (4000, True)])
def test_oracle_says_when_a_varchar2_of_characters_may_not_fit_its_bytes(tmp_path, length, said):
    """Oracle (Database Reference, "Datatype Limits"): VARCHAR2 holds at most 4,000 bytes, and
    AL32UTF8 takes up to 4 bytes a character; VARCHAR2(n CHAR) therefore holds n characters
    only while they fit, which the header says for every n above 1,000."""
    spec_path = tmp_path / "notes.yaml"
    spec_path.write_text("version: 1\nname: notes\nmodels:\n  Note:\n    fields:\n"
                         "      id: {type: id}\n"
                         f"      body: {{type: string, maxLength: {length}}}\n", encoding="utf-8")
    lines = [line for line in gaps(rendered(spec_path, "oracle")) if "AL32UTF8" in line]
    assert lines == ([f"VARCHAR2({length} CHAR) holds {length} characters only while they "
                      "fit in 4000 bytes (AL32UTF8 takes up to 4 per character): body"]
                     if said else []), lines
