"""A spec document as YAML in the house style: one line per field (a flow mapping), the
report of what was not imported as comments at the top."""

from __future__ import annotations

import json
import re
from typing import Any

from .source import Note

# Plain words YAML would read as something else (YAML 1.1 booleans, null) are quoted.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPECIAL = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        text = repr(value)
        if "e" in text and "." not in text.split("e")[0]:  # YAML reads 1e-07 as a string
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    if isinstance(value, int):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _SPECIAL:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def write_spec(doc: dict[str, Any], notes: list[Note], origin: str) -> str:
    lines = [f"# Imported by vigilo-gen from {origin}."]
    if notes:
        lines.append(
            '# Not imported (the spec cannot hold these; see README, "Adopting an '
            'existing database"):'
        )
        lines += [f"#   {' '.join(str(note).split())}" for note in notes]
    for key in ("version", "name", "title", "description"):
        if key in doc:
            lines.append(f"{key}: {scalar(doc[key])}")
    if doc.get("enums"):
        lines.append("")
        lines.append("enums:")
        lines += [f"  {scalar(name)}: {flow(values)}" for name, values in doc["enums"].items()]
    lines.append("")
    lines.append("models:")
    for name, model in doc["models"].items():
        lines.append(f"  {scalar(name)}:")
        for key, value in model.items():
            if key in ("fields", "relations"):  # one line per field, per relation
                lines.append(f"    {key}:")
                lines += [f"      {scalar(f)}: {flow(spec)}" for f, spec in value.items()]
            elif isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value):
                lines.append(f"    {key}:")
                lines += [f"      - {flow(item)}" for item in value]
            else:
                lines.append(f"    {key}: {flow(value)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
