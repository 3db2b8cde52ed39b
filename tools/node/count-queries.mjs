#!/usr/bin/env node
// What generated handlers (vigilo-gen ts-handlers, Drizzle) send to the database per request.
const USAGE = `\
usage: node tools/node/count-queries.mjs --handlers FILE.ts --dialect postgres|sqlite --db URL|PATH

Reads [{"method": "GET", "path": "/api/...", "body": {...}|null}, ...] on stdin, runs each
request through createHandlers(db).handle in turn, and prints for each
{"status": 200, "statements": ["begin read only", "select ...", ...], "prepared": N,
"connections": N}: the statements the driver ran for it (node-postgres queries; better-sqlite3
statement runs), on SQLite how many statements it compiled (better-sqlite3 prepare) to run
them, and on PostgreSQL how many connections (pooled clients) ran them.`;
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { importTs } from './lib/bundle.mjs';
import { TOOLS_DIR, UsageError, parseCli, runMain } from './lib/cli.mjs';
import { openDb } from './lib/db.mjs';

const require = createRequire(join(TOOLS_DIR, 'package.json'));

/** Record every statement the driver is given; `log.prepared` counts SQLite compilations. */
function instrument(dialect, log) {
  if (dialect === 'postgres') {
    const { Client } = require('pg');
    const query = Client.prototype.query;
    Client.prototype.query = function (config, ...rest) {
      log.statements.push(typeof config === 'string' ? config : config.text);
      log.clients.add(this);
      return query.call(this, config, ...rest);
    };
    return;
  }
  const Database = require('better-sqlite3');
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (...args) {
    log.prepared += 1;
    return prepare.apply(this, args);
  };
  const probe = new Database(':memory:');
  const Statement = Object.getPrototypeOf(probe.prepare('SELECT 1'));
  probe.close();
  for (const name of ['run', 'get', 'all', 'iterate']) {
    const method = Statement[name];
    Statement[name] = function (...args) {
      log.statements.push(this.source);
      return method.apply(this, args);
    };
  }
}

async function main(argv) {
  const { values } = parseCli(argv, {
    handlers: { type: 'string' },
    dialect: { type: 'string' },
    db: { type: 'string' },
  });
  if (!values.handlers || !values.dialect || !values.db) throw new UsageError('--handlers, --dialect and --db are required');
  const log = { statements: [], prepared: 0, clients: new Set() };
  instrument(values.dialect, log);
  const module = await importTs(values.handlers);
  const { db, close } = await openDb(values.dialect, values.db);
  const { handle } = module.createHandlers(db);
  const out = [];
  try {
    for (const { method, path, body } of JSON.parse(readFileSync(0, 'utf8'))) {
      const init = { method };
      if (body !== null && body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers = { 'content-type': 'application/json' };
      }
      log.statements = [];
      log.prepared = 0;
      log.clients = new Set();
      const response = await handle(new Request(`http://localhost${path}`, init));
      await response.arrayBuffer();
      const { statements, prepared, clients } = log;
      out.push({ status: response.status, statements, prepared, connections: clients.size });
    }
  } finally {
    await close();
  }
  console.log(JSON.stringify(out));
  return 0;
}

await runMain('count-queries.mjs', USAGE, main);
