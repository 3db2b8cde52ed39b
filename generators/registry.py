"""The emitter registry: entry points of the group ``vigilo_gen.emitters``.

Our built-in emitters register there exactly as a third-party package would (see
pyproject.toml), so a plug-in needs nothing but an entry point.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib.metadata import EntryPoint, entry_points

from .emitter import Emitter
from .errors import UsageError

GROUP = "vigilo_gen.emitters"


@lru_cache(maxsize=1)
def discover() -> dict[str, EntryPoint]:
    """Registered emitters by name (first registration of a name wins), sorted by name."""
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return dict(sorted(found.items()))


def names() -> list[str]:
    return list(discover())


@cache
def load(name: str) -> Emitter:
    entry = discover().get(name)
    if entry is None:
        raise UsageError(f"unknown emitter '{name}'; known: {', '.join(names())}")
    emitter = entry.load()
    if not isinstance(emitter, Emitter):
        raise UsageError(f"entry point '{name}' ({entry.value}) is not a vigilo_gen Emitter")
    return emitter
