"""``vigilo-gen serve``: the spec's endpoints, served by the generated FastAPI router.

Nothing here decides what an endpoint does: the three generated modules (SQLAlchemy models,
Pydantic models, FastAPI router) are rendered from the spec, written to a private package in
a temporary folder and imported, exactly as a user's app would import them. This module only
prepares the database (our own SQL creates the schema, triggers included; an existing schema
that differs stops the server with what differs) and runs uvicorn.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from .errors import UsageError
from .model import Spec

# Short URL schemes users type -> the SQLAlchemy driver the service uses (installed by the
# `serve` extra); the SQL dialect our DDL is rendered in.
DRIVERS = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg",
           "mysql": "mysql+pymysql", "mariadb": "mysql+pymysql"}
SQL_DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres", "mysql": "mysql",
                "mariadb": "mysql"}
DEFAULT_DB = "sqlite:///vigilo.db"


def database_url(url: str | None) -> str:
    url = url or DEFAULT_DB
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise UsageError(f"--db {url!r} is not a database URL (e.g. sqlite:///vigilo.db, "
                         "postgresql://user:pass@127.0.0.1/db)")
    return f"{DRIVERS.get(scheme, scheme)}://{rest}"


def parse_tokens(text: str) -> dict[str, str]:
    """``VIGILO_TOKENS="token=owner,token2=owner2"`` -> {token: owner}."""
    tokens = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        token, sep, owner = item.partition("=")
        if not sep or not token or not owner:
            raise UsageError("VIGILO_TOKENS must read 'token=owner,token2=owner2'")
        tokens[token] = owner
    return tokens


# The generated modules of a spec: (emitter, module name in the served package).
SERVED_MODULES = (("sqlalchemy", "models"), ("pydantic", "schemas"), ("fastapi", "router"),
                  ("openapi", "openapi.json"))


def cache_folder() -> Path:
    """Where generated packages are kept between runs ($XDG_CACHE_HOME/vigilo-gen/serve)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "vigilo-gen" / "serve"


def _code_hash() -> str:
    """What the generated text depends on besides the spec: this package's own code."""
    import hashlib

    from . import __version__

    digest = hashlib.sha256(__version__.encode())
    roots = [Path(__file__).parent, Path(importlib.import_module("vigilo_gen.emitters")
                                         .__file__).parent]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".txt", ".j2") and "__pycache__" not in path.parts:
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def generate_package(spec: Spec, folder: Path) -> str:
    """The spec's models, schemas, router and OpenAPI document as a package in ``folder``
    (made once per spec and vigilo-gen code: later starts reuse it); its name."""
    from .output import write_atomic
    from .registry import load

    name = f"vigilo_served_{spec.source_hash[:12]}_{_code_hash()}"
    package = folder / name
    if (package / "complete").exists():
        return name
    package.mkdir(parents=True, exist_ok=True)
    for emitter, module in SERVED_MODULES:
        chosen = load(emitter)
        target = module if "." in module else f"{module}.py"
        write_atomic(package / target, chosen.run(spec, chosen.make_options()))
    write_atomic(package / "__init__.py", "")
    write_atomic(package / "complete", "")  # last: a package cut short is made again
    return name


def _execute_script(engine: Any, sql: str) -> None:
    """Run our DDL script with the driver's own multi-statement path."""
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "sqlite":
            raw.driver_connection.executescript(sql)
        elif engine.dialect.name == "postgresql":
            with raw.cursor() as cursor:  # no parameters: the simple-query protocol
                cursor.execute(sql)
        else:  # MySQL/MariaDB: our script has no DELIMITER; split at statement ends
            with raw.cursor() as cursor:
                for statement in _statements(sql):
                    cursor.execute(statement)
        raw.commit()
    finally:
        raw.close()


def _statements(sql: str) -> list[str]:
    """Statements of a MySQL script of ours (no procedures: ``;`` at a line end ends one)."""
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    return [s.strip() for s in re.split(r";\s*$", body, flags=re.M) if s.strip()]


