"""``vigilo-gen diff OLD NEW`` and ``vigilo-gen migrate --from OLD``: the commands of a spec's
evolution (docs/migrations.md). Registered on the typer application by ``commands``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from .errors import EXIT_STALE, UsageError, choice_hint

FORMATS = ("text", "json")


def register(app: typer.Typer) -> None:
    app.command("diff")(diff_command)
    # `migrate --from OLD ...` writes one migration; `migrate new NAME` adds to the folder.
    migrate = typer.Typer(invoke_without_command=True, add_completion=False,
                          rich_markup_mode=None,
                          context_settings={"help_option_names": ["-h", "--help"]})
    migrate.callback()(migrate_command)
    migrate.command("new")(migrate_new_command)
    app.add_typer(migrate, name="migrate")


def diff_command(
    old: str = typer.Argument(..., help="The old spec: a file, or git:REF[:PATH]."),
    new: Path = typer.Argument(..., help="The new spec file.", dir_okay=False),
    format: str = typer.Option("text", "--format", help="text (one line per change) or json."),
) -> None:
    """Classify every change from OLD to NEW (rule id, severity, file:line:col).

    Exit 0 when nothing changed or every change is compatible; 1 when a destructive change
    (rows lost, or a migration failing on rows) or a breaking one (API clients) is found;
    2 for bad input."""
    from .commands import guarded

    def run():
        from .diff import RULES, diff
        from .oldspec import load_named, load_old

        if format not in FORMATS:
            raise UsageError(f"bad value {format!r} for --format ({choice_hint(format, FORMATS)})")
        if not new.is_file():
            raise UsageError(f"{new}: no such spec file")
        after = load_named(new, str(new))
        result = diff(load_old(old, new), after)
        if format == "json":
            typer.echo(json.dumps({"changes": [c.as_json() for c in result.changes],
                                   "failing": result.failing,
                                   "rules": {k: {"severity": r.severity, "title": r.title}
                                             for k, r in RULES.items()}},
                                  indent=2))
        else:
            for change in result.changes:
                typer.echo(change.line())
            counts = {}
            for change in result.changes:
                counts[change.severity] = counts.get(change.severity, 0) + 1
            summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no changes"
            typer.echo(f"vigilo-gen: {summary}", err=True)
        if result.failing:
            raise typer.Exit(EXIT_STALE)

    guarded(run)


def migrate_command(
    ctx: typer.Context,
    source: str | None = typer.Option(None, "--from", help="The spec the database was built "
                                      "from: a file, or git:REF[:PATH] (PATH defaults to "
                                      "--spec's path)."),
    dialect: str | None = typer.Option(None, "--dialect", help="postgres, mysql or sqlite."),
    spec: Path | None = typer.Option(None, "--spec", help="The new spec [default: as for "
                                     "every command]."),
    allow_destructive: bool = typer.Option(
        False, "--allow-destructive", help="Write steps that drop data or may fail on rows "
        "(refused otherwise, with the rule that refuses them)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to FILE (atomically) "
                                    "instead of stdout; with --format prisma, the migrations "
                                    "folder to add the migration to."),
    format: str = typer.Option("sql", "--format", help="sql (a plain script), alembic (a "
                               "revision module running the same statements) or prisma (the "
                               "script as the next folder of Prisma's migrations folder)."),
    name: str = typer.Option("migration", "--name", help="prisma: the migration's name, after "
                             "its number (letters, digits, _)."),
    down_revision: str | None = typer.Option(None, "--down-revision", help="Alembic: the "
                                             "revision this one follows."),
) -> None:
    """Write the SQL migration from the --from spec to the current spec, for one dialect.

    `vigilo-gen migrate new NAME` adds the next migration to the project's migrations folder
    instead (see `vigilo-gen migrate new --help`)."""
    from .commands import guarded

    if ctx.invoked_subcommand is not None:
        return

    def run():
        from .diff import diff
        from .migrate import DIALECTS, FORMATS, Refused, plan_migration
        from .oldspec import load_named, load_old
        from .output import write_atomic
        from .spec import resolve_spec_path

        for flag, value in (("--from", source), ("--dialect", dialect)):
            if value is None:
                raise UsageError(f"`vigilo-gen migrate` needs {flag} (or: `vigilo-gen migrate "
                                 "new NAME` for the project's migrations folder)")
        if dialect not in DIALECTS:
            raise UsageError(f"bad value {dialect!r} for --dialect of `vigilo-gen migrate` "
                             f"({choice_hint(dialect, DIALECTS)})")
        if format not in FORMATS:
            raise UsageError(f"bad value {format!r} for --format of `vigilo-gen migrate` "
                             f"({choice_hint(format, FORMATS)})")
        if format == "prisma":
            from .migrate.folder import check_name

            check_name(name)
            if out is None:
                raise UsageError("--format prisma writes a folder: pass --out MIGRATIONS_DIR "
                                 "(e.g. prisma/migrations)")
        file, display = resolve_spec_path(spec)
        after = load_named(file, display)
        result = diff(load_old(source, file), after)
        try:
            text = plan_migration(result, dialect, allow_destructive=allow_destructive,
                                  format="sql" if format == "prisma" else format,
                                  down_revision=down_revision)
        except Refused as refused:
            for change in refused.changes:
                typer.echo(change.line(), err=True)
            typer.echo(f"vigilo-gen: refused: {len(refused.changes)} destructive change(s); "
                       "pass --allow-destructive to write them", err=True)
            raise typer.Exit(EXIT_STALE) from None
        if format == "prisma":
            from .migrate.prisma import write_prisma_migration

            if not text:
                typer.echo("vigilo-gen: no changes: nothing written", err=True)
                return
            written = write_prisma_migration(out, dialect, text, name)
            typer.echo(f"written    {written / 'migration.sql'}", err=True)
        elif out is None:
            typer.echo(text, nl=False)
        else:
            write_atomic(out, text)

    guarded(run)


def migrate_new_command(
    name: str = typer.Argument(..., help="The migration's name, after its number (letters, "
                               "digits, _), e.g. add_order_notes."),
    config: Path | None = typer.Option(None, "--config", "-c", dir_okay=False,
                                       help="The project config [default: ./vigilo-gen.toml]."),
    allow_destructive: bool = typer.Option(
        False, "--allow-destructive", help="Write steps that drop data or may fail on rows "
        "(refused otherwise, with the rule that refuses them)."),
) -> None:
    """Add the next numbered migration to the folder of the config's [migrations] table: one
    script per dialect it names, and the spec snapshot the migration leads to (the next
    `migrate new` starts from it). Writes nothing, and says so, when no database would change."""
    from .commands import guarded

    def run():
        from .config import load_config
        from .migrate import Refused
        from .migrate.folder import check_name
        from .migrate.workflow import plan_new, write_new

        check_name(name)
        loaded = load_config(config)
        try:
            planned = plan_new(loaded, name, allow_destructive=allow_destructive)
        except Refused as refused:
            for change in refused.changes:
                typer.echo(change.line(), err=True)
            typer.echo(f"vigilo-gen: refused: {len(refused.changes)} destructive change(s); "
                       "nothing written; pass --allow-destructive to write them", err=True)
            raise typer.Exit(EXIT_STALE) from None
        if planned is None:
            typer.echo(f"vigilo-gen: no changes since the last migration in "
                       f"{loaded.migrations.display}: nothing written", err=True)
            return
        write_new(planned)
        for file in planned.files:
            typer.echo(f"written    {loaded.migrations.display}/{planned.target.name}/{file}")

    guarded(run)
