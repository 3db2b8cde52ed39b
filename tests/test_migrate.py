"""``vigilo-gen migrate``: hand-written cases, one per complaint of issue 17, on PostgreSQL,
MariaDB and SQLite. Each builds the old spec with our SQL, fills it, migrates it, and requires
the result to equal a fresh build of the new spec with every kept value kept
(tests/migration_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from vigilo_gen.diff import diff
from vigilo_gen.migrate import plan_migration
from vigilo_gen.oldspec import load_named

from tests.migration_support import DIALECT, ddl, fill, migrate_and_compare
from tests.support import run_cli

SPECS = Path(__file__).parent / "specs"
SHOP = (SPECS / "shop.yaml").read_text(encoding="utf-8")
ENGINES = ("postgres", "mariadb", "sqlite")
# PostgreSQL cannot place a column: ADD COLUMN appends (docs/migrations.md).
IGNORE = {"postgres": ("column order",), "mariadb": (), "sqlite": ()}


def edited(text: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def specs(tmp_path: Path, old: str, new: str):
    (tmp_path / "old.yaml").write_text(old, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    return (load_named(tmp_path / "old.yaml", "old.yaml"),
            load_named(tmp_path / "new.yaml", "new.yaml"))


RENAMES = [
    ("      bio: {type: text, nullable: true}",
     "      about: {type: text, nullable: true, renamedFrom: bio}"),
    ("  Group:\n", "  Category:\n    renamedFrom: Group\n"),
    ("to: Group,", "to: Category,"), ("to: Group,", "to: Category,"),
    ("email: {type: string, maxLength: 320, unique: true, minLength: 3}",
     "mail: {type: string, maxLength: 320, unique: true, minLength: 3, renamedFrom: email}"),
    ("email: User.email", "email: User.mail"),
]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_renames_keep_their_data(tmp_path, get_engine, engine_name):
    old, new = specs(tmp_path, SHOP, edited(SHOP, *RENAMES))
    script = migrate_and_compare(get_engine(engine_name), old, new,
                                 allow_destructive=False, ignore=IGNORE[engine_name])
    assert "DROP COLUMN" not in script
    if engine_name != "sqlite":
        assert "RENAME COLUMN" in script and "RENAME" in script


EVERYTHING = [
    ("OrderState: [draft, placed, shipped, cancelled]",
     "OrderState: [draft, placed, shipped, cancelled, returned]"),
    ("select: {type: int, default: 0, min: 0, max: 1000}",
     "select: {type: bigint, default: 5, min: 0}"),
    ("      bio: {type: text, nullable: true}\n", ""),
    ("displayName: {type: string, maxLength: 80, nullable: true}",
     "displayName: {type: string, maxLength: 120, default: anonymous}"),
    ("      isAdmin: {type: bool, default: false}",
     "      isAdmin: {type: bool, default: false}\n      age: {type: int, nullable: true}"),
    ("groupId: {type: ref, to: Group, nullable: true, onDelete: setNull}",
     "groupId: {type: ref, to: Group, nullable: true, onDelete: restrict}"),
    ("      - [state, createdAt]\n", ""),
    ("name: {type: string, maxLength: 100}", "name: {type: text}"),
    ("    unique:\n      - [parentId, name]\n", ""),
    ("      createdAt: {type: datetime, default: now}\n\n  Group:",
     "      createdAt: {type: datetime, default: now}\n"
     "      touchedAt: {type: datetime, updatedAt: true}\n\n  Group:"),
    ("      updatedAt: {type: datetime, default: now, updatedAt: true}",
     "      updatedAt: {type: datetime, default: now}"),
    ("userId: {type: ref, to: User, onDelete: cascade,",
     "userId: {type: ref, to: User, onDelete: cascade, nullable: true,"),
    ("      - [groupId]\n", "      - [groupId, state]\n"),
]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_every_kind_of_change_at_once(tmp_path, get_engine, engine_name):
    old, new = specs(tmp_path, SHOP, edited(SHOP, *EVERYTHING))
    migrate_and_compare(get_engine(engine_name), old, new, ignore=IGNORE[engine_name])


@pytest.mark.parametrize("engine_name", ENGINES)
def test_added_and_dropped_tables(tmp_path, get_engine, engine_name):
    blog = (SPECS / "blog.yaml").read_text(encoding="utf-8")
    old, new = specs(tmp_path, SHOP, blog)
    migrate_and_compare(get_engine(engine_name), old, new, ignore=IGNORE[engine_name])
    old, new = specs(tmp_path, blog, SHOP)
    migrate_and_compare(get_engine(engine_name), old, new, ignore=IGNORE[engine_name])


# README: foreignKey: false keeps the column and its index and drops only the constraint;
# diff classifies the toggle as VG153/VG154. The migration drops or adds the constraint (a
# table rebuild on SQLite) and the result equals a fresh build of the new spec.
UNENFORCED = ("groupId: {type: ref, to: Group, nullable: true, onDelete: setNull}",
              "groupId: {type: ref, to: Group, nullable: true, foreignKey: false}")


@pytest.mark.parametrize("engine_name", ENGINES)
def test_foreign_key_dropped_and_added_back(tmp_path, get_engine, engine_name):
    old, new = specs(tmp_path, SHOP, edited(SHOP, UNENFORCED))
    script = migrate_and_compare(get_engine(engine_name), old, new,
                                 allow_destructive=False, ignore=IGNORE[engine_name])
    if engine_name != "sqlite":
        assert "order_group_id_fkey" in script and "ADD" not in script
    old, new = specs(tmp_path, edited(SHOP, UNENFORCED), SHOP)
    script = migrate_and_compare(get_engine(engine_name), old, new,
                                 allow_destructive=False, ignore=IGNORE[engine_name])
    assert "FOREIGN KEY" in script


# The same toggle on a reference with `index: false`: MySQL (InnoDB) makes an index of the
# foreign key's name for it, which outlives the key (MySQL manual, "FOREIGN KEY Constraints":
# an index "is created on the referencing table automatically if it does not exist"). A
# fresh build of the new spec has no index there, so the migration drops that one too.
UNINDEXED = (("groupId: {type: ref, to: Group, nullable: true, onDelete: setNull}",
              "groupId: {type: ref, to: Group, nullable: true, onDelete: setNull, index: false}"),
             ("      - [groupId]\n", ""))
UNINDEXED_UNENFORCED = ("onDelete: setNull, index: false}", "foreignKey: false, index: false}")


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_foreign_key_without_an_index_of_its_own_is_dropped_with_the_engines_index(
        tmp_path, get_engine, engine_name):
    before = edited(SHOP, *UNINDEXED)
    old, new = specs(tmp_path, before, edited(before, UNINDEXED_UNENFORCED))
    script = migrate_and_compare(get_engine(engine_name), old, new,
                                 allow_destructive=False, ignore=IGNORE[engine_name])
    if engine_name == "mariadb":
        assert script.count("order_group_id_fkey") == 2, script  # the key, then its index


# Composite relations (``relations:``): a table holding one is added and dropped, and one of
# its relations comes and goes.
COMPOSITE = (SPECS / "composite.yaml").read_text(encoding="utf-8")
RETURN_SHELF = ("      returnShelf: {fields: [returnBranch, returnNumber], to: Shelf, "
                "backref: returns}\n", "")


# (foreignKey: false first: its rows hold values of real shelves, as the constraint requires)
UNENFORCED_SHELF = ("to: Shelf, backref: returns}", "to: Shelf, backref: returns, "
                    "foreignKey: false}")


@pytest.mark.parametrize("engine_name", ENGINES)
def test_composite_relations_migrate(tmp_path, get_engine, engine_name):
    engine = get_engine(engine_name)
    for old_text, new_text in ((SHOP, COMPOSITE), (COMPOSITE, edited(COMPOSITE, RETURN_SHELF)),
                               (edited(COMPOSITE, UNENFORCED_SHELF), COMPOSITE)):
        old, new = specs(tmp_path, old_text, new_text)
        migrate_and_compare(engine, old, new, ignore=IGNORE[engine_name])


SLOT_AND_BOOKING = """\
version: 1
models:
  Slot:
    primaryKey: [part, code]
    fields:
      part: {type: int}
      code: {type: string, maxLength: 3}
      tag: {type: string, maxLength: 10}
      bay: {type: int}
    unique: [[tag, bay]]
  Booking:
    fields:
      id: {type: id}
      slotTag: {type: string, maxLength: 10}
      slotBay: {type: int}
    relations:
      slot: {fields: [slotTag, slotBay], to: Slot, references: [tag, bay]}
