"""The emitter registry: entry points of the group ``vigilo_gen.emitters``.

Our built-in emitters register there exactly as a third-party package would (see
pyproject.toml), so a plug-in needs nothing but an entry point. Discovering reads the installed
packages' metadata only: an emitter's module is imported when that emitter is asked for, so an
installed plug-in costs the commands that do not name it nothing (see docs/bench.md).
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


def package(entry: EntryPoint) -> str:
    """The distribution that registers ``entry`` (its name as pip knows it)."""
    dist = getattr(entry, "dist", None)
    return dist.metadata["Name"] if dist is not None else "an unknown package"


@lru_cache(maxsize=1)
def _registered() -> tuple[dict[str, EntryPoint], dict[str, tuple[EntryPoint, ...]]]:
    """(emitters by name, sorted; names registered more than once with every registration)."""
    found: dict[str, list[EntryPoint]] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, [])
        if all(ep.value != seen.value for seen in found[ep.name]):  # one package seen twice
            found[ep.name].append(ep)
    clashes = {name: tuple(eps) for name, eps in found.items() if len(eps) > 1}
    return {name: eps[0] for name, eps in sorted(found.items())}, clashes


def discover() -> dict[str, EntryPoint]:
    """Registered emitters by name, sorted by name (a name registered twice: see ``load``)."""
    return _registered()[0]


def clash(name: str) -> str | None:
    """The error for a name two packages register, naming both; None when it is unique."""
    entries = _registered()[1].get(name)
    if not entries:
        return None
    who = " and ".join(f"{package(ep)} ({ep.value})" for ep in entries)
    return (f"emitter '{name}' is registered by {who}; uninstall one of them, or rename "
            "the plug-in's entry point")


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
    problem = clash(name)
    if problem:
        raise UsageError(problem)
    from .emitter import Emitter

    emitter = entry.load()
    if not isinstance(emitter, Emitter):
        raise UsageError(f"entry point '{name}' ({entry.value}) is not a vigilo_gen Emitter")
    if emitter.name != name:
        raise UsageError(f"entry point '{name}' ({entry.value}) holds the emitter "
                         f"'{emitter.name}'; the two names must be equal")
    return emitter
