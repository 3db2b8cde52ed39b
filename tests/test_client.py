"""The browser side (``vigilo-gen client`` and ``vigilo-gen react``): prettier leaves the
modules unchanged and ``tsc --strict`` accepts them for every spec with an API; where the
writes land in the state follows docs/runtime.md; the Node tests (tests/client/store.test.ts)
run the client and the store against ``vigilo-gen serve``; and a real headless Chromium runs a
page built from the provider through reloads and an outage (tests/client/browser.mjs)."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from vigilo_gen.spec import load_spec

from tests.contract import bodies, values
from tests.contract.server import ServeProcess
from tests.support import ALL_SPECS, BUNDLED_SPEC, ROOT, generate, missing, run_cli
from tests.test_drizzle import NODE_TOOLS, node_tool

API_SPECS = [p for p in ALL_SPECS if load_spec(p).api is not None]
HERE = Path(__file__).parent / "client"
TSC_BROWSER = ["--", "--noUnusedLocals", "--lib", "ES2022,DOM"]


def _has_store(spec_path: Path) -> bool:
    from vigilo_gen.emitters.client import stores

    return any(into for _, writes in stores(load_spec(spec_path)) for _, into in writes)


@pytest.fixture(scope="module")
def modules(tmp_path_factory) -> dict[str, Path]:
    """Per spec, a folder with schemas.zod.ts, client.ts and (when a store exists)
    provider.ts, written by the CLI."""
    out = tmp_path_factory.mktemp("client")
    folders = {}
    for spec_path in API_SPECS:
        folder = out / spec_path.stem
        folder.mkdir()
        generate("zod", spec_path, folder / "schemas.zod.ts")
        generate("client", spec_path, folder / "client.ts")
        if _has_store(spec_path):
            generate("react", spec_path, folder / "provider.ts")
        folders[spec_path.stem] = folder
    return folders


def test_some_specs_have_a_provider_and_one_does_not(modules):
    with_provider = sorted(n for n, f in modules.items() if (f / "provider.ts").exists())
    assert "vigilo" in with_provider and len(with_provider) >= 2, with_provider
    # shop's only read has no write that its state shows: a provider would hold nothing
    result = run_cli("react", "--spec", "tests/specs/shop.yaml", "--out", os.devnull)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "nothing for a provider" in result.stderr


@pytest.mark.node
def test_prettier_leaves_the_modules_unchanged(modules):
    files = [
        str(p)
        for f in modules.values()
        for p in sorted(f.glob("*.ts"))
        if p.name != "schemas.zod.ts"
    ]
    result = node_tool("node_modules/prettier/bin/prettier.cjs", "--check", *files)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.node
@pytest.mark.parametrize("spec_path", API_SPECS, ids=[p.stem for p in API_SPECS])
def test_tsc_strict_type_checks_the_modules(modules, spec_path):
    folder = modules[spec_path.stem]
    result = node_tool("tsc-check.mjs", *map(str, sorted(folder.glob("*.ts"))), *TSC_BROWSER)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.node
def test_tsc_refuses_a_wrong_type_in_a_hook_or_a_call(modules, tmp_path):
    """The types say something: a setter given the wrong type, a call without its path
    parameter, are compile errors (the expectation: the spec's types)."""
    folder = modules["vigilo"]
    for name in ("schemas.zod.ts", "client.ts", "provider.ts"):
        shutil.copy(folder / name, tmp_path / name)
    good = tmp_path / "good.ts"
    good.write_text(
        'import { createClient } from "./client";\n'
        'import { useDisplayMode, usePosition } from "./provider";\n'
        "export const c = createClient();\n"
        'export const r = c.getState({ instanceKey: "k" }).then((s) => s.isHidden);\n'
        "export function f() {\n"
        '  useDisplayMode()[1]("compact");\n'
        "  usePosition()[1]({ x: 1, y: 2 });\n"
        "}\n"
    )
    result = node_tool("tsc-check.mjs", *map(str, sorted(tmp_path.glob("*.ts"))), *TSC_BROWSER)
    assert result.returncode == 0, result.stdout + result.stderr
    for wrong in (
        'useDisplayMode()[1]("sideways");',
        "usePosition()[1]({ x: 1 });",
        "c.getState({});",
        'c.saveHidden({ instanceKey: "k" }, { isHidden: 1 });',
    ):
        bad = tmp_path / "good.ts"
        bad.write_text(
            good.read_text().replace("  usePosition()[1]({ x: 1, y: 2 });", "  " + wrong)
        )
        result = node_tool("tsc-check.mjs", *map(str, sorted(tmp_path.glob("*.ts"))), *TSC_BROWSER)
        assert result.returncode != 0, wrong
        assert "good.ts" in result.stdout, result.stdout


def test_writes_land_where_the_read_shows_their_fields():
    """docs/runtime.md: a body property typed by a field is written to that field, and the
    read shows the field at the property typed by it; a replaced set is the list or map of
    the same child rows."""
    from vigilo_gen.emitters.client import stores
    from vigilo_gen.emitters.react import hooks

    ((read, writes),) = stores(load_spec(BUNDLED_SPEC))
    assert read.endpoint.name == "getState"
    into = {op.endpoint.name: p for op, p in writes}
    assert into["savePosition"] == [(("x",), ("position", "x")), (("y",), ("position", "y"))]
    assert into["saveConnections"] == [(("connections",), ("connections",))]
    assert into["saveStatuses"] == [(("statuses",), ("statuses",))]
    assert into["saveHidden"] == [(("isHidden",), ("isHidden",))]
    names = {h.name: (h.endpoint, h.prop, h.body) for h in hooks(writes)}
    assert names["usePosition"] == ("savePosition", "position", None)
    assert names["useIsHidden"] == ("saveHidden", "isHidden", "isHidden")
    assert len(names) == 10
    # blog: an insert is queued but never merged nor coalesced; a one-to-one child's field is
    ((read, writes),) = stores(load_spec(Path("tests/specs/blog.yaml")))
    into = {op.endpoint.name: (op.kind, p) for op, p in writes}
    assert into == {
        "publishPost": ("insert", None),
        "saveWebsite": ("write", [(("website",), ("website",))]),
    }
    # hostile: saveWhere writes `check`, which getWhere does not show: not merged
    ((read, writes),) = stores(load_spec(Path("tests/specs/hostile.yaml")))
    assert [(op.endpoint.name, p) for op, p in writes] == [("saveWhere", None)]



# One more write to the bundled spec's settings: it sets two properties of the state, so its
# hook is named after the endpoint (the module docstring of emitters/react.py).
TWO_PROPERTY_WRITE = """\
    - {name: NAME, method: POST, path: '/line-style/{instanceKey}', tag: settings,
       summary: Save the line style,
       body: {lineColor: VigiloSettings.lineColor, lineOpacity: VigiloSettings.lineOpacity}}
"""


@pytest.mark.parametrize(("endpoint", "message"), [
    # saveShowBadges sets showBadges alone: useShowBadges, as this endpoint's would be
    ("showBadges", "two hooks would be named useShowBadges (endpoints saveShowBadges and "
                   "showBadges); rename one"),
    ("store", "endpoint store's hook would be named useStore, which the module exports for "
              "itself; rename the endpoint"),
    ("status", "endpoint status's hook would be named useStatus, which the module exports for "
               "itself; rename the endpoint"),
])
def test_two_hooks_of_one_name_are_one_usage_error(endpoint, message, tmp_path):
    """A module exporting two consts of one name is refused by tsc; react refuses it first."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(BUNDLED_SPEC.read_text().rstrip("\n") + "\n"
                    + TWO_PROPERTY_WRITE.replace("NAME", endpoint))
    result = run_cli("react", "--spec", str(spec))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"vigilo-gen: error: {message}"]
    assert result.stdout == ""


# --- Node tests against the running service ----------------------------------------------------


class _Stub(BaseHTTPRequestHandler):
    """/fail/... answers 500 with the Error envelope; /slow/... answers after 10 s."""

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path.startswith("/slow"):
            time.sleep(10)
        body = json.dumps({"error": "the stub failed"}).encode()
        try:
            self.send_response(500)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up first

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module", params=["fastapi", "ts-handlers"])
def service(request, tmp_path_factory):
    """The bundled spec served on SQLite by `vigilo-gen serve`, or by the generated
    TypeScript handlers (Drizzle) in the Node server the contract tests use."""
    workdir = tmp_path_factory.mktemp(f"serve-{request.param}")
    if request.param == "fastapi":
        with ServeProcess(BUNDLED_SPEC, None, workdir) as server:
            yield server
        return
    import sqlite3

    from tests.contract.node_server import NodeHandlersProcess, generate_module, schema_sql

    if shutil.which("node") is None:
        missing("executable 'node'")
    handlers = generate_module(BUNDLED_SPEC, workdir / "gen", "drizzle", "sqlite")
    database = workdir / "client.db"
    connection = sqlite3.connect(database)
    connection.executescript(schema_sql(BUNDLED_SPEC, "sqlite"))
    connection.close()
    server = NodeHandlersProcess(handlers, "sqlite", str(database), workdir).start()
    try:
        yield server
    finally:
        server.stop()


def _bundle(entry: Path, out: Path, *options: str) -> None:
    result = node_tool("bundle.mjs", str(entry), str(out), *options)
    assert result.returncode == 0, result.stdout + result.stderr


def _cases(spec_path: Path, base_url: str, stub_url: str, db_url: str | None = None) -> dict:
    """What store.test.ts needs, made from the spec: fresh instances' path parameters (their
    root rows seeded through ``db_url`` when no write creates them), two valid bodies per
    write of the store, a body that breaks a rule, a broken parameter."""
    from vigilo_gen.emitters.client import stores

    spec = load_spec(spec_path)
    ((read, writes),) = [s for s in stores(spec) if any(p for _, p in s[1])]
    rng = random.Random(f"client:{spec.name}")
    instances = []
    for _ in range(20):
        params = {}
        for name, field in read.root.params:
            value = str(values.unique_value(field, rng))
            while value in (".", "..") or "/" in value:
                value = str(values.unique_value(field, rng))
            params[name] = value
        instances.append(params)
    if not read.root.create:
        from tests.contract.db import Database

        database = Database(spec, db_url)
        model = spec.model(read.root.model)
        for params in instances:
            database.insert(model, {field.name: params[n] for n, field in read.root.params})
        database.close()
    made = {}
    refused = None
    for op, _into in writes:
        makers = [bodies.BodyMaker(spec, op.endpoint, lambda _m: "", seed=s) for s in (1, 2)]
        made[op.endpoint.name] = [m.valid() for m in makers]
        if refused is None:
            bad = makers[0].bad()
            if bad:
                refused = {"endpoint": op.endpoint.name, "body": bad[0].body}
    label, name, value = bodies.bad_params(spec, read.endpoint)[0]
    return {
        "baseUrl": base_url,
        "stubUrl": stub_url,
        "store": read.endpoint.name,
        "params": instances,
        "bodies": made,
        "refused": refused,
        "badParams": {**instances[0], name: value},
        "auth": spec.api.auth_scheme is not None,
    }


def _node_tests(folder: Path, tmp_path: Path, cases: dict) -> None:
    for name in ("schemas.zod.ts", "client.ts"):
        shutil.copy(folder / name, tmp_path / name)
    shutil.copy(HERE / "store.test.ts", tmp_path / "store.test.ts")
    bundle = tmp_path / "store.test.mjs"
    _bundle(tmp_path / "store.test.ts", bundle, "--platform", "node")
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    env = {**os.environ, "CLIENT_CASES": str(tmp_path / "cases.json")}
    run = subprocess.run(
        [shutil.which("node") or "node", "--test", "--test-reporter=spec", str(bundle)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=NODE_TOOLS,
    )
    output = run.stdout + run.stderr
    print(output)
    assert run.returncode == 0, output
    passed = re.search(r"pass (\d+)", output)
    tests = (HERE / "store.test.ts").read_text().count("\ntest(")
    assert passed and int(passed.group(1)) == tests, output
    assert re.search(r"fail 0", output), output


@pytest.mark.node
def test_node_client_and_store_against_the_service(modules, service, stub, tmp_path):
    """tests/client/store.test.ts on the bundled spec: every endpoint round-trips, typed
    errors, debounce, the queue through an outage and a reload, refused writes."""
    _node_tests(modules["vigilo"], tmp_path, _cases(BUNDLED_SPEC, service.base_url, stub))


@pytest.mark.node
def test_node_client_and_store_on_another_spec(modules, stub, tmp_path):
    """The same tests on blog (no auth, roots that no write creates, an insert among the
    writes), served by `vigilo-gen serve` on SQLite."""
    spec_path = ROOT / "tests" / "specs" / "blog.yaml"
    (tmp_path / "serve").mkdir()
    db_url = f"sqlite:///{tmp_path / 'serve' / 'blog.db'}"
    with ServeProcess(spec_path, db_url, tmp_path / "serve") as server:
        cases = _cases(spec_path, server.base_url, stub, db_url)
        assert "publishPost" in cases["bodies"]  # the insert is called too
        _node_tests(modules["blog"], tmp_path, cases)


# --- a real browser --------------------------------------------------------------------------


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        missing("Debian's chromium (tools/install-engines.sh installs it)")
    return found


@pytest.mark.node
def test_browser_keeps_changes_across_reloads_and_an_outage(modules, tmp_path):
    """Headless Chromium runs a page built from the provider: settings changed online are
    shown after a reload; changed offline they are shown after a reload while still offline
    (status: offline, 5 queued); back online the queue replays and the server holds every
    change. The screenshot is saved under out/browser/ (printed)."""
    chromium = _chromium()
    folder = modules["vigilo"]
    for name in ("schemas.zod.ts", "client.ts", "provider.ts"):
        shutil.copy(folder / name, tmp_path / name)
    shutil.copy(HERE / "page.tsx", tmp_path / "page.tsx")
    result = node_tool(
        "tsc-check.mjs",
        *map(str, sorted(tmp_path.glob("*.ts*"))),
        "--",
        "--noUnusedLocals",
        "--lib",
        "ES2022,DOM",
        "--jsx",
        "react-jsx",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    _bundle(tmp_path / "page.tsx", tmp_path / "page.js", "--minify")
    shots = Path(__file__).parents[1] / "out" / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    screenshot = shots / "settings.png"
    key = f"browser-{os.getpid()}-{int(time.time())}"
    (tmp_path / "serve").mkdir()
    with ServeProcess(BUNDLED_SPEC, None, tmp_path / "serve") as server:
        run = subprocess.run(
            [
                shutil.which("node"),
                str(HERE / "browser.mjs"),
                chromium,
                server.base_url,
                str(tmp_path / "page.js"),
                key,
                str(screenshot),
            ],
            capture_output=True,
            text=True,
            timeout=240,
            cwd=NODE_TOOLS,
            env={**os.environ, "NODE_TOOLS": str(NODE_TOOLS)},
        )
        assert run.returncode == 0, run.stdout + run.stderr
        held = httpx.get(f"{server.base_url}/api/btwfyi/state/{key}", timeout=10).json()
    print(f"screenshot: {screenshot}")
    report = json.loads(run.stdout.strip().splitlines()[-1])
    steps = report["steps"]
    assert steps["online"]["displayMode"] == "compact" and steps["online"]["isHidden"] is True
    assert steps["reloaded"] == steps["online"]
    expected = {
        "displayMode": "minimal",
        "isHidden": False,
        "lineColor": "#a855f7",
        "position": {"x": 20, "y": 10},
        "statuses": {"0": "done", "1": "done"},
    }
    for step in ("offline", "offlineReloaded", "back"):
        assert steps[step] == expected, (step, steps[step])
    assert steps["offlineStatus"] == "offline · 5 queued"
    assert steps["backStatus"] == "online · 0 queued"
    assert {k: held[k] for k in expected} == expected
    assert screenshot.stat().st_size > 1000


@pytest.mark.node
def test_the_browser_side_of_the_bundled_spec_is_under_10_kb_gzipped():
    """The issue's budget: client + store + provider, minified and gzipped, without React and
    Zod (the generated schemas included), measured as `make bench` reports it."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "tools"))
    import bundle_size

    node_tool("bundle.mjs", "--help")  # fails (CI) or skips when the tools are missing
    sizes = bundle_size.measure(BUNDLED_SPEC)
    assert 1000 < sizes["runtime"]["gzip"] < sizes["with_schemas"]["gzip"] < 10 * 1024, sizes
