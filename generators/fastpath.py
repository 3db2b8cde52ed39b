"""Start-up fast path for the commands run most (editor save hooks, pre-commit, CI).

Typer builds every subcommand before it parses anything: all emitter modules get imported to
read their options, and since typer 0.29 converting any parameter imports pydantic (~0.1 s).
For a plain command line the CLI does not need any of that, so ``cli.main`` first asks
``parse`` here: a strict reader of the simple forms (``--flag value``, ``--flag=value``, the
declared short flags, boolean ``--force``) that returns the parameters the typer command
function would have received, or None for anything else -- ``--help``, an unknown or
repeated flag, a value starting with ``-``, an empty value, a directory where a file is
expected, a third-party plug-in installed -- which then goes through typer as before, so every
message stays typer's own. A value that is not among an option's choices is passed on and
refused by ``run_emitter`` in the config file's words, on both paths.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, SpecError, UsageError, choice_hint

# kinds: "path" (Path, may be a directory), "file" (Path, dir_okay=False), "str",
# ("choice", values), "flag" (boolean, no value), "multi" (repeatable str, list)
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


def emitter_flags(fields: Sequence[Any]) -> tuple[Flags, dict[str, Any]] | None:
    """Flags and defaults of an emitter command (as cli._emitter_command declares them), or
    None when an option is of a type this reader leaves to typer."""
    flags: Flags = {"--spec": ("spec", "path"), "--out": ("out", "file"),
                    "-o": ("out", "file")}
    defaults: dict[str, Any] = {"spec": None, "out": None}
    for f in fields:
        if not isinstance(f.default, str):
            return None
        choices = f.metadata.get("choices") or None
        flags[f"--{f.name.replace('_', '-')}"] = (f.name, ("choice", tuple(choices))
                                                  if choices else "str")
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
        if kind == "flag":
            if eq or name in seen:
                return None
            values[name] = True
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
        if isinstance(kind, tuple):  # a value not among the choices: run_emitter says so
            values[name] = value
        elif kind in ("path", "file"):
            if kind == "file" and os.path.isdir(value):
                return None
            values[name] = Path(value)
        else:
            values[name] = value
    return values


def only_builtin_emitters() -> bool:
    """True when no third-party emitter is installed (a plug-in that fails to load gets its
    warning from the typer path, which loads every emitter)."""
    from .registry import BUILTIN_PREFIX, discover

    return all(ep.value.startswith(BUILTIN_PREFIX) for ep in discover().values())


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


def check_choices(command: str, fields: Sequence[Any], values: dict[str, Any]) -> None:
    """Refuse a value that is not among an option's choices, worded as the config file words
    it (with the closest choice)."""
    for f in fields:
        choices = f.metadata.get("choices") or ()
        value = values.get(f.name, f.default)
        if choices and value not in choices:
            raise UsageError(f"bad value {value!r} for --{f.name.replace('_', '-')} of "
                             f"`vigilo-gen {command}` ({choice_hint(value, choices)})")


def run_emitter(name: str, values: dict[str, Any]) -> int:
    """``vigilo-gen NAME ...`` with parsed values; the typer command of an emitter runs it too."""
    from .output import emit
    from .registry import load
    from .spec import spec_option

    def run() -> None:
        emitter = load(name)
        kwargs = dict(values)
        spec_path, out = kwargs.pop("spec"), kwargs.pop("out")
        check_choices(name, emitter.option_fields(), kwargs)
        options = emitter.make_options(**kwargs)
        dialect = getattr(options, "dialect", None)
        spec = load_checked_spec(spec_path, (dialect,) if dialect else None)
        emit(emitter.run(spec, options, spec_option(spec_path)), out)

    return run_guarded(run)
