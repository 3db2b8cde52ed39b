"""The project workflow: ``init`` -> ``all`` -> ``check``, config errors, refusing to clobber
hand-written files, all-or-nothing writes, determinism, and the committed examples."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from vigilo_gen import registry
from vigilo_gen.config import CONFIG_NAME, load_config
from vigilo_gen.emitter import Provenance
from vigilo_gen.errors import UsageError
from vigilo_gen.project import GENERATED_MARK, is_generated
from vigilo_gen.spec import load_spec
from vigilo_gen.starter import DEFAULT_CONFIG

from tests.support import ALL_SPECS, BUNDLED_SPEC, ROOT, SPEC_IDS, run_cli

EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/" + CONFIG_NAME))


def snapshot_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def generated_paths(config_text: str) -> list[str]:
    return re.findall(r'^path = "([^"]+)"', config_text, flags=re.M)


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Path:
    """A folder after ``vigilo-gen init`` and ``vigilo-gen all`` (built once)."""
    folder = tmp_path_factory.mktemp("built")
    run_cli("init", cwd=folder, check=True)
    run_cli("all", cwd=folder, check=True)
    return folder


@pytest.fixture
def project(built_project: Path, tmp_path: Path) -> Path:
    """A private copy of the built project."""
    folder = tmp_path / "project"
    shutil.copytree(built_project, folder)
    return folder


# --- the main loop --------------------------------------------------------------------------


def test_init_all_check_is_fresh(project: Path):
    paths = generated_paths(DEFAULT_CONFIG)
    for path in paths:
        text = (project / path).read_text(encoding="utf-8")
        assert is_generated(text), path
        assert "Regenerate with: vigilo-gen all" in text, path
    result = run_cli("check", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"all {len(paths)} outputs are up to date" in result.stderr
    again = run_cli("all", cwd=project, check=True)
    assert again.stdout.splitlines() == [f"unchanged  {p}" for p in paths]


def test_init_names_every_builtin_emitter_and_writes_the_schema_next_to_the_spec(tmp_path):
    run_cli("init", cwd=tmp_path, check=True)
    config = load_config(tmp_path / CONFIG_NAME)
    assert {o.emitter for o in config.outputs} >= {
        "sql", "prisma", "drizzle", "sqlalchemy", "peewee", "openapi", "pydantic"}
    spec = (tmp_path / "spec" / "vigilo.yaml").read_text(encoding="utf-8")
    schema_ref = re.match(r"# yaml-language-server: \$schema=(\S+)", spec).group(1)
    assert (tmp_path / "spec" / schema_ref).is_file()
    assert (tmp_path / "spec" / "vigilo.yaml").read_bytes() == \
        (ROOT / "spec" / "vigilo.yaml").read_bytes()


def test_init_refuses_to_overwrite_without_force(tmp_path: Path):
    (tmp_path / CONFIG_NAME).write_text("# mine\n")
    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 2
    assert "refusing to overwrite vigilo-gen.toml" in result.stderr
    assert (tmp_path / CONFIG_NAME).read_text() == "# mine\n"
    assert not (tmp_path / "spec").exists()  # nothing was written
    run_cli("init", "--force", cwd=tmp_path, check=True)
    assert (tmp_path / CONFIG_NAME).read_text() == DEFAULT_CONFIG


def test_spec_edit_makes_check_fail_with_a_diff(project: Path):
    spec = project / "spec" / "vigilo.yaml"
    text = spec.read_text(encoding="utf-8")
    edited = re.sub(r"lineColor:(\s+)\{type: string, maxLength: 20",
                    r"lineColor:\1{type: string, maxLength: 24", text, count=1)
    assert edited != text
    spec.write_text(edited, encoding="utf-8")
    result = run_cli("check", cwd=project)
    assert result.returncode == 1, result.stderr
    for path in generated_paths(DEFAULT_CONFIG):
        assert f"stale      {path}" in result.stdout
    assert "--- generated/sql/schema.postgres.sql (on disk)" in result.stdout
    assert "+++ generated/sql/schema.postgres.sql (generated)" in result.stdout
    assert re.search(r"^\+.*VARCHAR\(24\)", result.stdout, flags=re.M)
    assert "run `vigilo-gen all`" in result.stderr
    run_cli("all", cwd=project, check=True)
    assert run_cli("check", cwd=project).returncode == 0


def test_hand_edit_of_a_generated_file_is_stale(project: Path):
    target = project / "generated" / "api" / "openapi.json"  # JSON: the header is a field
    target.write_text(target.read_text().replace('"3.1.0"', '"3.0.3"'))
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert re.findall(r"^stale +(\S+)", result.stdout, flags=re.M) == \
        ["generated/api/openapi.json"]
    assert '-  "openapi": "3.0.3",' in result.stdout
    assert '+  "openapi": "3.1.0",' in result.stdout


def test_deleted_file_is_missing(project: Path):
    (project / "generated" / "drizzle" / "schema.ts").unlink()
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert "missing    generated/drizzle/schema.ts" in result.stdout
    assert "stale" not in result.stdout
    config = (project / "vigilo-gen.toml").read_text().splitlines()
    outputs = sum(line.strip() == "[[output]]" for line in config)
    assert f"1 missing of {outputs} outputs" in result.stderr


def test_broken_spec_is_exit_2_with_position(project: Path):
    spec = project / "spec" / "vigilo.yaml"
    spec.write_text(spec.read_text().replace("version: 1", "version: 1\nmodles: {}", 1))
    for command in ("check", "all"):
        result = run_cli(command, cwd=project)
        assert result.returncode == 2, result.stderr
        assert re.match(r"spec/vigilo\.yaml:\d+:\d+: unknown key 'modles'", result.stderr), \
            result.stderr
        assert "Traceback" not in result.stderr


def test_all_refuses_to_overwrite_a_hand_written_file(project: Path):
    before = snapshot_files(project)
    mine = project / "generated" / "prisma" / "schema.prisma"
    mine.write_text("// my own schema\n")
    (project / "generated" / "sql" / "schema.mysql.sql").unlink()
    result = run_cli("all", cwd=project)
    assert result.returncode == 2
    assert "generated/prisma/schema.prisma: exists and was not generated by vigilo-gen" \
        in result.stderr
    assert "--force" in result.stderr
    assert mine.read_text() == "// my own schema\n"
    assert not (project / "generated" / "sql" / "schema.mysql.sql").exists()  # all or nothing
    result = run_cli("all", "--force", cwd=project, check=True)
    assert "written    generated/prisma/schema.prisma" in result.stdout
    assert snapshot_files(project) == before


# --- all or nothing -------------------------------------------------------------------------

FAILING_EMITTER = '''
from dataclasses import dataclass

from vigilo_gen.emitter import Emitter, option
from vigilo_gen.errors import UsageError


@dataclass(frozen=True)
class Options:
    mode: str = option("crash", "How to fail.", choices=("crash", "refuse"))


def render(spec, options, provenance):
    if options.mode == "refuse":
        raise UsageError("this spec cannot be rendered")
    raise RuntimeError("boom")


emitter = Emitter(name="boom", description="Always fails (test plug-in).", options=Options,
                  render=render, filename=lambda options: "boom.txt")
'''


def install_plugin(site: Path) -> dict[str, str]:
    """A third-party emitter exactly as pip would install it: a module and a dist-info whose
    entry point joins the ``vigilo_gen.emitters`` group. Returns the environment to use it."""
    site.mkdir()
    (site / "boom_emitter.py").write_text(FAILING_EMITTER)
    info = site / "vigilo_gen_boom-0.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vigilo-gen-boom\n"
                                   "Version: 0.0.0\n")
    (info / "entry_points.txt").write_text(
        "[vigilo_gen.emitters]\nboom = boom_emitter:emitter\n")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(site),
                                                         os.environ.get("PYTHONPATH")]))}


@pytest.mark.parametrize(("mode", "code", "message"), [
    ("crash", 3, "boom.txt (boom): internal error: RuntimeError: boom; nothing was written"),
    ("refuse", 2, "boom.txt (boom): this spec cannot be rendered; nothing was written"),
])
def test_a_failing_emitter_leaves_every_file_untouched(project, tmp_path_factory, mode, code,
                                                       message):
    env = install_plugin(tmp_path_factory.mktemp("plugin") / "site")
    spec = project / "spec" / "vigilo.yaml"
    spec.write_text(spec.read_text() + "# a comment: every output's spec hash changes\n")
    (project / "generated" / "python" / "models_peewee.py").unlink()
    config = project / CONFIG_NAME
    config.write_text(config.read_text() + textwrap.dedent(f"""
        [[output]]
        emitter = "boom"
        mode = "{mode}"
        path = "boom.txt"
        """))
    before = snapshot_files(project)
    result = run_cli("all", cwd=project, env=env)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot_files(project) == before


# --- config errors --------------------------------------------------------------------------


@pytest.mark.parametrize(("edit", "expected"), [
    (('emitter = "drizzle"', 'emitter = "drizle"'),
     r"vigilo-gen\.toml:\d+: unknown emitter 'drizle' \(did you mean 'drizzle'\?\)"),
    (('format = "json"', 'formt = "json"'),
     r"vigilo-gen\.toml:\d+: unknown option 'formt' for emitter openapi "
     r"\(did you mean 'format'\?\)"),
    (('dialect = "sqlite"', 'dialect = "sqlit"'),
     r"vigilo-gen\.toml:\d+: bad value 'sqlit' for option 'dialect' of emitter sql "
     r"\(did you mean 'sqlite'\? choices: postgres, mysql"),
    (('spec = "spec/vigilo.yaml"', 'spek = "spec/vigilo.yaml"'),
     r"vigilo-gen\.toml:\d+: unknown key 'spek' \(did you mean 'spec'\?\)"),
    (('path = "generated/sql/schema.mysql.sql"', 'path = "generated/sql/schema.postgres.sql"'),
     r"vigilo-gen\.toml:\d+: path 'generated/sql/schema.postgres.sql' is already written by "
     r"the output on line \d+"),
    (('spec = "spec/vigilo.yaml"', 'spec = "nope.yaml"'),
     r"vigilo-gen\.toml:\d+: spec file 'nope.yaml' not found \(looked for .*nope.yaml\)$"),
    (('emitter = "peewee"\n', ''), r"vigilo-gen\.toml:\d+: \[\[output\]\] needs emitter"),
    (('[[output]]\nemitter = "pydantic"', '[[output]\nemitter = "pydantic"'),
     r"vigilo-gen\.toml:\d+:\d+: invalid TOML: "),
])
def test_config_errors_are_one_line_with_a_line_number(tmp_path, edit, expected):
    old, new = edit
    assert old in DEFAULT_CONFIG
    (tmp_path / CONFIG_NAME).write_text(DEFAULT_CONFIG.replace(old, new, 1))
    with pytest.raises(UsageError) as caught:
        load_config(tmp_path / CONFIG_NAME)
    message = str(caught.value).replace(str(tmp_path / CONFIG_NAME), CONFIG_NAME)
    assert re.match(expected, message), message
    assert "\n" not in message
    # the line number points at the offending line
    line = int(message.split(":")[1])
    lines = (tmp_path / CONFIG_NAME).read_text().splitlines()
    if "invalid TOML" not in message and "needs emitter" not in message:
        assert new.split("\n")[0].split(" =")[0] in lines[line - 1]


def test_config_error_through_the_cli(tmp_path):
    (tmp_path / CONFIG_NAME).write_text(DEFAULT_CONFIG.replace('"drizzle"', '"drizle"'))
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2
    assert re.fullmatch(r"vigilo-gen: error: vigilo-gen\.toml:\d+: unknown emitter 'drizle' "
                        r"\(did you mean 'drizzle'\?\)\n", result.stderr)
    result = run_cli("all", cwd=tmp_path)
    assert result.returncode == 2
    assert list(tmp_path.iterdir()) == [tmp_path / CONFIG_NAME]  # nothing was written


def test_no_config_is_exit_2(tmp_path):
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "no vigilo-gen.toml in the current folder; run `vigilo-gen init`" in result.stderr
    result = run_cli("all", "--config", "elsewhere.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "elsewhere.toml: no such config file" in result.stderr


def test_paths_are_relative_to_the_config(project: Path, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = run_cli("check", "--config", str(project / CONFIG_NAME), cwd=elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(elsewhere.iterdir()) == []


# --- determinism ----------------------------------------------------------------------------


RENDER_EVERYTHING = """
import hashlib, itertools, json, sys
from vigilo_gen import registry
from vigilo_gen.errors import UsageError
from vigilo_gen.spec import load_spec

