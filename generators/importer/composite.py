"""Foreign keys of several columns read back into ``relations:`` (README, "Keys").

A composite foreign key becomes a relation of the referencing model when the spec format can
say it: its target is in the source, it references the target's primary key or one of its
unique keys (in that key's column order), and its columns are all nullable or none. Anything
else stays a note of the import report, as before.
"""

from __future__ import annotations

from typing import Any

from .. import naming
from .source import ForeignKey, Source, Table

ON_ACTIONS = {
    "CASCADE": "cascade",
    "SET NULL": "setNull",
    "RESTRICT": "restrict",
    "NO ACTION": "noAction",
}


def why_not(source: Source, table: Table, fk: ForeignKey) -> str | None:
    """Why ``fk`` cannot be a relation of several fields; None when it can."""
    target = source.table(fk.target)
    if target is None:
        return f"its table {fk.target} is not in the source"
    columns = fk.target_columns or (target.primary_key.columns if target.primary_key else ())
    keys = [target.primary_key.columns] if target.primary_key else []
    keys += [u.columns for u in target.uniques]
    if tuple(columns) not in [tuple(k) for k in keys] or len(columns) != len(fk.columns):
        return "a foreign key of several columns to columns that are no key of " + fk.target
    by_name = {c.name: c for c in table.columns}
    if len({by_name[c].nullable for c in fk.columns if c in by_name}) != 1:
        return "a foreign key of several columns, some nullable and some not"
    return None


def relation(
    source: Source,
    table: Table,
    fk: ForeignKey,
    field_of: dict[str, str],
    target_field_of: dict[str, str],
    target_model: str,
    implicit: str | None,
) -> dict[str, Any]:
    """The ``relations:`` entry of ``fk`` (the spec's defaults left out)."""
    target = source.table(fk.target)
    key = target.primary_key.columns if target.primary_key else ()
    columns = fk.target_columns or key
    out: dict[str, Any] = {"fields": [field_of[c] for c in fk.columns], "to": target_model}
    if tuple(columns) != tuple(key):
        out["references"] = [target_field_of[c] for c in columns]
    nullable = all(c.nullable for c in table.columns if c.name in fk.columns)
    # The header of our SQL names the action a dialect could not declare (gaps.py), as for
    # a foreign key of one column.
    on_delete = source.gaps.on_delete.get(fk.name) or fk.on_delete
    on_update = source.gaps.on_update.get(fk.name) or fk.on_update
    delete = ON_ACTIONS.get(on_delete or implicit or "NO ACTION", "noAction")
    if delete != ("setNull" if nullable else "cascade"):
        out["onDelete"] = delete
    if on_update and not (source.catalogue and on_update == implicit):
        out["onUpdate"] = ON_ACTIONS.get(on_update, "noAction")
    if fk.name and fk.name != naming.constraint_name(table.name, fk.columns, "fkey"):
        out["foreignKeyName"] = fk.name
    return out


def name(target_model: str, taken: set[str]) -> str:
    """The relation's name: the target model's, lower camel case, unless taken."""
    chosen = naming.lower_camel(target_model)
    while chosen in taken:
        chosen += "Ref"
    taken.add(chosen)
    return chosen


def index_words(table: Table, fk: ForeignKey, indexes: list, leading: set[tuple]) -> tuple:
    """(the index of ``indexes`` the relation's own index is, or None; its words): the index
    on exactly the relation's columns is the relation's (``indexName`` if not the default
    name); with none leading with them, ``index: false``."""
    own = next((i for i in indexes if tuple(i.columns) == tuple(fk.columns)), None)
    if own is not None:
        default = naming.constraint_name(table.name, fk.columns, "idx")
        return own, ({} if own.name == default else {"indexName": own.name})
    width = len(fk.columns)
    if any(tuple(cols[:width]) == tuple(fk.columns) for cols in leading):
        return None, {}
    return None, {"index": False}
