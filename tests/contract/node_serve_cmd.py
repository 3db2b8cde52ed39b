"""``python -m tests.contract.node_serve_cmd --spec S --db URL --host H --port N``: the same
command line as `vigilo-gen serve`, served by the generated TypeScript handlers over Drizzle
(a plain Node server, tools/node/serve-handlers.mjs). For tests that start servers by command
(tests/test_service_concurrency.py through VIGILO_SERVE_CMD): it creates the schema of
`vigilo-gen sql` when the database has none (PostgreSQL: under an advisory lock, so replicas
started together take turns), generates the modules into a fresh folder, and execs Node."""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from .node_server import NODE_TOOLS, generate_module, schema_sql


def create_schema(spec: Path, url: str) -> tuple[str, str]:
    """The dialect and the database as Node opens it; the schema created when absent."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        connection = sqlite3.connect(path)
        try:
            if not connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                      ).fetchall():
                connection.executescript(schema_sql(spec, "sqlite"))
        finally:
            connection.close()
        return "sqlite", path
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(7413)"))
            if not sa.inspect(connection).get_table_names():
                connection.exec_driver_sql(schema_sql(spec, "postgres"))
    finally:
        engine.dispose()
    return "postgres", engine.url.set(drivername="postgresql").render_as_string(
        hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.contract.node_serve_cmd")
    parser.add_argument("--spec", type=Path, required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()
    dialect, database = create_schema(args.spec, args.db)
    handlers = generate_module(args.spec, Path(tempfile.mkdtemp(prefix="vigilo-ts-")),
                               "drizzle", dialect)
    node = shutil.which("node") or "node"
    os.execv(node, [node, str(NODE_TOOLS / "serve-handlers.mjs"), "--handlers", str(handlers),
                    "--dialect", dialect, "--db", database, "--host", args.host,
                    "--port", args.port])


if __name__ == "__main__":
    main()
