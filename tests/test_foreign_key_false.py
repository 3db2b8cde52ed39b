"""Relations without a foreign key (``foreignKey: false``, README): the ORMs follow them both
ways, and the database enforces nothing (a row may name a parent that does not exist, and
deleting a parent leaves its children), on PostgreSQL and SQLite, through the generated
SQLAlchemy and Peewee modules of tests/specs/telemetry.yaml."""

from __future__ import annotations

import uuid

import pytest

from tests.conformance.build import peewee_database
from tests.orm_scenario import import_generated
from tests.support import ROOT, generate

SPEC = ROOT / "tests" / "specs" / "telemetry.yaml"
ENGINES = ["postgres", "sqlite"]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_sqlalchemy_follows_relations_the_database_does_not_enforce(fresh_db, engine_name,
                                                                      tmp_path):
    from sqlalchemy import select
    from sqlalchemy.orm import Session as OrmSession

    db = fresh_db(engine_name)
    db.execute_script(generate("sql", SPEC, tmp_path / "schema.sql", "--dialect",
                               "postgres" if engine_name == "postgres" else "sqlite"))
    generate("sqlalchemy", SPEC, tmp_path / "models.py")
    m = import_generated(tmp_path / "models.py")
    engine = db.sqlalchemy_engine()
    with OrmSession(engine) as orm:
        site = m.Site(domain="example.org")  # the database makes its uuid
        visit = m.Session(id=uuid.uuid4(), site=site)
        root = m.Event(id=1, session=visit, site=site, lambda_="view")
        child = m.Event(id=2, session=visit, site=site, lambda_="click", parent=root)
        orm.add_all([site, visit, root, child])
        orm.commit()
        orm.expire_all()
        child = orm.get(m.Event, 2)
        assert child.parent.lambda_ == "view"
        assert [e.id for e in child.parent.children] == [2]
        assert sorted(e.id for e in orm.get(m.Site, site.id).events) == [1, 2]
        assert orm.scalars(select(m.Session).join(m.Session.site)).one().id == visit.id
        # No FOREIGN KEY: a row may name a site that does not exist...
        orphan = m.Session(id=uuid.uuid4(), site_id=uuid.uuid4())
        orm.add(orphan)
        orm.commit()
        assert orm.get(m.Session, orphan.id).site is None
        # ...and deleting a site leaves the rows that name it.
        orm.delete(orm.get(m.Site, site.id))
        orm.commit()
        assert orm.get(m.Session, visit.id).site_id == site.id


@pytest.mark.parametrize("engine_name", ENGINES)
def test_peewee_follows_relations_the_database_does_not_enforce(fresh_db, engine_name,
                                                                  tmp_path):
    db = fresh_db(engine_name)
    generate("peewee", SPEC, tmp_path / "models_peewee.py")
    m = import_generated(tmp_path / "models_peewee.py")
    database = peewee_database(db)
    m.database.initialize(database)
    try:
        database.create_tables(m.MODELS)
        site = m.Site.create(domain="example.org")  # the key: a uuid4 from peewee
        visit = m.Session.create(id=uuid.uuid4(), site=site)
        root = m.Event.create(session=visit, site=site, lambda_="view")
        m.Event.create(session=visit, site=site, lambda_="click", parent=root)
        assert [e.lambda_ for e in root.children] == ["click"]
        joined = m.Event.select().join(m.Session).where(m.Session.id == visit.id)
        assert joined.count() == 2
        assert sorted(e.lambda_ for e in m.Site.get_by_id(site.id).events) == ["click", "view"]
        # No FOREIGN KEY: a row may name a site that does not exist, and deleting a site
        # leaves the rows that name it.
        m.Session.insert(id=uuid.uuid4(), site=uuid.uuid4()).execute()
        m.Site.delete().where(m.Site.id == site.id).execute()
        assert m.Session.select().count() == 2
    finally:
        database.close()


MIXED = """\
version: 1
models:
  Site:
    fields:
      id: {type: uuid, primaryKey: true}
  Page:
    fields:
      id: {type: int, primaryKey: true, default: autoincrement}
      siteId: {type: ref, to: Site, foreignKey: false}
      parentId: {type: ref, to: Page, nullable: true}
"""


def test_prisma_keeps_every_foreign_key_when_some_relations_have_none(fresh_db, tmp_path):
    """README: Prisma's relationMode is the datasource's, not a relation's. With one relation
    with a foreign key and one without, the schema keeps relationMode "foreignKeys", its header
    names the foreign key the other targets leave out, and Prisma's own engine creates it."""
    from tests.conformance.build import node_tool
    from tests.conformance.reflect import describe

    spec = tmp_path / "mixed.yaml"
    spec.write_text(MIXED, encoding="utf-8")
    schema = generate("prisma", spec, tmp_path / "prisma" / "schema.prisma")
    assert "relationMode =" not in schema
    header = " ".join(line.removeprefix("// ") for line in schema.splitlines()
                      if line.startswith("//"))
    assert "the other targets leave out (foreignKey: false): page_site_id_fkey." in header
    db = fresh_db("postgres")
    result = node_tool("prisma-apply.mjs", "--schema", str(tmp_path / "prisma" / "schema.prisma"),
                       "--url", db.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(describe(db)["page"]["foreign keys"]) == ["parent_id", "site_id"]
    ours = fresh_db("postgres", "mixed_sql")
    ours.execute_script(generate("sql", spec, tmp_path / "schema.sql", "--dialect", "postgres"))
    assert sorted(describe(ours)["page"]["foreign keys"]) == ["parent_id"]
