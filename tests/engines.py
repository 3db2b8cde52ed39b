"""Throwaway database engines for tests: PostgreSQL, MariaDB, SQLite, DuckDB.

Quick use (from any test module; the fixtures are exposed by tests/conftest.py)::

    def test_ddl_runs(fresh_db):
        db = fresh_db("postgres")                  # new empty database, dropped after the test
        db.execute_script(generated_sql)           # multi-statement script, trigger bodies ok
        assert "users" in db.table_names()
        db.execute("INSERT INTO users (id) VALUES (1)")
        with expect_violation("unique"):
            db.execute("INSERT INTO users (id) VALUES (1)")
        db.sqlalchemy_url   # 'postgresql+psycopg://vigilo:...@127.0.0.1:PORT/NAME'
        db.url              # 'postgres://vigilo:...@127.0.0.1:PORT/NAME' (for Node tools)
        db.env()            # DATABASE_URL, PGHOST, PGPORT, ... for subprocesses

    @pytest.mark.parametrize("engine_name", ENGINE_NAMES)
    def test_everywhere(fresh_db, engine_name): ...
    def test_everywhere_too(any_db): ...          # same, as a parametrised fixture

Test modules should import helpers by name only (``from tests.engines import
expect_violation, ENGINE_NAMES``), never ``*``: re-importing the fixture
functions into a test module would define a second copy of each fixture.

Servers
    ``pg_server`` / ``mariadb_server`` are session fixtures. A server is started
    lazily, the first time a test asks for it, in its own temp dir
    (``vigilo-postgres-*`` / ``vigilo-mariadb-*``) on a free 127.0.0.1 port with
    its unix socket inside that dir, and is stopped and deleted at session end
    (with ``atexit`` as a fallback, and a parent-death signal so a killed pytest
    does not leave servers running). Each server has a superuser ``vigilo`` with
    a random password. As root, PostgreSQL runs as the ``postgres`` account and
    MariaDB as ``mysql`` (``--user=root`` if that account does not exist).

    The same machinery works outside pytest::

        with start_postgres() as server:
            db = PostgresEngine(server).create_database("scratch")

Missing engines
    If a server binary (or the duckdb module) is missing the fixture skips the
    test, except when ``CI=true``: then it fails, so CI cannot go green by
    skipping. ``tools/install-engines.sh`` installs what is missing. A server
    that is present but fails to start always fails, with the tail of its log.

Environment knobs
    VIGILO_PG_BINDIR            directory holding initdb/postgres
    VIGILO_MARIADBD             path of mariadbd
    VIGILO_ENGINE_TMPDIR        where the server temp dirs go (default: system tmp)
    VIGILO_ENGINE_START_TIMEOUT seconds to wait for a server (default 60)
    VIGILO_KEEP_ENGINE_DIRS=1   keep server dirs (data, logs) after stopping

Engine quirks worth knowing (checked by tests/test_engines_smoke.py)
    * SQLite enforces foreign keys only with ``PRAGMA foreign_keys=ON``; every
      connection made here (``connect()``, ``sqlalchemy_engine()``) turns it on.
    * DuckDB rejects ``ON DELETE CASCADE`` / ``SET NULL`` (parser error) and has
      no triggers; a plain FK is enforced.
    * pymysql reports a MariaDB CHECK failure (errno 4025) as
      ``OperationalError``, not ``IntegrityError``: use ``is_constraint_violation``
      / ``expect_violation`` instead of catching ``IntegrityError``.
    * ``execute_script`` is atomic only on PostgreSQL (one implicit
      transaction); elsewhere statements before a failing one stay applied.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import pytest

__all__ = [
    # constants / errors
    "ENGINE_NAMES",
    "SERVER_ENGINES",
    "EngineUnavailable",
    "EngineStartError",
    # servers
    "PostgresServer",
    "MariaDBServer",
    "start_postgres",
    "start_mariadb",
    "shared_server",
    "find_postgres_bindir",
    "find_mariadb_binaries",
    "free_port",
    # engines / databases
    "Engine",
    "PostgresEngine",
    "MariaDBEngine",
    "SqliteEngine",
    "DuckDBEngine",
    "Database",
    "engine_version",
    "split_mysql_script",
    "is_constraint_violation",
    "constraint_violation_kind",
    "expect_violation",
    "in_ci",
    "engine_unavailable",
    # pytest fixtures
    "pg_server",
    "mariadb_server",
    "postgres_engine",
    "mariadb_engine",
    "sqlite_engine",
    "duckdb_engine",
    "get_engine",
    "fresh_db",
    "postgres_db",
    "mariadb_db",
    "sqlite_db",
    "duckdb_db",
    "any_db",
]

ENGINE_NAMES: tuple[str, ...] = ("postgres", "mariadb", "sqlite", "duckdb")
SERVER_ENGINES: tuple[str, ...] = ("postgres", "mariadb")

DEFAULT_USER = "vigilo"
HOST = "127.0.0.1"
_SBIN_DIRS = ("/usr/local/sbin", "/usr/sbin", "/sbin")
_LOG_TAIL_LINES = 40


class EngineUnavailable(RuntimeError):
    """The engine's binaries (or Python driver) are not installed."""


class EngineStartError(RuntimeError):
    """The engine is installed but could not be initialised or started."""


# ---------------------------------------------------------------------------
# policy helpers


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def engine_unavailable(reason: str) -> NoReturn:
    """Skip the current test, or fail it when running in CI (CI=true)."""
    if in_ci():
        pytest.fail(
            f"{reason}\n(CI=true: a missing engine is an error, not a skip; "
            "run tools/install-engines.sh)",
            pytrace=False,
        )
    pytest.skip(reason)


def _env_timeout(default: float = 60.0) -> float:
    raw = os.environ.get("VIGILO_ENGINE_START_TIMEOUT")
    try:
        return float(raw) if raw else default
    except ValueError:
        return default


