#!/usr/bin/env python3
"""`make bench`: whole-process timings of vigilo-gen and of the peer tools that run here.

For the bundled spec and for generated 50- and 500-table specs (tools/make_spec.py), every
emitter (and `vigilo-gen all` when the installed CLI has it) runs as a fresh process: one
warm-up, then --runs timed runs; the table shows the median wall time, the peak RSS of the
slowest-memory run (os.wait4, per process) and the ratio 500/50 (linear cost is <= 10; the
target is <= 12). In the same run, the peer tools run on the equivalent input written by our
own emitters: `prisma format` on our schema.prisma, `drizzle-kit generate` on our Drizzle module
and `datamodel-codegen` on our OpenAPI document, and the table gives ours/peer.

    python tools/bench.py [--runs 5] [--out docs/bench.md] [--sizes 50,500]

Machines are noisy (this one is shared): judge by the ratios measured in one run, and read the
load average printed with the results. Standard library only; nothing is imported from
vigilo_gen, every measurement is a subprocess exactly as a user runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "tools" / "node"
NODE_MODULES = NODE / "node_modules"
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundle_size  # noqa: E402
from make_spec import make_spec  # noqa: E402

EMITTERS = ["sql", "prisma", "drizzle", "sqlalchemy", "peewee", "openapi", "pydantic"]
# The spec back from our own SQL: `import sql` (PostgreSQL DDL) and `import db` (a SQLite
# database built from our SQLite DDL), next to `drizzle-kit pull` on that database (`prisma
# db pull` needs its native engine, which does not run offline here). No target yet.
IMPORTS = ["import sql", "import db"]
# Targets (medians, seconds): bundled spec, one emitter per process; 500 tables.
# `check` runs on fresh files (as in a pre-commit hook): confirmed from the header stamps.
SMALL_TARGET = {"sql": 0.20, "pydantic": 0.6, "all": 1.0, "check": 0.1}
SMALL_DEFAULT = 0.15
LARGE_TARGET = {"pydantic": 3.0, "all": 5.0, "check": 0.5}
LARGE_DEFAULT = 1.5
RSS_TARGET_MB = 250
LINEAR_TARGET = 12.0


@dataclass
class Result:
    times: list[float] = field(default_factory=list)
    rss_kb: int = 0
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times and not self.error else None


def executable(name: str) -> str | None:
    """The real script next to this interpreter (not a pyenv/asdf shell shim), else PATH's."""
    local = Path(sys.executable).parent / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def run_once(argv: list[str], cwd: Path, env: dict | None) -> tuple[float, int, int, str]:
    """(wall seconds, peak RSS KB, exit status, stderr tail) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    # Read stderr before waiting (a chatty tool must not block), then reap it with wait4 to
    # get this child's own resource usage.
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss, proc.returncode, err.decode(errors="replace")[-400:]


@dataclass
class Job:
    argv: list[str]
    cwd: Path
    env: dict | None
    before: object  # () -> None, resets state (untimed) before each run
    check: object  # () -> error text | None, after each run
    result: Result = field(default_factory=Result)

    def once(self, timed: bool) -> None:
        if self.result.error:
            return
        if self.before:
            self.before()
        elapsed, rss, code, err = run_once(self.argv, self.cwd, self.env)
        problem = f"exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}" \
            if code else (self.check() if self.check else None)
        if problem:
            self.result.error = problem
        elif timed:
            self.result.times.append(elapsed)
            self.result.rss_kb = max(self.result.rss_kb, rss)


PENDING: list[Job] = []


def measure(argv: list[str], cwd: Path, runs: int, env: dict | None = None,
            before=None, check=None) -> Result:
    """Queue a command; its Result fills in when ``run_pending`` runs the queue."""
    job = Job(argv, cwd, env, before, check)
    PENDING.append(job)
    return job.result


def run_pending(runs: int, say) -> None:
    """One warm-up round, then ``runs`` timed rounds; each round runs every queued command
    once, in turn, so that a change of the machine's load affects ours and the peers alike."""
    for i in range(runs + 1):
        say(f"  round {i}/{runs}" + (" (warm-up)" if i == 0 else ""))
        for job in PENDING:
            job.once(timed=i > 0)
    PENDING.clear()


