"""Diagnostics: every user error is one line, ``file:line:col: message``, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass

# Exit statuses of the CLI: ok, stale output (check), bad spec or usage, a bug of ours.
EXIT_OK, EXIT_STALE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


@dataclass(frozen=True, order=True)
class Position:
    """1-based line and column in the spec file."""

    line: int = 0
    column: int = 0


NOWHERE = Position(0, 0)


def offset_position(data: str | bytes, offset: int) -> Position:
    """The 1-based line and column of a character (or, in bytes, a byte) offset of ``data``."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return Position(data.count(newline, 0, offset) + 1,
                    offset - (data.rfind(newline, 0, offset) + 1) + 1)


def not_utf8(raw: bytes, exc: UnicodeDecodeError) -> tuple[Position, str]:
    """Where a file's bytes stop being UTF-8, and the message every reader gives for it."""
    return offset_position(raw, exc.start), f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})"


@dataclass(frozen=True)
class Diagnostic:
    file: str
    position: Position
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.position.line:
            where = f"{self.file}:{self.position.line}:{self.position.column}"
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class SpecError(Exception):
    """Raised with one or more diagnostics; the CLI prints them and exits 2."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.file, d.position))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class UsageError(Exception):
    """A bad command line or config (not the spec's fault); exit status 2."""


def did_you_mean(name: str, candidates: object) -> str | None:
    """A hint naming the closest candidate, or None when nothing is close."""
    import difflib

    names = sorted(str(c) for c in candidates)  # type: ignore[attr-defined]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in names}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    return f"did you mean '{close[0]}'?" if close else None


def choice_hint(value: str, choices: object) -> str:
    """The hint for a value that is not among ``choices``: the closest one, then all of them.
    The config file and the command line word it alike."""
    listed = "choices: " + ", ".join(str(c) for c in choices)  # type: ignore[attr-defined]
    close = did_you_mean(str(value), choices)
    return f"{close} {listed}" if close else listed
