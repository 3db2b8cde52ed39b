"""The migrations folder (docs/migrations.md, "The migrations folder"): ``vigilo-gen migrate
new NAME`` writes the next numbered migration for every dialect of ``[migrations]`` with the
spec snapshot it leads to, and ``vigilo-gen check`` fails (exit 1, one line naming the spec and
the folder) when the spec changed and no migration leads to it, as Django's
``makemigrations --check`` does.

The folder's scripts are run on the real engines: the first migration on an empty database,
rows inserted, the second migration; the result must equal a fresh build of the current spec
with every kept value kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from vigilo_gen.config import MIGRATION_DIALECTS
from vigilo_gen.diff import diff
from vigilo_gen.migrate import DIALECTS
from vigilo_gen.oldspec import load_named

from tests.conformance.compare import differences
from tests.conformance.reflect import describe
from tests.migration_support import DIALECT, ddl, expected, fill, kept_values
from tests.support import run_cli
from tests.test_migrate import IGNORE, RENAMES, SHOP, edited

CONFIG = """spec = "spec/shop.yaml"

[[output]]
emitter = "sql"
dialect = "postgres"
path = "generated/schema.postgres.sql"

[migrations]
folder = "db/migrations"
dialects = ["postgres", "mysql", "sqlite"]
"""
V2 = edited(
    SHOP,
    *RENAMES[4:],
    (
        "OrderState: [draft, placed, shipped, cancelled]",
        "OrderState: [draft, placed, shipped, cancelled, returned]",
    ),
)
FILES = ["mysql.sql", "postgres.sql", "spec.yaml", "sqlite.sql"]


def project(root: Path, spec: str = SHOP) -> Path:
    (root / "spec").mkdir(parents=True, exist_ok=True)
    (root / "spec" / "shop.yaml").write_text(spec, encoding="utf-8")
    (root / "vigilo-gen.toml").write_text(CONFIG, encoding="utf-8")
    run_cli("all", cwd=root, check=True)
    return root


def change_spec(root: Path, text: str) -> None:
    (root / "spec" / "shop.yaml").write_text(text, encoding="utf-8")
    run_cli("all", cwd=root, check=True)  # the outputs are fresh: only migrations are stale


def folders(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "db" / "migrations").iterdir())


def test_new_check_and_no_change(tmp_path):
    root = project(tmp_path)
    none_yet = run_cli("check", cwd=root)
    assert none_yet.returncode == 1
    line = none_yet.stderr.splitlines()[-1]
    assert "spec/shop.yaml" in line and "db/migrations" in line, none_yet.stderr

    first = run_cli("migrate", "new", "init", cwd=root)
    assert first.returncode == 0, first.stderr
    assert folders(root) == ["0001_init"]
    init = root / "db" / "migrations" / "0001_init"
    assert sorted(p.name for p in init.iterdir()) == FILES
    assert (init / "spec.yaml").read_text(encoding="utf-8") == SHOP
    fresh = run_cli("check", cwd=root)
    assert fresh.returncode == 0, fresh.stderr

    again = run_cli("migrate", "new", "again", cwd=root)
    assert again.returncode == 0 and "nothing written" in again.stderr, again.stderr
    assert folders(root) == ["0001_init"]

    # A change no database sees (YAML layout and a comment) needs no migration.
    change_spec(root, "# the shop\n" + SHOP.replace("\n\n", "\n\n\n", 1))
    assert run_cli("check", cwd=root).returncode == 0

    change_spec(root, V2)
    stale = run_cli("check", cwd=root)
    assert stale.returncode == 1
    lines = stale.stderr.splitlines()
    assert lines[-1].startswith(
        "vigilo-gen: spec/shop.yaml changed since db/migrations/0001_init:"
    ), stale.stderr
    assert "migrate new" in lines[-1]
    full = run_cli("check", "--full", cwd=root)
    assert full.returncode == 1 and full.stderr.splitlines()[-1] == lines[-1]

    second = run_cli("migrate", "new", "shop_v2", cwd=root)
    assert second.returncode == 0, second.stderr
    assert folders(root) == ["0001_init", "0002_shop_v2"]
    v2 = root / "db" / "migrations" / "0002_shop_v2"
    assert sorted(p.name for p in v2.iterdir()) == FILES
    assert "RENAME COLUMN" in (v2 / "postgres.sql").read_text(encoding="utf-8")
    assert run_cli("check", cwd=root).returncode == 0


def test_scripts_are_deterministic_wherever_the_command_runs(tmp_path):
    """Two copies of a project, one run from its folder and one through --config from
    elsewhere: byte-identical migrations."""
    names = []
    for copy, where in (("a", None), ("b", tmp_path)):
        root = project(tmp_path / copy)
        config = () if where is None else ("--config", str(root / "vigilo-gen.toml"))
        run_cli("migrate", "new", "init", *config, cwd=where or root, check=True)
        change_spec(root, V2)
        run_cli("migrate", "new", "v2", *config, cwd=where or root, check=True)
        names.append(
            {
                p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted((root / "db").rglob("*"))
                if p.is_file()
            }
        )
    assert names[0] == names[1]
    # The header names both specs by their paths from the project's folder.
    head = names[0]["db/migrations/0002_v2/postgres.sql"].decode().splitlines()[1:3]
    assert head == ["-- From: db/migrations/0001_init/spec.yaml", "-- To:   spec/shop.yaml"]


def test_a_destructive_change_is_refused_without_the_flag(tmp_path):
    root = project(tmp_path)
    run_cli("migrate", "new", "init", cwd=root, check=True)
    change_spec(root, edited(SHOP, ("      bio: {type: text, nullable: true}\n", "")))
    refused = run_cli("migrate", "new", "drop_bio", cwd=root)
    assert refused.returncode == 1 and "VG113" in refused.stderr, refused.stderr
    assert refused.stderr.splitlines()[0].startswith("db/migrations/0001_init/spec.yaml:")
    assert "nothing written" in refused.stderr.splitlines()[-1]
    assert folders(root) == ["0001_init"]
    assert run_cli("check", cwd=root).returncode == 1
    allowed = run_cli("migrate", "new", "drop_bio", "--allow-destructive", cwd=root)
    assert allowed.returncode == 0, allowed.stderr
    assert folders(root) == ["0001_init", "0002_drop_bio"]
    assert 'DROP COLUMN "bio"' in (
        root / "db" / "migrations" / "0002_drop_bio" / "postgres.sql"
    ).read_text(encoding="utf-8")
    assert run_cli("check", cwd=root).returncode == 0


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (CONFIG.replace('"mysql", ', '"oracle", '), "vigilo-gen.toml:10: bad dialect 'oracle'"),
        (
            CONFIG.replace('folder = "db/migrations"', 'fodler = "x"'),
            "vigilo-gen.toml:9: unknown key 'fodler' in [migrations]",
        ),
        (CONFIG.replace('"mysql", ', '"sqlite", '), "vigilo-gen.toml:10: a dialect is named twice"),
        (CONFIG.split("[migrations]")[0], "vigilo-gen.toml: no [migrations] table"),
    ],
)
def test_bad_config_and_usage_are_one_line(tmp_path, config, message):
    root = project(tmp_path)
    (root / "vigilo-gen.toml").write_text(config, encoding="utf-8")
    result = run_cli("migrate", "new", "init", cwd=root)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert not (root / "db").exists()


def test_usage(tmp_path):
    root = project(tmp_path)
    helped = run_cli("migrate", "new", "--help", cwd=root)
    assert helped.returncode == 0 and "spec snapshot" in helped.stdout
    for args in (("migrate", "new", "no spaces"), ("migrate", "new"), ("migrate",)):
        result = run_cli(*args, cwd=root)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 or "Usage:" in result.stderr
    assert not (root / "db").exists()


def test_config_knows_the_dialects_migrate_plans():
    assert MIGRATION_DIALECTS == DIALECTS


@pytest.mark.engine
@pytest.mark.parametrize("engine_name", ["postgres", "mariadb", "sqlite"])
def test_the_folder_runs_on_the_engines(tmp_path, get_engine, engine_name):
    """0001 on an empty database, rows, 0002: a fresh build of the current spec, rows kept."""
    root = project(tmp_path)
    run_cli("migrate", "new", "init", cwd=root, check=True)
    change_spec(root, V2)
    run_cli("migrate", "new", "shop_v2", cwd=root, check=True)
    folder = root / "db" / "migrations"
    script = f"{DIALECT[engine_name]}.sql"
    old = load_named(folder / "0001_init" / "spec.yaml", "old.yaml")
    new = load_named(root / "spec" / "shop.yaml", "new.yaml")
    result = diff(old, new)
    engine = get_engine(engine_name)
    with engine.create_database("folder") as db:
        db.execute_script((folder / "0001_init" / script).read_text(encoding="utf-8"))
        fill(db, old)
        before = kept_values(result.pairing, db, "old")
        db.execute_script((folder / "0002_shop_v2" / script).read_text(encoding="utf-8"))
        migrated = describe(db)
        after = kept_values(result.pairing, db, "new")
    with engine.create_database("fresh") as db:
        db.execute_script(ddl(new, engine_name))
        fresh = describe(db)
    found = [d for d in differences(fresh, migrated) if d.aspect not in IGNORE[engine_name]]
    assert not found, "\n".join(d.describe("fresh", "folder") for d in found)
    assert after == expected(result.pairing, before)
    shutil.rmtree(root)
