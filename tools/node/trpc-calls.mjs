#!/usr/bin/env node
// Calls procedures of a generated tRPC router (vigilo-gen trpc) through tRPC's server-side
// caller, one context per call, and prints each outcome.
const USAGE = `\
usage: node tools/node/trpc-calls.mjs --router ROUTER.ts --dialect postgres|sqlite --db URL|PATH
         [--orm drizzle|prisma --client CLIENT.ts]
       node tools/node/trpc-calls.mjs --router ROUTER.ts --types
         prints {procedure: "query" | "mutation", ...} and calls nothing

Reads [{"procedure": name, "input": {...}, "token": str|null}, ...] on stdin; prints
[{"ok": true, "data": ...} | {"ok": false, "code": "NOT_FOUND", "message": "..."}, ...].
Tokens are checked by tokensFromEnv() (VIGILO_TOKENS) of the router's query helpers.`;
import { readFileSync } from 'node:fs';
import { importTs } from './lib/bundle.mjs';
import { UsageError, parseCli, runMain } from './lib/cli.mjs';
import { openDb, openPrisma } from './lib/db.mjs';

async function main(argv) {
  const { values } = parseCli(argv, {
    router: { type: 'string' },
    dialect: { type: 'string' },
    db: { type: 'string' },
    orm: { type: 'string', default: 'drizzle' },
    client: { type: 'string' },
    handlers: { type: 'string' },
    types: { type: 'boolean', default: false },
  });
  if (values.types) {
    if (!values.router) throw new UsageError('--router is required');
    const { appRouter } = await importTs(values.router);
    const types = Object.fromEntries(
      Object.entries(appRouter._def.procedures).map(([name, proc]) => [name, proc._def.type]),
    );
    process.stdout.write(JSON.stringify(types) + '\n');
    return 0;
  }
  if (!values.router || !values.dialect || !values.db) throw new UsageError('--router, --dialect and --db are required');
  const router = await importTs(values.router);
  const { db, close } =
    values.orm === 'prisma'
      ? await openPrisma(values.dialect, values.db, values.client)
      : await openDb(values.dialect, values.db);
  const verify = router.tokensFromEnv();
  const calls = JSON.parse(readFileSync(0, 'utf8'));
  const out = [];
  try {
    for (const { procedure, input, token } of calls) {
      const caller = router.appRouter.createCaller({
        db,
        verify,
        authorization: token ? `Bearer ${token}` : null,
      });
      try {
        out.push({ ok: true, data: await caller[procedure](input) });
      } catch (exc) {
        out.push({ ok: false, code: exc.code ?? 'UNKNOWN', message: String(exc.message) });
      }
    }
  } finally {
    await close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  return 0;
}

await runMain('trpc-calls.mjs', USAGE, main);
