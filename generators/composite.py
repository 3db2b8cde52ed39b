"""Relations held by several fields: ``relations:`` on a model (a composite foreign key).

A model with ``primaryKey: [a, b]`` (or a composite unique) is referenced by as many fields,
written once on the referencing model::

    relations:
      shelving: {fields: [windowNo, packageIsbn], to: Shelving, onDelete: cascade}

The fields stay plain columns; this module checks the relation against them and against the
target (count, types one for one, nullability, actions, names) and resolves it into a
``CompositeReference`` on both models, after every model is built (a relation may point at
its own model). It also adds the index on the referencing columns, as a ref field has one.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

from . import naming
from .errors import did_you_mean
from .model import CompositeReference, Field, FieldType, Index, Model, OnDelete

T = FieldType


def targets(raw: dict) -> set[str]:
    """The models ``raw``'s composite relations point at (for the dependency order)."""
    return {rel.get("to") for rel in (raw.get("relations") or {}).values()}


def signature(f: Field) -> tuple:
    """What two columns must share for one to reference the other: the value type (an id key
    and a ref to it are both uuid text), and the length, fixed length, precision, scale and
    enum that make the physical type."""
    kind = T.REF if f.value_type is T.ID else f.value_type
    sized = kind in (T.STRING, T.ENUM)
    return (
        kind,
        f.max_length if sized else None,
        f.fixed_length if sized else False,
        f.precision if kind in (T.DECIMAL, T.DATETIME) else None,
        f.scale if kind is T.DECIMAL else None,
        f.enum.name if f.enum is not None else None,
        f.timezone if kind is T.DATETIME else True,
    )


def describe(f: Field) -> str:
    kind, length, fixed, precision, scale, enum, tz = signature(f)
    word = "uuid text" if kind is T.REF else kind.value
    if enum:
        word = f"enum {enum}"
    if length is not None:
        word += f"({'length' if fixed else 'maxLength'} {length})"
    if precision is not None:
        word += f"(precision {precision}" + (f", scale {scale})" if scale is not None else ")")
    if not tz:
        word += " without time zone"
    return word


