"""``vigilo-gen typeddict``: one ``typing.TypedDict`` per table, describing a row as the
database returns it (physical column names as keys).

A complete emitter plug-in, written against vigilo-gen's public API only (docs/plugins.md):
options of each type, the emitter's own validation at file:line:col, and the header left to
the engine (the output is a ``.py`` file: the engine comments the header with ``#``).
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass

from vigilo_gen.emitter import Emitter, option
from vigilo_gen.errors import Diagnostic, UsageError
from vigilo_gen.model import FieldType, Spec

T = FieldType

# The Python type of each logical type: a table, so a new type is one line.
PYTHON_TYPES: dict[FieldType, str] = {
    T.ID: "str", T.REF: "str", T.STRING: "str", T.TEXT: "str", T.ENUM: "str",
    T.INT: "int", T.BIGINT: "int", T.FLOAT: "float", T.DECIMAL: "decimal.Decimal",
    T.BOOL: "bool", T.DATE: "datetime.date", T.DATETIME: "datetime.datetime",
    T.JSON: "object", T.UUID: "str", T.BYTES: "bytes",
}


@dataclass(frozen=True)
class Options:
    style: str = option("class", "'class' (class syntax) or 'functional' (any key, even a "
                        "Python keyword).", choices=("class", "functional"))
    total: bool = option(True, "Every key required (total=True).")
    suffix: str = option("Row", "Appended to each model's name.")
    indent: int = option(4, "Spaces per indentation level.")


def validate(spec: Spec, options: Options) -> list[Diagnostic]:
    """Names Python refuses where this output would write them, at the spec's file:line:col."""
    problems = []
    file = spec.source_path or spec.source_name

    def refuse(name: str, where, why: str) -> None:
        problems.append(Diagnostic(file, where, f"'{name}' {why} in a TypedDict"))

    for model in spec.models:
        name = model.name + options.suffix
        if not name.isidentifier() or keyword.iskeyword(name):
            refuse(name, model.position, "is not a Python class name")
        for field in model.fields if options.style == "class" else ():
            if not field.column.isidentifier() or keyword.iskeyword(field.column):
                refuse(field.column, field.position,
                       "is not a Python identifier (try --style functional)")
    return problems


def render(spec: Spec, options: Options, provenance) -> str:
    if options.indent < 1:  # a bad option is a usage error: one line, exit status 2
        raise UsageError(f"--indent must be at least 1, not {options.indent}")
    pad = " " * options.indent
    total = "" if options.total else ", total=False"
    out = ["from __future__ import annotations", "", "import datetime", "import decimal",
           "from typing import TypedDict", "", "__all__ = ["]
    out += [f'{pad}"{m.name}{options.suffix}",' for m in spec.models] + ["]"]
    for model in spec.models:
        name = model.name + options.suffix
        columns = [(f.column, PYTHON_TYPES[f.value_type] + (" | None" if f.nullable else ""))
                   for f in model.fields]
        out += ["", ""]
        if options.style == "class":
            out.append(f"class {name}(TypedDict{total}):")
            if model.description:
                out.append(f"{pad}{_docstring(model.description)}")
            out += [f"{pad}{column}: {kind}" for column, kind in columns]
        else:
            out.append(f'{name} = TypedDict("{name}", {{')
            out += [f'{pad}{column!r}: {kind},' for column, kind in columns]
            out.append(f"}}{total})")
    return "\n".join(out) + "\n"


def _docstring(text: str) -> str:
    return repr(text.replace("\n", " "))


emitter = Emitter(
    name="typeddict",
    description="typing.TypedDict classes: one per table row (example plug-in).",
    options=Options,
    render=render,
    filename=lambda options: "rows.py",  # also tells the engine to comment its header with #
    validate=validate,
)
