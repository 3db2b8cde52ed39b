"""``vigilo-gen lint``: advice on a valid spec, at file:line:col with a rule id, each rule's
level set by the config's [lint] table or --rule (README, "Lint"). The expected findings are
read off the spec text below by the rules' documented meaning."""

from __future__ import annotations

import textwrap

from tests.support import run_cli

SPEC = textwrap.dedent("""\
    version: 1
    name: lintme
    enums:
      Colour:
        description: Paint.
        values: [red, blue]
      Orphan:
        values: [a, b]
    models:
      Shelf:
        description: A shelf.
        fields:
          id: {type: id}
          label: {type: string, maxLength: 20, nullable: true, unique: true, description: L.}
          colour: {type: enum, enum: Colour, description: C.}
      Book:
        fields:
          id: {type: id}
          shelfId: {type: ref, to: Shelf, onDelete: cascade, index: false, description: S.}
          ownerId: {type: ref, to: Shelf, onDelete: cascade, relation: owner, backref: owned,
                    description: O.}
          title: {type: string, maxLength: 80}
    api:
      basePath: /api
      params:
        shelf: Shelf.id
      endpoints:
        - {name: getShelf, method: GET, path: '/shelves/{shelf}', summary: One shelf.}
        - {name: putShelf, method: PUT, path: '/shelves/{shelf}', body: {label: Shelf.label}}
    """)


def at(text: str, column: int = 0) -> str:
    """``spec.yaml:LINE:COL`` of the first line holding ``text`` (COL: where it starts)."""
    for number, line in enumerate(SPEC.splitlines(), 1):
        if text in line:
            return f"spec.yaml:{number}:{column or line.index(text) + 1}"
    raise AssertionError(text)


EXPECTED = [
    f"{at('Orphan:')}: warning: enum Orphan has no description [missing-description]",
    f"{at('Orphan:')}: warning: enum Orphan is used by no field [unused-enum]",
    f"{at('label:')}: warning: Shelf.label is nullable and unique: rows with NULL there are "
    "never duplicates of each other [nullable-unique]",
    f"{at('Book:')}: warning: model Book has no description [missing-description]",
    f"{at('shelfId:')}: warning: foreign key Book.shelfId has no index (joins and deletes of "
    "Shelf rows scan book; drop its index: false) [fk-without-index]",
    f"{at('title:')}: warning: field Book.title has no description [missing-description]",
    f"{at('{name: putShelf')}: warning: endpoint putShelf has no summary or description "
    "[endpoint-without-summary]",
]


def test_findings_at_their_place_with_rule_ids(tmp_path):
    (tmp_path / "spec.yaml").write_text(SPEC)
    result = run_cli("lint", "--spec", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # warnings only
    assert result.stdout.splitlines() == EXPECTED
    assert result.stderr.splitlines() == ["vigilo-gen: 7 findings, 0 at level error"]


def test_levels_from_the_config_and_the_command_line(tmp_path):
    (tmp_path / "spec.yaml").write_text(SPEC)
    config = tmp_path / "vigilo-gen.toml"
    config.write_text(textwrap.dedent("""\
        spec = "spec.yaml"

        [[output]]
        emitter = "sql"
        path = "schema.sql"

        [lint]
        missing-description = "off"
        nullable-unique = "error"
        """))
    result = run_cli("lint", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert not any("[missing-description]" in line for line in lines)
    assert f"{at('label:')}: error: Shelf.label is nullable and unique: rows with NULL there " \
        "are never duplicates of each other [nullable-unique]" in lines
    # --rule wins over the config.
    again = run_cli("lint", "--rule", "nullable-unique=off", "--rule", "unused-enum=error",
                    cwd=tmp_path)
    assert again.returncode == 1
    assert [line for line in again.stdout.splitlines() if ": error: " in line] == [
        f"{at('Orphan:')}: error: enum Orphan is used by no field [unused-enum]"]
    # `all` and `check` read the same config: a [lint] table is no error there.
    assert run_cli("all", cwd=tmp_path).returncode == 0


def test_bad_levels_and_rules_are_one_line(tmp_path):
    (tmp_path / "spec.yaml").write_text(SPEC)
    config = tmp_path / "vigilo-gen.toml"
    base = 'spec = "spec.yaml"\n\n[[output]]\nemitter = "sql"\npath = "s.sql"\n\n[lint]\n'
    for body, message in (
            ('fk-without-idx = "off"\n', "vigilo-gen.toml:8: unknown lint rule "
             "'fk-without-idx' (did you mean 'fk-without-index'?)"),
            ('unused-enum = "fatal"\n', "vigilo-gen.toml:8: bad level 'fatal' for lint rule "
             "'unused-enum' (choices: error, warning, off)")):
        config.write_text(base + body)
        result = run_cli("lint", cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.splitlines() == [f"vigilo-gen: error: {message}"]
    result = run_cli("lint", "--spec", str(tmp_path / "spec.yaml"), "--rule", "unused-enum")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "vigilo-gen: error: bad value 'unused-enum' for --rule of `vigilo-gen lint` "
        "(ID=LEVEL, e.g. missing-description=off)")
