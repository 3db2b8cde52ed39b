#!/usr/bin/env node
// Run the local drizzle-kit offline to get the SQL Drizzle would run for a schema module.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { CliError, NODE_MODULES, UsageError, localBin, parseCli, runMain } from './lib/cli.mjs';

const USAGE = `\
usage: node tools/node/drizzle-sql.mjs --schema <schema.ts> --dialect postgresql|mysql|sqlite
                                       --out <DIR> [--name NAME] [--casing camelCase|snake_case]

Writes a temporary drizzle.config.ts and runs \`drizzle-kit generate\` from
tools/node/node_modules (offline, nothing is connected to). The migration
SQL is written to DIR as <DIR>/0000_<NAME>.sql (NAME defaults to "schema"),
with drizzle-kit's meta/ snapshot beside it; the .sql path(s) are printed
to stdout, one per line.

drizzle-kit runs against a fresh temp output dir, so the SQL is always the
whole schema from an empty database; the results are then copied into DIR
(same-named files are overwritten). The schema module may live anywhere:
"drizzle-orm" imports resolve to tools/node/node_modules (NODE_PATH).

drizzle-kit exits 0 even when it fails to load the schema; this wrapper exits 1
with one line "drizzle-sql.mjs: error: ..." when no SQL file was produced.`;

const DIALECTS = ['postgresql', 'mysql', 'sqlite'];

function sqlFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

/** Last meaningful line of drizzle-kit's output, for a one-line error. */
function lastError(text) {
  const lines = text
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const i = lines.findIndex((l) => /error/i.test(l) && !l.startsWith('at '));
  if (i < 0) return lines.at(-1) ?? 'no output';
  // esbuild: "Error: Transform failed with 1 error:" + the detail on the next line.
  return lines[i].endsWith(':') && lines[i + 1] ? `${lines[i]} ${lines[i + 1]}` : lines[i];
}

async function main(argv) {
  const { values } = parseCli(argv, {
    schema: { type: 'string' },
    dialect: { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string', default: 'schema' },
    casing: { type: 'string' },
  });
  if (!values.schema) throw new UsageError('--schema is required');
  if (!values.dialect) throw new UsageError('--dialect is required');
  if (!values.out) throw new UsageError('--out is required');
  if (!DIALECTS.includes(values.dialect)) {
    throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')}`);
  }
  if (values.casing && !['camelCase', 'snake_case'].includes(values.casing)) {
    throw new UsageError('--casing must be camelCase or snake_case');
  }
  if (!/^[A-Za-z0-9_-]+$/.test(values.name))
    throw new UsageError('--name must match [A-Za-z0-9_-]+');
  const schema = resolve(values.schema);
  if (!existsSync(schema) || !statSync(schema).isFile()) {
    throw new CliError(`schema file not found: ${values.schema}`);
  }
  const dest = resolve(values.out);

  const bin = localBin('drizzle-kit/bin.cjs');
  const work = mkdtempSync(join(tmpdir(), 'vigilo-drizzle-'));
  // A fresh output dir every time: drizzle-kit diffs against any meta/ history it
  // finds there, and it leaves a journal behind even when it fails.
  const out = join(work, 'out');
  try {
    const config = {
      dialect: values.dialect,
      schema,
      out,
      breakpoints: true,
      strict: false,
      verbose: false,
      migrations: { prefix: 'index' },
      ...(values.casing ? { casing: values.casing } : {}),
    };
    const configPath = join(work, 'drizzle.config.ts');
    // A plain object, no `import { defineConfig } from "drizzle-kit"`: nothing to resolve.
    writeFileSync(configPath, `export default ${JSON.stringify(config, null, 2)};\n`);
    const env = {
      ...process.env,
      // Lets a schema module outside tools/node import drizzle-orm (drizzle-kit
      // loads it through a CommonJS require hook, which honours NODE_PATH).
      NODE_PATH: [NODE_MODULES, process.env.NODE_PATH].filter(Boolean).join(delimiter),
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    };
    const res = spawnSync(
      process.execPath,
      [bin, 'generate', `--config=${configPath}`, `--name=${values.name}`],
      { cwd: work, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (res.error) throw new CliError(`could not run drizzle-kit: ${res.error.message}`);
    const output = `${res.stdout ?? ''}\n${res.stderr ?? ''}`;
    const produced = sqlFiles(out);
    if (res.status !== 0 || produced.length === 0) {
      if (process.env.VIGILO_NODE_TOOLS_DEBUG) process.stderr.write(output);
      const why = /No schema changes/.test(output)
        ? 'no tables found in the schema module (drizzle-kit: "No schema changes")'
        : lastError(output);
      throw new CliError(`drizzle-kit generate produced no SQL: ${why}`);
    }
    mkdirSync(dest, { recursive: true });
    cpSync(out, dest, { recursive: true, force: true });
    for (const f of produced) process.stdout.write(join(dest, f) + '\n');
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await runMain('drizzle-sql.mjs', USAGE, main);
