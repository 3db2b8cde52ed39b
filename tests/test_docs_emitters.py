"""The documentation emitters (mermaid, dbml, markdown), checked by their own tools.

- mermaid: every diagram parsed by the `mermaid` npm package's parser; split diagrams each
  within the size limit, together holding every table and foreign key once.
- dbml: @dbml/core's exporter (what `dbml2sql` runs) turns the file into PostgreSQL; that
  database reflects equal to the one `vigilo-gen sql --dialect postgres` creates, except for
  the listed things DBML cannot say.
- markdown: rendered by a CommonMark parser (markdown-it-py, with GitHub's tables): every
  spec text reads back exactly, every internal link reaches a heading by GitHub's anchor rule,
  and the embedded diagrams parse.
Expectations come from the tools' documentation (Mermaid's cardinality markers, CommonMark,
GitHub's anchors), and every spec runs, the hostile one (keyword names) included.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from vigilo_gen.model import NOW, Spec
from vigilo_gen.spec import load_spec

from tests.conformance.compare import differences
from tests.conformance.reflect import describe
from tests.support import ALL_SPECS, ROOT, SPEC_IDS, generate, missing, run_cli

NODE_TOOLS = ROOT / "tools" / "node"


def node_script(script: str, *args: str, stdin: str | None = None):
    if not (NODE_TOOLS / "node_modules" / "mermaid").is_dir() \
            or not (NODE_TOOLS / "node_modules" / "@dbml" / "core").is_dir():
        missing("npm check tools mermaid and @dbml/core (npm ci --prefix tools/node)")
    node = shutil.which("node")
    if node is None:
        missing("executable 'node'")
    return subprocess.run([node, str(NODE_TOOLS / script), *args], input=stdin,
                          capture_output=True, text=True, timeout=180)


def mermaid_parse(texts: list[str]) -> list[dict]:
    result = node_script("mermaid-parse.mjs", stdin=json.dumps(texts))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", markdown, re.M | re.S)


# --- mermaid ------------------------------------------------------------------------------

# Mermaid's documented cardinality markers (erDiagram, "Relationship Syntax"): on the left of
# the line || is exactly one and |o zero or one; on the right o{ is zero or more, o| zero or one.
def expected_relationships(spec: Spec) -> set[str]:
    out = set()
    for model in spec.models:
        for field in model.references:
            ref = field.reference
            left = "|o" if field.nullable else "||"
            right = "o|" if ref.one_to_one else "o{"
            out.add(f'"{ref.target_table}" {left}..{right} "{model.table}" : "{field.column}"')
        for rel in model.composite_references:  # labelled by its columns
            left = "|o" if rel.nullable else "||"
            right = "o|" if rel.one_to_one else "o{"
            out.add(f'"{rel.target_table}" {left}..{right} "{model.table}" : '
                    f'"{", ".join(rel.columns)}"')
    return out


def entities(diagram: str) -> dict[str, list[str]]:
    """Entity name -> its attribute lines, read from the erDiagram text."""
    return {name: [line.strip() for line in body.strip("\n").splitlines()]
            for name, body in re.findall(r'^  "([^"]+)" \{\n(.*?)^  \}$', diagram, re.M | re.S)}


@pytest.mark.node
@pytest.mark.parametrize("spec_path", ALL_SPECS, ids=SPEC_IDS)
def test_mermaid_diagram_parses_with_keys_types_and_cardinalities(spec_path, tmp_path):
    spec = load_spec(spec_path)
    text = generate("mermaid", spec_path, tmp_path / "schema.mmd")
    assert mermaid_parse([text]) == [{"ok": True, "type": "er"}]
    found = entities(text)
    assert list(found) == [m.table for m in spec.models]
    for model in spec.models:
        for line, field in zip(found[model.table], model.fields, strict=True):
            words = line.split(" ", 3)
            assert words[1] == field.column
            keys = words[2].split(",") if len(words) > 2 and not words[2].startswith('"') \
                else []
            assert ("PK" in keys) == field.primary_key
            assert ("FK" in keys) == (field.reference is not None)
    lines = {line.strip() for line in text.splitlines() if ".." in line and '" : "' in line}
    assert lines == expected_relationships(spec)


@pytest.mark.node
@pytest.mark.parametrize("spec_path", ALL_SPECS, ids=SPEC_IDS)
def test_mermaid_splits_by_size_and_every_part_parses(spec_path, tmp_path):
    spec = load_spec(spec_path)
    limit = 700
    result = run_cli("mermaid", "--spec", str(spec_path), "--format", "markdown",
                     "--max-chars", str(limit))
    if result.returncode == 2:  # one table alone is longer than the limit: said in one line
        assert re.fullmatch(r"vigilo-gen: error: table \S+ alone needs \d+ characters of "
                            r"diagram; --max-chars is 700\n", result.stderr), result.stderr
        return
    assert result.returncode == 0, result.stderr
    parts = mermaid_blocks(result.stdout)
    assert all(len(part) <= limit for part in parts)
    assert all(r == {"ok": True, "type": "er"} for r in mermaid_parse(parts))
    defined = [name for part in parts for name in entities(part)]
    assert defined == [m.table for m in spec.models]  # each once, in spec order
    lines = [line.strip() for part in parts for line in part.splitlines()
             if ".." in line and '" : "' in line]
    assert sorted(lines) == sorted(expected_relationships(spec))


@pytest.mark.node
def test_a_large_spec_is_split_under_mermaids_text_limit(tmp_path):
    sys.path.insert(0, str(ROOT / "tools"))
    from make_spec import make_spec

    spec_path = tmp_path / "large.yaml"
    spec_path.write_text(make_spec(300))
    one = run_cli("mermaid", "--spec", str(spec_path))
    assert one.returncode == 2
    assert re.fullmatch(r"vigilo-gen: error: the diagram needs \d+ parts of at most 50000 "
                        r"characters; write --format markdown\n", one.stderr), one.stderr
    result = run_cli("mermaid", "--spec", str(spec_path), "--format", "markdown", check=True)
    parts = mermaid_blocks(result.stdout)
    assert len(parts) > 1
    assert all(len(part) <= 50_000 for part in parts)
    assert all(r["ok"] for r in mermaid_parse(parts))
    assert sum(len(entities(p)) for p in parts) == 300



RELATIONSHIP = re.compile(r'^  "[^"]+" [|}][|o](--|\.\.)[o|][|{] "[^"]+" : ', re.M)


@pytest.mark.node
def test_a_spec_with_many_relations_is_split_under_mermaids_edge_limit(tmp_path):
    """Mermaid refuses a diagram of more than 500 edges (its maxEdges): with a text limit
    that never binds, each part holds at most 500 relationship lines, each table's with it."""
    lines = ["version: 1", "models:", "  T0:", "    fields:", "      id: {type: id}"]
    for i in range(1, 260):  # three references each: edges arrive three at a time
        lines += [f"  T{i}:", "    fields:", "      id: {type: id}"]
        lines += [f"      r{k}: {{type: ref, to: T{j}, nullable: true, backref: b{i}x{k}}}"
                  for k, j in enumerate((i - 1, i // 2, i // 3))]
    spec_path = tmp_path / "edges.yaml"
    spec_path.write_text("\n".join(lines) + "\n")
    result = run_cli("mermaid", "--spec", str(spec_path), "--format", "markdown",
                     "--max-chars", "10000000", check=True)
    parts = mermaid_blocks(result.stdout)
    counts = [len(RELATIONSHIP.findall(part)) for part in parts]
    assert len(parts) > 1 and sum(counts) == 259 * 3, counts
    assert all(count <= 500 for count in counts), counts
    assert all(r["ok"] for r in mermaid_parse(parts))


# --- dbml ---------------------------------------------------------------------------------

# What DBML (or @dbml/core's exporter) cannot say, so the exporter's database lacks it:
# - CHECK constraints: DBML's `checks` hold raw SQL of one dialect; the spec's value rules are
#   written per dialect by `sql` (the DBML notes state them in words);
# - updated_at triggers: DBML has no triggers;
# - a string default holding a quote together with a backtick or a line break: the exporter
#   does not escape quotes in strings, and DBML's expression form holds neither (noted);
# - a primary key's own name: the exporter writes PRIMARY KEY (...) without its CONSTRAINT
#   name, so PostgreSQL names it <table>_pkey (only a name the spec chose differs).
# - when a foreign key is checked: the exporter writes every one DEFERRABLE INITIALLY
#   IMMEDIATE (checked at once, as ours, unless a transaction defers it; DBML has no word).
UNSAYABLE_ASPECTS = {"checks", "updated_at"}


def _only_deferrable(d) -> bool:
    """A foreign key equal to ours but for the exporter's DEFERRABLE INITIALLY IMMEDIATE."""
    return (d.aspect == "foreign keys" and isinstance(d.actual, dict)
            and isinstance(d.reference, dict)
            and d.actual.get("deferrable") == "INITIALLY IMMEDIATE"
            and {k: v for k, v in d.actual.items() if k != "deferrable"} == d.reference)


def named_keys(spec: Spec) -> set[str]:
    return {m.table for m in spec.models if m.pk_constraint != f"{m.table}_pkey"}


def unsayable_defaults(spec: Spec) -> set[tuple[str, str]]:
    return {(m.table, f.column) for m in spec.models for f in m.fields
            if isinstance(f.default, str) and f.default is not NOW and "'" in f.default
            and ("`" in f.default or "\n" in f.default)}


@pytest.mark.engine
@pytest.mark.node
@pytest.mark.parametrize("spec_path", ALL_SPECS, ids=SPEC_IDS)
def test_dbml_to_postgres_reflects_equal_to_our_sql(spec_path, tmp_path, postgres_engine):
    spec = load_spec(spec_path)
    # With notes (the default) the file parses; the SQL is executed without them (see the
    # dbml module: the exporter copies notes into COMMENT ON unescaped).
    with_notes = tmp_path / "schema.dbml"
    generate("dbml", spec_path, with_notes)
    assert node_script("dbml-export.mjs", str(with_notes)).returncode == 0
    plain = tmp_path / "plain.dbml"
    generate("dbml", spec_path, plain, "--no-notes")
    exported = node_script("dbml-export.mjs", str(plain), "postgres")
    assert exported.returncode == 0, exported.stderr
    ours = generate("sql", spec_path, tmp_path / "schema.sql", "--dialect", "postgres")
    descriptions = []
    for label, sql in (("sql", ours), ("dbml", exported.stdout)):
        db = postgres_engine.create_database(f"dbml_{label}_{spec_path.stem}")
        try:
            db.execute_script(sql)
            descriptions.append(describe(db))
        finally:
            db.drop()
    skipped, named = unsayable_defaults(spec), named_keys(spec)
    left = [d for d in differences(*descriptions) if d.aspect not in UNSAYABLE_ASPECTS
            and not (d.aspect == "default" and (d.table, d.item) in skipped)
            and not (d.aspect == "primary key" and d.table in named
                     and d.actual["columns"] == d.reference["columns"])
            and not _only_deferrable(d)]
    assert left == [], "\n".join(d.describe("sql", "dbml") for d in left)


# --- markdown -----------------------------------------------------------------------------


class Rendered(HTMLParser):
    """Headings (text, id by GitHub's rule), internal links, table cells of rendered HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.links: list[str] = []
        self.rows: list[list[str]] = []
        self._text: list[str] | None = None
        self._tag = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3", "td", "th"):
            self._text, self._tag = [], tag
        if tag == "tr":
            self.rows.append([])
        if tag == "br" and self._text is not None:
            self._text.append("\n")
        if tag == "a":
            href = dict(attrs).get("href", "")
            if href.startswith("#"):
                self.links.append(href[1:])

    def handle_endtag(self, tag):
        if tag == self._tag and self._text is not None:
            text = "".join(self._text)
            if tag in ("td", "th"):
                self.rows[-1].append(text)
            else:
                self.headings.append((tag, text))
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def github_anchor(heading: str) -> str:
    """GitHub's heading ids: lower case, punctuation other than - and _ removed, each space a
    dash (github/cmark-gfm's anchor rule as documented in GitHub's Markdown help)."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def render_markdown(text: str) -> Rendered:
    from markdown_it import MarkdownIt

    parsed = Rendered()
    parsed.feed(MarkdownIt("commonmark", {"html": True}).enable("table").render(text))
    return parsed


@pytest.mark.node
@pytest.mark.parametrize("spec_path", ALL_SPECS, ids=SPEC_IDS)
def test_markdown_reads_back_every_text_and_link(spec_path, tmp_path):
    spec = load_spec(spec_path)
    text = generate("markdown", spec_path, tmp_path / "schema.md")
    page = render_markdown(text)
    headings = [h for _, h in page.headings]
    assert page.headings[0] == ("h1", spec.title)
    for model in spec.models:
        assert f"table {model.table}" in headings
    for endpoint in spec.api.endpoints if spec.api else ():
        assert f"{endpoint.method.upper()} {endpoint.path}" in headings
    anchors = {github_anchor(h) for h in headings}
    assert page.links and set(page.links) <= anchors, set(page.links) - anchors
    # Every column's row, its description exactly as the spec says it.
    rows = {row[0]: row for row in page.rows if row and len(row) == 7}
    for model in spec.models:
        for field in model.fields:
            row = rows_for(page, model.table, field.column)
            assert row[6] == (field.description or "")
            if isinstance(field.default, str) and field.default is not NOW:
                assert row[3] == f'"{field.default}"'
            if field.pattern is not None:
                assert f"matches {field.pattern}" in row[5].split("; ")
    assert rows  # the tables rendered as tables
    assert all(r == {"ok": True, "type": "er"} for r in mermaid_parse(mermaid_blocks(text)))


def rows_for(page: Rendered, table: str, column: str) -> list[str]:
    """The row of ``column`` in the column table that follows the heading of ``table``."""
    index = [h for _, h in page.headings if h.startswith("table ")].index(f"table {table}")
    tables = [[]]
    for row in page.rows:
        if row[:2] == ["column", "type"]:
            tables.append([])
        else:
            tables[-1].append(row)
    return next(row for row in tables[index + 1] if row[0] == column)


def test_docs_emitters_use_only_the_public_api():
    """As a plug-in would: they import vigilo_gen.emitter, .errors and .model (and each
    other), nothing else of the engine."""
    allowed = {"vigilo_gen.emitter", "vigilo_gen.errors", "vigilo_gen.model"}
    for name in ("mermaid", "dbml", "markdown"):
        source = (ROOT / "emitters" / f"{name}.py").read_text()
        imported = set(re.findall(r"^from (vigilo_gen\.\w+)", source, re.M))
        assert imported <= allowed, (name, imported - allowed)
        for module in re.findall(r"^from vigilo_gen\.(\w+) import \(?([^)]*?)\)?$", source,
                                 re.M | re.S):
            public = __import__(f"vigilo_gen.{module[0]}", fromlist=["__all__"])
            names = {n.strip() for n in module[1].replace("\n", " ").split(",") if n.strip()}
            if hasattr(public, "__all__"):
                assert names <= set(public.__all__), (name, names - set(public.__all__))


def test_every_spec_renders(tmp_path):
    """Cheap, no tools: every doc emitter on every spec, exit 0 and a header `check` knows."""
    for spec_path in ALL_SPECS:
        for name, argv in (("mermaid", ["--format", "markdown"]), ("dbml", []),
                           ("markdown", [])):
            result = run_cli(name, "--spec", str(spec_path), *argv)
            assert result.returncode == 0, (name, spec_path.name, result.stderr)
            assert "Generated by vigilo-gen" in result.stdout[:300]


