"""The typer application: ``vigilo-gen list | validate | init | all | check | <emitter> ...``.

One subcommand per registered emitter is built from the registry; its flags come from the
emitter's options dataclass. Every user error is one line on stderr and exit status 2; a stale
output (``check``) is exit status 1. The entry point is ``cli.main``, which runs plain command
lines without building this application (see fastpath).
"""

from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path
from typing import Any

import typer

from . import __version__, registry
from .emitter import command_words, flag, option_kind
from .errors import EXIT_INTERNAL, EXIT_STALE, EXIT_USAGE, SpecError, UsageError, choice_hint
from .fastpath import load_checked_spec, run_emitter, run_guarded

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

SPEC_HELP = ("Spec file [default: ./vigilo.yaml, else ./spec/vigilo.yaml, else the bundled "
             "example spec, with a note].")


def fail(message: str, code: int = EXIT_USAGE) -> None:
    typer.echo(f"vigilo-gen: error: {message}", err=True)
    raise typer.Exit(code)


def guarded(action):
    """Run ``action``; turn every user error into a one-line message and an exit status."""
    code = run_guarded(action, passthrough=(typer.Exit,))
    if code:
        raise typer.Exit(code)


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
                typer.echo(f"  {_flag_usage(f)}  {f.metadata.get('help', '')} "
                           f"[default: {command_words(f, f.default)[-1]}]")

    guarded(run)


@app.command("validate")
def validate_command(
    spec: Path | None = typer.Option(None, "--spec", help=SPEC_HELP),
    dialect: list[str] | None = typer.Option(
        None, "--dialect", help="Also check identifier lengths for this SQL dialect "
        "(repeatable) [default: postgres, mysql, sqlite]; the dialects of `vigilo-gen sql`."),
) -> None:
    """Check a spec; exit 0, or 2 with one file:line:col message per problem."""
    from .dialects import PORTABLE_DIALECTS, SQL_DIALECTS

    def run():
        for name in dialect or ():
            if name not in SQL_DIALECTS:
                raise UsageError(f"bad value {name!r} for --dialect of `vigilo-gen validate` "
                                 f"({choice_hint(name, SQL_DIALECTS)})")
        loaded = load_checked_spec(spec, tuple(dialect or PORTABLE_DIALECTS))
        # Endpoints without an operation plan are described (OpenAPI, Pydantic) but not
        # served: the runtime targets refuse them (docs/runtime.md).
        for name, where, why in (loaded.api.unbound if loaded.api else ()):
            typer.echo(f"{loaded.source_path}:{where.line}:{where.column}: warning: "
                       f"endpoint {name} cannot be served: {why}", err=True)
        typer.echo(f"{loaded.source_path}: ok ({len(loaded.models)} models, "
                   f"{len(loaded.api.endpoints) if loaded.api else 0} endpoints)", err=True)

    guarded(run)


@app.command("lint")
def lint_command(
    spec: Path | None = typer.Option(None, "--spec", help="Spec file [default: the config's, "
                                     "else as for the other commands]."),
    config: Path | None = typer.Option(None, "--config", "-c", dir_okay=False,
                                       help="Project config whose [lint] table sets rule "
                                       "levels [default: ./vigilo-gen.toml when present]."),
    rule: list[str] | None = typer.Option(None, "--rule", metavar="ID=LEVEL",
                                          help="Set a rule's level: error, warning or off "
                                          "(repeatable; over the config's)."),
) -> None:
    """Advice on a valid spec: one file:line:col finding per line with its rule id; exit 1
    when a finding is at level error. Rules: missing-description, fk-without-index,
    nullable-unique, unused-enum, endpoint-without-summary."""
    from .config import CONFIG_NAME, load_config
    from .lint import levels, lint

    outcome = {"errors": 0}

    def run():
        overrides: dict[str, str] = {}
        spec_path = spec
        if config is not None or Path(CONFIG_NAME).is_file():
            loaded = load_config(config)
            overrides.update(loaded.lint)
            spec_path = spec_path or loaded.spec
        for item in rule or ():
            key, eq, value = item.partition("=")
            if not eq:
                raise UsageError(f"bad value {item!r} for --rule of `vigilo-gen lint` "
                                 "(ID=LEVEL, e.g. missing-description=off)")
            overrides[key] = value
        chosen = levels(overrides, lambda key: "--rule: ")
        loaded_spec = load_checked_spec(spec_path)
        findings = lint(loaded_spec, chosen)
        for _, diagnostic in findings:
            typer.echo(str(diagnostic))
        outcome["errors"] = sum(level == "error" for level, _ in findings)
        typer.echo(f"vigilo-gen: {len(findings)} findings, {outcome['errors']} at level "
                   "error", err=True)

    guarded(run)
    if outcome["errors"]:
        raise typer.Exit(EXIT_STALE)


