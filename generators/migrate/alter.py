"""A migration as ALTER statements: PostgreSQL and MySQL/MariaDB.

The order keeps every foreign key valid at every step and lets a name be reused the moment it
is free:

1. drop what changes or goes: foreign keys first, then CHECKs, unique keys, indexes and
   updated_at triggers, then the tables removed (children first);
2. rename tables, then drop removed columns, then rename columns (a rename may take the name
   of something just dropped; a swap goes through a temporary name);
3. change columns in place: the type (PostgreSQL: with ``USING CAST``), the default, NULL /
   NOT NULL (NULL rows first take the new default when there is one), and add the new ones;
4. create the new tables (parents first), then add the changed or new unique keys, CHECKs and
   indexes, then the foreign keys, then the triggers.

A CHECK is dropped and added again under its name when its condition changes: an enum value
added costs one constraint check, not a table rewrite. Statements come from the SQL emitter's
builders (column definitions, constraints, CREATE TABLE/INDEX, triggers); the few ALTER forms
sqlglot does not write the way both MySQL and MariaDB read them are the templates below, one
table per dialect.
"""

from __future__ import annotations

from sqlglot import exp

from ..model import Field, Model
from ..naming import constraint_name
from ..pairing import ModelPair, Pairing
from .schema import TableSchema, as_new, sql, table_schema

TEMPLATES: dict[str, dict[str, str]] = {
    "postgres": {
        "drop fk": "ALTER TABLE {table} DROP CONSTRAINT {name};",
        "drop unique": "ALTER TABLE {table} DROP CONSTRAINT {name};",
        "drop check": "ALTER TABLE {table} DROP CONSTRAINT {name};",
        "drop index": "DROP INDEX {name};",
        "drop trigger": "DROP TRIGGER {name} ON {table};",
        "drop table": "DROP TABLE {table};",
        "rename table": "ALTER TABLE {table} RENAME TO {to};",
        "rename column": "ALTER TABLE {table} RENAME COLUMN {name} TO {to};",
        "rename pk": "ALTER TABLE {table} RENAME CONSTRAINT {name} TO {to};",
        "drop column": "ALTER TABLE {table} DROP COLUMN {name};",
        "add column": "ALTER TABLE {table} ADD COLUMN {definition};",
        "add constraint": "ALTER TABLE {table} ADD {definition};",
        "backfill": "UPDATE {table} SET {name} = {value} WHERE {name} IS NULL;",
        "type": "ALTER TABLE {table} ALTER COLUMN {name} TYPE {type} USING CAST({name} AS {type});",
        "set default": "ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT {value};",
        "drop default": "ALTER TABLE {table} ALTER COLUMN {name} DROP DEFAULT;",
        "set not null": "ALTER TABLE {table} ALTER COLUMN {name} SET NOT NULL;",
        "drop not null": "ALTER TABLE {table} ALTER COLUMN {name} DROP NOT NULL;",
        "comment column": "COMMENT ON COLUMN {table}.{name} IS {value};",
        "comment table": "COMMENT ON TABLE {table} IS {value};",
    },
    # MySQL 8.0.19+ and MariaDB 10.5+: RENAME COLUMN, DROP CONSTRAINT (a CHECK).
    "mysql": {
        "drop fk": "ALTER TABLE {table} DROP FOREIGN KEY {name};",
        "drop unique": "DROP INDEX {name} ON {table};",
        "drop check": "ALTER TABLE {table} DROP CONSTRAINT {name};",
        "drop index": "DROP INDEX {name} ON {table};",
        "drop table": "DROP TABLE {table};",
        "rename table": "RENAME TABLE {table} TO {to};",
        "rename column": "ALTER TABLE {table} RENAME COLUMN {name} TO {to};",
        "drop column": "ALTER TABLE {table} DROP COLUMN {name};",
        "add column": "ALTER TABLE {table} ADD COLUMN {definition} {position};",
        "add constraint": "ALTER TABLE {table} ADD {definition};",
        "backfill": "UPDATE {table} SET {name} = {value} WHERE {name} IS NULL;",
        "modify": "ALTER TABLE {table} MODIFY COLUMN {definition};",
        "comment table": "ALTER TABLE {table} COMMENT = {value};",
    },
}
TEMPORARY = "_vigilo_tmp_{n}"


