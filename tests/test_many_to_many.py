"""``manyToMany`` (README, "Many-to-many"): the ORMs' accessors over a join model, on real
engines, and the promise that the word changes no table.

- SQLAlchemy: ``window.packages.append(package)`` then commit writes the join row, and both
  sides read it back; with every warning an error (SQLAlchemy warns when relationships write
  the same columns without ``overlaps=``).
- Peewee: ``window.packages.add(package)``, ``package.windows``, ``remove``.
- A join model with two refs to one model (``via:``; one of them without a FOREIGN KEY):
  SQLAlchemy joins by the named refs, Peewee says it cannot (its ManyToManyField follows the
  first ref to each side).
- The SQL of every dialect is the same with and without the word, and ``diff`` and
  ``migrate`` see no database change.
"""

from __future__ import annotations

import warnings

import pytest
import yaml

from tests.conformance.build import peewee_database
from tests.orm_scenario import import_generated
from tests.support import ROOT, generate, run_cli

SPEC = ROOT / "tests" / "specs" / "keys.yaml"
ENGINES = ["sqlite", "postgres", "mariadb"]
SQL_DIALECT = {"sqlite": "sqlite", "postgres": "postgres", "mariadb": "mysql"}

FOLLOWS = """\
version: 1
models:
  Person:
    fields:
      id: {type: int, primaryKey: true, default: autoincrement}
      name: {type: string, maxLength: 40}
    manyToMany:
      follows: {through: Follow, via: [followerId, followeeId], backref: followers}
  Follow:
    fields:
      followerId: {type: ref, to: Person, relation: follower, backref: following}
      followeeId: {type: ref, to: Person, relation: followee, backref: followedBy,
                   foreignKey: false}
    primaryKey: [followerId, followeeId]
"""


def _shelved(db) -> list[tuple]:
    from sqlalchemy import text

    with db.sqlalchemy_engine().connect() as connection:
        return sorted(tuple(row) for row in connection.execute(
            text("SELECT window_no, package_isbn FROM shelving")))


@pytest.mark.parametrize("engine_name", ENGINES)
def test_sqlalchemy_secondary_writes_and_reads_the_join_rows(fresh_db, engine_name, tmp_path):
    from sqlalchemy.orm import Session, configure_mappers

    db = fresh_db(engine_name)
    db.execute_script(generate("sql", SPEC, tmp_path / "schema.sql", "--dialect",
                               SQL_DIALECT[engine_name]))
    generate("sqlalchemy", SPEC, tmp_path / "models.py")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overlap SQLAlchemy would warn about fails here
        m = import_generated(tmp_path / "models.py")
        configure_mappers()
        with Session(db.sqlalchemy_engine()) as orm:
            group = m.Group(name="north")
            first = m.Window(group=group)
            second = m.Window(group=group)
            dune, emma = m.Package(isbn="9780441013593"), m.Package(isbn="9780141439587")
            orm.add_all([first, second, dune, emma])
            first.packages.append(dune)
            first.packages.append(emma)
            emma.windows.append(second)  # from the other side
            orm.commit()
            numbers = first.number, second.number
            assert _shelved(db) == sorted([(numbers[0], dune.isbn), (numbers[0], emma.isbn),
                                           (numbers[1], emma.isbn)])
            orm.expire_all()
            assert sorted(p.isbn for p in orm.get(m.Window, numbers[0]).packages) == \
                sorted([dune.isbn, emma.isbn])
            assert sorted(w.number for w in orm.get(m.Package, emma.isbn).windows) == \
                sorted(numbers)
            # The join model's own relations see the same rows.
            assert len(orm.get(m.Package, emma.isbn).shelvings) == 2
            orm.get(m.Window, numbers[0]).packages.remove(orm.get(m.Package, dune.isbn))
            orm.commit()
            assert _shelved(db) == sorted([(numbers[0], emma.isbn), (numbers[1], emma.isbn)])


