#!/usr/bin/env node
// `prisma migrate deploy`, offline: the same schema-engine
// calls the Prisma CLI makes, on @prisma/schema-engine-wasm through a driver adapter.
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError, UsageError, parseCli, runMain } from './lib/cli.mjs';
import { engineError, makeFactory, urlKind } from './lib/adapters.mjs';
import { withSchemaEngine } from './lib/schema-engine.mjs';

const USAGE = `\
usage: node tools/node/prisma-migrate.mjs deploy --migrations <DIR> --url <URL>

Applies the pending migrations of a Prisma migrations folder to a database, as
\`prisma migrate deploy\` does: the folder is read as the Prisma CLI reads it
(migration_lock.toml, then every sub-folder's migration.sql, in name order) and
handed to the schema engine's applyMigrations, which records each migration in
_prisma_migrations and runs the ones not yet applied. The Prisma 7 CLI itself
needs the native schema-engine binary, which is not on npm; this runs the same
engine built to WebAssembly (@prisma/schema-engine-wasm) over a driver adapter:
  postgres://... or postgresql://...   @prisma/adapter-pg (pg)
  file:/path/to.db                     @prisma/adapter-better-sqlite3

Prints the names of the migrations applied, one a line, to stdout; exit 0 on
success, 1 with one line "prisma-migrate.mjs: error: ..." on failure, 2 on bad
usage.`;

const FILTERS = { externalTables: [], externalEnums: [] };
const PROVIDER = { postgresql: 'postgresql', sqlite: 'sqlite' };

/** The migrations folder as the Prisma CLI lists it (its `listMigrations`). */
async function listMigrations(baseDir) {
  const lockPath = 'migration_lock.toml';
  const content = await readFile(join(baseDir, lockPath), 'utf-8').catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const file = 'migration.sql';
    const script = await readFile(join(baseDir, entry.name, file), 'utf-8')
      .then((value) => ({ tag: 'ok', value }))
      .catch((err) => ({ tag: 'error', value: err.message }));
    migrationDirectories.push({ path: entry.name, migrationFile: { path: file, content: script } });
  }
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir,
    lockfile: { path: lockPath, content },
    migrationDirectories,
    shadowDbInitScript: '',
  };
}

/**
 * The native engine sends a PostgreSQL migration script to the server as one simple query
 * (several statements, PL/pgSQL bodies intact); @prisma/adapter-pg's executeScript splits it
 * on every ";", which cuts a function body (the updated_at trigger function) apart. Send the
 * script whole, as the native engine does.
 */
function wholeScripts(kind, factory) {
  if (kind !== 'postgresql') return factory;
  const whole = (adapter) => {
    adapter.executeScript = async function executeScript(script) {
      try {
        await this.client.query(script);
      } catch (error) {
        this.onError(error);
      }
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => whole(await factory.connect()),
    connectToShadowDb: async () => whole(await factory.connectToShadowDb()),
  };
}

async function main(argv) {
  const { values, positionals } = parseCli(
    argv,
    { migrations: { type: 'string' }, url: { type: 'string' } },
    { allowPositionals: true },
  );
  if (positionals.length !== 1 || positionals[0] !== 'deploy') {
    throw new UsageError('expected the command deploy');
  }
  if (!values.migrations) throw new UsageError('--migrations is required');
  if (!values.url) throw new UsageError('--url is required');
  const baseDir = resolve(values.migrations);
  if (!existsSync(baseDir)) throw new CliError(`migrations folder not found: ${values.migrations}`);
  const kind = urlKind(values.url);
  // The CLI hands the engine the project's schema; deploy reads only its datasource.
  const schema = `datasource db {\n  provider = "${PROVIDER[kind]}"\n}\n`;

  const factory = wholeScripts(kind, await makeFactory(kind, values.url));
  return withSchemaEngine({ datamodels: [['schema.prisma', schema]], factory }, async (engine) => {
    const migrationsList = await listMigrations(baseDir);
    let result;
    try {
      result = await engine.applyMigrations({ migrationsList, filters: FILTERS });
    } catch (err) {
      throw engineError(err, 'migrate deploy failed');
    }
    for (const name of result.appliedMigrationNames) process.stdout.write(`${name}\n`);
    process.stderr.write(
      `prisma-migrate.mjs: ${result.appliedMigrationNames.length} migration(s) applied ` +
        `from ${values.migrations}\n`,
    );
    return 0;
  });
}

runMain('prisma-migrate.mjs', USAGE, main);
