#!/usr/bin/env node
// usage: node tools/node/zod-verdicts.mjs <schemas.zod.ts>
// Reads [{"schema": name, "body": json}, ...] on stdin; writes one verdict per case on stdout:
// [{"ok": true} | {"ok": false, "paths": [[...], ...], "message": "..."}, ...] (Zod's first issue).
import { readFileSync } from 'node:fs';
import { importTs } from './lib/bundle.mjs';
import { CliError, UsageError, runMain } from './lib/cli.mjs';

async function main(argv) {
  if (argv.length !== 1) throw new UsageError('one schemas module expected');
  const module = await importTs(argv[0]);
  const cases = JSON.parse(readFileSync(0, 'utf8'));
  const verdicts = cases.map(({ schema, body }) => {
    const found = module[schema];
    if (found === undefined) throw new CliError(`no schema ${schema} in ${argv[0]}`);
    const result = found.safeParse(body);
    if (result.success) return { ok: true };
    // An unknown key is reported at its object; name the key itself, as JSON Schema does.
    const paths = result.error.issues.map((issue) =>
      (issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path).map(String),
    );
    return { ok: false, paths, message: result.error.issues[0].message };
  });
  process.stdout.write(JSON.stringify(verdicts) + '\n');
  return 0;
}

runMain('zod-verdicts.mjs', '', main);