@pytest.mark.parametrize("engine_name", ENGINES)
def test_peewee_many_to_many_field_adds_reads_and_removes(fresh_db, engine_name, tmp_path):
    db = fresh_db(engine_name)
    generate("peewee", SPEC, tmp_path / "models_peewee.py")
    m = import_generated(tmp_path / "models_peewee.py")
    database = peewee_database(db)
    m.database.initialize(database)
    try:
        database.create_tables(m.MODELS)
        group = m.Group.create(name="north")
        first, second = m.Window.create(group=group), m.Window.create(group=group)
        dune = m.Package.create(isbn="9780441013593")
        emma = m.Package.create(isbn="9780141439587")
        first.packages.add([dune, emma])
        emma.windows.add(second)  # the backref side
        rows = sorted(m.Shelving.select(m.Shelving.window, m.Shelving.package).tuples())
        assert rows == sorted([(first.number, dune.isbn), (first.number, emma.isbn),
                               (second.number, emma.isbn)])
        assert sorted(p.isbn for p in first.packages) == sorted([dune.isbn, emma.isbn])
        assert sorted(w.number for w in emma.windows) == sorted([first.number, second.number])
        first.packages.remove(dune)
        assert [w.number for w in dune.windows] == []
        assert m.Shelving.select().count() == 2
    finally:
        database.close()


def test_join_model_with_two_refs_to_one_model(fresh_db, tmp_path):
    """``via:`` names which ref is which side: SQLAlchemy's primaryjoin/secondaryjoin follow
    them (``foreign()`` on the ref without a FOREIGN KEY); Peewee's ManyToManyField cannot be
    told, which its module says where the accessor would be."""
    from sqlalchemy.orm import Session, configure_mappers

    spec = tmp_path / "follows.yaml"
    spec.write_text(FOLLOWS, encoding="utf-8")
    db = fresh_db("sqlite")
    db.execute_script(generate("sql", spec, tmp_path / "schema.sql", "--dialect", "sqlite"))
    generate("sqlalchemy", spec, tmp_path / "models.py")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = import_generated(tmp_path / "models.py")
        configure_mappers()
        with Session(db.sqlalchemy_engine()) as orm:
            ada, bob, cy = m.Person(name="ada"), m.Person(name="bob"), m.Person(name="cy")
            orm.add_all([ada, bob, cy])
            ada.follows.extend([bob, cy])
            cy.followers.append(bob)
            orm.commit()
            ids = {p.name: p.id for p in (ada, bob, cy)}
            orm.expire_all()
            rows = sorted((f.follower_id, f.followee_id) for f in orm.query(m.Follow))
            assert rows == sorted([(ids["ada"], ids["bob"]), (ids["ada"], ids["cy"]),
                                   (ids["bob"], ids["cy"])])
            assert sorted(p.name for p in orm.get(m.Person, ids["cy"]).followers) == \
                ["ada", "bob"]
            assert [p.name for p in orm.get(m.Person, ids["bob"]).follows] == ["cy"]
    peewee = generate("peewee", spec, tmp_path / "models_peewee.py")
    assert "ManyToManyField(" not in peewee
    assert ("# Person.follows (many-to-many through Follow): Peewee's ManyToManyField "
            "follows\n# the first ref to each side and Follow has several: use Follow's "
            "relations.") in peewee


def _without_word(tmp_path, source=SPEC):
    """A spec as data, with and without every manyToMany, written to two folders under one
    file name (so that headers name the same spec)."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    assert any("manyToMany" in m for m in data["models"].values())
    paths = []
    for label, keep in (("with", True), ("without", False)):
        copy = yaml.safe_load(source.read_text(encoding="utf-8"))
        if not keep:
            for model in copy["models"].values():
                model.pop("manyToMany", None)
        path = tmp_path / label / source.name
        path.parent.mkdir()
        path.write_text(yaml.safe_dump(copy, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _body(text: str) -> str:
    """The output without its stamp line (the stamp hashes the spec, which differs) and the
    command line naming the spec's folder."""
    return "\n".join(line for line in text.splitlines()
                     if "Stamp: spec" not in line and "Regenerate with:" not in line)


@pytest.mark.parametrize("target", [
    ("sql", "--dialect", "postgres"), ("sql", "--dialect", "mysql"),
    ("sql", "--dialect", "sqlite"), ("sql", "--dialect", "duckdb"),
    ("sql", "--dialect", "tsql"), ("sql", "--dialect", "oracle"),
    ("openapi",), ("pydantic",)], ids=lambda t: "-".join(t[::2]))