class _Resolver:
    def __init__(self, builder: Any, raw_models: dict[str, dict], models: list[Model]):
        self.builder = builder
        self.raw_models = raw_models
        self.models = {m.name: m for m in models}
        self.order = [m.name for m in models]
        # ORM attribute names already taken on each model -> what takes them
        self.taken: dict[str, dict[str, str]] = {}
        for m in models:
            names = {f.name: "field" for f in m.fields}
            names.update({f.reference.relation: "relation" for f in m.references})
            names.update(
                {
                    b.name: f"back-reference from {b.source_model}.{b.source_field}"
                    for b in m.backrefs
                }
            )
            self.taken[m.name] = names
        pairs: dict[frozenset, int] = defaultdict(int)
        for m in models:
            for f in m.references:
                pairs[frozenset((m.name, f.reference.target))] += 1
        for name, raw in raw_models.items():
            for rel in (raw.get("relations") or {}).values():
                pairs[frozenset((name, rel.get("to")))] += 1
        self.pairs = pairs

    def error(self, path, message, hint=None, *, at_key=False) -> None:
        self.builder.error(path, message, hint, at_key=at_key)

    def run(self) -> list[Model]:
        found: dict[str, list[CompositeReference]] = defaultdict(list)
        for name in sorted(self.raw_models):
            if name not in self.models:
                continue
            for rel_name, raw in (self.raw_models[name].get("relations") or {}).items():
                ref = self.resolve(name, rel_name, raw, ("models", name, "relations", rel_name))
                if ref is not None:
                    found[name].append(ref)
        result = []
        for name in self.order:
            model = self.models[name]
            own = tuple(found.get(name, ()))
            incoming = tuple(
                sorted(
                    (r for refs in found.values() for r in refs if r.target == name),
                    key=lambda r: (r.source, r.name),
                )
            )
            if not own and not incoming and not self._shares_pair(model, found):
                result.append(model)
                continue
            result.append(
                dataclasses.replace(
                    self._mark_ambiguous(model, found),
                    composite_references=own,
                    composite_backrefs=incoming,
                    indexes=self._indexes(model, own, self.raw_models[name]),
                )
            )
        return result

    def _shares_pair(self, model: Model, found) -> bool:
        return any(
            frozenset((model.name, f.reference.target))
            in {frozenset((r.source, r.target)) for refs in found.values() for r in refs}
            for f in model.references
        )

    def _mark_ambiguous(self, model: Model, found) -> Model:
        """A ref field joining the same two models as a composite relation is ambiguous too
        (Prisma then needs a relation name on both sides)."""
        pairs = {frozenset((r.source, r.target)) for refs in found.values() for r in refs}
        fields = []
        for f in model.fields:
            ref = f.reference
            if (
                ref is not None
                and not ref.ambiguous
                and frozenset((model.name, ref.target)) in pairs
            ):
                f = dataclasses.replace(f, reference=dataclasses.replace(ref, ambiguous=True))
            fields.append(f)
        backrefs = tuple(
            dataclasses.replace(b, ambiguous=True)
            if frozenset((model.name, b.source_model)) in pairs
            else b
            for b in model.backrefs
        )
        return dataclasses.replace(model, fields=tuple(fields), backrefs=backrefs)

    def _indexes(self, model: Model, own, raw) -> tuple[Index, ...]:
        """An index on the referencing columns unless a key, unique or index already leads
        with them (as for a ref field: deleting a referenced row must not scan this table)."""
        indexes = list(model.indexes)
        leading = [tuple(f.column for f in model.key), *(u.columns for u in model.uniques)]
        for ref in own:
            spec = raw["relations"][ref.name]
            if spec.get("index", True) is False:
                continue
            if any(
                cols[: len(ref.columns)] == ref.columns
                for cols in (*leading, *(i.columns for i in indexes))
            ):
                continue
            indexes.append(
                Index(
                    spec.get("indexName")
                    or naming.constraint_name(model.table, ref.columns, "idx"),
                    ref.fields,
                    ref.columns,
                )
            )
        return tuple(indexes)

    def _fields(self, model: Model, names: list[str], path: tuple, what: str) -> list | None:
        resolved = []
        for i, field_name in enumerate(names):
            if field_name not in {f.name for f in model.fields}:
                if field_name in self.raw_models[model.name]["fields"]:
                    return None  # the field itself is wrong, which was reported
                self.error(
                    (*path, i),
                    f"{what} names unknown field '{field_name}' of model {model.name}",
                    did_you_mean(field_name, [f.name for f in model.fields]),
                )
                return None
            resolved.append(model.field(field_name))
        if len(set(names)) != len(names):
            self.error(path, f"{what} lists a field twice")
            return None
        return resolved

    def _target_fields(self, target: Model, raw: dict, path: tuple) -> list | None:
        if "references" not in raw:
            if not target.composite:
                self.error(
                    (*path, "to"),
                    f"{target.name} has a single-field key "
                    f"({target.primary_key.name}): reference it with a ref field",
                    "or name a composite unique of it with 'references: [a, b]'",
                )
                return None
            return list(target.key)
        where = (*path, "references")
        fields = self._fields(target, raw["references"], where, "references")
        if fields is None:
            return None
        groups = [tuple(f.name for f in target.key), *(u.fields for u in target.uniques)]
        if tuple(f.name for f in fields) not in groups:
            self.error(
                where,
                f"references: [{', '.join(raw['references'])}] is neither the "
                f"primary key nor a unique of {target.name}",
                f"add unique: [[{', '.join(raw['references'])}]] to {target.name} (the "
                "fields in this order)",
            )
            return None
        return fields

    def resolve(
        self, name: str, rel_name: str, raw: dict, path: tuple
    ) -> CompositeReference | None:
        model = self.models[name]
        target_name = raw["to"]
        if target_name not in self.raw_models:
            self.error(
                (*path, "to"),
                f"unknown model '{target_name}'",
                did_you_mean(target_name, self.raw_models),
            )
            return None
        target = self.models.get(target_name)
        fields = self._fields(model, raw["fields"], (*path, "fields"), "relation")
        if target is None or fields is None:
            return None
        target_fields = self._target_fields(target, raw, path)
        if target_fields is None:
            return None
        if len(fields) != len(target_fields):
            self.error(
                (*path, "fields"),
                f"relation {rel_name} has {len(fields)} fields but "
                f"{target.name}'s referenced fields are {len(target_fields)} "
                f"({', '.join(f.name for f in target_fields)})",
            )
            return None
        ok = True
        for i, (f, g) in enumerate(zip(fields, target_fields, strict=True)):
            if signature(f) != signature(g):
                self.error(
                    (*path, "fields", i),
                    f"field {f.name} ({describe(f)}) cannot hold "
                    f"{target.name}.{g.name} ({describe(g)})",
                    "a composite reference's fields have the referenced fields' types, one for one",
                )
                ok = False
        nullable = {f.nullable for f in fields}
        if len(nullable) > 1:
            self.error(
                (*path, "fields"),
                f"relation {rel_name} mixes nullable and required fields",
                "make all of them nullable (an optional relation) or none",
            )
            ok = False
        is_null = nullable == {True}
        foreign_key = raw.get("foreignKey", True)
        for word in ("onDelete", "onUpdate", "foreignKeyName"):
            if foreign_key is False and word in raw:
                self.error(
                    (*path, word),
                    f"{word} needs a foreign key: with foreignKey: "
                    "false the database takes no action",
                    f"remove {word} or foreignKey: false",
                    at_key=True,
                )
                ok = False
        for word in ("onDelete", "onUpdate"):
            if raw.get(word) == "setNull" and not is_null:
                self.error(
                    (*path, word),
                    f"{word}: setNull needs nullable fields",
                    "make the relation's fields nullable, or choose another action",
                )
                ok = False
        if not ok:
            return None
        on_delete = OnDelete(
            raw.get("onDelete")
            or ("noAction" if foreign_key is False else "setNull" if is_null else "cascade")
        )
        on_update = OnDelete(raw["onUpdate"]) if "onUpdate" in raw else None
        names = {f.name for f in fields}
        one_to_one = any(
            names == set(group)
            for group in [[f.name for f in model.key], *(u.fields for u in model.uniques)]
        )
        ambiguous = target.name == name or self.pairs[frozenset((name, target.name))] > 1
        backref = raw.get("backref") or naming.lower_camel(name)
        if "backref" not in raw:
            backref = backref if one_to_one else naming.plural(backref)
            if ambiguous:
                backref += naming.upper_camel(rel_name)
        self._claim(name, rel_name, path, "relation")
        self._claim(
            target.name,
            backref,
            (*path, "backref") if "backref" in raw else path,
            f"back-reference from {name}.{rel_name}",
        )
        columns = tuple(f.column for f in fields)
        return CompositeReference(
            name=rel_name,
            attr=naming.snake_case(rel_name),
            fields=tuple(f.name for f in fields),
            columns=columns,
            target=target.name,
            target_table=target.table,
            target_fields=tuple(g.name for g in target_fields),
            target_columns=tuple(g.column for g in target_fields),
            to_key=[g.name for g in target_fields] == [k.name for k in target.key],
            on_delete=on_delete,
            on_update=on_update,
            backref=backref,
            backref_attr=naming.snake_case(backref),
            one_to_one=one_to_one,
            ambiguous=ambiguous,
            relation_name=f"{name}_{rel_name}",
            constraint=raw.get("foreignKeyName")
            or naming.constraint_name(model.table, columns, "fkey"),
            foreign_key=foreign_key,
            nullable=is_null,
            source=name,
            source_table=model.table,
            position=self.builder.source.key(path),
        )

    def _claim(self, model: str, attribute: str, path: tuple, what: str) -> None:
        other = self.taken[model].get(attribute)
        if other is not None:
            self.error(
                path,
                f"{what} '{attribute}' of model {model} collides with {other}",
                "rename one of them (the relation's name, or backref:)",
                at_key=True,
            )
        else:
            self.taken[model][attribute] = what


def resolve(builder: Any, raw_models: dict[str, dict], models: list[Model]) -> list[Model]:
    """``models`` with their composite relations (``relations:``) checked and resolved;
    problems are reported through ``builder.error``."""
    if not any(raw.get("relations") for raw in raw_models.values()):
        return models
    return _Resolver(builder, raw_models, models).run()
