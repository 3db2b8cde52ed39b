"""Values for any spec's fields, drawn from the Spec model alone (no table is known by name).

Used by the engine tests of every target: ``valid_value`` satisfies a field's type and every
rule (enum, range, length, pattern); ``violations`` lists values a database must refuse;
``sample_rows`` gives one row per model, parents before children, foreign keys linked.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from typing import Any

from vigilo_gen.model import NOW, Field, FieldType, Model, OnDelete, Spec

T = FieldType

# A few strings known to match the patterns the test specs use, tried before the generic ones.
_PATTERN_CANDIDATES = ("#3b82f6", "ABC-0001", "abc_123", "key-1", "abc", "a", "A", "0")


def _string_for(field: Field, seed: int) -> str:
    if field.pattern is not None:
        for candidate in _PATTERN_CANDIDATES:
            if re.search(field.pattern, candidate) and _length_ok(field, candidate):
                return candidate if seed == 0 else _vary(field, candidate, seed)
        raise AssertionError(f"no sample value for pattern {field.pattern!r}; add one to "
                             "_PATTERN_CANDIDATES")
    text = f"{field.attr}-{seed}"
    if field.min_length is not None and len(text) < field.min_length:
        text = text.ljust(field.min_length, "x")
    if field.max_length is not None:
        text = text[-field.max_length:]
    return text


def _length_ok(field: Field, text: str) -> bool:
    return (field.max_length is None or len(text) <= field.max_length) and \
        (field.min_length is None or len(text) >= field.min_length)


def _vary(field: Field, candidate: str, seed: int) -> str:
    """Another value matching the same pattern, for unique columns (digits replaced)."""
    count = sum(ch.isdigit() for ch in candidate)
    digits = iter(str(seed).rjust(count, "0")[-count:] if count else "")
    varied = re.sub(r"[0-9]", lambda _match: next(digits), candidate)
    if count and re.search(field.pattern, varied) and _length_ok(field, varied):
        return varied
    varied = candidate + str(seed)
    if re.search(field.pattern, varied) and _length_ok(field, varied):
        return varied
    # Letters only (a natural key such as '^[a-z]{2,3}$'): the seed in base 26, as letters,
    # from 'baa' on so that no seed spells the seed-0 candidate.
    word, n = "", seed + 26 * 26
    while True:
        word, n = chr(ord("a") + n % 26) + word, n // 26
        if not n:
            break
    for letters in (word, word.upper()):
        varied = candidate[:max(len(candidate) - len(letters), 0)] + letters
        varied = varied.rjust(len(candidate), letters[0])
        if re.search(field.pattern, varied) and _length_ok(field, varied):
            return varied
    return candidate


def _number_for(field: Field, seed: int) -> float | int:
    low = field.minimum if field.minimum is not None else 0
    high = field.maximum if field.maximum is not None else low + 1000
    value = low + (high - low) * ((seed % 7) + 1) / 8
    return int(value) if field.type in (T.INT, T.BIGINT) else round(value, 2)


def valid_value(field: Field, seed: int = 0) -> Any:
    """A value this field accepts; different seeds give different values where possible."""
    t = field.value_type
    if t in (T.ID, T.REF):
        return str(uuid.UUID(int=seed + 1))
    if field.primary_key and t in (T.INT, T.BIGINT) and not field.has_range:
        return seed + 1  # one key per seed (a range would repeat after a few)
    if t in (T.STRING, T.TEXT):
        return _string_for(field, seed)
    if t is T.ENUM:
        return field.enum.values[seed % len(field.enum.values)]
    if t in (T.INT, T.BIGINT, T.FLOAT):
        return _number_for(field, seed)
    if t is T.DECIMAL:
        return decimal.Decimal(str(round(_number_for(field, seed), field.scale or 0)))
    if t is T.BOOL:
        return seed % 2 == 0
    if t is T.DATE:
        return dt.date(2024, 1, 1) + dt.timedelta(days=seed)
    if t is T.DATETIME:
        return dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.timezone.utc) + dt.timedelta(hours=seed)
    if t is T.JSON:  # a real document: nesting, unicode, a number, null, a list
        return {"name": f"{field.attr}-{seed}", "n": seed + 0.5, "none": None,
                "tags": ["a", "\u00e9", seed], "nested": {"ok": seed % 2 == 0}}
    if t is T.UUID:
        return uuid.UUID(int=(seed + 1) * 0x1000000000000000000000001)
    if t is T.BYTES:  # every byte value, a NUL first: no text encoding survives it
        return bytes([0, *range(256)]) + seed.to_bytes(4, "big")
    raise AssertionError(f"no sample for {t}")


def fresh_key(field: Field) -> Any:
    """A primary key value no sample row holds (their seeds are small)."""
    return str(uuid.uuid4()) if field.type is T.ID else valid_value(field, 9973)


def with_fresh_key(model: Model, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` under a key no sample row holds: a new primary key, or of a composite key a
    new value of its last own (not referencing) column, so every reference stays valid."""
    key = next((f for f in reversed(model.key) if f.reference is None), model.primary_key)
    return {**row, key.column: fresh_key(key)}


