"""Numbered migration folders: their names, and writing one atomically.

Both layouts vigilo-gen writes put one migration in one folder named ``<number>_<name>``:
Prisma's (``migrate --format prisma``: ``migration.sql`` plus the folder's
``migration_lock.toml``) and the project's own (``migrate new``: one script per dialect and the
spec snapshot it leads to, see workflow.py). The number follows the largest one already there,
at that one's width, so the new folder sorts last whatever numbering the folder used before: a
team whose Prisma folder holds ``20240611093000_init`` gets ``20240611093001_<name>``, an empty
folder starts at ``0001``. Nothing in a name depends on the clock, so the same specs give the
same folder on every run.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from ..errors import UsageError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]*$")
NUMBERED = re.compile(r"^(\d+)_")
FIRST_WIDTH = 4


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise UsageError(
            f"bad migration name {name!r}: use letters, digits and _ (e.g. add_order_notes)"
        )
    return name


def numbered(folder: Path) -> list[Path]:
    """The numbered migration folders in ``folder``, in the order they apply."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_dir() and NUMBERED.match(p.name)]
    return sorted(found, key=lambda p: (int(NUMBERED.match(p.name).group(1)), p.name))


def next_name(folder: Path, name: str) -> str:
    existing = numbered(folder)
    if not existing:
        return f"{1:0{FIRST_WIDTH}d}_{check_name(name)}"
    digits = NUMBERED.match(existing[-1].name).group(1)
    return f"{int(digits) + 1:0{len(digits)}d}_{check_name(name)}"


def write_folder(target: Path, files: dict[str, str]) -> None:
    """Create the folder ``target`` holding ``files`` (name -> text), all or nothing: the files
    are written into a temporary folder beside it, which is then renamed into place."""
    if target.exists():
        raise UsageError(f"cannot write {target}: it exists already")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        for name, text in files.items():
            with open(staging / name, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(staging, 0o755)
        os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
