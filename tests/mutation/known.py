"""The 15 bugs of issue 21, each put into the product one at a time, and the behavioural test
that must now catch it (no snapshot test is run). Edits files in place and restores them with
``git checkout``: run it on a clean tree, and nothing else at the same time.

    .venv/bin/python -m tests.mutation.known [NUMBER ...]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# (what, file, old text, new text, pytest selection that catches it)
MUTATIONS = [
    ("check treats a hand-written file at an output path as fresh", "generators/commands.py",
     "stale = [s.output.display for s in states if s.status == CHANGED]",
     "stale = [s.output.display for s in states if s.status == CHANGED and not s.foreign]",
     ["tests/test_untested_paths.py::test_check_calls_a_hand_written_file_at_an_output_path_"
      "stale"]),
    ("text fields become nullable", "generators/build.py",
     'nullable = bool(spec.get("nullable", False))',
     'nullable = bool(spec.get("nullable", False)) or ftype is T.TEXT',
     ["tests/test_oracles.py", "tests/test_edges.py::test_null_is_refused_in_every_required_"
      "column[sql-sqlite]"]),
    ("index names _idx -> _index", "generators/build.py", '"idx")', '"index")',
     ["tests/test_oracles.py::test_the_database_holds_the_documented_names_and_nullability"]),
    ("range CHECK written with > instead of >=", "emitters/sql_ddl.py",
     "parts.append(exp.GTE(this=col.copy()", "parts.append(exp.GT(this=col.copy()",
     ["tests/test_edges.py::test_each_bound_is_accepted_and_one_step_past_it_refused[sql-"
      "sqlite]", "tests/test_dialect_rules.py::test_checks_are_written_where_the_vendor_has_"
      "them_and_said_where_not"]),
    ("Peewee's length check counts bytes on MySQL", "emitters/templates/peewee.py.j2",
     'length = "CHAR_LENGTH" if dialect(ctx) == "mysql" else "LENGTH"', 'length = "LENGTH"',
     ["tests/test_edges.py::test_each_bound_is_accepted_and_one_step_past_it_refused[peewee-"
      "mariadb]"]),
    ("Drizzle drops .notNull() on fields with a default", "emitters/drizzle.py",
     '        elif not field.nullable:\n            calls.append(("notNull", []))',
     '        elif not field.nullable and field.default is None:\n'
     '            calls.append(("notNull", []))',
     ["tests/test_drizzle.py::test_drizzle_kit_sql_runs_and_creates_the_spec_names"
      "[vigilo-sqlite]",
      "tests/test_edges.py::test_null_is_refused_in_every_required_column[drizzle-sqlite]"]),
    ("the default onDelete becomes noAction", "generators/build.py",
     'else "setNull" if spec.get("nullable") else "cascade"))', 'else "noAction"))',
     ["tests/test_edges.py::test_deletes_through_every_on_delete[sql-sqlite]",
      "tests/test_oracles.py::test_the_database_holds_the_documented_names_and_nullability"]),
    ("SQL Server loses its ON DELETE clauses", "emitters/sql_ddl.py",
     '                    on_delete=frozenset({OnDelete.CASCADE, OnDelete.SET_NULL,\n'
     '                                         OnDelete.NO_ACTION}),\n'
     '                    on_delete_implicit=frozenset({OnDelete.NO_ACTION, OnDelete.RESTRICT}),\n'
     '                    # ON UPDATE CASCADE',
     '                    on_delete=frozenset({OnDelete.NO_ACTION}),\n'
     '                    on_delete_implicit=frozenset({OnDelete.NO_ACTION, OnDelete.RESTRICT}),\n'
     '                    # ON UPDATE CASCADE',
     ["tests/test_dialect_rules.py::test_on_delete_is_written_where_the_vendor_accepts_it_and_"
      "said_where_not[tsql]"]),
    ("a dialect without CHECKs drops them silently (no gap line)", "emitters/sql_ddl.py",
     '                self.gaps.unsupported(f"CHECK constraints are not supported: '
     '{check.name}")\n',
     "",
     ["tests/test_dialect_rules.py::test_checks_are_written_where_the_vendor_has_them_and_"
      "said_where_not[snowflake]"]),
    ("the gaps comment is not written", "emitters/sql_ddl.py",
     '("Not expressed in this dialect", self.gaps.lines)', '("Not expressed in this dialect", ())',
     ["tests/test_dialect_rules.py::test_the_gaps_comment_lists_exactly_what_is_left_out"]),
    ("YAML merge keys are accepted", "generators/yamlsource.py",
     'if key_node.tag == "tag:yaml.org,2002:merge":', "if False:",
     ["tests/test_untested_paths.py::test_yaml_shapes_a_spec_refuses[merge-key]"]),
    ("a non-string mapping key is not refused", "generators/yamlsource.py",
     "if not isinstance(key_node, yaml.ScalarNode):", "if False:",
     ["tests/test_untested_paths.py::test_yaml_shapes_a_spec_refuses"]),
    ("Prisma writes onDelete: NoAction for cascade", "emitters/prisma.py",
     'ON_DELETE = {"cascade": "Cascade",', 'ON_DELETE = {"cascade": "NoAction",',
     ["tests/test_edges.py::test_deletes_through_every_on_delete[prisma-sqlite]"]),
    ("foreign key names _fkey -> _fk", "generators/build.py",
     'or naming.constraint_name(table, (column,), "fkey"),',
     'or naming.constraint_name(table, (column,), "fk"),',
     ["tests/test_oracles.py::test_the_database_holds_the_documented_names_and_nullability"]),
    ("SQLAlchemy's length check counts bytes (func.length)", "emitters/sqlalchemy.py",
     "condition = f\"{module.use('func')}.char_length({col})",
     "condition = f\"{module.use('func')}.length({col})",
     ["tests/test_edges.py::test_each_bound_is_accepted_and_one_step_past_it_refused"
      "[sqlalchemy-mariadb]"]),
]


def main(argv: list[str]) -> int:
    chosen = [int(a) for a in argv] or range(1, len(MUTATIONS) + 1)
    failures = 0
    for number in chosen:
        what, file, old, new, tests = MUTATIONS[number - 1]
        path = ROOT / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"#{number}: the text to mutate is gone from {file}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        started = time.monotonic()
        try:
            result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p",
                                     "no:cacheprovider", *tests], cwd=ROOT,
                                    capture_output=True, text=True)
        finally:
            subprocess.run(["git", "checkout", "--", file], cwd=ROOT, check=True)
        caught = result.returncode == 1
        failures += not caught
        first = next((line for line in result.stdout.splitlines()
                      if line.startswith("FAILED")), result.stdout.strip().splitlines()[-1])
        print(f"#{number:2} {'caught' if caught else 'SURVIVED'} "
              f"({time.monotonic() - started:.0f}s) {what}\n     {first}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
