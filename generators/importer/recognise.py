"""Our own SQL forms, recognised in sqlglot trees: column types, defaults and CHECK conditions.

Each recogniser reads a tree as the sql emitter writes it (emitters/sql_ddl.py) or as a
database's catalogue gives it back (PostgreSQL wraps values in casts and rewrites ``IN`` as
``= ANY (ARRAY[...])``; MySQL lowercases). A tree is first reduced to a plain form
(``plain``), then matched; anything that does not match is returned as None, and the caller
reports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlglot import exp

DT = exp.DataType.Type


def plain(tree: exp.Expression) -> exp.Expression:
    """Without the wrappers a catalogue adds: parentheses, casts (not MySQL's binary cast of
    an enum check, which ``enum_values`` reads), ``x = ANY (ARRAY[...])`` (PostgreSQL's IN)."""

    def strip(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Paren):
            return node.this
        if isinstance(node, exp.Cast) and node.to.this is not DT.BINARY:
            return node.this
        if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Any):
            array = node.expression.this
            while isinstance(array, (exp.Paren, exp.Cast)):
                array = array.this
            if isinstance(array, exp.Array):
                return exp.In(this=node.this, expressions=array.expressions)
        return node

    def unwrap(node: exp.Expression) -> exp.Expression:
        # Nested wrappers ((x)::text) come off one by one, at the same node.
        while True:
            stripped = strip(node)
            if stripped is node:
                return node
            node = stripped

    return tree.copy().transform(unwrap, copy=False)


def literal_value(node: exp.Expression) -> Any:
    """A literal's Python value (string, int, float, bool), or raise ValueError."""
    node = plain(node)
    if isinstance(node, exp.Neg):
        value = literal_value(node.this)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(node)
        return -value
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        text = node.this
        try:
            return int(text)
        except ValueError:
            return float(text)
    if isinstance(node, exp.National):  # SQL Server's N'...'
        return node.this
    raise ValueError(node)


def column_of(node: exp.Expression) -> str | None:
    return node.name if isinstance(node, exp.Column) else None


# -- CHECK conditions ----------------------------------------------------------------------------
# Each returns (kind, column, facts) for the checks our SQL writes, or None.


def enum_values(tree: exp.Expression):
    if isinstance(tree, exp.EQ) and isinstance(plain(tree.expression), exp.Literal):
        # PostgreSQL keeps IN ('a') of one value as = 'a'
        tree = exp.In(this=tree.this, expressions=[tree.expression])
    if not isinstance(tree, exp.In) or tree.args.get("query"):
        return None
    target = tree.this
    if isinstance(target, exp.Cast) and target.to.this is DT.BINARY:
        target = target.this  # MySQL: compared byte for byte
    column = column_of(plain(target))
    try:
        values = [literal_value(v) for v in tree.expressions]
    except ValueError:
        return None
    if column is None or not values:
        return None
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values) and sorted(values) == [
        0,
        1,
    ]:
        return "bool", column, {}  # Oracle's NUMBER(1) boolean check
    if not all(isinstance(v, str) for v in values):
        return None
    return "enum", column, {"values": values}


def _bound(tree: exp.Expression):
    if isinstance(tree, (exp.GTE, exp.LTE)):
        column = column_of(plain(tree.this))
        try:
            value = literal_value(tree.expression)
        except ValueError:
            return None
        if isinstance(value, str):  # PostgreSQL gives a negative bound back as '-5'::integer
            try:
                value = int(value) if re.fullmatch(r"-?\d+", value) else float(value)
            except ValueError:
                return None
        if column is None or isinstance(value, bool):
            return None
        return column, ("min" if isinstance(tree, exp.GTE) else "max"), value
    return None


def value_range(tree: exp.Expression):
    parts = list(tree.flatten()) if isinstance(tree, exp.And) else [tree]
    bounds = [_bound(plain(p)) for p in parts]
    if not bounds or None in bounds or len(bounds) > 2:
        return None
    columns = {b[0] for b in bounds}
    kinds = [b[1] for b in bounds]
    if len(columns) != 1 or len(set(kinds)) != len(kinds) or kinds == ["max", "min"]:
        return None
    return "range", columns.pop(), {kind: value for _, kind, value in bounds}


def min_length(tree: exp.Expression):
    if not isinstance(tree, exp.GTE) or not isinstance(plain(tree.this), exp.Length):
        return None
    column = column_of(plain(plain(tree.this).this))
    try:
        value = literal_value(tree.expression)
    except ValueError:
        return None
    if column is None or not isinstance(value, int) or isinstance(value, bool):
        return None
    return "length", column, {"minLength": value}


# Regex functions read as plain calls: DuckDB's REGEXP_MATCHES(col, 'p') (our DuckDB SQL is
# read with sqlglot's postgres reader, which does not know it).
REGEX_FUNCTIONS = {"regexp_matches"}


def pattern(tree: exp.Expression):
    if (
        isinstance(tree, exp.Anonymous)
        and tree.name.lower() in REGEX_FUNCTIONS
        and len(tree.expressions) == 2
    ):
        tree = exp.RegexpLike(this=tree.expressions[0], expression=tree.expressions[1])
    if not isinstance(tree, exp.RegexpLike) or tree.args.get("flag"):
        return None
    column = column_of(plain(tree.this))
    try:
        value = literal_value(tree.expression)
    except ValueError:
        return None
    if column is None or not isinstance(value, str):
        return None
    return "pattern", column, {"pattern": value}


def json_valid(tree: exp.Expression):
    """MariaDB keeps a JSON column as LONGTEXT with CHECK (json_valid(column))."""
    if (
        isinstance(tree, exp.Anonymous)
        and tree.name.lower() == "json_valid"
        and len(tree.expressions) == 1
    ):
        column = column_of(plain(tree.expressions[0]))
        return ("json", column, {}) if column else None
    return None


CHECK_FORMS: tuple[Callable, ...] = (enum_values, value_range, min_length, pattern, json_valid)


def check_form(condition: exp.Expression):
    """(kind, column, facts) of one of our CHECK forms, or None."""
    tree = plain(condition)
    for form in CHECK_FORMS:
        found = form(tree)
        if found is not None:
            return found
    return None
