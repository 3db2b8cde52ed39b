"""Composite foreign keys (``relations:`` on a model, README "Keys"), run on real engines.

The expectations are the README's rules and SQL's: a composite foreign key refuses a row whose
columns name no referenced row (unless one of them is NULL, SQL's MATCH SIMPLE), applies its
ON DELETE / ON UPDATE action to the referencing rows, and the ORMs follow the relation both
ways. The runtimes refuse an endpoint that would follow one, with the endpoint's position.
"""

from __future__ import annotations

import pytest
from vigilo_gen.spec import load_spec

from tests.engines import expect_violation
from tests.migration_support import DIALECT
from tests.orm_scenario import import_generated
from tests.support import ROOT, generate, run_cli

SPEC = ROOT / "tests" / "specs" / "composite.yaml"
ENGINES = ("postgres", "mariadb", "sqlite")


def _ddl(tmp_path, engine_name: str) -> str:
    return generate("sql", SPEC, tmp_path / "schema.sql", "--dialect", DIALECT[engine_name])


def _q(engine_name: str, name: str) -> str:
    return f"`{name}`" if engine_name == "mariadb" else f'"{name}"'


@pytest.mark.engine
@pytest.mark.parametrize("engine_name", ENGINES)
def test_composite_foreign_key_refuses_orphans_and_acts(tmp_path, fresh_db, engine_name):
    db = fresh_db(engine_name)
    db.execute_script(_ddl(tmp_path, engine_name))
    q, p = (lambda n: _q(engine_name, n)), db.placeholder

    def insert(table: str, **values) -> None:
        names = ", ".join(q(c) for c in values)
        db.execute(
            f"INSERT INTO {q(table)} ({names}) VALUES ({', '.join([p] * len(values))})",
            list(values.values()),
        )

    def count(table: str, where: str = "1 = 1", params=()) -> int:
        return db.scalar(f"SELECT COUNT(*) FROM {q(table)} WHERE {where}", list(params))

    insert("branch", code="b1", name="One")
    insert("shelf", branch_code="b1", number=1, tag="t1", bay=1)
    insert("shelf", branch_code="b1", number=2, tag="t2", bay=2)
    # an orphan: (b1, 9) is no shelf, though b1 and 9 each exist somewhere
    with expect_violation("foreign_key"):
        insert("book", id=1, title="orphan", shelf_branch="b1", shelf_number=9)
    with expect_violation("foreign_key"):  # to the composite unique (tag, bay)
        insert("marker", id="m0", tag="t1", bay=2)
    insert(
        "book",
        id=1,
        title="a",
        shelf_branch="b1",
        shelf_number=1,
        return_branch="b1",
        return_number=2,
    )
    insert("book", id=2, title="b", shelf_branch="b1", shelf_number=2)
    insert("marker", id="m1", tag="t2", bay=2)
    insert("marker", id="m2", tag=None, bay=7)  # MATCH SIMPLE: a NULL column checks nothing

    # onUpdate: cascade on Book.shelf: renumbering shelf 1 carries its books along
    db.execute(f"UPDATE {q('shelf')} SET {q('number')} = 5 WHERE {q('number')} = 1")
    assert count("book", f"{q('shelf_number')} = {p}", [5]) == 1
    # deleting shelf 2: its books go (cascade), the return shelf and marker become NULL
    db.execute(f"DELETE FROM {q('shelf')} WHERE {q('number')} = {p}", [2])
    assert count("book") == 1
    assert count("book", f"{q('return_branch')} IS NULL AND {q('return_number')} IS NULL") == 1
    assert (
        count("marker", f"{q('id')} = {p} AND {q('tag')} IS NULL AND {q('bay')} IS NULL", ["m1"])
        == 1
    )