def fmt_time(r: Result | None) -> str:
    if r is None:
        return "—"
    if r.error:
        return "error"
    return f"{r.median:.3f}"


def fmt_rss(r: Result | None) -> str:
    return f"{r.rss_kb / 1024:.0f}" if r and not r.error else "—"


def ratio(a: Result | None, b: Result | None) -> str:
    if a is None or b is None or a.median is None or b.median is None or not b.median:
        return "—"
    return f"{a.median / b.median:.2f}"


def tool_version(argv: list[str], cwd: Path, env: dict | None = None) -> str:
    try:
        out = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0].strip() if text else "?"


class Bench:
    def __init__(self, work: Path, runs: int, sizes: list[int]):
        self.work = work
        self.runs = runs
        self.sizes = sizes
        self.vg = executable("vigilo-gen")
        if self.vg is None:
            sys.exit("bench: vigilo-gen is not installed (make install)")
        self.specs: dict[str, Path] = {"bundled": ROOT / "spec" / "vigilo.yaml"}
        for n in sizes:
            path = work / f"spec{n}.yaml"
            path.write_text(make_spec(n), encoding="utf-8")
            self.specs[f"{n} tables"] = path
        self.bundle: dict | None = None  # bundle_size.measure of the bundled spec
        self.bundle_error = ""
        self.ours: dict[tuple[str, str], Result] = {}
        self.peers: dict[tuple[str, str], Result] = {}
        self.plugins: dict[str, Result] = {}
        self.has_all = subprocess.run([self.vg, "all", "--help"], capture_output=True,
                                      cwd=work).returncode == 0

    def say(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def ours_for(self, label: str, spec: Path) -> None:
        folder = self.work / label.replace(" ", "-")
        folder.mkdir(exist_ok=True)
        for name in EMITTERS:
            out = folder / f"out.{name}"
            argv = [self.vg, name, "--spec", str(spec), "--out", str(out)]
            # Written once now (untimed): the peers' inputs are these files.
            subprocess.run(argv, cwd=folder, capture_output=True)
            self.ours[(name, label)] = measure(argv, folder, self.runs)
        if self.has_all:
            self.ours[("all", label)] = self.measure_all(folder, spec, label)
        self.imports_for(label, folder)

    def imports_for(self, label: str, folder: Path) -> None:
        """`import sql` of our PostgreSQL DDL, and `import db` of a SQLite database built from
        our SQLite DDL (sqlite3 of the standard library): the spec back from each."""
        if subprocess.run([self.vg, "import", "--help"], capture_output=True,
                          cwd=folder).returncode:
            return  # an installed vigilo-gen without `import`
        ddl = folder / "schema.postgres.sql"
        subprocess.run([self.vg, "sql", "--dialect", "postgres", "--spec",
                        str(self.specs[label]), "--out", str(ddl)], cwd=folder,
                       capture_output=True)
        self.ours[("import sql", label)] = measure(
            [self.vg, "import", "sql", str(ddl), "--dialect", "postgres", "--out",
             str(folder / "imported-sql.yaml")], folder, self.runs)
        import sqlite3

        database = folder / "schema.sqlite"
        database.unlink(missing_ok=True)
        text = subprocess.run([self.vg, "sql", "--dialect", "sqlite", "--spec",
                               str(self.specs[label])], cwd=folder, capture_output=True,
                              text=True).stdout
        with sqlite3.connect(database) as connection:
            connection.executescript(text)
        connection.close()
        self.ours[("import db", label)] = measure(
            [self.vg, "import", "db", f"sqlite:///{database}", "--out",
             str(folder / "imported-db.yaml")], folder, self.runs)

    def measure_all(self, folder: Path, spec: Path, label: str) -> Result:
        project = folder / "project"
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir()
        # `init` writes the default config (every built-in target: 3 SQL dialects, prisma,
        # drizzle, sqlalchemy, peewee, openapi, pydantic) and the bundled spec; the spec
        # under test replaces the latter. The warm-up run writes the outputs; the timed runs
        # render everything and find it unchanged, as in a pre-commit hook.
        init = subprocess.run([self.vg, "init"], cwd=project, capture_output=True, text=True)
        if init.returncode:
            return Result(error=f"init exit {init.returncode}: {init.stderr.strip()[-200:]}")
        shutil.copy(spec, project / "spec" / "vigilo.yaml")
        result = measure([self.vg, "all"], project, self.runs)
        # `check` right after `all` in each round: the files are fresh, as in a pre-commit hook
        self.ours[("check", label)] = measure([self.vg, "check"], project, self.runs)
        return result

    def plugins_for(self, spec: Path) -> None:
        """`prisma` and `check` with and without the guide's example plug-in installed
        (examples/plugin, by pip into a folder on PYTHONPATH): an installed plug-in must cost
        the commands that do not name it nothing. "typer path" is the way every command went
        before plug-ins were loaded lazily (VIGILO_GEN_NO_FAST_PATH=1)."""
        folder = self.work / "plugins"
        folder.mkdir(exist_ok=True)
        site = folder / "site"
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                              "--target", str(site), str(ROOT / "examples" / "plugin")],
                             capture_output=True, text=True)
        if pip.returncode:
            self.plugins["install"] = Result(error=pip.stderr.strip()[-200:])
            return
        base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        with_plugin = {**base, "PYTHONPATH": str(site)}
        typer_path = {**with_plugin, "VIGILO_GEN_NO_FAST_PATH": "1"}
        prisma = [self.vg, "prisma", "--spec", str(spec), "--out", str(folder / "out.prisma")]
        self.plugins["prisma, no plug-in"] = measure(prisma, folder, self.runs, base)
        self.plugins["prisma, plug-in installed"] = measure(prisma, folder, self.runs,
                                                            with_plugin)
        self.plugins["prisma, plug-in installed, typer path"] = measure(
            prisma, folder, self.runs, typer_path)
        self.plugins["typeddict (the plug-in)"] = measure(
            [self.vg, "typeddict", "--style", "functional", "--spec", str(spec), "--out",
             str(folder / "rows.py")], folder, self.runs, with_plugin)
        project = self.work / "bundled" / "project"
        if self.has_all and project.is_dir():
            self.plugins["check, no plug-in"] = measure([self.vg, "check"], project,
                                                        self.runs, base)
            self.plugins["check, plug-in installed"] = measure([self.vg, "check"], project,
                                                               self.runs, with_plugin)

    def peers_for(self, label: str) -> None:
        folder = self.work / label.replace(" ", "-")
        node = shutil.which("node")
        prisma = NODE_MODULES / "prisma" / "build" / "index.js"
        if node and prisma.is_file():
            self.say(f"  prisma format ({label})")
            self.peers[("prisma", label)] = self.prisma_format(node, prisma, folder)
        drizzle = NODE_MODULES / "drizzle-kit" / "bin.cjs"
        if node and drizzle.is_file():
            self.say(f"  drizzle-kit generate ({label})")
            self.peers[("drizzle", label)] = self.drizzle_generate(node, drizzle, folder)
            if (folder / "schema.sqlite").is_file():
                self.say(f"  drizzle-kit pull ({label})")
                self.peers[("import db", label)] = self.drizzle_pull(node, drizzle, folder)
        dmcg = executable("datamodel-codegen")
        if dmcg:
            self.say(f"  datamodel-codegen ({label})")
            out = folder / "peer_models.py"
            self.peers[("pydantic", label)] = measure(
                [dmcg, "--input", str(folder / "out.openapi"), "--input-file-type", "openapi",
                 "--output", str(out)], folder, self.runs,
                check=lambda: None if out.is_file() else "no output")

    def prisma_format(self, node: str, cli: Path, folder: Path) -> Result:
        work = folder / "prisma"
        work.mkdir(exist_ok=True)
        engine = work / "schema-engine-unavailable"
        engine.write_text("#!/bin/sh\nexit 1\n")
        engine.chmod(0o755)
        env = {**os.environ, "PRISMA_SCHEMA_ENGINE_BINARY": str(engine),
               "PRISMA_HIDE_UPDATE_MESSAGE": "1", "PRISMA_HIDE_PREVIEW_FLAG_WARNINGS": "1",
               "CHECKPOINT_DISABLE": "1", "PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING": "1",
               "NO_COLOR": "1", "FORCE_COLOR": "0"}
        schema = work / "schema.prisma"

        def fresh() -> None:
            shutil.copy(folder / "out.prisma", schema)

        return measure([node, str(cli), "format", f"--schema={schema}"], work, self.runs,
                       env=env, before=fresh)

    def drizzle_generate(self, node: str, cli: Path, folder: Path) -> Result:
        work = folder / "drizzle"
        work.mkdir(exist_ok=True)
        schema = work / "schema.ts"
        shutil.copy(folder / "out.drizzle", schema)
        out = work / "migrations"
        config = work / "drizzle.config.ts"
        settings = {"dialect": "postgresql", "schema": str(schema), "out": str(out),
                    "breakpoints": True, "strict": False, "verbose": False}
        config.write_text(f"export default {json.dumps(settings)};\n")
        env = {**os.environ, "NODE_PATH": str(NODE_MODULES), "NO_COLOR": "1",
               "FORCE_COLOR": "0"}

        def fresh() -> None:
            shutil.rmtree(out, ignore_errors=True)

        def produced() -> str | None:
            sql = list(out.glob("*.sql")) if out.is_dir() else []
            return None if sql else "drizzle-kit wrote no SQL"

        return measure([node, str(cli), "generate", f"--config={config}", "--name=schema"],
                       work, self.runs, env=env, before=fresh, check=produced)

    def drizzle_pull(self, node: str, cli: Path, folder: Path) -> Result:
        """`drizzle-kit pull` of the SQLite database `import db` reads (offline)."""
        work = folder / "drizzle-pull"
        work.mkdir(exist_ok=True)
        out = work / "pulled"
        config = work / "drizzle.config.js"
        settings = {"dialect": "sqlite", "dbCredentials": {"url": str(folder / "schema.sqlite")},
                    "out": str(out)}
        config.write_text(f"module.exports = {json.dumps(settings)};\n")
        env = {**os.environ, "NODE_PATH": str(NODE_MODULES), "NO_COLOR": "1",
               "FORCE_COLOR": "0"}

        def fresh() -> None:
            shutil.rmtree(out, ignore_errors=True)

        def produced() -> str | None:
            return None if (out / "schema.ts").is_file() else "drizzle-kit pull wrote no schema"

        return measure([node, str(cli), "pull", f"--config={config}"], work, self.runs, env=env,
                       before=fresh, check=produced)

    def versions(self) -> list[str]:
        node = shutil.which("node")
        items = [f"vigilo-gen: {tool_version([self.vg, '--version'], self.work)}",
                 f"Python {platform.python_version()}"]
        if node:
            items.append(f"node {tool_version([node, '--version'], self.work)}")
            for pkg in ("prisma", "drizzle-kit"):
                pj = NODE_MODULES / pkg / "package.json"
                if pj.is_file():
                    items.append(f"{pkg} {json.loads(pj.read_text())['version']}")
        dmcg = executable("datamodel-codegen")
        if dmcg:
            items.append(f"datamodel-codegen {tool_version([dmcg, '--version'], self.work)}")
        return items


