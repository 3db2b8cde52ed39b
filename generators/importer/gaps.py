"""The "Not expressed in this dialect" lines of our own SQL header, read back.

Where a dialect cannot declare a fact of the spec (SQL Server's second cascade path, Oracle's
ON UPDATE, a dialect without triggers or regular expressions), the sql emitter writes no SQL
for it but one line in the header (emitters/sql_ddl.py, ``Gaps``). Some of those lines hold
the fact itself (the action a foreign key should have had, the columns an updated_at trigger
would keep): they are read back here, so that the import gives the same spec. The others say
that something is not in the file at all (a pattern, a CHECK, an index of a dialect without
them): each becomes a note of the report, naming what could not be read.

Each line is matched against GAP_LINES (regex -> what it holds); a line of the block that
matches nothing is a note too, never skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The header block the emitter writes (render_ddl): "-- Not expressed in this dialect:" then
# one "--   line" per gap, up to the first line that is not one of ours.
_BLOCK = re.compile(r"^-- Not expressed in this dialect:\n((?:--   .*\n?)+)", re.M)


@dataclass(frozen=True)
class Undeclared:
    """A foreign key the header says is not declared, at its line: its table, columns and
    referenced columns, or only its name (files written before the line said them)."""

    line: int
    name: str
    table: str | None = None
    columns: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()


@dataclass
class Gaps:
    """What the header says about facts the SQL does not declare."""

    on_delete: dict[str, str] = field(default_factory=dict)  # foreign key -> SQL action
    on_update: dict[str, str] = field(default_factory=dict)
    updated_at: list[str] = field(default_factory=list)  # "table.column" items
    # Foreign keys a dialect refuses (BigQuery's to its own table).
    undeclared: list[Undeclared] = field(default_factory=list)
    lost: list[tuple[int, str]] = field(default_factory=list)  # (line, what is not read)
    file: str = ""  # the SQL file's name, for the line:col of a note


def _delete(gaps: Gaps, match: re.Match, line: int) -> None:
    gaps.on_delete[match["fk"]] = match["action"]


def _update(gaps: Gaps, match: re.Match, line: int) -> None:
    gaps.on_update[match["fk"]] = match["action"]


def _updated_at(gaps: Gaps, match: re.Match, line: int) -> None:
    gaps.updated_at += match["columns"].split(", ")


def _undeclared(gaps: Gaps, match: re.Match, line: int) -> None:
    """A foreign key to its own table BigQuery does not declare: its table, columns and the
    columns it references, where the line says them (an older file gives only the name)."""
    if match["table"] is None:
        gaps.undeclared.append(Undeclared(line, match["name"]))
        return
    gaps.undeclared.append(Undeclared(
        line, match["name"], match["table"],
        tuple(c.strip() for c in match["columns"].split(",")),
        tuple(c.strip() for c in match["targets"].split(",")),
    ))


def _informational(gaps: Gaps, match: re.Match, line: int) -> None:
    """A limit of the database, not a fact of the spec the SQL lacks."""


def _lost(why: str):
    def note(gaps: Gaps, match: re.Match, line: int) -> None:
        gaps.lost.append((line, why.format(**match.groupdict())))

    return note


# The lines emitters/sql_ddl.py writes (its Gaps.unsupported calls), each with what it holds.
GAP_LINES: tuple[tuple[re.Pattern, object], ...] = tuple(
    (re.compile(pattern), handler)
    for pattern, handler in (
        # SQL Server: a second cascade path written NO ACTION; the action is in the line.
        (r"^(?P<fk>\S+) is NO ACTION, not ON DELETE (?P<action>[A-Z ]+): ", _delete),
        (r"^ON DELETE (?P<action>[A-Z ]+) is not supported: (?P<fk>\S+) \(", _delete),
        (r"^ON UPDATE (?P<action>[A-Z ]+) is not supported: (?P<fk>\S+) \(", _update),
        (
            r"^updated_at is not maintained by the database \(no triggers\); the application "
            r"must set it: (?P<columns>.+)$",
            _updated_at,
        ),
        (
            r"^pattern checks are not enforced \(no regular expressions in \w+ CHECK "
            r"constraints\): (?P<column>.+)$",
            _lost(
                "the pattern of {column} is not in the SQL (no regular expressions in "
                "its CHECK constraints): not imported"
            ),
        ),
        (
            r"^(?P<column>.+)'s default is SQL written for (?P<dialects>.+) only: no default "
            r"here$",
            _lost(
                "the default of {column} is SQL for {dialects} only, not in this SQL: not imported"
            ),
        ),
        (
            r"^(?P<type>json|uuid) columns are (?P<what>.+?): the database does not check",
            _lost(
                "{type} columns are {what} in this SQL: imported as the text they are "
                "(a {type} field cannot be told from it)"
            ),
        ),
        (
            r"^descriptions are not stored in the \w+ catalogue",
            _lost(
                "column descriptions are not in this SQL (no comments in this dialect's "
                "catalogue): not imported; model descriptions are read from the comment "
                "above each table"
            ),
        ),
        (
            r"^CHECK constraints are not supported: (?P<name>.+)$",
            _lost("CHECK {name} is not in the SQL (no CHECK in this dialect): not imported"),
        ),
        (
            r"^unique constraints are not declared \(not supported\): (?P<name>.+)$",
            _lost(
                "unique constraint {name} is not in the SQL (no UNIQUE in this dialect): "
                "not imported"
            ),
        ),
        (
            r"^secondary indexes are not supported: (?P<names>.+)$",
            _lost("indexes {names} are not in the SQL (no indexes in this dialect): not imported"),
        ),
        (
            r"^foreign keys are not declared: (?P<name>.+)$",
            _lost(
                "foreign key {name} is not in the SQL (no FOREIGN KEY in this dialect): "
                "its column is imported as a plain column"
            ),
        ),
        (
            r"^foreign key (?P<name>\S+)(?: on (?P<table>\S+) \((?P<columns>[^)]+)\) "
            r"references \S+ \((?P<targets>[^)]+)\) but)? is not declared: ",
            _undeclared,
        ),
        (
            r"^identity columns are not generated by \w+: (?P<column>\S+) ",
            _lost(
                "{column} is generated by the application (default: autoincrement), which "
                "the SQL does not say: not imported"
            ),
        ),
        (
            r"^\w+ has no function for a random uuid: .* default uuid of (?P<column>.+)$",
            _lost("the uuid default of {column} is not in the SQL: not imported"),
        ),
        (
            r"^column defaults are not written",
            _lost("column defaults are not in the SQL (not written in this dialect): not imported"),
        ),
        (
            r"^no fixed-length text: (?P<column>\S+) \(length (?P<n>\d+)\)",
            _lost(
                "{column} is variable-length text in this SQL (length {n} is not said): "
                "imported with maxLength"
            ),
        ),
        (
            r"^unique constraint (?P<name>\S+) is not declared: ",
            _lost("unique constraint {name} is not in the SQL: not imported"),
        ),
        (
            r"^index (?P<name>\S+) is not created: ",
            _lost("index {name} is not in the SQL: not imported"),
        ),
        (r"^primary keys are not declared", _informational),  # the tables then say so
        (r"^(primary keys|unique constraints|foreign keys) are informational", _informational),
        (r"^VARCHAR2\(\d+ CHAR\) holds \d+ characters only", _informational),
        (
            r"^VARCHAR2 holds at most \d+ bytes: (?P<column>\S+) \(maxLength (?P<n>\d+)\)",
            _lost(
                "{column} is a CLOB in this SQL (its maxLength {n} is not in it): imported as text"
            ),
        ),
        (r"^\S+ may hold up to \d+ bytes, above SQL Server's", _informational),
        (
            r"^(?P<name>\S+) is not created: NVARCHAR\(MAX\) cannot be part of",
            _lost(
                "index or unique key {name} is not in the SQL (NVARCHAR(MAX) cannot be "
                "indexed): not imported"
            ),
        ),
    )
)


def read_gaps(text: str) -> Gaps:
    gaps = Gaps()
    block = _BLOCK.search(text)
    if block is None:
        return gaps
    first = text.count("\n", 0, block.start(1)) + 1
    for n, raw in enumerate(block[1].splitlines()):
        line = raw[len("--   ") :]
        handler = next((h for p, h in GAP_LINES if (m := p.search(line))), None)
        if handler is None:
            gaps.lost.append((first + n, f"not read: {line}"))
        else:
            handler(gaps, m, first + n)
    return gaps
