"""Survivors of `make mutate-sample` judged equivalent: the mutant behaves exactly as the original
for every input, so no test can kill it. Each entry says why. A mutant is named by its module,
cosmic-ray operator and occurrence (stable while the module's text is), with its line as a check:
after an edit of the module an entry may stop matching, and its mutant counts as a survivor again
until it is judged anew (the conservative side).
"""

from __future__ import annotations

# (module, operator, occurrence, line) -> why the mutant cannot change behaviour
EQUIVALENT: dict[tuple[str, str, int, int], str] = {}
