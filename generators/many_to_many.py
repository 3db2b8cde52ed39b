"""``manyToMany:`` on a model: a list of another model's rows reached through a join model.

```yaml
  Post:
    manyToMany:
      tags: {through: PostTag, backref: posts}   # PostTag: one ref to Post, one to Tag
```

Django's ``ManyToManyField(through=)``: the join model stays a model of its own (its table,
its key, its extra fields, its two one-to-many relations), and the word adds the accessors
that skip it (SQLAlchemy ``relationship(secondary=)``, Peewee ``ManyToManyField``). Nothing
here changes a table. Resolved after the models are built, from their references, so that it
needs nothing from the field-by-field build but the finished models.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any, Protocol

from . import naming
from .errors import did_you_mean
from .model import Field, ManyToMany, Model


class _Reporter(Protocol):
    data: dict[str, Any]
    source: Any

    def error(
        self, path: tuple, message: str, hint: str | None = None, *, at_key: bool = False
    ) -> None: ...


def resolve(builder: _Reporter, raw_models: dict[str, dict], models: list[Model]) -> list[Model]:
    """``models`` with their ``many_to_many`` filled in (both sides of each declared one);
    every misuse reported through ``builder``, with the word's position."""
    by_name = {m.name: m for m in models}
    sides: dict[str, list[ManyToMany]] = defaultdict(list)
    reverse: dict[str, list[ManyToMany]] = defaultdict(list)
    seen: dict[tuple[str, str, str], str] = {}  # (through, source ref, target ref) -> where
    for name in sorted(raw_models):
        for attr, raw in (raw_models[name].get("manyToMany") or {}).items():
            path = ("models", name, "manyToMany", attr)
            owner = by_name.get(name)
            found = (
                _pair(builder, name, attr, raw, path, raw_models, by_name)
                if owner is not None
                else None
            )
            if found is None:
                continue
            through, source_ref, target_ref = found
            target = target_ref.reference.target
            if target == through.name:
                builder.error(
                    path,
                    f"{name}.{attr} would list {through.name}'s own rows: its target is "
                    "the join model",
                    f"a join model's ref to itself is no side; list {through.name}'s rows "
                    f"with the back-reference of {through.name}.{target_ref.name}",
                    at_key=True,
                )
                continue
            key = (through.name, source_ref.name, target_ref.name)
            if key in seen or (through.name, target_ref.name, source_ref.name) in seen:
                other = seen.get(key) or seen[(through.name, target_ref.name, source_ref.name)]
                builder.error(
                    path,
                    f"{name}.{attr} is the relation {other} already declares "
                    f"through {through.name}",
                    "declare it once: its backref names the other side",
                    at_key=True,
                )
                continue
            seen[key] = f"{name}.{attr}"
            backref = raw.get("backref") or naming.plural(naming.lower_camel(name))
            refs_to = [f.reference.target for f in through.references]
            ambiguous = name == target or refs_to.count(name) > 1 or refs_to.count(target) > 1
            position = builder.source.key(path)
            sides[name].append(
                ManyToMany(
                    name=attr,
                    attr=naming.snake_case(attr),
                    target=target,
                    through=through.name,
                    source_field=source_ref.name,
                    target_field=target_ref.name,
                    backref=backref,
                    backref_attr=naming.snake_case(backref),
                    owner=True,
                    ambiguous=ambiguous,
                    position=position,
                )
            )
            reverse[target].append(
                ManyToMany(
                    name=backref,
                    attr=naming.snake_case(backref),
                    target=name,
                    through=through.name,
                    source_field=target_ref.name,
                    target_field=source_ref.name,
                    backref=attr,
                    backref_attr=naming.snake_case(attr),
                    owner=False,
                    ambiguous=ambiguous,
                    position=position,
                )
            )
    result = []
    for model in models:
        relations = (*sides.get(model.name, ()), *reverse.get(model.name, ()))
        if relations:
            _collisions(builder, model, relations)
            model = dataclasses.replace(model, many_to_many=relations)
        result.append(model)
    return result


