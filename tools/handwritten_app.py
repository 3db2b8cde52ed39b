#!/usr/bin/env python3
"""The hand-written baseline of `make bench-service`: the bundled spec's eleven endpoints as a
minimal Starlette app, written the way a careful engineer would write them by hand.

It runs the statements docs/runtime.md asks for (select the root by its key with the owner check,
create it on the first write, upsert the one-to-one child, replace a set, one transaction per
request) with SQLAlchemy Core and plain SQL, on the same driver, pool and uvicorn settings as
`vigilo-gen serve`, so that the benchmark compares the generated service with what the same
work costs when nobody generates it.

    python tools/handwritten_app.py [--db URL] [--host 127.0.0.1] [--port 8001]

--db takes the same SQLAlchemy URLs as `vigilo-gen serve` (sqlite:///path.db,
postgresql+psycopg://...); the schema is created from `vigilo-gen sql` when the database has no
vigilo_instance table. VIGILO_TOKENS="tok=owner,..." configures bearer tokens as serve does.
It prints `listening on http://HOST:PORT` on stderr when ready.
"""

from __future__ import annotations

import argparse
import hmac
import json
import math
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BASE = "/api/btwfyi"
MAX_BODY = 1 << 20
KEY_RE = re.compile(r"^[A-Za-z0-9._~-]+$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
INT32 = (-(2**31), 2**31 - 1)
DISPLAY_MODES = ("full", "compact", "minimal")
STATUSES = ("todo", "working", "done")


class BadRequest(Exception):
    status = 400


class Unauthorized(Exception):
    status = 401


class NotFound(Exception):
    status = 404


class Unsupported(Exception):
    status = 415


class TooLarge(Exception):
    status = 413


# -- values -------------------------------------------------------------------------------------


def _int(value: Any, at: str, lo: int = INT32[0]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{at}: expected an integer")
    if not lo <= value <= INT32[1]:
        raise BadRequest(f"{at}: out of range")
    return value


def _float(value: Any, at: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(f"{at}: expected a number")
    if not (math.isfinite(value) and lo <= value <= hi):
        raise BadRequest(f"{at}: must be between {lo} and {hi}")
    return float(value)


def _bool(value: Any, at: str) -> bool:
    if not isinstance(value, bool):
        raise BadRequest(f"{at}: expected a boolean")
    return value


def _str(value: Any, at: str, max_length: int, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{at}: expected a string")
    if len(value) > max_length:
        raise BadRequest(f"{at}: longer than {max_length}")
    return value


def _enum(values: tuple[str, ...]) -> Callable[[Any, str], str]:
    def check(value: Any, at: str) -> str:
        if value not in values:
            raise BadRequest(f"{at}: must be one of {', '.join(values)}")
        return value

    return check


def _color(value: Any, at: str) -> str:
    text_ = _str(value, at, 20)
    assert text_ is not None
    if not COLOR_RE.match(text_):
        raise BadRequest(f"{at}: does not match ^#[0-9a-fA-F]{{6}}$")
    return text_


def _object(body: Any, at: str, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict:
    if not isinstance(body, dict):
        raise BadRequest(f"{at}: expected an object")
    for key in body:
        if key not in allowed:
            raise BadRequest(f"{at}.{key}: unknown property")
    for key in required:
        if key not in body:
            raise BadRequest(f"{at}.{key}: required")
    return body


# The seven single-setting endpoints: path -> (body property, column, check).
SETTINGS: dict[str, tuple[str, str, Callable[[Any, str], Any]]] = {
    "display-mode": ("displayMode", "display_mode", _enum(DISPLAY_MODES)),
    "hidden": ("isHidden", "is_hidden", _bool),
    "show-lines": ("showLines", "show_lines", _bool),
    "show-badges": ("showBadges", "show_badges", _bool),
    "line-color": ("lineColor", "line_color", _color),
    "line-opacity": ("lineOpacity", "line_opacity", lambda v, at: _float(v, at, 0.0, 1.0)),
    "component-opacity": (
        "componentOpacity", "component_opacity", lambda v, at: _float(v, at, 0.1, 1.0),
    ),
}
SETTINGS_DEFAULTS = {
    "displayMode": "full", "isHidden": False, "showLines": True, "showBadges": True,
    "lineColor": "#3b82f6", "lineOpacity": 0.5, "componentOpacity": 1.0,
}


# -- the database -------------------------------------------------------------------------------


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.engine: Engine = create_engine(url, pool_pre_ping=True,
                                                connect_args={"check_same_thread": False})

            @event.listens_for(self.engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.isolation_level = None  # we issue BEGIN [IMMEDIATE] ourselves
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys = ON")
                cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA busy_timeout = 30000")
                cur.close()
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        self.lock_root = "" if self.sqlite else " FOR UPDATE"

    def create_schema(self) -> None:
        if inspect(self.engine).has_table("vigilo_instance"):
            return
        dialect = "sqlite" if self.sqlite else self.engine.dialect.name
        dialect = {"postgresql": "postgres"}.get(dialect, dialect)
        sql = subprocess.run(
            [sys.executable, "-m", "vigilo_gen", "sql", "--dialect", dialect], check=True,
            capture_output=True, text=True,
        ).stdout
        raw = self.engine.raw_connection()
        try:
            if self.sqlite:
                raw.driver_connection.executescript(sql)
            else:
                with raw.cursor() as cur:
                    cur.execute(sql)
                raw.commit()
        finally:
            raw.close()

    @contextmanager
    def tx(self, write: bool) -> Iterator[Connection]:
        """One transaction; on SQLite a write takes the write lock up front (BEGIN IMMEDIATE),
        so two writers never deadlock upgrading a read lock."""
        if not self.sqlite:
            with self.engine.begin() as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")

    # The root row: visible when it has no owner or the caller owns it.
    def root(self, conn: Connection, key: str, owner: str | None, lock: bool) -> str | None:
        row = conn.execute(
            text("SELECT id, user_id FROM vigilo_instance WHERE instance_key = :k"
                 + (self.lock_root if lock else "")),
            {"k": key},
        ).first()
        if row is None or (row.user_id is not None and row.user_id != owner):
            return None
        return row.id

    def root_for_write(self, conn: Connection, key: str, owner: str | None) -> str:
        found = self.root(conn, key, owner, lock=True)
        if found is not None:
            return found
        conn.execute(
            text("INSERT INTO vigilo_instance (id, instance_key, user_id) VALUES (:id, :k, :o) "
                 "ON CONFLICT (instance_key) DO NOTHING"),
            {"id": str(uuid.uuid4()), "k": key, "o": owner},
        )
        found = self.root(conn, key, owner, lock=True)
        if found is None:  # another owner's instance
            raise NotFound("no such instance")
        return found

    def get_state(self, key: str, owner: str | None) -> dict[str, Any]:
        """Three queries: the root with its one-to-one children, then each one-to-many set."""
        with self.tx(write=False) as conn:
            root = conn.execute(
                text("SELECT i.id, i.user_id, p.x, p.y, s.display_mode, s.is_hidden, "
                     "s.show_lines, s.show_badges, s.line_color, s.line_opacity, "
                     "s.component_opacity, s.id AS settings_id "
                     "FROM vigilo_instance i "
                     "LEFT JOIN vigilo_position p ON p.instance_id = i.id "
                     "LEFT JOIN vigilo_settings s ON s.instance_id = i.id "
                     "WHERE i.instance_key = :k"),
                {"k": key},
            ).first()
            if root is None or (root.user_id is not None and root.user_id != owner):
                raise NotFound("no such instance")
            p = {"i": root.id}
            connections = conn.execute(
                text("SELECT todo_index, target_selector, target_label, target_position_x, "
                     "target_position_y FROM vigilo_connection WHERE instance_id = :i "
                     "ORDER BY todo_index"), p,
            ).all()
            statuses = conn.execute(
                text("SELECT todo_index, status FROM vigilo_status WHERE instance_id = :i "
                     "ORDER BY todo_index"), p,
            ).all()
        state: dict[str, Any] = {}
        if root.x is not None:
            state["position"] = {"x": root.x, "y": root.y}
        items = []
        for c in connections:
            item: dict[str, Any] = {"todoIndex": c.todo_index, "targetSelector": c.target_selector,
                                    "targetLabel": c.target_label}
            if c.target_position_x is not None and c.target_position_y is not None:
                item["targetPosition"] = {"x": c.target_position_x, "y": c.target_position_y}
            items.append(item)
        state["connections"] = items
        if root.settings_id is None:
            state.update(SETTINGS_DEFAULTS)
        else:
            state.update(
                displayMode=root.display_mode, isHidden=bool(root.is_hidden),
                showLines=bool(root.show_lines), showBadges=bool(root.show_badges),
                lineColor=root.line_color, lineOpacity=root.line_opacity,
                componentOpacity=root.component_opacity,
            )
        state["statuses"] = {str(s.todo_index): s.status for s in statuses}
        return state

    def upsert_child(self, conn: Connection, table: str, root: str,
                     values: dict[str, Any]) -> None:
        """Update the one-to-one child, or insert it (with its defaults) when it is missing;
        a concurrent first insert is absorbed by ON CONFLICT."""
        sets = ", ".join(f"{col} = :{col}" for col in values)
        done = conn.execute(
            text(f"UPDATE {table} SET {sets}, updated_at = CURRENT_TIMESTAMP "
                 "WHERE instance_id = :i"), {"i": root, **values},
        )
        if done.rowcount:
            return
        cols = ", ".join(values)
        conn.execute(
            text(f"INSERT INTO {table} (id, instance_id, {cols}) VALUES (:id, :i, "
                 f"{', '.join(':' + c for c in values)}) ON CONFLICT (instance_id) "
                 f"DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in values)}"),
            {"id": str(uuid.uuid4()), "i": root, **values},
        )

    def save_setting(self, key: str, owner: str | None, column: str, value: Any) -> None:
        with self.tx(write=True) as conn:
            root = self.root_for_write(conn, key, owner)
            self.upsert_child(conn, "vigilo_settings", root, {column: value})

    def save_position(self, key: str, owner: str | None, x: int, y: int) -> None:
        with self.tx(write=True) as conn:
            root = self.root_for_write(conn, key, owner)
            self.upsert_child(conn, "vigilo_position", root, {"x": x, "y": y})

    def replace(self, key: str, owner: str | None, table: str, rows: list[dict]) -> None:
        with self.tx(write=True) as conn:
            root = self.root_for_write(conn, key, owner)
            conn.execute(text(f"DELETE FROM {table} WHERE instance_id = :i"), {"i": root})
            if rows:
                cols = list(rows[0])
                conn.execute(
                    text(f"INSERT INTO {table} (id, instance_id, {', '.join(cols)}) VALUES "
                         f"(:id, :i, {', '.join(':' + c for c in cols)})"),
                    [{"id": str(uuid.uuid4()), "i": root, **row} for row in rows],
                )


# -- HTTP ---------------------------------------------------------------------------------------


def _tokens() -> dict[str, str]:
    pairs = (item.split("=", 1) for item in os.environ.get("VIGILO_TOKENS", "").split(",") if item)
    return {token.strip(): owner.strip() for token, owner in pairs}


def make_app(url: str) -> Starlette:
    store = Store(url)
    store.create_schema()
    tokens = _tokens()

    def owner_of(request: Request) -> str | None:
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("bad authorization header")
        found = None
        for known, owner in tokens.items():  # constant time per comparison, no early exit
            if hmac.compare_digest(known.encode(), token.encode()):
                found = owner
        if found is None:
            raise Unauthorized("unknown token")
        return found

    def instance_key(request: Request) -> str:
        key = request.path_params["instanceKey"]
        if len(key) > 255 or not KEY_RE.match(key):
            raise BadRequest("$.instanceKey: does not match ^[A-Za-z0-9._~-]+$")
        return key

    async def body_of(request: Request) -> Any:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise Unsupported("expected application/json")
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise TooLarge("body over 1 MiB")
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise BadRequest(f"$: not JSON ({exc})") from exc

    def handler(fn: Callable) -> Callable:
        async def endpoint(request: Request) -> JSONResponse:
            try:
                return await fn(request)
            except (BadRequest, Unauthorized, NotFound, Unsupported, TooLarge) as exc:
                return JSONResponse({"error": str(exc)}, status_code=exc.status)

        return endpoint

    async def get_state(request: Request) -> JSONResponse:
        key, owner = instance_key(request), owner_of(request)
        return JSONResponse(await run_in_threadpool(store.get_state, key, owner))

    def setting(path: str) -> Callable:
        prop, column, check = SETTINGS[path]

        async def save(request: Request) -> JSONResponse:
            key, owner = instance_key(request), owner_of(request)
            body = _object(await body_of(request), "$", (prop,), (prop,))
            value = check(body[prop], f"$.{prop}")
            await run_in_threadpool(store.save_setting, key, owner, column, value)
            return JSONResponse({"success": True})

        return save

    async def save_position(request: Request) -> JSONResponse:
        key, owner = instance_key(request), owner_of(request)
        body = _object(await body_of(request), "$", ("x", "y"), ("x", "y"))
        x, y = _int(body["x"], "$.x"), _int(body["y"], "$.y")
        await run_in_threadpool(store.save_position, key, owner, x, y)
        return JSONResponse({"success": True})

    async def save_connections(request: Request) -> JSONResponse:
        key, owner = instance_key(request), owner_of(request)
        body = _object(await body_of(request), "$", ("connections",), ("connections",))
        items = body["connections"]
        if not isinstance(items, list):
            raise BadRequest("$.connections: expected an array")
        rows, seen = [], set()
        for n, item in enumerate(items):
            at = f"$.connections[{n}]"
            item = _object(item, at, ("todoIndex", "targetSelector", "targetLabel",
                                      "targetPosition"), ("todoIndex",))
            index = _int(item["todoIndex"], at + ".todoIndex", lo=0)
            if index in seen:
                raise BadRequest(f"{at}.todoIndex: duplicate key {index}")
            seen.add(index)
            pos = item.get("targetPosition")
            if pos is not None:
                pos = _object(pos, at + ".targetPosition", ("x", "y"), ("x", "y"))
                px, py = _int(pos["x"], at + ".targetPosition.x"), _int(pos["y"], at + ".y")
            else:
                px = py = None
            rows.append({
                "todo_index": index,
                "target_selector": _str(item.get("targetSelector"), at + ".targetSelector",
                                        1000, nullable=True),
                "target_label": _str(item.get("targetLabel"), at + ".targetLabel", 255,
                                     nullable=True),
                "target_position_x": px, "target_position_y": py,
            })
        await run_in_threadpool(store.replace, key, owner, "vigilo_connection", rows)
        return JSONResponse({"success": True})

    async def save_statuses(request: Request) -> JSONResponse:
        key, owner = instance_key(request), owner_of(request)
        body = _object(await body_of(request), "$", ("statuses",), ("statuses",))
        statuses = body["statuses"]
        if not isinstance(statuses, dict):
            raise BadRequest("$.statuses: expected an object")
        rows = []
        for name, status in statuses.items():
            at = f"$.statuses.{name}"
            if not re.fullmatch(r"0|[1-9][0-9]{0,9}", name) or int(name) > INT32[1]:
                raise BadRequest(f"{at}: key is not a task index")
            rows.append({"todo_index": int(name), "status": _enum(STATUSES)(status, at)})
        await run_in_threadpool(store.replace, key, owner, "vigilo_status", rows)
        return JSONResponse({"success": True})

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route(BASE + "/state/{instanceKey}", handler(get_state), methods=["GET"]),
        Route(BASE + "/position/{instanceKey}", handler(save_position), methods=["POST"]),
        Route(BASE + "/connections/{instanceKey}", handler(save_connections), methods=["POST"]),
        Route(BASE + "/statuses/{instanceKey}", handler(save_statuses), methods=["POST"]),
    ]
    routes += [Route(f"{BASE}/{path}/{{instanceKey}}", handler(setting(path)), methods=["POST"])
               for path in SETTINGS]

    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "not found"}, status_code=404)

    async def not_allowed(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "method not allowed"}, status_code=405)

    async def fault(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "internal error"}, status_code=500)

    return Starlette(routes=routes,
                     exception_handlers={404: not_found, 405: not_allowed, 500: fault})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite:///vigilo.db")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)

    import uvicorn

    app = make_app(args.db)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning",
                            access_log=False, server_header=False)
    server = uvicorn.Server(config)

    async def announce_when_started() -> None:
        import asyncio

        while not server.started:
            await asyncio.sleep(0.01)
        print(f"listening on http://{args.host}:{args.port}", file=sys.stderr, flush=True)

    import asyncio

    async def run() -> None:
        task = asyncio.ensure_future(announce_when_started())
        await server.serve()
        task.cancel()

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