def test_sql_openapi_pydantic_are_the_same_with_and_without_the_word(tmp_path, target):
    """README: the word changes no table and no API: byte for byte, but for the stamp."""
    with_word, without = _without_word(tmp_path)
    emitter, *options = target
    assert _body(generate(emitter, with_word, tmp_path / "a.out", *options)) == \
        _body(generate(emitter, without, tmp_path / "b.out", *options))


@pytest.mark.parametrize("spec_name", ["keys", "follows"])
def test_diff_and_migrate_see_no_database_change(tmp_path, spec_name):
    source = SPEC
    if spec_name == "follows":
        source = tmp_path / "follows.yaml"
        source.write_text(FOLLOWS, encoding="utf-8")
    with_word, without = _without_word(tmp_path, source)
    for old, new in ((without, with_word), (with_word, without)):
        result = run_cli("diff", str(old), str(new))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no changes" in result.stdout + result.stderr
        # migrate writes what diff finds: nothing (README: migrating a spec to itself writes
        # nothing, and the word changes no table).
        result = run_cli("migrate", "--from", str(old), "--spec", str(new),
                         "--dialect", "postgres")
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""


TAGS = """\
version: 1
models:
  Post:
    fields:
      id: {type: int, primaryKey: true, default: autoincrement}
  Tag:
    fields:
      id: {type: int, primaryKey: true, default: autoincrement}
  PostTag:
    fields:
      postId: {type: ref, to: Post}
      tagId: {type: ref, to: Tag}
    primaryKey: [postId, tagId]
  Follow:
    fields:
      fromId: {type: ref, to: Post, relation: source, backref: linksOut}
      toId: {type: ref, to: Post, relation: target, backref: linksIn}
    primaryKey: [fromId, toId]
"""


@pytest.mark.parametrize("spec_name", ["tags", "keys"])
def test_import_reads_a_pure_join_table_as_many_to_many(tmp_path, spec_name):
    """README ("manyToMany"): a table of two foreign keys to two other tables' keys, which
    make its whole primary key, is imported with a manyToMany on its first key column's side;
    a join table with a column of its own (keys.yaml's shelving) or a self-join is not."""
    from vigilo_gen.spec import load_spec

    source = tmp_path / "tags.yaml"
    source.write_text(TAGS, encoding="utf-8")
    if spec_name == "keys":
        source = SPEC
    sql = generate("sql", source, tmp_path / "schema.sql", "--dialect", "postgres")
    result = run_cli("import", "sql", str(tmp_path / "schema.sql"), "--dialect", "postgres",
                     "--out", str(tmp_path / "imported.yaml"))
    assert result.returncode == 0, result.stderr
    imported = yaml.safe_load((tmp_path / "imported.yaml").read_text(encoding="utf-8"))
    declared = {name: model["manyToMany"] for name, model in imported["models"].items()
                if "manyToMany" in model}
    if spec_name == "tags":
        assert declared == {"Post": {"tags": {"through": "PostTag"}}}
        spec = load_spec(tmp_path / "imported.yaml")
        assert [m.name for m in spec.model("Tag").many_to_many] == ["posts"]
    else:
        assert declared == {}
    # The same tables: the imported spec's SQL is the SQL it was imported from.
    again = generate("sql", tmp_path / "imported.yaml", tmp_path / "again.sql",
                     "--dialect", "postgres")
    assert _sql_only(again) == _sql_only(sql)


def _sql_only(text: str) -> list[str]:
    """The statements, without the header's comment lines (they name the spec)."""
    return [line for line in text.splitlines() if line and not line.startswith("-- ")]


WEIGHTED = """\
version: 1
models:
  Post:
    fields:
      id: {type: id}
    manyToMany:
      tags: {through: PostTag}
  Tag:
    fields:
      id: {type: id}
  PostTag:
    fields:
      id: {type: id}
      postId: {type: ref, to: Post}
      tagId: {type: ref, to: Tag}
      addedAt: {type: datetime, default: now}
      weight: {type: int}
"""


