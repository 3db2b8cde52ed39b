"""A random sample of a cosmic-ray session, and the survivors of one run as a new session.

All ~12,000 mutants of generators/ and emitters/ against the behavioural suite (~8 minutes a
run) would take months on two cores; a seeded random sample estimates the score with a known
error instead. `make mutate-sample` runs it in two tiers: every sampled mutant against a fast
behavioural subset, then only that tier's survivors against the whole behavioural suite (a
mutant the subset kills is killed by the whole suite, so the first tier only saves time).

    python tools/mutate_sample.py sample SESSION N SEED      keep N random mutants, and mark
                                                             those inside an annotation
    python tools/mutate_sample.py replay SESSION             replay the survivors that
                                                             tests/mutation/replayed.py names
                                                             against their tests
    python tools/mutate_sample.py survivors SESSION NEW      the survivors, as a new session
    python tools/mutate_sample.py report SESSION [SESSION2]  score, interval, survivors by file
"""

from __future__ import annotations

import ast
import math
import random
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _jobs(db: sqlite3.Connection) -> list[str]:
    return [row[0] for row in db.execute("SELECT job_id FROM work_items ORDER BY job_id")]


def _keep(db: sqlite3.Connection, keep: set[str]) -> None:
    drop = [(job,) for job in _jobs(db) if job not in keep]
    for table in ("work_results", "mutation_specs", "work_items"):
        db.executemany(f"DELETE FROM {table} WHERE job_id = ?", drop)
    db.commit()


ANNOTATION = "equivalent: inside an annotation (PEP 563 leaves it unevaluated)"


def _annotations(module: Path) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The (start, end) positions of every annotation of a module that postpones them (PEP 563),
    so none is evaluated at run time (nothing in generators/ or emitters/ reads them back:
    no get_type_hints, no __annotations__)."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    postponed = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in tree.body
    )
    if not postponed:
        return []
    spans = []
    for node in ast.walk(tree):
        notes: list[ast.expr | None] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            notes = [
                arg.annotation
                for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg)
                if arg is not None
            ]
            notes.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            notes = [node.annotation]
        spans += [
            ((n.lineno, n.col_offset), (n.end_lineno, n.end_col_offset))
            for n in notes
            if n is not None
        ]
    return spans


def _mark_annotations(db: sqlite3.Connection) -> int:
    """Record the mutants that lie wholly inside an annotation as skipped and equivalent: they
    cannot change behaviour, so running the tests on them would only spend time."""
    spans: dict[str, list] = {}
    marked = 0
    for job, path, row, col, end_row, end_col in db.execute(
        "SELECT job_id, module_path, start_pos_row, start_pos_col, end_pos_row, end_pos_col "
        "FROM mutation_specs"
    ).fetchall():
        if path not in spans:
            spans[path] = _annotations(Path(path))
        if any(start <= (row, col) and (end_row, end_col) <= end for start, end in spans[path]):
            db.execute(
                "INSERT OR REPLACE INTO work_results (job_id, worker_outcome, output, "
                "test_outcome, diff) VALUES (?, 'SKIPPED', ?, NULL, NULL)",
                (job, ANNOTATION),
            )
            marked += 1
    db.commit()
    return marked


def sample(session: Path, n: int, seed: int) -> None:
    with sqlite3.connect(session) as db:
        jobs = _jobs(db)
        keep = set(random.Random(seed).sample(jobs, min(n, len(jobs))))
        _keep(db, keep)
        marked = _mark_annotations(db)
    print(
        f"sampled {len(keep)} of {len(jobs)} mutants (seed {seed}); {marked} lie inside an "
        f"annotation (equivalent, not run)"
    )


REPLAYED_BY = "killed on replay by "


def _survivor_keys(db: sqlite3.Connection) -> dict[str, tuple[str, str, int, int]]:
    """job -> (module, operator, occurrence, line) of each survivor, tier-1 timeouts too."""
    return {
        job: (path, operator, occurrence, line)
        for job, path, operator, occurrence, line in db.execute(
            "SELECT s.job_id, s.module_path, s.operator_name, s.occurrence, s.start_pos_row "
            "FROM mutation_specs s JOIN work_results r ON r.job_id = s.job_id "
            "WHERE lower(r.test_outcome) = 'survived' OR r.output = 'timeout'"
        )
    }


