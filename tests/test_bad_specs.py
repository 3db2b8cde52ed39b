"""The bad-spec corpus: each broken spec gives exactly the expected lines, exit status 2, and
never a traceback. The expectations are the first lines of each file, one ``# expect: L:C:
message`` per error, in the order they are reported; an optional next line ``# args: --dialect
postgres`` adds command-line arguments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import ROOT, run_cli

CORPUS = sorted((ROOT / "tests" / "bad_specs").glob("*.yaml"))


def expectations(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    expected = []
    for line in lines:
        if not line.startswith("# expect: "):
            break
        expected.append(line.removeprefix("# expect: "))
    assert expected, f"{path.name} has no '# expect:' line"
    return expected


def arguments(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    rest = lines[len(expectations(path)):]
    if rest and rest[0].startswith("# args: "):
        return rest[0].removeprefix("# args: ").split()
    return []


def assert_errors(result, expected_lines: list[str]) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    assert result.stderr.splitlines() == expected_lines


def assert_one_error(result, expected_line: str) -> None:
    assert_errors(result, [expected_line])


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_bad_spec(path):
    relative = path.relative_to(ROOT)
    result = run_cli("validate", "--spec", str(relative), *arguments(path), cwd=ROOT)
    assert_errors(result, [f"{relative}:{line}" for line in expectations(path)])


@pytest.mark.parametrize("path", CORPUS[:3], ids=[p.stem for p in CORPUS[:3]])
def test_emitters_refuse_bad_specs_too(path):
    relative = path.relative_to(ROOT)
    result = run_cli("sql", "--spec", str(relative), cwd=ROOT)
    assert_errors(result, [f"{relative}:{line}" for line in expectations(path)])


def test_not_utf8(tmp_path):
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes(b"version: 1\nmodels:\n  Caf\xe9: {fields: {id: {type: id}}}\n")
    assert_one_error(run_cli("validate", "--spec", "latin1.yaml", cwd=tmp_path),
                     "latin1.yaml:3:6: not valid UTF-8 (byte 0xe9)")


def test_missing_file(tmp_path):
    assert_one_error(run_cli("validate", "--spec", "nope.yaml", cwd=tmp_path),
                     "nope.yaml: no such file")


def test_directory(tmp_path):
    (tmp_path / "spec").mkdir()
    assert_one_error(run_cli("validate", "--spec", "spec", cwd=tmp_path),
                     "spec: is a directory, not a spec file")


def test_oversized_spec_is_refused_before_reading(tmp_path):
    spec = tmp_path / "big.yaml"
    with spec.open("wb") as handle:  # 50 MB of comments, written sparsely
        handle.write(b"version: 1\n")
        handle.seek(50 * 1024 * 1024)
        handle.write(b"\n")
    result = run_cli("validate", "--spec", "big.yaml", cwd=tmp_path)
    assert_one_error(result, "big.yaml: spec is 52,428,801 bytes; the limit is 4,194,304 bytes")


def test_unwritable_out(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("sql", "--out", str(blocker / "schema.sql"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"vigilo-gen: error: cannot write {blocker / 'schema.sql'}:")


def test_unknown_dialect_is_a_usage_error():
    result = run_cli("sql", "--dialect", "nosuchdb")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nosuchdb" in result.stderr


def test_every_error_is_reported_not_just_the_first(tmp_path):
    spec = tmp_path / "two.yaml"
    spec.write_text("version: 1\nmodels:\n  A:\n    fields:\n      id: {type: id}\n"
                    "      a: {type: int, min: 3, max: 1}\n      b: {type: float, default: x}\n")
    result = run_cli("validate", "--spec", "two.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "two.yaml:6:27: min 3 is above max 1",
        "two.yaml:7:33: default 'x' of A.b is not a float value",
    ]


def test_a_failed_run_leaves_the_existing_output_untouched(tmp_path):
    """Writes are atomic: a bad spec or a refusing emitter changes nothing, leaves no temp file."""
    out = tmp_path / "schema.sql"
    out.write_text("previous output\n")
    bad = ROOT / "tests" / "bad_specs" / "13-default-wrong-type.yaml"
    for args in (("sql", "--spec", str(bad)),  # a bad spec
                 ("openapi", "--spec", str(ROOT / "tests" / "bad_specs" / "33-version.yaml"))):
        result = run_cli(*args, "--out", str(out))
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert out.read_text() == "previous output\n"
    no_api = tmp_path / "no_api.yaml"
    no_api.write_text("version: 1\nmodels:\n  A: {fields: {id: {type: id}}}\n")
    result = run_cli("openapi", "--spec", str(no_api), "--out", str(out))  # emitter refuses
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert out.read_text() == "previous output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["no_api.yaml", "schema.sql"]


# Words from other tools' type vocabularies and the spec type that holds the same values (the
# README's type list): a closest-spelling guess is wrong for several (uuid is not always an
# id, serial is no decimal, a time of day is no datetime).
SYNONYMS = {
    "guid": ("'id' for a primary key", "another uuid column 'uuid'"),
    "serial": ("use 'int'",), "bigserial": ("use 'bigint'",),
    "timestamp": ("use 'datetime'",), "timestamptz": ("use 'datetime'",),
    "time": ("there is no time-of-day",),
    "varchar": ("use 'string'",), "VARCHAR(255)": ("use 'string'",), "char": ("use 'string'",),
    "boolean": ("use 'bool'",), "integer": ("use 'int'",), "smallint": ("use 'int'",),
    "jsonb": ("use 'json'",), "bytea": ("use 'bytes'",), "blob": ("use 'bytes'",),
    "double": ("use 'float'",), "real": ("use 'float'",),
    "numeric": ("use 'decimal' with precision and scale",),
    "decimal(10,2)": ("write type: decimal and its size as options",),
}


def test_type_words_of_other_tools_get_the_right_hint(tmp_path):
    lines = "".join(f"      f{i}: {{type: '{word}'}}\n" for i, word in enumerate(SYNONYMS))
    spec = tmp_path / "words.yaml"
    spec.write_text(f"version: 1\nmodels:\n  A:\n    fields:\n      id: {{type: id}}\n{lines}")
    result = run_cli("validate", "--spec", "words.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = result.stderr.splitlines()
    assert len(errors) == len(SYNONYMS), result.stderr
    for line, (word, hints) in zip(errors, SYNONYMS.items(), strict=True):
        assert f"unknown field type '{word}'" in line
        for hint in hints:
            assert hint in line, line
        assert "datetime" not in line or word.startswith("timestamp"), line
        assert "did you mean" not in line, line