def _keep_dirs() -> bool:
    return os.environ.get("VIGILO_KEEP_ENGINE_DIRS", "").strip().lower() in ("1", "true", "yes")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (servers retry if they lose the race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _which(*names: str, extra_dirs: Sequence[str] = ()) -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), *extra_dirs, *_SBIN_DIRS])
    for name in names:
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def _tail(path: Path, lines: int = _LOG_TAIL_LINES, start: int = 0) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(start)
            data = fh.read().decode("utf-8", "replace")
    except OSError as exc:
        return f"<no log: {exc}>"
    out = data.splitlines()[-lines:]
    return "\n".join("    " + line for line in out) if out else "    <log is empty>"


# ---------------------------------------------------------------------------
# binaries


def find_postgres_bindir() -> Path:
    """Directory holding ``initdb`` and ``postgres`` (server binaries)."""

    def ok(d: Path) -> bool:
        return all(os.access(d / exe, os.X_OK) for exe in ("initdb", "postgres"))

    override = os.environ.get("VIGILO_PG_BINDIR")
    if override:
        if ok(Path(override)):
            return Path(override)
        raise EngineUnavailable(f"VIGILO_PG_BINDIR={override} has no initdb/postgres")

    candidates: list[Path] = []
    pg_config = _which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10
            )
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(Path(out.stdout.strip()))

    def major(p: Path) -> float:
        try:
            return float(p.parent.name)
        except ValueError:
            return -1.0

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=major, reverse=True)
    initdb = _which("initdb")
    if initdb:
        candidates.append(Path(os.path.realpath(initdb)).parent)
    for cand in candidates:
        if ok(cand):
            return cand
    raise EngineUnavailable(
        "PostgreSQL server binaries (initdb, postgres) not found "
        "(looked at pg_config --bindir, /usr/lib/postgresql/*/bin, PATH); "
        "install with tools/install-engines.sh or set VIGILO_PG_BINDIR"
    )


def find_mariadb_binaries() -> tuple[Path, Path]:
    """(mariadbd, mariadb-install-db)."""
    server = os.environ.get("VIGILO_MARIADBD") or _which("mariadbd", "mysqld")
    if not server or not os.access(server, os.X_OK):
        raise EngineUnavailable(
            "MariaDB server (mariadbd) not found; install with tools/install-engines.sh "
            "or set VIGILO_MARIADBD"
        )
    server_dir = str(Path(server).parent)
    basedir_bin = str(Path(server).parent.parent / "bin")
    install = _which("mariadb-install-db", "mysql_install_db", extra_dirs=(basedir_bin, server_dir))
    if not install:
        raise EngineUnavailable("mariadb-install-db not found next to " + server)
    try:
        ver = subprocess.run(
            [server, "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineUnavailable(f"cannot run {server} --version: {exc}") from exc
    if "mariadb" not in ver.lower():
        raise EngineUnavailable(
            f"{server} is not MariaDB ({ver.strip()!r}); only MariaDB is supported"
        )
    return Path(server), Path(install)


# ---------------------------------------------------------------------------
# process helpers


def _account(name: str) -> tuple[int, int] | None:
    import pwd

    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        return None
    return pw.pw_uid, pw.pw_gid


def _chown_tree(path: Path, ids: tuple[int, int] | None) -> None:
    if ids is None:
        return
    uid, gid = ids
    os.chown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for n in dirs + files:
            os.chown(os.path.join(root, n), uid, gid, follow_symlinks=False)


def _child_setup(death_signal: int) -> Callable[[], None] | None:
    """preexec_fn: the server gets `death_signal` if the pytest process dies (Linux)."""
    if (
        not sys.platform.startswith("linux")
        or threading.current_thread() is not threading.main_thread()
    ):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None

    def _setup() -> None:  # runs in the child, after the uid switch
        prctl(1, death_signal, 0, 0, 0)  # PR_SET_PDEATHSIG

    return _setup


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "MYSQL", "MARIADB"))}
    env.update(LC_ALL="C", LANG="C", TZ="UTC")
    return env


# ---------------------------------------------------------------------------
# servers


