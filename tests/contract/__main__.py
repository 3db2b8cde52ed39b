"""``python -m tests.contract --spec SPEC --base-url URL --db URL [--endpoint NAME]...``: the
contract suite against a server that is already running (its database at URL, its verifier
knowing the tokens of tests.contract.server.TOKENS). ``--serve`` starts `vigilo-gen serve`
itself. Prints cases and failures per endpoint and family; exit 1 on any failure."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .server import ServeProcess
from .suite import Suite, families


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.contract")
    parser.add_argument("--spec", required=True, type=Path)
    parser.add_argument("--base-url")
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of the server's database")
    parser.add_argument("--serve", action="store_true", help="start vigilo-gen serve")
    parser.add_argument("--endpoint", action="append", default=[])
    parser.add_argument("--family", action="append", default=[])
    args = parser.parse_args(argv)
    server = ServeProcess(args.spec, args.db).start() if args.serve else None
    base_url = server.base_url if server else args.base_url
    if not base_url:
        parser.error("--base-url or --serve")
    suite = Suite(args.spec, base_url, args.db)
    total = failed = 0
    try:
        for endpoint in suite.api.endpoints:
            if args.endpoint and endpoint.name not in args.endpoint:
                continue
            for family in families(suite.spec, endpoint):
                if args.family and family not in args.family:
                    continue
                start = time.monotonic()
                result = suite.run(endpoint, family)
                total += result.cases
                failed += len(result.failures)
                print(f"{endpoint.name:28} {family:10} {result.cases:5} cases "
                      f"{len(result.failures):4} failures  {time.monotonic() - start:5.2f}s")
                for failure in result.failures:
                    print("    " + failure)
    finally:
        suite.close()
        if server:
            server.stop()
    print(f"{total} cases, {failed} failures")
    if server:
        print(f"server log: {server.log_path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