@pytest.mark.engine
@pytest.mark.parametrize("engine_name", ["postgres", "sqlite"])
def test_sqlalchemy_follows_the_relation_both_ways(tmp_path, fresh_db, engine_name):
    from sqlalchemy.orm import Session

    db = fresh_db(engine_name)
    generate("sqlalchemy", SPEC, tmp_path / "models.py")
    models = import_generated(tmp_path / "models.py")
    engine = db.sqlalchemy_engine()
    models.Base.metadata.create_all(engine)
    with Session(engine) as session:
        branch = models.Branch(code="b1", name="One")
        shelf = models.Shelf(branch=branch, number=1, tag="t1", bay=1)
        spare = models.Shelf(branch=branch, number=2, tag="t2", bay=2)
        session.add_all(
            [
                models.Book(title="a", shelf=shelf, return_shelf=spare),
                models.Book(title="b", shelf=shelf),
                models.Marker(id="m1", place=spare),
            ]
        )
        session.commit()
    with Session(engine) as session:
        shelf = session.get(models.Shelf, ("b1", 1))
        assert sorted(b.title for b in shelf.books) == ["a", "b"]
        spare = session.get(models.Shelf, ("b1", 2))
        assert [b.title for b in spare.returns] == ["a"]
        assert [m.id for m in spare.markers] == ["m1"]
        marker = session.get(models.Marker, "m1")
        assert (marker.place.branch_code, marker.place.number) == ("b1", 2)
        # SET NULL (returnShelf's default for a nullable relation, place's own): deleting the
        # spare shelf through the session keeps the book and the marker, their keys NULL.
        session.delete(spare)
        session.commit()
        assert [(b.title, b.return_shelf) for b in session.query(models.Book)
                .order_by(models.Book.title)] == [("a", None), ("b", None)]
        assert session.get(models.Marker, "m1").place is None
        session.delete(shelf)  # cascade="all, delete-orphan" with the database's CASCADE
        session.commit()
        assert [b.title for b in session.query(models.Book)] == []
    engine.dispose()


@pytest.mark.engine
@pytest.mark.parametrize("engine_name", ["postgres", "sqlite"])
def test_peewee_reads_the_relation_both_ways(tmp_path, fresh_db, engine_name):
    import peewee

    db = fresh_db(engine_name)
    generate("peewee", SPEC, tmp_path / "models.py")
    models = import_generated(tmp_path / "models.py")
    params = db.params()
    if engine_name == "sqlite":
        database = peewee.SqliteDatabase(str(params["path"]), pragmas={"foreign_keys": 1})
    else:
        database = peewee.PostgresqlDatabase(
            params["database"],
            user=params["user"],
            password=params["password"],
            host=params["host"],
            port=params["port"],
        )
    database.bind(models.MODELS)
    database.create_tables(models.MODELS)  # depends_on puts shelf before book and marker
    branch = models.Branch.create(code="b1", name="One")
    models.Shelf.create(branch=branch, number=1, tag="t1", bay=1)
    models.Book.create(title="a", shelf_branch="b1", shelf_number=1)
    models.Marker.create(id="m1", tag="t1", bay=1)
    shelf = models.Shelf.get((models.Shelf.branch == "b1") & (models.Shelf.number == 1))
    assert [b.title for b in shelf.books] == ["a"]
    assert [m.id for m in shelf.markers] == ["m1"]
    book = models.Book.get(models.Book.title == "a")
    assert book.shelf.tag == "t1" and book.return_shelf is None
    with expect_violation("foreign_key"), database.atomic():
        models.Book.create(title="orphan", shelf_branch="b1", shelf_number=9)
    database.close()


API_SPEC = """\
version: 1
models:
  Shelf:
    fields:
      branch: {type: string, maxLength: 8}
      number: {type: int}
      label: {type: string, maxLength: 40, nullable: true}
    primaryKey: [branch, number]
  Book:
    fields:
      id: {type: int, primaryKey: true, default: autoincrement}
      shelfBranch: {type: string, maxLength: 8}
      shelfNumber: {type: int}
    relations:
      shelf: {fields: [shelfBranch, shelfNumber], to: Shelf, backref: books}
api:
  basePath: /api
  params: {book: Book.id}
  schemas:
    Book: {object: {id: Book.id, label: Shelf.label}}
  endpoints:
    - {name: book, method: GET, path: '/books/{book}', response: Book, notFound: true}
"""
REFUSAL = (
    "api.yaml:22:7: endpoint book cannot be served: Book.label: the relation shelf "
    "between Book and Shelf is held by several fields (Book: shelfBranch, "
    "shelfNumber), which the runtimes do not follow yet"
)