class _Server:
    """A throwaway database server living in its own temp dir."""

    engine_name: ClassVar[str] = ""
    death_signal: ClassVar[int] = signal.SIGTERM

    def __init__(
        self,
        *,
        timeout: float | None = None,
        extra_args: Sequence[str] = (),
        tmp_root: str | None = None,
        user: str = DEFAULT_USER,
        password: str | None = None,
    ) -> None:
        self.timeout = _env_timeout() if timeout is None else timeout
        self.extra_args = list(extra_args)
        self.tmp_root = tmp_root or os.environ.get("VIGILO_ENGINE_TMPDIR") or None
        self.host = HOST
        self.port: int | None = None
        self.user = user
        self.password = password or secrets.token_hex(12)
        self.base_dir: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.init_seconds: float | None = None
        self.startup_seconds: float | None = None  # init + start, wall clock
        self._lock = threading.RLock()
        self._admin: Any = None
        self._engine: Engine | None = None
        self._stopped = False
        self._service_ids: tuple[int, int] | None = None

    # -- subclass hooks -----------------------------------------------------
    def _locate(self) -> None: ...
    def _init_cluster(self, deadline: float) -> None: ...
    def _server_command(self, port: int) -> list[str]:
        raise NotImplementedError

    def _probe(self) -> None: ...
    def _port_in_use(self, log_text: str) -> bool:
        return "already in use" in log_text.lower()

    def _graceful_stop(self, proc: subprocess.Popen[bytes]) -> None:
        proc.terminate()

    # -- paths --------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        assert self.base_dir is not None
        return self.base_dir / "data"

    @property
    def log_path(self) -> Path:
        assert self.base_dir is not None
        return self.base_dir / "server.log"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- lifecycle ----------------------------------------------------------
    def start(self) -> _Server:
        with self._lock:
            if self.running:
                return self
            self._locate()  # may raise EngineUnavailable, before any side effect
            t0 = time.perf_counter()
            deadline = time.monotonic() + self.timeout
            self.base_dir = Path(
                tempfile.mkdtemp(prefix=f"vigilo-{self.engine_name}-", dir=self.tmp_root)
            )
            self._stopped = False
            atexit.register(self.stop)
            try:
                self._init_cluster(deadline)
                self.init_seconds = time.perf_counter() - t0
                self._spawn_until_ready(deadline)
            except BaseException:
                self.stop()
                raise
            self.startup_seconds = time.perf_counter() - t0
            return self

    def _popen_identity(self) -> dict[str, Any]:
        if self._service_ids is None:
            return {}
        uid, gid = self._service_ids
        return {"user": uid, "group": gid, "extra_groups": []}

    def _run_tool(self, cmd: list[str], log: Path, deadline: float, what: str) -> None:
        remaining = max(deadline - time.monotonic(), 0.1)
        with open(log, "ab") as fh:
            # own process group: on timeout, kill the tool *and* the helper
            # processes it spawned (initdb runs `postgres --boot`, install-db runs mariadbd)
            proc = subprocess.Popen(
                cmd,
                stdout=fh,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=_child_env(),
                cwd=self.base_dir,
                start_new_session=True,
                preexec_fn=_child_setup(signal.SIGKILL),
                **self._popen_identity(),
            )
            try:
                proc.wait(remaining)
            except BaseException as exc:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                if not isinstance(exc, subprocess.TimeoutExpired):
                    raise
                raise EngineStartError(
                    f"{self.engine_name}: {what} did not finish within {self.timeout:.3g}s\n"
                    f"command: {' '.join(cmd)}\nlog {log} (tail):\n{_tail(log)}"
                ) from None
        res = proc
        if res.returncode != 0:
            raise EngineStartError(
                f"{self.engine_name}: {what} failed with exit code {res.returncode}\n"
                f"command: {' '.join(cmd)}\nlog {log} (tail):\n{_tail(log)}"
            )

    def _spawn_until_ready(self, deadline: float) -> None:
        for attempt in range(3):
            port = free_port()
            cmd = self._server_command(port) + self.extra_args
            offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            with open(self.log_path, "ab") as log:
                preexec = _child_setup(self.death_signal)
                self.proc = subprocess.Popen(
                    cmd,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=_child_env(),
                    cwd=self.base_dir,
                    preexec_fn=preexec,
                    start_new_session=preexec is not None,
                    **self._popen_identity(),
                )
            self.port = port
            last_error: Exception | None = None
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    self._probe()
                    return
                except Exception as exc:  # not ready yet
                    last_error = exc
                    time.sleep(0.05)
            else:
                self._kill()
                raise EngineStartError(
                    f"{self.engine_name} did not accept connections on {self.host}:{port} "
                    f"within {self.timeout:.3g}s (last error: {last_error})\n"
                    f"command: {' '.join(cmd)}\nlog {self.log_path} (tail):\n"
                    f"{_tail(self.log_path, start=offset)}"
                )
            code = self.proc.returncode
            log_text = _tail(self.log_path, lines=200, start=offset)
            if self._port_in_use(log_text) and attempt < 2:
                continue  # lost the race for the port, try another one
            raise EngineStartError(
                f"{self.engine_name} exited during start-up with code {code}\n"
                f"command: {' '.join(cmd)}\nlog {self.log_path} (tail):\n"
                f"{_tail(self.log_path, start=offset)}"
            )

    def _kill(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)

    def stop(self) -> None:
        """Stop the server and delete its directory. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            with contextlib.suppress(Exception):
                atexit.unregister(self.stop)
            if self._admin is not None:
                with contextlib.suppress(Exception):
                    self._admin.close()
                self._admin = None
            proc = self.proc
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    self._graceful_stop(proc)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    self._kill()
            if self.base_dir is not None and self.base_dir.exists():
                if _keep_dirs():
                    print(f"[engines] kept {self.engine_name} dir {self.base_dir}", file=sys.stderr)
                else:
                    for _ in range(5):  # a dying helper may still be writing
                        shutil.rmtree(self.base_dir, ignore_errors=True)
                        if not self.base_dir.exists():
                            break
                        time.sleep(0.1)

    def __enter__(self) -> _Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- admin --------------------------------------------------------------
    def _connect_admin(self) -> Any:
        raise NotImplementedError

    def admin(self) -> Any:
        """A shared autocommit connection with superuser rights (to the maintenance db)."""
        with self._lock:
            if (
                self._admin is None
                or getattr(self._admin, "closed", False)
                or not self._admin_alive()
            ):
                self._admin = self._connect_admin()
            return self._admin

    def _admin_alive(self) -> bool:
        return True

    def _make_engine(self) -> Engine:
        raise NotImplementedError

    @property
    def engine(self) -> Engine:
        """The Engine (create_database/version/...) bound to this server."""
        if self._engine is None:
            self._engine = self._make_engine()
        return self._engine

    def version(self) -> str:
        return self.engine.version()

    def params(self, database: str | None = None) -> dict[str, Any]:
        """host/port/user/password/database, e.g. for tools that take discrete parameters."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "database": database,
        }

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<{type(self).__name__} {state} {self.host}:{self.port} dir={self.base_dir}>"


