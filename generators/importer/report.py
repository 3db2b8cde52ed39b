"""What an import could not carry into the spec, said on stderr (one line per item), and the
check that the written spec is one the engine accepts."""

from __future__ import annotations

import sys

from vigilo_gen.errors import SpecError, UsageError

from .source import Note


def report(notes: list[Note]) -> None:
    for note in notes:
        print(f"vigilo-gen: {' '.join(str(note).split())}", file=sys.stderr)
    if notes:
        print(
            f"vigilo-gen: {len(notes)} item(s) not imported (listed at the top of the spec)",
            file=sys.stderr,
        )


def check_spec(text: str, origin: str, *, before: str | None = None) -> None:
    """Load the imported spec as the engine would: a source the spec cannot describe (a table
    without a key, two names that collide) is said with the spec's own message.

    With ``before`` (--into: the text of the spec ``origin`` names, which is left unwritten),
    the error is placed at its line in that file when the merge left the line as it was (the
    api section, which the merge never edits); a line of the merged text alone would name a
    place the user cannot see."""
    import tempfile
    from pathlib import Path

    from vigilo_gen.spec import load_spec

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "imported.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_spec(path)
        except SpecError as exc:
            first = exc.diagnostics[0]
            if before is None:
                raise UsageError(
                    f"{origin}: the imported spec is not valid: {first.message} "
                    f"(at line {first.position.line} of the spec)"
                ) from None
            line = _line_before(before, text, first.position.line)
            where = f"{origin}:{line}:{first.position.column}" if line else origin
            raise UsageError(
                f"{where}: {first.message}, once the database is merged in "
                f"(nothing was written)"
            ) from None


def _line_before(before: str, after: str, line: int) -> int | None:
    """The 1-based line of ``before`` that ``after``'s ``line`` is an unchanged copy of."""
    import difflib

    matcher = difflib.SequenceMatcher(
        None, before.splitlines(), after.splitlines(), autojunk=False
    )
    for a, b, size in matcher.get_matching_blocks():
        if b < line <= b + size:
            return a + line - b
    return None
