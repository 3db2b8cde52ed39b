#!/usr/bin/env node
// The hand-written Node baseline of `make bench-service`: the two benchmarked endpoints of the
// bundled spec, written the way a careful engineer would write them by hand on node:http.
const USAGE = `\
usage: node tools/node/handwritten-handlers.mjs --dialect postgres|sqlite --db URL|PATH
         [--host 127.0.0.1] [--port 8000]

Serves GET /api/btwfyi/state/{instanceKey} (the whole state: the root with its one-to-one
children in one join, then each one-to-many set), POST /api/btwfyi/line-opacity/{instanceKey}
(the root created on the first write, the settings row upserted, one transaction) and
GET /healthz, with the statements tools/handwritten_app.py runs, on the drivers the generated
TypeScript handlers use (node-postgres pool of 10; better-sqlite3 with foreign keys on, WAL and
a busy timeout). No ORM, no Request/Response conversion: the baseline the generated handlers
(vigilo-gen ts-handlers) and the Next.js route handlers are compared with. The database must
already hold the schema (the benchmark's first target creates it). No bearer tokens: every
request is anonymous, as in the benchmark. Prints "listening on http://HOST:PORT" when ready.`;
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { UsageError, parseCli, runMain } from './lib/cli.mjs';

const BASE = '/api/btwfyi';
const KEY_RE = /^[A-Za-z0-9._~-]{1,255}$/;
const MAX_BODY = 1 << 20;
const SETTINGS_DEFAULTS = {
  displayMode: 'full', isHidden: false, showLines: true, showBadges: true,
  lineColor: '#3b82f6', lineOpacity: 0.5, componentOpacity: 1.0,
};
const ROOT_SQL =
  'SELECT i.id, i.user_id, p.x, p.y, s.display_mode, s.is_hidden, s.show_lines, s.show_badges, ' +
  's.line_color, s.line_opacity, s.component_opacity, s.id AS settings_id ' +
  'FROM vigilo_instance i LEFT JOIN vigilo_position p ON p.instance_id = i.id ' +
  'LEFT JOIN vigilo_settings s ON s.instance_id = i.id WHERE i.instance_key = $1';
const CONNECTIONS_SQL =
  'SELECT todo_index, target_selector, target_label, target_position_x, target_position_y ' +
  'FROM vigilo_connection WHERE instance_id = $1 ORDER BY todo_index';
const STATUSES_SQL = 'SELECT todo_index, status FROM vigilo_status WHERE instance_id = $1 ORDER BY todo_index';
const FIND_ROOT_SQL = 'SELECT id, user_id FROM vigilo_instance WHERE instance_key = $1';
const INSERT_ROOT_SQL =
  'INSERT INTO vigilo_instance (id, instance_key, user_id) VALUES ($1, $2, NULL) ON CONFLICT (instance_key) DO NOTHING';
const UPDATE_OPACITY_SQL =
  'UPDATE vigilo_settings SET line_opacity = $1, updated_at = CURRENT_TIMESTAMP WHERE instance_id = $2';
const INSERT_OPACITY_SQL =
  'INSERT INTO vigilo_settings (id, instance_id, line_opacity) VALUES ($1, $2, $3) ' +
  'ON CONFLICT (instance_id) DO UPDATE SET line_opacity = excluded.line_opacity';

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The state object from the three reads (the same shape the generated handlers answer). */
function stateOf(root, connections, statuses) {
  const state = {};
  if (root.x !== null && root.x !== undefined) state.position = { x: root.x, y: root.y };
  state.connections = connections.map((c) => {
    const item = { todoIndex: c.todo_index, targetSelector: c.target_selector, targetLabel: c.target_label };
    if (c.target_position_x !== null && c.target_position_y !== null) {
      item.targetPosition = { x: c.target_position_x, y: c.target_position_y };
    }
    return item;
  });
  if (root.settings_id === null) Object.assign(state, SETTINGS_DEFAULTS);
  else {
    Object.assign(state, {
      displayMode: root.display_mode, isHidden: Boolean(root.is_hidden), showLines: Boolean(root.show_lines),
      showBadges: Boolean(root.show_badges), lineColor: root.line_color,
      lineOpacity: Number(root.line_opacity), componentOpacity: Number(root.component_opacity),
    });
  }
  state.statuses = Object.fromEntries(statuses.map((s) => [String(s.todo_index), s.status]));
  return state;
}

