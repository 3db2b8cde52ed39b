"""The mutation sample's own tools (tools/mutate_sample.py): a replayed verdict is checked, never
taken on trust, and the report's score and interval are the documented Wilson figures.

Each test works in a throwaway git repository with one small module, so no mutant ever touches
this checkout's generators/ (other tests read it at the same time)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

BIN = Path(sys.executable).parent
MODULE = "def double(x):\n    return x + x\n"
TESTS = {
    "test_double.py": "from generators.mod import double\n\n\ndef test_double():\n"
    "    assert double(3) == 6\n",
    # passes whatever double does: replaying a mutant against it must not kill the mutant
    "test_other.py": "def test_other():\n    assert True\n",
}


def _repo(tmp_path: Path, replayed: str) -> Path:
    repo = tmp_path / "repo"
    for folder in ("generators", "emitters", "tools", "tests/mutation"):
        (repo / folder).mkdir(parents=True)
    (repo / "generators" / "__init__.py").write_text("")
    (repo / "generators" / "mod.py").write_text(MODULE)
    (repo / "emitters" / "__init__.py").write_text("")
    (repo / "tests" / "__init__.py").write_text("")
    (repo / "tests" / "mutation" / "__init__.py").write_text("")
    (repo / "tests" / "mutation" / "equivalent.py").write_text("EQUIVALENT = {}\n")
    (repo / "tests" / "mutation" / "replayed.py").write_text(replayed)
    for name, text in TESTS.items():
        (repo / "tests" / name).write_text(text)
    shutil.copy(ROOT / "tools" / "mutate_sample.py", repo / "tools")
    (repo / "cr.toml").write_text(
        '[cosmic-ray]\nmodule-path = ["generators/mod.py"]\ntimeout = 60.0\n'
        'excluded-modules = []\ntest-command = "true"\n\n'
        '[cosmic-ray.distributor]\nname = "local"\n'
    )
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "start"], cwd=repo, check=True)
    subprocess.run([str(BIN / "cosmic-ray"), "init", "cr.toml", "s.sqlite"], cwd=repo, check=True)
    return repo


def _tool(repo: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "tools/mutate_sample.py", *args],
        cwd=repo, capture_output=True, text=True, check=True,
    )
    return result.stdout


def _all_survived(repo: Path) -> dict[str, int]:
    """Record every mutant as a tier-1 survivor; operator name -> occurrence."""
    with sqlite3.connect(repo / "s.sqlite") as db:
        rows = db.execute("SELECT job_id, operator_name, occurrence FROM mutation_specs").fetchall()
        for job, _, _ in rows:
            db.execute(
                "INSERT INTO work_results (job_id, worker_outcome, output, test_outcome, diff) "
                "VALUES (?, 'NORMAL', '', 'SURVIVED', '')",
                (job,),
            )
    return {operator: occurrence for _, operator, occurrence in rows}


def test_replay_kills_only_a_mutant_its_named_test_fails_on(tmp_path):
    # x * x for x + x: double(3) == 9, so test_double fails; x - x: 0, test_other still passes
    replayed = (
        "REPLAYED = {\n"
        "    ('generators/mod.py', 'core/ReplaceBinaryOperator_Add_Mul', 0, 2):"
        " ('tests/test_double.py',),\n"
        "    ('generators/mod.py', 'core/ReplaceBinaryOperator_Add_Sub', 0, 2):"
        " ('tests/test_other.py',),\n"
        "}\n"
    )
    repo = _repo(tmp_path, replayed)
    operators = _all_survived(repo)
    assert "core/ReplaceBinaryOperator_Add_Mul" in operators
    total = len(operators)

    out = _tool(repo, "replay", "s.sqlite")
    assert "1 of 2 replayed survivors killed" in out
    assert (repo / "generators" / "mod.py").read_text() == MODULE  # the tree is restored

    report = _tool(repo, "report", "s.sqlite")
    assert f"killed 1 (1 on replay), survived {total - 1}," in report
    assert f"survived in generators/mod.py: {total - 1}" in report


def test_an_entry_for_a_line_the_module_no_longer_has_replays_nothing(tmp_path):
    # the key's line (3) is not where the mutant is (2): a stale entry, so no replay
    replayed = (
        "REPLAYED = {\n"
        "    ('generators/mod.py', 'core/ReplaceBinaryOperator_Add_Mul', 0, 3):"
        " ('tests/test_double.py',),\n"
        "}\n"
    )
    repo = _repo(tmp_path, replayed)
    total = len(_all_survived(repo))
    assert "0 of 0 replayed survivors killed" in _tool(repo, "replay", "s.sqlite")
    assert f"killed 0 (0 on replay), survived {total}," in _tool(repo, "report", "s.sqlite")


def test_the_score_interval_is_wilsons(tmp_path):
    # Wilson's 95% interval of 154 / 175 is 82.4% .. 92.0% (z = 1.96), as docs/mutation.md
    # reports for seed 22, computed there by hand from Wilson's formula
    repo = _repo(tmp_path, "REPLAYED = {}\n")
    with sqlite3.connect(repo / "s.sqlite") as db:
        template = db.execute(
            "SELECT job_id, module_path, operator_name, occurrence, start_pos_row, start_pos_col,"
            " end_pos_row, end_pos_col FROM mutation_specs LIMIT 1"
        ).fetchone()
        db.execute("DELETE FROM mutation_specs")
        db.execute("DELETE FROM work_items")
        for n in range(175):
            job = f"job{n}"
            db.execute("INSERT INTO work_items (job_id) VALUES (?)", (job,))
            db.execute(
                "INSERT INTO mutation_specs (job_id, module_path, operator_name, occurrence,"
                " start_pos_row, start_pos_col, end_pos_row, end_pos_col, operator_args)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}')",
                (job, *template[1:3], n, *template[4:]),
            )
            db.execute(
                "INSERT INTO work_results (job_id, worker_outcome, output, test_outcome, diff) "
                "VALUES (?, 'NORMAL', '', ?, '')",
                (job, "KILLED" if n < 154 else "SURVIVED"),
            )
    report = _tool(repo, "report", "s.sqlite")
    assert "score: 88.0% of the non-equivalent mutants killed (95% interval 82.4% .. 92.0%)" in (
        report
    )
