"""A random sample of a cosmic-ray session, and the survivors of one run as a new session.

All ~12,000 mutants of generators/ and emitters/ against the behavioural suite (~8 minutes a
run) would take months on two cores; a seeded random sample estimates the score with a known
error instead. `make mutate-sample` runs it in two tiers: every sampled mutant against a fast
behavioural subset, then only that tier's survivors against the whole behavioural suite (a
mutant the subset kills is killed by the whole suite, so the first tier only saves time).

    python tools/mutate_sample.py sample SESSION N SEED      keep N random mutants
    python tools/mutate_sample.py survivors SESSION NEW      the survivors, as a new session
    python tools/mutate_sample.py report SESSION [SESSION2]  score, interval, survivors by file
"""

from __future__ import annotations

import math
import random
import shutil
import sqlite3
import sys
from collections import Counter
from pathlib import Path


def _jobs(db: sqlite3.Connection) -> list[str]:
    return [row[0] for row in db.execute("SELECT job_id FROM work_items ORDER BY job_id")]


def _keep(db: sqlite3.Connection, keep: set[str]) -> None:
    drop = [(job,) for job in _jobs(db) if job not in keep]
    for table in ("work_results", "mutation_specs", "work_items"):
        db.executemany(f"DELETE FROM {table} WHERE job_id = ?", drop)
    db.commit()


def sample(session: Path, n: int, seed: int) -> None:
    with sqlite3.connect(session) as db:
        jobs = _jobs(db)
        keep = set(random.Random(seed).sample(jobs, min(n, len(jobs))))
        _keep(db, keep)
    print(f"sampled {len(keep)} of {len(jobs)} mutants (seed {seed})")


def survivors(session: Path, new: Path) -> None:
    shutil.copyfile(session, new)
    with sqlite3.connect(new) as db:
        keep = {row[0] for row in db.execute(
            "SELECT job_id FROM work_results WHERE lower(test_outcome) = 'survived'")}
        _keep(db, keep)
        db.execute("DELETE FROM work_results")
        db.commit()
    print(f"{len(keep)} survivors of the first tier go to the whole behavioural suite")


def _outcomes(session: Path) -> dict[str, tuple[str, str]]:
    """job -> (module path, outcome)."""
    with sqlite3.connect(session) as db:
        return {job: (path, (outcome or "pending").lower()) for job, path, outcome in db.execute(
            "SELECT s.job_id, s.module_path, r.test_outcome FROM mutation_specs s "
            "LEFT JOIN work_results r ON r.job_id = s.job_id")}


def report(first: Path, second: Path | None) -> None:
    outcomes = _outcomes(first)
    if second is not None:
        outcomes.update(_outcomes(second))  # the whole suite's verdict on tier-1 survivors
    counts = Counter(outcome for _, outcome in outcomes.values())
    killed, survived = counts["killed"], counts["survived"]
    done = killed + survived
    print(f"mutants: {len(outcomes)}; killed {killed}, survived {survived}, "
          f"incompetent {counts['incompetent']}, pending {counts['pending']}")
    if done:
        p = killed / done
        # Wilson score interval, 95%: the sample's error, not only its point estimate.
        z = 1.96
        centre = (p + z * z / (2 * done)) / (1 + z * z / done)
        half = z * math.sqrt(p * (1 - p) / done + z * z / (4 * done * done)) / (1 + z * z / done)
        print(f"score: {p:.1%} killed (95% interval {centre - half:.1%} .. {centre + half:.1%})")
    by_file = Counter(path for path, outcome in outcomes.values() if outcome == "survived")
    for path, count in by_file.most_common():
        print(f"  survived in {path}: {count}")


def main(argv: list[str]) -> int:
    match argv:
        case ["sample", session, n, seed]:
            sample(Path(session), int(n), int(seed))
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
