"""``vigilo-gen import sql FILE --dialect D`` and ``vigilo-gen import db URL``: an existing
schema turned into a spec (README, "Adopting an existing database"). Registered on the typer
application by ``commands``; the work is done in ``vigilo_gen.importer``."""

from __future__ import annotations

from pathlib import Path

import typer

from .errors import UsageError

app = typer.Typer(
    help="Import an existing schema (a SQL file or a database) as a spec.", no_args_is_help=True
)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="import")


def _finish(source, name: str, origin: str, out: Path | None, into: Path | None) -> None:
    """Build the spec text, check that it loads, report what was not imported, write it."""
    from .importer.report import check_spec, report
    from .importer.to_spec import to_spec
    from .importer.write_spec import write_spec
    from .output import write_atomic

    doc, notes = to_spec(source, name)
    if not doc.get("models") and into is None:
        report(notes)  # each table's reason, then the verdict
        raise UsageError(f"{origin}: no table can be imported (nothing was written)")
    if into is not None:
        from .importer.merge import merge_into

        if out is not None:
            raise UsageError("--into updates that spec in place: --out does not apply")
        text = merge_into(into, doc, source.left_out)
        check_spec(text, str(into), before=into.read_text(encoding="utf-8"))
        report(notes)
        write_atomic(into, text)
        return
    text = write_spec(doc, notes, origin)
    check_spec(text, origin)
    report(notes)
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_atomic(out, text)


@app.command("sql")
def sql_command(
    file: Path = typer.Argument(..., help="The SQL file (DDL) to import.", dir_okay=False),
    dialect: str = typer.Option(
        ...,
        "--dialect",
        help="The file's SQL dialect (a `sql --dialect` name: postgres, mysql, sqlite, ...).",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", dir_okay=False, help="Write the spec to FILE (atomically), not stdout."
    ),
    into: Path | None = typer.Option(
        None,
        "--into",
        dir_okay=False,
        help="Merge into this spec, in place: its comments, "
        "order, names, descriptions and api section are kept.",
    ),
) -> None:
    """Read the tables of a SQL file into a spec; report what the spec cannot hold."""
    from .commands import guarded

    def run():
        from .importer.parse_sql import READERS, read_sql

        if dialect not in READERS:
            from .errors import choice_hint

            raise UsageError(
                f"bad value {dialect!r} for --dialect of `vigilo-gen import sql` "
                f"({choice_hint(dialect, READERS)})"
            )
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise UsageError(f"{file}: cannot read: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:  # said as the spec loader says it: at its place
            from .errors import not_utf8

            at, message = not_utf8(raw, exc)
            raise UsageError(f"{file}:{at.line}:{at.column}: {message}") from None
        source = read_sql(text, dialect, str(file))
        _finish(source, file.stem, file.name, out, into)

    guarded(run)


@app.command("db")
def db_command(
    url: str = typer.Argument(
        ...,
        help="A SQLAlchemy database URL: postgresql://..., mysql+pymysql://..., sqlite:///file.db",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", dir_okay=False, help="Write the spec to FILE (atomically), not stdout."
    ),
    into: Path | None = typer.Option(
        None,
        "--into",
        dir_okay=False,
        help="Merge into this spec, in place: its comments, "
        "order, names, descriptions and api section are kept.",
    ),
) -> None:
    """Read a database's tables into a spec; report what the spec cannot hold."""
    from .commands import guarded

    def run():
        from .importer.reflect_db import _safe, read_db

        source, name = read_db(url)
        _finish(source, name, _safe(url), out, into)

    guarded(run)