@app.command("serve")
def serve_command(
    spec: Path | None = typer.Option(None, "--spec", help=SPEC_HELP),
    db: str | None = typer.Option(
        None, "--db", help="Database URL: sqlite:///FILE, postgresql://..., mysql://... "
        "[default: sqlite:///vigilo.db, created on the first run]."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
) -> None:
    """Serve the spec's endpoints (the generated FastAPI router) over a database.

    Bearer tokens for development: VIGILO_TOKENS="token=owner,token2=owner2".
    """

    def run():
        from .serve import serve

        loaded = load_checked_spec(spec, ())
        serve(loaded, db, host, port)

    guarded(run)


CONFIG_HELP = "Project config [default: ./vigilo-gen.toml]."
NO_API = "the spec has no api section"


def _project(config_path: Path | None):
    from .config import load_config
    from .project import load_project_spec

    config = load_config(config_path)
    return config, load_project_spec(config)


def _plan_or_fail(config, spec, on_decided, confirm: bool = False):
    """Render every output; an emitter's failure is one line naming the output."""
    from .project import OutputFailed, plan

    total = len(config.outputs)
    interactive = sys.stderr.isatty()

    def started(index, output):  # a transient progress line, on a terminal only
        if interactive:
            sys.stderr.write(f"\r\033[K[{index + 1}/{total}] rendering {output.display} "
                             f"({output.emitter})")
            sys.stderr.flush()

    def decided(state):
        if interactive:
            sys.stderr.write("\r\033[K")
        on_decided(state)

    try:
        return plan(config, spec, decided, on_start=started, confirm=confirm)
    except OutputFailed as failed:
        if interactive:
            sys.stderr.write("\r\033[K")
        cause = failed.cause
        if isinstance(cause, SpecError):
            for diagnostic in cause.diagnostics:
                typer.echo(str(diagnostic), err=True)
            fail(f"{failed.output.display} ({failed.output.emitter}) failed; nothing was "
                 "written")
        if isinstance(cause, UsageError):
            fail(f"{failed}; nothing was written")
        if os.environ.get("VIGILO_GEN_DEBUG"):
            raise cause from None
        fail(f"{failed.output.display} ({failed.output.emitter}): internal error: "
             f"{type(cause).__name__}: {cause}; nothing was written (set VIGILO_GEN_DEBUG=1 "
             "for the traceback, and please report it)", EXIT_INTERNAL)


@app.command("init")
def init_command(
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
) -> None:
    """Start a project here: spec/vigilo.yaml, its JSON Schema and vigilo-gen.toml."""

    def run():
        from .output import write_atomic
        from .starter import starter_files

        files = starter_files()
        existing = [str(path) for path, _ in files if path.exists()]
        if existing and not force:
            raise UsageError(f"refusing to overwrite {', '.join(existing)}; nothing was written "
                             "(pass --force to overwrite)")
        for path, data in files:
            write_atomic(path, data.decode("utf-8"))
            typer.echo(f"created    {path}")
        typer.echo("next: edit spec/vigilo.yaml and vigilo-gen.toml, then run `vigilo-gen all`",
                   err=True)

    guarded(run)


@app.command("all")
def all_command(
    config: Path | None = typer.Option(None, "--config", "-c", help=CONFIG_HELP,
                                          dir_okay=False),
    force: bool = typer.Option(False, "--force", help="Also overwrite files that exist and "
                               "were not generated by vigilo-gen."),
) -> None:
    """Regenerate every output of the config; write nothing unless every output renders."""

    def run():
        from .project import SKIPPED, UNCHANGED, refuse_foreign, write

        loaded, spec = _project(config)

        def decided(state):  # progress: unchanged files are final as soon as rendered
            if state.status == UNCHANGED:
                typer.echo(f"unchanged  {state.output.display}")
            elif state.status == SKIPPED:
                typer.echo(f"skipped    {state.output.display} ({NO_API})")

        states = _plan_or_fail(loaded, spec, decided)
        if not force:
            refuse_foreign(states)
        write(states, lambda state: typer.echo(f"written    {state.output.display}"))
        changed = sum(s.status not in (UNCHANGED, SKIPPED) for s in states)
        skipped = sum(s.status == SKIPPED for s in states)
        typer.echo(f"vigilo-gen: {changed} written, {len(states) - changed - skipped} unchanged"
                   + (f", {skipped} skipped ({NO_API})" if skipped else ""), err=True)

    guarded(run)


def up_to_date_line(count: int) -> str:
    return f"vigilo-gen: all {count} outputs are up to date"


@app.command("check")
def check_command(
    config: Path | None = typer.Option(None, "--config", "-c", help=CONFIG_HELP,
                                          dir_okay=False),
    full: bool = typer.Option(False, "--full", help="Render every output, also those whose "
                              "header stamp proves them fresh."),
) -> None:
    """Exit 0 when every output of the config is up to date; 1 with a diff when one is stale.

    A file whose header stamp proves it fresh (same spec meaning, tool version, emitter,
    options, and an intact body) is not rendered again; the others are."""

    def run():
        from .project import CHANGED, NEW, SKIPPED, diff

        if not full:
            from .freshness import quick_check

            count = quick_check(config, migrations=True)
            if count is not None:
                typer.echo(up_to_date_line(count), err=True)
                _check_migrations(config)
                return
        loaded, spec = _project(config)

        def decided(state):
            if state.status == CHANGED:
                typer.echo(f"stale      {state.output.display}")
                typer.echo(diff(state), nl=False)
            elif state.status == SKIPPED:
                typer.echo(f"skipped    {state.output.display} ({NO_API})")

        states = _plan_or_fail(loaded, spec, decided, confirm=not full)
        stale = [s.output.display for s in states if s.status == CHANGED]
        missing = [s.output.display for s in states if s.status == NEW]
        for name in missing:
            typer.echo(f"missing    {name}")
        if stale or missing:
            parts = [f"{len(stale)} stale"] * bool(stale) + [f"{len(missing)} missing"] * bool(
                missing)
            # `all` refuses to replace a file without a generated header unless forced.
            foreign = [s.output.display for s in states if s.status == CHANGED and s.foreign]
            command = loaded.regenerate_command() + (" --force" if foreign else "")
            why = (f" ({', '.join(foreign)}: not generated by vigilo-gen, so `all` needs "
                   "--force to replace it)") if foreign else ""
            typer.echo(f"vigilo-gen: {' and '.join(parts)} of {len(states)} outputs; run "
                       f"`{command}` and commit the result{why}", err=True)
            _check_migrations(config)
            raise typer.Exit(EXIT_STALE)
        typer.echo(up_to_date_line(len(states)), err=True)
        _check_migrations(config)

    guarded(run)


def _check_migrations(config: Path | None) -> None:
    """The config's [migrations] folder must hold a migration leading to the spec (exit 1
    with one line when not), as Django's ``makemigrations --check``. A config without the
    table costs one TOML parse (``check`` stays fast)."""
    from .config import CONFIG_NAME, _toml, load_config

    try:
        data = _toml().loads((config or Path(CONFIG_NAME)).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        data = {"migrations": None}  # let load_config word the problem
    if "migrations" not in data:
        return
    from .migrate.workflow import stale

    line = stale(load_config(config))
    if line is not None:
        typer.echo(line, err=True)
        raise typer.Exit(EXIT_STALE)


METAVARS = {"bool": None, "int": "INTEGER", "str": "TEXT", "list": "A,B", "map": "JSON"}


def _flag_usage(field) -> str:
    """``--x/--no-x``, ``--x INTEGER``, ``--x TEXT`` or ``--x [a|b]``."""
    kind = option_kind(field)
    if kind == "bool":
        return f"{flag(field)}/--no-{flag(field)[2:]}"
    if kind == "choice":
        return f"{flag(field)} [{'|'.join(field.metadata['choices'])}]"
    return f"{flag(field)} {METAVARS[kind]}"


def _emitter_command(name: str, help_text: str, fields: tuple, templates: bool = False) -> Any:
    """A typer command for one emitter: its options become flags, plus --spec and --out."""

    def command(**kwargs: Any) -> None:
        code = run_emitter(name, dict(kwargs))  # the run itself is the fast path's, shared
        if code:
            raise typer.Exit(code)

    params = []
    for f in fields:
        kind = option_kind(f)
        # A bool is typer's --x/--no-x pair; every other value reaches run_emitter as text and
        # is checked there (Emitter.parse_options), worded as the config file words it.
        declared = f"{flag(f)}/--no-{flag(f)[2:]}" if kind == "bool" else flag(f)
        params.append(inspect.Parameter(
            f.name, inspect.Parameter.KEYWORD_ONLY,
            annotation={"bool": bool, "list": list[str] | None}.get(kind, str),
            default=typer.Option({"list": None, "map": ""}.get(kind, f.default), declared,
                                 help=f.metadata.get("help"),
                                 metavar=METAVARS.get(kind) or _flag_usage(f).split()[-1]),
        ))
    if templates:
        params.append(inspect.Parameter(
            "templates", inspect.Parameter.KEYWORD_ONLY, annotation=str | None,
            default=typer.Option(None, "--templates", metavar="DIR",
                                 help="Folder searched before the built-in templates: a file "
                                 "named like one of them replaces it (docs/plugins.md).")))
    params.append(inspect.Parameter("spec", inspect.Parameter.KEYWORD_ONLY,
                                    annotation=Path | None,
                                    default=typer.Option(None, "--spec", help=SPEC_HELP)))
    params.append(inspect.Parameter(
        "out", inspect.Parameter.KEYWORD_ONLY, annotation=Path | None,
        default=typer.Option(None, "--out", "-o", help="Write to FILE (atomically) instead of "
                             "standard output.", dir_okay=False)))
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__name__ = name
    command.__doc__ = help_text
    return command


def _register_emitters() -> None:
    for name in registry.names():
        problem = registry.clash(name)
        if problem:  # two packages register it: running it says so (run_emitter), whatever flags
            app.command(name, help=problem, context_settings={
                "ignore_unknown_options": True, "allow_extra_args": True})(
                _emitter_command(name, problem, ()))
            continue
        try:
            emitter = registry.load(name)
        except Exception as exc:  # a broken plug-in must not break the other commands
            typer.echo(f"vigilo-gen: warning: emitter '{name}' failed to load: {exc}", err=True)
            continue
        app.command(name, help=emitter.description)(
            _emitter_command(name, emitter.description, emitter.option_fields(),
                             emitter.templates))


def main() -> None:
    """Build every subcommand and let typer parse the command line."""
    from .evolution_commands import register

    register(app)  # diff, migrate
    from .import_commands import register as register_import

    register_import(app)  # import sql, import db
    _register_emitters()
    app(standalone_mode=True)
