"""A pure join table, imported as a ``manyToMany`` (README, "manyToMany").

A table whose only columns are two foreign keys to the keys of two different tables, which
together make its primary key, is what Django's ``ManyToManyField`` creates and Prisma's
introspection calls an explicit many-to-many: the import keeps it as a model (the database's
table) and adds the list of the other side's rows on the first side's model. A table with
anything more (a column of its own, a self-join, a ``references:`` key) is left as it is; so
is one whose attribute names are taken. It changes no table, so the round trip's SQL stays.
"""

from __future__ import annotations

from typing import Any

from vigilo_gen import naming


def add_many_to_many(models: dict[str, dict], taken: dict[str, set[str]]) -> None:
    """``manyToMany`` on the first side of each pure join table of ``models`` (the import's
    spec document), with default names that ``taken`` (the attribute names of each model)
    does not hold; ``taken`` is updated."""
    for join, model in models.items():
        refs = _pure_join(model)
        if refs is None:
            continue
        owner, target = (model["fields"][name]["to"] for name in refs)
        name = naming.plural(naming.lower_camel(target))
        backref = naming.plural(naming.lower_camel(owner))
        if name in taken[owner] or backref in taken[target]:
            continue
        taken[owner].add(name)
        taken[target].add(backref)
        models[owner].setdefault("manyToMany", {})[name] = {"through": join}


def _pure_join(model: dict[str, Any]) -> tuple[str, str] | None:
    """The key's two ref fields, in key order, when they are all the model is."""
    key = model.get("primaryKey") or []
    fields = model["fields"]
    if len(key) != 2 or set(key) != set(fields):
        return None
    specs = [fields[name] for name in key]
    if any(s["type"] != "ref" or "references" in s for s in specs):
        return None
    if specs[0]["to"] == specs[1]["to"]:
        return None  # a self-join: which ref is which side is the user's to say (via:)
    return key[0], key[1]
