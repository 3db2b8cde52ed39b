"""``vigilo-gen markdown``: reference documentation of the tables and the endpoints, one
Markdown file with the Mermaid ER diagram embedded (GitHub renders both).

Built only on the public plug-in API (docs/plugins.md). Every text taken from the spec
(descriptions, titles, defaults, patterns) is written so that it reads back exactly: the
punctuation Markdown gives a meaning is backslash-escaped (CommonMark lets any ASCII
punctuation be), line breaks in a table cell become ``<br>``; the tests render the file with a
CommonMark parser and compare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vigilo_gen.emitter import Emitter, Provenance, option
from vigilo_gen.model import (
    NOW,
    Field,
    FieldShape,
    FieldType,
    ListShape,
    MapShape,
    Model,
    ObjectShape,
    SchemaRef,
    Shape,
    Spec,
)

from . import mermaid

T = FieldType

# Characters with a meaning anywhere in a line (CommonMark, and GitHub's $math$, :emoji: and
# ~strike~), and those with a meaning at the start of a line (headings, lists, quotes, setext
# underlines, ordered lists' "1." and "1)"): backslash-escaped, as CommonMark allows for any
# ASCII punctuation, so spec text reads back exactly.
_ANYWHERE = re.compile(r"([\\`*_\[\]<>&|~!$:])")
_LINE_START = re.compile(r"^(\s*\d*)([#+\-=.)])", re.M)

# The column type as the spec's reader knows it: the logical type and its size.
TYPES = {
    T.ID: lambda f: "id", T.REF: lambda f: "ref", T.TEXT: lambda f: "text",
    T.STRING: lambda f: f"{'char' if f.fixed_length else 'string'}({f.max_length})",
    T.INT: lambda f: "int",
    T.BIGINT: lambda f: "bigint", T.FLOAT: lambda f: "float",
    T.DECIMAL: lambda f: f"decimal({f.precision}, {f.scale})", T.BOOL: lambda f: "bool",
    T.DATE: lambda f: "date", T.DATETIME: lambda f: "datetime",
    T.ENUM: lambda f: f"enum {f.enum.name}" if f.enum else "enum",
    T.JSON: lambda f: "json", T.UUID: lambda f: "uuid", T.BYTES: lambda f: "bytes",
}


@dataclass(frozen=True)
class MarkdownOptions:
    diagram: bool = option(True, "Embed the Mermaid ER diagram.")
    max_chars: int = option(mermaid.MERMAID_MAX_TEXT, "Longest embedded diagram, in "
                            "characters (Mermaid's maxTextSize); more are split.")


def text(value: object) -> str:
    """Spec text as Markdown that renders to exactly that text."""
    return _LINE_START.sub(r"\1\\\2", _ANYWHERE.sub(r"\\\1", str(value)))


def cell(value: object) -> str:
    """Text for a table cell: also one line (a line break is <br>)."""
    return "<br>".join(text(line) for line in str(value).split("\n"))


def paragraph(value: str) -> list[str]:
    """A description as paragraphs: its line breaks kept as hard breaks."""
    return ["\\\n".join(text(line) for line in value.split("\n")), ""]


def anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _default(field: Field) -> str:
    if field.default is None:
        return ""
    if field.default is NOW:
        return "now"
    if isinstance(field.default, bool):
        return "true" if field.default else "false"
    return cell(field.default if not isinstance(field.default, str) else
                f'"{field.default}"')


def _rules(field: Field) -> list[str]:
    rules = []
    if field.enum is not None:
        rules.append("one of " + ", ".join(f"`{v}`" for v in field.enum.values))
    if field.minimum is not None:
        rules.append(f"≥ {field.minimum}")
    if field.maximum is not None:
        rules.append(f"≤ {field.maximum}")
    if field.min_length is not None:
        rules.append(f"length ≥ {field.min_length}")
    if field.pattern is not None:
        rules.append(f"matches {cell(field.pattern)}")
    if field.updated_at:
        rules.append("set to now on every update")
    return rules


def _keys(field: Field) -> str:
    keys = ["PK"] * field.primary_key + ["unique"] * field.unique
    if field.reference is not None:
        ref = field.reference
        keys.append(f"FK → [{text(ref.target_table)}](#{anchor('table ' + ref.target_table)})"
                    f".{text(ref.target_column)} ({ref.on_delete.sql})")
    keys += ["indexed"] * (field.index is not None)
    return ", ".join(keys)


def _table(model: Model) -> list[str]:
    out = [f"### table {text(model.table)}", ""]
    if model.description:
        out += paragraph(model.description)
    out += [f"Model `{model.name}`.", "",
            "| column | type | null | default | keys | rules | description |",
            "|---|---|---|---|---|---|---|"]
    for field in model.fields:
        out.append("| " + " | ".join([
            f"`{field.column}`", TYPES[field.type](field), "yes" if field.nullable else "no",
            _default(field), _keys(field), "; ".join(_rules(field)),
            cell(field.description or "")]) + " |")
    out.append("")
    composite = [u for u in model.uniques if len(u.columns) > 1]
    indexes = [i for i in model.indexes if len(i.columns) > 1]
    for label, items in (("Unique", composite), ("Index", indexes)):
        out += [f"- {label} `{i.name}` on {', '.join(f'`{c}`' for c in i.columns)}"
                for i in items]
    out += [f"- Foreign key `{r.constraint}` on {', '.join(f'`{c}`' for c in r.columns)} "
            f"references `{r.target_table}` ({', '.join(f'`{c}`' for c in r.target_columns)})"
            f", on delete {r.on_delete.sql.lower()}" if r.foreign_key else
            f"- Relation `{r.name}` on {', '.join(f'`{c}`' for c in r.columns)} (no foreign "
            f"key) joins `{r.target_table}`" for r in model.composite_references]
    referenced = [f"`{b.source_model}.{b.source_field}`" for b in model.backrefs]
    referenced += [f"`{r.source}.{r.name}`" for r in model.composite_backrefs]
    if referenced:
        out.append("- Referenced by " + ", ".join(referenced))
    return [*out, ""] if composite or indexes or referenced or model.composite_references \
        else out


def _shape(shape: Shape) -> str:
    """A short, readable type of an API value."""
    if isinstance(shape, FieldShape):
        base = TYPES[shape.field.type](shape.field)
    elif isinstance(shape, SchemaRef):
        base = f"[{text(shape.name)}](#{anchor('schema ' + shape.name)})"
    elif isinstance(shape, ListShape):
        base = f"list of {_shape(shape.items)}"
    elif isinstance(shape, MapShape):
        base = f"map of {_shape(shape.values)}"
    else:
        base = "object {" + ", ".join(text(name) for name, _ in shape.properties) + "}"
    return base + (" or null" if shape.nullable else "") + (" (optional)" if shape.optional
                                                            else "")


def _properties(shape: ObjectShape) -> list[str]:
    out = ["| property | type | description |", "|---|---|---|"]
    out += [f"| `{name}` | {_shape(value)} | {cell(value.description or '')} |"
            for name, value in shape.properties]
    return [*out, ""]


def _endpoints(spec: Spec) -> list[str]:
    api = spec.api
    out = ["## Endpoints", "", f"Base path: `{api.base_path}`.", ""]
    for endpoint in api.endpoints:
        out += [f"### {endpoint.method.upper()} {text(endpoint.path)}", ""]
        if endpoint.summary:
            out += paragraph(endpoint.summary)
        if endpoint.description:
            out += paragraph(endpoint.description)
        auth = "required" if endpoint.auth_required else "not required"
        out += [f"Operation `{endpoint.name}`; authentication {auth}.", ""]
        if endpoint.params:
            out += ["Path parameters:", "", "| name | type | description |", "|---|---|---|"]
            out += [f"| `{name}` | {_shape(value)} | {cell(value.description or '')} |"
                    for name, value in endpoint.params]
            out.append("")
        if endpoint.body is not None:
            out += ["Request body:", "", *_properties(endpoint.body)]
        response = (f"[{text(endpoint.response)}](#{anchor('schema ' + endpoint.response)})"
                    if endpoint.response else "the success envelope")
        out += [f"Response: {response}" + ("; 404 when not found." if endpoint.not_found
                                           else "."), ""]
    for schema in api.schemas:
        out += [f"### schema {text(schema.name)}", ""]
        if schema.description:
            out += paragraph(schema.description)
        if isinstance(schema.shape, ObjectShape):
            out += _properties(schema.shape)
        else:
            out += [_shape(schema.shape), ""]
    return out


def render(spec: Spec, options: MarkdownOptions, provenance: Provenance) -> str:
    out = ["<!--", *provenance.header_lines(), "-->", "", f"# {text(spec.title)}", ""]
    if spec.description:
        out += paragraph(spec.description)
    out += [f"Spec `{spec.name}`, API version {text(spec.api_version)}.", "",
            "- [Tables](#tables)"]
    out += [f"  - [{text(m.table)}](#{anchor('table ' + m.table)})" for m in spec.models]
    if spec.api is not None:
        out.append("- [Endpoints](#endpoints)")
    out.append("")
    if options.diagram:
        parts = mermaid.diagrams(spec, mermaid.MermaidOptions(max_chars=options.max_chars))
        out += ["## Diagram", ""]
        for part in parts:
            out += ["```mermaid", part.rstrip("\n"), "```", ""]
    out += ["## Tables", ""]
    for model in spec.models:
        out += _table(model)
    if spec.api is not None:
        out += _endpoints(spec)
    return "\n".join(out).rstrip("\n") + "\n"


emitter = Emitter(
    name="markdown",
    description="Reference documentation (Markdown): tables, endpoints, the ER diagram.",
    options=MarkdownOptions,
    render=render,
    filename=lambda options: "schema.md",
    validate=mermaid.validate,
)
