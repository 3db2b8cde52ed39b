"""The classified change list between two specs (``vigilo-gen diff OLD NEW``).

Every change carries a stable rule id (a table below: ids are never reused), a severity and the
``file:line:col`` of the spec where it happens (the new spec, or the old one for something
removed). Severities, most serious first:

- ``destructive``: rows may be lost or the migration may fail on rows the database holds
  (a table or column dropped, a type narrowed, an enum value or a range of accepted values
  narrowed, NOT NULL without a default). ``migrate`` refuses them without --allow-destructive.
- ``breaking``: an API client written for the old spec may fail (a body property now required,
  a response property removed, an endpoint removed, accepted values narrowed).
- ``rewrite``: the database rewrites or locks the whole table, on the dialects named.
- ``safe``: none of the above.

``diff`` exits 1 when a destructive or breaking change is found, else 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .errors import Position
from .model import Field, FieldShape, FieldType, ListShape, MapShape, ObjectShape, Spec
from .pairing import ModelPair, Pairing, pair

T = FieldType
DESTRUCTIVE, BREAKING, REWRITE, SAFE = "destructive", "breaking", "rewrite", "safe"
SEVERITIES = (DESTRUCTIVE, BREAKING, REWRITE, SAFE)
FAILING = frozenset({DESTRUCTIVE, BREAKING})


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str


RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("VG101", SAFE, "table added"),
    Rule("VG102", DESTRUCTIVE, "table dropped with its rows"),
    Rule("VG103", SAFE, "table renamed"),
    Rule("VG111", SAFE, "column added"),
    Rule("VG112", DESTRUCTIVE, "NOT NULL column added without a default (fails on rows)"),
    Rule("VG113", DESTRUCTIVE, "column dropped with its values"),
    Rule("VG114", SAFE, "column renamed"),
    Rule("VG121", SAFE, "type widened"),
    Rule("VG122", DESTRUCTIVE, "type narrowed or changed (values may not convert)"),
    Rule("VG123", DESTRUCTIVE, "NOT NULL without a default (fails on NULL rows)"),
    Rule("VG124", SAFE, "NOT NULL with a default (NULL rows get the default)"),
    Rule("VG125", SAFE, "NULL allowed"),
    Rule("VG126", SAFE, "default changed"),
    Rule("VG131", SAFE, "enum value added"),
    Rule("VG132", DESTRUCTIVE, "enum value removed (rows may hold it)"),
    Rule("VG133", SAFE, "accepted values widened (range, length, pattern)"),
    Rule("VG134", DESTRUCTIVE, "accepted values narrowed (range, length, pattern)"),
    Rule("VG141", SAFE, "unique key added (fails on duplicate rows)"),
    Rule("VG142", SAFE, "unique key dropped"),
    Rule("VG143", SAFE, "index added"),
    Rule("VG144", SAFE, "index dropped"),
    Rule("VG151", SAFE, "foreign key action changed"),
    Rule("VG152", DESTRUCTIVE, "foreign key now refers to another table"),
    Rule("VG153", SAFE, "foreign key constraint added (foreignKey: false -> true; fails on "
                        "rows referring to nothing)"),
    Rule("VG154", SAFE, "foreign key constraint dropped (foreignKey: true -> false; the "
                        "relation stays, unenforced)"),
    Rule("VG161", SAFE, "updated_at maintenance changed"),
    Rule("VG171", SAFE, "description changed (the catalogue comment)"),
    Rule("VG201", BREAKING, "endpoint removed"),
    Rule("VG202", BREAKING, "body property now required"),
    Rule("VG203", BREAKING, "response property removed"),
    Rule("VG204", BREAKING, "values the API accepts narrowed"),
    Rule("VG301", REWRITE, "table rewritten"),
)}


@dataclass(frozen=True)
class Change:
    rule: str
    message: str
    file: str
    position: Position
    dialects: tuple[str, ...] = ()  # rewrite: where the table is rewritten

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity

    def line(self) -> str:
        where = f"{self.file}:{self.position.line}:{self.position.column}"
        return f"{where}: {self.severity} {self.rule}: {self.message}"

    def as_json(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "title": RULES[self.rule].title,
                "message": self.message, "file": self.file, "line": self.position.line,
                "column": self.position.column, "dialects": list(self.dialects)}


@dataclass(frozen=True)
class Diff:
    pairing: Pairing
    changes: tuple[Change, ...]

    @property
    def failing(self) -> bool:
        return any(c.severity in FAILING for c in self.changes)


# -- types ----------------------------------------------------------------------------------

# Type changes every value survives unchanged (beyond a longer VARCHAR, a wider decimal).
# A uuid is its 36-character text in every dialect's cast; a json document becomes its JSON
# text (PostgreSQL's jsonb writes it normalized, as it stored it).
WIDENINGS = frozenset({(T.INT, T.BIGINT), (T.INT, T.FLOAT), (T.STRING, T.TEXT),
                       (T.ENUM, T.TEXT), (T.ENUM, T.STRING), (T.INT, T.DECIMAL),
                       (T.BIGINT, T.DECIMAL), (T.UUID, T.STRING), (T.UUID, T.TEXT),
                       (T.JSON, T.TEXT)})
_TEXTUAL = (T.STRING, T.ENUM, T.ID, T.REF)
UUID_TEXT = 36  # characters of a uuid's text: a VARCHAR that holds it


def _digits(f: Field) -> int:
    """Integer digits a column holds (decimal: precision - scale)."""
    return {T.INT: 10, T.BIGINT: 19}.get(f.type, (f.precision or 0) - (f.scale or 0))


def type_change(old: Field, new: Field) -> str | None:
    """None (same physical type), 'widen' or 'narrow'."""
    if old.type is new.type:
        if old.type in _TEXTUAL and old.max_length != new.max_length:
            return "widen" if new.max_length > old.max_length else "narrow"
        if old.type is T.DECIMAL and (old.precision, old.scale) != (new.precision, new.scale):
            wider = new.scale >= old.scale and _digits(new) >= _digits(old)
            return "widen" if wider else "narrow"
        if old.type is T.DATETIME and (old.precision, old.timezone) != (new.precision,
                                                                        new.timezone):
            # Fewer fractional digits round the values; a time zone added or dropped converts
            # them through the session's time zone (PostgreSQL; the others keep none).
            same_zone = old.timezone == new.timezone
            return "widen" if same_zone and new.precision >= old.precision else "narrow"
        return None
    if (old.type, new.type) in WIDENINGS:
        held = UUID_TEXT if old.type is T.UUID else old.max_length
        if new.type is T.STRING and held is not None and held > new.max_length:
            return "narrow"
        if new.type is T.DECIMAL and (_digits(new) < _digits(old)):
            return "narrow"
        return "widen"
    return "narrow"


# Which changes rewrite (or lock for a full copy) the table, per dialect: PostgreSQL rewrites
# for a type change except a longer VARCHAR or VARCHAR -> TEXT (binary-coercible, ALTER TABLE
# docs); MySQL copies the table for a type change (ALGORITHM=COPY) and for NULL/NOT NULL;
# SQLite has no ALTER COLUMN at all: the table is rebuilt (lang_altertable.html).
def _rewrites(old: Field, new: Field, fk_changed: bool) -> tuple[str, ...]:
    dialects = []
    kind = type_change(old, new)
    free_pg = old.type in (T.STRING, T.ENUM) and new.type in (T.STRING, T.ENUM, T.TEXT) and \
        (new.type is T.TEXT or new.max_length >= old.max_length)
    # MySQL's DATETIME(p) and SQLite's DATETIME keep no time zone; SQLite no precision either.
    both_datetime = old.type is new.type is T.DATETIME
    kind_mysql = kind and not (both_datetime and old.precision == new.precision)
    kind_sqlite = kind and not both_datetime
    if kind and not free_pg:
        dialects.append("postgres")
    if kind_mysql or old.nullable != new.nullable:
        dialects.append("mysql")
    if kind_sqlite or _constraints(old) != _constraints(new) or old.nullable != new.nullable \
            or old.default != new.default or fk_changed:
        dialects.append("sqlite")
    return tuple(dialects)


def _constraints(f: Field) -> tuple:
    return (f.enum.values if f.enum else None, f.minimum, f.maximum, f.min_length, f.pattern,
            f.unique)


def _fk(f: Field, renamed: dict[str, str] | None = None) -> tuple | None:
    """(target model, ON DELETE, has a constraint); an old field's target named as in the
    new spec."""
    ref = f.reference
    if ref is None:
        return None
    return (renamed or {}).get(ref.target, ref.target), ref.on_delete, ref.foreign_key


def _narrower(old: Field, new: Field) -> list[str]:
    """The ways ``new`` accepts fewer values than ``old`` (the same type assumed)."""
    found = []
    if new.minimum is not None and (old.minimum is None or new.minimum > old.minimum):
        found.append(f"min {old.minimum} -> {new.minimum}")
    if new.maximum is not None and (old.maximum is None or new.maximum < old.maximum):
        found.append(f"max {old.maximum} -> {new.maximum}")
    if new.min_length is not None and (old.min_length or 0) < new.min_length:
        found.append(f"minLength {old.min_length} -> {new.min_length}")
    if new.pattern is not None and new.pattern != old.pattern:
        found.append(f"pattern {old.pattern!r} -> {new.pattern!r}")
    return found


def _wider(old: Field, new: Field) -> list[str]:
    found = []
    if old.minimum is not None and (new.minimum is None or new.minimum < old.minimum):
        found.append(f"min {old.minimum} -> {new.minimum}")
    if old.maximum is not None and (new.maximum is None or new.maximum > old.maximum):
        found.append(f"max {old.maximum} -> {new.maximum}")
    if old.min_length and (new.min_length or 0) < old.min_length:
        found.append(f"minLength {old.min_length} -> {new.min_length}")
    if old.pattern is not None and new.pattern is None:
        found.append(f"pattern {old.pattern!r} removed")
    return found


# -- the classification -------------------------------------------------------------------


class _Collector:
    def __init__(self, pairing: Pairing):
        self.pairing = pairing
        self.new_file = pairing.new.shown_path
        self.old_file = pairing.old.shown_path
        self.changes: list[Change] = []
        self.renamed = {m.old.name: m.new.name for m in pairing.models if m.old and m.new}

    def add(self, rule: str, message: str, position: Position, *, old: bool = False,
            dialects: tuple[str, ...] = ()) -> None:
        self.changes.append(Change(rule, message, self.old_file if old else self.new_file,
                                   position, dialects))

    def models(self) -> None:
        for mp in self.pairing.models:
            if mp.new is None:
                self.add("VG102", f"table {mp.old.table} (model {mp.old.name}) is dropped",
                         mp.old.position, old=True)
            elif mp.old is None:
                self.add("VG101", f"table {mp.new.table} (model {mp.new.name}) is added",
                         mp.new.position)
            else:
                if mp.old.description != mp.new.description:
                    self.add("VG171", f"table {mp.new.table}: description changed",
                             mp.new.position)
                if mp.old.table != mp.new.table:
                    self.add("VG103", f"table {mp.old.table} is renamed to {mp.new.table}",
                             mp.new.position)
                self.fields(mp)
                self.keys(mp)
                self.composite_references(mp)

    def fields(self, mp: ModelPair) -> None:
        table = mp.new.table
        rewritten: dict[str, list[str]] = {}
        for fp in mp.fields:
            old, new = fp.old, fp.new
            if new is None:
                self.add("VG113", f"column {table}.{old.column} is dropped", old.position,
                         old=True)
                continue
            where = new.position
            name = f"{table}.{new.column}"
            if old is None:
                if not new.nullable and new.default is None:
                    self.add("VG112", f"column {name} is added NOT NULL without a default: "
                             "the migration fails if the table has rows", where)
                else:
                    self.add("VG111", f"column {name} is added", where)
                continue
            if old.column != new.column:
                self.add("VG114", f"column {table}.{old.column} is renamed to {new.column}",
                         where)
            kind = type_change(old, new)
            if kind:
                rule = "VG121" if kind == "widen" else "VG122"
                self.add(rule, f"column {name}: {_type_text(old)} -> {_type_text(new)}", where)
            if old.nullable and not new.nullable:
                if new.default is None:
                    self.add("VG123", f"column {name} becomes NOT NULL without a default: the "
                             "migration fails on rows holding NULL", where)
                else:
                    self.add("VG124", f"column {name} becomes NOT NULL; rows holding NULL get "
                             f"the default {new.default!r}", where)
            elif new.nullable and not old.nullable:
                self.add("VG125", f"column {name} accepts NULL", where)
            if old.default != new.default:
                self.add("VG126", f"column {name}: default {old.default!r} -> "
                         f"{new.default!r}", where)
            self.values(name, old, new, where)
            if old.description != new.description:
                self.add("VG171", f"column {name}: description changed", where)
            if old.updated_at != new.updated_at:
                self.add("VG161", f"column {name} is {'now' if new.updated_at else 'no longer'}"
                         " set on every update", where)
            fk_changed = _fk(old, self.renamed) != _fk(new)
            if fk_changed and old.reference and new.reference and \
                    old.reference.foreign_key != new.reference.foreign_key:
                # the constraint itself comes or goes (its action with it)
                added = new.reference.foreign_key
                constraint = (new if added else old).reference.constraint
                self.add("VG153" if added else "VG154", f"foreign key {constraint} on {name} "
                         f"is {'added' if added else 'dropped'}", where)
            elif fk_changed and old.reference and new.reference:
                if _fk(old, self.renamed)[0] != new.reference.target:
                    self.add("VG152", f"foreign key {name} now refers to "
                             f"{new.reference.target_table}", where)
                else:
                    self.add("VG151", f"foreign key {name}: ON DELETE "
                             f"{old.reference.on_delete.sql} -> {new.reference.on_delete.sql}",
                             where)
            for dialect in _rewrites(old, new, fk_changed):
                rewritten.setdefault(dialect, []).append(new.column)
        dialects = tuple(d for d in ("postgres", "mysql", "sqlite") if d in rewritten)
        if dialects:
            columns = sorted({c for d in dialects for c in rewritten[d]})
            self.add("VG301", f"table {table} is rewritten (columns {', '.join(columns)}) on "
                     + ", ".join(dialects), mp.new.position, dialects=dialects)

    def values(self, name: str, old: Field, new: Field, where: Position) -> None:
        if old.enum is not None and new.enum is not None:
            removed = [v for v in old.enum.values if v not in new.enum.values]
            added = [v for v in new.enum.values if v not in old.enum.values]
            if removed:
                self.add("VG132", f"column {name}: enum values {', '.join(removed)} removed",
                         where)
            if added:
                self.add("VG131", f"column {name}: enum values {', '.join(added)} added", where)
        if old.type is not new.type and type_change(old, new) == "narrow":
            return  # already destructive; value rules of another type do not compare
        narrower, wider = _narrower(old, new), _wider(old, new)
        if narrower:
            self.add("VG134", f"column {name}: " + "; ".join(narrower), where)
        if wider:
            self.add("VG133", f"column {name}: " + "; ".join(wider), where)

    def keys(self, mp: ModelPair) -> None:
        renamed = {fp.old.name: fp.new.name for fp in mp.fields if fp.old and fp.new}

        def signature(item) -> tuple[str, ...]:
            return tuple(renamed.get(n, "") for n in item.fields)

        for kind, add, drop in (("uniques", "VG141", "VG142"), ("indexes", "VG143", "VG144")):
            old = {signature(i) for i in getattr(mp.old, kind)}
            new = {i.fields: i for i in getattr(mp.new, kind)}
            what = "unique key" if kind == "uniques" else "index"
            for fields, item in new.items():
                if fields not in old:
                    self.add(add, f"{what} {item.name} on {mp.new.table} "
                             f"({', '.join(item.columns)}) is added", mp.new.position)
            for item in getattr(mp.old, kind):
                if signature(item) not in new:
                    self.add(drop, f"{what} {item.name} on {mp.old.table} is dropped",
                             mp.new.position)

    def composite_references(self, mp: ModelPair) -> None:
        """Relations of several fields (``relations:``), paired by name: their foreign key
        comes, goes, changes action or target like a ref field's."""
        old = {r.name: r for r in mp.old.composite_references if r.foreign_key}
        new = {r.name: r for r in mp.new.composite_references if r.foreign_key}
        table = mp.new.table
        for name, rel in new.items():
            where = rel.position
            before = old.get(name)
            if before is None:
                self.add("VG153", f"foreign key {rel.constraint} on {table} "
                         f"({', '.join(rel.columns)}) is added", where)
            elif self.renamed.get(before.target, before.target) != rel.target:
                self.add("VG152", f"foreign key {rel.constraint} now refers to "
                         f"{rel.target_table}", where)
            elif (before.on_delete, before.on_update) != (rel.on_delete, rel.on_update):
                self.add("VG151", f"foreign key {rel.constraint}: ON DELETE "
                         f"{before.on_delete.sql} -> {rel.on_delete.sql}", where)
        for name, rel in old.items():
            if name not in new:
                self.add("VG154", f"foreign key {rel.constraint} on {mp.old.table} is dropped",
                         rel.position, old=True)

    # -- the API ---------------------------------------------------------------------------

    def api(self) -> None:
        old, new = self.pairing.old.api, self.pairing.new.api
        if old is None:
            return
        new_endpoints = {e.name: e for e in (new.endpoints if new else ())}
        for endpoint in old.endpoints:
            current = new_endpoints.get(endpoint.name)
            if current is None:
                self.add("VG201", f"endpoint {endpoint.name} ({endpoint.method.upper()} "
                         f"{endpoint.path}) is removed", endpoint.position, old=True)
                continue
            before = dict(endpoint.body.properties) if endpoint.body else {}
            for prop, shape in (current.body.properties if current.body else ()):
                if not shape.optional and (prop not in before or before[prop].optional):
                    self.add("VG202", f"endpoint {current.name}: body property '{prop}' is now "
                             "required", current.position)
        if new is None:
            return
        new_schemas = {s.name: s for s in new.schemas}
        for schema in old.schemas:
            now = new_schemas.get(schema.name)
            removed = _removed_properties(schema.shape, now.shape if now else None, schema.name)
            for path in removed:
                self.add("VG203", f"response property {path} is removed",
                         self._endpoint_position(new, schema.name))
        used = {(s.model, s.field.name) for s in _field_shapes(new)}
        for mp in self.pairing.models:
            if mp.old is None or mp.new is None:
                continue
            for fp in mp.fields:
                if fp.old is None or fp.new is None or (mp.new.name, fp.new.name) not in used:
                    continue
                narrower = _narrower(fp.old, fp.new)
                if fp.old.enum and fp.new.enum:
                    narrower += [f"enum value {v} removed" for v in fp.old.enum.values
                                 if v not in fp.new.enum.values]
                if fp.old.max_length and fp.new.max_length and fp.new.max_length < \
                        fp.old.max_length and fp.old.type is not T.ENUM:
                    narrower.append(f"maxLength {fp.old.max_length} -> {fp.new.max_length}")
                if narrower:
                    self.add("VG204", f"{mp.new.name}.{fp.new.name} in the API: "
                             + "; ".join(narrower), fp.new.position)

    @staticmethod
    def _endpoint_position(api, schema: str) -> Position:
        for endpoint in api.endpoints:
            if endpoint.response == schema:
                return endpoint.position
        return api.endpoints[0].position if api.endpoints else Position()