class PostgresServer(_Server):
    engine_name = "postgres"
    death_signal = signal.SIGQUIT  # immediate shutdown, postmaster cleans up its children

    settings: ClassVar[dict[str, str]] = {
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "wal_level": "minimal",
        "max_wal_senders": "0",
        "max_wal_size": "1GB",
        "checkpoint_timeout": "1h",
        "shared_buffers": "32MB",
        "max_connections": "100",
        "jit": "off",
        "huge_pages": "off",
        "timezone": "UTC",
        "log_timezone": "UTC",
    }

    def __init__(self, *, extra_settings: dict[str, str] | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.extra_settings = dict(extra_settings or {})
        self.bindir: Path | None = None

    @property
    def socket_dir(self) -> Path:
        assert self.base_dir is not None
        return self.base_dir

    @property
    def socket_path(self) -> Path:
        return self.socket_dir / f".s.PGSQL.{self.port}"

    def _locate(self) -> None:
        self.bindir = find_postgres_bindir()
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise EngineUnavailable(f"psycopg (v3) is not installed: {exc}") from exc
        if os.geteuid() == 0:
            self._service_ids = _account("postgres") or _account("nobody")
            if self._service_ids is None:
                raise EngineUnavailable(
                    "running as root but no 'postgres'/'nobody' account to run PostgreSQL as"
                )

    def _init_cluster(self, deadline: float) -> None:
        assert self.base_dir is not None and self.bindir is not None
        pwfile = self.base_dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        _chown_tree(self.base_dir, self._service_ids)
        cmd = [
            str(self.bindir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            self.user,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ]
        try:
            self._run_tool(cmd, self.base_dir / "initdb.log", deadline, "initdb")
        finally:
            pwfile.unlink(missing_ok=True)

    def _server_command(self, port: int) -> list[str]:
        assert self.bindir is not None
        settings = {
            **self.settings,
            "listen_addresses": self.host,
            "unix_socket_directories": str(self.socket_dir),
            **self.extra_settings,
        }
        cmd = [str(self.bindir / "postgres"), "-D", str(self.data_dir), "-p", str(port)]
        for k, v in settings.items():
            cmd += ["-c", f"{k}={v}"]
        return cmd

    def _connect(self, dbname: str, **kw: Any) -> Any:
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=dbname,
            sslmode="disable",
            connect_timeout=10,
            **kw,
        )

    def _probe(self) -> None:
        with self._connect("postgres", autocommit=True) as conn:
            conn.execute("SELECT 1")

    def _connect_admin(self) -> Any:
        return self._connect("postgres", autocommit=True)

    def _admin_alive(self) -> bool:
        try:
            self._admin.execute("SELECT 1")
            return True
        except Exception:
            return False

    def _graceful_stop(self, proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGINT)  # "fast" shutdown

    def _make_engine(self) -> Engine:
        return PostgresEngine(self)

    def url(self, database: str = "postgres") -> str:
        return _url("postgres", self.user, self.password, self.host, self.port, database)

    def sqlalchemy_url(self, database: str = "postgres") -> str:
        return _url("postgresql+psycopg", self.user, self.password, self.host, self.port, database)


class MariaDBServer(_Server):
    engine_name = "mariadb"
    death_signal = signal.SIGTERM

    # small and unsafe-but-fast: nothing here needs durability
    fast_options: ClassVar[list[str]] = [
        "--innodb-buffer-pool-size=16M",
        "--innodb-log-file-size=8M",
        "--innodb-log-buffer-size=1M",
        "--innodb-doublewrite=0",
        "--innodb-flush-log-at-trx-commit=0",
        "--innodb-use-native-aio=0",  # io_uring/aio often unavailable in containers
        "--skip-log-bin",
        "--skip-name-resolve",
    ]
    server_options: ClassVar[list[str]] = [
        "--performance-schema=OFF",
        "--skip-external-locking",
        "--loose-feedback=OFF",
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_unicode_ci",
        "--default-time-zone=+00:00",
        "--max-connections=200",
        "--lock-wait-timeout=60",
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.mariadbd: Path | None = None
        self.install_db: Path | None = None
        self._run_as_root = False

    @property
    def socket_dir(self) -> Path:
        assert self.base_dir is not None
        return self.base_dir

    @property
    def socket_path(self) -> Path:
        return self.socket_dir / "mysqld.sock"

    def _locate(self) -> None:
        self.mariadbd, self.install_db = find_mariadb_binaries()
        try:
            import pymysql  # noqa: F401
        except ImportError as exc:
            raise EngineUnavailable(f"pymysql is not installed: {exc}") from exc
        if os.geteuid() == 0:
            self._service_ids = _account("mysql")
            self._run_as_root = self._service_ids is None

    def _user_opt(self) -> list[str]:
        return ["--user=root"] if self._run_as_root else []

    def _init_cluster(self, deadline: float) -> None:
        assert self.base_dir is not None and self.install_db is not None
        (self.base_dir / "tmp").mkdir()
        init_sql = self.base_dir / "init.sql"
        pw = self.password.replace("\\", "\\\\").replace("'", "\\'")
        # Bootstrap runs with grant tables disabled; FLUSH PRIVILEGES loads them
        # so that CREATE USER works. The default root auth (unix_socket for the
        # service account) is kept: no password-less TCP root.
        init_sql.write_text(
            "FLUSH PRIVILEGES;\n"
            f"CREATE USER '{self.user}'@'%' IDENTIFIED BY '{pw}';\n"
            f"GRANT ALL PRIVILEGES ON *.* TO '{self.user}'@'%' WITH GRANT OPTION;\n"
        )
        _chown_tree(self.base_dir, self._service_ids)
        cmd = [
            str(self.install_db),
            "--no-defaults",
            *self._user_opt(),
            f"--datadir={self.data_dir}",
            f"--tmpdir={self.base_dir / 'tmp'}",
            "--skip-test-db",
            f"--extra-file={init_sql}",
            *self.fast_options,
        ]
        try:
            self._run_tool(cmd, self.base_dir / "install-db.log", deadline, "mariadb-install-db")
        finally:
            init_sql.unlink(missing_ok=True)

    def _server_command(self, port: int) -> list[str]:
        assert self.base_dir is not None and self.mariadbd is not None
        return [
            str(self.mariadbd),
            "--no-defaults",
            *self._user_opt(),
            f"--datadir={self.data_dir}",
            f"--tmpdir={self.base_dir / 'tmp'}",
            f"--port={port}",
            f"--bind-address={self.host}",
            f"--socket={self.socket_path}",
            f"--pid-file={self.base_dir / 'mysqld.pid'}",
            *self.fast_options,
            *self.server_options,
        ]

    def _connect(self, database: str | None = None, **kw: Any) -> Any:
        import pymysql

        kw.setdefault("autocommit", True)
        kw.setdefault("charset", "utf8mb4")
        kw.setdefault("connect_timeout", 10)
        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            database=database,
            **kw,
        )

    def _probe(self) -> None:
        conn = self._connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
        finally:
            conn.close()

    def _connect_admin(self) -> Any:
        conn = self._connect()
        with conn.cursor() as cur:
            cur.execute("SET SESSION lock_wait_timeout = 20")
        return conn

    def _admin_alive(self) -> bool:
        try:
            self._admin.ping(reconnect=False)
            return True
        except Exception:
            return False

    def _make_engine(self) -> Engine:
        return MariaDBEngine(self)

    def url(self, database: str = "") -> str:
        return _url("mysql", self.user, self.password, self.host, self.port, database)

    def sqlalchemy_url(self, database: str = "") -> str:
        return (
            _url("mysql+pymysql", self.user, self.password, self.host, self.port, database)
            + "?charset=utf8mb4"
        )


def _url(scheme: str, user: str, password: str, host: str, port: int | None, database: str) -> str:
    q = urllib.parse.quote
    return (
        f"{scheme}://{q(user, safe='')}:{q(password, safe='')}@{host}:{port}/{q(database, safe='')}"
    )


def start_postgres(**kw: Any) -> PostgresServer:
    """Start a throwaway PostgreSQL; caller must .stop() it (or use `with`)."""
    return PostgresServer(**kw).start()  # type: ignore[return-value]


def start_mariadb(**kw: Any) -> MariaDBServer:
    """Start a throwaway MariaDB; caller must .stop() it (or use `with`)."""
    return MariaDBServer(**kw).start()  # type: ignore[return-value]


_SHARED: dict[str, _Server] = {}
_SHARED_LOCK = threading.Lock()


def shared_server(engine_name: str) -> _Server:
    """The process-wide server for `engine_name`, started on first use.

    Raises EngineUnavailable / EngineStartError; the pytest fixtures turn the
    former into skip-or-fail.
    """
    cls = {"postgres": PostgresServer, "mariadb": MariaDBServer}[engine_name]
    with _SHARED_LOCK:
        server = _SHARED.get(engine_name)
        if server is None or not server.running:
            server = cls()
            _SHARED[engine_name] = server
            try:
                server.start()
            except BaseException:
                _SHARED.pop(engine_name, None)
                raise
        return server


# ---------------------------------------------------------------------------
# engines and databases


_SEQ = itertools.count(1)


def _db_name(label: str | None) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", (label or "db").lower()).strip("_")[:36] or "db"
    return f"vg_{base}_{os.getpid() % 100000}_{next(_SEQ)}"


@dataclass(eq=False)
class Database:
    """One fresh database. Connection parameters + helpers."""

    engine: Engine
    name: str
    # for non-Python tools: postgres://..., mysql://..., file:/path (sqlite), /path (duckdb)
    url: str
    sqlalchemy_url: str  # duckdb without duckdb_engine installed: the bare file path
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None
    database: str | None = None  # server-side database name (None for file engines)
    path: Path | None = None  # file engines
    dropped: bool = False
    _connections: list[Any] = field(default_factory=list, repr=False)
    _shared: Any = field(default=None, repr=False)
    _sa_engines: list[Any] = field(default_factory=list, repr=False)

    @property
    def engine_name(self) -> str:
        return self.engine.name

    @property
    def placeholder(self) -> str:
        """DB-API parameter marker: '%s' (postgres, mariadb) or '?' (sqlite, duckdb)."""
        return self.engine.placeholder

    def params(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "database": self.database,
            "path": self.path,
        }

    # -- connections --------------------------------------------------------
    def connect(self, **kw: Any) -> Any:
        """A new DB-API connection (autocommit; SQLite with foreign keys on). Closed at drop."""
        conn = self.engine._connect(self, **kw)
        self._connections.append(conn)
        return conn

    @property
    def connection_factory(self) -> Callable[[], Any]:
        return self.connect

    @property
    def conn(self) -> Any:
        """A shared autocommit connection used by execute()/query()."""
        if self._shared is None:
            self._shared = self.connect()
        return self._shared

    def execute(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """Run one statement on the shared connection; returns fetched rows ([] if none)."""
        cur = self.conn.cursor()
        try:
            if params is None:
                cur.execute(sql)
            else:
                cur.execute(sql, params)
            if cur.description is None:
                return []
            return [tuple(r) for r in cur.fetchall()]
        finally:
            with contextlib.suppress(Exception):
                cur.close()

    query = execute

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        rows = self.execute(sql, params)
        return rows[0][0] if rows else None

    def execute_script(self, sql: str) -> None:
        """Run a multi-statement script (DDL, trigger bodies with ';', ...)."""
        self.engine.execute_script(self, sql)

    def table_names(self) -> set[str]:
        return {r[0] for r in self.execute(self.engine.table_names_sql)}

    def sqlalchemy_engine(self, **kw: Any) -> Any:
        """A SQLAlchemy Engine for this database (disposed at drop)."""
        eng = self.engine._sqlalchemy_engine(self, **kw)
        self._sa_engines.append(eng)
        return eng

    def env(self) -> dict[str, str]:
        """Environment variables for subprocesses (DATABASE_URL + the engine's client vars)."""
        return self.engine._env(self)

    def close(self) -> None:
        """Close every connection/engine handed out (the database stays)."""
        for eng in self._sa_engines:
            with contextlib.suppress(Exception):
                eng.dispose()
        self._sa_engines.clear()
        for conn in reversed(self._connections):
            with contextlib.suppress(Exception):
                conn.close()
        self._connections.clear()
        self._shared = None

    def drop(self) -> None:
        if not self.dropped:
            self.close()
            self.engine.drop_database(self)
            self.dropped = True

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()


class Engine:
    """Creates fresh databases of one kind. name: postgres | mariadb | sqlite | duckdb."""

    name: ClassVar[str]
    placeholder: ClassVar[str] = "%s"
    table_names_sql: ClassVar[str]

    def create_database(self, label: str | None = None) -> Database:
        raise NotImplementedError

    def drop_database(self, db: Database) -> None:
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError

    def execute_script(self, db: Database, sql: str) -> None:
        raise NotImplementedError

    def _connect(self, db: Database, **kw: Any) -> Any:
        raise NotImplementedError

    def _sqlalchemy_engine(self, db: Database, **kw: Any) -> Any:
        from sqlalchemy import create_engine

        return create_engine(db.sqlalchemy_url, **kw)

    def _env(self, db: Database) -> dict[str, str]:
        return {"DATABASE_URL": db.url}

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class PostgresEngine(Engine):
    name = "postgres"
    table_names_sql = (
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self._version_num: int | None = None

    def create_database(self, label: str | None = None) -> Database:
        s = self.server
        name = _db_name(label)
        # template1 of a fresh cluster is pristine; FILE_COPY (PG 15+) is ~10x faster than WAL_LOG
        strategy = " STRATEGY FILE_COPY" if self.server_version_num() >= 150000 else ""
        s.admin().execute(f'CREATE DATABASE "{name}"{strategy}')
        return Database(
            engine=self,
            name=name,
            url=s.url(name),
            sqlalchemy_url=s.sqlalchemy_url(name),
            host=s.host,
            port=s.port,
            user=s.user,
            password=s.password,
            database=name,
        )

    def server_version_num(self) -> int:
        if self._version_num is None:
            self._version_num = int(
                self.server.admin().execute("SHOW server_version_num").fetchone()[0]
            )
        return self._version_num

    def drop_database(self, db: Database) -> None:
        if self.server.running:
            force = " WITH (FORCE)" if self.server_version_num() >= 130000 else ""
            self.server.admin().execute(f'DROP DATABASE IF EXISTS "{db.database}"{force}')

    def version(self) -> str:
        raw = self.server.admin().execute("SHOW server_version").fetchone()[0]
        return "PostgreSQL " + raw.split()[0]

    def _connect(self, db: Database, **kw: Any) -> Any:
        kw.setdefault("autocommit", True)
        return self.server._connect(db.database or "postgres", **kw)

    def execute_script(self, db: Database, sql: str) -> None:
        # Without parameters psycopg uses the simple-query protocol: the whole
        # script is sent at once and runs in one implicit transaction.
        with self._connect(db) as conn:
            conn.execute(sql)

    def _env(self, db: Database) -> dict[str, str]:
        return {
            "DATABASE_URL": db.url,
            "PGHOST": str(db.host),
            "PGPORT": str(db.port),
            "PGUSER": str(db.user),
            "PGPASSWORD": str(db.password),
            "PGDATABASE": str(db.database),
            "PGSSLMODE": "disable",
        }


class MariaDBEngine(Engine):
    name = "mariadb"
    table_names_sql = (
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"
    )

    def __init__(self, server: MariaDBServer) -> None:
        self.server = server

    def create_database(self, label: str | None = None) -> Database:
        s = self.server
        name = _db_name(label)
        with s.admin().cursor() as cur:
            cur.execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        return Database(
            engine=self,
            name=name,
            url=s.url(name),
            sqlalchemy_url=s.sqlalchemy_url(name),
            host=s.host,
            port=s.port,
            user=s.user,
            password=s.password,
            database=name,
        )

    def drop_database(self, db: Database) -> None:
        if not self.server.running:
            return
        admin = self.server.admin()
        with admin.cursor() as cur:
            # connections left in a transaction would hold metadata locks and block the DROP
            cur.execute(
                "SELECT id FROM information_schema.processlist"
                " WHERE db = %s AND id <> CONNECTION_ID()",
                (db.database,),
            )
            for (pid,) in cur.fetchall():
                with contextlib.suppress(Exception):
                    cur.execute(f"KILL CONNECTION {int(pid)}")
            cur.execute(f"DROP DATABASE IF EXISTS `{db.database}`")

    def version(self) -> str:
        with self.server.admin().cursor() as cur:
            cur.execute("SELECT VERSION()")
            raw = cur.fetchone()[0]
        return "MariaDB " + raw.split("-")[0]

    def _connect(self, db: Database, *, multi_statements: bool = False, **kw: Any) -> Any:
        if multi_statements:
            from pymysql.constants import CLIENT

            kw["client_flag"] = kw.get("client_flag", 0) | CLIENT.MULTI_STATEMENTS
        return self.server._connect(db.database, **kw)

    def execute_script(self, db: Database, sql: str) -> None:
        conn = self._connect(db, multi_statements=True)
        try:
            with conn.cursor() as cur:
                if re.search(r"^\s*DELIMITER\s", sql, re.I | re.M):
                    # mysql-CLI style script: split client-side like the CLI does
                    for stmt in split_mysql_script(sql):
                        cur.execute(stmt)
                        while cur.nextset():
                            pass
                elif _has_sql(sql):
                    # the server parses the statements (BEGIN ... END bodies included);
                    # an error in statement N surfaces while draining result N.
                    cur.execute(sql)
                    while cur.nextset():
                        pass
        finally:
            conn.close()

    def _env(self, db: Database) -> dict[str, str]:
        return {
            "DATABASE_URL": db.url,
            "MYSQL_HOST": str(db.host),
            "MYSQL_TCP_PORT": str(db.port),
            "MYSQL_USER": str(db.user),
            "MYSQL_PWD": str(db.password),
            "MYSQL_DATABASE": str(db.database),
        }


class _FileEngine(Engine):
    placeholder = "?"
    suffix: ClassVar[str]

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._own_dir = directory is None
        self.directory = (
            Path(directory)
            if directory is not None
            else Path(
                tempfile.mkdtemp(
                    prefix=f"vigilo-{self.name}-",
                    dir=os.environ.get("VIGILO_ENGINE_TMPDIR") or None,
                )
            )
        )
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._own_dir:
            atexit.register(shutil.rmtree, self.directory, True)

    def create_database(self, label: str | None = None) -> Database:
        name = _db_name(label)
        path = (self.directory / f"{name}{self.suffix}").resolve()
        db = Database(
            engine=self,
            name=name,
            url=self._native_url(path),
            sqlalchemy_url=self._sa_url(path),
            path=path,
        )
        self._connect(db).close()  # materialise the (empty) file
        return db

    def drop_database(self, db: Database) -> None:
        assert db.path is not None
        for p in db.path.parent.glob(db.path.name + "*"):  # -wal, -shm, -journal, .wal
            with contextlib.suppress(FileNotFoundError):
                p.unlink()

    def _native_url(self, path: Path) -> str:
        return str(path)

    def _sa_url(self, path: Path) -> str:
        raise NotImplementedError


class SqliteEngine(_FileEngine):
    name = "sqlite"
    suffix = ".sqlite3"
    table_names_sql = (
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )

    def _native_url(self, path: Path) -> str:
        return f"file:{path}"  # what Prisma / libsql-style tools expect; db.path for others

    def _sa_url(self, path: Path) -> str:
        return f"sqlite:///{path}"

    def version(self) -> str:
        import sqlite3

        return "SQLite " + sqlite3.sqlite_version

    def _connect(self, db: Database, **kw: Any) -> Any:
        import sqlite3

        kw.setdefault("isolation_level", None)  # autocommit, like the server engines
        conn = sqlite3.connect(str(db.path), **kw)
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def execute_script(self, db: Database, sql: str) -> None:
        conn = self._connect(db)
        try:
            conn.executescript(sql)
        finally:
            conn.close()

    def _sqlalchemy_engine(self, db: Database, **kw: Any) -> Any:
        from sqlalchemy import create_engine, event

        eng = create_engine(db.sqlalchemy_url, **kw)

        @event.listens_for(eng, "connect")
        def _fk_on(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        return eng


class DuckDBEngine(_FileEngine):
    name = "duckdb"
    suffix = ".duckdb"
    table_names_sql = (
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_schema = current_schema() "
        "AND table_type = 'BASE TABLE'"
    )

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        try:
            import duckdb  # noqa: F401
        except ImportError as exc:
            raise EngineUnavailable(f"the duckdb Python package is not installed: {exc}") from exc
        super().__init__(directory)

    @staticmethod
    def has_sqlalchemy_dialect() -> bool:
        import importlib.util

        return importlib.util.find_spec("duckdb_engine") is not None

    def _sa_url(self, path: Path) -> str:
        return f"duckdb:///{path}" if self.has_sqlalchemy_dialect() else str(path)

    def version(self) -> str:
        import duckdb

        return "DuckDB " + duckdb.__version__.lstrip("v")

    def _connect(self, db: Database, **kw: Any) -> Any:
        import duckdb

        return duckdb.connect(str(db.path), **kw)

    def execute_script(self, db: Database, sql: str) -> None:
        conn = self._connect(db)
        try:
            conn.execute(sql)  # runs every statement in the string
        finally:
            conn.close()

    def _sqlalchemy_engine(self, db: Database, **kw: Any) -> Any:
        if not self.has_sqlalchemy_dialect():
            raise EngineUnavailable(
                "no SQLAlchemy dialect for DuckDB (duckdb_engine is not installed)"
            )
        return super()._sqlalchemy_engine(db, **kw)


def engine_version(engine: Engine | Database | _Server) -> str:
    """'PostgreSQL 15.18', 'MariaDB 10.11.19', 'SQLite 3.40.1', 'DuckDB 1.1.3'."""
    if isinstance(engine, Database):
        engine = engine.engine
    elif isinstance(engine, _Server):
        engine = engine.engine
    return engine.version()


# ---------------------------------------------------------------------------
# scripts


_DELIMITER_RE = re.compile(r"DELIMITER[ \t]+(\S+)[ \t]*(?:\r?\n|$)", re.I)


def _has_sql(sql: str) -> bool:
    return bool(split_mysql_script(sql))


def split_mysql_script(sql: str) -> list[str]:
    """Split a MySQL/MariaDB script into statements the way the mysql CLI does.

    Honours ``DELIMITER xx`` lines, quotes ('', "", ``), backslash escapes and
    comments (``-- ``, ``#``, ``/* */``). Statements made only of comments and
    whitespace are dropped; the delimiter itself is not included.
    """
    out: list[str] = []
    delim = ";"
    buf: list[str] = []
    has_code = False
    i, n = 0, len(sql)
    at_line_start = True

    def flush() -> None:
        nonlocal has_code
        text = "".join(buf).strip()
        if has_code and text:
            out.append(text)
        buf.clear()
        has_code = False

    while i < n:
        if at_line_start:
            j = i
            while j < n and sql[j] in " \t":
                j += 1
            m = _DELIMITER_RE.match(sql, j)
            if m and not has_code:
                flush()
                delim = m.group(1)
                i = m.end()
                continue
            at_line_start = False
        c = sql[i]
        if sql.startswith(delim, i):
            flush()
            i += len(delim)
            continue
        if c == "\n":
            buf.append(c)
            i += 1
            at_line_start = True
            continue
        if c in "'\"`":
            j = i + 1
            while j < n:
                if sql[j] == "\\" and c != "`":
                    j += 2
                    continue
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # doubled quote
                        j += 2
                        continue
                    break
                j += 1
            buf.append(sql[i : j + 1])
            has_code = True
            i = j + 1
            continue
        if c == "#" or (sql.startswith("--", i) and (i + 2 >= n or sql[i + 2] in " \t\r\n")):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            buf.append(sql[i:j])
            i = j
            continue
        if sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            chunk = sql[i:j]
            buf.append(chunk)
            if chunk.startswith("/*!") or chunk.startswith("/*M!"):
                has_code = True  # executable comment
            i = j
            continue
        if not c.isspace():
            has_code = True
        buf.append(c)
        i += 1
    flush()
    return out


# ---------------------------------------------------------------------------
# constraint violations


_MYSQL_ERRNO_KIND = {
    1062: "unique",
    1586: "unique",
    1216: "foreign_key",
    1217: "foreign_key",
    1451: "foreign_key",
    1452: "foreign_key",
    1048: "not_null",
    1364: "not_null",
    4025: "check",
    3819: "check",
}


def constraint_violation_kind(exc: BaseException) -> str | None:
    """'check' | 'unique' | 'foreign_key' | 'not_null' | 'other' for a constraint
    violation from any of the four drivers (or SQLAlchemy wrapping one); None otherwise."""
    orig = getattr(exc, "orig", None)  # sqlalchemy.exc.DBAPIError
    if isinstance(orig, BaseException) and orig is not exc:
        return constraint_violation_kind(orig)
    mod = type(exc).__module__ or ""
    msg = str(exc).lower()
    if mod.startswith("psycopg"):
        state = getattr(getattr(exc, "diag", None), "sqlstate", None) or getattr(
            exc, "sqlstate", None
        )
        if not state or not state.startswith("23"):
            return None
        return {
            "23514": "check",
            "23505": "unique",
            "23503": "foreign_key",
            "23001": "foreign_key",
            "23502": "not_null",
        }.get(state, "other")
    if mod.startswith("pymysql"):
        errno = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
        if errno in _MYSQL_ERRNO_KIND:
            return _MYSQL_ERRNO_KIND[errno]
        return "other" if type(exc).__name__ == "IntegrityError" else None
    if mod.startswith("sqlite3"):
        if type(exc).__name__ != "IntegrityError":
            return None
    elif "duckdb" in mod:  # module is "_duckdb"
        if type(exc).__name__ not in ("ConstraintException", "IntegrityError"):
            return None
    else:
        return None
    # sqlite3 / duckdb: classify by message
    if "check constraint" in msg:
        return "check"
    if "foreign key" in msg:
        return "foreign_key"
    if "unique" in msg or "primary key" in msg or "duplicate key" in msg:
        return "unique"
    if "not null" in msg or "not-null" in msg:
        return "not_null"
    return "other"


def is_constraint_violation(exc: BaseException, kind: str | None = None) -> bool:
    got = constraint_violation_kind(exc)
    return got is not None and (kind is None or got == kind)


@contextlib.contextmanager
def expect_violation(kind: str | None = None) -> Iterator[None]:
    """Assert that the block raises a constraint violation (optionally of `kind`).

    Other exceptions propagate unchanged; success raises AssertionError.
    """
    try:
        yield
    except Exception as exc:
        got = constraint_violation_kind(exc)
        if got is None:
            raise
        if kind is not None and got != kind:
            raise AssertionError(f"expected a {kind!r} violation, got {got!r}: {exc}") from exc
        return
    raise AssertionError(
        f"expected a {kind or 'constraint'} violation, but the statement succeeded"
    )


# ---------------------------------------------------------------------------
# pytest fixtures


def _server_fixture(engine_name: str) -> Iterator[_Server]:
    try:
        server = shared_server(engine_name)
    except EngineUnavailable as exc:
        engine_unavailable(f"{engine_name}: {exc}")
    try:
        yield server
    finally:
        server.stop()
        with _SHARED_LOCK:
            if _SHARED.get(engine_name) is server:
                del _SHARED[engine_name]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """Session-wide throwaway PostgreSQL (started on first use)."""
    yield from _server_fixture("postgres")  # type: ignore[misc]


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDBServer]:
    """Session-wide throwaway MariaDB (started on first use)."""
    yield from _server_fixture("mariadb")  # type: ignore[misc]


@pytest.fixture(scope="session")
def postgres_engine(pg_server: PostgresServer) -> PostgresEngine:
    return pg_server.engine  # type: ignore[return-value]


@pytest.fixture(scope="session")
def mariadb_engine(mariadb_server: MariaDBServer) -> MariaDBEngine:
    return mariadb_server.engine  # type: ignore[return-value]


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> SqliteEngine:
    return SqliteEngine(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def duckdb_engine(tmp_path_factory: pytest.TempPathFactory) -> DuckDBEngine:
    try:
        return DuckDBEngine(tmp_path_factory.mktemp("duckdb"))
    except EngineUnavailable as exc:
        engine_unavailable(f"duckdb: {exc}")


@pytest.fixture
def get_engine(request: pytest.FixtureRequest) -> Callable[[str], Engine]:
    """get_engine('postgres') -> Engine; servers start only when asked for."""

    def _get(engine_name: str) -> Engine:
        if engine_name not in ENGINE_NAMES:
            raise ValueError(f"unknown engine {engine_name!r}; expected one of {ENGINE_NAMES}")
        return request.getfixturevalue(f"{engine_name}_engine")

    return _get


@pytest.fixture
def fresh_db(
    request: pytest.FixtureRequest, get_engine: Callable[[str], Engine]
) -> Iterator[Callable[..., Database]]:
    """fresh_db(engine_name, label=None) -> a new empty Database, dropped after the test."""
    created: list[Database] = []

    def _make(engine_name: str, label: str | None = None) -> Database:
        db = get_engine(engine_name).create_database(label or request.node.name)
        created.append(db)
        return db

    yield _make
    errors = []
    for db in reversed(created):
        try:
            db.drop()
        except Exception as exc:  # report, but drop the others first
            errors.append(f"{db.engine_name} {db.name}: {exc!r}")
    if errors:
        raise RuntimeError("could not drop test databases: " + "; ".join(errors))


@pytest.fixture
def postgres_db(fresh_db: Callable[..., Database]) -> Database:
    return fresh_db("postgres")


@pytest.fixture
def mariadb_db(fresh_db: Callable[..., Database]) -> Database:
    return fresh_db("mariadb")


@pytest.fixture
def sqlite_db(fresh_db: Callable[..., Database]) -> Database:
    return fresh_db("sqlite")


@pytest.fixture
def duckdb_db(fresh_db: Callable[..., Database]) -> Database:
    return fresh_db("duckdb")


@pytest.fixture(params=ENGINE_NAMES)
def any_db(request: pytest.FixtureRequest, fresh_db: Callable[..., Database]) -> Database:
    """Parametrised over all four engines (test ids: [postgres], [mariadb], ...)."""
    return fresh_db(request.param)
