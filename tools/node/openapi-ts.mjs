#!/usr/bin/env node
// OpenAPI document -> TypeScript types (openapi-typescript), then a strict tsc check.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError, TOOLS_DIR, UsageError, localBin, parseCli, runMain } from './lib/cli.mjs';

const USAGE = `\
usage: node tools/node/openapi-ts.mjs --spec <openapi.json|yaml> --out <types.ts> [--no-check]

Runs openapi-typescript (tools/node/node_modules, offline) on the OpenAPI 3.0/3.1
document and writes the generated types to --out; then type-checks that file
with tools/node/tsc-check.mjs (strict) unless --no-check is given. Name --out
*.ts, not *.d.ts (skipLibCheck would skip a .d.ts file).

Exit 0 when both steps pass; 1 with one line "openapi-ts.mjs: error: ..." when
openapi-typescript rejects the document or the types do not compile.`;

function firstProblem(text) {
  const lines = text
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    lines.find((l) => l.startsWith('✘'))?.replace(/^✘\s*/, '') ??
    lines.find((l) => /^\w*Error\b/.test(l)) ??
    lines.at(-1) ??
    'no output'
  );
}

async function main(argv) {
  const { values } = parseCli(argv, {
    spec: { type: 'string' },
    out: { type: 'string' },
    'no-check': { type: 'boolean', default: false },
  });
  if (!values.spec) throw new UsageError('--spec is required');
  if (!values.out) throw new UsageError('--out is required');
  if (!existsSync(values.spec)) throw new CliError(`spec file not found: ${values.spec}`);
  const out = resolve(values.out);
  mkdirSync(dirname(out), { recursive: true });
  const cli = localBin('openapi-typescript/bin/cli.js');
  const res = spawnSync(process.execPath, [cli, resolve(values.spec), '--output', out], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw new CliError(`could not run openapi-typescript: ${res.error.message}`);
  if (res.status !== 0) {
    if (process.env.VIGILO_NODE_TOOLS_DEBUG) process.stderr.write(res.stdout + res.stderr);
    throw new CliError(
      `openapi-typescript failed: ${firstProblem(`${res.stderr}\n${res.stdout}`)}`,
    );
  }
  process.stdout.write(`${out}\n`);
  if (!values['no-check']) {
    const check = spawnSync(process.execPath, [join(TOOLS_DIR, 'tsc-check.mjs'), out], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (check.status !== 0) throw new CliError(`generated types do not type-check: ${values.out}`);
  }
  return 0;
}

await runMain('openapi-ts.mjs', USAGE, main);