def replay(session: Path) -> None:
    """Apply each tier-1 survivor that tests/mutation/replayed.py names, run its tests, and
    record it as killed when one fails (the tree is restored after each)."""
    sys.path.insert(0, str(ROOT))
    from tests.mutation.replayed import REPLAYED

    bin_dir = Path(sys.executable).parent
    killed = tried = 0
    with sqlite3.connect(session) as db:
        for job, key in sorted(_survivor_keys(db).items(), key=lambda item: item[1]):
            tests = REPLAYED.get(key)
            if tests is None:
                continue
            tried += 1
            path, operator, occurrence, line = key
            try:
                subprocess.run(
                    [str(bin_dir / "cosmic-ray"), "apply", path, operator, str(occurrence)],
                    cwd=ROOT, check=True, capture_output=True,
                )
                run = subprocess.run(
                    [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                     "-k", "not snapshot", *tests],
                    cwd=ROOT, capture_output=True, text=True,
                )
            finally:
                subprocess.run(["git", "checkout", "--", "generators", "emitters"], cwd=ROOT,
                               check=True)
            # pytest's exit 1 is "a test failed"; anything else (no test collected, a usage
            # error, an interrupted run) proves nothing, so the mutant stays a survivor.
            if run.returncode == 1:
                killed += 1
                db.execute(
                    "UPDATE work_results SET test_outcome = 'KILLED', output = ? WHERE job_id = ?",
                    (REPLAYED_BY + " ".join(tests), job),
                )
                db.commit()
            verdict = "killed" if run.returncode == 1 else f"survives (pytest {run.returncode})"
            print(f"  {path}:{line} {operator} #{occurrence}: {verdict}")
    print(f"{killed} of {tried} replayed survivors killed by the tests replayed.py names")


def survivors(session: Path, new: Path) -> None:
    shutil.copyfile(session, new)
    with sqlite3.connect(new) as db:
        # A first-tier timeout is cosmic-ray's "killed", but there it only means the subset was
        # slow under load: the whole suite decides those too.
        keep = set(_survivor_keys(db))
        _keep(db, keep)
        db.execute("DELETE FROM work_results")
        db.commit()
    print(f"{len(keep)} survivors of the first tier go to the whole behavioural suite")


def _outcomes(session: Path) -> dict[str, tuple[str, str]]:
    """job -> (module path, outcome); a survivor tests/mutation/equivalent.py names is
    "equivalent", out of the score."""
    sys.path.insert(0, str(ROOT))
    from tests.mutation.equivalent import EQUIVALENT

    out = {}
    with sqlite3.connect(session) as db:
        for job, path, operator, occurrence, line, outcome, output in db.execute(
            "SELECT s.job_id, s.module_path, s.operator_name, s.occurrence, s.start_pos_row, "
            "r.test_outcome, r.output FROM mutation_specs s "
            "LEFT JOIN work_results r ON r.job_id = s.job_id"
        ):
            outcome = (outcome or "pending").lower()
            if outcome == "survived" and (path, operator, occurrence, line) in EQUIVALENT:
                outcome = "equivalent"
            elif output == ANNOTATION:
                outcome = "equivalent"
            elif outcome == "killed" and (output or "").startswith(REPLAYED_BY):
                outcome = "killed on replay"
            out[job] = (path, outcome)
    return out


def report(first: Path, second: Path | None) -> None:
    outcomes = _outcomes(first)
    if second is not None:
        outcomes.update(_outcomes(second))  # the whole suite's verdict on tier-1 survivors
    counts = Counter(outcome for _, outcome in outcomes.values())
    killed = counts["killed"] + counts["killed on replay"]
    survived = counts["survived"]
    done = killed + survived
    print(
        f"mutants: {len(outcomes)}; killed {killed} ({counts['killed on replay']} on replay), "
        f"survived {survived}, "
        f"equivalent {counts['equivalent']}, incompetent {counts['incompetent']}, "
        f"pending {counts['pending']}"
    )
    if done:
        p = killed / done
        # Wilson score interval, 95%: the sample's error, not only its point estimate.
        z = 1.96
        centre = (p + z * z / (2 * done)) / (1 + z * z / done)
        half = z * math.sqrt(p * (1 - p) / done + z * z / (4 * done * done)) / (1 + z * z / done)
        low, high = centre - half, centre + half
        print(
            f"score: {p:.1%} of the non-equivalent mutants killed "
            f"(95% interval {low:.1%} .. {high:.1%})"
        )
    by_file = Counter(path for path, outcome in outcomes.values() if outcome == "survived")
    for path, count in by_file.most_common():
        print(f"  survived in {path}: {count}")


def main(argv: list[str]) -> int:
    match argv:
        case ["sample", session, n, seed]:
            sample(Path(session), int(n), int(seed))
        case ["replay", session]:
            replay(Path(session))
        case ["survivors", session, new]:
            survivors(Path(session), Path(new))
        case ["report", session]:
            report(Path(session), None)
        case ["report", session, second]:
            report(Path(session), Path(second))
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
