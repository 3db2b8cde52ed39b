"""Compare two normalized descriptions; separate the allowed differences from the real ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conformance.allowed import ALLOWED, Allowed

MISSING = "<missing>"


@dataclass(frozen=True)
class Difference:
    table: str
    aspect: str  # "table", "column", "type", "nullable", "default", "generated",
    #              "column order",
    #              "primary key", "uniques", "indexes", "foreign keys", "checks", "updated_at"
    item: str  # column, constraint name or columns ("" for the table itself)
    reference: Any  # the reference target's value (MISSING if it has none)
    actual: Any  # the compared target's value

    def describe(self, reference: str, target: str) -> str:
        where = f"{self.table}.{self.item}" if self.item else self.table
        return (f"{target} vs {reference}: {where}: {self.aspect} "
                f"{_show(self.actual)} vs {_show(self.reference)}")


def _show(value: Any) -> str:
    if value is MISSING:
        return MISSING
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]" if value else "[] (none)"
    return str(value)


def differences(reference: dict, actual: dict) -> list[Difference]:
    """Every difference between two descriptions of one engine, in a stable order."""
    found: list[Difference] = []
    for table in sorted(set(reference) | set(actual)):
        if table not in actual or table not in reference:
            found.append(Difference(table, "table", "", "present" if table in reference
                                    else MISSING, "present" if table in actual else MISSING))
            continue
        ref, act = reference[table], actual[table]
        if "constraints" in ref:  # DuckDB's catalogue form
            if ref != act:
                found.append(Difference(table, "table", "", ref, act))
            continue
        for column in list(ref["columns"]) + [c for c in act["columns"]
                                              if c not in ref["columns"]]:
            r, a = ref["columns"].get(column), act["columns"].get(column)
            if r is None or a is None:
                found.append(Difference(table, "column", column, r or MISSING, a or MISSING))
                continue
            for key in ("type", "nullable", "default", "generated"):
                if r.get(key) != a.get(key):
                    found.append(Difference(table, key, column, r.get(key), a.get(key)))
        if ref["column order"] != act["column order"] and \
                set(ref["column order"]) == set(act["column order"]):
            found.append(Difference(table, "column order", "", ref["column order"],
                                    act["column order"]))
        if ref["primary key"] != act["primary key"]:
            found.append(Difference(table, "primary key", "", ref["primary key"],
                                    act["primary key"]))
        for aspect in ("uniques", "indexes", "foreign keys", "checks"):
            r, a = ref[aspect], act[aspect]
            for key in sorted(set(r) | set(a)):
                if r.get(key, MISSING) != a.get(key, MISSING):
                    found.append(Difference(table, aspect, key, r.get(key, MISSING),
                                            a.get(key, MISSING)))
        if ref["updated_at"] != act["updated_at"]:
            found.append(Difference(table, "updated_at", "", ref["updated_at"],
                                    act["updated_at"]))
    return found


def allowed_by(target: str, engine: str, difference: Difference) -> Allowed | None:
    for entry in ALLOWED:
        if target in entry.targets and engine in entry.engines and entry.matches(difference):
            return entry
    return None


@dataclass(frozen=True)
class Verdict:
    real: list[Difference]
    allowed: dict[str, list[Difference]]  # allowed entry id -> the differences it covers


def judge(target: str, engine: str, reference: dict, actual: dict) -> Verdict:
    real, allowed = [], {}
    for difference in differences(reference, actual):
        entry = allowed_by(target, engine, difference)
        if entry is None:
            real.append(difference)
        else:
            allowed.setdefault(entry.id, []).append(difference)
    return Verdict(real, allowed)
