"""Survivors of tier 1 of `make mutate-sample` that an existing behavioural test outside tier 1's
table kills: the whole suite (tier 2) would kill them too, in hours here rather than a minute.
`python tools/mutate_sample.py replay SESSION` applies each survivor named here, runs the tests
named for it and records the mutant as killed only when one of them fails: an entry is a claim
the tool checks, never a verdict it takes on trust. A mutant is named as in equivalent.py
(module, operator, occurrence, line); after an edit of the module an entry may stop matching,
and its mutant goes to tier 2 again (the conservative side).

Tier 1's table (tools/mutate_tests.py) is then given the test, so the next sample's tier 1
kills such mutants itself.
"""

from __future__ import annotations

# (module, operator, occurrence, line) -> the pytest node ids (or files) that kill the mutant
REPLAYED: dict[tuple[str, str, int, int], tuple[str, ...]] = {
    # seed 24: relations between one pair of models no longer counted (the ORM cannot tell
    # two foreign keys to one table apart: SQLAlchemy's AmbiguousForeignKeysError)
    ("generators/build.py", "core/ReplaceComparisonOperator_Eq_Gt", 4, 308): (
        "tests/test_sqlalchemy.py::test_orm_round_trip[hostile-sqlite]",
    ),
    # seed 24: every write run in a read-only transaction (PostgreSQL refuses its writes)
    ("emitters/ts_handlers.py", "core/AddNot", 81, 673): (
        "tests/test_ts_handlers.py::test_contract[drizzle-vigilo-postgres-saveHidden-roundtrip]",
    ),
    # seed 24: overlaps= named the other manyToMany of other join models, not this one's
    ("emitters/sqlalchemy.py", "core/ReplaceComparisonOperator_Eq_IsNot", 6, 508): (
        "tests/test_many_to_many.py::test_two_many_to_many_through_one_join_model[sqlite]",
    ),
    # seed 24: the `lint` command's registration removed
    ("generators/commands.py", "core/RemoveDecorator", 3, 107): (
        "tests/test_spec_lint.py::test_findings_at_their_place_with_rule_ids",
    ),
    # seed 25: the sqlalchemy emitter no longer offers --templates (an override unused)
    ("emitters/sqlalchemy.py", "core/ReplaceTrueWithFalse", 8, 630): (
        "tests/test_templates.py::test_an_override_replaces_the_builtin_template",
    ),
    # seed 25: lint's summary line on stdout, among the findings
    ("generators/commands.py", "core/ReplaceTrueWithFalse", 5, 146): (
        "tests/test_spec_lint.py::test_findings_at_their_place_with_rule_ids",
    ),
    # seed 25: the fast path read the last word of a command line as its command
    ("generators/cli.py", "core/NumberReplacer", 1, 29): (
        "tests/test_perf.py::test_start_up_imports_only_what_the_command_needs",
    ),
    # seed 25: `migrate --format prisma` wrote nothing when there were changes
    ("generators/evolution_commands.py", "core/ReplaceUnaryOperator_Delete_Not", 1, 140): (
        "tests/test_migrate_prisma.py::test_the_folder_layout",
    ),
    # seed 25: the Prisma migration folder's lock file path (a TypeError)
    ("generators/migrate/prisma.py", "core/ReplaceBinaryOperator_Div_BitAnd", 0, 46): (
        "tests/test_migrate_prisma.py::test_the_folder_layout",
    ),
    # seed 26: `check`'s line for stale migrations on stdout
    ("generators/commands.py", "core/ReplaceTrueWithFalse", 13, 357): (
        "tests/test_migrate_workflow.py::test_new_check_and_no_change",
    ),
    # seed 27: DBML said "not null" of every nullable column and of no required one
    ("emitters/dbml.py", "core/AddNot", 18, 111): (
        "tests/test_docs_emitters.py::test_dbml_to_postgres_reflects_equal_to_our_sql",
    ),
    # seed 28: serve read no token of VIGILO_TOKENS (every owned request unauthorized)
    ("generators/serve.py", "core/ZeroIterationForLoop", 0, 44): (
        "tests/test_contract.py::test_contract[vigilo-sqlite-getState-auth]",
    ),
    # seed 28: the TypeScript handlers' refusal read the second unbound endpoint (IndexError)
    ("emitters/ts_handlers.py", "core/NumberReplacer", 50, 805): (
        "tests/test_plan.py::test_every_runtime_refuses_the_first_unbound_endpoint_with_one_line",
    ),
}
