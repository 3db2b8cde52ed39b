"""The generated TypeScript handlers (`vigilo-gen ts-handlers`) served by a plain Node HTTP
server (tools/node/serve-handlers.mjs) on a free 127.0.0.1 port: the Drizzle schema, the Zod
schemas and the handlers are generated into a work folder, the database gets the schema of
`vigilo-gen sql` (as a deployment would create it), and the server is started, waited for
(its `listening on` line, then `GET /healthz`) and stopped by its own pid, like
tests/contract/server.py does for `vigilo-gen serve`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from .server import TOKENS, free_port

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


class NodeHandlersProcess:
    def __init__(self, handlers: Path, dialect: str, db: str, workdir: Path | None = None,
                 timeout: float = 60.0, orm: str = "drizzle"):
        self.handlers = handlers
        self.orm = orm
        self.dialect = dialect
        self.db = db
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="vigilo-node-"))
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log_path = self.workdir / f"node-{os.getpid()}-{id(self)}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> NodeHandlersProcess:
        node = shutil.which("node")
        if node is None:
            raise FileNotFoundError("node")
        for _attempt in range(3):
            self.port = free_port()
            command = [node, str(NODE_TOOLS / "serve-handlers.mjs"), "--handlers",
                       str(self.handlers), "--dialect", self.dialect, "--db", self.db,
                       "--port", str(self.port), "--orm", self.orm]
            if self.orm == "prisma":
                command += ["--client", str(self.handlers.parent / "generated" / "prisma" /
                                            "client.ts")]
            env = {**os.environ, "VIGILO_TOKENS": ",".join(f"{t}={o}"
                                                             for t, o in TOKENS.items())}
            log = self.log_path.open("ab")
            start = log.tell()
            self.proc = subprocess.Popen(command, cwd=self.workdir, env=env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
            log.close()
            if self._wait_ready(start):
                return self
            self.stop()
            if "eaddrinuse" not in self.log_tail().lower():
                break
        raise RuntimeError(f"the Node handlers server did not become ready:\n{self.log_tail()}")

    def _wait_ready(self, start: int) -> bool:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            text = self.log_path.read_bytes()[start:].decode("utf-8", "replace")
            if "listening on http://" in text:
                try:
                    if httpx.get(self.base_url + "/healthz", timeout=2).status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
            time.sleep(0.05)
        return False

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def __enter__(self) -> NodeHandlersProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
