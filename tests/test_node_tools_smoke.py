"""Smoke tests of the Node-side check tools in tools/node/ on tiny hand-written inputs.

Each script is run as a subprocess, the way the emitter tests use it. Without
tools/node/node_modules (npm ci --prefix tools/node) the tests skip locally and
fail when CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.support import ROOT, missing

NODE_TOOLS = ROOT / "tools" / "node"

pytestmark = pytest.mark.node

PG_SCHEMA = """\
datasource db {
  provider = "postgresql"
}

model User {
  id        Int      @id @default(autoincrement())
  email     String   @unique @map("email_address") @db.VarChar(320)
  name      String?
  createdAt DateTime @default(now()) @map("created_at")
  posts     Post[]

  @@map("users")
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String @db.VarChar(200)
  authorId Int    @map("author_id")
  author   User   @relation(fields: [authorId], references: [id])

  @@index([authorId])
  @@map("posts")
}
"""

SQLITE_SCHEMA = (
    PG_SCHEMA.replace('"postgresql"', '"sqlite"')
    .replace(" @db.VarChar(320)", "")
    .replace(" @db.VarChar(200)", "")
)

UNFORMATTED_SCHEMA = """\
datasource db {
provider = "sqlite"
}
model A {
id Int @id
  longName String
}
"""

BROKEN_SCHEMA = PG_SCHEMA.replace("String?", "Strin?")

DRIZZLE_PG = """\
import {
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
  varchar,
} from "drizzle-orm/pg-core";

export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  email: varchar("email_address", { length: 320 }).notNull().unique(),
  name: text("name"),
  createdAt: timestamp("created_at", { withTimezone: true })
    .notNull()
    .defaultNow(),
});

export const posts = pgTable(
  "posts",
  {
    id: serial("id").primaryKey(),
    title: varchar("title", { length: 200 }).notNull(),
    authorId: integer("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [index("posts_author_idx").on(t.authorId)],
);

export type User = typeof users.$inferSelect;
export type NewPost = typeof posts.$inferInsert;
"""

DRIZZLE_SQLITE = """\
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email_address").notNull().unique(),
});

export const posts = sqliteTable("posts", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  authorId: integer("author_id")
    .notNull()
    .references(() => users.id),
});
"""

DRIZZLE_MYSQL = """\
import { int, mysqlTable, serial, varchar } from "drizzle-orm/mysql-core";

