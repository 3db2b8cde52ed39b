"""The physical names a database holds, read back with SQLAlchemy's inspector, and the names the
Spec model says every target must create. Used by the ORM conformance tests (prisma, drizzle)
to prove that a target created the same tables, columns and keys as the SQL emitter."""

from __future__ import annotations

from dataclasses import dataclass

from vigilo_gen.model import Spec


@dataclass(frozen=True)
class TableNames:
    columns: tuple[str, ...]  # in table order
    pk: str | None  # None where the engine does not name primary keys (SQLite, MySQL)
    uniques: frozenset[str]  # unique constraints and unique indexes (engines differ)
    indexes: frozenset[str]  # non-unique indexes
    fks: frozenset[str]  # foreign key names ('' for unnamed)


def from_spec(spec: Spec, engine: str) -> dict[str, TableNames]:
    """What the Spec says, as ``engine`` can report it."""
    out = {}
    for model in spec.models:
        out[model.table] = TableNames(
            columns=tuple(f.column for f in model.fields),
            pk=model.pk_constraint if engine == "postgres" else None,
            uniques=frozenset(u.name for u in model.uniques),
            indexes=frozenset(i.name for i in model.indexes),
            # README: `foreignKey: false` is a relation with no FOREIGN KEY
            fks=frozenset(f.reference.constraint for f in model.references
                          if f.reference.foreign_key)
            | {r.constraint for r in model.composite_references if r.foreign_key},
        )
    return out


def reflect(db, *, ignore_tables: tuple[str, ...] = ()) -> dict[str, TableNames]:
    """The names in ``db`` (a tests.engines.Database)."""
    from sqlalchemy import inspect

    engine = db.sqlalchemy_engine()
    inspector = inspect(engine)
    out = {}
    for table in sorted(inspector.get_table_names()):
        if table in ignore_tables or table.startswith(("_prisma", "__drizzle")):
            continue
        columns = tuple(c["name"] for c in inspector.get_columns(table))
        pk = inspector.get_pk_constraint(table).get("name")
        fk_names = {fk.get("name") or "" for fk in inspector.get_foreign_keys(table)}
        uniques = {u["name"] for u in inspector.get_unique_constraints(table) if u.get("name")}
        indexes = set()
        for index in inspector.get_indexes(table):
            name = index.get("name")
            if not name:
                continue
            if index.get("unique"):
                uniques.add(name)
            elif name not in fk_names:  # MySQL's implicit index behind a foreign key
                indexes.add(name)
        out[table] = TableNames(
            columns=columns,
            pk=pk if db.engine_name == "postgres" else None,
            uniques=frozenset(uniques),
            indexes=frozenset(indexes),
            fks=frozenset(fk_names),
        )
    engine.dispose()
    return out


def with_default_fk_names(spec: Spec, tables: dict[str, TableNames]) -> dict[str, TableNames]:
    """A foreign key named in the spec (``foreignKeyName``) as a target that cannot name one
    creates it: under the target's own default name, ``{table}_{column}_fkey``."""
    from vigilo_gen.naming import constraint_name

    out = dict(tables)
    for model in spec.models:
        names = frozenset(constraint_name(model.table, (f.column,), "fkey")
                          for f in model.references if f.reference.foreign_key) | {
            constraint_name(model.table, r.columns, "fkey")
            for r in model.composite_references if r.foreign_key}
        old = tables[model.table]
        out[model.table] = TableNames(old.columns, old.pk, old.uniques, old.indexes, names)
    return out


def without_fk_names(tables: dict[str, TableNames]) -> dict[str, TableNames]:
    """For engines/targets that cannot name foreign keys (drizzle-kit on SQLite)."""
    return {t: TableNames(n.columns, n.pk, n.uniques, n.indexes, frozenset())
            for t, n in tables.items()}


def split_statements(sql: str) -> str:
    """drizzle-kit's migration SQL as one plain script."""
    return sql.replace("--> statement-breakpoint", "")
