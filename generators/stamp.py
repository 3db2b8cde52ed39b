"""Freshness stamps: what a generated file's header carries so that ``check`` can confirm the
file is fresh without rendering it (and without importing any emitter).

Every header ends with a stamp line::

    Stamp: spec 3473bd0a6919, body 5f3c0a1b2c3d, sql(dialect=postgres)

- ``spec``: the spec's *meaning* hash: its YAML event stream without comments, positions or
  layout (flow or block style, quoting style), so a comment-only or re-indenting edit keeps it,
  while any change to what a value is (text, plain vs quoted, tags, anchors, order) changes it.
  It is computed the same way whichever path reads the spec.
- ``body``: a hash of the whole file as rendered, with this very field written as
  ``____________``; a hand edit anywhere breaks it.
- the emitter (``name@version`` for a plug-in) and its options as the config writes them (or,
  for a single emitter command, every option).

The other header lines name the tool version, the spec's file name and the command that
regenerates the file. A file is confirmed fresh when its body hash holds and every header line
the current run would write is in its head: the output is a pure function of exactly these
facts (the tool version pins the libraries that shape the text, see pyproject.toml), so a
render would give the same bytes. Anything else (no stamp, a hand edit, another version, spec,
emitter, option, command or file name) is left to a real render.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

HASH_CHARS = 12
PLACEHOLDER = "_" * HASH_CHARS
STAMP_PREFIX = "Stamp: spec "
_STAMP = re.compile(r"Stamp: spec [0-9a-f]{12}, body ([0-9a-f]{12}|_{12}), ")
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.\-/]+")


def spec_meaning_hash(text: str) -> str:
    """sha256 (hex) of the YAML document's events: what the spec says, not how it is laid out.

    Raises yaml.YAMLError for a document that does not parse."""
    import yaml

    scalar, mapping, sequence, alias = (yaml.ScalarEvent, yaml.MappingStartEvent,
                                        yaml.SequenceStartEvent, yaml.AliasEvent)
    try:
        from yaml._yaml import CParser  # libyaml: ~10x faster than the pure-Python parser

        events = iter(CParser(text).get_event, None)
    except ImportError:  # pragma: no cover - PyYAML without libyaml
        events = yaml.parse(text, Loader=yaml.SafeLoader)
    parts: list[str] = []
    add = parts.append
    for event in events:
        kind = event.__class__
        if kind is scalar:
            # plain (resolved by its text: 1, true, null) or quoted (always a string)
            add("s" if event.implicit[0] else "q")
            add(event.value)
            if event.tag is not None or event.anchor is not None:
                add(f"!{event.tag}&{event.anchor}")
        elif kind is mapping or kind is sequence or kind is alias:
            add(kind.__name__[:2])
            tag = getattr(event, "tag", None)
            if tag is not None or event.anchor is not None:
                add(f"!{tag}&{event.anchor}")
        else:  # stream, document and collection ends
            add(kind.__name__[:3])
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def options_text(values: Iterable[tuple[str, Any]]) -> str:
    """``key=value, ...`` sorted by key; a value that is not a plain word is JSON-quoted, so
    two different option sets never read alike."""
    out = []
    for key, value in sorted(values):
        text = value if isinstance(value, str) and _PLAIN_VALUE.fullmatch(value) \
            else json.dumps(value, ensure_ascii=False, default=str)
        out.append(f"{key}={text}")
    return ", ".join(out)


def stamp_line(spec_hash: str, emitter: str, options: str) -> str:
    return f"{STAMP_PREFIX}{spec_hash[:HASH_CHARS]}, body {PLACEHOLDER}, {emitter}({options})"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]


def seal(text: str, window: int = 4096) -> str:
    """Write the body hash into a rendered text's stamps (a header may be written twice, e.g. as
    comments and as a document field); a text without a stamp is returned as is."""
    spans = [m.span(1) for m in _STAMP.finditer(text, 0, window) if m.group(1) == PLACEHOLDER]
    if not spans:
        return text
    digest = _digest(text)
    for start, end in reversed(spans):
        text = text[:start] + digest + text[end:]
    return text


def _line_forms(line: str) -> tuple[str, ...]:
    """How a header line stands in a file: a comment line, a JSON string, a YAML string."""
    return (line + "\n", json.dumps(line), json.dumps(line, ensure_ascii=False),
            "'" + line.replace("'", "''") + "'")


def confirms(text: str, expected_header: list[str], window: int = 4096) -> bool:
    """True when ``text`` is exactly what a render writing ``expected_header`` gives: its body
    hash holds, every expected line is in its head, and every stamp there is the expected one."""
    matches = list(_STAMP.finditer(text, 0, window))
    if not matches or len({m.group(1) for m in matches}) != 1 \
            or matches[0].group(1) == PLACEHOLDER:
        return False
    digest = matches[0].group(1)
    unsealed = text
    for match in reversed(matches):
        start, end = match.span(1)
        unsealed = unsealed[:start] + PLACEHOLDER + unsealed[end:]
    if _digest(unsealed) != digest:
        return False
    head = unsealed[:window + HASH_CHARS]
    stamps = [line for line in expected_header if line.startswith(STAMP_PREFIX)]
    if len(stamps) != 1 or head.count(stamps[0]) != len(matches):
        return False
    return all(any(form in head for form in _line_forms(line)) for line in expected_header)


@dataclass(frozen=True)
class Provenance:
    """Where an output comes from; every emitter writes ``header_lines`` as its header."""

    tool_version: str
    spec_name: str
    spec_hash: str  # the spec's meaning hash (spec_meaning_hash)
    command: str  # canonical command line that regenerates the output
    emitter: str = ""  # emitter label for the stamp (none: no stamp line)
    options: str = ""  # options_text of the options

    def header_lines(self) -> list[str]:
        lines = [f"Generated by vigilo-gen {self.tool_version} from {self.spec_name}. "
                 "Do not edit.",
                 f"Regenerate with: {self.command}"]
        if self.emitter:
            lines.append(stamp_line(self.spec_hash, self.emitter, self.options))
        return lines

    def header(self, prefix: str) -> str:
        """The header as comment lines, e.g. ``header("--")`` for SQL; ends with a newline."""
        return "".join(f"{prefix} {line}\n" for line in self.header_lines())