class AlterPlanner:
    def __init__(self, pairing: Pairing, dialect: str, old_builder, new_builder):
        self.pairing = pairing
        self.dialect = dialect
        self.old_b, self.new_b = old_builder, new_builder
        self.templates = TEMPLATES[dialect]
        self.kept = [mp for mp in pairing.models if mp.old and mp.new]
        self.views = {mp.new.name: as_new(mp, pairing) for mp in self.kept}
        self.before = {mp.new.name: table_schema(self.old_b, self.views[mp.new.name])
                       for mp in self.kept}
        self.after = {mp.new.name: table_schema(self.new_b, mp.new) for mp in self.kept}
        self.temporary = 0

    def q(self, name: str) -> str:
        return self.new_b.quoted(name)

    def say(self, template: str, **values: str) -> str:
        return self.templates[template].format(**values)

    # -- what changes ------------------------------------------------------------------------

    def changed_constraints(self, mp: ModelPair) -> tuple[list[str], list[str]]:
        """(old constraint names to drop, new constraint names to add), keys excluded."""
        before, after = self.before[mp.new.name], self.after[mp.new.name]
        drop = [n for n, (kind, tree) in before.constraints.items() if kind != "pk" and (
            n not in after.constraints or sql(self.old_b, tree) != sql(
                self.new_b, after.constraints[n][1]))]
        add = [n for n, (kind, tree) in after.constraints.items() if kind != "pk" and (
            n not in before.constraints or n in drop)]
        if self.dialect == "mysql":  # an index InnoDB needs for a kept foreign key goes too
            lead = {tuple(self.index_columns(mp, n))[:1] for n in self.changed_indexes(mp)[0]}
            lead |= {self.constraint_columns(before, n)[:1] for n in drop
                     if before.constraints[n][0] == "unique"}
            for n, (kind, _tree) in before.constraints.items():
                if kind == "fk" and n not in drop and self.constraint_columns(before, n)[:1] \
                        in lead:
                    drop.append(n)
                    add.append(n)
        return drop, add

    @staticmethod
    def constraint_columns(schema: TableSchema, name: str) -> tuple[str, ...]:
        inner = schema.constraints[name][1].expressions[0]
        target = inner.this if isinstance(inner, exp.UniqueColumnConstraint) else inner
        return tuple(e.name for e in target.expressions)

    def index_columns(self, mp: ModelPair, name: str) -> tuple[str, ...]:
        view = self.views[mp.new.name]
        return next(i.columns for i in view.indexes if i.name == name)

    def changed_indexes(self, mp: ModelPair) -> tuple[list[str], list[str]]:
        before, after = self.before[mp.new.name], self.after[mp.new.name]
        drop = [n for n, tree in before.indexes.items() if n not in after.indexes
                or sql(self.old_b, tree) != sql(self.new_b, after.indexes[n])]
        add = [n for n in after.indexes if n not in before.indexes or n in drop]
        return drop, add

    def triggers(self, model: Model, fields) -> dict[str, Field]:
        return {constraint_name(model.table, (f.column,), "trigger"): f for f in fields}

    def changed_triggers(self, mp: ModelPair) -> tuple[list[str], list[str]]:
        if self.dialect != "postgres":
            return [], []
        before = self.triggers(mp.old, mp.old.updated_at_fields)
        after = self.triggers(mp.new, mp.new.updated_at_fields)
        kept = {fp.old.name for fp in mp.fields if fp.old and fp.new}
        drop = [n for n, f in before.items() if n not in after or f.name not in kept]
        return drop, [n for n in after if n not in before or n in drop]

    # -- the plan ----------------------------------------------------------------------------

    def plan(self) -> list[str]:
        out: list[str] = []
        added_constraints: list[tuple[ModelPair, str]] = []
        added_indexes: list[tuple[ModelPair, str]] = []
        drops = {mp.new.name: self.changed_constraints(mp) for mp in self.kept}
        # 1. drops, under the old names: the kept tables' foreign keys first, then the dropped
        # tables (a kept foreign key may reference one), then the kept tables' other
        # constraints (a dropped table's foreign key may need one of their keys or uniques)
        for mp in self.kept:
            table, before = self.q(mp.old.table), self.before[mp.new.name]
            for name in drops[mp.new.name][0]:
                if before.constraints[name][0] != "fk":
                    continue
                out.append(self.say("drop fk", table=table, name=self.q(name)))
                if self.dialect == "mysql" and not self.has_own_index(mp, name):
                    # InnoDB made an index of the key's name for it; it outlives the key.
                    out.append(self.say("drop index", table=table, name=self.q(name)))
        for mp in reversed([mp for mp in self.pairing.models if mp.new is None]):
            out.append(self.say("drop table", table=self.q(mp.old.table)))
        for mp in self.kept:
            table, before = self.q(mp.old.table), self.before[mp.new.name]
            drop, add = drops[mp.new.name]
            for name in drop:
                kind = before.constraints[name][0]
                if kind != "fk":
                    out.append(self.say(f"drop {kind}", table=table, name=self.q(name)))
            added_constraints += [(mp, n) for n in add]
            drop_i, add_i = self.changed_indexes(mp)
            out += [self.say("drop index", table=table, name=self.q(n)) for n in drop_i]
            added_indexes += [(mp, n) for n in add_i]
            out += [self.say("drop trigger", table=table, name=self.q(n))
                    for n in self.changed_triggers(mp)[0]]
        out += self.renames([(mp.old.table, mp.new.table) for mp in self.kept],
                            lambda old, new: self.say("rename table", table=self.q(old),
                                                      to=self.q(new)))
        for mp in self.kept:  # 2-3. columns
            out += self.columns(mp)
        for mp in self.pairing.models:  # 4. new tables, parents first (new spec order)
            if mp.old is None:
                out += self.create_table(mp.new)
        for mp, name in added_constraints + added_indexes:
            out.append(self.add_item(mp, name))
        triggers = [(mp, n) for mp in self.kept for n in self.changed_triggers(mp)[1]]
        function = self.new_b.updated_at_function()
        if triggers and function and not any(out_line == function for out_line in out):
            out.append(function)
        for mp, name in triggers:
            out += [t for t in self.new_b.updated_at_triggers(mp.new) if self.q(name) in t]
        for mp in self.kept:
            out += self.comments(mp)
        return out

    def has_own_index(self, mp: ModelPair, fk: str) -> bool:
        view = self.views[mp.new.name]
        column = self.constraint_columns(self.before[mp.new.name], fk)[0]
        return any(k.columns[0] == column for k in (*view.uniques, *view.indexes)) or \
            column == view.primary_key.column

    def add_item(self, mp: ModelPair, name: str) -> str:
        after = self.after[mp.new.name]
        table = self.q(mp.new.table)
        if name in after.indexes:
            return sql(self.new_b, after.indexes[name]) + ";"
        return self.say("add constraint", table=table,
                        definition=sql(self.new_b, after.constraints[name][1]))

    def renames(self, pairs: list[tuple[str, str]], statement) -> list[str]:
        """Rename old -> new for each pair that differs, in an order where every target name
        is free when it is taken; a cycle goes through a temporary name."""
        todo = {old: new for old, new in pairs if old != new}
        out = []
        while todo:
            busy = set(todo)
            free = next((old for old, new in todo.items() if new not in busy), None)
            if free is None:  # a cycle: park one under a temporary name
                old = next(iter(todo))
                self.temporary += 1
                parked = TEMPORARY.format(n=self.temporary)
                out.append(statement(old, parked))
                todo[parked] = todo.pop(old)
                continue
            out.append(statement(free, todo.pop(free)))
        return out

    # -- columns -----------------------------------------------------------------------------

    def columns(self, mp: ModelPair) -> list[str]:
        table = self.q(mp.new.table)
        out = [self.say("drop column", table=table, name=self.q(fp.old.column))
               for fp in mp.fields if fp.new is None]
        out += self.renames([(fp.old.column, fp.new.column) for fp in mp.fields
                             if fp.old and fp.new],
                            lambda old, new: self.say("rename column", table=table,
                                                      name=self.q(old), to=self.q(new)))
        if mp.old.pk_constraint != mp.new.pk_constraint and "rename pk" in self.templates:
            out.append(self.say("rename pk", table=table, name=self.q(mp.old.pk_constraint),
                                to=self.q(mp.new.pk_constraint)))
        view = self.views[mp.new.name]
        previous = None
        for fp in mp.fields:
            if fp.new is None:
                continue
            if fp.old is None:
                out.append(self.add_column(table, fp.new, previous))
            else:
                old = next(f for f in view.fields if f.name == fp.old.name)
                out += self.alter_column(table, old, fp.new)
            previous = fp.new
        return out

    def add_column(self, table: str, f: Field, previous: Field | None) -> str:
        definition = sql(self.new_b, self.new_b.column(f))
        position = f"AFTER {self.q(previous.column)}" if previous else "FIRST"
        return self.say("add column", table=table, definition=definition, position=position)

    def default_sql(self, builder, f: Field) -> str | None:
        value = builder.default(f)
        return None if value is None else sql(builder, value)

    def alter_column(self, table: str, old: Field, new: Field) -> list[str]:
        name = self.q(new.column)
        out = []
        default = self.default_sql(self.new_b, new)
        if old.nullable and not new.nullable and default is not None:
            out.append(self.say("backfill", table=table, name=name, value=default))
        if self.dialect == "mysql":
            before = sql(self.old_b, self.old_b.column(old))
            after = sql(self.new_b, self.new_b.column(new))
            if before != after:
                out.append(self.say("modify", table=table, definition=after))
            return out
        old_type = sql(self.old_b, self.old_b.column_type(old))
        new_type = sql(self.new_b, self.new_b.column_type(new))
        old_default = self.default_sql(self.old_b, old)
        if old_type != new_type:
            if old_default is not None:  # the old default may not cast: set again below
                out.append(self.say("drop default", table=table, name=name))
                old_default = None
            out.append(self.say("type", table=table, name=name, type=new_type))
        if old_default != default:
            out.append(self.say("drop default", table=table, name=name) if default is None
                       else self.say("set default", table=table, name=name, value=default))
        if old.nullable and not new.nullable:
            out.append(self.say("set not null", table=table, name=name))
        elif new.nullable and not old.nullable:
            out.append(self.say("drop not null", table=table, name=name))
        if old.description != new.description:
            out.append(self.say("comment column", table=table, name=name,
                                value=self.comment(new.description)))
        return out

    def comment(self, text: str | None) -> str:
        if text is None:
            return "NULL"
        return sql(self.new_b, self.new_b._comment_text(text))

    def comments(self, mp: ModelPair) -> list[str]:
        if mp.old.description == mp.new.description or "comment table" not in self.templates:
            return []
        value = self.comment(mp.new.description)
        if self.dialect == "mysql" and mp.new.description is None:
            value = "''"
        return [self.say("comment table", table=self.q(mp.new.table), value=value)]

    def create_table(self, model: Model) -> list[str]:
        b = self.new_b
        out = [b.table_sql(b.create_table(model)) + ";"]
        out += b.comment_statements(model)
        out += [sql(b, i) + ";" for i in b.create_indexes(model)]
        triggers = b.updated_at_triggers(model)
        if triggers and b.updated_at_function():
            out.append(b.updated_at_function())
        return out + triggers
