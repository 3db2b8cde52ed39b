"""``vigilo-gen lint``: advice on a valid spec, one finding per line with its rule id.

``spec.yaml:12:7: warning: foreign key Order.userId has no index ... [fk-without-index]``

Each rule is a function of the Spec that yields (position, message); the table below gives
its id, what it is about and its default level. A project sets a rule's level in its config:

```toml
[lint]
missing-description = "off"      # "error", "warning" or "off"
```

Exit status 1 when a finding is at level "error" (a check found something), else 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .errors import Diagnostic, Position, UsageError, choice_hint
from .model import Spec

LEVELS = ("error", "warning", "off")
Finding = tuple[Position, str]


def _missing_description(spec: Spec) -> Iterator[Finding]:
    for model in spec.models:
        if not model.description:
            yield model.position, f"model {model.name} has no description"
        for field in model.fields:
            if not field.description and not field.primary_key:
                yield field.position, f"field {model.name}.{field.name} has no description"
    for enum in spec.enums:
        if not enum.description:
            yield enum.position, f"enum {enum.name} has no description"


def _fk_without_index(spec: Spec) -> Iterator[Finding]:
    """A foreign key column that leads no index: PostgreSQL and SQLite do not index foreign
    keys themselves, so joins on it and every delete of a referenced row scan the table."""
    for model in spec.models:
        leading = {model.primary_key.column}
        leading |= {group.columns[0] for group in (*model.indexes, *model.uniques)}
        for field in model.references:
            if field.column not in leading:
                yield field.position, (
                    f"foreign key {model.name}.{field.name} has no index (joins and deletes "
                    f"of {field.reference.target} rows scan {model.table}; drop its "
                    "index: false)")


def _nullable_unique(spec: Spec) -> Iterator[Finding]:
    """A unique constraint over a nullable column: NULLs are distinct in SQL, so any number
    of rows with NULL there pass the constraint."""
    for model in spec.models:
        for unique in model.uniques:
            for name in unique.fields:
                field = model.field(name)
                if field.nullable:
                    what = "unique" if len(unique.fields) == 1 else \
                        f"unique ({', '.join(unique.fields)})"
                    yield field.position, (
                        f"{model.name}.{name} is nullable and {what}: rows with NULL there "
                        "are never duplicates of each other")


def _unused_enum(spec: Spec) -> Iterator[Finding]:
    used = {f.enum.name for m in spec.models for f in m.fields if f.enum is not None}
    for enum in spec.enums:
        if enum.name not in used:
            yield enum.position, f"enum {enum.name} is used by no field"


def _endpoint_without_summary(spec: Spec) -> Iterator[Finding]:
    for endpoint in spec.api.endpoints if spec.api else ():
        if not endpoint.summary and not endpoint.description:
            yield endpoint.position, f"endpoint {endpoint.name} has no summary or description"


@dataclass(frozen=True)
class Rule:
    id: str
    about: str
    level: str  # default level
    check: Callable[[Spec], Iterator[Finding]]


RULES: dict[str, Rule] = {rule.id: rule for rule in (
    Rule("missing-description", "models, fields and enums without a description", "warning",
         _missing_description),
    Rule("fk-without-index", "foreign keys no index leads with", "warning", _fk_without_index),
    Rule("nullable-unique", "unique constraints over nullable columns", "warning",
         _nullable_unique),
    Rule("unused-enum", "enums no field uses", "warning", _unused_enum),
    Rule("endpoint-without-summary", "endpoints without a summary or description", "warning",
         _endpoint_without_summary),
)}


def levels(overrides: dict[str, str], where: Callable[[str], str] = lambda key: "") -> dict:
    """Every rule's level: its default, or the config's. ``where(key)`` names the place of a
    key in messages (``vigilo-gen.toml:12``)."""
    from .errors import did_you_mean

    chosen = {rule_id: rule.level for rule_id, rule in RULES.items()}
    for key, value in overrides.items():
        if key not in RULES:
            hint = did_you_mean(key, RULES) or f"rules: {', '.join(RULES)}"
            raise UsageError(f"{where(key)}unknown lint rule '{key}' ({hint})")
        if value not in LEVELS:
            raise UsageError(f"{where(key)}bad level {value!r} for lint rule '{key}' "
                             f"({choice_hint(str(value), LEVELS)})")
        chosen[key] = value
    return chosen


def lint(spec: Spec, chosen: dict[str, str]) -> list[tuple[str, Diagnostic]]:
    """(level, diagnostic) of every finding of the rules not turned off, in file order."""
    file = spec.shown_path
    found = []
    for rule_id, rule in RULES.items():
        level = chosen[rule_id]
        if level == "off":
            continue
        for position, message in rule.check(spec):
            found.append((level, Diagnostic(file, position, f"{level}: {message} [{rule_id}]")))
    return sorted(found, key=lambda item: (item[1].position, item[1].message))
