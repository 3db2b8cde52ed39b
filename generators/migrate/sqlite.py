"""A migration for SQLite: tables rebuilt the way SQLite documents it.

SQLite's ALTER TABLE cannot change a column, a key or a CHECK. A table whose definition changes
is rebuilt following https://sqlite.org/lang_altertable.html ("Making Other Kinds Of Table
Schema Changes"), the procedure whose shortcuts the complaints are about:

- foreign keys are switched off before the transaction (the pragma is a no-op inside one), so
  that dropping the old table neither cascades into child rows nor fails; the whole migration
  is one transaction;
- the new table is created under a temporary name with its complete definition (every column,
  key, foreign key and CHECK of the new spec, from the SQL emitter's builder), the rows are
  copied (renamed columns by their old names; a column made NOT NULL takes its default where
  it held NULL), the old table is dropped and the new one renamed; every index and updated_at
  trigger of the table is then created again (dropping the table dropped them);
- all tables are created and filled before any old one is dropped, so renames that swap names
  work, and children are rebuilt when the table they refer to is renamed;
- before COMMIT every foreign key is checked: a violation stops the script at a CHECK on the
  count from ``pragma_foreign_key_check``, so the transaction is never committed.

A table whose definition is unchanged keeps its rows where they are; only its changed indexes
and triggers are dropped and created.
"""

from __future__ import annotations

from ..model import Model
from ..pairing import ModelPair, Pairing
from .schema import as_new, sql

STAGING = "_vigilo_new_{table}"
FK_CHECK = (
    'CREATE TEMP TABLE "_vigilo_fk_check" (violations INTEGER CHECK (violations = 0));\n'
    'INSERT INTO "_vigilo_fk_check" SELECT COUNT(*) FROM pragma_foreign_key_check;\n'
    'DROP TABLE "_vigilo_fk_check";'
)


class SQLitePlanner:
    def __init__(self, pairing: Pairing, dialect: str, old_builder, new_builder):
        self.pairing = pairing
        self.old_b, self.new_b = old_builder, new_builder

    def q(self, name: str) -> str:
        return self.new_b.quoted(name)

    def definition(self, builder, model: Model) -> str:
        return builder.table_sql(builder.create_table(model))

    def rebuilt(self, mp: ModelPair) -> bool:
        """Whether the table's definition changes at all (its name, a column, a key, a
        CHECK, the table a foreign key refers to)."""
        return self.definition(self.old_b, mp.old) != self.definition(self.new_b, mp.new)

    def copy(self, mp: ModelPair) -> str:
        """INSERT INTO the staging table the rows of the old one, column by column."""
        columns, values = [], []
        for fp in mp.fields:
            if fp.old is None or fp.new is None:
                continue  # a new column takes its default; a removed one is left behind
            columns.append(self.q(fp.new.column))
            value = self.q(fp.old.column)
            default = self.new_b.default(fp.new)
            if fp.old.nullable and not fp.new.nullable and default is not None:
                value = f"COALESCE({value}, {sql(self.new_b, default)})"
            values.append(value)
        staging = self.q(STAGING.format(table=mp.new.table))
        return (f"INSERT INTO {staging} ({', '.join(columns)})\n"
                f"  SELECT {', '.join(values)} FROM {self.q(mp.old.table)};")

    def plan(self) -> list[str]:
        b = self.new_b
        kept = [mp for mp in self.pairing.models if mp.old and mp.new]
        rebuilt = [mp for mp in kept if self.rebuilt(mp)]
        out: list[str] = []
        for mp in rebuilt:  # 1. the new tables, filled
            staged = b.create_table(mp.new)
            staged.this.this.set("this", b.ident(STAGING.format(table=mp.new.table)))
            out.append(b.table_sql(staged) + ";")
            out.append(self.copy(mp))
        for mp in [*rebuilt, *reversed([p for p in self.pairing.models if p.new is None])]:
            out.append(f"DROP TABLE {self.q(mp.old.table)};")  # 2. the old ones dropped
        for mp in rebuilt:  # 3. renamed into place, with their indexes and triggers
            out.append(f"ALTER TABLE {self.q(STAGING.format(table=mp.new.table))} "
                       f"RENAME TO {self.q(mp.new.table)};")
        for mp in rebuilt:
            out += [sql(b, i) + ";" for i in b.create_indexes(mp.new)]
            out += b.updated_at_triggers(mp.new)
        for mp in kept:  # unchanged tables: only their changed indexes and triggers
            if mp not in rebuilt:
                out += self.indexes_and_triggers(mp)
        for mp in self.pairing.models:  # new tables, parents first
            if mp.old is None:
                out.append(self.definition(b, mp.new) + ";")
                out += [sql(b, i) + ";" for i in b.create_indexes(mp.new)]
                out += b.updated_at_triggers(mp.new)
        return out

    def indexes_and_triggers(self, mp: ModelPair) -> list[str]:
        b, view = self.new_b, as_new(mp, self.pairing)
        before = {sql(self.old_b, i): i.this.name for i in self.old_b.create_indexes(view)}
        after = {sql(b, i): i for i in b.create_indexes(mp.new)}
        out = [f"DROP INDEX {self.q(name)};" for text, name in before.items() if text not in after]
        out += [text + ";" for text in after if text not in before]
        old_triggers = self.old_b.updated_at_triggers(mp.old)
        new_triggers = b.updated_at_triggers(mp.new)
        for text in old_triggers:
            if text not in new_triggers:
                name = text.split()[2]  # CREATE TRIGGER <name> ...
                out.insert(0, f"DROP TRIGGER {name};")
        out += [t for t in new_triggers if t not in old_triggers]
        return out

    @staticmethod
    def wrap(statements: list[str]) -> list[str]:
        if not statements:
            return []
        return ["PRAGMA foreign_keys = OFF;", "BEGIN;", *statements, FK_CHECK, "COMMIT;",
                "PRAGMA foreign_keys = ON;"]
