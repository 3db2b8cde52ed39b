"""The generated TypeScript handlers (`vigilo-gen ts-handlers`) served by a plain Node HTTP
server (tools/node/serve-handlers.mjs) on a free 127.0.0.1 port: the Drizzle schema, the Zod
schemas and the handlers are generated into a work folder, the database gets the schema of
`vigilo-gen sql` (as a deployment would create it), and the server is started, waited for
(its `listening on` line, then `GET /healthz`) and stopped by its own pid, like
tests/contract/server.py does for `vigilo-gen serve`."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .server import ServeProcess

ROOT = Path(__file__).resolve().parents[2]
NODE_TOOLS = ROOT / "tools" / "node"


def generate_module(spec_path: Path, folder: Path, orm: str, dialect: str) -> Path:
    """schema.ts (Drizzle), schemas.zod.ts and handlers.ts in ``folder``; the handlers."""
    import sys

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "prisma").mkdir(exist_ok=True)
    runs = [("drizzle" if orm == "drizzle" else "prisma",
             "schema.ts" if orm == "drizzle" else "prisma/schema.prisma", ["--dialect", dialect]),
            ("zod", "schemas.zod.ts", []),
            ("ts-handlers", "handlers.ts", ["--orm", orm, "--dialect", dialect,
                                            "--client", "./generated/prisma/client"])]
    for emitter, name, options in runs:
        subprocess.run([sys.executable, "-m", "vigilo_gen", emitter, "--spec", str(spec_path),
                        *options, "--out", str(folder / name)], check=True, capture_output=True,
                       text=True)
    if orm == "prisma":  # the client, generated offline (prisma-client generator)
        env = {**os.environ, "PRISMA_SCHEMA_ENGINE_BINARY": shutil.which("true") or "/bin/true"}
        subprocess.run([shutil.which("node") or "node",
                        str(NODE_TOOLS / "node_modules" / "prisma" / "build" / "index.js"),
                        "generate", "--schema", "prisma/schema.prisma"], cwd=folder, env=env,
                       check=True, capture_output=True, text=True)
    return folder / "handlers.ts"


def schema_sql(spec_path: Path, dialect: str) -> str:
    import sys

    return subprocess.run([sys.executable, "-m", "vigilo_gen", "sql", "--spec", str(spec_path),
                           "--dialect", dialect], check=True, capture_output=True,
                          text=True).stdout


class NodeHandlersProcess(ServeProcess):
    """ServeProcess's start, wait, log and stop, around serve-handlers.mjs."""

    what = "the Node handlers server"
    port_taken = "eaddrinuse"

    def __init__(self, handlers: Path, dialect: str, db: str, workdir: Path | None = None,
                 timeout: float = 60.0, orm: str = "drizzle"):
        super().__init__(handlers, db,
                         Path(workdir or tempfile.mkdtemp(prefix="vigilo-node-")), timeout)
        self.handlers = handlers
        self.orm = orm
        self.dialect = dialect
        self.db = db
        self.log_path = self.workdir / f"node-{os.getpid()}-{id(self)}.log"

    def command(self) -> list[str]:
        node = shutil.which("node")
        if node is None:
            raise FileNotFoundError("node")
        command = [node, str(NODE_TOOLS / "serve-handlers.mjs"), "--handlers",
                   str(self.handlers), "--dialect", self.dialect, "--db", self.db,
                   "--port", str(self.port), "--orm", self.orm]
        if self.orm == "prisma":
            command += ["--client", str(self.handlers.parent / "generated" / "prisma" /
                                        "client.ts")]
        return command
