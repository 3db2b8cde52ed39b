"""``renamedFrom:`` and ``vigilo-gen diff OLD NEW``: the classified change list.

Expectations come from the rules documented in docs/migrations.md (rule ids, severities, exit
codes), not from the code: each case edits one thing of a test spec and names the rule the
documentation says it is.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from vigilo_gen.diff import RULES, diff
from vigilo_gen.oldspec import load_named

from tests.support import run_cli

SPECS = Path(__file__).parent / "specs"
SHOP = (SPECS / "shop.yaml").read_text(encoding="utf-8")
BLOG = (SPECS / "blog.yaml").read_text(encoding="utf-8")


def edited(text: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def rules(tmp_path: Path, old: str, new: str) -> set[str]:
    before = load_named(write(tmp_path, "old.yaml", old), "old.yaml")
    after = load_named(write(tmp_path, "new.yaml", new), "new.yaml")
    return {c.rule for c in diff(before, after).changes}


# -- renamedFrom: validation ------------------------------------------------------------------

RENAME_ERRORS = [
    # the old name is still a field of the model: the migration could not tell which is which
    (("      bio: {type: text, nullable: true}",
      "      bio: {type: text, nullable: true}\n"
      "      about: {type: text, nullable: true, renamedFrom: bio}"),
     r"new\.yaml:\d+:\d+: field about is renamed from 'bio', which is still a field"),
    (("      bio: {type: text, nullable: true}",
      "      bio: {type: text, nullable: true, renamedFrom: bio}"),
     r"new\.yaml:\d+:\d+: field bio is renamed from itself"),
    (("      bio: {type: text, nullable: true}",
      "      about: {type: text, nullable: true, renamedFrom: x}\n"
      "      about2: {type: text, nullable: true, renamedFrom: x}"),
     r"new\.yaml:\d+:\d+: fields about and about2 are both renamed from 'x'"),
    (("  Group:\n", "  Group:\n    renamedFrom: User\n"),
     r"new\.yaml:\d+:\d+: model Group is renamed from 'User', which is still a model"),
]


@pytest.mark.parametrize(("edit", "message"), RENAME_ERRORS)
def test_renamed_from_collisions_are_refused_at_their_position(tmp_path, edit, message):
    result = run_cli("validate", "--spec", "new.yaml",
                     cwd=write(tmp_path, "new.yaml", edited(SHOP, edit)).parent)
    assert result.returncode == 2, result.stderr
    assert re.search(message, result.stderr), result.stderr
    assert "Traceback" not in result.stderr


def test_renamed_from_a_name_the_old_spec_lacks_is_an_error_at_its_position(tmp_path):
    new = edited(SHOP, ("      bio: {type: text, nullable: true}",
                        "      about: {type: text, nullable: true, renamedFrom: bioo}"))
    write(tmp_path, "old.yaml", SHOP)
    write(tmp_path, "new.yaml", new)
    line = next(n for n, text in enumerate(new.splitlines(), 1) if "renamedFrom: bioo" in text)
    column = new.splitlines()[line - 1].index("bioo") + 1
    for command in (("diff", "old.yaml", "new.yaml"),
                    ("migrate", "--from", "old.yaml", "--spec", "new.yaml", "--dialect",
                     "sqlite")):
        result = run_cli(*command, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip() == (
            f"new.yaml:{line}:{column}: field User.about is renamed from 'bioo', which the old "
            "spec does not have"), result.stderr


def test_a_spent_rename_changes_nothing(tmp_path):
    """renamedFrom stays in the spec until the next release: once the old spec has the new
    name, it is not read (the diff of a migrated spec against itself is empty)."""
    new = edited(SHOP, ("      bio: {type: text, nullable: true}",
                        "      about: {type: text, nullable: true, renamedFrom: bio}"))
    assert rules(tmp_path, new, new) == set()
    assert rules(tmp_path, SHOP, new) == {"VG114"}


# -- the classification -----------------------------------------------------------------------

CASES = [
    ("rename a column", ("      bio: {type: text, nullable: true}",
                         "      about: {type: text, nullable: true, renamedFrom: bio}"),
     {"VG114"}),
    ("drop a column", ("      bio: {type: text, nullable: true}\n", ""), {"VG113"}),
    ("rename a model", [("  Group:\n", "  Category:\n    renamedFrom: Group\n"),
                        ("to: Group,", "to: Category,"), ("to: Group,", "to: Category,")],
     {"VG103"}),
    ("widen a varchar", ("name: {type: string, maxLength: 100}",
                         "name: {type: string, maxLength: 200}"), {"VG121", "VG301"}),
    ("narrow a varchar", ("name: {type: string, maxLength: 100}",
                          "name: {type: string, maxLength: 50}"), {"VG122", "VG301"}),
    ("int to bigint", ("select: {type: int, default: 0, min: 0, max: 1000}",
                       "select: {type: bigint, default: 0, min: 0, max: 1000}"),
     {"VG121", "VG301"}),
    ("add a required column without default",
     ("      isAdmin: {type: bool, default: false}",
      "      isAdmin: {type: bool, default: false}\n      age: {type: int}"), {"VG112"}),
    ("add a nullable column", ("      isAdmin: {type: bool, default: false}",
                               "      isAdmin: {type: bool, default: false}\n"
                               "      age: {type: int, nullable: true}"), {"VG111"}),
    ("NOT NULL without default", ("      bio: {type: text, nullable: true}",
                                  "      bio: {type: text}"), {"VG123", "VG301"}),
    ("NOT NULL with a default", ("      bio: {type: text, nullable: true}",
                                 "      bio: {type: text, default: none}"),
     {"VG124", "VG126", "VG301"}),
    ("enum value added", ("OrderState: [draft, placed, shipped, cancelled]",
                          "OrderState: [draft, placed, shipped, cancelled, returned]"),
     {"VG131", "VG301"}),
    ("enum value removed", ("OrderState: [draft, placed, shipped, cancelled]",
                            "OrderState: [draft, placed, shipped]"),
     {"VG132", "VG204", "VG301"}),
    ("range narrowed", ("select: {type: int, default: 0, min: 0, max: 1000}",
                        "select: {type: int, default: 0, min: 0, max: 100}"),
     {"VG134", "VG301"}),
    ("range widened", ("select: {type: int, default: 0, min: 0, max: 1000}",
                       "select: {type: int, default: 0, min: 0}"), {"VG133", "VG301"}),
    ("description changed",
     ("  Group:\n    description: A category tree;", "  Group:\n    description: Groups;"),
     {"VG171"}),
    ("foreign key action", ("groupId: {type: ref, to: Group, nullable: true, onDelete: setNull}",
                            "groupId: {type: ref, to: Group, nullable: true, "
                            "onDelete: restrict}"), {"VG151", "VG301"}),
    # README: foreignKey: false keeps the column and its index, without the constraint.
    ("foreign key dropped", ("groupId: {type: ref, to: Group, nullable: true, onDelete: setNull}",
                             "groupId: {type: ref, to: Group, nullable: true, "
                             "foreignKey: false}"), {"VG154", "VG301"}),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_each_change_gets_its_documented_rule(tmp_path, edit, expected):
    edits = edit if isinstance(edit, list) else [edit]
    assert rules(tmp_path, SHOP, edited(SHOP, *edits)) == expected


def test_foreign_key_added_back(tmp_path):
    """foreignKey: false -> true creates the constraint (README: the column and index stay)."""
    unenforced = edited(SHOP, ("nullable: true, onDelete: setNull}",
                               "nullable: true, foreignKey: false}"))
    assert rules(tmp_path, unenforced, SHOP) == {"VG153", "VG301"}


COMPOSITE = (SPECS / "composite.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("edit", "forward", "backward"), [
    # the relation and its index go (README: a composite reference is indexed like a ref)
    (("      returnShelf: {fields: [returnBranch, returnNumber], to: Shelf, backref: returns}\n",
      ""), {"VG154", "VG144"}, {"VG153", "VG143"}),
    (("to: Shelf, backref: returns}", "to: Shelf, backref: returns, onDelete: noAction}"),
     {"VG151"}, {"VG151"}),
    (("to: Shelf, backref: returns}", "to: Shelf, backref: returns, foreignKey: false}"),
     {"VG154"}, {"VG153"}),
], ids=["dropped", "action", "foreign key false"])
def test_composite_relations_get_the_foreign_key_rules(tmp_path, edit, forward, backward):
    assert rules(tmp_path, COMPOSITE, edited(COMPOSITE, edit)) == forward
    assert rules(tmp_path, edited(COMPOSITE, edit), COMPOSITE) == backward


# The types of README's "json, uuid, bytes" and a datetime's precision and time zone. The
# documented rule: a widening keeps every value (a uuid as its 36-character text, a document
# as its JSON text, more fractional digits); anything else may not convert (VG122).
PLACED = "placedAt: {type: datetime, nullable: true}"
TYPED = edited(SHOP, (PLACED, PLACED + "\n      token: {type: uuid, nullable: true}\n"
                      "      doc: {type: json, nullable: true}\n"
                      "      blob: {type: bytes, nullable: true}\n"
                      "      price: {type: decimal, precision: 10, scale: 2, nullable: true}"))
PRICE = "price: {type: decimal, precision: 10, scale: 2, nullable: true}"
TYPE_CASES = [
    ("datetime precision up", (PLACED, "placedAt: {type: datetime, nullable: true, precision: 6}"),
     {"VG121", "VG301"}),
    ("datetime precision down", (PLACED, "placedAt: {type: datetime, nullable: true, "
                                 "precision: 0}"), {"VG122", "VG301"}),
    ("datetime time zone dropped", (PLACED, "placedAt: {type: datetime, nullable: true, "
                                    "timezone: false}"), {"VG122", "VG301"}),
    ("uuid to its text", ("token: {type: uuid, nullable: true}",
                          "token: {type: string, maxLength: 36, nullable: true}"),
     {"VG121", "VG301"}),
    ("uuid to too short a string", ("token: {type: uuid, nullable: true}",
                                    "token: {type: string, maxLength: 20, nullable: true}"),
     {"VG122", "VG301"}),
    ("string to uuid", ("token: {type: string, maxLength: 36, nullable: true}",
                        "token: {type: uuid, nullable: true}"), {"VG122", "VG301"}),
    ("json to text", ("doc: {type: json, nullable: true}", "doc: {type: text, nullable: true}"),
     {"VG121", "VG301"}),
    ("bytes to text", ("blob: {type: bytes, nullable: true}",
                       "blob: {type: text, nullable: true}"), {"VG122", "VG301"}),
    # docs/migrations.md: a wider decimal (no fewer digits either side of the point) is VG121
    ("decimal more digits", (PRICE, PRICE.replace("precision: 10", "precision: 12")),
     {"VG121", "VG301"}),
    ("decimal more places", (PRICE, PRICE.replace("10, scale: 2", "12, scale: 4")),
     {"VG121", "VG301"}),
    ("decimal fewer digits", (PRICE, PRICE.replace("precision: 10", "precision: 8")),
     {"VG122", "VG301"}),
    ("decimal places for digits", (PRICE, PRICE.replace("scale: 2", "scale: 4")),
     {"VG122", "VG301"}),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in TYPE_CASES],
                         ids=[c[0] for c in TYPE_CASES])
def test_the_newer_types_get_their_documented_rule(tmp_path, edit, expected):
    old = TYPED if edit[0] in TYPED else edited(TYPED, (edit[1], edit[0]))
    assert rules(tmp_path, old, edited(old, edit)) == expected



# docs/migrations.md VG301: PostgreSQL rewrites for a type change other than a longer VARCHAR or
# VARCHAR -> TEXT; MySQL copies for any type change; SQLite rebuilds for any column change.
@pytest.mark.parametrize(("new", "dialects"), [
    ("displayName: {type: string, maxLength: 200, nullable: true}", ("mysql", "sqlite")),
    ("displayName: {type: text, nullable: true}", ("mysql", "sqlite")),
    ("displayName: {type: string, maxLength: 50, nullable: true}",
     ("postgres", "mysql", "sqlite")),
    # NULL -> NOT NULL: MySQL copies the table, SQLite rebuilds it; PostgreSQL only checks
    ("displayName: {type: string, maxLength: 80}", ("mysql", "sqlite")),
])
def test_the_rewrite_names_the_dialects_that_rewrite(tmp_path, new, dialects):
    before = load_named(write(tmp_path, "old.yaml", SHOP), "old.yaml")
    after = load_named(write(tmp_path, "new.yaml", edited(
        SHOP, ("displayName: {type: string, maxLength: 80, nullable: true}", new))), "new.yaml")
    (rewrite,) = [c for c in diff(before, after).changes if c.rule == "VG301"]
    assert rewrite.message.endswith(" on " + ", ".join(dialects)), rewrite.message


def test_a_dropped_table_is_destructive_and_located_in_the_old_spec(tmp_path):
    lines = SHOP.splitlines()
    start = lines.index("  Group:")
    end = lines.index("  Order:")
    new = "\n".join(lines[:start] + lines[end:]).replace(
        "      groupId: {type: ref, to: Group, nullable: true, onDelete: setNull}\n", "").replace(
        "      - [groupId]\n", "") + "\n"
    write(tmp_path, "old.yaml", SHOP)
    write(tmp_path, "new.yaml", new)
    result = run_cli("diff", "old.yaml", "new.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"old.yaml:{start + 1}:3: destructive VG102: table group (model Group) is dropped" \
        in result.stdout.splitlines(), result.stdout



def test_a_dropped_composite_relation_is_located_in_the_old_spec(tmp_path):
    """As a dropped table: what no longer exists in the new spec is placed in the old one."""
    line = ("      returnShelf: {fields: [returnBranch, returnNumber], to: Shelf, "
            "backref: returns}\n")
    write(tmp_path, "old.yaml", COMPOSITE)
    write(tmp_path, "new.yaml", COMPOSITE.replace(line, ""))
    result = run_cli("diff", "old.yaml", "new.yaml", cwd=tmp_path)
    number = COMPOSITE[:COMPOSITE.index(line)].count("\n") + 1
    vg154 = [out for out in result.stdout.splitlines() if "VG154" in out]
    assert len(vg154) == 1 and vg154[0].startswith(f"old.yaml:{number}:"), result.stdout


def test_exit_codes_and_json(tmp_path):
    write(tmp_path, "old.yaml", SHOP)
    write(tmp_path, "same.yaml", SHOP)
    write(tmp_path, "safe.yaml", edited(SHOP, ("name: {type: string, maxLength: 100}",
                                               "name: {type: string, maxLength: 200}")))
    write(tmp_path, "bad.yaml", edited(SHOP, ("      bio: {type: text, nullable: true}\n", "")))
    same = run_cli("diff", "old.yaml", "same.yaml", cwd=tmp_path)
    assert (same.returncode, same.stdout) == (0, ""), same.stderr
    assert same.stderr == "vigilo-gen: no changes\n"
    # docs/migrations.md: a line per change, then the count of each severity on stderr.
    both = write(tmp_path, "both.yaml", edited(
        SHOP, ("      bio: {type: text, nullable: true}\n", ""),
        ("name: {type: string, maxLength: 100}", "name: {type: string, maxLength: 200}"),
        ("email: {type: string, maxLength: 320", "email: {type: string, maxLength: 400")))
    lines = run_cli("diff", "old.yaml", both.name, cwd=tmp_path)
    severities = [line.split(": ", 1)[1].split()[0] for line in lines.stdout.splitlines()]
    counts = {s: severities.count(s) for s in dict.fromkeys(severities)}
    assert counts["safe"] == 2, lines.stdout
    assert lines.stderr == "vigilo-gen: " + ", ".join(f"{n} {s}" for s, n in counts.items()) \
        + "\n"
    assert run_cli("diff", "old.yaml", "safe.yaml", cwd=tmp_path).returncode == 0
    bad = run_cli("diff", "old.yaml", "bad.yaml", "--format", "json", cwd=tmp_path)
    assert bad.returncode == 1, bad.stderr
    document = json.loads(bad.stdout)
    assert document["failing"] is True
    [change] = document["changes"]
    assert {k: change[k] for k in ("rule", "severity", "file", "line", "column")} == {
        "rule": "VG113", "severity": "destructive", "file": "old.yaml",
        "line": SHOP.splitlines().index("      bio: {type: text, nullable: true}") + 1,
        "column": 7}
    assert set(document["rules"]) == set(RULES)
    for args in (("diff", "old.yaml", "missing.yaml"), ("diff", "old.yaml", "same.yaml",
                                                         "--format", "xml")):
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


API_CASES = [
    ("body property now required",
     ("size: Order.size, total", "size: {field: Order.size, optional: false}, total"),
     "VG202"),
    ("response property removed", ("        size: Order.size\n", ""), "VG203"),
    ("endpoint removed",
     ("""    - {name: deleteOrder, method: DELETE, path: '/orders/{orderId}', tag: orders,
       auth: {required: false}}""", ""), "VG201"),
    ("range narrowed", ("rating: {type: float, min: 0, max: 5, nullable: true}",
                        "rating: {type: float, min: 0, max: 4, nullable: true}"), "VG204"),
]


@pytest.mark.parametrize(("edit", "rule"), [c[1:] for c in API_CASES],
                         ids=[c[0] for c in API_CASES])
def test_breaking_api_changes(tmp_path, edit, rule):
    found = rules(tmp_path, SHOP, edited(SHOP, edit))
    assert rule in found, found
    assert RULES[rule].severity == "breaking"


def test_git_reference(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write(tmp_path, "spec.yaml", SHOP)
    subprocess.run(["git", "add", "spec.yaml"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
                   cwd=tmp_path, check=True)
    write(tmp_path, "spec.yaml", edited(SHOP, ("      bio: {type: text, nullable: true}\n", "")))
    result = run_cli("diff", "git:HEAD", "spec.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("git:HEAD:spec.yaml:"), result.stdout
    missing = run_cli("diff", "git:nosuchref", "spec.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "git show failed" in missing.stderr, missing.stderr