def verdicts(bench: Bench, small: str, large: str, base: str) -> list[str]:
    """One line per target: holds / does not hold, with the measured figure."""
    lines = []

    def line(ok: bool | None, text: str) -> None:
        mark = "—" if ok is None else ("holds" if ok else "**does not hold**")
        lines.append(f"- {text}: {mark}")

    names = EMITTERS + (["all", "check"] if bench.has_all else [])
    for name in names:
        r = bench.ours.get((name, small))
        limit = SMALL_TARGET.get(name, SMALL_DEFAULT)
        line(None if r is None or r.median is None else r.median <= limit,
             f"`{name}` on the bundled spec ≤ {limit} s (measured {fmt_time(r)})")
    for name in names:
        r = bench.ours.get((name, large))
        limit = LARGE_TARGET.get(name, LARGE_DEFAULT)
        line(None if r is None or r.median is None else r.median <= limit,
             f"`{name}` on {large} ≤ {limit} s (measured {fmt_time(r)})")
    rss = [bench.ours[(n, large)].rss_kb for n in names if (n, large) in bench.ours
           and not bench.ours[(n, large)].error]
    if rss:
        line(max(rss) / 1024 <= RSS_TARGET_MB,
             f"peak RSS on {large} ≤ {RSS_TARGET_MB} MB (max {max(rss) / 1024:.0f} MB)")
    for name in names:
        a, b = bench.ours.get((name, large)), bench.ours.get((name, base))
        if a and b and a.median and b.median:
            line(a.median / b.median <= LINEAR_TARGET,
                 f"`{name}` time({large})/time({base}) ≤ {LINEAR_TARGET:g} "
                 f"(measured {a.median / b.median:.1f})")
    for label in bench.specs:
        a, b = bench.ours.get(("prisma", label)), bench.peers.get(("prisma", label))
        if a and b and a.median and b.median:
            line(a.median <= b.median / 2, f"`vigilo-gen prisma` ≤ ½ `prisma format` on "
                 f"{label} (ratio {a.median / b.median:.2f})")
        a, b = bench.ours.get(("drizzle", label)), bench.peers.get(("drizzle", label))
        if a and b and a.median and b.median:
            line(a.median < b.median, f"`vigilo-gen drizzle` < `drizzle-kit generate` on "
                 f"{label} (ratio {a.median / b.median:.2f})")
    if bench.bundle is not None:
        gzip = bench.bundle["with_schemas"]["gzip"]
        line(gzip < bundle_size.TARGET_GZIP,
             f"browser client + store + provider (bundled spec, with its Zod schemas) < "
             f"{bundle_size.TARGET_GZIP // 1024} kB gzipped (measured {gzip / 1024:.1f} kB)")
    return lines


