"""Things a newcomer hit (issue 18, "Smaller things a newcomer hit"): each test states the
documented rule (README, the CLI conventions in docs) and fails on the behaviour reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from vigilo_gen import registry
from vigilo_gen.dialects import IDENTIFIER_LIMITS, SQL_DIALECTS
from vigilo_gen.spec import load_spec

from tests.support import ROOT, run_cli

BLOG = ROOT / "tests" / "specs" / "blog.yaml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- one list of dialects, one wording of a bad choice ----------------------------------------


def test_validate_and_sql_accept_the_same_dialects(tmp_path):
    sql_choices = registry.load("sql").option_fields()[0].metadata["choices"]
    assert tuple(sql_choices) == SQL_DIALECTS
    assert set(IDENTIFIER_LIMITS) == set(SQL_DIALECTS)  # every dialect has a known limit
    for name in ("spark", "materialize"):  # once accepted by validate only
        for command in ("validate", "sql"):
            result = run_cli(command, "--spec", str(BLOG), "--dialect", name, cwd=tmp_path)
            assert result.returncode == 2, (command, name, result.stderr)
            assert f"bad value '{name}' for --dialect" in result.stderr
    for name in SQL_DIALECTS:
        run_cli("validate", "--spec", str(BLOG), "--dialect", name, cwd=tmp_path, check=True)


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "typer"])
@pytest.mark.parametrize("command", ["sql", "prisma", "validate"])
def test_a_mistyped_choice_says_did_you_mean_on_the_command_line(tmp_path, fast, command):
    env = {} if fast else {"VIGILO_GEN_NO_FAST_PATH": "1"}
    result = run_cli(command, "--spec", str(BLOG), "--dialect", "postgress", cwd=tmp_path,
                     env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"vigilo-gen: error: bad value 'postgress' for --dialect of "
                           f"`vigilo-gen {command}` (did you mean 'postgres'? choices: "
                           "postgres, mysql, sqlite"), line
    assert "Value error" not in line


def test_the_config_file_words_a_bad_choice_alike(tmp_path):
    write(tmp_path / "spec" / "vigilo.yaml", BLOG.read_text(encoding="utf-8"))
    write(tmp_path / "vigilo-gen.toml", """\
        spec = "spec/vigilo.yaml"

        [[output]]
        emitter = "sql"
        dialect = "postgress"
        path = "schema.sql"
        """)
    result = run_cli("all", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "vigilo-gen: error: vigilo-gen.toml:5: bad value 'postgress' for option 'dialect' of "
        "emitter sql (did you mean 'postgres'? choices: " + ", ".join(SQL_DIALECTS) + ")"]


# --- which spec is read, and the header's command ---------------------------------------------


def ok_line(result) -> str:
    return [line for line in result.stderr.splitlines() if ": ok (" in line][0]


def test_spec_discovery_order_and_the_path_named(tmp_path):
    from vigilo_gen.spec import bundled_spec_path

    shop = ROOT / "tests" / "specs" / "shop.yaml"
    write(tmp_path / "spec" / "vigilo.yaml", shop.read_text(encoding="utf-8"))
    result = run_cli("validate", cwd=tmp_path, check=True)
    assert ok_line(result).startswith("spec/vigilo.yaml: ok (")
    write(tmp_path / "vigilo.yaml", BLOG.read_text(encoding="utf-8"))  # ./vigilo.yaml first
    result = run_cli("validate", cwd=tmp_path, check=True)
    assert result.stderr.splitlines() == [ok_line(result)]  # no note: a spec was found here
    assert ok_line(result).startswith("vigilo.yaml: ok (")
    assert run_cli("sql", cwd=tmp_path, check=True).stdout == \
        run_cli("sql", "--spec", "vigilo.yaml", cwd=tmp_path, check=True).stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli("validate", cwd=empty, check=True)
    bundled = str(bundled_spec_path())
    assert result.stderr.splitlines()[0].startswith("vigilo-gen: note: ")
    assert bundled in result.stderr.splitlines()[0]
    assert ok_line(result).startswith(f"{bundled}: ok (")
    result = run_cli("sql", cwd=empty, check=True)
    assert "bundled example spec" in result.stderr and result.stdout.startswith("-- Generated")


def test_regenerate_with_names_a_spec_that_is_not_the_default(tmp_path):
    write(tmp_path / "other.yaml", BLOG.read_text(encoding="utf-8"))
    text = run_cli("sql", "--spec", "other.yaml", cwd=tmp_path, check=True).stdout
    assert "-- Regenerate with: vigilo-gen sql --dialect postgres --spec other.yaml\n" in text
    write(tmp_path / "vigilo.yaml", BLOG.read_text(encoding="utf-8"))  # now the default one
    text = run_cli("sql", "--spec", "vigilo.yaml", cwd=tmp_path, check=True).stdout
    assert "-- Regenerate with: vigilo-gen sql --dialect postgres\n" in text


# --- the project loop: init, all, check --------------------------------------------------------


def test_check_says_force_for_a_file_without_a_generated_header(tmp_path):
    run_cli("init", cwd=tmp_path, check=True)
    run_cli("all", cwd=tmp_path, check=True)
    (tmp_path / "generated" / "prisma" / "schema.prisma").write_text("// my own schema\n")
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "run `vigilo-gen all --force` and commit the result" in result.stderr
    assert "generated/prisma/schema.prisma: not generated by vigilo-gen" in result.stderr
    assert run_cli("all", cwd=tmp_path).returncode == 2  # what check said is needed
    run_cli("all", "--force", cwd=tmp_path, check=True)
    assert run_cli("check", cwd=tmp_path).returncode == 0


def test_init_config_works_for_a_spec_without_an_api_section(tmp_path):
    import yaml

    run_cli("init", cwd=tmp_path, check=True)
    spec = tmp_path / "spec" / "vigilo.yaml"
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    del data["api"]
    spec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = run_cli("all", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "skipped    generated/api/openapi.json (the spec has no api section)" \
        in result.stdout
    assert (tmp_path / "generated" / "sql" / "schema.postgres.sql").is_file()
    assert not (tmp_path / "generated" / "api" / "openapi.json").exists()
    for full in ([], ["--full"]):
        checked = run_cli("check", *full, cwd=tmp_path)
        assert checked.returncode == 0, checked.stdout + checked.stderr


# --- the README's type table is what `vigilo-gen sql` writes -----------------------------------

TYPE_SPEC = """\
version: 1
name: types
models:
  T:
    fields:
      id: {type: id}
      s: {type: string, maxLength: 20}
      x: {type: text}
      i: {type: int}
      b: {type: bigint}
      f: {type: float}
      d: {type: decimal, precision: 10, scale: 2}
      o: {type: bool}
      dt: {type: date}
      ts: {type: datetime}
