"""``vigilo-gen check`` without rendering: confirm each output from its header's stamp.

A pre-commit hook or CI job runs ``check`` on files that are nearly always fresh. ``quick_check``
reads the config and the spec as text (no validation, no Spec model, no emitter imported),
computes the header each output would get, and confirms every file whose stamp and body hash
prove that a render would give the same bytes (see stamp). Only when every output is confirmed
does it answer; anything it cannot confirm -- a missing, edited or stale file, an unreadable or
odd config, a spec that does not parse -- is left to the full path (``project.plan`` with
``confirm=True``), which validates everything and renders just the outputs not confirmed, so
the verdicts and messages are the full path's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .stamp import Provenance, confirms, options_text


def project_provenance(config_file: Path, spec_file: Path, spec_hash: str, emitter: str,
                       raw_options: Iterable[tuple[str, Any]]) -> Provenance:
    """The provenance ``vigilo-gen all`` gives one output of a config."""
    from . import __version__
    from .config import regenerate_command
    from .registry import label

    return Provenance(__version__, spec_file.name, spec_hash, regenerate_command(config_file),
                      label(emitter), options_text(raw_options))


def stamp_options(raw_options: Iterable[tuple[str, Any]], templates: str | None,
                  folder: Path | None) -> list[tuple[str, Any]]:
    """An output's options as its stamp names them: the config's, and the templates folder
    with a hash of what it holds (an edited override template makes the output stale)."""
    from .templates import stamp_value

    options = list(raw_options)
    if templates is not None and folder is not None:
        options.append(("templates", stamp_value(templates, folder)))
    return options


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def quick_check(config_path: Path | None, *, migrations: bool = False) -> int | None:
    """The number of outputs when every output of the config is confirmed fresh, else None.
    A config with a [migrations] table is confirmed only when ``migrations`` says the caller
    checks the migrations folder too (``check_command`` does; the entry point's fast path
    leaves such a config to it)."""
    try:
        return _quick_check(config_path, migrations)
    except Exception:  # anything unexpected: the full path decides, and words any error
        return None


def _quick_check(config_path: Path | None, migrations: bool = False) -> int | None:
    from .config import CONFIG_NAME, RESERVED_KEYS, TOP_KEYS, _toml
    from .registry import clash, discover
    from .stamp import spec_meaning_hash
    from .yamlsource import MAX_SPEC_BYTES

    file = config_path if config_path is not None else Path(CONFIG_NAME)
    text = _read_text(file)
    if text is None:
        return None
    data = _toml().loads(text)
    spec = data.get("spec")
    outputs = data.get("output")
    if not set(data) <= set(TOP_KEYS) or not isinstance(spec, str) or not spec \
            or not isinstance(outputs, list) or not outputs \
            or ("migrations" in data and not migrations):
        return None
    root = file.parent
    spec_file = Path(spec) if Path(spec).is_absolute() else root / spec
    if not spec_file.is_file() or spec_file.stat().st_size > MAX_SPEC_BYTES:
        return None
    spec_text = _read_text(spec_file)
    if spec_text is None:
        return None
    spec_hash = spec_meaning_hash(spec_text.removeprefix("\ufeff"))
    known = discover()
    seen: set[Path] = set()
    for raw in outputs:
        if not isinstance(raw, dict):
            return None
        emitter, target = raw.get("emitter"), raw.get("path")
        if not isinstance(emitter, str) or emitter not in known or clash(emitter) \
                or not isinstance(target, str) or not target:
            return None
        path = Path(target) if Path(target).is_absolute() else (root / target)
        resolved = path.resolve()
        if resolved in seen:
            return None
        seen.add(resolved)
        current = _read_text(path) if not path.is_dir() else None
        if current is None:
            return None
        options = [(k, v) for k, v in raw.items() if k not in RESERVED_KEYS]
        templates = raw.get("templates")
        folder = None
        if templates is not None:
            if not isinstance(templates, str) or not templates:
                return None
            folder = Path(templates) if Path(templates).is_absolute() else root / templates
            if not folder.is_dir():
                return None
        provenance = project_provenance(file, spec_file, spec_hash, emitter,
                                        stamp_options(options, templates, folder))
        if not confirms(current, provenance.header_lines()):
            return None
    return len(outputs)
