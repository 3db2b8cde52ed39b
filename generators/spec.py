"""Load a spec: read YAML with positions, validate its shape and meaning, build the Spec model."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from importlib import resources
from pathlib import Path

from .build import build_spec
from .dialects import COLUMN_LIMITS, IDENTIFIER_LIMITS, PORTABLE_DIALECTS
from .errors import Diagnostic, Position, SpecError
from .model import Spec
from .schema import validate_document
from .stamp import spec_meaning_hash
from .yamlsource import read_yaml

# Where a spec is looked for when none is named, in order: the current folder, then spec/.
DEFAULT_SPECS = (Path("vigilo.yaml"), Path("spec") / "vigilo.yaml")
BUNDLED_SPEC = "vigilo.yaml"


def bundled_spec_path() -> Path:
    """The Vigilo example spec shipped inside the package (used when no spec is found)."""
    return Path(str(resources.files("vigilo_gen.bundled").joinpath(BUNDLED_SPEC)))


def resolve_spec_path(path: str | os.PathLike | None) -> tuple[Path, str]:
    """(file to read, name to show in messages) for ``--spec``, or the spec found by default:
    ./vigilo.yaml, then ./spec/vigilo.yaml, then the bundled example (named by its full path;
    ``bundled_note`` says so on stderr). A project's config names its spec itself."""
    if path is not None:
        return Path(path), str(path)
    for candidate in DEFAULT_SPECS:
        if candidate.is_file():
            return candidate, str(candidate)
    bundled = bundled_spec_path()
    return bundled, str(bundled)


def bundled_note(path: str | os.PathLike | None) -> str | None:
    """The note to print when no spec was named and none was found here, else None."""
    if path is not None or any(candidate.is_file() for candidate in DEFAULT_SPECS):
        return None
    return (f"vigilo-gen: note: no {DEFAULT_SPECS[0]} or {DEFAULT_SPECS[1]} here; reading the "
            f"bundled example spec {bundled_spec_path()} (pass --spec FILE to read yours)")


def spec_option(path: str | os.PathLike | None) -> str | None:
    """``--spec`` as the header's command must write it: None when the spec named is the one
    found by default anyway."""
    if path is None:
        return None
    found, _ = resolve_spec_path(None)
    try:
        if Path(path).resolve() == found.resolve():
            return None
    except OSError:
        pass
    return str(path)


def load_spec(path: str | os.PathLike | None = None) -> Spec:
    """Read, validate and build a spec. Raises SpecError with every problem found.

    In the command-line process (a short-lived one; ``vigilo_gen.CLI_PROCESS``), loading builds
    many long-lived objects and hardly any garbage: the cyclic collector then runs rarely while
    loading, and the loaded spec is frozen (gc.freeze) so that later collections do not scan it
    again and again while an emitter works. Measured on a 500-table spec: loading ~2x faster,
    the pydantic emitter ~25% faster, peak memory unchanged."""
    import vigilo_gen

    if not vigilo_gen.CLI_PROCESS:
        return _load_spec(path)
    import gc

    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        spec = _load_spec(path)
    finally:
        gc.set_threshold(*thresholds)
    gc.freeze()
    return spec


def _load_spec(path: str | os.PathLike | None) -> Spec:
    file, display = resolve_spec_path(path)
    data, source = read_yaml(file, display)
    problems = validate_document(data, source)
    if problems:
        raise SpecError(problems)
    spec = build_spec(data, source)
    # What the spec means, not its bytes: a comment-only edit leaves every output fresh.
    digest = spec_meaning_hash(source.text)
    return replace(spec, source_name=file.name, source_path=display, source_hash=digest)


def identifier_problems(spec: Spec, dialects: Iterable[str] = PORTABLE_DIALECTS,
                        file: str = "") -> list[Diagnostic]:
    """Identifiers longer than a dialect accepts. Checked per chosen dialect, not at load time:
    a spec may be fine for SQLite and too long for PostgreSQL."""
    dialects = list(dialects)
    limits = {  # what -> (dialect, its limit) for the dialects that have one
        what: [(d, table[d]) for d in dialects if table.get(d) is not None]
        for what, table in (("table name", IDENTIFIER_LIMITS), ("column name", COLUMN_LIMITS))
    }
    if not any(limits.values()):
        return []
    problems = []

    def check(name: str, what: str, where: Position) -> None:
        for dialect, limit in limits[what]:
            if len(name) > limit:
                problems.append(Diagnostic(file or spec.shown_path, where,
                                           f"{what} '{name}' is {len(name)} characters long; "
                                           f"{dialect} allows {limit}"))
                return

    for model in spec.models:
        check(model.table, "table name", model.position)
        for field in model.fields:
            check(field.column, "column name", field.position)
    return problems
