"""A fresh Debian machine, as the README says: `make demo` and `make test` work with nothing
activated (the Makefile makes and uses its own `.venv`; Debian's system Python refuses
`pip install`), a missing python3-venv is installed or named, and the database servers the
tests need stay test-only (nothing enabled at boot, nothing upgraded on purpose)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

MAKE = shutil.which("make")


def make_dry_run(target: str, tmp_path: Path) -> list[str]:
    """The commands `make TARGET` would run on a machine with no venv yet (make -n)."""
    if MAKE is None:
        pytest.fail("make is not installed", pytrace=False)
    venv = tmp_path / "fresh" / ".venv"
    result = subprocess.run(
        [MAKE, "-n", "--no-print-directory", target, f"VENV={venv}", f"OUT={tmp_path / 'out'}"],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "MAKEFLAGS": ""},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


# A command (at a line start, or after `&&`, `;`, `do`, `|`) that runs a bare tool from PATH.
BARE = re.compile(r"(?:^|&&|;|\bdo\b|\|)\s*(?:\w+=\S*\s+)*(python3?|pip3?|vigilo-gen|pytest)\b")


@pytest.mark.parametrize("target", ["demo", "test", "examples", "lint", "snapshots"])
def test_makefile_makes_and_uses_its_own_venv(target, tmp_path):
    lines = make_dry_run(target, tmp_path)
    venv = str(tmp_path / "fresh" / ".venv")
    text = "\n".join(lines)
    # The venv is made first, with `python3 -m venv` (through tools/make-venv.sh).
    assert "tools/make-venv.sh" in lines[0] and venv in lines[0], lines[0]
    # Every install goes into the venv, never into the system Python.
    installs = [line for line in lines if "pip install" in line]
    assert installs
    assert all(line.startswith(f"{venv}/bin/python -m pip install") for line in installs)
    for line in lines[1:]:
        assert not BARE.search(line), f"`make {target}` runs a tool from PATH: {line}"
    if target in ("demo", "examples"):
        assert f"{venv}/bin/vigilo-gen" in text
    if target == "test":
        assert f"{venv}/bin/python -m pytest" in text
        assert "bash tools/install-engines.sh" in text


def fake_python(tmp_path: Path, *, has_venv_after: Path) -> Path:
    """A python3 without the venv module until `has_venv_after` exists (as apt would add it)."""
    script = tmp_path / "bin" / "python3"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in\n'
        f'  *"import ensurepip"*) [ -e "{has_venv_after}" ] ;;\n'
        '  *"sys.version_info"*) echo 3.11 ;;\n'
        f'  "-m venv "*) mkdir -p "$3/bin" && ln -s {sys.executable} "$3/bin/python" ;;\n'
        "  *) exit 9 ;;\n"
        "esac\n"
    )
    script.chmod(0o755)
    return script


def stub(tmp_path: Path, name: str, body: str) -> None:
    path = tmp_path / "bin" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def run_make_venv(tmp_path: Path, python: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHON": str(python),
           "PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"}
    return subprocess.run(["bash", str(ROOT / "tools" / "make-venv.sh"), str(tmp_path / "v")],
                          env=env, capture_output=True, text=True)


def test_make_venv_names_the_package_to_install_when_not_root(tmp_path):
    python = fake_python(tmp_path, has_venv_after=tmp_path / "never")
    stub(tmp_path, "id", 'echo 1000\n')
    stub(tmp_path, "apt-get", f'echo "$@" >> {tmp_path / "apt.log"}\n')
    result = run_make_venv(tmp_path, python)
    assert result.returncode == 1
    assert "sudo apt-get install python3.11-venv" in result.stderr
    assert not (tmp_path / "apt.log").exists()
    assert not (tmp_path / "v").exists()


def test_make_venv_installs_python3_venv_as_root_then_makes_the_venv(tmp_path):
    marker = tmp_path / "venv-installed"
    python = fake_python(tmp_path, has_venv_after=marker)
    stub(tmp_path, "id", 'echo 0\n')
    stub(tmp_path, "apt-get", f'echo "$@" >> {tmp_path / "apt.log"}\n'
                              f'case "$*" in *install*) touch {marker} ;; esac\n')
    result = run_make_venv(tmp_path, python)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls[0] == "update -q"
    assert calls[1].startswith("install") and calls[1].endswith(" python3.11-venv")
    assert "--no-upgrade" in calls[1]
    assert (tmp_path / "v" / "bin" / "python").exists()


def engines_plan(missing: str) -> list[str]:
    result = subprocess.run(
        ["bash", str(ROOT / "tools" / "install-engines.sh"), "--dry-run"],
        env={**os.environ, "INSTALL_ENGINES_ASSUME_MISSING": missing},
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    return [line[2:] for line in result.stdout.splitlines() if line.startswith("+ ")]


def test_install_engines_leaves_no_server_enabled_at_boot_and_upgrades_nothing():
    plan = engines_plan("postgres mariadb")
    install = [c for c in plan if " apt-get install " in f" {c} "]
    assert len(install) == 1 and "--no-upgrade" in install[0]
    assert install[0].endswith("postgresql-15 mariadb-server")
    assert not any(re.search(r"apt-get\b.*(?<![-\w])(upgrade|dist-upgrade|full-upgrade)\b", c)
                   for c in plan)
    after = plan[plan.index(install[0]) + 1:]
    for unit in ("mariadb", "postgresql"):
        assert f"deb-systemd-helper disable {unit}.service" in after
        assert f"rm -f /etc/systemd/system/multi-user.target.wants/{unit}.service" in after
    # Service starts are denied while apt runs, and the policy file is removed afterwards.
    assert plan[0].startswith("write /usr/sbin/policy-rc.d")
    assert plan[-1] == "rm -f /usr/sbin/policy-rc.d"


def test_readme_says_what_make_sets_up():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    assert ".venv" in setup and "python3-venv" in setup
    assert "mariadb-server" in setup and "postgresql-15" in setup
    assert "enabled at boot" in setup


def test_install_engines_installs_debians_chromium_for_the_browser_test():
    plan = engines_plan("chromium")
    install = [c for c in plan if " apt-get install " in f" {c} "]
    assert len(install) == 1 and install[0].endswith("--no-upgrade "
                                                     "-o Dpkg::Options::=--force-confdef "
                                                     "-o Dpkg::Options::=--force-confold chromium")
