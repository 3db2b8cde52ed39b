"""The hand-written TypeScript peer of `make bench-service` (tools/node/handwritten-handlers.mjs)
answers what the generated service answers, so the benchmark compares equal work: on one SQLite
database seeded through `vigilo-gen serve` as the benchmark seeds it, the state of every seeded
key read through the peer equals serve's answer (the response schema of the bundled spec's
state read, documented in docs/runtime.md), a settings write through the peer is read back by
serve, and the peer refuses with serve's status what serve refuses (an unknown instance, a bad
key, a value out of range or of the wrong type, an unknown property, a body that is not an
object or not JSON, another content type), changing nothing."""

from __future__ import annotations

import http.client
import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.support import ROOT, missing

sys.path.insert(0, str(ROOT / "tools"))
import bench_service  # noqa: E402

KEYS = 6
# Requests both servers must refuse: (method, path, body, content type).
REFUSED = [
    ("GET", "/state/no-such-key", None, "application/json"),
    ("GET", "/state/bad%20key", None, "application/json"),
    *(
        ("POST", "/line-opacity/bench-001", bad, "application/json")
        for bad in (
            {"lineOpacity": 1.5},
            {"lineOpacity": "0.5"},
            {"lineOpacity": 0.5, "x": 1},
            {},
            [0.5],
            "{",
        )
    ),
    ("POST", "/line-opacity/bench-001", "{}", "text/plain"),
]


def _call(
    port: int,
    method: str,
    path: str,
    body: object | None = None,
    content_type: str = "application/json",
) -> tuple[int, object]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        raw = None if body is None else body if isinstance(body, str) else json.dumps(body)
        conn.request(
            method,
            bench_service.BASE + path,
            raw,
            {"Content-Type": content_type} if raw is not None else {},
        )
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read() or b"null")
    finally:
        conn.close()


@pytest.mark.node
@pytest.mark.engine
def test_node_handwritten_peer_answers_as_serve_does(tmp_path: Path):
    if shutil.which("node") is None:
        missing("executable 'node'")
    if not (ROOT / "tools" / "node" / "node_modules" / "better-sqlite3").exists():
        missing("npm package better-sqlite3 (npm ci --prefix tools/node)")
    url = f"sqlite:///{tmp_path / 'peer.db'}"
    with bench_service.Server("serve", url, tmp_path) as serve:
        bench_service.seed(serve.port, KEYS)
        expected = {
            f"bench-{i:03d}": _call(serve.port, "GET", f"/state/bench-{i:03d}") for i in range(KEYS)
        }
        refused = [_call(serve.port, *case[:3], content_type=case[3])[0] for case in REFUSED]
    assert all(status == 200 for status, _ in expected.values())
    assert [status // 100 for status in refused] == [4] * len(REFUSED), refused
    with bench_service.Server("node-handwritten", url, tmp_path) as peer:
        for key, answer in expected.items():
            assert _call(peer.port, "GET", f"/state/{key}") == answer, key
        assert _call(peer.port, "POST", "/line-opacity/bench-000", {"lineOpacity": 0.125}) == (
            200,
            {"success": True},
        )
        assert _call(peer.port, "POST", "/line-opacity/fresh-key", {"lineOpacity": 0.75}) == (
            200,
            {"success": True},
        )
        assert [_call(peer.port, *case[:3], content_type=case[3])[0] for case in REFUSED] == refused
    with bench_service.Server("serve", url, tmp_path) as serve:
        assert _call(serve.port, "GET", "/state/bench-000")[1]["lineOpacity"] == 0.125
        state = _call(serve.port, "GET", "/state/fresh-key")
        assert state[0] == 200 and state[1]["lineOpacity"] == 0.75
        # The refused writes changed nothing.
        assert _call(serve.port, "GET", "/state/bench-001") == expected["bench-001"]
