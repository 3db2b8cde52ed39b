"""`vigilo-gen serve` as the README describes it: the embedded default (./vigilo.db, made on
the first run and reused), the generated OpenAPI document at /openapi.json byte for byte, and
an existing schema that differs refused with what differs (never altered)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import httpx

from tests.contract.server import ServeProcess
from tests.support import BUNDLED_SPEC, run_cli


def test_no_db_makes_vigilo_db_here_and_reuses_it(tmp_path):
    with ServeProcess(BUNDLED_SPEC, None, tmp_path) as server:
        url = f"{server.base_url}/api/btwfyi/line-opacity/k1"
        assert httpx.post(url, json={"lineOpacity": 0.25}).json() == {"success": True}
    database = tmp_path / "vigilo.db"
    assert database.exists()
    with sqlite3.connect(database) as conn:  # WAL, as documented
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with ServeProcess(BUNDLED_SPEC, None, tmp_path) as server:
        state = httpx.get(f"{server.base_url}/api/btwfyi/state/k1").json()
    assert state["lineOpacity"] == 0.25  # the same file, read again
    log = server.log_tail(1000)
    assert "schema matches the spec" in log
    # README: no access log (a request is no log line; 500s are logged, never sent).
    assert "/api/btwfyi/" not in log and " 200" not in log, log


def test_openapi_json_is_the_generated_document(tmp_path):
    document = run_cli("openapi", "--spec", str(BUNDLED_SPEC)).stdout
    with ServeProcess(BUNDLED_SPEC, f"sqlite:///{tmp_path / 'x.db'}", tmp_path) as server:
        served = httpx.get(f"{server.base_url}/openapi.json")
        health = httpx.get(f"{server.base_url}/healthz")
    assert served.status_code == 200 and served.headers["content-type"] == "application/json"
    assert served.content == document.encode("utf-8")
    assert health.json() == {"ok": True}


def test_a_schema_that_differs_stops_the_server_with_what_differs(tmp_path):
    database = tmp_path / "old.db"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE vigilo_instance (id VARCHAR(36) PRIMARY KEY, "
                     "instance_key VARCHAR(255), legacy INTEGER)")
    result = subprocess.run(
        [sys.executable, "-m", "vigilo_gen", "serve", "--spec", str(BUNDLED_SPEC), "--db",
         f"sqlite:///{database}", "--port", "0"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert "vigilo_instance.user_id is missing" in message
    assert "vigilo_instance.legacy is not in the spec" in message
    assert "table vigilo_position is missing" in message
    with sqlite3.connect(database) as conn:  # never altered
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master "
                                             "WHERE type = 'table'")}
    assert tables == {"vigilo_instance"}


def test_a_bad_database_url_is_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "vigilo_gen", "serve", "--spec", str(BUNDLED_SPEC), "--db",
         "not a url"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "vigilo-gen: error: --db 'not a url' is not a database URL (e.g. sqlite:///vigilo.db, "
        "postgresql://user:pass@127.0.0.1/db)"]
