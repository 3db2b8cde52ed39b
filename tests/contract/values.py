"""JSON values of one model field, read from the Spec model alone: valid ones (type, range,
length, pattern, enum), values that break one rule each, and the comparisons the suite needs
(a JSON value against another JSON value, or against what a database driver returned).

Nothing here knows a table or an endpoint by name.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
import math
import random
import re
import uuid
from typing import Any

from vigilo_gen.model import Field, FieldType, api_int_bounds

try:  # the stdlib regex parser: Python 3.11+ name, then the older one
    from re import _parser as _sre  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre  # type: ignore[no-redef]

T = FieldType
_MAXREPEAT = _sre.MAXREPEAT
# Characters tried for a negated class or "any" (letters and digits first).
_ANY = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~"
_CATEGORIES = {"CATEGORY_DIGIT": "0123456789", "CATEGORY_WORD": _ANY[:63],
               "CATEGORY_SPACE": " ", "CATEGORY_NOT_DIGIT": _ANY[:52],
               "CATEGORY_NOT_WORD": "-.~", "CATEGORY_NOT_SPACE": _ANY}


def _class_members(items) -> list[str]:
    members: list[str] = []
    negate = False
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            members.append(chr(arg))
        elif name == "RANGE":
            members.extend(chr(c) for c in range(arg[0], min(arg[1], arg[0] + 61) + 1))
        elif name == "CATEGORY":
            members.extend(_CATEGORIES.get(str(arg), ""))
    if negate:
        return [ch for ch in _ANY if ch not in members]
    return members


def regex_sample(pattern: str, rng: random.Random, extra: int = 0) -> str | None:
    """A random string built from ``pattern``'s parse tree (None for constructs this sampler
    does not follow); the caller checks it with ``re.search`` and the length rules."""
    out: list[str] = []

    def walk(items) -> bool:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "ANY":
                out.append(rng.choice(_ANY))
            elif name == "IN":
                members = _class_members(arg)
                if not members:
                    return False
                out.append(rng.choice(members))
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, sub = arg
                top = low + extra if high == _MAXREPEAT else min(high, low + extra)
                for _ in range(rng.randint(low, max(low, top))):
                    if not walk(sub):
                        return False
            elif name == "SUBPATTERN":
                if not walk(arg[-1]):
                    return False
            elif name == "BRANCH":
                if not walk(rng.choice(arg[1])):
                    return False
            elif name == "AT":
                continue
            else:
                return False
        return True

    return "".join(out) if walk(_sre.parse(pattern)) else None


def length_ok(field: Field, text: str) -> bool:
    return (field.max_length is None or len(text) <= field.max_length) and \
        (field.min_length is None or len(text) >= field.min_length)


def _string(field: Field, rng: random.Random, edge: str | None) -> str:
    low = field.min_length or 0
    high = field.max_length if field.max_length is not None else 64
    if field.pattern is None:
        if edge == "low":
            size = max(low, 1) if low else 1
        elif edge == "high":
            size = high
        else:
            # 6 to 24 characters, within the field's lengths (a short field: up to its maximum)
            size = rng.randint(min(max(low, 6), high), max(low, min(high, 24)))
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        text = "".join(rng.choice(alphabet) for _ in range(size))
        if edge == "high" and size >= 4:  # non-ASCII and quotes survive the round trip
            text = "é'\"" + text[3:]
        return text[:high] if size <= high else text
    for attempt in range(400):
        extra = {"low": 0, "high": 64}.get(edge or "", 4 + attempt % 24)
        text = regex_sample(field.pattern, rng, extra)
        if text is not None and len(text) > high and edge == "high":
            text = regex_sample(field.pattern, rng, max(0, high - 4))
        if text is not None and length_ok(field, text) and re.search(field.pattern, text):
            return text
    for text in ("a", "A", "0", "abc", "ABC-0001", "#3b82f6", "x", "key-1"):
        if length_ok(field, text) and re.search(field.pattern, text):
            return text
    raise AssertionError(f"no value found for pattern {field.pattern!r} of {field.name}")


def int_bounds(field: Field) -> tuple[int, int]:
    """The integers the API accepts (a bigint within +-(2**53 - 1): JSON's exact range)."""
    return api_int_bounds(field)


def decimal_bounds(field: Field) -> tuple[decimal.Decimal, decimal.Decimal]:
    whole = (field.precision or 18) - (field.scale or 0)
    step = decimal.Decimal(1).scaleb(-(field.scale or 0))
    top = decimal.Decimal(10) ** whole - step
    low = -top if field.minimum is None else max(-top, decimal.Decimal(str(field.minimum)))
    high = top if field.maximum is None else min(top, decimal.Decimal(str(field.maximum)))
    return low, high


def _fmt_decimal(field: Field, value: decimal.Decimal) -> str:
    scale = field.scale or 0
    quantum = decimal.Decimal(1).scaleb(-scale)
    value = value.quantize(quantum, rounding=decimal.ROUND_DOWN)
    text = f"{value:.{scale}f}"
    return "0" + text[2:] if text.startswith("-0") and decimal.Decimal(text) == 0 else text


def valid_value(field: Field, rng: random.Random, edge: str | None = None) -> Any:
    """A JSON value ``field`` accepts. ``edge`` = "low" / "high" picks the bound of a range or
    a length where the field has one; None a value in between. (Refs are the caller's:
    they must name an existing row.)"""
    t = field.value_type
    if t in (T.ID, T.REF):
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if t in (T.STRING, T.TEXT):
        return _string(field, rng, edge)
    if t is T.ENUM:
        values = field.enum.values
        return values[0] if edge == "low" else values[-1] if edge == "high" else rng.choice(values)
    if t in (T.INT, T.BIGINT):
        low, high = int_bounds(field)
        if edge == "low":
            return low
        if edge == "high":
            return high
        mid_low, mid_high = max(low, -1000), min(high, 100000)
        return rng.randint(mid_low, mid_high) if mid_low <= mid_high else low
    if t is T.FLOAT:
        low = field.minimum if field.minimum is not None else -1e6
        high = field.maximum if field.maximum is not None else 1e6
        if edge == "low":
            return low if field.minimum is not None else -1.5e300
        if edge == "high":
            return high if field.maximum is not None else 1.5e300
        return round(rng.uniform(low, high), 3) if high - low > 0.01 else low
    if t is T.DECIMAL:
        low, high = decimal_bounds(field)
        if edge == "low":
            return _fmt_decimal(field, low)
        if edge == "high":
            return _fmt_decimal(field, high)
        top = min(high, low + 100000)
        span = float(top - low)
        return _fmt_decimal(field, low + decimal.Decimal(str(round(rng.uniform(0, span), 4))))
    if t is T.BOOL:
        return edge != "low" if edge else rng.random() < 0.5
    if t is T.DATE:
        day = dt.date(1970, 1, 1) if edge == "low" else dt.date(2099, 12, 31) if edge == "high" \
            else dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 20000))
        return day.isoformat()
    if t is T.DATETIME:
        moment = dt.datetime(2001, 2, 3, 4, 5, 6, 789000) if edge == "low" else \
            dt.datetime(2099, 12, 31, 23, 59, 59, 999000) if edge == "high" else \
            dt.datetime(2020, 1, 1) + dt.timedelta(seconds=rng.randint(0, 10**9),
                                                   milliseconds=rng.randint(0, 999))
        return moment.isoformat(timespec="milliseconds") + "Z"
    if t is T.JSON:  # a document: nesting, unicode, a number, a null inside
        return {"k": rng.randint(0, 10**6), "s": "\u00e9\u00df", "l": [1.5, None, True],
                "o": {"deep": []}}
    if t is T.UUID:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if t is T.BYTES:  # base64 text of bytes no text encoding keeps (a NUL, 0xff)
        return base64.b64encode(bytes([0, 255, *rng.randbytes(8)])).decode()
    raise AssertionError(f"no value for {t}")


