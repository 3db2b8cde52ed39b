// Driver adapters for Prisma's schema engine (@prisma/schema-engine-wasm), offline: the
// factory for a URL, a wrapper recording every adapter opened (to dispose of them), and the
// engine's errors as one line. Shared by prisma-apply.mjs and prisma-migrate.mjs.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { CliError, UsageError } from './cli.mjs';

const require = createRequire(import.meta.url);

export function urlKind(url) {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgresql';
  if (/^file:/i.test(url)) return 'sqlite';
  if (/^(mysql|mariadb):\/\//i.test(url)) {
    throw new CliError(
      'MySQL/MariaDB is not supported: @prisma/schema-engine-wasm has no MySQL connector ' +
        '("Unsupported adapter provider: Mysql")',
    );
  }
  throw new UsageError(
    `unsupported --url scheme "${url.split(':')[0]}:" (use postgres:// or file:)`,
  );
}

let pgCharPatched = false;
/**
 * The engine's PostgreSQL introspection selects columns of the internal
 * single-byte type "char" (oid 18, e.g. pg_constraint.contype); @prisma/adapter-pg
 * rejects that oid ("Column type 'char' could not be deserialized"). pg already
 * returns such values as strings, so report oid 18 as text (oid 25).
 */
function patchPgCharType(pg) {
  if (pgCharPatched) return;
  pgCharPatched = true;
  const addFields = pg.Result.prototype.addFields;
  pg.Result.prototype.addFields = function patchedAddFields(fieldDescriptions) {
    for (const f of fieldDescriptions) if (f.dataTypeID === 18) f.dataTypeID = 25;
    return addFields.call(this, fieldDescriptions);
  };
}

export async function importPkg(name) {
  return import(pathToFileURL(require.resolve(name)).href);
}

/** A driver-adapter factory for `url`; the caller must dispose what it opened. */
export async function makeFactory(kind, url) {
  if (kind === 'postgresql') {
    // Resolve pg from the adapter's location so that we patch the instance it uses.
    const adapterRequire = createRequire(require.resolve('@prisma/adapter-pg'));
    patchPgCharType(adapterRequire('pg'));
    const { PrismaPg } = await importPkg('@prisma/adapter-pg');
    return new PrismaPg({ connectionString: url });
  }
  if (kind === 'sqlite') {
    // better-sqlite3 creates the file if it does not exist.
    const { PrismaBetterSqlite3 } = await importPkg('@prisma/adapter-better-sqlite3');
    return new PrismaBetterSqlite3({ url });
  }
  throw new CliError(`no adapter for ${kind}`);
}

/** Wrap a factory so that every adapter it hands out is recorded for disposal. */
export function tracking(factory, opened) {
  const wrap = (fn) => async () => {
    const adapter = await fn();
    opened.push(adapter);
    return adapter;
  };
  const t = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: wrap(() => factory.connect()),
  };
  if (typeof factory.connectToShadowDb === 'function') {
    t.connectToShadowDb = wrap(() => factory.connectToShadowDb());
  } else {
    t.connectToShadowDb = async () => {
      throw new Error(`${factory.adapterName} cannot create a shadow database`);
    };
  }
  return t;
}

export function engineError(err, what) {
  const registry = globalThis.PRISMA_WASM_PANIC_REGISTRY;
  const panic = registry?.message ? ` (${registry.message})` : '';
  const msg = String(err?.message ?? err)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return new CliError(`${what}: ${msg[0] ?? 'unknown error'}${panic}`);
}
