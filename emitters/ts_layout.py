"""A small prettier-compatible layout engine for the TypeScript the drizzle emitter writes.

Generated TypeScript must be byte-identical to what prettier (printWidth 80, 2 spaces, double
quotes, trailing commas) leaves. Prettier is a Wadler-style printer over documents made of
groups, indents and soft line breaks; this module reproduces the part of it our output uses:
groups, indents, (soft/hard) lines, if-break text and conditional groups, plus the builders for
calls (with last-argument hugging), objects, arrays and member chains, following prettier's
rules for each. Pure Python, stdlib only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WIDTH = 80
INDENT = "  "


def number(value: int | float) -> str:
    """A number literal as prettier prints it. Python's repr already has prettier's lower case,
    leading digit and no trailing zeros but one (prettier keeps ``1.0``); prettier also drops an
    exponent's ``+`` and leading zeros (``1e-07`` -> ``1e-7``, ``1.5e+200`` -> ``1.5e200``)."""
    return re.sub(r"e(-?)\+?0*(?=\d)", r"e\1", repr(value))


@dataclass(frozen=True)
class Line:
    soft: bool = False  # soft: nothing when flat; else a space when flat
    hard: bool = False


LINE, SOFTLINE, HARDLINE = Line(), Line(soft=True), Line(hard=True)


@dataclass(frozen=True)
class Group:
    parts: tuple
    broken: bool = False  # already broken (contains a hard line, or forced)


@dataclass(frozen=True)
class Indent:
    parts: tuple


@dataclass(frozen=True)
class IfBreak:
    broken: str
    flat: str = ""


@dataclass(frozen=True)
class Conditional:
    """prettier's conditionalGroup: the first state that fits, else the last one, broken."""

    states: tuple


def _has_hard(doc) -> bool:
    if isinstance(doc, Line):
        return doc.hard
    if isinstance(doc, Group):
        # group() sets broken whenever a part has a hard line (and a Group built directly is
        # only ever a forced-broken copy), so there is no need to walk the parts again: that
        # walk, repeated at every nesting level, was half of the drizzle emitter's time.
        return doc.broken
    if isinstance(doc, Indent):
        return any(_has_hard(p) for p in doc.parts)
    if isinstance(doc, (tuple, list)):
        return any(_has_hard(p) for p in doc)
    if isinstance(doc, Conditional):
        return _has_hard(doc.states[0])
    return False


def group(*parts, broken: bool = False) -> Group:
    return Group(tuple(parts), broken or any(_has_hard(p) for p in parts))


def indent(*parts) -> Indent:
    return Indent(tuple(parts))


def join(separator, docs) -> list:
    out: list = []
    for i, doc in enumerate(docs):
        if i:
            out.append(separator)
        out.append(doc)
    return out


# --- printing -----------------------------------------------------------------------------

FLAT, BREAK = 0, 1


def _fits(commands: list, rest: list, width: int, must_be_flat: bool = False) -> bool:
    """Does the text up to the next line break fit in ``width``? (prettier's fits())."""
    stack = list(commands)
    rest_index = len(rest)
    while width >= 0:
        if not stack:
            if rest_index == 0:
                return True
            rest_index -= 1
            stack.append(rest[rest_index])
            continue
        ind, mode, doc = stack.pop()
        if isinstance(doc, str):
            width -= len(doc)
        elif isinstance(doc, (tuple, list)):
            for part in reversed(doc):
                stack.append((ind, mode, part))
        elif isinstance(doc, Indent):
            for part in reversed(doc.parts):
                stack.append((ind, mode, part))
        elif isinstance(doc, Group):
            if must_be_flat and doc.broken:
                return False
            sub = BREAK if doc.broken else mode
            for part in reversed(doc.parts):
                stack.append((ind, sub, part))
        elif isinstance(doc, Conditional):
            state = doc.states[0] if mode == FLAT else doc.states[-1]
            stack.append((ind, mode, state))
        elif isinstance(doc, IfBreak):
            width -= len(doc.broken if mode == BREAK else doc.flat)
        elif isinstance(doc, Line):
            if mode == BREAK or doc.hard:
                return True
            if not doc.soft:
                width -= 1
    return False


