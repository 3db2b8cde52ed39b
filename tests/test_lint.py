"""Our own code passes ruff (the rules in pyproject.toml), in CI like every other check."""

import subprocess
import sys

from tests.support import ROOT


def test_ruff_check_passes_on_our_code():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "generators", "emitters", "tools", "tests"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