def bundle_table(bench: Bench) -> list[str]:
    if bench.bundle is None:
        return [f"Not measured: {bench.bundle_error or 'node or esbuild missing'}."]
    rows = [("client + store + provider + the generated Zod schemas", "with_schemas"),
            ("client + store + provider (schemas stubbed out)", "runtime")]
    table = ["| bundled spec | minified bytes | gzipped bytes |", "|---|---|---|"]
    for label, key in rows:
        size = bench.bundle[key]
        table.append(f"| {label} | {size['bytes']} | {size['gzip']} |")
    return ["The browser side (`vigilo-gen client` + `vigilo-gen react`) bundled by esbuild "
            "(`tools/bundle_size.py`), minified, React, react-dom and the zod library left "
            "out (the page has them), gzip level 9.", "", *table]


NOTES = """\
## Notes

- Where the time goes. A bare `python -c pass` costs ~40 ms here, 30 of them in `site` (the
  .pth files of the environment, among them the editable-install finder of `pip install -e .`);
  then the entry point (~5 ms), the emitter registry (`importlib.metadata` entry points,
  ~20 ms, kept so that plug-ins register exactly as built-ins), YAML + spec model (~25 ms), and
  the emitter's own library: jinja2 (~30 ms) plus its compiled template (~15 ms), sqlglot
  (~70 ms), datamodel-code-generator (~300 ms). On 500 tables, reading the spec
  (libyaml + our position-keeping walk + model build) is ~0.4 s of every command.
- pydantic (and therefore `all`) on 500 tables: the output is formatted by ruff (~0.06 s;
  black and isort in-process took ~8.7 s for the same ~15,000 lines, with the same result);
  what remains is datamodel-code-generator's own parsing and rendering (~2.5 s) and the spec
  read. What it would take to reach 3 s: writing the models from our own templates instead of
  through datamodel-code-generator, which the issue rules out (one source of truth: its input is
  our OpenAPI document).
- Against the peers at 500 tables: drizzle-kit is mostly Node start-up plus esbuild and grows
  little with the schema, and `prisma format` is a WebAssembly formatter; our cost there is the
  spec read (~0.4 s, the same for every emitter) plus the render (drizzle: our prettier-exact
  layout engine in pure Python, ~0.6 s). What it would take: reading the spec faster still
  (positions kept as marks and converted only for messages, a leaner model build) and a cheaper
  layout pass; on the bundled and 50-table specs both ratios hold with a wide margin.
- `check` on fresh files renders nothing: each header carries a stamp (the spec's meaning
  hash, the emitter and its options, a hash of the file) that `check` confirms after hashing
  the spec's YAML events (libyaml, no model build), without typer or any emitter imported.
  On 500 tables that event pass is most of its time; the tool version is on the first line.
- The bundled-spec targets (0.15 s; sql 0.20 s) sit close to that fixed cost on a loaded
  2-core machine: what is left to cut is the interpreter's `site` (environment), the entry-point
  scan (plug-in discovery) and jinja2's import and template compilation (precompiled templates
  through jinja2's ModuleLoader would save the ~15 ms compile).
"""


