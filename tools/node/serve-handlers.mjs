#!/usr/bin/env node
// A plain Node HTTP server hosting generated handlers (vigilo-gen ts-handlers) over Drizzle.
const USAGE = `\
usage: node tools/node/serve-handlers.mjs --handlers FILE.ts --dialect postgres|sqlite
         --db URL|PATH [--orm drizzle|prisma --client CLIENT.ts] [--host 127.0.0.1] [--port 8000]

Bundles FILE.ts (and the schema and Zod modules it imports) with esbuild, opens the database
(postgres: a node-postgres pool on URL; sqlite: better-sqlite3 on PATH, foreign keys on, WAL,
a busy timeout; --orm prisma: the generated Prisma client CLIENT.ts over @prisma/adapter-pg or
@prisma/adapter-better-sqlite3), and serves createHandlers(db, tokensFromEnv()).handle on every path, plus
GET /healthz. Tokens come from VIGILO_TOKENS="token=owner,...". Prints
"listening on http://HOST:PORT" when ready; stops on SIGTERM/SIGINT.`;
import { createServer } from 'node:http';
import { importTs } from './lib/bundle.mjs';
import { openDb, openPrisma } from './lib/db.mjs';
import { UsageError, parseCli, runMain } from './lib/cli.mjs';

/** The request's body as a web stream; a handler that stops reading (413) leaves the rest to
 * be drained, so the connection stays usable (Readable.toWeb would destroy the socket). */
function bodyStream(req) {
  let open = true;
  return new ReadableStream({
    start(controller) {
      req.on('data', (chunk) => open && controller.enqueue(new Uint8Array(chunk)));
      req.on('end', () => open && controller.close());
      req.on('error', (err) => open && controller.error(err));
    },
    cancel() {
      open = false;
      req.resume();
    },
  });
}

function toRequest(req, base) {
  // The raw name/value pairs as they came (Request copies them into its own Headers) and the
  // URL as text: no Headers or URL object of our own per request (a third of this function).
  const raw = req.rawHeaders;
  const headers = [];
  for (let i = 0; i < raw.length; i += 2) headers.push([raw[i], raw[i + 1]]);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(req.url.startsWith('/') ? base + req.url : new URL(req.url, base), {
    method: req.method,
    headers,
    body: hasBody ? bodyStream(req) : undefined,
    duplex: 'half',
  });
}

async function main(argv) {
  const { values } = parseCli(argv, {
    handlers: { type: 'string' },
    dialect: { type: 'string' },
    db: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8000' },
    orm: { type: 'string', default: 'drizzle' },
    client: { type: 'string' },
  });
  if (!values.handlers || !values.dialect || !values.db) throw new UsageError('--handlers, --dialect and --db are required');
  const module = await importTs(values.handlers);
  if (values.orm === 'prisma' && !values.client) throw new UsageError('--orm prisma needs --client');
  const { db, close } =
    values.orm === 'prisma'
      ? await openPrisma(values.dialect, values.db, values.client)
      : await openDb(values.dialect, values.db);
  const { handle } = module.createHandlers(db, module.tokensFromEnv());
  const base = `http://${values.host}:${values.port}`;
  const server = createServer(async (req, res) => {
    try {
      let response;
      if (req.method === 'GET' && req.url === '/healthz') {
        response = new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } });
      } else {
        response = await handle(toRequest(req, base));
      }
      const headers = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      const body = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, { ...headers, 'content-length': body.length });
      res.end(body);
      req.resume(); // drain what a refused body left unread
    } catch (exc) {
      console.error(exc);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"the server failed to complete the request"}');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(values.port), values.host, resolve);
  });
  console.log(`listening on ${base}`);
  await new Promise((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  server.close();
  server.closeAllConnections?.();
  await close();
  return 0;
}

await runMain('serve-handlers.mjs', USAGE, main);
