"""Which model and field of an old spec each one of a new spec continues.

A model or field keeps its identity through its name, or through ``renamedFrom:`` when its name
is new. A ``renamedFrom`` is only read while the old spec lacks the new name: once a database
has been migrated, the old spec already has the new name and the rename is spent, so keeping
``renamedFrom`` in the spec until the next release changes nothing (and ``diff new new`` stays
empty). A ``renamedFrom`` naming something the old spec does not have is an error at its
``file:line:col``: a typo there would otherwise drop a table or column with its data.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Diagnostic, SpecError
from .model import Field, Model, Spec


@dataclass(frozen=True)
class FieldPair:
    old: Field | None  # None: the field is new
    new: Field | None  # None: the field was removed


@dataclass(frozen=True)
class ModelPair:
    old: Model | None
    new: Model | None
    fields: tuple[FieldPair, ...]  # kept and new fields in new order, then removed ones

    def field_pair(self, new_name: str) -> FieldPair:
        return next(p for p in self.fields if p.new is not None and p.new.name == new_name)

    def old_field(self, new_field: Field) -> Field | None:
        return self.field_pair(new_field.name).old


@dataclass(frozen=True)
class Pairing:
    old: Spec
    new: Spec
    models: tuple[ModelPair, ...]  # kept and new models in new order, then removed ones


def _predecessor(item, old_names: dict, label: str, file: str, errors: list) -> str | None:
    """The old name ``item`` (a new model or field) continues, or None when it is new."""
    if item.name in old_names:
        return item.name
    rename = item.renamed_from
    if rename is None:
        return None
    if rename.name not in old_names:
        errors.append(Diagnostic(file, rename.position,
                                 f"{label} is renamed from '{rename.name}', which the "
                                 "old spec does not have"))
        return None
    return rename.name


def pair(old: Spec, new: Spec) -> Pairing:
    """Pair the models and fields of two specs. Raises SpecError for a bad ``renamedFrom``."""
    file = new.shown_path
    errors: list[Diagnostic] = []
    old_models = {m.name: m for m in old.models}
    taken: set[str] = set()
    models: list[ModelPair] = []
    for model in new.models:
        name = _predecessor(model, old_models, f"model {model.name}", file, errors)
        if name in taken:  # renamed from a model that also kept its name: a new model
            name = None
        before = old_models.get(name) if name else None
        if before is not None:
            taken.add(name)
        models.append(ModelPair(before, model, _pair_fields(before, model, file, errors)))
    for model in old.models:
        if model.name not in taken:
            models.append(ModelPair(model, None, tuple(FieldPair(f, None) for f in model.fields)))
    if errors:
        raise SpecError(errors)
    return Pairing(old, new, tuple(models))


def _pair_fields(old: Model | None, new: Model, file: str, errors: list) -> tuple[FieldPair, ...]:
    if old is None:
        return tuple(FieldPair(None, f) for f in new.fields)
    old_fields = {f.name: f for f in old.fields}
    taken: set[str] = set()
    pairs = []
    for f in new.fields:
        name = _predecessor(f, old_fields, f"field {new.name}.{f.name}", file, errors)
        if name in taken:
            name = None
        before = old_fields.get(name) if name else None
        if before is not None:
            taken.add(name)
        pairs.append(FieldPair(before, f))
    pairs += [FieldPair(f, None) for f in old.fields if f.name not in taken]
    return tuple(pairs)
