"""Start-up fast path for the commands run most (editor save hooks, pre-commit, CI).

Typer builds every subcommand before it parses anything: all emitter modules get imported to
read their options, and since typer 0.29 converting any parameter imports pydantic (~0.1 s).
For a plain command line the CLI does not need any of that, so ``cli.main`` first asks
``parse`` here: a strict reader of the simple forms (``--flag value``, ``--flag=value``, the
declared short flags, booleans ``--force`` and ``--x/--no-x``) that returns the parameters the
typer command function would have received, or None for anything else -- ``--help``, an
unknown or repeated flag, a value starting with ``-``, an empty value, a directory where a
file is expected -- which then goes through typer as before, so every message stays typer's
own. A value that is not an option's type or among its choices is passed on and refused by
``run_emitter`` in the config file's words, on both paths. Installed plug-ins change nothing
here: only the emitter named on the command line is imported.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, SpecError, UsageError

# kinds: "path" (Path, may be a directory), "file" (Path, dir_okay=False), "str" (an emitter's
# str, int or choice option: checked by run_emitter), "flag" (boolean, no value), ("bool",
# value) (one of an emitter's --x / --no-x pair), "multi" (repeatable str, list)
Flags = dict[str, tuple[str, Any]]

PROJECT_FLAGS: dict[str, Flags] = {
    "list": {},
    "all": {"--config": ("config", "file"), "-c": ("config", "file"),
            "--force": ("force", "flag")},
    "check": {"--config": ("config", "file"), "-c": ("config", "file"),
              "--full": ("full", "flag")},
    "validate": {"--spec": ("spec", "path"), "--dialect": ("dialect", "multi")},
}
PROJECT_DEFAULTS: dict[str, dict[str, Any]] = {
    "list": {},
    "all": {"config": None, "force": False},
    "check": {"config": None, "full": False},
    "validate": {"spec": None, "dialect": None},
}


def emitter_flags(fields: Sequence[Any], templates: bool = False,
                  ) -> tuple[Flags, dict[str, Any]]:
    """Flags and defaults of an emitter command (as cli._emitter_command declares them)."""
    from .emitter import flag, option_kind

    flags: Flags = {"--spec": ("spec", "path"), "--out": ("out", "file"),
                    "-o": ("out", "file")}
    defaults: dict[str, Any] = {"spec": None, "out": None}
    if templates:
        flags["--templates"] = ("templates", "str")
        defaults["templates"] = None
    for f in fields:
        kind = option_kind(f)
        if kind == "bool":
            flags[flag(f)] = (f.name, ("bool", True))
            flags[f"--no-{flag(f)[2:]}"] = (f.name, ("bool", False))
        elif kind == "list":  # a list's flag may be repeated: its words add up
            flags[flag(f)] = (f.name, "multi")
        else:  # an int or a choice is checked by run_emitter, worded as the config words it
            flags[flag(f)] = (f.name, "str")
        defaults[f.name] = f.default
    return flags, defaults


def read_args(args: Sequence[str], flags: Flags, defaults: dict[str, Any]) -> dict | None:
    """The command function's keyword arguments, or None to leave the line to typer."""
    values = dict(defaults)
    seen: set[str] = set()
    i = 0
    while i < len(args):
        token = args[i]
        flag, eq, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        if flag not in flags:
            return None
        name, kind = flags[flag]
        if kind == "flag" or isinstance(kind, tuple):  # a boolean: --force, --x / --no-x
            if eq or name in seen:
                return None
            values[name] = True if kind == "flag" else kind[1]
            seen.add(name)
            i += 1
            continue
        if eq:
            value = inline
            i += 1
        elif i + 1 < len(args):
            value = args[i + 1]
            i += 2
        else:
            return None
        if not value or value.startswith("-"):
            return None
        if kind == "multi":
            values[name] = [*(values[name] or []), value]
            continue
        if name in seen:
            return None
        seen.add(name)
        if kind in ("path", "file"):
            if kind == "file" and os.path.isdir(value):
                return None
            values[name] = Path(value)
        else:
            values[name] = value
    return values


def error_line(text: str) -> None:
    """One line on stderr, as ``typer.echo(text, err=True)`` writes it."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def run_guarded(action: Callable[[], Any], passthrough: tuple = ()) -> int:
    """Run ``action``; turn every user error into a one-line message and return the exit
    status (0 when it succeeded). Exceptions in ``passthrough`` propagate."""
    try:
        action()
        return EXIT_OK
    except SpecError as exc:
        for diagnostic in exc.diagnostics:
            error_line(str(diagnostic))
        return EXIT_USAGE
    except UsageError as exc:
        error_line(f"vigilo-gen: error: {exc}")
        return EXIT_USAGE
    except passthrough:
        raise
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`vigilo-gen list | head`): cli.main's
        raise
    except Exception as exc:  # a bug of ours: say so in one line unless debugging
        if os.environ.get("VIGILO_GEN_DEBUG"):
            raise
        error_line(f"vigilo-gen: error: internal error: {type(exc).__name__}: {exc} (set "
                   "VIGILO_GEN_DEBUG=1 for the traceback, and please report it)")
        return EXIT_INTERNAL


def load_checked_spec(spec_path: Path | None, dialects: tuple[str, ...] | None = None):
    from .spec import bundled_note, identifier_problems, load_spec

    note = bundled_note(spec_path)
    if note:
        error_line(note)
    spec = load_spec(spec_path)
    if dialects:
        problems = identifier_problems(spec, dialects, file=spec.source_path)
        if problems:
            raise SpecError(problems)
    return spec


def run_emitter(name: str, values: dict[str, Any]) -> int:
    """``vigilo-gen NAME ...`` with parsed values; the typer command of an emitter runs it too.
    Option values are checked here (Emitter.parse_options), so both paths word them alike."""
    from .output import emit
    from .registry import load
    from .spec import spec_option

    def run() -> None:
        emitter = load(name)
        kwargs = dict(values)
        spec_path, out = kwargs.pop("spec"), kwargs.pop("out")
        templates = kwargs.pop("templates", None)
        options = emitter.parse_options(kwargs)
        spec = load_checked_spec(spec_path)
        emit(emitter.run(spec, options, spec_option(spec_path), out,
                         None if templates is None else str(templates)), out)

    return run_guarded(run)
