#!/usr/bin/env node
// Type-check TypeScript files anywhere on disk with tools/node/tsconfig.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CliError, TOOLS_DIR, UsageError, localBin, runMain } from './lib/cli.mjs';

const USAGE = `\
usage: node tools/node/tsc-check.mjs <file.ts>... [-- <extra tsc options>]

Runs \`tsc --noEmit\` (TypeScript from tools/node/node_modules) on the given
files with the strict options of tools/node/tsconfig.json. The files stay where
they are: a temporary tsconfig that extends tools/node/tsconfig.json lists them,
and that config maps bare imports ("drizzle-orm/pg-core", ...) to
tools/node/node_modules. Extra options go after "--", e.g.
  node tools/node/tsc-check.mjs out/schema.ts -- --noUnusedLocals

Note: skipLibCheck is on (drizzle-orm's .d.ts files need it), and it also skips
files named *.d.ts given here: name generated declaration files *.ts to check them.

tsc's diagnostics go to stdout as "file(line,col): error TSxxxx: ..."; exit 0
when clean, 1 with a last line "tsc-check.mjs: error: ..." otherwise.`;

async function main(argv) {
  const dash = argv.indexOf('--');
  const files = dash < 0 ? argv : argv.slice(0, dash);
  const extra = dash < 0 ? [] : argv.slice(dash + 1);
  if (files.length === 0) throw new UsageError('no files given');
  for (const f of files) {
    if (f.startsWith('-')) throw new UsageError(`unknown option ${f} (tsc options go after "--")`);
    if (!existsSync(f)) throw new CliError(`file not found: ${f}`);
  }
  const tsc = localBin('typescript/bin/tsc');
  const dir = mkdtempSync(join(tmpdir(), 'vigilo-tsc-'));
  try {
    const config = join(dir, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify(
        {
          extends: join(TOOLS_DIR, 'tsconfig.json'),
          compilerOptions: { noEmit: true },
          files: files.map((f) => resolve(f)),
          include: [],
        },
        null,
        2,
      ),
    );
    const res = spawnSync(process.execPath, [tsc, '-p', config, '--pretty', 'false', ...extra], {
      stdio: 'inherit',
    });
    if (res.error) throw new CliError(`could not run tsc: ${res.error.message}`);
    if (res.status !== 0) {
      throw new CliError(
        `type errors in ${files.join(' ')} (tsc exit ${res.status ?? res.signal})`,
      );
    }
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await runMain('tsc-check.mjs', USAGE, main);
