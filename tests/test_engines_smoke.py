"""Smoke tests for tests/engines.py: every engine starts, gets fresh databases,
runs multi-statement DDL (trigger bodies with ';'), and enforces constraints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import urllib.parse

import pytest

from tests.engines import (
    ENGINE_NAMES,
    EngineStartError,
    EngineUnavailable,
    MariaDBServer,
    PostgresServer,
    engine_unavailable,
    engine_version,
    expect_violation,
    find_postgres_bindir,
    split_mysql_script,
)
from tests.support import missing

# One schema per engine: CHECK, UNIQUE, FK ... ON DELETE CASCADE and an AFTER
# INSERT trigger whose body holds several ';'-terminated statements.
SCRIPTS = {
    "postgres": """
        CREATE TABLE author (
            id integer PRIMARY KEY,
            email varchar(100) NOT NULL UNIQUE,
            age integer CHECK (age >= 0),
            post_count integer NOT NULL DEFAULT 0
        );
        CREATE TABLE post (
            id integer PRIMARY KEY,
            author_id integer NOT NULL REFERENCES author (id) ON DELETE CASCADE,
            title varchar(200) NOT NULL
        );
        CREATE TABLE post_log (post_id integer NOT NULL, note varchar(20) NOT NULL);
        CREATE FUNCTION post_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE author SET post_count = post_count + 1 WHERE id = NEW.author_id;
            INSERT INTO post_log (post_id, note) VALUES (NEW.id, 'a;b');
            RETURN NEW;
        END;
        $$;
        CREATE TRIGGER post_inserted AFTER INSERT ON post
            FOR EACH ROW EXECUTE FUNCTION post_inserted();
    """,
    "mariadb": """
        CREATE TABLE author (
            id integer PRIMARY KEY,
            email varchar(100) NOT NULL UNIQUE,
            age integer CHECK (age >= 0),
            post_count integer NOT NULL DEFAULT 0
        ) ENGINE=InnoDB;
        CREATE TABLE post (
            id integer PRIMARY KEY,
            author_id integer NOT NULL,
            title varchar(200) NOT NULL,
            CONSTRAINT post_author_fk FOREIGN KEY (author_id)
                REFERENCES author (id) ON DELETE CASCADE
        ) ENGINE=InnoDB;
        CREATE TABLE post_log (post_id integer NOT NULL, note varchar(20) NOT NULL) ENGINE=InnoDB;
        CREATE TRIGGER post_inserted AFTER INSERT ON post FOR EACH ROW
        BEGIN
            UPDATE author SET post_count = post_count + 1 WHERE id = NEW.author_id;
            INSERT INTO post_log (post_id, note) VALUES (NEW.id, 'a;b');
        END;
    """,
    "sqlite": """
        CREATE TABLE author (
            id integer PRIMARY KEY,
            email varchar(100) NOT NULL UNIQUE,
            age integer CHECK (age >= 0),
            post_count integer NOT NULL DEFAULT 0
        );
        CREATE TABLE post (
            id integer PRIMARY KEY,
            author_id integer NOT NULL REFERENCES author (id) ON DELETE CASCADE,
            title varchar(200) NOT NULL
        );
        CREATE TABLE post_log (post_id integer NOT NULL, note varchar(20) NOT NULL);
        CREATE TRIGGER post_inserted AFTER INSERT ON post FOR EACH ROW
        BEGIN
            UPDATE author SET post_count = post_count + 1 WHERE id = NEW.author_id;
            INSERT INTO post_log (post_id, note) VALUES (NEW.id, 'a;b');
        END;
    """,
    # DuckDB: no triggers, and FKs cannot CASCADE (see test_duckdb_rejects_cascade)
    "duckdb": """
        CREATE TABLE author (
            id integer PRIMARY KEY,
            email varchar(100) NOT NULL UNIQUE,
            age integer CHECK (age >= 0),
            post_count integer NOT NULL DEFAULT 0
        );
        CREATE TABLE post (
            id integer PRIMARY KEY,
            author_id integer NOT NULL REFERENCES author (id),
            title varchar(200) NOT NULL
        );
        CREATE TABLE post_log (post_id integer NOT NULL, note varchar(20) NOT NULL);
    """,
}

HAS_TRIGGER = {"postgres", "mariadb", "sqlite"}
HAS_CASCADE = {"postgres", "mariadb", "sqlite"}


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_script_and_constraints(fresh_db, engine_name):
    db = fresh_db(engine_name)
    assert db.table_names() == set()
    db.execute_script(SCRIPTS[engine_name])
    assert db.table_names() == {"author", "post", "post_log"}

    db.execute("INSERT INTO author (id, email, age) VALUES (1, 'ann@example.com', 30)")
    db.execute("INSERT INTO author (id, email, age) VALUES (2, 'bob@example.com', 40)")
    with expect_violation("check"):
        db.execute("INSERT INTO author (id, email, age) VALUES (3, 'cat@example.com', -1)")
    with expect_violation("unique"):
        db.execute("INSERT INTO author (id, email, age) VALUES (4, 'ann@example.com', 5)")
    with expect_violation("unique"):  # primary key
        db.execute("INSERT INTO author (id, email, age) VALUES (1, 'dan@example.com', 5)")
    with expect_violation("not_null"):
        db.execute("INSERT INTO author (id, email, age) VALUES (5, NULL, 5)")
    with expect_violation("foreign_key"):
        db.execute("INSERT INTO post (id, author_id, title) VALUES (99, 99, 'orphan')")
    assert db.scalar("SELECT count(*) FROM author") == 2

    ph = db.placeholder
    for post_id, author_id in [(10, 1), (11, 1), (20, 2)]:
        db.execute(
            f"INSERT INTO post (id, author_id, title) VALUES ({ph}, {ph}, {ph})",
            (post_id, author_id, f"post {post_id}"),
        )

    if engine_name in HAS_TRIGGER:
        assert db.execute("SELECT id, post_count FROM author ORDER BY id") == [(1, 2), (2, 1)]
        assert db.execute("SELECT post_id, note FROM post_log ORDER BY post_id") == [
            (10, "a;b"),
            (11, "a;b"),
            (20, "a;b"),
        ]

    if engine_name in HAS_CASCADE:
        db.execute("DELETE FROM author WHERE id = 1")
        assert db.execute("SELECT id FROM post ORDER BY id") == [(20,)]
    else:  # plain FK: the parent cannot go while children exist
        with expect_violation("foreign_key"):
            db.execute("DELETE FROM author WHERE id = 1")
        assert db.execute("SELECT id FROM post ORDER BY id") == [(10,), (11,), (20,)]


def test_duckdb_rejects_cascade(fresh_db):
    """Canary: if DuckDB ever accepts ON DELETE CASCADE, the DDL emitter may use it."""
    import duckdb

    db = fresh_db("duckdb")
    with pytest.raises(duckdb.Error, match="CASCADE"):
        db.execute_script("""
            CREATE TABLE a (id integer PRIMARY KEY);
            CREATE TABLE b (a_id integer REFERENCES a (id) ON DELETE CASCADE);
        """)


MARIADB_DELIMITER_SCRIPT = """
-- mysql CLI style, as mysqldump writes it
CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
CREATE TABLE t_log (id int, msg varchar(50));
DELIMITER //
CREATE TRIGGER t_ins AFTER INSERT ON t FOR EACH ROW
BEGIN
    INSERT INTO t_log VALUES (NEW.id, 'it''s; "quoted" // not a delimiter');
    INSERT INTO t_log VALUES (NEW.id, 'second');