"""
RENAMED_SLOT_ALONE = """\
version: 1
models:
  Place:
    renamedFrom: Slot
    primaryKey: [part, code]
    fields:
      part: {type: int}
      code: {type: string, maxLength: 3}
      tag: {type: string, maxLength: 10}
      bay: {type: int}
    unique: [[tag, bay]]
"""


@pytest.mark.parametrize("engine_name", ENGINES)
def test_dropped_table_goes_before_the_unique_its_foreign_key_needs(tmp_path, get_engine,
                                                                   engine_name):
    """A model dropped while the model it references is renamed (its unique's default name
    changes, so the unique is dropped and added): the dropped table's foreign key needs that
    unique (MariaDB: "Cannot drop index ...: needed in a foreign key constraint"), so the
    table goes first. Found by the migration fuzz."""
    old, new = specs(tmp_path, SLOT_AND_BOOKING, RENAMED_SLOT_ALONE)
    script = migrate_and_compare(get_engine(engine_name), old, new, ignore=IGNORE[engine_name])
    if engine_name != "sqlite":
        assert script.index("DROP TABLE") < script.index("slot_tag_bay_key")


# -- the complaints, one by one -------------------------------------------------------------


def test_sqlite_rebuild_keeps_child_rows_and_every_constraint(tmp_path, sqlite_engine):
    """A parent table rebuilt (a CHECK changes) under ON DELETE CASCADE children: with foreign
    keys on, DROP TABLE of the parent would delete every child row. The rebuild turns them off
    first, keeps the children, and recreates every constraint, index and trigger."""
    old, new = specs(tmp_path, SHOP, edited(SHOP, (
        "email: {type: string, maxLength: 320, unique: true, minLength: 3}",
        "email: {type: string, maxLength: 320, unique: true, minLength: 2}")))
    script = migrate_and_compare(sqlite_engine, old, new, allow_destructive=False)
    lines = script.splitlines()
    assert lines.index("PRAGMA foreign_keys = OFF;") < lines.index("BEGIN;") < \
        lines.index('DROP TABLE "user";') < lines.index("COMMIT;")
    assert "pragma_foreign_key_check" in script
    with sqlite_engine.create_database("cascade") as db:
        db.execute_script(ddl(old, "sqlite"))
        fill(db, old)
        orders = db.scalar('SELECT COUNT(*) FROM "order"')
        assert orders > 0
        db.execute("PRAGMA foreign_keys = ON")
        db.execute_script(script)
        assert db.scalar('SELECT COUNT(*) FROM "order"') == orders
        assert db.scalar("PRAGMA foreign_keys") == 1  # left on, as the script found it


def test_sqlite_rebuild_stops_before_commit_on_a_broken_foreign_key(tmp_path, sqlite_engine):
    """foreign_key_check runs before COMMIT and a violation stops the script: a row whose
    parent is missing (possible while keys were off) leaves the database as it was."""
    old, new = specs(tmp_path, SHOP, edited(SHOP, (
        "email: {type: string, maxLength: 320, unique: true, minLength: 3}",
        "email: {type: string, maxLength: 320, unique: true, minLength: 2}")))
    script = plan_migration(diff(old, new), "sqlite")
    with sqlite_engine.create_database("orphan") as db:
        db.execute_script(ddl(old, "sqlite"))
        fill(db, old)
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute('UPDATE "order" SET "user_id" = ? WHERE "id" = (SELECT MIN("id") FROM "order")',
                   ["no-such-user"])
        with pytest.raises(Exception, match="CHECK constraint failed"):
            db.execute_script(script)
        db.conn.rollback()
        definition = db.scalar("SELECT sql FROM sqlite_master WHERE name = 'user'")
        assert 'LENGTH("email") >= 3' in definition, "the old table must still be there"
        assert db.table_names() == {m.table for m in old.models}


def test_postgres_type_change_casts_with_using(tmp_path, postgres_engine):
    """A text column holding numbers becomes an int: PostgreSQL refuses the change without
    USING (no implicit cast from varchar to integer). Narrowing: --allow-destructive."""
    old_text = edited(SHOP, ("code: {type: string, maxLength: 12, pattern: '^[A-Z]{3}-[0-9]{4,8}$',"
                             " default: ABC-0001}", "code: {type: string, maxLength: 12}"),
                      ("      - [userId, code]\n", "      - [userId, state]\n"))
    new_text = edited(old_text, ("code: {type: string, maxLength: 12}",
                                 "code: {type: int, nullable: true}"))
    old, new = specs(tmp_path, old_text, new_text)
    script = plan_migration(diff(old, new), "postgres", allow_destructive=True)
    assert 'TYPE INT USING CAST("code" AS INT)' in script
    with postgres_engine.create_database("using") as db:
        db.execute_script(ddl(old, "postgres"))
        fill(db, old)
        db.execute('UPDATE "order" SET "code" = \'42\'')
        db.execute_script(script)
        assert {r[0] for r in db.execute('SELECT "code" FROM "order"')} == {42}


def test_enum_value_added_is_a_constraint_swap_not_a_rewrite(tmp_path, postgres_engine):
    """An enum value added replaces the named CHECK; the table is not rewritten (PostgreSQL
    gives a rewritten table a new relfilenode)."""
    old, new = specs(tmp_path, SHOP, edited(SHOP, (
        "OrderState: [draft, placed, shipped, cancelled]",
        "OrderState: [draft, placed, shipped, cancelled, returned]")))
    script = plan_migration(diff(old, new), "postgres")
    body = [line for line in script.splitlines() if line and not line.startswith("--")]
    assert body == ["BEGIN;",
                    'ALTER TABLE "order" DROP CONSTRAINT "order_state_enum_check";',
                    'ALTER TABLE "order" ADD CONSTRAINT "order_state_enum_check" CHECK ("state" '
                    "IN ('draft', 'placed', 'shipped', 'cancelled', 'returned'));",
                    "COMMIT;"]
    with postgres_engine.create_database("enum") as db:
        db.execute_script(ddl(old, "postgres"))
        fill(db, old)
        node = "SELECT relfilenode FROM pg_class WHERE relname = 'order'"
        before = db.scalar(node)
        db.execute_script(script)
        assert db.scalar(node) == before
        db.execute('UPDATE "order" SET "state" = \'returned\'')


@pytest.mark.parametrize("name", sorted(p.stem for p in SPECS.glob("*.yaml")))
@pytest.mark.parametrize("dialect", sorted(set(DIALECT.values())))
def test_migrations_converge(tmp_path, name, dialect):
    """No change, no migration: diff of a spec with itself is empty and migrate writes nothing
    (the same migration never comes back on the next run), for every test spec (keys.yaml's
    ``references:`` foreign key was once dropped and added again)."""
    text = (SPECS / f"{name}.yaml").read_text(encoding="utf-8")
    old, new = specs(tmp_path, text, text)
    result = diff(old, new)
    assert result.changes == ()
    assert plan_migration(result, dialect) == ""


def test_destructive_steps_are_refused_without_the_flag(tmp_path):
    (tmp_path / "old.yaml").write_text(SHOP, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(edited(SHOP, ("      bio: {type: text, nullable: true}\n",
                                                      "")), encoding="utf-8")
    args = ("migrate", "--from", "old.yaml", "--spec", "new.yaml", "--dialect", "postgres")
    refused = run_cli(*args, cwd=tmp_path)
    assert refused.returncode == 1 and refused.stdout == "", refused.stderr
    assert refused.stderr.splitlines()[0].startswith("old.yaml:")
    assert "VG113" in refused.stderr and "--allow-destructive" in refused.stderr
    allowed = run_cli(*args, "--allow-destructive", "--out", "m.sql", cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert 'ALTER TABLE "user" DROP COLUMN "bio";' in (tmp_path / "m.sql").read_text()
    bad = run_cli("migrate", "--from", "old.yaml", "--spec", "new.yaml", "--dialect", "oracle",
                  cwd=tmp_path)
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1, bad.stderr


@pytest.mark.parametrize("engine_name", ENGINES)
def test_alembic_revision_applied_by_alembic(tmp_path, get_engine, engine_name):
    """--format alembic: the same statements as a revision module; Alembic's `upgrade head`
    (foreign keys on, on SQLite, as an application runs it) leaves the database equal to a
    fresh build, every kept value kept."""
    old, new = specs(tmp_path, SHOP, edited(SHOP, *RENAMES[4:], *EVERYTHING))
    migrate_and_compare(get_engine(engine_name), old, new, ignore=IGNORE[engine_name],
                        alembic=tmp_path / "alembic")


def test_descriptions_reach_the_catalogue(tmp_path, postgres_engine):
    """A description changed is a COMMENT ON, as a fresh build writes it."""
    old, new = specs(tmp_path, SHOP, edited(SHOP, (
        "  Group:\n    description: A category tree; each group may have a parent group.",
        "  Group:\n    description: Groups of orders."), (
        "      bio: {type: text, nullable: true}",
        "      bio: {type: text, nullable: true, description: About the user.}")))
    script = plan_migration(diff(old, new), "postgres")
    query = ("SELECT obj_description('\"group\"'::regclass, 'pg_class'), "
             "col_description('\"user\"'::regclass, (SELECT attnum FROM pg_attribute WHERE "
             "attrelid = '\"user\"'::regclass AND attname = 'bio'))")
    comments = []
    for text in (ddl(old, "postgres") + script, ddl(new, "postgres")):
        with postgres_engine.create_database("comments") as db:
            db.execute_script(text)
            comments.append(db.execute(query)[0])
    assert comments[0] == comments[1] == ("Groups of orders.", "About the user.")


# The newer types (README: json, uuid, bytes; a datetime's precision and time zone): built,
# filled with their sample values (a nested document, a uuid, every byte value), migrated.
PLACED = "placedAt: {type: datetime, nullable: true}"
TYPED = edited(SHOP, (PLACED, PLACED + "\n      token: {type: uuid, nullable: true}\n"
                      "      doc: {type: json, nullable: true}\n"
                      "      blob: {type: bytes, nullable: true}\n"
                      "      seenAt: {type: datetime, nullable: true, timezone: false}"))
WIDENED = [
    (PLACED, "placedAt: {type: datetime, nullable: true, precision: 6}"),
    ("token: {type: uuid, nullable: true}", "token: {type: string, maxLength: 36, nullable: true}"),
    ("doc: {type: json, nullable: true}", "doc: {type: text, nullable: true}"),
    ("blob: {type: bytes, nullable: true}", "blob: {type: bytes}"),
    ("seenAt: {type: datetime, nullable: true, timezone: false}",
     "seenAt: {type: datetime, nullable: true, timezone: false, precision: 4}"),
]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_the_newer_types_widen_and_keep_their_values(tmp_path, get_engine, engine_name):
    """Every widening of them is safe (written without --allow-destructive) and keeps every
    value: a uuid becomes its text, a document its JSON text, a datetime gains digits; the
    bytes column made NOT NULL (destructive: VG123) keeps every byte of every row."""
    old, new = specs(tmp_path, TYPED, edited(TYPED, *WIDENED[:3], WIDENED[4]))
    migrate_and_compare(get_engine(engine_name), old, new, allow_destructive=False,
                        ignore=IGNORE[engine_name])
    old, new = specs(tmp_path, TYPED, edited(TYPED, WIDENED[3]))
    assert {c.rule for c in diff(old, new).changes} == {"VG123", "VG301"}
    migrate_and_compare(get_engine(engine_name), old, new, ignore=IGNORE[engine_name])
