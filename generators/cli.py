"""The command line: ``vigilo-gen list | validate | <emitter> ...``.

One subcommand per registered emitter is built from the registry; its flags come from the
emitter's options dataclass. Every user error is one line on stderr and exit status 2; a stale
output (``check``) is exit status 1.
"""

from __future__ import annotations

import enum
import inspect
import os
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from . import __version__, registry
from .errors import SpecError, UsageError

EXIT_OK, EXIT_STALE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    name="vigilo-gen",
    help="Schema-first generator: one YAML spec -> SQL DDL for every dialect, Prisma, Drizzle, "
    "SQLAlchemy, Peewee, OpenAPI and Pydantic.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

SPEC_HELP = "Spec file [default: ./spec/vigilo.yaml if present, else the bundled Vigilo spec]."


def fail(message: str, code: int = EXIT_USAGE) -> None:
    typer.echo(f"vigilo-gen: error: {message}", err=True)
    raise typer.Exit(code)


def guarded(action):
    """Run ``action``; turn every user error into a one-line message and an exit status."""
    try:
        return action()
    except SpecError as exc:
        for diagnostic in exc.diagnostics:
            typer.echo(str(diagnostic), err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except UsageError as exc:
        fail(str(exc))
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as exc:  # a bug of ours: say so in one line unless debugging
        if os.environ.get("VIGILO_GEN_DEBUG"):
            raise
        fail(f"internal error: {type(exc).__name__}: {exc} (set VIGILO_GEN_DEBUG=1 for the "
             "traceback, and please report it)", EXIT_INTERNAL)


def load_checked_spec(spec_path: Optional[Path], dialects: tuple[str, ...] | None = None):
    from .spec import identifier_problems, load_spec

    spec = load_spec(spec_path)
    if dialects:
        problems = identifier_problems(spec, dialects, file=str(spec_path or spec.source_name))
        if problems:
            raise SpecError(problems)
    return spec


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"vigilo-gen {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=version_callback,
                                 is_eager=True, help="Show the version and exit."),
) -> None:
    """Schema-first generator for database schemas and their HTTP API."""


@app.command("list")
def list_command() -> None:
    """List the emitters, their options and dialects."""

    def run():
        for name in registry.names():
            emitter = registry.load(name)
            typer.echo(f"{name:<12} {emitter.description}")
            for f in emitter.option_fields():
                flag = f"--{f.name.replace('_', '-')}"
                choices = f.metadata.get("choices")
                values = f" {{{'|'.join(choices)}}}" if choices else ""
                typer.echo(f"  {flag}{values}  {f.metadata.get('help', '')} "
                           f"[default: {f.default}]")

    guarded(run)


@app.command("validate")
def validate_command(
    spec: Optional[Path] = typer.Option(None, "--spec", help=SPEC_HELP),
    dialect: Optional[list[str]] = typer.Option(
        None, "--dialect", help="Also check identifier lengths for this SQL dialect "
        "(repeatable) [default: postgres, mysql, sqlite]."),
) -> None:
    """Check a spec; exit 0, or 2 with one file:line:col message per problem."""
    from .dialects import IDENTIFIER_LIMITS, PORTABLE_DIALECTS

    def run():
        for name in dialect or ():
            if name not in IDENTIFIER_LIMITS:
                raise UsageError(f"unknown dialect '{name}'; known: "
                                 + ", ".join(sorted(IDENTIFIER_LIMITS)))
        loaded = load_checked_spec(spec, tuple(dialect or PORTABLE_DIALECTS))
        typer.echo(f"{spec or loaded.source_name}: ok ({len(loaded.models)} models, "
                   f"{len(loaded.api.endpoints) if loaded.api else 0} endpoints)", err=True)

    guarded(run)


def _emitter_command(name: str, help_text: str, fields: tuple) -> Any:
    """A typer command for one emitter: its options become flags, plus --spec and --out."""

    def command(**kwargs: Any) -> None:
        from .output import emit

        def run():
            emitter = registry.load(name)
            spec_path, out = kwargs.pop("spec"), kwargs.pop("out")
            for key, value in kwargs.items():  # choices arrive as Enum members
                kwargs[key] = getattr(value, "value", value)
            options = emitter.make_options(**kwargs)
            dialect = getattr(options, "dialect", None)
            spec = load_checked_spec(spec_path, (dialect,) if dialect else None)
            emit(emitter.run(spec, options), out)

        guarded(run)

    params = []
    for f in fields:
        choices = f.metadata.get("choices") or None
        # typer shows and checks choices when the annotation is an Enum.
        annotation = enum.Enum(f"{name}_{f.name}", {c: c for c in choices}, type=str) \
            if choices else type(f.default)
        params.append(inspect.Parameter(
            f.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
            default=typer.Option(f.default, f"--{f.name.replace('_', '-')}",
                                 help=f.metadata.get("help")),
        ))
    params.append(inspect.Parameter("spec", inspect.Parameter.KEYWORD_ONLY,
                                    annotation=Optional[Path],
                                    default=typer.Option(None, "--spec", help=SPEC_HELP)))
    params.append(inspect.Parameter(
        "out", inspect.Parameter.KEYWORD_ONLY, annotation=Optional[Path],
        default=typer.Option(None, "--out", "-o", help="Write to FILE (atomically) instead of "
                             "standard output.", dir_okay=False)))
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__name__ = name
    command.__doc__ = help_text
    return command


def _register_emitters() -> None:
    for name in registry.names():
        try:
            emitter = registry.load(name)
        except Exception as exc:  # a broken plug-in must not break the other commands
            typer.echo(f"vigilo-gen: warning: emitter '{name}' failed to load: {exc}", err=True)
            continue
        app.command(name, help=emitter.description)(
            _emitter_command(name, emitter.description, emitter.option_fields()))


def main() -> None:
    _register_emitters()
    try:
        app(standalone_mode=True)
    except BrokenPipeError:  # `vigilo-gen sql | head` must not print a traceback
        sys.stderr.close()
        sys.exit(EXIT_OK)
