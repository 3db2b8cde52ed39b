"""``check`` in a blink: a file whose header stamp proves it fresh is confirmed without
rendering (tools/bench.py times it), and the verdicts are always those of a full render.

For every test spec, a project with every emitter is built; then each kind of change a user
makes (none, a comment-only spec edit, a meaning edit, a hand edit of an output, a new tool
version, another option or config name) is judged by the stamp path (``quick_check``,
``plan(confirm=True)``) and by rendering everything (``plan()``), and the two must agree.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import vigilo_gen
import yaml
from vigilo_gen.config import load_config
from vigilo_gen.freshness import quick_check
from vigilo_gen.project import CHANGED, NEW, UNCHANGED, load_project_spec, plan, write
from vigilo_gen.stamp import confirms, seal, spec_meaning_hash

from tests.support import ALL_SPECS, SPEC_IDS, run_cli

OUTPUTS = [
    ("sql", {"dialect": "postgres"}, "schema.postgres.sql"),
    ("sql", {"dialect": "tsql"}, "schema.tsql.sql"),
    ("sql", {}, "schema.default.sql"),
    ("prisma", {"dialect": "mysql"}, "schema.prisma"),
    ("drizzle", {"dialect": "sqlite"}, "schema.ts"),
    ("sqlalchemy", {}, "models_sa.py"),
    ("peewee", {}, "models_pw.py"),
]
API_OUTPUTS = [
    ("openapi", {"format": "json"}, "openapi.json"),
    ("openapi", {"format": "yaml"}, "openapi.yaml"),
    ("pydantic", {}, "api_models.py"),
    ("fastapi", {"models": "app.models"}, "router.py"),
]


def config_text(spec_name: str, outputs) -> str:
    lines = [f'spec = "{spec_name}"', ""]
    for emitter, options, path in outputs:
        lines += ["[[output]]", f'emitter = "{emitter}"']
        lines += [f'{key} = "{value}"' for key, value in options.items()]
        lines += [f'path = "out/{path}"', ""]
    return "\n".join(lines)


def verdicts(config_file: Path, confirm: bool) -> dict[str, str]:
    config = load_config(config_file)
    spec = load_project_spec(config)
    return {str(s.output.path.relative_to(config_file.parent.resolve())): s.status
            for s in plan(config, spec, confirm=confirm)}


def agree(config_file: Path) -> dict[str, str]:
    """The verdicts of both paths (asserted equal), and quick_check's answer consistent."""
    full = verdicts(config_file, confirm=False)
    stamped = verdicts(config_file, confirm=True)
    assert stamped == full
    quick = quick_check(config_file)
    if quick is not None:  # quick_check only ever answers "all fresh"
        assert set(full.values()) == {UNCHANGED} and quick == len(full)
    return full


@pytest.fixture(scope="module", params=ALL_SPECS, ids=SPEC_IDS)
def built(request, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fresh")
    spec_text = request.param.read_text(encoding="utf-8")
    shutil.copy(request.param, folder / "spec.yaml")
    has_api = "api" in yaml.safe_load(spec_text)
    (folder / "vigilo-gen.toml").write_text(
        config_text("spec.yaml", OUTPUTS + (API_OUTPUTS if has_api else [])))
    config = load_config(folder / "vigilo-gen.toml")
    write(plan(config, load_project_spec(config)))
    return folder


@pytest.fixture
def project(built, tmp_path) -> Path:
    folder = tmp_path / "p"
    shutil.copytree(built, folder)
    return folder.resolve()


def test_fresh_files_are_confirmed_without_rendering(project):
    config = project / "vigilo-gen.toml"
    assert set(agree(config).values()) == {UNCHANGED}
    assert quick_check(config) == len(load_config(config).outputs)

    def no_render(*args, **kwargs):
        raise AssertionError("rendered a file its stamp proves fresh")

    loaded = load_config(config)
    states = plan(loaded, load_project_spec(loaded), load_emitter=no_render, confirm=True)
    assert {s.status for s in states} == {UNCHANGED}


def test_a_comment_only_spec_edit_leaves_every_output_fresh(project):
    spec = project / "spec.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text("# a note for the team\n" + text.replace("\n", "\n\n", 3)
                    + "\n# the end\n", encoding="utf-8")
    assert set(agree(project / "vigilo-gen.toml").values()) == {UNCHANGED}
    assert quick_check(project / "vigilo-gen.toml") is not None


def test_a_meaning_edit_of_the_spec_makes_every_output_stale(project):
    spec = project / "spec.yaml"
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    data["title"] = "Edited title"
    spec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert set(agree(project / "vigilo-gen.toml").values()) == {CHANGED}


