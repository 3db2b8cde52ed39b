"""The first tier's test command of `make mutate-sample`: only the behavioural tests that exercise
the mutated module, in this one process, stopping at the first failure.

cosmic-ray mutates one file of generators/ or emitters/ in place and then runs this command; `git
diff` names that file (the tree is clean before a run: the Makefile refuses otherwise), and TESTS
maps it, by its longest matching prefix, to the test files that drive that code. Only tests that
run in process or on SQLite are chosen (no PostgreSQL/MariaDB start-up, no tsc/prisma/mypy per
mutant), and every snapshot test is deselected. A mutant this tier leaves alive is not yet a
survivor: `mutate_sample.py survivors` sends it to the whole behavioural suite, which decides.

    python tools/mutate_tests.py            the tests of the mutated module (exit 0: all passed)
    python tools/mutate_tests.py --list M   the tests chosen for module M (relative path)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The behavioural tests every module gets: the README's rules on the spec, the names, the SQL
# and the API, each computed from the spec text (tests/oracle) rather than from the model.
CORE = (
    "tests/test_oracles.py",
    "tests/test_plan.py",
    "tests/test_dialect_rules.py",
    "tests/test_untested_paths.py",
)
# The spec's own modules also get the bad-spec corpus (its error lines are their behaviour).
SPEC = (*CORE, "tests/test_bad_specs.py")
SQL = (
    "tests/test_sql.py",
    "tests/test_edges.py",
    "tests/test_dialect_rules.py",
    "tests/test_oracles.py",
    "tests/test_hostile.py",
)
API = (
    "tests/test_openapi.py",
    "tests/test_api_types.py",
    "tests/test_pydantic.py",
    "tests/test_fastapi.py",
    "tests/test_oracles.py",
)
CLI = (
    "tests/test_untested_paths.py",
    "tests/test_project.py",
    "tests/test_freshness.py",
    "tests/test_newcomer.py",
)
COMPANION = (
    "tests/test_prisma.py::test_companion_adds_every_check_prisma_cannot_declare",
    "tests/test_prisma.py::test_the_companion_says_what_the_sql_file_says_it_cannot_express",
)
EXPONENTS = (  # number literals as prettier prints them, in the zod and drizzle modules
    "tests/test_drizzle.py::test_prettier_leaves_number_literals_with_an_exponent_unchanged"
)
NAMES = "tests/test_names.py"  # names generated code uses, through every target
COMPOSITE = "tests/test_composite_refs.py"  # relations: through each ORM, deletes included
FAST_PATH = (  # which command lines skip typer, and that they answer as typer does
    "tests/test_perf.py::test_start_up_imports_only_what_the_command_needs",
    "tests/test_perf.py::test_fast_path_and_typer_agree",
    "tests/test_perf.py::test_fast_path_and_typer_agree_on_a_project",
)
TEMPLATES = "tests/test_templates.py"  # --templates: the emitters that offer it, overridden
EXTENSION = "tests/test_orm_extension.py"  # --base, --mixins: the Python ORMs' team classes
MIGRATE = ("tests/test_diff.py", "tests/test_migrate.py", "tests/test_migrate_workflow.py",
           "tests/test_migrate_prisma.py::test_the_folder_layout")  # --format prisma

# Module prefix -> the test files that exercise it (the longest matching prefix wins).
TESTS: dict[str, tuple[str, ...]] = {
    "generators/": CORE,
    "generators/build.py": (*SPEC, "tests/test_edges.py", "tests/test_engine_regressions.py",
                            "tests/test_diff.py",  # renamedFrom is read here
                            "tests/test_sqlalchemy.py::test_orm_round_trip"),  # relations
    "generators/naming.py": (*SPEC, "tests/test_names.py"),
    "generators/spec.py": SPEC,
    "generators/composite.py": (*SPEC, "tests/test_composite_refs.py"),
    "generators/many_to_many.py": (*SPEC, "tests/test_many_to_many.py"),
    "generators/model.py": (*SPEC, "tests/test_sql.py", "tests/test_openapi.py",
                            "tests/test_api_types.py"),  # the API's integer bounds live here
    "generators/schema.py": (*SPEC, "tests/test_perf.py", "tests/test_newcomer.py"),
    "generators/schemacheck.py": (*SPEC, "tests/test_perf.py", "tests/test_schemacheck.py"),
    "generators/yamlsource.py": (*SPEC, "tests/test_perf.py", "tests/test_newcomer.py",
                                 "tests/test_yamlsource.py"),
    "generators/fastpath.py": ("tests/test_perf.py", *CLI),
    "generators/plan.py": ("tests/test_plan.py", "tests/test_oracles.py", "tests/test_fastapi.py",
                           "tests/test_contract.py"),  # the plan's effects, served on SQLite
    "generators/serve.py": ("tests/test_serve.py", "tests/test_fastapi.py",
                            # served with VIGILO_TOKENS: its owner checks
                            "tests/test_contract.py::test_contract[vigilo-sqlite-getState-auth]"),
    "generators/lint.py": ("tests/test_spec_lint.py",),
    "generators/diff.py": MIGRATE,
    "generators/pairing.py": MIGRATE,
    "generators/oldspec.py": MIGRATE,
    "generators/evolution_commands.py": MIGRATE,
    "generators/migrate/": MIGRATE,
    "generators/importer/": ("tests/test_import.py", "tests/test_import_merge.py",
                             "tests/test_import_handwritten.py"),
    "generators/import_commands.py": ("tests/test_import.py", "tests/test_import_merge.py"),
    # the lint command is here, and `check`'s line for stale migrations
    "generators/commands.py": (*CLI, "tests/test_spec_lint.py",
                               "tests/test_migrate_workflow.py::test_new_check_and_no_change"),
    "generators/cli.py": (*CLI, *FAST_PATH),
    # its [lint] and [migrations] tables' errors name their lines
    "generators/config.py": (*CLI, "tests/test_spec_lint.py", "tests/test_migrate_workflow.py"),
    "generators/project.py": CLI,
    # the stamp path reads a relative templates folder too
    "generators/freshness.py": (*CLI, "tests/test_templates.py"),
    "generators/stamp.py": CLI,
    "generators/output.py": CLI,
    "generators/starter.py": CLI,
    "generators/errors.py": (*SPEC, *CLI),
    "generators/registry.py": ("tests/test_plugins.py", *CLI),
    "generators/emitter.py": ("tests/test_plugins.py", "tests/test_templates.py", *CLI),
    "generators/templates.py": ("tests/test_templates.py",),
    "emitters/": (*SQL, *API),
    "emitters/sql.py": SQL,
    # the Prisma companion's SQL (CHECKs, identities, triggers) is rendered here too
    "emitters/sql_ddl.py": (*SQL, *COMPANION),
    "emitters/_sql_functions.py": SQL,
    "emitters/openapi.py": API,
    "emitters/pydantic.py": API,
    "emitters/fastapi.py": ("tests/test_fastapi.py", "tests/test_serve.py", *API,
                            "tests/test_contract.py"),  # the HTTP contract, on SQLite
    "emitters/_python.py": (
        EXTENSION,
        "tests/test_names.py",
        "tests/test_sqlalchemy.py",
        "tests/test_peewee.py",
        "tests/test_edges.py",
        *API,
    ),
    "emitters/sqlalchemy.py": ("tests/test_sqlalchemy.py", "tests/test_edges.py", NAMES, COMPOSITE,
                               "tests/test_many_to_many.py", TEMPLATES, EXTENSION),
    "emitters/peewee.py": ("tests/test_peewee.py", "tests/test_edges.py", NAMES, COMPOSITE,
                           TEMPLATES, EXTENSION),
    "emitters/_templates.py": ("tests/test_templates.py", "tests/test_peewee.py"),
    "emitters/prisma.py": ("tests/test_prisma.py", "tests/test_edges.py", NAMES, TEMPLATES),
    "emitters/prisma_companion.py": (*COMPANION, "tests/test_prisma.py"),
    "emitters/drizzle.py": ("tests/test_drizzle.py", "tests/test_edges.py", NAMES, TEMPLATES),
    "emitters/zod.py": ("tests/test_zod.py", "tests/test_api_types.py", EXPONENTS),
    "emitters/ts_handlers.py": ("tests/test_ts_handlers.py",  # and its refusal of the unbound
                                "tests/test_plan.py::test_every_runtime_refuses_the_first_"
                                "unbound_endpoint_with_one_line"),
    # the layout engine of every TypeScript emitter: prettier's verdict on drizzle's and zod's
    "emitters/ts_layout.py": (
        "tests/test_drizzle.py::test_layout_engine_breaks_like_prettier",
        "tests/test_drizzle.py::test_prettier_leaves_the_modules_unchanged",
        EXPONENTS,
        "tests/test_zod.py::test_prettier_leaves_the_modules_unchanged",
        "tests/test_ts_handlers.py",
        "tests/test_client.py",
    ),
    "emitters/trpc.py": ("tests/test_ts_handlers.py", "tests/test_plan.py"),
    "emitters/client.py": ("tests/test_client.py",),
    "emitters/react.py": ("tests/test_client.py",),
    "emitters/markdown.py": ("tests/test_docs_emitters.py",),
    "emitters/mermaid.py": ("tests/test_docs_emitters.py",),
    "emitters/dbml.py": ("tests/test_docs_emitters.py",),
}

# Deselected in the first tier: snapshots (they prove "unchanged", not behaviour) and the server
# engines' variants (a PostgreSQL or MariaDB start-up per mutant; the second tier runs them).
DESELECT = "not snapshot and not postgres and not mariadb and not pg"


# Every module also gets the tests written for earlier samples' survivors (in process, seconds).
SURVIVORS = "tests/test_mutation_survivors.py"

# Modules much of whose code runs only against a server engine (ALTER TABLE for PostgreSQL and
# MySQL, where SQLite rebuilds tables; the catalogue queries of `import db`): after the tests
# above pass, the server variants of these files run too (a PostgreSQL and a MariaDB start-up,
# 15 to 30 s more per mutant).
WITH_SERVERS: dict[str, tuple[str, ...]] = {
    "generators/migrate/alter.py": ("tests/test_migrate.py",),
    "generators/importer/reflect_db.py": ("tests/test_import.py",
                                          "tests/test_import_handwritten.py"),
    # DBML is proven by @dbml/core's PostgreSQL export, run on PostgreSQL
    "emitters/dbml.py": ("tests/test_docs_emitters.py",),
}
SERVERS_ONLY = "(postgres or mariadb or pg) and not snapshot"


def tests_for(module: str) -> tuple[str, ...]:
    prefix = max((p for p in TESTS if module.startswith(p)), key=len, default=None)
    if prefix is None:
        raise SystemExit(f"{module}: no tests are mapped to it (tools/mutate_tests.py TESTS)")
    return tuple(dict.fromkeys((*TESTS[prefix], SURVIVORS)))  # each file once, in order


def mutated_module() -> str:
    changed = subprocess.run(
        ["git", "diff", "--name-only", "--", "generators", "emitters"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if len(changed) != 1:
        raise SystemExit(
            f"expected one mutated file under generators/ or emitters/, found {changed or 'none'}"
        )
    return changed[0]


def main(argv: list[str]) -> int:
    match argv:
        case ["--list", module]:
            print("\n".join(tests_for(module)))
            return 0
        case []:
            import pytest

            module = mutated_module()
            common = ["-x", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT)]
            files = [str(ROOT / f) for f in tests_for(module)]
            status = int(pytest.main([*common, "-k", DESELECT, *files]))
            servers = [str(ROOT / f) for f in WITH_SERVERS.get(module, ())]
            if status != 0 or not servers:
                return status
            # A second pytest in its own process: one session's fixtures and plugins each.
            return subprocess.run(
                [sys.executable, "-m", "pytest", *common, "-k", SERVERS_ONLY, *servers],
                cwd=ROOT,
            ).returncode
        case _:
            print(__doc__, file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
