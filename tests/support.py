"""Shared test helpers: the specs every emitter is tested on, the CLI runner, tool policy,
and the snapshot format (one readable text file per snapshot under tests/snapshots/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_SPEC = ROOT / "spec" / "vigilo.yaml"
EXTRA_SPECS = sorted((ROOT / "tests" / "specs").glob("*.yaml"))
# Every emitter is tested on the bundled spec and on each extra spec (generality).
ALL_SPECS = [BUNDLED_SPEC, *EXTRA_SPECS]
SPEC_IDS = [p.stem for p in ALL_SPECS]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def spec_params():
    """``pytest.mark.parametrize("spec_path", **spec_params())``."""
    return {"argvalues": ALL_SPECS, "ids": SPEC_IDS}


def missing(what: str) -> None:
    """A tool or engine the test needs is absent: fail in CI, skip (with the reason) locally."""
    message = f"{what} is not available"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: a missing tool fails the run)", pytrace=False)
    pytest.skip(message)


def require_executable(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing(f"executable '{name}'")
    return found


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            input: str | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """Run ``vigilo-gen ARGS`` in a subprocess, as a user would (text output captured)."""
    result = subprocess.run(
        [sys.executable, "-m", "vigilo_gen", *args], cwd=cwd, env={**os.environ, **(env or {})},
        input=input, capture_output=True, text=True, timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"vigilo-gen {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stderr}")
    return result


def generate(emitter: str, spec_path: Path, out: Path, *options: str) -> str:
    """Write one target with the CLI into ``out`` and return its text."""
    # As a user runs it, from the project's folder: the header's "Regenerate with" names the
    # spec as typed (relative), and no --spec for the one found by default.
    spec = spec_path.resolve()
    shown = spec.relative_to(ROOT) if spec.is_relative_to(ROOT) else spec
    run_cli(emitter, "--spec", str(shown), "--out", str(out.resolve()), *options, cwd=ROOT,
            check=True)
    return out.read_text(encoding="utf-8")


class TextSnapshot(SingleFileSnapshotExtension):
    """Snapshots as plain text files under tests/snapshots/<test module>/<test name>.txt."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"

    @classmethod
    def dirname(cls, *, test_location) -> str:
        return str(Path(test_location.filepath).parent / "snapshots" / test_location.basename)
