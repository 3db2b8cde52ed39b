"""`python -m tests.mutation.known` replays the 15 bugs of issue 21 by editing the product's
text; it is too slow for CI, so this checks, at CI speed, that each edit still applies: the
text it mutates (every occurrence is replaced) is still in its file. After a refactor the
replay would otherwise stop at the first stale entry, as it did for three of them."""

from pathlib import Path

import pytest

from tests.mutation.known import MUTATIONS

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("what", "file", "old", "new", "tests"), MUTATIONS, ids=[m[0] for m in MUTATIONS]
)
def test_each_known_mutation_still_applies(what, file, old, new, tests):
    text = (ROOT / file).read_text(encoding="utf-8")
    assert old in text, f"{what}: the text to mutate is gone from {file}"
    assert new != old and tests