"""
COLUMN_OF = {"id": "id", "string": "s", "text": "x", "int": "i", "bigint": "b", "float": "f",
             "decimal": "d", "bool": "o", "date": "dt", "datetime": "ts"}


def readme_type_rows() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## One physical schema"):]
    rows = [line.strip().strip("|").split("|") for line in section.splitlines()
            if line.startswith("| ")]
    assert [c.strip() for c in rows[0]] == ["spec type", "PostgreSQL", "MySQL / MariaDB",
                                            "SQLite"]
    return [[c.strip() for c in row] for row in rows[1:]]


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_the_readme_type_table_is_what_sql_writes(tmp_path, dialect):
    import re

    spec = write(tmp_path / "types.yaml", TYPE_SPEC)
    ddl = run_cli("sql", "--spec", str(spec), "--dialect", dialect, cwd=tmp_path,
                  check=True).stdout
    quote = "`" if dialect == "mysql" else '"'
    written = dict(re.findall(rf"^  {quote}(\w+){quote} (.+?) NOT NULL", ddl, flags=re.M))
    column = {"postgres": 1, "mysql": 2, "sqlite": 3}[dialect]
    checked = 0
    for row in readme_type_rows():
        types, cell = [t.strip() for t in row[0].split(",")], row[column]
        if cell == "same" or "CHECK" in cell:  # enum: a VARCHAR and a CHECK, tested elsewhere
            continue
        cell = re.sub(r" \(.*\)$", "", cell)  # "BOOLEAN (TINYINT(1))": a note on storage
        names = [n.strip() for n in re.split(r",\s(?![^()]*\))", cell)]
        names = names if len(names) == len(types) else names * len(types)
        for spec_type, name in zip(types, names, strict=True):
            if spec_type not in COLUMN_OF:
                continue
            expected = name.replace("(n)", "(20)").replace("(p, s)", "(10, 2)")
            assert written[COLUMN_OF[spec_type]] == expected, (dialect, spec_type)
            checked += 1
    assert checked >= 10


# --- YAML 1.1 booleans: names are names -----------------------------------------------------------


def test_fields_named_like_yaml_booleans_keep_their_names(tmp_path):
    spec = write(tmp_path / "switches.yaml", """\
        version: 1
        name: switches
        models:
          Switch:
            fields:
              id: {type: id}
              on: {type: bool, default: false}
              off: {type: bool, default: true}
              yes: {type: int, nullable: true}
              no: {type: string, maxLength: 10, nullable: true}
        """)
    result = run_cli("validate", "--spec", str(spec), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    ddl = run_cli("sql", "--spec", str(spec), cwd=tmp_path, check=True).stdout
    for column in ("on", "off", "yes", "no"):
        assert f'\n  "{column}" ' in ddl, column


def test_yaml11_boolean_words_are_the_strings_written_where_a_string_is_expected(tmp_path):
    """The Norway problem: where a string or an enum value is expected, yes/no/on/off are the
    words as written (YAML 1.2 and editors read them so); where a boolean is expected they stay
    booleans."""
    spec = write(tmp_path / "norway.yaml", """\
        version: 1
        enums:
          Answer: [yes, no, maybe]
          Switch: {values: [On, Off]}
        models:
          Country:
            description: yes
            fields:
              id: {type: id}
              code: {type: string, maxLength: 2, default: NO}
              answer: {type: enum, enum: Answer, default: no}
              switch: {type: enum, enum: Switch, default: Off}
              note: {type: text, default: on, nullable: yes}
              on: {type: bool, default: yes}
            unique: [[code, on]]
        """)
    country = load_spec(spec).model("Country")
    assert country.description == "yes"
    assert country.field("code").default == "NO"
    assert country.field("answer").enum.values == ("yes", "no", "maybe")
    assert country.field("answer").default == "no"
    assert country.field("switch").enum.values == ("On", "Off")
    assert country.field("switch").default == "Off"
    assert country.field("note").default == "on" and country.field("note").nullable is True
    assert country.field("on").default is True
    assert [u.fields for u in country.uniques] == [("code", "on")]
    ddl = run_cli("sql", "--spec", str(spec), cwd=tmp_path, check=True).stdout
    assert "\"code\" VARCHAR(2) NOT NULL DEFAULT 'NO'" in ddl
    assert "IN ('yes', 'no', 'maybe')" in ddl


def test_true_where_a_string_is_expected_is_refused_with_a_hint_to_quote(tmp_path):
    spec = write(tmp_path / "quote.yaml", """\
        version: 1
        enums:
          Flag: [true, x]
        models:
          A:
            fields:
              id: {type: id}
              t: {type: string, default: false}
        """)
    result = run_cli("validate", "--spec", "quote.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "quote.yaml:3:10: enums.Flag.0 must be a string, not true/false (quote it: 'true')"]
    spec.write_text(spec.read_text().replace("[true, x]", "['true', x]"))
    result = run_cli("validate", "--spec", "quote.yaml", cwd=tmp_path)
    assert result.stderr.splitlines() == [
        "quote.yaml:8:34: default False of A.t is not a string value "
        "(quote it: default: 'false')"]


# --- every command the README's "Command line" lists is one ---------------------------------------


def _listed_commands(*group: str) -> set[str]:
    """The commands `vigilo-gen [GROUP] --help` lists under "Commands:"."""
    result = run_cli(*group, "--help", check=True)
    listed = result.stdout.split("Commands:", 1)[1]
    return {line.split()[0] for line in listed.splitlines() if line.startswith("  ")}


def test_every_command_of_the_readmes_command_line_is_one():
    """README, "Command line": each line names a command (`a | b`, `a|b` several; `<emitter>`
    each emitter `list` prints, `import sql` a subcommand); `--help` lists every one of them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Command line", 1)[1].split("```", 2)[1]
    named: set[tuple[str, ...]] = set()
    for line in block.splitlines():
        if not line.startswith("vigilo-gen ") or line.startswith("vigilo-gen --"):
            continue
        words = line.removeprefix("vigilo-gen ").replace(" | ", "|").split()
        if words[0] == "<emitter>":
            continue  # the emitters, below
        group = [words[0]] if words[0] in ("import", "migrate") else []
        rest = words[1:] if group else words
        sub = rest[0] if group and rest and rest[0].isalpha() and rest[0].islower() else None
        for name in (group or rest[0].split("|")):
            named.add((name,) if sub is None else (name, sub))
    assert ("import", "sql") in named and ("migrate", "new") in named and ("dbml",) in named
    emitters = {line.split()[0] for line in run_cli("list", check=True).stdout.splitlines()
                if line and not line.startswith(" ")}
    top = _listed_commands()
    assert emitters <= top, emitters - top
    for name in named:
        listed = top if len(name) == 1 else _listed_commands(name[0])
        assert name[-1] in listed, name
