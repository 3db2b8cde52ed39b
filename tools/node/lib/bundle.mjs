// Bundle generated TypeScript (and the relative modules it imports) into one ES module that
// plain Node runs, its packages resolved from tools/node/node_modules. esbuild only strips
// types; type checking is tsc-check.mjs's business.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { TOOLS_DIR } from './cli.mjs';

/** Bundle `entry` (a .ts file anywhere) and import it. */
export async function importTs(entry) {
  const base = join(TOOLS_DIR, 'scratch');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'bundle-'));
  const outfile = join(dir, 'bundle.mjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true }); // loaded: the bundle is no longer needed
  }
}
