"""The project's migrations folder: ``vigilo-gen migrate new NAME`` and the check of
``vigilo-gen check`` (docs/migrations.md, "The migrations folder").

``vigilo-gen.toml`` names the folder and the dialects::

    [migrations]
    folder = "migrations"
    dialects = ["postgres", "sqlite"]

Each migration is one folder, ``<number>_<name>/``, holding one script per dialect
(``postgres.sql``, ...) and ``spec.yaml``: a copy of the spec the migration leads to. The next
``migrate new`` diffs the spec against the last snapshot, never against git, so the folder
alone says where every database built from it stands. The first migration creates the schema,
planned from an empty database. ``check`` fails when the spec means something else than
the last snapshot and a migration of some dialect would not be empty, as Django's
``makemigrations --check`` does; a change no database sees (an endpoint, a comment in the
YAML) needs no migration.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..config import Config, Migrations
from ..errors import UsageError
from ..model import Spec
from .folder import next_name, numbered, write_folder

SNAPSHOT = "spec.yaml"
SCRIPT = "{dialect}.sql"
EMPTY = "(an empty database)"


@dataclass(frozen=True)
class Planned:
    """What ``migrate new`` writes: the folder and its files (name -> text)."""

    target: Path
    files: dict[str, str]


def configured(config: Config) -> Migrations:
    if config.migrations is None:
        raise UsageError(
            f"{config.display}: no [migrations] table: add one with "
            'folder = "migrations" and dialects = ["postgres"]'
        )
    return config.migrations


def last_snapshot(migrations: Migrations) -> Path | None:
    """The spec the newest migration leads to (None before the first one)."""
    for folder in reversed(numbered(migrations.folder)):
        if (folder / SNAPSHOT).is_file():
            return folder / SNAPSHOT
    return None


def nothing(spec: Spec) -> Spec:
    """The spec of an empty database: the first migration creates every table."""
    return replace(spec, enums=(), models=(), api=None, source_name=EMPTY, source_path=EMPTY)


def _display(config: Config, path: Path) -> str:
    """A path as the config's folder names it: the scripts' headers are then the same
    wherever the command runs from (cwd, or --config from elsewhere)."""
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()


def _scripts(
    config: Config, migrations: Migrations, snapshot: Path | None, *, allow_destructive: bool
) -> dict[str, str]:
    """dialect -> script from the snapshot (or from nothing) to the config's spec; empty
    scripts when nothing a database holds changed. Raises Refused."""
    from ..diff import diff
    from ..oldspec import load_named
    from . import plan_migration

    new = load_named(config.spec, _display(config, config.spec))
    old = load_named(snapshot, _display(config, snapshot)) if snapshot else nothing(new)
    result = diff(old, new)
    return {
        d: plan_migration(result, d, allow_destructive=allow_destructive)
        for d in migrations.dialects
    }


def plan_new(config: Config, name: str, *, allow_destructive: bool = False) -> Planned | None:
    """The next migration, or None when the spec changes nothing any database holds."""
    migrations = configured(config)
    target = migrations.folder / next_name(migrations.folder, name)
    scripts = _scripts(
        config, migrations, last_snapshot(migrations), allow_destructive=allow_destructive
    )
    if not any(scripts.values()):
        return None
    files = {SCRIPT.format(dialect=d): text for d, text in scripts.items() if text}
    files[SNAPSHOT] = config.spec.read_text(encoding="utf-8")
    return Planned(target, files)


def write_new(planned: Planned) -> None:
    write_folder(planned.target, planned.files)


def stale(config: Config) -> str | None:
    """None when a migration leads to the spec, else the one line ``check`` prints."""
    from ..stamp import spec_meaning_hash

    migrations = config.migrations
    if migrations is None:
        return None
    spec = config.spec.as_posix()  # messages name paths from here, as every message does
    snapshot = last_snapshot(migrations)
    fix = "run `vigilo-gen migrate new NAME` and commit the result"
    if snapshot is None:
        return f"vigilo-gen: {spec}: no migration in {migrations.display} leads to it; {fix}"
    text = config.spec.read_text(encoding="utf-8")
    if spec_meaning_hash(text) == spec_meaning_hash(snapshot.read_text(encoding="utf-8")):
        return None
    if not any(_scripts(config, migrations, snapshot, allow_destructive=True).values()):
        return None
    return (
        f"vigilo-gen: {spec} changed since {migrations.display}/{snapshot.parent.name}: no "
        f"migration in {migrations.display} leads to it; {fix}"
    )
