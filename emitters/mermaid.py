"""``vigilo-gen mermaid [--format mmd|markdown] [--max-chars N]``: the tables as a Mermaid
``erDiagram``, with column types, keys (PK, FK, UK) and the cardinality of every foreign key.

Built only on the public plug-in API (docs/plugins.md), as a third-party emitter would be.
Mermaid refuses a diagram longer than its ``maxTextSize`` (50,000 characters by default) and
draws at most ``maxEdges`` (500) relationships, so a large spec is split into several diagrams,
each within both limits: tables are taken in spec order (a table after the tables it
references) and every relationship is drawn in the part of the table holding the foreign key
(Mermaid draws a bare box for a table defined in another part). One diagram is a ``.mmd``
file; several need ``--format markdown`` (one fenced block each, which GitHub renders).
"""

from __future__ import annotations

from dataclasses import dataclass

from vigilo_gen.emitter import Emitter, Provenance, option
from vigilo_gen.errors import Diagnostic, UsageError
from vigilo_gen.model import Field, FieldType, Model, Spec

T = FieldType

# Mermaid's defaults (mermaid.initialize: maxTextSize, maxEdges).
MERMAID_MAX_TEXT = 50_000
MERMAID_MAX_EDGES = 500


def _sized(name: str):
    return lambda f: f"{name}({f.max_length})" if f.max_length else name


# The type shown for each column: the spec's logical type, with its size where it has one.
TYPES = {
    T.ID: _sized("id"), T.REF: _sized("ref"), T.STRING: _sized("string"),
    T.ENUM: lambda f: f.enum.name if f.enum else "enum", T.TEXT: lambda f: "text",
    T.INT: lambda f: "int", T.BIGINT: lambda f: "bigint", T.FLOAT: lambda f: "float",
    T.DECIMAL: lambda f: f"decimal({f.precision},{f.scale})", T.BOOL: lambda f: "bool",
    T.DATE: lambda f: "date", T.DATETIME: lambda f: "datetime",
    T.JSON: lambda f: "json", T.UUID: lambda f: "uuid", T.BYTES: lambda f: "bytes",
}
# Words Mermaid's erDiagram grammar reads as key markers, not as an attribute name.
KEY_WORDS = frozenset({"PK", "FK", "UK"})


@dataclass(frozen=True)
class MermaidOptions:
    format: str = option("mmd", "'mmd' (one diagram) or 'markdown' (```mermaid blocks, as many "
                         "as the size limit needs).", choices=("mmd", "markdown"))
    max_chars: int = option(MERMAID_MAX_TEXT, "Longest diagram, in characters (Mermaid's "
                            "maxTextSize).")
    descriptions: bool = option(True, "Write the columns' descriptions as comments.")


def _comment(text: str) -> str:
    """A Mermaid attribute comment: one line; a double quote (the grammar has no escape for
    it) as Mermaid's entity code."""
    return " ".join(text.split()).replace('"', "#quot;")


def _keys(field: Field) -> str:
    keys = ["PK"] * field.primary_key + ["FK"] * (field.reference is not None)
    keys += ["UK"] * (field.unique and not field.primary_key)
    return ",".join(keys)


def _entity(model: Model, options: MermaidOptions) -> list[str]:
    lines = [f'  "{model.table}" {{']
    for field in model.fields:
        parts = [TYPES[field.type](field), field.column]
        keys = _keys(field)
        if keys:
            parts.append(keys)
        if options.descriptions and field.description:
            parts.append(f'"{_comment(field.description)}"')
        lines.append("    " + " ".join(parts))
    return [*lines, "  }"]


def _relationships(model: Model) -> list[str]:
    """One line per foreign key: parent ||..o{ child (the parent side |o when nullable, the
    child side o| for a one-to-one). Dotted: the key is not part of the child's identity."""
    lines = []
    for field in model.references:
        ref = field.reference
        parent = "|o" if field.nullable else "||"
        child = "o|" if ref.one_to_one else "o{"
        lines.append(f'  "{ref.target_table}" {parent}..{child} "{model.table}" : '
                     f'"{field.column}"')
    for rel in model.composite_references:  # ``relations:``: labelled by its columns
        parent = "|o" if rel.nullable else "||"
        child = "o|" if rel.one_to_one else "o{"
        lines.append(f'  "{rel.target_table}" {parent}..{child} "{model.table}" : '
                     f'"{", ".join(rel.columns)}"')
    return lines


def diagrams(spec: Spec, options: MermaidOptions) -> list[str]:
    """The erDiagram texts, each within ``max_chars`` and Mermaid's edge limit."""
    opening = "erDiagram\n"
    parts: list[list[str]] = [[]]
    size, edges = len(opening), 0
    for model in spec.models:
        chunk = _entity(model, options) + _relationships(model)
        length = sum(len(line) + 1 for line in chunk)
        count = len(model.references) + len(model.composite_references)
        if len(opening) + length > options.max_chars:
            raise UsageError(f"table {model.table} alone needs {len(opening) + length} "
                             f"characters of diagram; --max-chars is {options.max_chars}")
        if parts[-1] and (size + length > options.max_chars
                          or edges + count > MERMAID_MAX_EDGES):
            parts.append([])
            size, edges = len(opening), 0
        parts[-1] += chunk
        size += length
        edges += count
    return [opening + "".join(f"{line}\n" for line in part) for part in parts]


def validate(spec: Spec, options: MermaidOptions) -> list[Diagnostic]:
    file = spec.shown_path
    problems = []
    for model in spec.models:
        for field in model.fields:
            if field.column in KEY_WORDS:
                problems.append(Diagnostic(
                    file, field.position, f"column '{field.column}' of {model.table} cannot "
                    "be a Mermaid attribute name (a key marker)", "rename it"))
            if field.type not in TYPES:
                problems.append(Diagnostic(file, field.position, f"type {field.type.value} "
                                           "has no Mermaid spelling yet"))
    return problems


def render(spec: Spec, options: MermaidOptions, provenance: Provenance) -> str:
    if options.max_chars < 100:
        raise UsageError(f"--max-chars must be at least 100, not {options.max_chars}")
    parts = diagrams(spec, options)
    if options.format == "mmd":
        if len(parts) > 1:
            raise UsageError(f"the diagram needs {len(parts)} parts of at most "
                             f"{options.max_chars} characters; write --format markdown")
        return provenance.header("%%") + parts[0]
    out = ["<!--", *provenance.header_lines(), "-->", "", f"# {spec.title}: tables", ""]
    for number, text in enumerate(parts, 1):
        if len(parts) > 1:
            out += [f"## Part {number} of {len(parts)}", ""]
        out += ["```mermaid", text.rstrip("\n"), "```", ""]
    return "\n".join(out)


emitter = Emitter(
    name="mermaid",
    description="Mermaid erDiagram of the tables: types, keys, cardinalities (split when large).",
    options=MermaidOptions,
    render=render,
    filename=lambda options: "schema.mmd" if options.format == "mmd" else "schema.md",
    validate=validate,
)
