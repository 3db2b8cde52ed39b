"""Engine bugs found by fuzzing (tests/test_fuzz.py), each pinned by the smallest spec."""

from __future__ import annotations

from vigilo_gen.spec import load_spec


def _load(tmp_path, fields: str):
    path = tmp_path / "spec.yaml"
    path.write_text(f"version: 1\nmodels:\n  A:\n    fields:\n      id: {{type: id}}\n{fields}",
                    encoding="utf-8")
    return load_spec(path).model("A")


def test_decimal_with_a_small_precision_and_no_scale(tmp_path):
    """decimal(4) with the default scale 6 was refused ('scale 6 is above precision 4', about a
    scale the author never wrote); an omitted scale now never exceeds the precision."""
    model = _load(tmp_path, "      d: {type: decimal, precision: 4}\n"
                            "      e: {type: decimal, precision: 10}\n"
                            "      f: {type: decimal}\n")
    assert (model.field("d").precision, model.field("d").scale) == (4, 4)
    assert (model.field("e").precision, model.field("e").scale) == (10, 6)
    assert (model.field("f").precision, model.field("f").scale) == (18, 6)