digests = {}
for spec_path in sys.argv[1:]:
    spec = load_spec(spec_path)
    for name in registry.names():
        emitter = registry.load(name)
        fields = [f for f in emitter.option_fields() if f.metadata.get("choices")]
        for values in itertools.product(*(f.metadata["choices"] for f in fields)):
            options = emitter.make_options(**dict(zip([f.name for f in fields], values)))
            try:
                text = emitter.run(spec, options)
            except UsageError:  # e.g. no API section: nothing to compare
                continue
            key = " ".join([spec_path, name, *values])
            digests[key] = hashlib.sha256(text.encode()).hexdigest()
print(json.dumps(digests))
"""


def test_every_output_is_identical_across_hash_seeds():
    """Every emitter x every option value x every spec, rendered in three processes with
    PYTHONHASHSEED 0, 1 and 2 (run in parallel): every output's bytes must be the same."""
    processes = {seed: subprocess.Popen(
        [sys.executable, "-c", RENDER_EVERYTHING, *map(str, ALL_SPECS)],
        env={**os.environ, "PYTHONHASHSEED": str(seed)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in (0, 1, 2)}
    digests = {}
    for seed, process in processes.items():
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        digests[seed] = json.loads(out)
    assert {key.split()[1] for key in digests[0]} == set(registry.names())
    assert len(digests[0]) >= 26 * len(ALL_SPECS) - 3
    for seed in (1, 2):
        differ = [k for k in digests[0] if digests[seed].get(k) != digests[0][k]]
        assert not differ, f"PYTHONHASHSEED={seed} changes: {differ}"
        assert digests[seed].keys() == digests[0].keys()


def option_combinations(emitter):
    """(choice values, options) for every combination of the emitter's choice options."""
    fields = [f for f in emitter.option_fields() if f.metadata.get("choices")]
    for values in itertools.product(*(f.metadata["choices"] for f in fields)):
        yield values, emitter.make_options(**dict(zip([f.name for f in fields], values,
                                                      strict=True)))


def shuffled(data, rotate: int):
    """The spec with every mapping whose order has no meaning rotated by ``rotate``: the
    top-level keys, models, enums, api.schemas, api.params, endpoints' params, and the option
    keys of every field. Kept: fields, enum values, object properties, endpoints."""

    def turn(mapping: dict) -> dict:
        items = list(mapping.items())
        if items:
            k = rotate % len(items)
            items = items[k:] + items[:k]
        return dict(items)

    data = turn(data)
    if "enums" in data:
        data["enums"] = turn(data["enums"])
    models = turn(data["models"])
    for model in models.values():
        for name, field in model["fields"].items():
            if isinstance(field, dict):
                model["fields"][name] = turn(field)
    data["models"] = models
    api = data.get("api")
    if api:
        for key in ("schemas", "params"):
            if key in api:
                api[key] = turn(api[key])
        for endpoint in api.get("endpoints", []):
            if "params" in endpoint:
                endpoint["params"] = turn(endpoint["params"])
    return data


@pytest.mark.parametrize("spec_path", ALL_SPECS, ids=SPEC_IDS)
def test_meaningless_order_changes_no_output_byte(spec_path: Path, tmp_path: Path):
    """The header's spec hash is of the file's bytes (it must change when the file does), so
    the same Provenance is given to both renders; everything else must be identical."""
    original = load_spec(spec_path)
    data = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    provenance = Provenance("0", "spec.yaml", "0" * 64, "vigilo-gen all")
    for rotate in (1, 2, 3):
        variant_path = tmp_path / f"rotated{rotate}.yaml"
        variant_path.write_text(yaml.safe_dump(shuffled(data, rotate), sort_keys=False))
        variant = load_spec(variant_path)
        assert [m.name for m in variant.models] == [m.name for m in original.models]
        for name in registry.names():
            emitter = registry.load(name)
            for values, options in option_combinations(emitter):
                try:
                    expected = emitter.render(original, options, provenance)
                except UsageError:
                    continue
                assert emitter.render(variant, options, provenance) == expected, \
                    f"{name} {values} changes when the spec's mappings are rotated by {rotate}"


def test_every_emitter_writes_the_generated_mark_first():
    spec = load_spec(ALL_SPECS[0])
    for name in registry.names():
        emitter = registry.load(name)
        text = emitter.run(spec, emitter.make_options())
        assert GENERATED_MARK in text[:600], name


# --- the committed examples -----------------------------------------------------------------


def test_examples_exist():
    assert {p.name for p in EXAMPLES} >= {"nextjs-prisma", "fastapi-sqlalchemy"}


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
@pytest.mark.parametrize("full", [[], ["--full"]], ids=["stamps", "full-render"])
def test_example_is_fresh(example: Path, full: list[str]):
    # --full too: a code change without a version bump keeps the stamps but not the output.
    result = run_cli("check", *full, cwd=example)
    assert result.returncode == 0, (
        f"examples/{example.name} is stale: run `make examples` and commit.\n"
        + result.stdout + result.stderr)


# A config's shape, each broken once: one line, the line that says it (docs/workflow.md: "a
# bad config" is exit 2 with `file:line: message`).
ONE_OUTPUT = '[[output]]\nemitter = "sql"\npath = "a.sql"\n'
SHAPE_ERRORS = [
    ('spec = 5\n' + ONE_OUTPUT, "1: 'spec' must name the spec file"),
    ('spec = "spec.yaml"\noutput = 1\n', "2: 'output' must be a list of [[output]] tables"),
    ('spec = "spec.yaml"\n[[output]]\nemitter = "sql"\n',
     '2: [[output]] (sql) needs path = "FILE"'),
    ('spec = "spec.yaml"\nlint = 1\n' + ONE_OUTPUT, "2: 'lint' must be a table: [lint] then"),
    ('spec = "spec.yaml"\nmigrations = 1\n' + ONE_OUTPUT,
     "2: 'migrations' must be a table: [migrations] then"),
    ('spec = "spec.yaml"\n' + ONE_OUTPUT + '\n[migrations]\ndialects = ["sqlite"]\n',
     '6: [migrations] needs folder = "DIR"'),
    ('spec = "spec.yaml"\n' + ONE_OUTPUT + '\n[migrations]\nfolder = "m"\n',
     "6: [migrations] needs dialects = [...], a list of postgres, mysql, sqlite"),
    ('spec = "spec.yaml"\n' + ONE_OUTPUT + '\n[migrations]\nfolder = "m"\ndialects = []\n',
     "8: [migrations] needs dialects = [...]"),
    ('spec = "spec.yaml"\nmigrations = {dialects = ["sqlite"]}\n' + ONE_OUTPUT,
     '2: [migrations] needs folder = "DIR"'),
]


@pytest.mark.parametrize(("text", "expected"), SHAPE_ERRORS)
def test_a_config_of_the_wrong_shape_is_one_line_at_its_line(tmp_path, text, expected):
    (tmp_path / "spec.yaml").write_text(BUNDLED_SPEC.read_text(encoding="utf-8"))
    (tmp_path / CONFIG_NAME).write_text(text)
    with pytest.raises(UsageError) as caught:
        load_config(tmp_path / CONFIG_NAME)
    message = str(caught.value).replace(str(tmp_path / CONFIG_NAME), CONFIG_NAME)
    assert message.startswith(f"{CONFIG_NAME}:{expected}"), message
    assert "\n" not in message


def test_a_config_without_outputs_says_there_is_nothing_to_generate(tmp_path):
    (tmp_path / "spec.yaml").write_text(BUNDLED_SPEC.read_text(encoding="utf-8"))
    (tmp_path / CONFIG_NAME).write_text('spec = "spec.yaml"\n')
    with pytest.raises(UsageError, match=r"no \[\[output\]\] tables: nothing to generate"):
        load_config(tmp_path / CONFIG_NAME)


def test_a_config_that_is_not_utf8_is_one_line_at_its_byte(tmp_path):
    """A TOML file is UTF-8 (the TOML spec); a config that is not is said as a spec that is
    not is said: `file:line:col: not valid UTF-8 (byte 0x..)`, exit 2."""
    (tmp_path / CONFIG_NAME).write_bytes(b'spec = "x.yaml"\n# caf\xe9\n')
    result = run_cli("all", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"vigilo-gen: error: {CONFIG_NAME}:2:6: not valid UTF-8 (byte 0xe9)"]
