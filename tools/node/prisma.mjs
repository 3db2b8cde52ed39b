#!/usr/bin/env node
// Offline wrapper around the local Prisma CLI for `validate` and `format`.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CliError, UsageError, localBin, parseCli, runMain } from './lib/cli.mjs';

const USAGE = `\
usage: node tools/node/prisma.mjs validate <schema.prisma>
       node tools/node/prisma.mjs format [--check] <schema.prisma>

Runs the Prisma CLI from tools/node/node_modules offline:
  validate         prisma validate --schema <file>; prints "valid: <file>",
                   exit 1 if the schema is invalid
  format           prisma format --schema <file> (rewrites the file in place);
                   prints "unchanged: <file>" or "rewritten: <file>"
  format --check   prints "formatted: <file>"; exit 1 if the file is not
                   formatted (nothing is written)

The environment is set up so that the CLI never tries to download an engine:
PRISMA_SCHEMA_ENGINE_BINARY points at a dummy executable in a temp dir, plus
PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING=1 NO_COLOR=1. Prisma's own messages
go to stderr; on failure its last line is "prisma.mjs: error: ...".`;

/** Environment for running the Prisma CLI offline; `dir` receives the dummy engine. */
function offlinePrismaEnv(dir, base = process.env) {
  const engine = join(dir, 'schema-engine-unavailable');
  writeFileSync(
    engine,
    '#!/bin/sh\necho "schema engine binary is not available offline (tools/node/prisma.mjs)" >&2\nexit 1\n',
  );
  chmodSync(engine, 0o755);
  return {
    ...base,
    PRISMA_SCHEMA_ENGINE_BINARY: engine,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PRISMA_HIDE_PREVIEW_FLAG_WARNINGS: '1',
    CHECKPOINT_DISABLE: '1',
    PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
}

async function main(argv) {
  const { values, positionals } = parseCli(
    argv,
    { check: { type: 'boolean', default: false } },
    { allowPositionals: true },
  );
  if (positionals.length !== 2) throw new UsageError('expected a command and one schema file');
  const [command, file] = positionals;
  if (command !== 'validate' && command !== 'format') {
    throw new UsageError(`unknown command "${command}" (expected validate or format)`);
  }
  if (values.check && command !== 'format') throw new UsageError('--check only applies to format');
  const schema = resolve(file);
  if (!existsSync(schema)) throw new CliError(`schema file not found: ${file}`);

  const cli = localBin('prisma/build/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'vigilo-prisma-'));
  try {
    const before = readFileSync(schema);
    const args = [cli, command, `--schema=${schema}`];
    if (values.check) args.push('--check');
    // cwd = empty temp dir, so no stray prisma.config.ts / package.json is picked up.
    const res = spawnSync(process.execPath, args, {
      cwd: dir,
      env: offlinePrismaEnv(dir),
      // Prisma's own chatter goes to stderr; stdout carries only our result line.
      stdio: ['ignore', 2, 2],
    });
    if (res.error) throw new CliError(`could not run prisma: ${res.error.message}`);
    if (res.status !== 0) {
      const what =
        command === 'validate'
          ? 'schema is invalid'
          : values.check
            ? 'schema is not formatted (run: node tools/node/prisma.mjs format <file>)'
            : 'prisma format failed';
      throw new CliError(`${what}: ${file} (prisma exit ${res.status ?? res.signal})`);
    }
    if (command === 'validate') {
      process.stdout.write(`valid: ${file}\n`);
    } else if (values.check) {
      process.stdout.write(`formatted: ${file}\n`);
    } else {
      const changed = !before.equals(readFileSync(schema));
      process.stdout.write(`${changed ? 'rewritten' : 'unchanged'}: ${file}\n`);
    }
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await runMain('prisma.mjs', USAGE, main);