def render(doc, width: int = WIDTH) -> str:
    out: list[str] = []
    pos = 0
    stack: list = [("", BREAK, doc)]
    while stack:
        ind, mode, doc = stack.pop()
        if isinstance(doc, str):
            out.append(doc)
            pos += len(doc)
        elif isinstance(doc, (tuple, list)):
            for part in reversed(doc):
                stack.append((ind, mode, part))
        elif isinstance(doc, Indent):
            for part in reversed(doc.parts):
                stack.append((ind + INDENT, mode, part))
        elif isinstance(doc, Group):
            if mode == FLAT and not doc.broken:
                for part in reversed(doc.parts):
                    stack.append((ind, FLAT, part))
            else:
                flat = [(ind, FLAT, list(doc.parts))]
                sub = FLAT if not doc.broken and _fits(flat, stack, width - pos) else BREAK
                for part in reversed(doc.parts):
                    stack.append((ind, sub, part))
        elif isinstance(doc, Conditional):
            if mode == FLAT:
                stack.append((ind, FLAT, doc.states[0]))
                continue
            first = doc.states[0]
            if not _has_hard(first) and _fits([(ind, FLAT, first)], stack, width - pos):
                stack.append((ind, FLAT, first))
                continue
            chosen = doc.states[-1]
            chosen_mode = BREAK
            for state in doc.states[1:-1]:
                if _fits([(ind, FLAT, state)], stack, width - pos):
                    chosen, chosen_mode = state, FLAT
                    break
            stack.append((ind, chosen_mode, chosen))
        elif isinstance(doc, IfBreak):
            text = doc.broken if mode == BREAK else doc.flat
            out.append(text)
            pos += len(text)
        elif isinstance(doc, Line):
            if mode == FLAT and not doc.hard:
                if not doc.soft:
                    out.append(" ")
                    pos += 1
            else:
                while out and out[-1].endswith(" "):  # prettier trims trailing whitespace
                    out[-1] = out[-1].rstrip(" ")
                out.append("\n" + ind)
                pos = len(ind)
    return "".join(out)


# --- TypeScript constructs, as prettier prints them ---------------------------------------


@dataclass(frozen=True)
class Node:
    """A printed expression and whether prettier counts it as a 'simple' call argument."""

    doc: object
    simple: bool = True
    huggable: bool = False  # an object/array/arrow that may hug as a call's last argument


def text(value: str, simple: bool = True) -> Node:
    return Node(value, simple)


def obj(props: list[tuple[str, Node]], expanded: bool = False) -> Node:
    """``{ a: 1, b: 2 }``; ``expanded`` mimics a source object with a newline after ``{``
    (prettier keeps such objects expanded)."""
    if not props:
        return Node("{}", True, False)
    body = join([",", LINE], [[f"{k}: ", v.doc] for k, v in props])
    doc = group("{", indent(LINE, *body), IfBreak(","), LINE, "}", broken=expanded)
    return Node(doc, all(v.simple for _, v in props), True)


def arr(items: list[Node]) -> Node:
    if not items:
        return Node("[]")
    body = join([",", LINE], [i.doc for i in items])
    return Node(group("[", indent(SOFTLINE, *body), IfBreak(","), SOFTLINE, "]"),
                all(i.simple for i in items), True)


def arrow(params: str, body: Node) -> Node:
    """``(params) => body``; a body that is an object is parenthesised."""
    inner = body.doc
    if isinstance(body.doc, Group) and body.doc.parts and body.doc.parts[0] == "{":
        inner = ["(", body.doc, ")"]
    return Node([f"{params} => ", inner], False, True)


def args(arguments: list[Node]):
    """``(a, b, c)`` with prettier's last-argument hugging."""
    if not arguments:
        return "()"
    flat_parts = join([",", LINE], [a.doc for a in arguments])
    # (group() breaks itself when any argument holds a hard line)
    all_broken = group("(", indent(SOFTLINE, *flat_parts), IfBreak(","), SOFTLINE, ")")
    last = arguments[-1]
    if not last.huggable or any(_has_hard(a.doc) for a in arguments[:-1]):
        return all_broken
    head = join([", "], [a.doc for a in arguments[:-1]])
    prefix = [*head, ", "] if head else []
    hugged = ["(", *prefix, _broken(last.doc), ")"]
    flat = ["(", *prefix, last.doc, ")"]
    if _has_hard(last.doc):
        return Conditional((hugged, hugged, all_broken))
    return Conditional((flat, hugged, all_broken))


def _broken(doc):
    """The same document with its outermost group forced to break (a hugged last argument)."""
    if isinstance(doc, Group):
        return Group(doc.parts, True)
    if isinstance(doc, list) and doc and isinstance(doc[-1], (Group, list)):
        return [*doc[:-1], _broken(doc[-1])]
    return doc


def call(callee: str, arguments: list[Node]) -> Node:
    return Node([callee, args(arguments)], all(a.simple for a in arguments))


def chain(head: Node, calls: list[tuple[str, list[Node]]]) -> Node:
    """``head.a(x).b(y)``: prettier's member-chain rules. A chain of at most two calls (the
    head's included) stays on one line (its arguments break); a longer chain breaks one call
    per line if it does not fit, or always when some argument is not 'simple' (a function,
    a tagged template)."""
    printed = [[f".{name}", args(arguments)] for name, arguments in calls]
    one_line = [head.doc, *printed]
    if len(calls) + 1 <= 2:
        return Node(group(*one_line), False)
    expanded = [head.doc, indent(*[[HARDLINE, p] for p in printed])]
    if any(not a.simple for _, arguments in calls for a in arguments):
        return Node(group(*expanded), False)
    return Node(Conditional((one_line, expanded)), False)


def string(value: str) -> str:
    """A JavaScript string literal as prettier writes it: double quotes unless the value holds
    more double quotes than single quotes."""
    quote = "'" if value.count('"') > value.count("'") else '"'
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch in "\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return quote + "".join(out) + quote


def template(value: str) -> str:
    """Text for the inside of a JavaScript template literal."""
    return value.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
