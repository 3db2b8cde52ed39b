"""Template overrides: ``--templates DIR`` (or ``templates = "DIR"`` on a config output).

A folder searched before an emitter's built-in templates, for the emitters that render jinja2
templates (``Emitter(templates=True)``): a file there named like a built-in one
(``prisma.prisma.j2``, ``drizzle.ts.j2``, ``sqlalchemy.py.j2``, ``peewee.py.j2``) replaces it.
The engine sets the folder for the duration of one render (``search_path``); an emitter reads
it with ``current()``. The folder's contents are part of the output's stamp (``digest``), so
editing an override makes ``check`` call the outputs stale, as a spec edit does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from .errors import UsageError

_SEARCH: ContextVar[tuple[str, ...]] = ContextVar("vigilo_gen_templates", default=())


def current() -> tuple[str, ...]:
    """The folders to search before the built-in templates, for the render under way."""
    return _SEARCH.get()


@contextmanager
def search_path(folder: str | Path | None) -> Iterator[None]:
    token = _SEARCH.set((str(folder),) if folder is not None else ())
    try:
        yield
    finally:
        _SEARCH.reset(token)


def checked(folder: str | Path, where: str = "--templates") -> Path:
    """The folder, or a one-line UsageError when it is not one."""
    path = Path(folder)
    if not path.is_dir():
        raise UsageError(f"{where}: templates folder '{folder}' not found")
    return path


def digest(folder: str | Path) -> str:
    """A hash of every file in the folder (names and bytes), for the output's stamp."""
    sha = hashlib.sha256()
    root = Path(folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        sha.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        sha.update(path.read_bytes() + b"\0")
    return sha.hexdigest()[:12]


def stamp_value(written: str, folder: str | Path) -> str:
    """How the option stands in a stamp: the folder as written, and what it holds."""
    return f"{written}@{digest(folder)}"
