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
        print(f"vigilo-gen: {len(notes)} item(s) not imported (listed at the top of the spec)",
              file=sys.stderr)


def check_spec(text: str, origin: str) -> None:
    """Load the imported spec as the engine would: a source the spec cannot describe (a table
    without a key, two names that collide) is said with the spec's own message."""
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
            raise UsageError(f"{origin}: the imported spec is not valid: {first.message} "
                             f"(at line {first.position.line} of the spec)") from None
