"""The emitter registry: entry points of the group ``vigilo_gen.emitters``.

Our built-in emitters register there exactly as a third-party package would (see
pyproject.toml), so a plug-in needs nothing but an entry point.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:
    from .emitter import Emitter

GROUP = "vigilo_gen.emitters"
BUILTIN_PREFIX = "vigilo_gen.emitters."


@lru_cache(maxsize=1)
def discover() -> dict[str, EntryPoint]:
    """Registered emitters by name (first registration of a name wins), sorted by name."""
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return dict(sorted(found.items()))


def names() -> list[str]:
    return list(discover())


def label(name: str) -> str:
    """How a stamp names an emitter: its name, and for a plug-in its distribution's version
    (a new release of the plug-in may write other text). Needs no import of the emitter."""
    entry = discover().get(name)
    if entry is None or entry.value.startswith(BUILTIN_PREFIX):
        return name
    dist = getattr(entry, "dist", None)
    return f"{name}@{dist.version}" if dist is not None else name


@cache
def load(name: str) -> Emitter:
    entry = discover().get(name)
    if entry is None:
        raise UsageError(f"unknown emitter '{name}'; known: {', '.join(names())}")
    from .emitter import Emitter

    emitter = entry.load()
    if not isinstance(emitter, Emitter):
        raise UsageError(f"entry point '{name}' ({entry.value}) is not a vigilo_gen Emitter")
    return emitter