export const users = mysqlTable("users", {
  id: serial("id").primaryKey(),
  email: varchar("email_address", { length: 320 }).notNull().unique(),
  age: int("age"),
});
"""

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "Tiny", "version": "1.0.0"},
    "paths": {
        "/users/{id}": {
            "get": {
                "operationId": "getUser",
                "parameters": [
                    {"name": "id", "in": "path", "required": True,
                     "schema": {"type": "integer", "format": "int64"}}
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/User"}}},
                    },
                    "404": {"description": "missing"},
                },
            }
        }
    },
    "components": {
        "schemas": {
            "User": {
                "type": "object",
                "required": ["id", "email"],
                "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "email": {"type": "string", "format": "email"},
                    "name": {"type": ["string", "null"]},
                    "role": {"type": "string", "enum": ["admin", "member"]},
                },
                "additionalProperties": False,
            }
        }
    },
}

CONSUMER_OK = """\
import type { components, paths } from "./api";
type User = components["schemas"]["User"];
const u: User = { id: 1, email: "a@example.com", name: null, role: "admin" };
type Ok = paths["/users/{id}"]["get"]["responses"][200]["content"]["application/json"];
export const ok: Ok = u;
"""

CONSUMER_BAD = CONSUMER_OK.replace('role: "admin"', 'role: "owner"')


# --- helpers -------------------------------------------------------------------------------


def _node() -> str:
    if not (NODE_TOOLS / "node_modules").is_dir():
        missing("tools/node/node_modules (run: npm ci --prefix tools/node)")
    node = shutil.which("node")
    if node is None:
        missing("executable 'node'")
    return node


def run_tool(script: str, *args: str | Path, cwd: Path | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    node = _node()
    started = time.monotonic()
    result = subprocess.run(
        [node, str(NODE_TOOLS / script), *map(str, args)],
        capture_output=True, text=True, timeout=timeout, cwd=cwd,
        stdin=subprocess.DEVNULL,
    )
    result.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
    return result


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, (
        f"{result.args[1]} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def failed_with_one_line(result: subprocess.CompletedProcess[str], script: str,
                         needle: str = "") -> str:
    """A failure: exit 1 and a last stderr line '<script>: error: ...'."""
    assert result.returncode == 1, f"expected exit 1, got {result.returncode}:\n{result.stderr}"
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"{script}: error: "), result.stderr
    assert needle in last, last
    assert "Traceback" not in result.stderr and "    at " not in last
    return last


def sqlite_columns(path: Path) -> dict[str, list[str]]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}


# --- usage ---------------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["prisma.mjs", "prisma-apply.mjs", "prisma-migrate.mjs",
                                    "drizzle-sql.mjs",
                                    "tsc-check.mjs", "openapi-ts.mjs"])
def test_usage(script):
    bare = run_tool(script)
    assert bare.returncode == 2
    assert bare.stderr.startswith("usage: ")
    assert bare.stderr.strip().splitlines()[-1].startswith(f"{script}: error: ")
    helped = ok(run_tool(script, "--help"))
    assert helped.stdout.startswith("usage: ")


# --- prisma.mjs ----------------------------------------------------------------------------


def test_prisma_validate(tmp_path):
    good = tmp_path / "schema.prisma"
    good.write_text(PG_SCHEMA)
    result = ok(run_tool("prisma.mjs", "validate", good))
    assert result.stdout == f"valid: {good}\n"

    broken = tmp_path / "broken.prisma"
    broken.write_text(BROKEN_SCHEMA)
    result = run_tool("prisma.mjs", "validate", broken)
    failed_with_one_line(result, "prisma.mjs", "schema is invalid")
    assert 'Type "Strin" is neither a built-in type' in result.stdout + result.stderr


def test_prisma_format(tmp_path):
    formatted = tmp_path / "formatted.prisma"
    formatted.write_text(PG_SCHEMA)
    assert ok(run_tool("prisma.mjs", "format", formatted)).stdout == f"unchanged: {formatted}\n"
    assert formatted.read_text() == PG_SCHEMA
    assert ok(run_tool("prisma.mjs", "format", "--check", formatted)).stdout.startswith("formatted")

    messy = tmp_path / "messy.prisma"
    messy.write_text(UNFORMATTED_SCHEMA)
    failed_with_one_line(run_tool("prisma.mjs", "format", "--check", messy), "prisma.mjs",
                         "not formatted")
    assert messy.read_text() == UNFORMATTED_SCHEMA  # --check writes nothing
    assert ok(run_tool("prisma.mjs", "format", messy)).stdout == f"rewritten: {messy}\n"
    assert "  longName String\n" in messy.read_text()
    ok(run_tool("prisma.mjs", "format", "--check", messy))


# --- prisma-apply.mjs ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["push", "diff"])
def test_prisma_apply_sqlite(tmp_path, mode):
    schema = tmp_path / "schema.prisma"
    schema.write_text(SQLITE_SCHEMA)
    db = tmp_path / "app.db"
    result = ok(run_tool("prisma-apply.mjs", "--schema", schema, "--url", f"file:{db}",
                         "--mode", mode, "--print-sql"))
    assert 'CREATE TABLE "users"' in result.stdout
    assert '"email_address" TEXT NOT NULL' in result.stdout
    assert result.elapsed < 30  # type: ignore[attr-defined]
    assert sqlite_columns(db) == {
        "users": ["id", "email_address", "name", "created_at"],
        "posts": ["id", "title", "author_id"],
    }

    again = run_tool("prisma-apply.mjs", "--schema", schema, "--url", f"file:{db}",
                     "--mode", mode)
    if mode == "push":  # idempotent: nothing left to do
        assert ok(again).stderr.strip().endswith("ms")
        assert "pushed (0 steps)" in again.stderr
    else:  # the from-empty script cannot run twice
        failed_with_one_line(again, "prisma-apply.mjs", "already exists")


def test_prisma_apply_sql_out_and_refusals(tmp_path):
    schema = tmp_path / "schema.prisma"
    schema.write_text(SQLITE_SCHEMA)
    sql = tmp_path / "out.sql"
    ok(run_tool("prisma-apply.mjs", "--schema", schema, "--url", f"file:{tmp_path / 'a.db'}",
                "--mode", "diff", "--sql-out", sql))
    assert 'CREATE INDEX "posts_author_id_idx"' in sql.read_text()

    failed_with_one_line(
        run_tool("prisma-apply.mjs", "--schema", schema, "--url", "postgres://x@127.0.0.1/db"),
        "prisma-apply.mjs", 'provider "sqlite" does not match')
    failed_with_one_line(
        run_tool("prisma-apply.mjs", "--schema", schema, "--url", "mysql://x@127.0.0.1/db"),
        "prisma-apply.mjs", "MySQL/MariaDB is not supported")
    assert run_tool("prisma-apply.mjs", "--schema", schema, "--url", "oracle://x").returncode == 2


@pytest.mark.engine
@pytest.mark.parametrize("mode", ["push", "diff"])
def test_prisma_apply_postgres(tmp_path, fresh_db, mode):
    schema = tmp_path / "schema.prisma"
    schema.write_text(PG_SCHEMA)
    db = fresh_db("postgres")
    result = ok(run_tool("prisma-apply.mjs", "--schema", schema, "--url", db.url,
                         "--mode", mode, "--print-sql", timeout=60))
    assert '"title" VARCHAR(200) NOT NULL' in result.stdout
    assert result.elapsed < 30  # type: ignore[attr-defined]  (pool ended: no hang)
    assert {"users", "posts"} <= db.table_names()
    columns = db.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = 'users' ORDER BY ordinal_position")
    assert [c for (c,) in columns] == ["id", "email_address", "name", "created_at"]
    fks = db.scalar("SELECT count(*) FROM information_schema.table_constraints "
                    "WHERE table_name = 'posts' AND constraint_type = 'FOREIGN KEY'")
    assert fks == 1
    # a second push finds nothing to do (this introspects through the adapter: the "char" fix)
    again = ok(run_tool("prisma-apply.mjs", "--schema", schema, "--url", db.url, timeout=60))
    assert "pushed (0 steps)" in again.stderr


# --- drizzle-sql.mjs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "module", "expected"),
    [
        ("postgresql", DRIZZLE_PG, 'CREATE TABLE "posts"'),
        ("sqlite", DRIZZLE_SQLITE, "CREATE TABLE `posts`"),
        ("mysql", DRIZZLE_MYSQL, "CREATE TABLE `users`"),
    ],
    ids=["postgresql", "sqlite", "mysql"],
)
def test_drizzle_sql(tmp_path, dialect, module, expected):
    source = tmp_path / "src" / "schema.ts"  # outside tools/node: imports resolve anyway
    source.parent.mkdir()
    source.write_text(module)
    out = tmp_path / "drizzle"
    result = ok(run_tool("drizzle-sql.mjs", "--schema", source, "--dialect", dialect,
                         "--out", out))
    printed = [Path(p) for p in result.stdout.split()]
    assert printed == [out / "0000_schema.sql"]
    sql = printed[0].read_text()
    assert expected in sql
    if dialect == "sqlite":
        with sqlite3.connect(tmp_path / "d.db") as conn:
            conn.executescript(sql)  # "--> statement-breakpoint" markers are SQL comments
        assert sqlite_columns(tmp_path / "d.db")["users"] == ["id", "email_address"]
    # running again into the same DIR gives the whole schema again, not an empty diff
    again = ok(run_tool("drizzle-sql.mjs", "--schema", source, "--dialect", dialect,
                        "--out", out, "--name", "again"))
    assert expected in Path(again.stdout.strip()).read_text()


@pytest.mark.engine
def test_drizzle_sql_runs_on_postgres(tmp_path, fresh_db):
    source = tmp_path / "schema.ts"
    source.write_text(DRIZZLE_PG)
    result = ok(run_tool("drizzle-sql.mjs", "--schema", source, "--dialect", "postgresql",
                         "--out", tmp_path / "out"))
    db = fresh_db("postgres")
    db.execute_script(Path(result.stdout.strip()).read_text())
    assert {"users", "posts"} <= db.table_names()


def test_drizzle_sql_failures_are_loud(tmp_path):
    # drizzle-kit itself exits 0 in all three cases
    cases = {
        "syntax.ts": ("export const x = ;\n", "Transform failed"),
        "no_tables.ts": ("export const x = 1;\n", "no tables found"),
        "bad_import.ts": ('import { x } from "no-such-package";\nexport const y = x;\n',
                          "Cannot find module 'no-such-package'"),
    }
    for name, (text, needle) in cases.items():
        source = tmp_path / name
        source.write_text(text)
        result = run_tool("drizzle-sql.mjs", "--schema", source, "--dialect", "postgresql",
                          "--out", tmp_path / f"out-{name}")
        failed_with_one_line(result, "drizzle-sql.mjs", needle)


# --- TypeScript: tsc-check.mjs, tsconfig.json, openapi-ts.mjs -------------------------------


def test_tsc_check_a_drizzle_module_anywhere(tmp_path):
    good = tmp_path / "schema.ts"
    good.write_text(DRIZZLE_PG)
    ok(run_tool("tsc-check.mjs", good, cwd=tmp_path))

    bad = tmp_path / "bad.ts"
    bad.write_text(DRIZZLE_PG + "\nexport const oops: string = users.id;\n")
    result = run_tool("tsc-check.mjs", "bad.ts", cwd=tmp_path)
    failed_with_one_line(result, "tsc-check.mjs", "type errors in bad.ts")
    assert "bad.ts(" in result.stdout and "error TS2322" in result.stdout


def test_tsconfig_extends_from_anywhere(tmp_path):
    """`tsc -p` with a project config that extends tools/node/tsconfig.json."""
    _node()
    (tmp_path / "schema.ts").write_text(DRIZZLE_PG)
    (tmp_path / "tsconfig.json").write_text(json.dumps({
        "extends": str(NODE_TOOLS / "tsconfig.json"),
        "include": ["*.ts"],
    }))
    tsc = NODE_TOOLS / "node_modules" / "typescript" / "bin" / "tsc"
    result = subprocess.run([shutil.which("node"), str(tsc), "-p", "tsconfig.json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    config = json.loads((NODE_TOOLS / "tsconfig.json").read_text())
    assert config["compilerOptions"]["strict"] is True


def test_openapi_ts(tmp_path):
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(OPENAPI))
    api = tmp_path / "api.ts"
    result = ok(run_tool("openapi-ts.mjs", "--spec", spec, "--out", api))
    assert result.stdout.strip() == str(api)
    assert 'role?: "admin" | "member"' in api.read_text()

    consumer = tmp_path / "consumer.ts"
    consumer.write_text(CONSUMER_OK)
    ok(run_tool("tsc-check.mjs", api, consumer))
    consumer.write_text(CONSUMER_BAD)
    failed_with_one_line(run_tool("tsc-check.mjs", api, consumer), "tsc-check.mjs")

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(OPENAPI).replace("schemas/User", "schemas/Nope"))
    failed_with_one_line(run_tool("openapi-ts.mjs", "--spec", broken, "--out", tmp_path / "b.ts"),
                         "openapi-ts.mjs", "Can't resolve $ref")


def test_prettier_check(tmp_path):
    """prettier --check (defaults: no config file above tmp_path) accepts prettier's layout."""
    _node()
    prettier = NODE_TOOLS / "node_modules" / "prettier" / "bin" / "prettier.cjs"

    def check(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([shutil.which("node"), str(prettier), "--check", str(path)],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "NO_COLOR": "1"})

    pretty = tmp_path / "schema.ts"
    pretty.write_text(DRIZZLE_PG)
    result = check(pretty)
    assert result.returncode == 0, result.stdout + result.stderr
    ugly = tmp_path / "ugly.ts"
    ugly.write_text(DRIZZLE_PG.replace("  id: serial", "id:serial"))
    assert check(ugly).returncode == 1
