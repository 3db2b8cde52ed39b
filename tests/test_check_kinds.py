"""CHECK kinds are a closed, typed set (issue 19): every emitter that writes CHECKs renders
them by a table keyed on CheckKind, checked complete when its module is imported."""

from __future__ import annotations

import importlib

import pytest
from vigilo_gen.model import Check, CheckKind, check_table
from vigilo_gen.spec import load_spec

from tests.support import ALL_SPECS

# The modules that write CHECK constraints (or say what they would check), and their table.
TABLES = [("vigilo_gen.emitters.sql_ddl", "CHECK_CONDITIONS"),
          ("vigilo_gen.emitters.sqlalchemy", "CHECKS"),
          ("vigilo_gen.emitters.peewee", "CHECKS"),
          ("vigilo_gen.emitters.drizzle", "CHECKS"),
          ("vigilo_gen.emitters.prisma", "CHECK_FACTS")]


@pytest.mark.parametrize(("module", "table"), TABLES)
def test_every_emitter_table_covers_every_kind(module, table):
    assert set(getattr(importlib.import_module(module), table)) == set(CheckKind)


def test_a_missing_kind_is_an_error_naming_the_table_and_the_kind():
    partial = {kind: str for kind in CheckKind if kind is not CheckKind.PATTERN}
    with pytest.raises(TypeError, match=r"^demo: no entry for CHECK kind\(s\) pattern$"):
        check_table(partial, "demo")
    full = {**partial, CheckKind.PATTERN: str}
    assert check_table(full, "demo") is full


def test_the_spec_model_gives_typed_kinds_that_still_read_as_their_names():
    kinds = set()
    for spec_path in ALL_SPECS:
        for model in load_spec(spec_path).models:
            for check in model.checks:
                assert isinstance(check, Check) and isinstance(check.kind, CheckKind)
                # Plug-ins written against the string kinds keep working.
                assert check.kind == check.kind.value and f"{check.kind}" == check.kind.value
                kinds.add(check.kind)
    assert kinds == set(CheckKind), "the test specs no longer use every kind"
