"""Render every output of a config in memory, compare with the disk, and write (``all``/``check``).

Rendering and comparing are separate from writing: ``plan`` renders every output first and
returns what each file would become; nothing touches the disk until every output rendered, so a
failing emitter leaves every existing file untouched. The CLI prints; this module only decides.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .config import Config, Output
from .errors import UsageError
from .stamp import GENERATED_MARK

MARK_WINDOW = 4096  # the mark must appear in a file's first bytes to count as ours
MAX_DIFF_LINES = 400

UNCHANGED, CHANGED, NEW = "unchanged", "changed", "new"
SKIPPED = "skipped"  # an API output while the spec has no `api` section: left as it is


@dataclass(frozen=True)
class FileState:
    """What one output would do to the disk."""

    output: Output
    text: str  # freshly rendered
    current: str | None  # the file on disk (None when missing)
    status: str  # UNCHANGED | CHANGED | NEW

    @property
    def foreign(self) -> bool:
        """The file exists and vigilo-gen did not write it (no generated header)."""
        return self.current is not None and not is_generated(self.current)


class OutputFailed(Exception):
    """An emitter failed on one output; ``cause`` is what it raised."""

    def __init__(self, output: Output, cause: BaseException):
        self.output, self.cause = output, cause
        super().__init__(f"{output.display} ({output.emitter}): {cause}")


def is_generated(text: str) -> bool:
    return GENERATED_MARK in text[:MARK_WINDOW]


def load_project_spec(config: Config):
    """The config's spec, also checked for the identifier limits of every dialect it targets."""
    from .errors import SpecError
    from .registry import load
    from .spec import identifier_problems, load_spec

    spec = load_spec(config.spec)
    # Every dialect the outputs run on (each emitter says which), checked before any render.
    dialects = tuple(dict.fromkeys(
        d for o in config.outputs for d in load(o.emitter).dialects(o.options)))
    problems = identifier_problems(spec, dialects, file=str(config.spec)) if dialects else []
    if problems:
        raise SpecError(problems)
    return spec


def provenance(config: Config, spec, output: Output):
    """The header facts of one output of the config (see stamp and freshness)."""
    from .freshness import project_provenance, stamp_options

    return project_provenance(config.file, config.spec, spec.source_hash, output.emitter,
                              stamp_options(output.raw_options, output.templates_written,
                                            output.templates))


def render(config: Config, spec, output: Output, load_emitter=None) -> str:
    """One output's text; the header names ``vigilo-gen all`` as the command that regenerates it."""
    if load_emitter is None:
        from .registry import load as load_emitter
    emitter = load_emitter(output.emitter)
    try:
        return emitter.output(spec, output.options, provenance(config, spec, output),
                              output.path, output.templates)
    except Exception as exc:
        raise OutputFailed(output, exc) from exc


def read_current(path: Path) -> str | None:
    if path.is_dir():
        raise UsageError(f"{path}: is a directory, not a file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return data.decode("utf-8", errors="replace")


def plan(config: Config, spec, on_decided: Callable[[FileState], None] | None = None,
         load_emitter=None,
         on_start: Callable[[int, Output], None] | None = None,
         confirm: bool = False) -> list[FileState]:
    """Render every output (in config order) and compare it with the disk; write nothing.

    With ``confirm``, a file whose stamp proves it is what a render would give is unchanged
    without rendering (``check``; see stamp). ``on_start(index, output)`` and
    ``on_decided(state)`` let the CLI show progress."""
    from .stamp import confirms

    states = []
    for index, output in enumerate(config.outputs):
        current = read_current(output.path)
        if confirm and current is not None and confirms(
                current, provenance(config, spec, output).header_lines()):
            state = FileState(output, current, current, UNCHANGED)
            states.append(state)
            if on_decided is not None:
                on_decided(state)
            continue
        if spec.api is None and _needs_api(output, load_emitter):
            state = FileState(output, current or "", current, SKIPPED)
            states.append(state)
            if on_decided is not None:
                on_decided(state)
            continue
        if on_start is not None:
            on_start(index, output)
        text = render(config, spec, output, load_emitter)
        status = NEW if current is None else UNCHANGED if current == text else CHANGED
        state = FileState(output, text, current, status)
        states.append(state)
        if on_decided is not None:
            on_decided(state)
    return states


def _needs_api(output: Output, load_emitter=None) -> bool:
    if load_emitter is None:
        from .registry import load as load_emitter
    return bool(getattr(load_emitter(output.emitter), "needs_api", False))


def refuse_foreign(states: Iterable[FileState]) -> None:
    """Refuse to replace files vigilo-gen did not write (``all`` without ``--force``)."""
    foreign = [s.output.display for s in states if s.status == CHANGED and s.foreign]
    if foreign:
        raise UsageError(
            f"{', '.join(foreign)}: exists and was not generated by vigilo-gen (no "
            f"'{GENERATED_MARK}' header); nothing was written. Move it away, or pass --force "
            "to overwrite it")


def write(states: Iterable[FileState],
          on_written: Callable[[FileState], None] | None = None) -> None:
    """Write every new or changed output, each atomically (temp file + rename)."""
    from .output import write_atomic

    for state in states:
        if state.status not in (UNCHANGED, SKIPPED):
            write_atomic(state.output.path, state.text)
            if on_written is not None:
                on_written(state)


def diff(state: FileState) -> str:
    """A unified diff from the file on disk to the freshly rendered text."""
    name = state.output.display
    lines = list(difflib.unified_diff(
        (state.current or "").splitlines(keepends=True), state.text.splitlines(keepends=True),
        fromfile=f"{name} (on disk)", tofile=f"{name} (generated)"))
    lines = [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
             for line in lines]
    if len(lines) > MAX_DIFF_LINES:
        more = len(lines) - MAX_DIFF_LINES
        lines = lines[:MAX_DIFF_LINES] + [f"... ({more} more diff lines)\n"]
    return "".join(lines)
