"""A `vigilo-gen serve` subprocess on a free 127.0.0.1 port: started, waited for (its
`listening on http://HOST:PORT` line, then `GET /healthz`), and stopped by its own pid."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

# Tokens of the development verifier every served spec gets: two owners and a token of each.
# Owner ids are uuids: a spec may hold them in an id or ref field (shop: User.id, Order.userId).
ALICE, BOB = "a11ce000-0000-4000-8000-00000000a11c", "b0b00000-0000-4000-8000-000000000b0b"
TOKENS = {"tok-alice-7f3a9c": ALICE, "tok-bob-2d8e41": BOB}
OWNER_TOKEN, OTHER_TOKEN = "tok-alice-7f3a9c", "tok-bob-2d8e41"
BAD_TOKEN = "tok-nobody-000000"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    def __init__(self, spec_path: Path, db_url: str | None, workdir: Path | None = None,
                 timeout: float = 60.0):
        self.spec_path = Path(spec_path).resolve()
        self.db_url = db_url
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="vigilo-serve-"))
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log_path = self.workdir / f"serve-{os.getpid()}-{id(self)}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # What the server is called in errors, what its log says when the port was taken, and
    # the line it prints once it listens (then GET /healthz must answer 200).
    what = "vigilo-gen serve"
    port_taken = "address already in use"
    ready_text = "listening on http://"

    def environment(self) -> dict[str, str]:
        return {**os.environ, "VIGILO_TOKENS": ",".join(f"{t}={o}" for t, o in TOKENS.items())}

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "vigilo_gen", "serve", "--spec",
                   str(self.spec_path), "--host", "127.0.0.1", "--port", str(self.port)]
        return command + (["--db", self.db_url] if self.db_url else [])

    def start(self):
        for _attempt in range(3):
            self.port = free_port()
            env = self.environment()
            log = self.log_path.open("ab")
            start = log.tell()
            self.proc = subprocess.Popen(self.command(), cwd=self.workdir, env=env,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
            log.close()
            if self._wait_ready(start):
                return self
            self.stop()
            if self.port_taken not in self.log_tail().lower():
                break
        raise RuntimeError(f"{self.what} did not become ready:\n{self.log_tail()}")

    def _wait_ready(self, start: int) -> bool:
        deadline = time.monotonic() + self.timeout
        announced = False
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if not announced:
                text = self.log_path.read_bytes()[start:].decode("utf-8", "replace")
                announced = self.ready_text in text
            if announced:
                try:
                    reply = httpx.get(self.base_url + "/healthz", timeout=2)
                    if reply.status_code == 200:
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

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
