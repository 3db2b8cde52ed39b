"""The ``vigilo-gen`` entry point.

It stays cheap to import: editors' save hooks, pre-commit hooks and CI run one emitter per
process, so start-up is what users feel. A plain emitter command line (``vigilo-gen prisma
--dialect mysql --out FILE``) is parsed by ``fastpath`` and run with only that emitter
imported: no typer, no other emitter. ``all``, ``check``, ``validate`` and ``list`` with plain
flags call their typer command functions directly, without building the application. Anything
else (``--help``, an odd flag) goes to the typer application in ``commands``, so every message
stays typer's own. Installed plug-ins cost a command that does not name them nothing: the
registry reads entry points without importing them.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from .errors import EXIT_OK


def _fast(argv: list[str]) -> int | None:
    """Run a plain command line and return its exit status, or None to leave it to typer."""
    from . import fastpath
    from .registry import discover, load

    if not argv or os.environ.get("VIGILO_GEN_NO_FAST_PATH"):
        return None
    name = argv[0]
    if name in fastpath.PROJECT_FLAGS:
        values = fastpath.read_args(argv[1:], fastpath.PROJECT_FLAGS[name],
                                    fastpath.PROJECT_DEFAULTS[name])
        if values is None:
            return None
        if name == "check" and not values["full"]:
            # Fresh files are confirmed from their stamps, before typer or any emitter loads.
            from .freshness import quick_check

            count = quick_check(values["config"])
            if count is not None:
                fastpath.error_line(f"vigilo-gen: all {count} outputs are up to date")
                return EXIT_OK
        import typer

        from . import commands

        function = {"all": commands.all_command, "check": commands.check_command,
                    "list": commands.list_command,
                    "validate": commands.validate_command}[name]
        try:
            function(**values)
        except typer.Exit as exc:
            return exc.exit_code
        return EXIT_OK
    if name not in discover():
        return None
    from .errors import EXIT_USAGE, UsageError

    try:
        emitter = load(name)  # only this one: installed plug-ins are not imported
    except UsageError as exc:  # e.g. two packages register this name
        fastpath.error_line(f"vigilo-gen: error: {exc}")
        return EXIT_USAGE
    except Exception:  # the typer path reports it
        return None
    values = fastpath.read_args(argv[1:], *fastpath.emitter_flags(emitter.option_fields(),
                                                                   emitter.templates))
    if values is None:
        return None
    return fastpath.run_emitter(name, values)


def main() -> None:
    import vigilo_gen

    vigilo_gen.CLI_PROCESS = True  # a short-lived process: see spec.load_spec
    try:
        code = _fast(sys.argv[1:])
        if code is None:
            from .commands import main as typer_main

            typer_main()
            code = EXIT_OK
    except BrokenPipeError:  # `vigilo-gen sql | head` must not print a traceback
        # Python flushes stdout again at exit: point it at /dev/null so that flush is silent.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_OK)
    sys.exit(code)


def __getattr__(name: str) -> Any:
    """``vigilo_gen.cli.app`` and the other names of the typer application still resolve."""
    if name.startswith("__"):  # e.g. the import system asking for __path__
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import commands

    try:
        return getattr(commands, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