/** better-sqlite3: synchronous, so a request's statements never interleave with another's. */
async function sqliteStore(path) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path.replace(/^sqlite:\/\/\//, '').replace(/^file:/, ''));
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 30000');
  db.pragma('journal_mode = WAL');
  const q = (sql) => db.prepare(sql.replace(/\$\d+/g, '?'));
  const [root, connections, statuses, find, insertRoot, update, insert] = [
    ROOT_SQL, CONNECTIONS_SQL, STATUSES_SQL, FIND_ROOT_SQL, INSERT_ROOT_SQL, UPDATE_OPACITY_SQL,
    INSERT_OPACITY_SQL,
  ].map(q);
  const read = db.transaction((key) => {
    const r = root.get(key);
    if (!r || r.user_id !== null) return null;
    return stateOf(r, connections.all(r.id), statuses.all(r.id));
  });
  const write = db.transaction((key, value) => {
    let r = find.get(key);
    if (!r) {
      insertRoot.run(randomUUID(), key);
      r = find.get(key);
    }
    if (r.user_id !== null) return false;
    if (update.run(value, r.id).changes === 0) insert.run(randomUUID(), r.id, value);
    return true;
  });
  return {
    getState: async (key) => read(key),
    saveOpacity: async (key, value) => write.immediate(key, value),
    ping: async () => db.prepare('SELECT 1').get(),
    close: async () => db.close(),
  };
}

/** node-postgres: one pooled client per request, the root row locked for a write. */
async function postgresStore(url) {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const inTransaction = async (fn) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (exc) {
      await client.query('ROLLBACK');
      throw exc;
    } finally {
      client.release();
    }
  };
  return {
    getState: (key) =>
      inTransaction(async (c) => {
        const r = (await c.query(ROOT_SQL, [key])).rows[0];
        if (!r || r.user_id !== null) return null;
        const [connections, statuses] = [(await c.query(CONNECTIONS_SQL, [r.id])).rows, (await c.query(STATUSES_SQL, [r.id])).rows];
        return stateOf(r, connections, statuses);
      }),
    saveOpacity: (key, value) =>
      inTransaction(async (c) => {
        let r = (await c.query(FIND_ROOT_SQL + ' FOR UPDATE', [key])).rows[0];
        if (!r) {
          await c.query(INSERT_ROOT_SQL, [randomUUID(), key]);
          r = (await c.query(FIND_ROOT_SQL + ' FOR UPDATE', [key])).rows[0];
        }
        if (r.user_id !== null) return false;
        if ((await c.query(UPDATE_OPACITY_SQL, [value, r.id])).rowCount === 0) {
          await c.query(INSERT_OPACITY_SQL, [randomUUID(), r.id, value]);
        }
        return true;
      }),
    ping: () => pool.query('SELECT 1'),
    close: () => pool.end(),
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY ? reject(new HttpError(413, 'body over 1 MiB')) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

async function route(store, req) {
  if (req.method === 'GET' && req.url === '/healthz') {
    await store.ping();
    return { ok: true };
  }
  const match = /^\/api\/btwfyi\/(state|line-opacity)\/([^/?]*)$/.exec(req.url);
  if (!match) throw new HttpError(404, 'no such route');
  const [, what, rawKey] = match;
  const key = decodeURIComponent(rawKey);
  if (!KEY_RE.test(key)) throw new HttpError(400, '$.instanceKey: does not match ^[A-Za-z0-9._~-]+$');
  if (what === 'state' && req.method === 'GET') {
    const state = await store.getState(key);
    if (state === null) throw new HttpError(404, 'no such instance');
    return state;
  }
  if (what === 'line-opacity' && req.method === 'POST') {
    if ((req.headers['content-type'] ?? '').split(';')[0].trim() !== 'application/json') {
      throw new HttpError(415, 'expected application/json');
    }
    let body;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8'));
    } catch (exc) {
      if (exc instanceof HttpError) throw exc;
      throw new HttpError(400, '$: not JSON');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, '$: expected an object');
    const extra = Object.keys(body).find((k) => k !== 'lineOpacity');
    if (extra !== undefined) throw new HttpError(400, `$.${extra}: unknown property`);
    const value = body.lineOpacity;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new HttpError(400, '$.lineOpacity: expected a number from 0 to 1');
    }
    if (!(await store.saveOpacity(key, value))) throw new HttpError(404, 'no such instance');
    return { success: true };
  }
  throw new HttpError(405, 'method not allowed');
}

async function main(argv) {
  const { values } = parseCli(argv, {
    dialect: { type: 'string' },
    db: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8000' },
  });
  if (!values.db) throw new UsageError('--db is required');
  const open = { sqlite: sqliteStore, postgres: postgresStore }[values.dialect];
  if (!open) throw new UsageError('--dialect must be postgres or sqlite');
  const store = await open(values.db);
  const server = createServer(async (req, res) => {
    let status = 200;
    let answer;
    try {
      answer = await route(store, req);
    } catch (exc) {
      status = exc instanceof HttpError ? exc.status : 500;
      if (status === 500) console.error(exc);
      answer = { error: status === 500 ? 'the server failed to complete the request' : exc.message };
    }
    const body = Buffer.from(JSON.stringify(answer));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
    req.resume();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(values.port), values.host, resolve);
  });
  console.log(`listening on http://${values.host}:${values.port}`);
  await new Promise((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  server.close();
  server.closeAllConnections?.();
  await store.close();
  return 0;
}

await runMain('handwritten-handlers.mjs', USAGE, main);