def test_an_append_takes_the_join_models_defaults_or_is_refused(fresh_db, tmp_path):
    """README: the join row gets the join model's defaults (its id, now); a required column
    without a default makes the database refuse the append, in both ORMs."""
    import peewee
    from sqlalchemy import exc, select
    from sqlalchemy.orm import Session

    spec = tmp_path / "weighted.yaml"
    for text, refused in ((WEIGHTED.replace("weight: {type: int}", "weight: {type: int, "
                                            "default: 1}"), False), (WEIGHTED, True)):
        spec.write_text(text, encoding="utf-8")
        db = fresh_db("sqlite", f"weighted_{refused}")
        db.execute_script(generate("sql", spec, tmp_path / "schema.sql", "--dialect", "sqlite"))
        generate("sqlalchemy", spec, tmp_path / f"models_{refused}.py")
        m = import_generated(tmp_path / f"models_{refused}.py")
        with Session(db.sqlalchemy_engine()) as orm:
            post, tag = m.Post(), m.Tag()
            post.tags.append(tag)
            orm.add(post)
            if refused:
                with pytest.raises(exc.IntegrityError):
                    orm.commit()
            else:
                orm.commit()
                row = orm.scalars(select(m.PostTag)).one()
                assert (len(row.id), row.weight, row.added_at is not None) == (36, 1, True)
        generate("peewee", spec, tmp_path / f"models_peewee_{refused}.py")
        w = import_generated(tmp_path / f"models_peewee_{refused}.py")
        database = peewee_database(db)
        w.database.initialize(database)
        try:
            post, tag = w.Post.create(), w.Tag.create()
            if refused:
                with pytest.raises(peewee.IntegrityError):
                    post.tags.add(tag)
            else:
                post.tags.add(tag)
                row = w.PostTag.get(w.PostTag.tag == tag.id)
                assert (row.weight, row.added_at is not None) == (1, True)
        finally:
            database.close()


CREDITS = """\
version: 1
models:
  Person:
    fields:
      id: {type: int, primaryKey: true, default: autoincrement}
  Movie:
    fields:
      id: {type: int, primaryKey: true, default: autoincrement}
    manyToMany:
      actors: {through: Credit, via: [movieId, actorId], backref: actedIn}
      directors: {through: Credit, via: [movieId, directorId], backref: directed}
  Credit:
    fields:
      id: {type: int, primaryKey: true, default: autoincrement}
      movieId: {type: ref, to: Movie}
      actorId: {type: ref, to: Person, nullable: true, relation: actor, backref: roles}
      directorId: {type: ref, to: Person, nullable: true, relation: director,
                   backref: directions}
"""


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
def test_two_many_to_many_through_one_join_model(fresh_db, engine_name, tmp_path):
    """Two manyToMany through one join model write the same column (credit.movie_id):
    each names the other in overlaps=, so SQLAlchemy configures them without a warning,
    and each append writes its own join row."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session, configure_mappers

    spec = tmp_path / "credits.yaml"
    spec.write_text(CREDITS, encoding="utf-8")
    db = fresh_db(engine_name)
    db.execute_script(generate("sql", spec, tmp_path / "schema.sql", "--dialect",
                               SQL_DIALECT[engine_name]))
    generate("sqlalchemy", spec, tmp_path / "models.py")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = import_generated(tmp_path / "models.py")
        configure_mappers()
        with Session(db.sqlalchemy_engine()) as orm:
            movie, actor, director = m.Movie(), m.Person(), m.Person()
            movie.actors.append(actor)
            movie.directors.append(director)
            orm.add(movie)
            orm.commit()
            ids = movie.id, actor.id, director.id
            rows = sorted(((c.movie_id, c.actor_id, c.director_id)
                           for c in orm.scalars(select(m.Credit))), key=str)
            assert rows == sorted([(ids[0], ids[1], None), (ids[0], None, ids[2])], key=str)
            orm.expire_all()
            assert [p.id for p in orm.get(m.Movie, ids[0]).directors] == [ids[2]]
            assert [mv.id for mv in orm.get(m.Person, ids[1]).acted_in] == [ids[0]]
            assert orm.get(m.Person, ids[1]).directed == []