def test_validate_warns_and_the_runtimes_refuse(tmp_path):
    (tmp_path / "api.yaml").write_text(API_SPEC, encoding="utf-8")
    result = run_cli("validate", "--spec", "api.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"api.yaml:22:7: warning: {REFUSAL.split(': ', 1)[1]}" in result.stderr
    for runtime in (("fastapi",), ("ts-handlers", "--orm", "drizzle")):
        result = run_cli(*runtime, "--spec", "api.yaml", cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert REFUSAL in result.stderr, result.stderr
    # OpenAPI still describes it: the fields are plain columns
    assert run_cli("openapi", "--spec", "api.yaml", cwd=tmp_path).returncode == 0


def test_the_spec_model_resolves_both_sides():
    spec = load_spec(SPEC)
    book, shelf = spec.model("Book"), spec.model("Shelf")
    rel = {r.name: r for r in book.composite_references}["shelf"]
    assert rel.columns == ("shelf_branch", "shelf_number")
    assert rel.target_columns == ("branch_code", "number")
    assert rel.constraint == "book_shelf_branch_shelf_number_fkey"  # Prisma's convention
    assert {r.backref for r in shelf.composite_backrefs} == {"books", "returns", "markers"}
    # README: the referencing columns are indexed like a ref field's
    assert ("shelf_branch", "shelf_number") in {i.columns for i in book.indexes}


def test_without_a_foreign_key_the_orms_still_join(tmp_path, fresh_db):
    """README: `foreignKey: false` keeps the columns and their index, no FOREIGN KEY; the
    SQLAlchemy relationship then joins by primaryjoin, both ways."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import Session

    text = SPEC.read_text(encoding="utf-8").replace(
        "to: Shelf, backref: returns}", "to: Shelf, backref: returns, foreignKey: false}"
    )
    spec_path = tmp_path / "unenforced.yaml"
    spec_path.write_text(text, encoding="utf-8")
    sql = generate("sql", spec_path, tmp_path / "schema.sql", "--dialect", "sqlite")
    assert "book_return_branch_return_number_fkey" not in sql
    assert "book_return_branch_return_number_idx" in sql
    generate("sqlalchemy", spec_path, tmp_path / "models.py")
    models = import_generated(tmp_path / "models.py")
    db = fresh_db("sqlite")
    engine = db.sqlalchemy_engine()
    models.Base.metadata.create_all(engine)
    fks = inspect(engine).get_foreign_keys("book")
    assert [fk["constrained_columns"] for fk in fks] == [["shelf_branch", "shelf_number"]]
    with Session(engine) as session:
        branch = models.Branch(code="b1", name="One")
        shelf = models.Shelf(branch=branch, number=1, tag="t1", bay=1)
        session.add_all([models.Book(title="a", shelf=shelf, return_shelf=shelf)])
        session.commit()
        session.expire_all()
        assert [b.title for b in session.get(models.Shelf, ("b1", 1)).returns] == ["a"]
        book = session.query(models.Book).one()
        assert (book.return_branch, book.return_number) == ("b1", 1)
    engine.dispose()


DRIZZLE_QUERY = """\
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import * as schema from "./schema";

const db = drizzle(new Database(process.argv[2]), { schema });
const shelves = await db.query.shelf.findMany({
  with: { books: true, returns: true, markers: true },
  orderBy: (s, { asc }) => [asc(s.number)],
});
const books = await db.query.book.findMany({
  with: { shelf: true, returnShelf: true },
  orderBy: (b, { asc }) => [asc(b.id)],
});
const markers = await db.query.marker.findMany({ with: { place: true } });
console.log(JSON.stringify({ shelves, books, markers }));
"""


@pytest.mark.node
@pytest.mark.engine
def test_drizzle_relational_queries_follow_it_both_ways(tmp_path, fresh_db):
    """Drizzle's relations() with fields/references arrays: db.query ... with: loads the
    rows on each side, on SQLite through better-sqlite3."""
    import json
    import shutil
    import subprocess

    tools = ROOT / "tools" / "node"
    node = shutil.which("node")
    if node is None or not (tools / "node_modules" / "drizzle-orm").is_dir():
        from tests.support import missing

        missing("node and the npm check tools (npm ci --prefix tools/node)")
    db = fresh_db("sqlite")
    db.execute_script(_ddl(tmp_path, "sqlite"))
    db.execute_script(
        "INSERT INTO branch VALUES ('b1', 'One');"
        "INSERT INTO shelf (branch_code, number, tag, bay) VALUES ('b1', 1, 't1', 1),"
        " ('b1', 2, 't2', 2);"
        "INSERT INTO book (id, title, shelf_branch, shelf_number, return_branch,"
        " return_number) VALUES (1, 'a', 'b1', 1, 'b1', 2), (2, 'b', 'b1', 1, NULL, NULL);"
        "INSERT INTO marker (id, tag, bay) VALUES ('m1', 't2', 2);"
    )
    db.close()
    generate("drizzle", SPEC, tmp_path / "schema.ts", "--dialect", "sqlite")
    (tmp_path / "entry.ts").write_text(DRIZZLE_QUERY, encoding="utf-8")
    # the bundle resolves better-sqlite3 (native, not bundled) from the check tools
    (tmp_path / "node_modules").symlink_to(tools / "node_modules")
    bundled = subprocess.run(
        [
            node,
            str(tools / "bundle.mjs"),
            "entry.ts",
            "out.mjs",
            "--platform",
            "node",
            "--external",
            "better-sqlite3",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bundled.returncode == 0, bundled.stderr
    run = subprocess.run(
        [node, "out.mjs", str(db.params()["path"])],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    first, second = found["shelves"]
    assert [b["title"] for b in first["books"]] == ["a", "b"] and first["returns"] == []
    assert [b["title"] for b in second["returns"]] == ["a"]
    assert [m["id"] for m in second["markers"]] == ["m1"]
    book_a, book_b = found["books"]
    assert (book_a["shelf"]["number"], book_a["returnShelf"]["number"]) == (1, 2)
    assert book_b["returnShelf"] is None
    assert found["markers"][0]["place"]["number"] == 2


PRISMA_QUERY = """\
import { openPrisma } from %(db)s;

const { db, close } = await openPrisma("sqlite", process.argv[2], process.argv[3]);
const shelves = await db.shelf.findMany({
  include: { books: { orderBy: { id: "asc" } }, returns: true, markers: true },
  orderBy: { number: "asc" },
});
const books = await db.book.findMany({
  include: { shelf: true, returnShelf: true },
  orderBy: { id: "asc" },
});
const markers = await db.marker.findMany({ include: { place: true } });
console.log(JSON.stringify({ shelves, books, markers }));
await close();
"""


@pytest.mark.node
@pytest.mark.engine
def test_prisma_client_follows_it_both_ways(tmp_path, fresh_db):
    """Prisma's @relation(fields: [a, b], references: [x, y]) and its back-relation: the
    generated client (prisma-client generator, better-sqlite3 adapter) includes the rows on
    each side."""
    import json
    import shutil
    import subprocess

    from tests.contract.node_server import generate_module

    tools = ROOT / "tools" / "node"
    node = shutil.which("node")
    if node is None or not (tools / "node_modules" / "@prisma" / "client").is_dir():
        from tests.support import missing

        missing("node and the npm check tools (npm ci --prefix tools/node)")
    db = fresh_db("sqlite")
    db.execute_script(_ddl(tmp_path, "sqlite"))
    db.execute_script(
        "INSERT INTO branch VALUES ('b1', 'One');"
        "INSERT INTO shelf (branch_code, number, tag, bay) VALUES ('b1', 1, 't1', 1),"
        " ('b1', 2, 't2', 2);"
        "INSERT INTO book (id, title, shelf_branch, shelf_number, return_branch,"
        " return_number) VALUES (1, 'a', 'b1', 1, 'b1', 2), (2, 'b', 'b1', 1, NULL, NULL);"
        "INSERT INTO marker (id, tag, bay) VALUES ('m1', 't2', 2);"
    )
    db.close()
    work = tmp_path / "prisma-client"
    generate_module(SPEC, work, "prisma", "sqlite")
    (work / "query.mjs").write_text(
        PRISMA_QUERY % {"db": json.dumps((tools / "lib" / "db.mjs").as_uri())}, encoding="utf-8"
    )
    run = subprocess.run(
        [
            node,
            "query.mjs",
            str(db.params()["path"]),
            str(work / "generated" / "prisma" / "client.ts"),
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    first, second = found["shelves"]
    assert [b["title"] for b in first["books"]] == ["a", "b"] and first["returns"] == []
    assert [b["title"] for b in second["returns"]] == ["a"]
    assert [m["id"] for m in second["markers"]] == ["m1"]
    book_a, book_b = found["books"]
    assert (book_a["shelf"]["number"], book_a["returnShelf"]["number"]) == (1, 2)
    assert book_b["returnShelf"] is None
    assert found["markers"][0]["place"]["number"] == 2
