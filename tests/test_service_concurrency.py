"""Concurrency and scale-out of `vigilo-gen serve` (issue 12, item 7).

Eight clients send mixed writes (every write endpoint of the bundled spec, valid random bodies)
and some reads, on keys of their own and on keys they share, through two `serve` processes on
one PostgreSQL database and through one `serve` on SQLite. Then the database itself is read:

* no answer is a 5xx and no request hangs (each has a timeout, the whole run a deadline);
* concurrent first writes to one new key make exactly one root row and one child row, and
  every one of those writes (each to a different column or set) is kept;
* every acknowledged write is in the database: on a client's own key the final value is
  exactly its last acknowledged write; on a shared key it is the value of one acknowledged
  write that no other write began after (a later write would have replaced it); a replaced
  set equals one acknowledged body, never a mix of two;
* a client reading its own key (through either server) sees its last acknowledged writes.

    VIGILO_CONCURRENCY_OPS=5000 pytest tests/test_service_concurrency.py   # writes per client
    VIGILO_SERVE_CMD="python tools/handwritten_app.py" pytest ...          # another server

VIGILO_SERVE_CMD is the command `--db URL --host H --port N` is appended to (default:
`python -m vigilo_gen serve --spec spec/vigilo.yaml`).
"""

from __future__ import annotations

import os
import random
import shlex
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.engines import free_port
from tests.support import BUNDLED_SPEC, missing

pytestmark = pytest.mark.engine

CLIENTS = 8
OPS = int(os.environ.get("VIGILO_CONCURRENCY_OPS", "500"))  # writes per client
READ_SHARE = 0.15  # one read in about seven requests
SHARED_KEYS = 3
RACE_KEYS = 10  # new keys, each hit by CLIENTS simultaneous first writes
REQUEST_TIMEOUT = 30.0
RUN_DEADLINE = 60.0 + OPS * CLIENTS / 20  # seconds; past it the run counts as a deadlock
TOKENS = {f"tok-{c}-{'x' * 16}": f"client-{c}" for c in range(CLIENTS)}
BASE = "/api/btwfyi"

# -- the bundled spec's write endpoints and what each one writes ------------------------------

SETTINGS = {  # path -> (body property, vigilo_settings column, default)
    "display-mode": ("displayMode", "display_mode", "full"),
    "hidden": ("isHidden", "is_hidden", False),
    "show-lines": ("showLines", "show_lines", True),
    "show-badges": ("showBadges", "show_badges", True),
    "line-color": ("lineColor", "line_color", "#3b82f6"),
    "line-opacity": ("lineOpacity", "line_opacity", 0.5),
    "component-opacity": ("componentOpacity", "component_opacity", 1.0),
}
WRITES = [*SETTINGS, "position", "connections", "statuses"]


def random_body(path: str, rng: random.Random) -> dict[str, Any]:
    """A valid body for a write endpoint; values that can differ, differ between writes."""
    if path == "display-mode":
        return {"displayMode": rng.choice(["full", "compact", "minimal"])}
    if path in ("hidden", "show-lines", "show-badges"):
        return {SETTINGS[path][0]: rng.random() < 0.5}
    if path == "line-color":
        return {"lineColor": f"#{rng.randrange(1 << 24):06x}"}
    if path == "line-opacity":
        return {"lineOpacity": rng.random()}
    if path == "component-opacity":
        return {"componentOpacity": rng.uniform(0.1, 1.0)}
    if path == "position":
        return {"x": rng.randint(-(2**31), 2**31 - 1), "y": rng.randint(-5000, 5000)}
    if path == "connections":
        items = []
        for index in rng.sample(range(12), rng.randint(0, 5)):
            item: dict[str, Any] = {"todoIndex": index}
            if rng.random() < 0.8:
                item["targetSelector"] = f"#task-{rng.randrange(10**9)} > .étape"
            if rng.random() < 0.5:
                item["targetLabel"] = rng.choice([None, "Save ✓", "L" * 255])
            if rng.random() < 0.6:
                item["targetPosition"] = {"x": rng.randint(-9999, 9999),
                                          "y": rng.randint(-9999, 9999)}
            items.append(item)
        return {"connections": items}
    if path == "statuses":
        indexes = rng.sample(range(20), rng.randint(0, 6))
        return {"statuses": {str(i): rng.choice(["todo", "working", "done"]) for i in indexes}}
    raise AssertionError(path)


