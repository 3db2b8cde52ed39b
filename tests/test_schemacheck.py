"""The compiled yes/no check of a document against a JSON Schema (generators/schemacheck.py)
against jsonschema itself, the oracle, on random schemas of the keywords the compiler knows and
random documents: where it compiles a schema, its verdict is jsonschema's (it once said "yes"
to 0.0 against oneOf [true, {enum: [0]}], comparing enums more strictly than JSON does); a
keyword it does not know, or a $ref it cannot follow, makes it give up (None), never guess."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vigilo_gen.schemacheck import compile_schema

KEYS = ["a", "b", "c"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3),
                    st.sampled_from([0.0, 1.0, 2.5, -1.5]), st.sampled_from(["", "a", "ab", "b1"]))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)),
    max_leaves=8,
)
# enum and const options: scalars, and lists and objects of them (compared member by member)
values = st.one_of(scalars, st.lists(scalars, max_size=2),
                   st.dictionaries(st.sampled_from(KEYS), scalars, max_size=2))
type_names = st.sampled_from(["object", "array", "string", "integer", "number", "boolean",
                              "null"])


def _schemas(inner):
    """A schema of one or two keywords (more are nearly never satisfiable together)."""
    small = st.integers(0, 3)
    keywords = {
        "type": st.one_of(type_names, st.lists(type_names, min_size=1, max_size=3, unique=True)),
        "enum": st.lists(values, min_size=1, max_size=3),
        "const": values,
        "pattern": st.sampled_from(["^a", "b", "^[a-z]+$", "1$"]),
        "minLength": small, "maxLength": small, "minItems": small, "maxItems": small,
        "minProperties": small,
        "minimum": st.integers(-2, 2), "maximum": st.sampled_from([-1, 0, 1.5, 3]),
        "required": st.lists(st.sampled_from(KEYS), max_size=2, unique=True),
        "items": inner, "propertyNames": inner,
        "properties": st.dictionaries(st.sampled_from(KEYS), inner, max_size=2),
        "additionalProperties": st.one_of(st.booleans(), inner),
        "oneOf": st.lists(inner, min_size=1, max_size=3),
        "description": st.just("an annotation"),
    }
    return st.lists(st.sampled_from(sorted(keywords)), min_size=1, max_size=2,
                    unique=True).flatmap(
        lambda names: st.fixed_dictionaries({n: keywords[n] for n in names}))


schemas = st.recursive(st.one_of(st.booleans(), _schemas(st.just({}))), _schemas, max_leaves=6)


# Every schema is also asked about these: each scalar, and a few containers of them.
PROBES = [None, True, False, -3, -1, 0, 1, 2, 3, 0.0, 1.0, 1.5, 2.5, "", "a", "ab", "b1", "abc",
          [], [1], [1.0], [True], ["a", "b"], [None, 1, "a"], [[]], {}, {"a": 1}, {"a": 1.0},
          {"b": "a"},
          {"a": None, "b": True}, {"a": 1, "b": 2, "c": 3}, {"c": [1, 2]}, {"a": {"a": "a"}}]


@settings(max_examples=600, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(schema=schemas, document=documents)
def test_a_compiled_schema_answers_as_jsonschema(schema, document):
    check = compile_schema(schema)
    if check is None:
        return  # given up: jsonschema decides (tested below)
    validator = jsonschema.Draft202012Validator(schema)
    for probe in [document, *PROBES]:
        assert check(probe) == validator.is_valid(probe), (schema, probe)


@pytest.mark.parametrize("schema", [
    {"$ref": "https://example.com/other.json"},  # not in this document
    {"$ref": "#/$defs/missing"},
    {"not": {"type": "string"}},  # a keyword it does not know
    {"properties": {"a": "not a schema"}},
    {"type": "no such type"},
    {"pattern": "("},  # a pattern Python cannot compile
])
def test_a_schema_out_of_reach_is_given_up(schema):
    assert compile_schema(schema) is None


def test_a_recursive_reference_is_followed():
    schema = {"$defs": {"node": {"type": "object", "properties": {
        "next": {"$ref": "#/$defs/node"}, "value": {"type": "integer"}}}},
        "$ref": "#/$defs/node"}
    check = compile_schema(schema)
    assert check is not None
    for document in ({"value": 1, "next": {"value": 2, "next": {}}},
                     {"value": 1, "next": {"value": "two"}}, {"next": 3}):
        assert check(document) == jsonschema.Draft202012Validator(schema).is_valid(document)