END//
DELIMITER ;
INSERT INTO t (id) VALUES (1);
"""


def test_mariadb_delimiter_script(fresh_db):
    db = fresh_db("mariadb")
    db.execute_script(MARIADB_DELIMITER_SCRIPT)
    assert db.execute("SELECT msg FROM t_log ORDER BY msg") == [
        ('it\'s; "quoted" // not a delimiter',),
        ("second",),
    ]


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_script_errors_surface(fresh_db, engine_name):
    """An error in a later statement of a script is raised, not swallowed."""
    db = fresh_db(engine_name)
    with pytest.raises(Exception, match=r"(?i)exist"):
        db.execute_script(
            "CREATE TABLE a (id integer);\n"
            "CREATE TABLE b (id integer);\n"
            "CREATE TABLE a (id integer);"
        )


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_fresh_databases_are_isolated_and_dropped(get_engine, engine_name):
    engine = get_engine(engine_name)
    one = engine.create_database("iso one")
    two = engine.create_database("iso two")
    try:
        assert one.name != two.name
        one.execute("CREATE TABLE only_here (id integer)")
        assert one.table_names() == {"only_here"}
        assert two.table_names() == set()
    finally:
        two.drop()
        one.drop()
    if engine_name == "postgres":
        admin = engine.server.admin()
        assert (
            admin.execute(
                "SELECT count(*) FROM pg_database WHERE datname = %s", (one.name,)
            ).fetchone()[0]
            == 0
        )
    elif engine_name == "mariadb":
        with engine.server.admin().cursor() as cur:
            cur.execute("SHOW DATABASES LIKE %s", (one.name,))
            assert cur.fetchall() == ()
    else:
        assert not one.path.exists()


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_urls_and_sqlalchemy(fresh_db, engine_name):
    db = fresh_db(engine_name)
    expected_prefix = {
        "postgres": "postgresql+psycopg://",
        "mariadb": "mysql+pymysql://",
        "sqlite": "sqlite:///",
        "duckdb": "",
    }[engine_name]
    assert db.sqlalchemy_url.startswith(expected_prefix)
    assert db.env()["DATABASE_URL"] == db.url
    if engine_name == "duckdb":
        from tests.engines import DuckDBEngine

        if not DuckDBEngine.has_sqlalchemy_dialect():
            assert db.sqlalchemy_url == str(db.path)
            assert db.path.exists()
            return
    import sqlalchemy as sa

    eng = db.sqlalchemy_engine()
    with eng.begin() as conn:
        conn.execute(sa.text("CREATE TABLE p (id integer PRIMARY KEY)"))
        conn.execute(
            sa.text(
                "CREATE TABLE c (id integer PRIMARY KEY, p_id integer,"
                " FOREIGN KEY (p_id) REFERENCES p (id))"
            )
        )
    with expect_violation("foreign_key"), eng.begin() as conn:  # FK on even for sqlite
        conn.execute(sa.text("INSERT INTO c VALUES (1, 42)"))
    if engine_name in ("postgres", "mariadb"):
        u = urllib.parse.urlsplit(db.url)
        assert u.scheme == {"postgres": "postgres", "mariadb": "mysql"}[engine_name]
        assert (u.hostname, u.port, u.username, u.password, u.path.lstrip("/")) == (
            "127.0.0.1",
            db.port,
            db.user,
            db.password,
            db.database,
        )


def test_postgres_url_works_for_external_client(fresh_db):
    """psql (libpq, like Node's pg) connects with db.url and with db.env()."""
    db = fresh_db("postgres")
    psql = find_postgres_bindir() / "psql"
    if not psql.exists():
        missing(f"psql (in {psql.parent})")
    out = subprocess.run(
        [str(psql), db.url, "-Atc", "SELECT current_database()"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == db.database
    out = subprocess.run(
        [str(psql), "-Atc", "SELECT current_user"],
        env={**os.environ, **db.env()},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == db.user


def test_mariadb_params_work_for_external_client(fresh_db):
    db = fresh_db("mariadb")
    client = shutil.which("mariadb") or shutil.which("mysql")
    if not client:
        missing("the mariadb client (executable 'mariadb' or 'mysql')")
    out = subprocess.run(
        [
            client,
            "--no-defaults",
            "-h",
            db.host,
            "-P",
            str(db.port),
            "-u",
            db.user,
            "-N",
            "-B",
            "-e",
            "SELECT DATABASE(), @@character_set_database",
            db.database,
        ],
        env={**os.environ, **db.env()},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.split() == [db.database, "utf8mb4"]


@pytest.mark.parametrize("server_fixture", ["pg_server", "mariadb_server"])
def test_server_is_private(request, server_fixture):
    server = request.getfixturevalue(server_fixture)
    assert server.running
    assert server.host == "127.0.0.1" and server.port
    assert server.socket_path.exists()
    assert server.socket_path.parent == server.base_dir
    assert server.base_dir.name.startswith("vigilo-")
    assert server.startup_seconds is not None and server.startup_seconds < server.timeout


VERSION_PATTERNS = {
    "postgres": r"PostgreSQL \d+\.\d+",
    "mariadb": r"MariaDB \d+\.\d+\.\d+",
    "sqlite": r"SQLite 3\.\d+\.\d+",
    "duckdb": r"DuckDB \d+\.\d+\.\d+",
}


@pytest.mark.parametrize("engine_name", ENGINE_NAMES)
def test_engine_version(get_engine, engine_name, capsys):
    engine = get_engine(engine_name)
    version = engine_version(engine)
    assert re.fullmatch(VERSION_PATTERNS[engine_name], version), version
    server = getattr(engine, "server", None)
    timing = f" (server start-up {server.startup_seconds:.2f}s)" if server else ""
    with capsys.disabled():
        print(f"\n[engines] {engine_name}: {version}{timing}", end="")


# --- start-up failures, missing engines ---------------------------------------


def _require(cls):
    try:
        cls()._locate()
    except EngineUnavailable as exc:
        engine_unavailable(str(exc))


def test_postgres_start_failure_shows_log():
    _require(PostgresServer)
    server = PostgresServer(extra_settings={"shared_buffers": "not-a-size"})
    with pytest.raises(EngineStartError) as info:
        server.start()
    msg = str(info.value)
    assert "exited during start-up" in msg and "shared_buffers" in msg
    assert not server.base_dir.exists()  # cleaned up
    assert not server.running


def test_mariadb_start_failure_shows_log():
    _require(MariaDBServer)
    server = MariaDBServer(extra_args=["--vigilo-no-such-option=1"])
    with pytest.raises(EngineStartError) as info:
        server.start()
    msg = str(info.value)
    assert "exited during start-up" in msg and "vigilo-no-such-option" in msg
    assert not server.base_dir.exists()


def test_start_timeout_is_bounded():
    _require(PostgresServer)
    server = PostgresServer(timeout=0.01)
    with pytest.raises(EngineStartError, match="did not"):
        server.start()
    assert not server.base_dir.exists()


def test_missing_engine_policy(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        engine_unavailable("postgres: not installed")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        engine_unavailable("postgres: not installed")


def test_missing_binaries_are_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("VIGILO_PG_BINDIR", str(tmp_path))
    with pytest.raises(EngineUnavailable, match="initdb"):
        find_postgres_bindir()
    monkeypatch.setenv("VIGILO_MARIADBD", str(tmp_path / "mariadbd"))
    with pytest.raises(EngineUnavailable, match="mariadbd"):
        MariaDBServer()._locate()


# --- the client-side splitter --------------------------------------------------


TRIGGER = (
    "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.s = 'z'; SET NEW.s = 'w'; END"
)


def test_split_mysql_script():
    script = (
        "-- comment; with semicolon\n"
        "CREATE TABLE a (s varchar(9) DEFAULT ';');  # trailing; comment\n"
        "/* block; comment */ INSERT INTO a VALUES ('x\\';y'), (\"q;\"), (`b;`);\n"
        "DELIMITER $$\n"
        f"{TRIGGER}$$\n"
        "delimiter ;\n"
        "SELECT 1;\n"
        "-- only a comment;\n"
    )
    assert split_mysql_script(script) == [
        "-- comment; with semicolon\nCREATE TABLE a (s varchar(9) DEFAULT ';')",
        "# trailing; comment\n"
        "/* block; comment */ INSERT INTO a VALUES ('x\\';y'), (\"q;\"), (`b;`)",
        TRIGGER,
        "SELECT 1",
    ]
    assert split_mysql_script("  -- nothing\n/* here */ ;;\n") == []
