"""The physical schema of one table, as text per dialect, for comparing an old table to a new one.

The old model is first seen through the new spec's names (``as_new``): its table, its kept
columns and the tables its foreign keys refer to carry their new names, while every constraint,
index and trigger keeps its own (old) name. Two pieces of schema are then the same exactly when
their rendered SQL is the same, so a rename alone changes nothing but names, and anything else
(an enum value, a bound, an ON DELETE action) shows up as a different text. The SQL is rendered
by the SQL emitter's own builders (emitters/sql_ddl.py), never re-derived here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlglot import exp

from ..model import Model
from ..pairing import ModelPair, Pairing


def as_new(mp: ModelPair, pairing: Pairing) -> Model:
    """``mp.old`` with the new names of its table, kept columns and referenced tables."""
    old, new = mp.old, mp.new
    columns = {fp.old.column: fp.new.column for fp in mp.fields if fp.old and fp.new}
    tables = {p.old.name: p for p in pairing.models if p.old and p.new}
    fields = []
    for f in old.fields:
        ref = f.reference
        if ref is not None and ref.target in tables:
            target = tables[ref.target]
            ref = replace(ref, target_table=target.new.table,
                          target_column=_new_column(target, ref.target_field, ref.target_column))
        fields.append(replace(f, column=columns.get(f.column, f.column), reference=ref))
    fields = tuple(fields)
    pk = next(f for f in fields if f.primary_key)

    def cols(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(columns.get(c, c) for c in names)

    composite = []
    for rel in old.composite_references:  # ``relations:``: new column and table names too
        target = tables.get(rel.target)
        if target is not None:
            rel = replace(rel, target_table=target.new.table, target_columns=tuple(
                _new_column(target, name, column)
                for name, column in zip(rel.target_fields, rel.target_columns, strict=True)))
        composite.append(replace(rel, columns=cols(rel.columns)))

    return replace(
        old, table=new.table, fields=fields, primary_key=pk,
        composite_references=tuple(composite),
        uniques=tuple(replace(u, columns=cols(u.columns)) for u in old.uniques),
        indexes=tuple(replace(i, columns=cols(i.columns)) for i in old.indexes),
        checks=tuple(replace(c, column=columns.get(c.column, c.column)) for c in old.checks),
    )


def _new_column(target: ModelPair, old_field: str, old_column: str) -> str:
    """The new column of the target's field a reference holds: its key or, with
    ``references:``, a unique field (renamed or not); the old column when that field is gone
    (the foreign key then differs, as it should)."""
    for fp in target.fields:
        if fp.old is not None and fp.new is not None and fp.old.name == old_field:
            return fp.new.column
    return old_column


# Kinds of table constraints, by the sqlglot expression inside them.
CONSTRAINT_KINDS = {exp.PrimaryKey: "pk", exp.UniqueColumnConstraint: "unique",
                    exp.ForeignKey: "fk", exp.CheckColumnConstraint: "check"}


@dataclass(frozen=True)
class TableSchema:
    constraints: dict[str, tuple[str, exp.Constraint]]  # name -> (kind, tree)
    indexes: dict[str, exp.Create]
    triggers: dict[str, str]  # trigger statement text -> itself (names are inside)


def table_schema(builder, model: Model) -> TableSchema:
    constraints = {}
    for item in builder.table_constraints(model):
        if not isinstance(item, exp.Constraint):  # e.g. BigQuery's unnamed keys: not ours
            continue
        kind = CONSTRAINT_KINDS.get(type(item.expressions[0]))
        if kind is not None:
            constraints[item.name] = (kind, item)
    indexes = {create.this.name: create for create in builder.create_indexes(model)}
    triggers = {text: text for text in builder.updated_at_triggers(model)}
    return TableSchema(constraints, indexes, triggers)


def sql(builder, node: exp.Expression) -> str:
    return node.sql(dialect=builder.profile.write)
