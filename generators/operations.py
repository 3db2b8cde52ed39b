"""The operation plan: what each endpoint does to the data, resolved once while the spec builds.

Every runtime target (the FastAPI service, and the TypeScript handlers after it) renders these
nodes in its own language and decides nothing on its own; ``docs/runtime.md`` states the rules
that ``plan.py`` applies to derive them. The nodes are typed classes, not string kinds, so a
renderer is a table from node class to a render function.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import DefaultValue, Endpoint, Field


@dataclass(frozen=True)
class Step:
    """From a row to related rows through one foreign key.

    ``to_many`` steps reach the children whose ``ref`` field points at the row; to-one steps
    reach the one-to-one child (``child``) or the row the current one references (parent).
    ``attr`` is the relationship attribute on the row we come from (snake_case, Python ORMs);
    ``name`` the same relation as the spec spells it (camelCase: Prisma, Drizzle).
    """

    model: str  # the model reached
    ref: Field  # the foreign key field (on the child for child steps, on the row for parents)
    child: bool  # True: the reached rows reference us; False: we reference the reached row
    to_many: bool
    name: str
    attr: str


# --- reads: a tree of values, each read relative to a row --------------------------------


@dataclass(frozen=True)
class ReadColumn:
    """A column of the row reached by ``through`` (to-one steps; empty: the current row).

    When a step finds no row, the value is ``fallback`` (``has_fallback``: the field's
    default, or null), else the property is omitted.
    """

    field: Field
    through: tuple[Step, ...]
    optional: bool
    nullable: bool
    has_fallback: bool
    fallback: DefaultValue | None


@dataclass(frozen=True)
class ReadObject:
    """A JSON object read from the row reached by ``through``.

    Absent (omitted when optional, else null) when a step finds no row, or when a field of
    ``presence`` (the non-nullable properties' columns) is NULL: an object nested from flat
    nullable columns exists only when its columns are filled.
    """

    properties: tuple[tuple[str, Read], ...]
    through: tuple[Step, ...]
    presence: tuple[Field, ...]
    optional: bool
    nullable: bool


@dataclass(frozen=True)
class ReadList:
    """One item per row reached by the to-many ``step``, ordered by ``order_by``."""

    step: Step
    item: Read
    order_by: tuple[Field, ...]
    optional: bool
    nullable: bool


@dataclass(frozen=True)
class ReadMap:
    """One entry per row reached by ``step``: ``str(key)`` to the value read from the row."""

    step: Step
    key: Field
    value: Read
    optional: bool
    nullable: bool


Read = ReadColumn | ReadObject | ReadList | ReadMap


# --- writes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assign:
    """A body value (at ``path`` inside the body, or inside one item) written to ``field``."""

    path: tuple[str, ...]  # JSON property names from the enclosing object
    field: Field
    required: bool  # the body always carries it (else: kept on merge, reset on replace)


@dataclass(frozen=True)
class UpdateRoot:
    assigns: tuple[Assign, ...]


@dataclass(frozen=True)
class UpsertChild:
    """Update the one-to-one child reached by ``step``, inserting it when missing."""

    step: Step
    assigns: tuple[Assign, ...]


@dataclass(frozen=True)
class ReplaceSet:
    """Delete the children reached by ``step`` and insert one row per item of the body's
    list (``key is None``) or map entry (``key``: the field the map's keys are written to).

    ``unique``: the fields whose values must differ between items (beside the reference).
    """

    prop: str  # the body property holding the list or map
    required: bool
    step: Step
    key: Field | None
    assigns: tuple[Assign, ...]  # inside one item (a map entry's value)
    unique: tuple[Field, ...]


@dataclass(frozen=True)
class InsertChild:
    """Insert a new row of the to-many ``step`` from the body's scalars; answer 201."""

    step: Step
    assigns: tuple[Assign, ...]


Write = UpdateRoot | UpsertChild | ReplaceSet | InsertChild


@dataclass(frozen=True)
class RootKey:
    """How the path parameters select the root row."""

    model: str
    params: tuple[tuple[str, Field], ...]  # path parameter -> field of the root
    create: bool  # a write creates the root when no row matches
    owner: Field | None  # the root's owner field (api.auth.owner), when ownership applies


@dataclass(frozen=True)
class Operation:
    endpoint: Endpoint
    root: RootKey
    kind: str  # "read" | "write" | "insert" | "delete" (the HTTP shape of the answer)
    read: Read | None  # the response: from the root (read) or from the new row (insert)
    writes: tuple[Write, ...]
    merge: bool  # writes keep what the body omits
    status: int  # the success status

    @property
    def may_be_missing(self) -> bool:
        """Whether the root may not be found (a 404): not created, or hidden by ownership."""
        return not (self.root.create and self.kind in ("write", "insert")) or \
            self.root.owner is not None
