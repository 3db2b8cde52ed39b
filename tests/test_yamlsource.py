"""The spec reader (generators/yamlsource.py) against independent oracles, on random documents
dumped in block and flow style: its data is PyYAML's own `safe_load` (keys that are plain
words, which both read as text), and every key's position is one the text confirms: the key's
text starts at its line:col."""

from __future__ import annotations

import datetime as dt
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vigilo_gen.yamlsource import read_yaml

# Keys no YAML reads as anything but text; values of every scalar kind PyYAML resolves.
keys = st.text(alphabet="abcdefghijklmpqrsuvwxz_", min_size=2, max_size=8).filter(
    lambda k: k not in ("ye",))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, width=64), st.dates(min_value=dt.date(1900, 1, 1)),
    st.text(max_size=12), st.sampled_from(["yes", "no", "on", "off", "null", "~", "1e3",
                                           "0x1F", "1_000", ".inf", "2024-05-01", "12:30",
                                           "# not a comment", "a: b", "- x", "é ü", ""]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(keys, inner, min_size=1, max_size=4)),
    max_leaves=12,
).filter(lambda d: isinstance(d, dict) and d)


def _positions_hold(text: str, source, data, path=()) -> None:
    lines = text.splitlines()

    def at(position) -> str:
        return lines[position.line - 1][position.column - 1:]

    if isinstance(data, dict):
        for key, value in data.items():
            # as written: plain, or quoted where YAML would read it as something else ('false')
            assert at(source.key((*path, key))).startswith((key, f"'{key}'", f'"{key}"')), \
                (path, key, text)
            _positions_hold(text, source, value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _positions_hold(text, source, value, (*path, index))
    # (a scalar's value position is the node's own mark: the key's, checked above, is the
    # independent one)


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(document=documents, flow=st.booleans())
def test_the_reader_reads_what_pyyaml_reads_and_places_it_where_the_text_has_it(
        tmp_path, document, flow):
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True, sort_keys=False,
                          width=60)
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    data, source = read_yaml(path, "doc.yaml")
    expected = yaml.safe_load(text)
    assert json.dumps(data, default=str, sort_keys=True) == json.dumps(
        expected, default=str, sort_keys=True)
    assert data == expected
    _positions_hold(text, source, data)