PEER_NAMES = {"prisma": "prisma format", "drizzle": "drizzle-kit generate",
              "pydantic": "datamodel-codegen", "import db": "drizzle-kit pull (sqlite)"}


def report(bench: Bench, load_before: tuple, load_after: tuple, seconds: float) -> str:
    labels = list(bench.specs)
    base, large = (labels[-2], labels[-1]) if len(labels) >= 3 else (labels[0], labels[-1])
    head = ["command"]
    for label in labels:
        head += [f"{label} s", f"{label} MB"]
    head.append(f"{large.split()[0]}/{base.split()[0]}")
    rows = []
    names = EMITTERS + (["all", "check"] if bench.has_all else []) + IMPORTS
    for name in names:
        if not any((name, label) in bench.ours for label in labels):
            continue
        row = [f"vigilo-gen {name}"]
        for label in labels:
            r = bench.ours.get((name, label))
            row += [fmt_time(r), fmt_rss(r)]
        row.append(ratio(bench.ours.get((name, large)), bench.ours.get((name, base))))
        rows.append(row)
    for name, peer in PEER_NAMES.items():
        if not any((name, label) in bench.peers for label in labels):
            continue
        row = [f"peer: {peer}"]
        for label in labels:
            r = bench.peers.get((name, label))
            row += [fmt_time(r), fmt_rss(r)]
        row.append(ratio(bench.peers.get((name, large)), bench.peers.get((name, base))))
        rows.append(row)
    table = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    table += ["| " + " | ".join(r) + " |" for r in rows]

    vs_head = ["ours / peer"] + labels
    vs = ["| " + " | ".join(vs_head) + " |", "|" + "---|" * len(vs_head)]
    for name, peer in PEER_NAMES.items():
        if any((name, label) in bench.peers for label in labels):
            vs.append("| " + " | ".join(
                [f"vigilo-gen {name} / {peer}"]
                + [ratio(bench.ours.get((name, lb)), bench.peers.get((name, lb)))
                   for lb in labels]) + " |")

    errors = [f"- {k[0]} ({k[1]}): {r.error}" for d in (bench.ours, bench.peers)
              for k, r in d.items() if r.error]
    cpu = os.cpu_count()
    text = [
        "# Benchmark (`make bench`)",
        "",
        f"Median wall time of {bench.runs} runs after one warm-up, whole process (seconds), "
        "and peak RSS (MB, the largest of the runs); for each spec, every command runs once per "
        "round, in turn, so that load changes hit ours and the peers alike. Each command is a "
        "fresh process writing "
        "its file with `--out`; the peers run on the files our emitters wrote for the same "
        "spec (`prisma format` on schema.prisma, `drizzle-kit generate` (postgresql) on the "
        "Drizzle module, `datamodel-codegen` (default formatters) on the OpenAPI document). "
        "Specs: the bundled spec/vigilo.yaml, and `tools/make_spec.py N` (N tables, 14 fields "
        "each, an enum, uniques, an index, a foreign key to the previous table, a schema and "
        "two endpoints per table).",
        "",
        f"Machine: {platform.machine()}, {cpu} CPUs, {platform.system()} "
        f"{platform.release()}; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after; the run took {seconds:.0f} s. "
        + "; ".join(bench.versions()) + ".",
        "",
        *table,
        "",
        *vs,
        "",
        "## Browser bundle",
        "",
        *bundle_table(bench),
        "",
        "## Targets",
        "",
        *verdicts(bench, labels[0], large, base),
    ]
    if bench.plugins:
        text += ["", "## Installed plug-ins", "",
                 "The guide's example plug-in (examples/plugin) installed by pip on PYTHONPATH, "
                 "bundled spec. Only the emitter named on the command line is imported; the "
                 "typer path (`VIGILO_GEN_NO_FAST_PATH=1`) is how every command ran while any "
                 "plug-in was installed before plug-ins were loaded lazily.", "",
                 "| command | median s | MB |", "|---|---|---|"]
        text += [f"| {name} | {fmt_time(r)} | {fmt_rss(r)} |"
                 for name, r in bench.plugins.items()]
        a = bench.plugins.get("prisma, plug-in installed")
        b = bench.plugins.get("prisma, no plug-in")
        if a and b and a.median and b.median:
            text += ["", f"- `prisma` with / without the plug-in installed ≤ 1.10: "
                     f"{'holds' if a.median / b.median <= 1.10 else '**does not hold**'} "
                     f"(measured {a.median / b.median:.2f})"]
        errors += [f"- plug-ins ({k}): {r.error}" for k, r in bench.plugins.items() if r.error]
    if errors:
        text += ["", "## Errors", "", *errors]
    text += ["", NOTES.rstrip("\n")]
    return "\n".join(text) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (>= 1)")
    parser.add_argument("--sizes", default="50,500", help="table counts of generated specs")
    parser.add_argument("--out", default=str(ROOT / "docs" / "bench.md"),
                        help="write the report here too ('' for stdout only)")
    parser.add_argument("--no-peers", action="store_true", help="skip the peer tools")
    parser.add_argument("--plugins-only", action="store_true",
                        help="only the installed-plug-in comparison (stdout)")
    args = parser.parse_args(argv)
    if args.plugins_only:
        return plugins_only(max(1, args.runs))
    sizes = [int(s) for s in args.sizes.split(",") if s]
    start = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="vigilo-bench-") as tmp:
        bench = Bench(Path(tmp), max(1, args.runs), sizes)
        for label, spec in bench.specs.items():
            bench.say(f"{label}: {spec.name}")
            bench.ours_for(label, spec)
            if not args.no_peers:
                bench.peers_for(label)
            run_pending(bench.runs, bench.say)
            if label == "bundled":  # after the project's outputs exist (for `check`)
                bench.plugins_for(spec)
                run_pending(bench.runs, bench.say)
        if shutil.which("node") and (NODE_MODULES / "esbuild").is_dir():
            bench.say("browser bundle (bundled spec)")
            try:
                bench.bundle = bundle_size.measure(bench.specs["bundled"], [bench.vg])
            except (RuntimeError, subprocess.CalledProcessError) as exc:
                bench.bundle_error = str(exc)[-300:]
        text = report(bench, load_before, os.getloadavg(), time.perf_counter() - start)
    print(text)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"(written to {out})", file=sys.stderr)
    return 0


def plugins_only(runs: int) -> int:
    with tempfile.TemporaryDirectory(prefix="vigilo-bench-") as tmp:
        bench = Bench(Path(tmp), runs, [])
        spec = bench.specs["bundled"]
        bench.plugins_for(spec)
        run_pending(runs, bench.say)
        print("| command | median s | MB |\n|---|---|---|")
        for name, r in bench.plugins.items():
            print(f"| {name} | {r.error or fmt_time(r)} | {fmt_rss(r)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