# Servers started together on one empty database take turns to create the schema.
_SCHEMA_LOCKS = {
    "postgresql": ("SELECT pg_advisory_lock(7367667)", "SELECT pg_advisory_unlock(7367667)"),
    "mysql": ("SELECT GET_LOCK('vigilo-gen-schema', 60)",
              "SELECT RELEASE_LOCK('vigilo-gen-schema')"),
}


def prepare_database(spec: Spec, engine: Any) -> str:
    """Create the schema when the database has none of the spec's tables; accept it when it
    has them all with their columns; otherwise stop and say what differs."""
    from sqlalchemy.exc import DBAPIError

    lock = _SCHEMA_LOCKS.get(engine.dialect.name)
    if lock is None:
        try:
            return _prepare(spec, engine)
        except DBAPIError:  # SQLite: another server created it meanwhile; look again
            return _prepare(spec, engine)
    with engine.connect() as connection:
        connection.exec_driver_sql(lock[0])
        try:
            return _prepare(spec, engine)
        finally:
            connection.exec_driver_sql(lock[1])
            connection.commit()


def _prepare(spec: Spec, engine: Any) -> str:
    from sqlalchemy import inspect

    from .registry import load

    inspector = inspect(engine)
    present = set(inspector.get_table_names())
    wanted = {model.table: model for model in spec.models}
    if not present & set(wanted):
        dialect = SQL_DIALECTS.get(engine.dialect.name)
        if dialect is None:
            raise UsageError(f"serve has no SQL for {engine.dialect.name} databases")
        sql = load("sql")
        _execute_script(engine, sql.run(spec, sql.make_options(dialect=dialect)))
        return f"created {len(wanted)} tables"
    problems = []
    for table, model in wanted.items():
        if table not in present:
            problems.append(f"table {table} is missing")
            continue
        columns = {c["name"] for c in inspector.get_columns(table)}
        expected = {f.column for f in model.fields}
        for column in sorted(expected - columns):
            problems.append(f"{table}.{column} is missing")
        for column in sorted(columns - expected):
            problems.append(f"{table}.{column} is not in the spec")
    if problems:
        raise UsageError("the database's schema differs from the spec (serve never alters "
                         "it): " + "; ".join(problems))
    return "schema matches the spec"


def build_app(spec: Spec, url: str, tokens: dict[str, str], folder: Path) -> Any:
    """The FastAPI app of the spec over the database at ``url`` (schema prepared)."""
    from sqlalchemy import create_engine


    # A server's connections may be cut by the network or a restart; a file's cannot.
    address = database_url(url)
    engine = create_engine(address, pool_pre_ping=not address.startswith("sqlite"))
    name = generate_package(spec, folder)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    router = importlib.import_module(f"{name}.router")
    app = router.create_app(engine, router.token_verifier(tokens) if tokens else None)
    status = prepare_database(spec, engine)
    document = (folder / name / "openapi.json").read_bytes()

    from fastapi.responses import Response

    @app.get("/openapi.json", include_in_schema=False)
    def _openapi() -> Response:
        return Response(document, media_type="application/json")

    @app.get("/healthz", include_in_schema=False)
    def _health() -> Response:
        return Response(b'{"ok":true}', media_type="application/json")

    app.state.vigilo_status = status
    return app


def serve(spec: Spec, url: str | None, host: str, port: int) -> None:
    try:
        import uvicorn
    except ImportError:
        raise UsageError("serve needs the service extras: pip install 'vigilo-gen[serve]'") \
            from None
    tokens = parse_tokens(os.environ.get("VIGILO_TOKENS", ""))
    try:
        folder = cache_folder()
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # no writable home: generate into a folder of this run
        folder = Path(tempfile.mkdtemp(prefix="vigilo-serve-"))
    app = build_app(spec, url or DEFAULT_DB, tokens, folder)

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            print(f"vigilo-gen serve: {app.state.vigilo_status}; listening on "
                  f"http://{host}:{port}", file=sys.stderr, flush=True)

    config = uvicorn.Config(app, host=host, port=port, log_level="warning",
                            access_log=False, server_header=False)
    Server(config).run()
