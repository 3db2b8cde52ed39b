// Shared helpers for the tools/node check scripts (plain Node ESM, no build step).
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of tools/node. */
export const TOOLS_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const NODE_MODULES = join(TOOLS_DIR, 'node_modules');

let scriptName = 'tools/node';

/** Raised for expected failures: printed as one line, exit code 1 (or `code`). */
export class CliError extends Error {
  constructor(message, code = 1) {
    super(message);
    this.code = code;
  }
}

/** Raised for bad usage: prints the usage text, exit code 2. */
export class UsageError extends CliError {
  constructor(message) {
    super(message, 2);
  }
}

/** First line of an error message, without ANSI colour codes. */
export function oneLine(err) {
  const text = String(err?.message ?? err ?? 'unknown error')
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*m/g, '')
    .trim();
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? 'unknown error'
  );
}

/**
 * Run `main(argv)` with uniform error handling.
 * Usage errors print the usage text and exit 2; other errors print one line
 * `<script>: error: <message>` and exit 1 (or the error's code).
 * `main` may return a number (exit code); the process exits explicitly so that a
 * forgotten handle (DB pool, timer) can never keep it alive.
 */
export async function runMain(name, usage, main) {
  scriptName = name;
  let code = 0;
  // A panic inside a wasm module surfaces as an uncaught exception from a
  // microtask, outside any try/catch: report it as a one-line error too.
  const fatal = (err) => {
    if (process.env.VIGILO_NODE_TOOLS_DEBUG && err?.stack) process.stderr.write(err.stack + '\n');
    const panic = globalThis.PRISMA_WASM_PANIC_REGISTRY?.message;
    process.stderr.write(`${name}: error: ${panic ? oneLine(panic) : oneLine(err)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  try {
    const argv = process.argv.slice(2);
    if (argv.includes('-h') || argv.includes('--help')) {
      process.stdout.write(usage.trimEnd() + '\n');
      process.exit(0);
    }
    const rc = await main(argv);
    code = typeof rc === 'number' ? rc : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(usage.trimEnd() + '\n');
      process.stderr.write(`${name}: error: ${oneLine(err)}\n`);
      code = 2;
    } else {
      if (process.env.VIGILO_NODE_TOOLS_DEBUG && err?.stack) process.stderr.write(err.stack + '\n');
      process.stderr.write(`${name}: error: ${oneLine(err)}\n`);
      code = err instanceof CliError ? err.code : 1;
    }
  }
  // Let stdout/stderr drain before exiting.
  await new Promise((r) => process.stdout.write('', r));
  await new Promise((r) => process.stderr.write('', r));
  process.exit(code);
}

/** node:util parseArgs, turning its errors into UsageError. */
export function parseCli(argv, options, { allowPositionals = false } = {}) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(err.message);
  }
}

/** Path of a local bin script (node_modules/<pkg>/<file>), or a clear error if not installed. */
export function localBin(rel) {
  const p = join(NODE_MODULES, rel);
  if (!existsSync(p)) {
    throw new CliError(`${rel} not found under ${NODE_MODULES}; run: npm ci --prefix tools/node`);
  }
  return p;
}

export function name() {
  return scriptName;
}
