"""Size of the browser side for a spec: the generated client, store and React provider,
bundled and minified by esbuild (tools/node/bundle.mjs) with React and Zod left out (the page
has them anyway), then gzipped (level 9). Measured twice: with the generated Zod schemas
(what a page ships) and without them (the runtime alone, the schemas stubbed out).

    python tools/bundle_size.py [spec.yaml]   # prints one JSON line
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "tools" / "node"
TARGET_GZIP = 10 * 1024  # bytes: the budget for client + store + provider
EXTERNAL = ("react", "react-dom", "zod")
ENTRY = 'export * from "./client";\nexport * from "./provider";\n'


def _generate(vg: list[str], spec: Path, folder: Path) -> None:
    for emitter, name in (
        ("zod", "schemas.zod.ts"),
        ("client", "client.ts"),
        ("react", "provider.ts"),
    ):
        subprocess.run(
            [*vg, emitter, "--spec", str(spec), "--out", str(folder / name)],
            check=True,
            capture_output=True,
        )


def _bundle(folder: Path, entry: str) -> dict[str, int]:
    (folder / "entry.ts").write_text(entry, encoding="utf-8")
    external = [a for name in EXTERNAL for a in ("--external", name)]
    result = subprocess.run(
        [
            shutil.which("node") or "node",
            str(NODE / "bundle.mjs"),
            str(folder / "entry.ts"),
            str(folder / "bundle.js"),
            "--minify",
            "--size",
            *external,
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(result.stderr.strip() or result.stdout.strip())
    found = re.search(r"bytes (\d+) gzip (\d+)", result.stdout)
    return {"bytes": int(found.group(1)), "gzip": int(found.group(2))}


def measure(spec: Path, vg: list[str] | None = None) -> dict[str, dict[str, int]]:
    vg = vg or [sys.executable, "-m", "vigilo_gen"]
    with tempfile.TemporaryDirectory(prefix="vigilo-bundle-") as tmp:
        folder = Path(tmp)
        _generate(vg, spec, folder)
        with_schemas = _bundle(folder, ENTRY)
        # The runtime alone: every schema the client names becomes one shared stand-in.
        names = sorted(set(re.findall(r"\bapi\.(\w+)", (folder / "client.ts").read_text())))
        (folder / "schemas.zod.ts").write_text(
            'import { z } from "zod";\nconst any = z.any();\n'
            + "".join(f"export const {n} = any;\n" for n in names),
            encoding="utf-8",
        )
        runtime = _bundle(folder, ENTRY)
    return {"with_schemas": with_schemas, "runtime": runtime}


if __name__ == "__main__":
    spec = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "spec" / "vigilo.yaml"
    print(json.dumps(measure(spec)))
