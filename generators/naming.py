"""Names: snake_case physical names, attribute names, constraint names. Computed once, in build."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_HUMP = re.compile(r"([a-z0-9])([A-Z])")

# The longest identifier every supported database accepts (PostgreSQL's limit). Derived names
# (constraints, indexes) longer than this are shortened with a stable hash suffix.
PORTABLE_IDENTIFIER_LENGTH = 63


@lru_cache(maxsize=4096)  # the same field names recur in every model
def snake_case(name: str) -> str:
    """``VigiloInstance`` -> ``vigilo_instance``, ``targetPositionX`` -> ``target_position_x``,
    ``HTTPServer`` -> ``http_server``; a name already in snake_case is unchanged."""
    return _HUMP.sub(r"\1_\2", _ACRONYM.sub(r"\1_\2", name)).lower()


def lower_camel(name: str) -> str:
    """``VigiloInstance`` -> ``vigiloInstance``; ``user_id`` -> ``userId``."""
    if "_" in name.strip("_"):
        head, *rest = [part for part in name.split("_") if part]
        return head[:1].lower() + head[1:] + "".join(p[:1].upper() + p[1:] for p in rest)
    return name[:1].lower() + name[1:]


def upper_camel(name: str) -> str:
    camel = lower_camel(name)
    return camel[:1].upper() + camel[1:]


def plural(word: str) -> str:
    """English plural, good enough for attribute names (``status`` -> ``statuses``)."""
    lower = word.lower()
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if lower.endswith("y") and len(word) > 1 and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


# The API's component names besides the named schemas (OpenAPI components, Pydantic classes,
# Zod exports): each endpoint's request body, and the two envelopes every answer uses.
BODY_SUFFIX = "Body"
ENVELOPES = ("Success", "Error")


def body_component(endpoint_name: str) -> str:
    """``saveLineColor`` -> ``SaveLineColorBody``: an endpoint's request body component."""
    return upper_camel(endpoint_name) + BODY_SUFFIX


def relation_name(field_name: str) -> str:
    """Default ORM attribute of a ref field: ``instanceId`` -> ``instance``."""
    for suffix in ("Id", "_id", "ID"):
        if field_name.endswith(suffix) and len(field_name) > len(suffix):
            return field_name[: -len(suffix)]
    return field_name + "Ref"


def shorten(name: str, limit: int = PORTABLE_IDENTIFIER_LENGTH) -> str:
    """Keep a derived identifier within ``limit`` characters, stably and without collisions."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9]}_{digest}"


def constraint_name(table: str, columns: tuple[str, ...] | list[str], suffix: str) -> str:
    """Prisma's naming convention, which we adopt for every target so all agree:
    ``{table}_pkey``, ``{table}_{cols}_key``, ``{table}_{cols}_idx``, ``{table}_{col}_fkey``."""
    return shorten("_".join([table, *columns, suffix]))
