"""The neutral description of an existing schema that both readers fill and ``to_spec`` reads.

Column types, defaults and CHECK conditions stay sqlglot trees (a database's catalogue text is
parsed into the same trees), so that recognising our own forms is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from .gaps import Gaps


def named(what: str, name: str | None) -> str:
    """A constraint in a report line: its kind, then its name when the source gave one."""
    return f"{what} {name}" if name else what


@dataclass(frozen=True)
class Note:
    """Something of the source the spec does not hold: where it is (``file:line:col`` of a SQL
    file, or the object's name in a database) and what it is."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Column:
    name: str
    type: exp.DataType
    nullable: bool = True
    default: exp.Expression | None = None
    default_text: str | None = None  # as the source wrote it, when known
    identity: bool = False  # the database generates it (identity, AUTO_INCREMENT, rowid)
    on_update_now: bool = False  # MySQL's ON UPDATE CURRENT_TIMESTAMP: our updatedAt
    comment: str | None = None


@dataclass(frozen=True)
class Key:
    """A primary key, unique constraint or index: its name and columns, in order."""

    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    target: str  # table
    target_columns: tuple[str, ...]
    on_delete: str | None  # SQL words (CASCADE, SET NULL, ...) or None: nothing said
    on_update: str | None
    where: str


@dataclass(frozen=True)
class Check:
    name: str
    condition: exp.Expression
    where: str


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    text: str  # as the source holds it
    where: str


@dataclass
class Table:
    name: str
    where: str
    columns: list[Column] = field(default_factory=list)
    primary_key: Key | None = None
    uniques: list[Key] = field(default_factory=list)  # in source order
    indexes: list[Key] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    comment: str | None = None
    # The comment line above CREATE TABLE in a SQL file: ours is "Model: description".
    title: str | None = None

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass
class Source:
    """A schema as read: its tables in source order, its triggers, and the notes so far."""

    dialect: str  # the sql emitter's dialect name (postgres, mysql, sqlite, ...)
    catalogue: bool = False  # read from a live database (not from a SQL file)
    tables: list[Table] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    functions: list[tuple[str, str]] = field(default_factory=list)  # (name, where)
    # What our SQL's header says the SQL does not declare (a SQL file of ours; gaps.py).
    gaps: Gaps = field(default_factory=Gaps)
    # Tables the source has but the spec cannot hold (no usable key): not imported, yet not
    # gone either (a merge keeps the spec's model of one as it is).
    left_out: list[str] = field(default_factory=list)

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    def note(self, where: str, message: str) -> None:
        self.notes.append(Note(where, message))
