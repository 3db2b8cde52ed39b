"""Run the conformance suite and print the matrix: targets x engines, each cell ✓, ✓ with the
allowed differences it relies on, n/a with its reason, or the first real difference.

    python -m tests.conformance.matrix [--spec PATH ...]     (make conformance)

The pytest suite (tests/test_conformance.py) uses the same ``Conformance`` object, so CI and
the printed matrix can never disagree.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.conformance.allowed import ALLOWED
from tests.conformance.build import (
    ADMIN_LOCK,
    ENGINES,
    NOT_APPLICABLE,
    REFERENCE,
    TARGETS,
    applicable,
    build,
)
from tests.conformance.compare import Verdict, judge
from tests.conformance.reflect import describe


@dataclass
class Conformance:
    """Builds and reflects each (spec, engine, target) once; ``engine(name)`` returns a
    tests.engines.Engine (servers start only when first asked for)."""

    engine: Callable[[str], object]
    work: Path
    _cache: dict = field(default_factory=dict)
    _locks: dict = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def description(self, spec_path: Path, engine: str, target: str) -> dict:
        key = (spec_path, engine, target)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._cache:
                try:
                    built = build(target, spec_path, self.engine(engine),
                                  self.work / spec_path.stem / engine)
                    try:
                        self._cache[key] = describe(built.db)
                    finally:
                        with contextlib.suppress(Exception), ADMIN_LOCK:
                            built.db.drop()
                except Exception as exc:  # a target that cannot build its schema
                    self._cache[key] = exc
        result = self._cache[key]
        if isinstance(result, Exception):
            raise result
        return result

    def prefetch(self, spec_path: Path, engine: str) -> None:
        """Build every applicable target of one engine at once (Node tools and database
        round trips overlap; each is still built only once)."""
        from concurrent.futures import ThreadPoolExecutor

        def one(target: str) -> None:
            with contextlib.suppress(Exception):  # raised again by description()
                self.description(spec_path, engine, target)

        with ThreadPoolExecutor(max_workers=len(TARGETS)) as pool:
            list(pool.map(one, [t for t in TARGETS if applicable(t, engine)]))

    def verdict(self, spec_path: Path, engine: str, target: str) -> Verdict:
        reference = self.description(spec_path, engine, REFERENCE)
        return judge(target, engine, reference, self.description(spec_path, engine, target))


def cell(conformance: Conformance, specs: list[Path], engine: str, target: str) -> str:
    if not applicable(target, engine):
        return "n/a"
    allowed: set[str] = set()
    for spec_path in specs:
        try:
            if target == REFERENCE:
                conformance.description(spec_path, engine, target)
                continue
            verdict = conformance.verdict(spec_path, engine, target)
        except Exception as exc:
            return f"✗ {spec_path.stem}: build failed: {str(exc).splitlines()[0][:80]}"
        if verdict.real:
            return f"✗ {spec_path.stem}: {verdict.real[0].describe(REFERENCE, target)}"
        allowed |= set(verdict.allowed)
    return "✓" + (f" ({', '.join(sorted(allowed))})" if allowed else "")


def render(conformance: Conformance, specs: list[Path]) -> str:
    """The matrix as a Markdown table, its legend, and the reasons of the n/a cells."""
    rows = [f"| target | {' | '.join(ENGINES)} |", "|---" * (len(ENGINES) + 1) + "|"]
    for spec_path in specs:
        for engine in ENGINES:
            conformance.prefetch(spec_path, engine)
    for target in TARGETS:
        cells = [cell(conformance, specs, engine, target) for engine in ENGINES]
        label = f"{target} (reference)" if target == REFERENCE else target
        rows.append(f"| {label} | {' | '.join(cells)} |")
    legend = ["", f"Specs: {', '.join(p.name for p in specs)}. ✓: the database this target "
              f"creates equals the one `{REFERENCE}` creates on that engine; (A1)...: except "
              "for these allowed differences:", ""]
    legend += [f"- {a.id}: {a.summary}" for a in ALLOWED]
    reasons = sorted(set(NOT_APPLICABLE.values()))
    legend += ["", "n/a:"] + [f"- {reason}" for reason in reasons]
    return "\n".join(rows + legend) + "\n"


def main(argv: list[str] | None = None) -> int:
    from tests import engines as eng
    from tests.support import ALL_SPECS

    parser = argparse.ArgumentParser(prog="python -m tests.conformance.matrix")
    parser.add_argument("--spec", action="append", type=Path,
                        help="spec file (repeatable; default: the bundled spec and "
                             "tests/specs/*.yaml)")
    args = parser.parse_args(argv)
    specs = args.spec or ALL_SPECS
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        servers: dict[str, object] = {}
        file_engines: dict[str, object] = {}
        guard = threading.Lock()

        def engine(name: str):
            with guard:
                if name in ("postgres", "mariadb"):
                    if name not in servers:
                        start = eng.start_postgres if name == "postgres" else eng.start_mariadb
                        servers[name] = stack.enter_context(start())
                    return servers[name].engine
                if name not in file_engines:
                    file_engines[name] = (eng.SqliteEngine if name == "sqlite"
                                          else eng.DuckDBEngine)()
                return file_engines[name]

        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vigilo-conf-")))
        text = render(Conformance(engine, work), list(specs))
    sys.stdout.write(text)
    sys.stderr.write(f"conformance: {time.perf_counter() - started:.1f} s\n")
    return 1 if "✗" in text else 0


if __name__ == "__main__":
    sys.exit(main())
