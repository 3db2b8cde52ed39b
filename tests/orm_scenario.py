"""The ORM round trip shared by the SQLAlchemy and Peewee tests, derived from the Spec alone.

No table is known by name: rows come from tests/sample_values.py (one per model, parents
first), the unique and check to violate and the row to delete are chosen from the model.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import importlib.util
import itertools
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from vigilo_gen.model import Field, FieldType, Model, OnDelete, Spec, Unique

from tests.sample_values import cascade_children, sample_rows, valid_value, violations

T = FieldType
ENGINES = ("sqlite", "postgres", "mariadb")
_counter = itertools.count()


def import_generated(path: Path) -> ModuleType:
    """Import a generated module from its file, as a user would, under a unique name."""
    name = f"generated_{path.stem}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # SQLAlchemy resolves annotations through the module
    spec.loader.exec_module(module)
    return module


def same(field: Field, expected: Any, actual: Any) -> bool:
    """Equal as the database keeps it (floats, decimals, time zones normalised)."""
    if expected is None or actual is None:
        return expected is actual
    if field.type is T.FLOAT:
        return math.isclose(float(expected), float(actual), rel_tol=1e-9)
    if field.type is T.DECIMAL:
        return decimal.Decimal(str(expected)) == decimal.Decimal(str(actual))
    if field.type is T.BOOL:
        return bool(expected) is bool(actual)
    if field.type is T.DATETIME:
        return utc_naive(expected) == utc_naive(actual)
    return expected == actual


def is_enum_member(field: Field, value: Any) -> bool:
    """README, "Enums": a Python ORM reads an enum column back as a member of the enum's one
    class, a str enum whose values are the spec's values in the spec's order and whose str()
    is the value (as enum.StrEnum's)."""
    if field.type is not T.ENUM or value is None:
        return True
    members = type(value)
    return (isinstance(value, enum.Enum) and isinstance(value, str)
            and [m.value for m in members] == list(field.enum.values)
            and str(value) == value.value and members.__name__.startswith(field.enum.name))


def utc_naive(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


@dataclass(frozen=True)
class Plan:
    spec: Spec
    rows: dict[str, dict[str, Any]]  # model name -> column -> value

    def pk(self, model: Model) -> Any:
        """The sample row's key: a tuple for a composite key (session.get, get_by_id)."""
        if model.composite:
            return tuple(self.rows[model.name][f.column] for f in model.key)
        return self.rows[model.name][model.primary_key.column]

    def updatable(self) -> list[tuple[Model, Field, Any]]:
        """(model, field, new value) for every model with updated_at fields: a plain column
        (no key, unique or timestamp) and another valid value for it."""
        found = []
        for model in self.spec.models:
            if not model.updated_at_fields:
                continue
            unique_columns = {c for u in model.uniques for c in u.columns}
            for field in model.fields:
                if field.primary_key or field.reference or field.updated_at or \
                        field.column in unique_columns or field.type is T.DATETIME:
                    continue
                new = valid_value(field, seed=1)
                if not same(field, self.rows[model.name].get(field.column), new):
                    found.append((model, field, new))
                    break
        return found

    def unique_to_violate(self) -> tuple[Model, Unique] | None:
        """A unique whose columns all hold values in the sample row (NULLs never collide)."""
        for model in self.spec.models:
            for unique in model.uniques:
                if all(self.rows[model.name].get(c) is not None for c in unique.columns):
                    return model, unique
        return None

    def check_violations(self, engine: str) -> list[tuple[Model, Field, str, Any]]:
        """(model, field, kind, bad value) the engine must refuse; SQLite has no regex."""
        found = []
        for model in self.spec.models:
            for field in model.fields:
                for kind, value in violations(field):
                    if kind == "pattern" and engine == "sqlite":
                        continue
                    found.append((model, field, kind, value))
        return found

    def root(self) -> Model | None:
        """The first model whose deletion cascades to other models; None for a spec whose
        relations all go without a foreign key (``foreignKey: false``: nothing cascades)."""
        for model in self.spec.models:
            if cascade_children(self.spec, model):
                return model
        if all(not f.reference.foreign_key for m in self.spec.models for f in m.references):
            return None
        raise AssertionError("spec without an ON DELETE CASCADE relation")

    def blockers(self, root: Model) -> list[Model]:
        """Models whose rows reference the root with RESTRICT / NO ACTION: deleted first."""
        blocking = (OnDelete.RESTRICT, OnDelete.NO_ACTION)
        return [m for m in self.spec.models
                if any(f.reference.target == root.name and f.reference.on_delete in blocking
                       for f in m.references)
                or any(r.target == root.name and r.foreign_key and r.on_delete in blocking
                       for r in m.composite_references)]


def plan_for(spec: Spec) -> Plan:
    return Plan(spec, sample_rows(spec))