def unique_value(field: Field, rng: random.Random) -> Any:
    """A valid value unlikely to be held by any other row (unique columns, unknown keys):
    the longest of several draws for strings, a wide range for integers."""
    if field.value_type in (T.STRING, T.TEXT) and field.enum is None:
        best = ""
        for _ in range(40):
            text = _string(field, rng, None)
            if len(text) > len(best):
                best = text
            if len(best) >= 12:
                break
        return best
    if field.value_type in (T.INT, T.BIGINT):
        low, high = int_bounds(field)
        return rng.randint(max(low, -(2**30)), min(high, 2**30))
    return valid_value(field, rng)


def distinct_values(field: Field, rng: random.Random, count: int) -> list[Any]:
    """``count`` different valid values (map keys, the unique key of a replaced set)."""
    found: list[Any] = []
    seen: set[str] = set()
    for _ in range(count * 60):
        value = valid_value(field, rng)
        if key_text(field, value) not in seen:
            seen.add(key_text(field, value))
            found.append(value)
            if len(found) == count:
                break
    return found


def key_text(field: Field, value: Any) -> str:
    """The JSON object key of a map entry whose key field holds ``value``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if field.value_type in (T.INT, T.BIGINT):
        return str(int(value))
    return str(value)


# --- broken values ------------------------------------------------------------------------

_WRONG_TYPE: dict[FieldType, list[Any]] = {
    T.ID: [12345], T.REF: [True],
    T.STRING: [123], T.TEXT: [["list"]],
    T.INT: ["12", 1.5, True], T.BIGINT: ["12", {"n": 1}],
    T.FLOAT: ["0.5", False],
    T.DECIMAL: [12.5, "twelve"],
    T.BOOL: ["true", 1],
    T.DATE: [20240131, "2024-13-45", "31/01/2024"],
    T.DATETIME: [1706702400, "not a time", "2024-02-30T10:00:00Z"],
    T.ENUM: [0],
    T.JSON: [],  # every JSON value but null is a document (null is the nullability's)
    T.UUID: [123, True],
    T.BYTES: [123, ["bytes"]],
}


def broken_values(field: Field) -> list[tuple[str, Any]]:
    """(rule, value) pairs: each value breaks exactly one rule of ``field`` (as a JSON value
    in the API: its type, range, length, pattern, enum, format)."""
    cases: list[tuple[str, Any]] = [(f"type {type(v).__name__} {v!r}"[:60], v)
                                    for v in _WRONG_TYPE[field.value_type]]
    t = field.value_type
    if t in (T.ID, T.REF):
        cases.append(("not a uuid", "not-a-uuid"))
        cases.append(("uuid too long", "0" * 37))
    if t in (T.INT, T.BIGINT):
        low, high = int_bounds(field)
        cases.append(("below minimum", low - 1))
        cases.append(("above maximum", high + 1))
    if t is T.FLOAT:
        if field.minimum is not None:
            cases.append(("below minimum", field.minimum - 0.001))
        if field.maximum is not None:
            cases.append(("above maximum", field.maximum + 0.001))
    if t is T.DECIMAL:
        low, high = decimal_bounds(field)
        step = decimal.Decimal(1).scaleb(-(field.scale or 0))
        if field.minimum is not None:
            cases.append(("below minimum", _fmt_decimal(field, low - step)))
        if field.maximum is not None:
            cases.append(("above maximum", _fmt_decimal(field, high + step)))
        whole = (field.precision or 18) - (field.scale or 0)
        cases.append(("too many integer digits", "1" * (whole + 1)))
        cases.append(("too many fraction digits", "1." + "1" * ((field.scale or 0) + 1)))
    if t in (T.STRING, T.TEXT):
        if field.max_length is not None:
            cases.append(("longer than maxLength", _long_text(field, field.max_length + 1)))
        if field.min_length:
            cases.append(("shorter than minLength", _long_text(field, field.min_length - 1)))
        if field.pattern is not None:
            for candidate in ("!!", " ", "\u00e9\u00e9", "?", "'\"\\", "a/b\n", ""):
                if not re.search(field.pattern, candidate) and length_ok(field, candidate):
                    cases.append(("pattern", candidate))
                    break
    if t is T.ENUM:
        cases.append(("not an enum value", "zz-not-a-value"))
        upper = field.enum.values[0].upper()
        if upper not in field.enum.values:
            cases.append(("enum value in capitals", upper))
    return cases


def _long_text(field: Field, size: int) -> str:
    """A string of ``size`` characters that keeps the pattern's characters where it can (so
    the length, not the pattern, is what breaks)."""
    rng = random.Random(size)
    if field.pattern is not None:
        for extra in (size, size * 2, size + 64):
            text = regex_sample(field.pattern, rng, extra)
            if text and len(text) >= size and re.search(field.pattern, text[:size]):
                return text[:size]
    return "a" * size


def broken_keys(field: Field) -> list[tuple[str, str]]:
    """(rule, JSON key) pairs a map keyed by ``field`` must refuse."""
    cases: list[tuple[str, str]] = []
    if field.value_type in (T.INT, T.BIGINT):
        low, high = int_bounds(field)
        cases.append(("key not an integer", "first"))
        cases.append(("key with a leading zero", "01"))
        cases.append(("key with a fraction", "1.5"))
        if low >= 0:
            cases.append(("negative key", "-1"))
        cases.append(("key above maximum", str(high + 1)))
    elif field.value_type is T.ENUM:
        cases.append(("key not an enum value", "zz-not-a-value"))
    elif field.value_type in (T.STRING, T.TEXT):
        for rule, value in broken_values(field):
            if isinstance(value, str):
                cases.append((f"key {rule}", value))
    elif field.value_type in (T.ID, T.REF):
        cases.append(("key not a uuid", "not-a-uuid"))
    elif field.value_type is T.DATE:
        cases.append(("key not a date", "2024-13-45"))
    return cases


# --- comparisons --------------------------------------------------------------------------


def _instant(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip().replace(" ", "T")
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def same_value(field: Field, expected: Any, got: Any) -> bool:
    """Does ``got`` (a JSON value, or a database driver's value) hold ``expected`` (a JSON
    value of ``field``)? Numbers, decimals, dates and instants by value, not spelling."""
    if expected is None or got is None:
        return expected is None and got is None
    t = field.value_type
    try:
        if t is T.BOOL:
            return isinstance(got, (bool, int)) and bool(got) == bool(expected)
        if t in (T.INT, T.BIGINT):
            return not isinstance(got, bool) and int(got) == int(expected) and \
                float(got) == int(got)
        if t is T.FLOAT:
            return math.isclose(float(got), float(expected), rel_tol=1e-9, abs_tol=1e-12)
        if t is T.DECIMAL:
            scale = decimal.Decimal(1).scaleb(-(field.scale or 0))
            left = decimal.Decimal(str(got)).quantize(scale)
            return left == decimal.Decimal(str(expected)).quantize(scale)
        if t is T.DATE:
            text = got.isoformat() if isinstance(got, (dt.date, dt.datetime)) else str(got)
            return text[:10] == str(expected)[:10]
        if t is T.DATETIME:
            left, right = _instant(got), _instant(expected)
            return left is not None and right is not None and \
                abs((left - right).total_seconds()) < 0.0015
        if t in (T.ID, T.REF, T.UUID):
            return str(got).lower() == str(expected).lower()
        if t is T.JSON:  # a driver gives the document decoded (PostgreSQL) or as text
            return (json.loads(got) if isinstance(got, (str, bytes)) else got) == expected
        if t is T.BYTES:  # a driver gives bytes, the API base64 text
            raw = base64.b64decode(got, validate=True) if isinstance(got, str) else bytes(got)
            return raw == base64.b64decode(expected, validate=True)
    except (ValueError, TypeError, decimal.InvalidOperation, binascii.Error):
        return False
    return got == expected


def json_of_db(field: Field, value: Any) -> Any:
    """A database driver's value as the JSON value the API would carry (for map keys and
    expected responses)."""
    if value is None:
        return None
    t = field.value_type
    if t is T.BOOL:
        return bool(value)
    if t in (T.INT, T.BIGINT):
        return int(value)
    if t is T.FLOAT:
        return float(value)
    if t is T.DECIMAL:
        return str(value)
    if t is T.DATE:
        return value.isoformat()[:10] if isinstance(value, (dt.date, dt.datetime)) \
            else str(value)[:10]
    if t is T.DATETIME:
        return value.isoformat() if isinstance(value, dt.datetime) else str(value)
    if t is T.JSON:
        return json.loads(value) if isinstance(value, (str, bytes)) else value
    if t is T.UUID:
        return str(value)
    if t is T.BYTES:
        return base64.b64encode(bytes(value)).decode()
    return value