@pytest.mark.parametrize("where", ["body", "header", "stamp", "end"])
def test_a_hand_edit_of_one_output_makes_it_alone_stale(project, where):
    target = project / "out" / "schema.postgres.sql"
    text = target.read_text(encoding="utf-8")
    edited = {
        "body": lambda t: t.replace("CREATE TABLE", "CREATE  TABLE", 1),
        "header": lambda t: t.replace("Do not edit.", "Do not edit!", 1),
        "stamp": lambda t: re.sub(r"body [0-9a-f]{12}", "body " + "0" * 12, t, count=1),
        "end": lambda t: t + "-- mine\n",
    }[where](text)
    assert edited != text
    target.write_text(edited, encoding="utf-8")
    result = agree(project / "vigilo-gen.toml")
    assert {k for k, v in result.items() if v != UNCHANGED} == {"out/schema.postgres.sql"}


def test_a_new_tool_version_makes_every_output_stale(project, monkeypatch):
    monkeypatch.setattr(vigilo_gen, "__version__", "99.0.0")
    assert set(agree(project / "vigilo-gen.toml").values()) == {CHANGED}


def test_another_option_or_config_name_is_stale(project):
    config = project / "vigilo-gen.toml"
    text = config.read_text()
    config.write_text(text.replace('dialect = "postgres"', 'dialect = "mysql"', 1))
    result = agree(config)
    assert result["out/schema.postgres.sql"] == CHANGED
    assert list(result.values()).count(CHANGED) == 1
    config.write_text(text.replace('path = "out/schema.default.sql"',
                                   'dialect = "postgres"\npath = "out/schema.default.sql"'))
    # the same options spelt out: the stamp names the options as the config writes them
    assert agree(config)["out/schema.default.sql"] == CHANGED
    other = project / "other.toml"
    other.write_text(text)
    assert set(agree(other).values()) == {CHANGED}  # "Regenerate with: ... --config other.toml"


def test_a_missing_output_is_new_on_both_paths(project):
    (project / "out" / "models_pw.py").unlink()
    result = agree(project / "vigilo-gen.toml")
    assert result["out/models_pw.py"] == NEW


def test_check_on_fresh_files_imports_no_emitter(project):
    code = ("import sys; from vigilo_gen import cli; code = cli._fast(['check']); "
            "print(code, sorted(m for m in sys.modules if m.startswith('vigilo_gen.emitters') "
            "or m in ('typer', 'sqlglot', 'jinja2', 'jsonschema', 'vigilo_gen.model')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True,
                            text=True, check=True)
    assert result.stdout.split() == ["0", "[]"], result.stdout + result.stderr
    assert re.fullmatch(r"vigilo-gen: all \d+ outputs are up to date\n", result.stderr)


def test_check_cli_verdicts_match_check_full(project):
    target = project / "out" / "models_sa.py"
    target.write_text(target.read_text().replace("class ", "class  ", 1))
    quick, full = run_cli("check", cwd=project), run_cli("check", "--full", cwd=project)
    assert quick.returncode == full.returncode == 1
    assert quick.stdout == full.stdout
    assert "stale      out/models_sa.py" in quick.stdout


# --- the stamp itself -------------------------------------------------------------------------


def test_meaning_hash_ignores_comments_and_layout_but_not_values():
    base = spec_meaning_hash("a: {b: 1, c: [x, y]}  # note\n")
    assert base == spec_meaning_hash("# top\na:\n  b: 1   # one\n  c:\n    - x\n    - y\n")
    assert base != spec_meaning_hash("a: {b: '1', c: [x, y]}\n")  # a string, not a number
    assert base != spec_meaning_hash("a: {b: 2, c: [x, y]}\n")
    assert base != spec_meaning_hash("a: {c: [x, y], b: 1}\n")  # order can be meaning


def test_seal_and_confirm():
    header = ["Generated by vigilo-gen 1 from s.yaml. Do not edit.", "Regenerate with: x",
              "Stamp: spec " + "a" * 12 + ", body " + "_" * 12 + ", sql(dialect=postgres)"]
    text = "".join(f"-- {line}\n" for line in header) + "CREATE TABLE t (id INT);\n"
    sealed = seal(text)
    assert sealed != text and confirms(sealed, header)
    assert not confirms(text, header)  # never sealed
    assert not confirms(sealed.replace("INT", "BIGINT"), header)
    assert not confirms(sealed, [*header[:2], header[2].replace("postgres", "mysql")])
    longer = sealed.replace("Regenerate with: x\n", "Regenerate with: x --config y\n")
    assert not confirms(seal(longer.replace(re.search(r"body (\w{12})", longer).group(1),
                                            "_" * 12)), header)