def value_of(path: str, body: dict[str, Any]) -> Any:
    """What a write leaves in the database, in the form `read_db` gives it."""
    if path in SETTINGS:
        return body[SETTINGS[path][0]]
    if path == "position":
        return (body["x"], body["y"])
    if path == "connections":
        return tuple(sorted(
            (c["todoIndex"], c.get("targetSelector"), c.get("targetLabel"),
             (c["targetPosition"]["x"], c["targetPosition"]["y"])
             if c.get("targetPosition") else None)
            for c in body["connections"]))
    if path == "statuses":
        return tuple(sorted((int(k), v) for k, v in body["statuses"].items()))
    raise AssertionError(path)


def value_in_state(path: str, state: dict[str, Any]) -> Any:
    """The same value, read from a GET state answer."""
    if path in SETTINGS:
        return state[SETTINGS[path][0]]
    if path == "position":
        return (state["position"]["x"], state["position"]["y"]) if "position" in state else None
    if path == "connections":
        return value_of(path, {"connections": state["connections"]})
    return value_of(path, {"statuses": state["statuses"]})


def empty_value(path: str) -> Any:
    if path in SETTINGS:
        return SETTINGS[path][2]
    return None if path == "position" else ()


def read_db(url: str, keys: list[str]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """{key: {write path: value}} and {key: (root rows, settings rows, owner)} from the DB."""
    engine = create_engine(url)
    values: dict[str, dict[str, Any]] = {}
    facts: dict[str, Any] = {}
    cols = ", ".join(col for _prop, col, _default in SETTINGS.values())
    try:
        with engine.connect() as conn:
            for key in keys:
                roots = conn.execute(text(
                    "SELECT id, user_id FROM vigilo_instance WHERE instance_key = :k"),
                    {"k": key}).all()
                if len(roots) != 1:
                    facts[key] = (len(roots), None, None)
                    continue
                p = {"i": roots[0].id}
                settings = conn.execute(text(
                    f"SELECT {cols} FROM vigilo_settings WHERE instance_id = :i"), p).all()
                positions = conn.execute(text(
                    "SELECT x, y FROM vigilo_position WHERE instance_id = :i"), p).all()
                facts[key] = (1, len(settings), roots[0].user_id, len(positions))
                got: dict[str, Any] = {}
                for n, path in enumerate(SETTINGS):
                    raw = settings[0][n] if settings else SETTINGS[path][2]
                    got[path] = bool(raw) if isinstance(SETTINGS[path][2], bool) else raw
                got["position"] = tuple(positions[0]) if positions else None
                got["connections"] = tuple(sorted(
                    (r[0], r[1], r[2], (r[3], r[4]) if r[3] is not None else None)
                    for r in conn.execute(text(
                        "SELECT todo_index, target_selector, target_label, target_position_x, "
                        "target_position_y FROM vigilo_connection WHERE instance_id = :i"), p)))
                got["statuses"] = tuple(sorted(
                    (r[0], r[1]) for r in conn.execute(text(
                        "SELECT todo_index, status FROM vigilo_status WHERE instance_id = :i"),
                        p)))
                values[key] = got
    finally:
        engine.dispose()
    return values, facts


# -- servers --------------------------------------------------------------------------------


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def serve_command() -> list[str]:
    custom = os.environ.get("VIGILO_SERVE_CMD")
    if custom:
        return shlex.split(custom)
    return [sys.executable, "-m", "vigilo_gen", "serve", "--spec", str(BUNDLED_SPEC)]


def require_serve() -> None:
    if os.environ.get("VIGILO_SERVE_CMD"):
        return
    probe = subprocess.run([*serve_command(), "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        missing("`vigilo-gen serve` (" + (probe.stderr.strip().splitlines() or ["?"])[-1] + ")")


def start_server(db_url: str, workdir: Path, n: int) -> Server:
    port = free_port()
    log = workdir / f"serve-{n}.log"
    env = {**os.environ, "VIGILO_TOKENS": ",".join(f"{t}={o}" for t, o in TOKENS.items())}
    with open(log, "wb") as sink:
        proc = subprocess.Popen(
            [*serve_command(), "--db", db_url, "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )
    server = Server(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited with {proc.returncode}:\n{server.log_text()}")
        try:
            if httpx.get(server.url + "/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"serve not ready in 60 s:\n{server.log_text()}")


def stop_servers(servers: list[Server]) -> None:
    for server in servers:
        if server.proc.poll() is None:
            server.proc.terminate()
    for server in servers:
        try:
            server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


# -- the clients ----------------------------------------------------------------------------


@dataclass
class Write:
    path: str
    key: str
    value: Any
    start: float
    end: float


@dataclass
class Client:
    n: int
    servers: list[Server]
    keys: list[str]  # shared keys
    ops: int
    rng: random.Random = field(init=False)
    acked: list[Write] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    reads: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"client-{self.n}")

    @property
    def own_key(self) -> str:
        return f"own-{self.n}"

    @property
    def token(self) -> str:
        return next(t for t, o in TOKENS.items() if o == f"client-{self.n}")

    def run(self, stop: threading.Event) -> None:
        mine: dict[str, Any] = {}  # path -> last acknowledged value on the own key
        with httpx.Client(timeout=REQUEST_TIMEOUT) as http:
            writes = 0
            while writes < self.ops and not stop.is_set():
                server = self.rng.choice(self.servers).url
                own = self.rng.random() < 0.5
                key = self.own_key if own else self.rng.choice(self.keys)
                headers = {"authorization": f"Bearer {self.token}"} if own else {}
                if self.rng.random() < READ_SHARE:
                    self.read(http, server, key, headers, mine if own else None)
                    continue
                writes += 1
                path = self.rng.choice(WRITES)
                body = random_body(path, self.rng)
                start = time.monotonic()
                try:
                    answer = http.post(f"{server}{BASE}/{path}/{key}", json=body,
                                       headers=headers)
                except httpx.HTTPError as exc:
                    self.problems.append(f"POST {path}/{key}: {exc!r} (a hang or a crash)")
                    continue
                end = time.monotonic()
                self.statuses[answer.status_code] = self.statuses.get(answer.status_code, 0) + 1
                if answer.status_code != 200 or answer.json() != {"success": True}:
                    self.problems.append(
                        f"POST {path}/{key} {body}: {answer.status_code} {answer.text[:300]}")
                    continue
                value = value_of(path, body)
                self.acked.append(Write(path, key, value, start, end))
                if own:
                    mine[path] = value

    def read(self, http: httpx.Client, server: str, key: str, headers: dict[str, str],
             mine: dict[str, Any] | None) -> None:
        self.reads += 1
        try:
            answer = http.get(f"{server}{BASE}/state/{key}", headers=headers)
        except httpx.HTTPError as exc:
            self.problems.append(f"GET state/{key}: {exc!r} (a hang or a crash)")
            return
        self.statuses[answer.status_code] = self.statuses.get(answer.status_code, 0) + 1
        if answer.status_code == 404 and not mine:
            return  # nothing acknowledged there yet (by this client; a shared key: by anyone)
        if answer.status_code != 200:
            self.problems.append(f"GET state/{key}: {answer.status_code} {answer.text[:300]}")
            return
        state = answer.json()
        for path in WRITES:
            try:
                seen = value_in_state(path, state)
            except (KeyError, TypeError) as exc:
                self.problems.append(f"GET state/{key}: malformed state ({exc!r}): {state}")
                return
            if mine is not None and path in mine and seen != mine[path]:
                self.problems.append(
                    f"GET state/{key} through {server}: {path} is {seen!r}, but this client's "
                    f"last acknowledged write was {mine[path]!r} (a stale or lost write)")


def run_clients(clients: list[Client], deadline: float) -> float:
    stop = threading.Event()
    crashed: list[str] = []

    def body(client: Client) -> None:
        try:
            client.run(stop)
        except Exception as exc:  # a bug in the test client: report it, do not hang
            crashed.append(f"client {client.n}: {exc!r}")

    threads = [threading.Thread(target=body, args=(c,), daemon=True) for c in clients]
    t0 = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(deadline - (time.monotonic() - t0), 0.1))
    elapsed = time.monotonic() - t0
    stop.set()
    hung = [t for t in threads if t.is_alive()]
    assert not crashed, crashed
    assert not hung, (f"{len(hung)} client(s) still running after {deadline:.0f} s: "
                      "a deadlock or a stall")
    return elapsed


def first_write_race(servers: list[Server], tag: str
                     ) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """CLIENTS threads write to one new key at the same instant, each a different column or
    set; every write must answer 200 and be kept, and one root and one settings row exist."""
    problems: list[str] = []
    race_paths = ["line-opacity", "line-color", "hidden", "component-opacity", "position",
                  "connections", "statuses", "display-mode"][:CLIENTS]
    expected: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)
    keys = [f"race-{tag}-{i}" for i in range(RACE_KEYS)]
    rng = random.Random(f"race-{tag}")
    bodies = {(key, path): random_body(path, rng) for key in keys for path in race_paths}
    for key in keys:  # a value that differs from the default, so a lost write shows
        bodies[(key, "hidden")] = {"isHidden": True}
        bodies[(key, "display-mode")] = {"displayMode": "minimal"}
        bodies[(key, "connections")]["connections"] = [{"todoIndex": 0, "targetLabel": key}]
        bodies[(key, "statuses")]["statuses"] = {"0": "done"}

    def racer(n: int) -> None:
        path = race_paths[n]
        with httpx.Client(timeout=REQUEST_TIMEOUT) as http:
            http.get(servers[n % len(servers)].url + "/healthz")  # open the connection first
            for key in keys:
                try:
                    barrier.wait(timeout=REQUEST_TIMEOUT * 2)
                except threading.BrokenBarrierError:
                    return
                body = bodies[(key, path)]
                try:
                    answer = http.post(f"{servers[n % len(servers)].url}{BASE}/{path}/{key}",
                                       json=body)
                except httpx.HTTPError as exc:
                    with lock:
                        problems.append(f"first write POST {path}/{key}: {exc!r}")
                    continue
                with lock:
                    if answer.status_code != 200:
                        problems.append(f"first write POST {path}/{key}: "
                                        f"{answer.status_code} {answer.text[:300]}")
                    else:
                        expected.setdefault(key, {})[path] = value_of(path, body)

    threads = [threading.Thread(target=racer, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT * 4)
    if any(t.is_alive() for t in threads):
        barrier.abort()
        problems.append("the first-write race did not finish: a deadlock or a stall")
    return problems, {key: expected.get(key, {}) for key in keys}


def check_race(expected: dict[str, dict[str, Any]], db: dict[str, dict[str, Any]],
               facts: dict[str, Any]) -> list[str]:
    problems = []
    for key, writes in expected.items():
        if facts.get(key, (0,))[0] != 1:
            problems.append(f"race key {key}: {facts.get(key, (0,))[0]} root rows, want 1")
            continue
        if facts[key][1] != 1:
            problems.append(f"race key {key}: {facts[key][1]} settings rows, want 1")
        if facts[key][2] is not None:
            problems.append(f"race key {key}: owner {facts[key][2]!r}, want none")
        for path, value in writes.items():
            if db[key][path] != value:
                problems.append(f"race key {key}: {path} is {db[key][path]!r}, the acknowledged "
                                f"first write was {value!r} (a lost write)")
    return problems


def check_final(clients: list[Client], db: dict[str, dict[str, Any]],
                facts: dict[str, Any], shared: list[str]) -> list[str]:
    problems: list[str] = []
    by_key: dict[tuple[str, str], list[Write]] = {}
    for client in clients:
        for write in client.acked:
            by_key.setdefault((write.key, write.path), []).append(write)
    for client in clients:
        key = client.own_key
        if facts.get(key, (0,))[0] != 1:
            problems.append(f"{key}: {facts.get(key, (0,))[0]} root rows, want 1")
            continue
        if facts[key][2] != f"client-{client.n}":
            problems.append(f"{key}: owner {facts[key][2]!r}, want 'client-{client.n}'")
        for path in WRITES:
            writes = by_key.get((key, path), [])
            want = writes[-1].value if writes else empty_value(path)
            if db[key][path] != want:
                problems.append(f"{key}: {path} is {db[key][path]!r}, the client's last "
                                f"acknowledged write was {want!r}")
    for key in shared:
        if facts.get(key, (0,))[0] != 1:
            problems.append(f"{key}: {facts.get(key, (0,))[0]} root rows, want 1")
            continue
        if facts[key][2] is not None:
            problems.append(f"{key}: owner {facts[key][2]!r}, want none")
        for path in WRITES:
            writes = by_key.get((key, path), [])
            if not writes:
                if db[key][path] != empty_value(path):
                    problems.append(f"{key}: {path} is {db[key][path]!r}, never written")
                continue
            # The last committed write cannot be one that another write began after.
            starts = sorted((w.start for w in writes), reverse=True) + [float("-inf")]
            admissible = [w.value for w in writes
                          if w.end >= (starts[1] if w.start == starts[0] else starts[0])]
            if db[key][path] not in admissible:
                anywhere = db[key][path] in [w.value for w in writes]
                problems.append(
                    f"{key}: {path} is {db[key][path]!r}, " +
                    ("an acknowledged value that a later write should have replaced"
                     if anywhere else "not the value of any acknowledged write"))
    return problems


# -- the tests ------------------------------------------------------------------------------


def run_scenario(db_url: str, workdir: Path, n_servers: int, tag: str) -> None:
    servers: list[Server] = []
    try:
        for n in range(n_servers):
            servers.append(start_server(db_url, workdir, n))
        race_started = time.monotonic()
        problems, race = first_write_race(servers, tag)
        race_seconds = time.monotonic() - race_started

        shared = [f"shared-{tag}-{i}" for i in range(SHARED_KEYS)]
        clients = [Client(n, servers, shared, OPS) for n in range(CLIENTS)]
        elapsed = run_clients(clients, RUN_DEADLINE)
        for client in clients:
            problems += [f"client {client.n}: {p}" for p in client.problems]
    finally:
        stop_servers(servers)
    keys = [c.own_key for c in clients] + shared + list(race)
    db, facts = read_db(db_url, keys)
    problems += check_race(race, db, facts)
    problems += check_final(clients, db, facts, shared)
    logs = "\n".join(f"--- serve {n} log (tail) ---\n" + "\n".join(s.log_text().splitlines()[-40:])
                     for n, s in enumerate(servers) if "Traceback" in s.log_text())

    writes = sum(len(c.acked) for c in clients)
    reads = sum(c.reads for c in clients)
    answers: dict[int, int] = {}
    for client in clients:
        for status, count in client.statuses.items():
            answers[status] = answers.get(status, 0) + count
    print(f"\n{tag}: {n_servers} serve, {CLIENTS} clients: {writes} acknowledged writes + "
          f"{reads} reads in {elapsed:.1f} s ({(writes + reads) / elapsed:.0f} req/s), answers "
          f"{dict(sorted(answers.items()))}; first-write race {RACE_KEYS} keys x {CLIENTS} "
          f"writers in {race_seconds:.1f} s")
    assert not problems and not logs, (
        f"{len(problems)} problem(s):\n" + "\n".join(problems[:40]) + ("\n" + logs if logs else ""))
    assert writes == CLIENTS * OPS


def test_two_servers_one_postgres(fresh_db, tmp_path: Path) -> None:
    require_serve()
    db = fresh_db("postgres")
    run_scenario(db.sqlalchemy_url, tmp_path, 2, "pg")


def test_two_servers_start_together_on_an_empty_postgres(fresh_db, tmp_path: Path) -> None:
    """Scale-out starts replicas at once: both must come up on one new database."""
    require_serve()
    db = fresh_db("postgres")
    servers: list[Server] = []
    errors: list[str] = []

    def start(n: int) -> None:
        try:
            servers.append(start_server(db.sqlalchemy_url, tmp_path, n))
        except AssertionError as exc:
            errors.append(str(exc)[-600:])

    threads = [threading.Thread(target=start, args=(n,)) for n in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        assert not errors, "\n".join(errors)
        for server in servers:
            answer = httpx.post(f"{server.url}{BASE}/line-opacity/together",
                                json={"lineOpacity": 0.25})
            assert answer.status_code == 200, answer.text
    finally:
        stop_servers(servers)


def test_one_server_sqlite(tmp_path: Path) -> None:
    require_serve()
    run_scenario(f"sqlite:///{tmp_path / 'vigilo.db'}", tmp_path, 1, "sqlite")


def test_the_workload_covers_every_write_endpoint() -> None:
    """When the bundled spec gains or loses a write endpoint, this test's table must follow."""
    from vigilo_gen.spec import load_spec

    spec = load_spec(BUNDLED_SPEC)
    assert spec.api is not None and spec.api.base_path == BASE
    writes = {e.path.split("/")[1] for e in spec.api.endpoints if e.body is not None}
    assert writes == set(WRITES)

