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
    app.command("migrate")(migrate_command)


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
    source: str = typer.Option(..., "--from", help="The spec the database was built from: a "
                               "file, or git:REF[:PATH] (PATH defaults to --spec's path)."),
    dialect: str = typer.Option(..., "--dialect", help="postgres, mysql or sqlite."),
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
    """Write the SQL migration from the --from spec to the current spec, for one dialect."""
    from .commands import guarded

    def run():
        from .diff import diff
        from .migrate import DIALECTS, FORMATS, Refused, plan_migration
        from .oldspec import load_named, load_old
        from .output import write_atomic
        from .spec import resolve_spec_path

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
