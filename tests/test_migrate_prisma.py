"""``vigilo-gen migrate --format prisma``: the migration as the next folder of Prisma's
migrations folder, applied by Prisma's own ``migrate deploy`` (its schema engine, offline:
tools/node/prisma-migrate.mjs) on a database that holds rows. Afterwards the database must
reflect as a fresh build of the new spec, every kept value kept, and ``_prisma_migrations``
must name both migrations (the deploy recorded them as Prisma does)."""

from __future__ import annotations

import pytest
from vigilo_gen.diff import diff

from tests.conformance.compare import differences
from tests.conformance.reflect import describe
from tests.migration_support import ddl, expected, fill, kept_values
from tests.support import run_cli
from tests.test_migrate import EVERYTHING, IGNORE, RENAMES, SHOP, edited, specs
from tests.test_prisma import node_tool

LOCK = {"postgres": 'provider = "postgresql"', "sqlite": 'provider = "sqlite"'}


def deploy(folder, db) -> list[str]:
    """``prisma migrate deploy``: the names of the migrations it applied."""
    result = node_tool("prisma-migrate.mjs", "deploy", "--migrations", str(folder), "--url", db.url)
    assert result.returncode == 0, f"deploy failed:\n{result.stdout}{result.stderr}"
    return result.stdout.split()


@pytest.mark.node
@pytest.mark.engine
@pytest.mark.parametrize("engine_name", ["postgres", "sqlite"])
def test_prisma_migrate_deploy_applies_the_folder(tmp_path, get_engine, engine_name):
    engine = get_engine(engine_name)
    old_text, new_text = SHOP, edited(SHOP, *RENAMES[4:], *EVERYTHING)
    old, new = specs(tmp_path, old_text, new_text)
    folder = tmp_path / "prisma" / "migrations"
    # The team's history so far: the database was created by its first migration.
    (folder / "0001_init").mkdir(parents=True)
    (folder / "0001_init" / "migration.sql").write_text(ddl(old, engine_name), encoding="utf-8")
    args = (
        "migrate",
        "--from",
        "old.yaml",
        "--spec",
        "new.yaml",
        "--dialect",
        engine_name,
        "--format",
        "prisma",
        "--out",
        "prisma/migrations",
        "--name",
        "shop_v2",
        "--allow-destructive",
    )
    with engine.create_database("prisma") as db:
        (folder / "migration_lock.toml").write_text(f"{LOCK[engine_name]}\n", encoding="utf-8")
        assert deploy(folder, db) == ["0001_init"]
        fill(db, old)
        result = diff(old, new)
        before = kept_values(result.pairing, db, "old")

        written = run_cli(*args, cwd=tmp_path)
        assert written.returncode == 0, written.stderr
        assert sorted(p.name for p in folder.iterdir()) == [
            "0001_init",
            "0002_shop_v2",
            "migration_lock.toml",
        ]
        assert deploy(folder, db) == ["0002_shop_v2"]
        assert deploy(folder, db) == []  # applied once: the next deploy has nothing to do
        names = db.execute(
            'SELECT migration_name FROM "_prisma_migrations" '
            "WHERE finished_at IS NOT NULL ORDER BY migration_name"
        )
        assert [n for (n,) in names] == ["0001_init", "0002_shop_v2"]
        migrated = describe(db)
        after = kept_values(result.pairing, db, "new")
    with engine.create_database("fresh") as db:
        db.execute_script(ddl(new, engine_name))
        fresh = describe(db)
    script = (folder / "0002_shop_v2" / "migration.sql").read_text(encoding="utf-8")
    found = [d for d in differences(fresh, migrated) if d.aspect not in IGNORE[engine_name]]
    assert not found, (
        "\n".join(d.describe("fresh", "deployed") for d in found)
        + "\n--- migration.sql ---\n"
        + script
    )
    assert after == expected(result.pairing, before), script


def test_the_folder_layout(tmp_path):
    """Numbered after the folder's largest number at its width (a timestamped history stays
    in order), the lock file written once, its provider enforced, nothing written for no
    change, a bad name refused (exit 2, one line)."""
    old, new = (
        SHOP,
        edited(
            SHOP,
            (
                "OrderState: [draft, placed, shipped, cancelled]",
                "OrderState: [draft, placed, shipped, cancelled, returned]",
            ),
        ),
    )
    (tmp_path / "old.yaml").write_text(old, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    folder = tmp_path / "migrations"

    def migrate(*extra: str, spec: str = "new.yaml", dialect: str = "postgres"):
        return run_cli(
            "migrate",
            "--from",
            "old.yaml",
            "--spec",
            spec,
            "--dialect",
            dialect,
            "--format",
            "prisma",
            "--out",
            "migrations",
            *extra,
            cwd=tmp_path,
        )

    first = migrate("--name", "returned")
    assert first.returncode == 0 and first.stdout == "", first.stderr
    assert (folder / "0001_returned" / "migration.sql").read_text(encoding="utf-8") == run_cli(
        "migrate", "--from", "old.yaml", "--spec", "new.yaml", "--dialect", "postgres", cwd=tmp_path
    ).stdout
    lock = (folder / "migration_lock.toml").read_text(encoding="utf-8")
    assert 'provider = "postgresql"' in lock.splitlines()
    (folder / "20240611093000_by_prisma").mkdir()
    assert migrate("--name", "again").returncode == 0
    assert (folder / "20240611093001_again" / "migration.sql").is_file()
    assert (folder / "migration_lock.toml").read_text(encoding="utf-8") == lock

    other = migrate("--name", "x", dialect="sqlite")
    assert other.returncode == 2 and len(other.stderr.splitlines()) == 1, other.stderr
    assert "migration_lock.toml:3:" in other.stderr and "postgresql" in other.stderr
    same = migrate("--name", "noop", spec="old.yaml")
    assert same.returncode == 0 and "nothing written" in same.stderr
    bad = migrate("--name", "no spaces")
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1, bad.stderr
    no_out = run_cli(
        "migrate",
        "--from",
        "old.yaml",
        "--spec",
        "new.yaml",
        "--dialect",
        "postgres",
        "--format",
        "prisma",
        cwd=tmp_path,
    )
    assert no_out.returncode == 2 and "--out" in no_out.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "0001_returned",
        "20240611093000_by_prisma",
        "20240611093001_again",
        "migration_lock.toml",
    ]
