"""Small helpers shared by the Python emitters (sqlalchemy, peewee): literals, safe attribute
names, import sorting, and a formatter for calls that leaves them as ``ruff format`` would.

Generated Python must pass ``ruff format --check`` without running ruff (no subprocess in an
emitter). The rule used here is one ruff always keeps: a call either fits on one line, or it is
exploded one argument per line with a magic trailing comma, recursively.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

# ruff format's default line length; exploded calls carry a magic trailing comma, so the
# output is also stable for any longer configured line length.
LINE_LENGTH = 88
INDENT = "    "


@dataclass(frozen=True)
class Call:
    """``head(args...)tail`` to be laid out by :func:`layout`; args are strings or Calls."""

    head: str  # everything up to and including the opening bracket, e.g. "mapped_column("
    args: tuple[Node, ...]
    close: str = ")"
    tail: str = ""  # text after the closing bracket on the same line
    hug: bool = True  # a call may put all its arguments on one indented line; a literal not


Node = Union[str, Call]  # noqa: UP007 (a runtime alias: Python 3.10 has no str | 'Call')


def flat(node: Node) -> str:
    if isinstance(node, str):
        return node
    # A one-element tuple keeps its comma.
    comma = "," if not node.hug and len(node.args) == 1 and node.close == ")" else ""
    return node.head + ", ".join(flat(a) for a in node.args) + comma + node.close + node.tail


def layout(node: Node, indent: str = "", trailer: int = 0) -> str:
    """The node's text starting at ``indent`` (the first line's indent is not included);
    ``trailer`` characters (a comma) follow it on its last line."""
    one_line = flat(node)
    if isinstance(node, str) or not node.args or \
            len(indent) + len(one_line) + trailer <= LINE_LENGTH:
        return one_line
    inner = indent + INDENT
    hugged = ", ".join(flat(a) for a in node.args)
    if node.hug and len(inner) + len(hugged) <= LINE_LENGTH:
        # ruff's "right-hand split": the arguments together on one indented line.
        return f"{node.head}\n{inner}{hugged}\n{indent}{node.close}{node.tail}"
    lines = [node.head]
    for arg in node.args:
        lines.append(inner + layout(arg, inner, 1) + ",")
    lines.append(indent + node.close + node.tail)
    return "\n".join(lines)


def py_str(text: str) -> str:
    """A string literal as ruff format writes it: double quotes unless that needs more escapes."""
    body = (text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))
    body = "".join(ch if ch.isprintable() or ch in "\\" else f"\\u{ord(ch):04x}" for ch in body)
    if text.count('"') > text.count("'"):
        return "'" + body.replace("'", "\\'") + "'"
    return '"' + body.replace('"', '\\"') + '"'


def _printable(text: str) -> str:
    """Characters Python source cannot hold as they are (NUL, other controls) as escapes."""
    return "".join(ch if ch.isprintable() or ch == "\n" else
                   "\\t" if ch == "\t" else f"\\u{ord(ch):04x}" for ch in text)


def py_docstring(text: str, indent: str) -> str:
    """What goes between the triple double quotes of a docstring saying ``text``: backslashes,
    quote runs and a quote at either end escaped (the text can never close the string), and
    continuation lines indented and stripped as ruff format leaves them."""
    body = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.startswith('"'):
        body = "\\" + body
    escaped = (len(body) - len(body[:-1].rstrip("\\")) - 1) % 2  # odd backslash run before
    if body.endswith('"') and not escaped:
        body = body[:-1] + '\\"'
    lines = [line.rstrip() for line in _printable(body).split("\n")]
    return "\n".join([lines[0], *(indent + line if line else "" for line in lines[1:])])


def py_comment(text: str, indent: str) -> str:
    """``text`` as ``#`` comment lines (every line of it: a newline cannot end the comment)."""
    lines = [_printable(line).rstrip() for line in text.strip().splitlines()] or [""]
    return f"\n{indent}".join(f"# {line}" if line else "#" for line in lines)


def py_number(value: int | float) -> str:
    return repr(value)


def py_decimal(value: int | float) -> str:
    if value == int(value):
        return f"Decimal({int(value)})"
    return f'Decimal("{Decimal(str(value))}")'


def safe_attr(name: str, reserved: frozenset[str] = frozenset()) -> str:
    """An attribute name usable in a class body: a Python keyword (``from``) or a name the
    ORM's base class already uses gets a trailing underscore (``from_``), as PEP 8 advises."""
    if keyword.iskeyword(name) or name in reserved:
        return name + "_"
    return name


def sorted_imports(names: set[str]) -> list[str]:
    """Names in the order ruff's isort rule (order-by-type) wants them: CONSTANTS, Classes,
    functions."""

    def key(name: str) -> tuple[int, str]:
        if name.isupper() and len(name) > 1:
            return (0, name)
        if name[:1].isupper():
            return (1, name)
        return (2, name)

    return sorted(names, key=key)


def import_from(module: str, names: set[str]) -> str:
    ordered = sorted_imports(names)
    # ruff format never puts imported names together on one indented line: one per line.
    return layout(Call(f"from {module} import (", tuple(ordered), hug=False)) \
        if len(f"from {module} import {', '.join(ordered)}") > LINE_LENGTH \
        else f"from {module} import {', '.join(ordered)}"


def check_class_names(spec, reserved: frozenset[str] | set[str], target: str) -> None:
    """Refuse a model whose class name would be a Python keyword or hide a name the generated
    module needs (one line, exit 2), rather than write a module that cannot import."""
    from vigilo_gen.errors import UsageError

    for model in spec.models:
        if keyword.iskeyword(model.name):
            raise UsageError(f"model name '{model.name}' is a Python keyword and cannot name a "
                             f"{target} class; rename the model")
        if model.name in reserved:
            raise UsageError(f"model name '{model.name}' collides with a name the generated "
                             f"{target} module needs; rename the model")
