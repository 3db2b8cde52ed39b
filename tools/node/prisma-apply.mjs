#!/usr/bin/env node
// Apply a Prisma schema to a (fresh) database with Prisma's own schema engine,
// offline: @prisma/schema-engine-wasm + a driver adapter, no engine binaries.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { CliError, UsageError, parseCli, runMain } from './lib/cli.mjs';
import { engineError, makeFactory, urlKind } from './lib/adapters.mjs';
import { withSchemaEngine } from './lib/schema-engine.mjs';

const USAGE = `\
usage: node tools/node/prisma-apply.mjs --schema <schema.prisma> --url <URL>
                                        [--mode push|diff] [--print-sql] [--sql-out FILE]
                                        [--accept-data-loss] [--verbose]

Applies a Prisma schema to a database with Prisma's schema engine
(@prisma/schema-engine-wasm, offline) and a driver adapter:
  postgres://... or postgresql://...   @prisma/adapter-pg (pg)
  file:/path/to.db or file:rel.db      @prisma/adapter-better-sqlite3 (created if missing)
MySQL/MariaDB is not supported: the wasm schema engine of this Prisma release
(7.10) has only PostgreSQL and SQLite connectors ("Unsupported adapter provider:
Mysql" panic with @prisma/adapter-mariadb).
The schema's datasource provider must match the URL. The database should be empty.

  --mode push        (default) what \`prisma db push\` does: the engine diffs the
                     live database against the schema and applies the steps
  --mode diff        what \`prisma migrate diff --from-empty --to-schema --script\`
                     prints, then executed through the adapter in one script
  --print-sql        print the SQL to stdout (push: the engine's diff from the
                     live database to the schema, computed just before pushing)
  --sql-out FILE     write that SQL to FILE
  --accept-data-loss push even if the engine warns about data loss
  --verbose          print the engine's log lines to stderr

Exit 0 on success (a summary line goes to stderr), 1 with one line
"prisma-apply.mjs: error: ..." on failure, 2 on bad usage.`;

const FILTERS = { externalTables: [], externalEnums: [] };

/** The provider of the schema's `datasource` block. */
function datasourceProvider(schema) {
  const block = /datasource\s+\w+\s*\{([^}]*)\}/m.exec(schema);
  if (!block) throw new CliError('schema has no datasource block');
  const m = /^\s*provider\s*=\s*"([^"]+)"/m.exec(block[1]);
  if (!m) throw new CliError('datasource block has no provider');
  return m[1];
}

/** Run a whole SQL script through a connected adapter. */
async function executeScript(kind, adapter, sql) {
  if (kind === 'sqlite') {
    // better-sqlite3's exec(): runs every statement of the script.
    await adapter.executeScript(sql);
    return;
  }
  // adapter-pg's executeScript splits the script on every ";" (even inside string
  // literals), so send it as one batch instead: pg with no parameters uses the
  // simple-query protocol (multi-statement, one implicit transaction).
  await adapter.executeRaw({ sql, args: [], argTypes: [] });
}

async function main(argv) {
  const { values } = parseCli(argv, {
    schema: { type: 'string' },
    url: { type: 'string' },
    mode: { type: 'string', default: 'push' },
    'print-sql': { type: 'boolean', default: false },
    'sql-out': { type: 'string' },
    'accept-data-loss': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  });
  if (!values.schema) throw new UsageError('--schema is required');
  if (!values.url) throw new UsageError('--url is required');
  if (values.mode !== 'push' && values.mode !== 'diff') {
    throw new UsageError(`--mode must be push or diff, not "${values.mode}"`);
  }
  const schemaPath = resolve(values.schema);
  if (!existsSync(schemaPath)) throw new CliError(`schema file not found: ${values.schema}`);
  const schema = readFileSync(schemaPath, 'utf8');
  const kind = urlKind(values.url);
  const provider = datasourceProvider(schema);
  const expected = { postgresql: ['postgresql', 'postgres'], sqlite: ['sqlite'] };
  if (!expected[kind].includes(provider)) {
    throw new CliError(`datasource provider "${provider}" does not match a ${kind} --url`);
  }

  const started = Date.now();
  const factory = await makeFactory(kind, values.url);
  const logs = [];
  const logger = (line) => {
    logs.push(line);
    if (values.verbose) process.stderr.write(`[schema-engine] ${line}\n`);
  };
  const name = basename(schemaPath);
  const files = [{ path: name, content: schema }];
  return withSchemaEngine({ datamodels: [[name, schema]], logger, factory }, async (engine, connect) => {
    let sql = '';
    let summary;
    if (values.mode === 'diff') {
      try {
        const res = await engine.diff({
          from: { tag: 'empty' },
          to: { tag: 'schemaDatamodel', files },
          script: true,
          exitCode: null,
          filters: FILTERS,
        });
        sql = res.stdout ?? '';
      } catch (err) {
        throw engineError(err, 'diff failed');
      }
      emitSql(values, sql);
      if (sql.trim() !== '') {
        const adapter = await connect();
        try {
          await executeScript(kind, adapter, sql);
        } catch (err) {
          throw new CliError(`executing the diff script failed: ${adapterMessage(err)}`);
        }
      }
      summary = `executed the from-empty diff script (${countStatements(sql)} statements)`;
    } else {
      if (values['print-sql'] || values['sql-out']) {
        try {
          const res = await engine.diff({
            from: { tag: 'schemaDatasource', files, configDir: dirname(schemaPath) },
            to: { tag: 'schemaDatamodel', files },
            script: true,
            exitCode: null,
            filters: FILTERS,
          });
          sql = res.stdout ?? '';
        } catch (err) {
          throw engineError(err, 'diff against the database failed');
        }
        emitSql(values, sql);
      }
      let out;
      try {
        out = await engine.schemaPush({
          force: values['accept-data-loss'],
          schema: { files },
          filters: FILTERS,
        });
      } catch (err) {
        throw engineError(err, 'push failed');
      }
      if (out.unexecutable.length) {
        throw new CliError(`push refused, unexecutable steps: ${out.unexecutable.join(' | ')}`);
      }
      if (out.warnings.length && !values['accept-data-loss']) {
        throw new CliError(`push refused (pass --accept-data-loss): ${out.warnings.join(' | ')}`);
      }
      summary = `pushed (${out.executedSteps} steps)`;
    }
    const ms = Date.now() - started;
    process.stderr.write(
      `prisma-apply.mjs: ${provider} ${summary} from ${values.schema} in ${ms} ms\n`,
    );
    return 0;
  });
}

function adapterMessage(err) {
  // DriverAdapterError carries a `cause` with the driver's fields.
  const c = err?.cause;
  if (c && typeof c === 'object') {
    const parts = [c.kind, c.originalMessage ?? c.message ?? c.cause].filter(Boolean);
    if (parts.length) return parts.join(': ');
  }
  return String(err?.message ?? err).split('\n')[0];
}

function countStatements(sql) {
  return sql
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .filter((s) => s.trim() !== '').length;
}

function emitSql(values, sql) {
  if (values['sql-out']) writeFileSync(values['sql-out'], sql);
  if (values['print-sql'])
    process.stdout.write(sql.endsWith('\n') || sql === '' ? sql : sql + '\n');
}

await runMain('prisma-apply.mjs', USAGE, main);