def _type_text(f: Field) -> str:
    if f.type in _TEXTUAL:
        return f"{f.type.value}({f.max_length})"
    if f.type is T.DECIMAL:
        return f"decimal({f.precision}, {f.scale})"
    if f.type is T.DATETIME:
        return f"datetime({f.precision}{'' if f.timezone else ', no time zone'})"
    return f.type.value


def _children(shape) -> dict:
    if isinstance(shape, ObjectShape):
        return dict(shape.properties)
    return {}


def _removed_properties(old, new, path: str) -> list[str]:
    if isinstance(old, (ListShape, MapShape)):
        inner_new = getattr(new, "items", None) or getattr(new, "values", None)
        inner_old = getattr(old, "items", None) or getattr(old, "values", None)
        return _removed_properties(inner_old, inner_new, path + "[]")
    before, after = _children(old), _children(new)
    found = []
    for name, shape in before.items():
        if name not in after:
            found.append(f"{path}.{name}")
        else:
            found += _removed_properties(shape, after[name], f"{path}.{name}")
    return found


def _field_shapes(api) -> Iterator[FieldShape]:
    def walk(shape):
        if isinstance(shape, FieldShape):
            yield shape
        elif isinstance(shape, ObjectShape):
            for _, child in shape.properties:
                yield from walk(child)
        elif isinstance(shape, ListShape):
            yield from walk(shape.items)
        elif isinstance(shape, MapShape):
            yield from walk(shape.values)
            yield from walk(shape.keys)

    for schema in api.schemas:
        yield from walk(schema.shape)
    for endpoint in api.endpoints:
        if endpoint.body:
            yield from walk(endpoint.body)
        for _, param in endpoint.params:
            yield param


def diff(old: Spec, new: Spec) -> Diff:
    """Every change from ``old`` to ``new``, classified. Raises SpecError for a bad
    ``renamedFrom``."""
    pairing = pair(old, new)
    collector = _Collector(pairing)
    collector.models()
    collector.api()
    order = {s: n for n, s in enumerate(SEVERITIES)}
    changes = sorted(collector.changes, key=lambda c: (order[c.severity], c.file, c.position,
                                                       c.rule, c.message))
    return Diff(pairing, tuple(changes))