def _pair(
    builder: _Reporter,
    name: str,
    attr: str,
    raw: dict,
    path: tuple,
    raw_models: dict[str, dict],
    models: dict[str, Model],
) -> tuple[Model, Field, Field] | None:
    """The join model and its two refs (to ``name``, to the target), or None (reported)."""
    through_name = raw["through"]
    through = models.get(through_name)
    if through is None:
        if through_name not in raw_models:
            builder.error(
                (*path, "through"),
                f"unknown model '{through_name}'",
                did_you_mean(through_name, raw_models),
            )
        return None  # a model that failed to build was reported already
    if through_name == name:
        builder.error(
            (*path, "through"),
            f"{name}.{attr} goes through {name} itself",
            "name the join model: a model with a ref to each side",
        )
        return None
    to = raw.get("to")
    if to is not None and to not in models:
        if to not in raw_models:
            builder.error((*path, "to"), f"unknown model '{to}'", did_you_mean(to, raw_models))
        return None
    refs = through.references
    if "via" in raw:
        return _via(builder, name, raw, path, through, to)
    to_source = [f for f in refs if f.reference.target == name]
    others = [f for f in refs if f.reference.target != name]
    to_target = [f for f in others if f.reference.target == to] if to is not None else others
    hint = f"say which two with via: [<its ref to {name}>, <its ref to the target>]"
    if to == name:
        builder.error(
            (*path, "to"),
            f"{name}.{attr} joins {name} to itself through "
            f"{through_name}: which ref is which side?",
            hint,
            at_key=True,
        )
        return None
    if len(to_source) != 1:
        builder.error(
            (*path, "through"),
            f"{through_name} has {_count(to_source)} to "
            f"{name}: a join model of {name}.{attr} has exactly one",
            hint if to_source else f"give {through_name} a ref field to {name}",
        )
        return None
    if len(to_target) != 1:
        what = f"refs to {to}" if to is not None else f"refs to models other than {name}"
        builder.error(
            (*path, "to" if to is not None else "through"),
            f"{through_name} has {len(to_target)} {what}: {name}.{attr} needs "
            "exactly one (its target)",
            "say which with to: <Model>, or via: [a, b]" if to_target else None,
        )
        return None
    return through, to_source[0], to_target[0]


def _via(
    builder: _Reporter, name: str, raw: dict, path: tuple, through: Model, to: str | None
) -> tuple[Model, Field, Field] | None:
    """``via: [sourceRef, targetRef]``: the join model's two refs, named."""
    names = raw["via"]
    fields = []
    for i, field_name in enumerate(names):
        where = (*path, "via", i)
        field = next((f for f in through.fields if f.name == field_name), None)
        if field is None or field.reference is None:
            builder.error(
                where,
                f"'{field_name}' is not a ref field of {through.name}",
                did_you_mean(field_name, [f.name for f in through.references]),
            )
            return None
        fields.append(field)
    source, target = fields
    if source.name == target.name:
        builder.error(
            (*path, "via"),
            "via names one ref twice",
            "the ref to this model, then the ref to the target",
        )
        return None
    if source.reference.target != name:
        builder.error(
            (*path, "via", 0),
            f"{through.name}.{source.name} references {source.reference.target}, not {name}",
            "via: [the ref to this model, the ref to the target]",
        )
        return None
    if to is not None and target.reference.target != to:
        builder.error(
            (*path, "via", 1),
            f"{through.name}.{target.name} references {target.reference.target}, not {to} (to:)",
        )
        return None
    return through, source, target


def _count(refs: list[Field]) -> str:
    return "no ref" if not refs else f"{len(refs)} refs ({', '.join(f.name for f in refs)})"


def _collisions(builder: _Reporter, model: Model, relations: tuple[ManyToMany, ...]) -> None:
    """A many-to-many attribute is one more attribute of the model (and of the ORM classes):
    it cannot share a name with a field, relation (of one field or several), back-reference
    or another one."""
    taken: dict[str, str] = {}
    for f in model.fields:
        taken[f.name] = taken[f.attr] = f"field {f.name}"
        if f.reference is not None:
            taken[f.reference.relation] = taken[f.reference.relation_attr] = (
                f"relation {f.reference.relation}"
            )
    for b in model.backrefs:
        taken[b.name] = taken[b.attr] = (
            f"back-reference {b.name} (from {b.source_model}.{b.source_field})"
        )
    for rel in model.composite_references:  # ``relations:``, resolved before this
        taken[rel.name] = taken[rel.attr] = f"relation {rel.name}"
    for rel in model.composite_backrefs:
        taken[rel.backref] = taken[rel.backref_attr] = (
            f"back-reference {rel.backref} (from {rel.source}.{rel.name})"
        )
    for m2m in relations:
        at_key = True
        if m2m.owner:
            path: tuple = ("models", model.name, "manyToMany", m2m.name)
        else:  # the target's side: its name is the declaration's backref
            path = ("models", m2m.target, "manyToMany", m2m.backref)
            if "backref" in _raw(builder, path):
                path, at_key = (*path, "backref"), False
        what = f"many-to-many {model.name}.{m2m.name}"
        other = taken.get(m2m.name) or taken.get(m2m.attr)
        if other is not None:
            builder.error(
                path,
                f"{what} collides with {other}",
                "rename it" if m2m.owner else "name it with backref:",
                at_key=at_key,
            )
            continue
        taken[m2m.name] = taken[m2m.attr] = what


def _raw(builder: _Reporter, path: tuple) -> dict:
    node: Any = builder.data
    for part in path:
        node = node[part]
    return node