def violations(field: Field) -> list[tuple[str, Any]]:
    """(check kind, value) pairs the database must refuse for this field, where the value
    still fits the column's type (so only the CHECK can refuse it)."""
    found: list[tuple[str, Any]] = []
    if field.enum is not None:
        found.append(("enum", "zz-not-a-value"[: field.max_length]))
    if field.minimum is not None:
        below = field.minimum - 1 if field.type in (T.INT, T.BIGINT) else field.minimum - 0.01
        found.append(("range", decimal.Decimal(str(below)) if field.type is T.DECIMAL
                      else below))
    if field.maximum is not None:
        above = field.maximum + 1 if field.type in (T.INT, T.BIGINT) else field.maximum + 0.01
        found.append(("range", decimal.Decimal(str(above)) if field.type is T.DECIMAL
                      else above))
    if field.min_length:
        found.append(("length", "x" * (field.min_length - 1)))
    if field.pattern is not None:
        for candidate in ("!!", " ", "\u00e9\u00e9", "?"):
            if not re.search(field.pattern, candidate) and _length_ok(field, candidate):
                found.append(("pattern", candidate))
                break
    return found


def is_required(field: Field) -> bool:
    """Must an INSERT name this column? (no default, not nullable)"""
    return not field.nullable and field.default is None


def sample_rows(spec: Spec, seed: int = 0) -> dict[str, dict[str, Any]]:
    """One row per model (column -> value), in spec.models order (parents first). Every
    field gets a value except updated_at/now defaults; references point at the row of the
    referenced model (a self-reference is left NULL)."""
    rows: dict[str, dict[str, Any]] = {}
    for model in spec.models:
        row: dict[str, Any] = {}
        for field in model.fields:
            if field.default is NOW:
                continue
            if field.reference is not None:
                target = field.reference.target
                row[field.column] = None if target == model.name else \
                    rows[target][field.reference.target_column]
                continue
            row[field.column] = valid_value(field, seed)
        for rel in model.composite_references:  # ``relations:``: the target row's values
            for column, target_column in zip(rel.columns, rel.target_columns, strict=True):
                row[column] = None if rel.target == model.name else \
                    rows[rel.target][target_column]
        rows[model.name] = row
    return rows


def cascade_children(spec: Spec, root: Model) -> list[tuple[Model, Field]]:
    """(model, ref field) pairs whose rows are deleted with a ``root`` row (ON DELETE CASCADE),
    followed transitively."""
    result: list[tuple[Model, Field]] = []
    frontier = [root.name]
    seen = {root.name}
    while frontier:
        current = frontier.pop()
        for model in spec.models:
            for field in model.references:
                ref = field.reference
                if ref.target == current and ref.on_delete is OnDelete.CASCADE \
                        and model.name != current:
                    result.append((model, field))
                    if model.name not in seen:
                        seen.add(model.name)
                        frontier.append(model.name)
            for rel in model.composite_references:  # (model, the relation) for these
                if rel.target == current and rel.foreign_key and \
                        rel.on_delete is OnDelete.CASCADE and model.name != current:
                    result.append((model, rel))
                    if model.name not in seen:
                        seen.add(model.name)
                        frontier.append(model.name)
    return result
