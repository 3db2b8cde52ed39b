// Node tests of the generated client and store against a running server (node:test).
// Copied beside the generated client.ts and bundled with esbuild by tests/test_client.py,
// which writes the cases file (CLIENT_CASES): the server's URL, the path parameters of a
// fresh instance, a valid body per write of the store, a body the server must refuse,
// and the URL of a stub that answers slowly or with a 500.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  ApiError,
  createClient,
  ENDPOINTS,
  Store,
  STORES,
  type Client,
  type KeyValue,
  type StoreName,
} from "./client";

interface Cases {
  baseUrl: string;
  stubUrl: string;
  store: StoreName;
  instance: () => Record<string, string>;
  params: Record<string, string>[];
  bodies: Record<string, unknown[]>;
  refused: { endpoint: string; body: unknown };
  badParams: Record<string, string>;
  auth: boolean;
}
const raw = JSON.parse(readFileSync(process.env.CLIENT_CASES!, "utf-8"));
let next = 0;
const cases: Cases = {
  ...raw,
  instance: () => raw.params[next++] as Record<string, string>,
};
type Calls = Record<string, (...args: unknown[]) => Promise<unknown>>;
type Into = readonly (readonly [readonly string[], readonly string[]])[] | null;
const writes = STORES[cases.store].writes as Record<
  string,
  { coalesce: boolean; into: Into }
>;

function getIn(value: unknown, path: readonly string[]): unknown {
  for (const key of path) value = (value as Record<string, unknown>)?.[key];
  return value;
}

function memory(): KeyValue & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

/** fetch that records each request and fails like a dead network while `down`. */
function network() {
  const log: string[] = [];
  const net = {
    down: false,
    log,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (net.down) throw new TypeError("fetch failed");
      if (init?.method !== "GET") log.push(`${init?.method} ${String(input)}`);
      return fetch(input, init);
    }) as typeof fetch,
  };
  return net;
}

/** The server orders a list by its rows' key (docs/runtime.md), the body as it came: compare
 * lists as sets of items. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .map(canonical)
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

function same(actual: unknown, expected: unknown, message?: string) {
  assert.deepEqual(canonical(actual), canonical(expected), message);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, ms = 10000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const client = createClient({ baseUrl: cases.baseUrl });
const calls = client as unknown as Calls;

test("every endpoint round-trips: each write's body is what the read returns", async () => {
  const params = cases.instance();
  for (const [endpoint, spec] of Object.entries(writes)) {
    for (const body of cases.bodies[endpoint] ?? []) {
      const answer = await calls[endpoint]!(params, body); // checked by its Zod schema
      assert.ok(answer !== undefined);
      const state = await calls[cases.store]!(params);
      for (const [from, to] of spec.into ?? []) {
        same(getIn(state, to), getIn(body, from), `${endpoint} ${to}`);
      }
    }
  }
  const tried = Object.keys(cases.bodies);
  assert.ok(tried.length > 0);
  for (const name of Object.keys(ENDPOINTS)) {
    if (ENDPOINTS[name as keyof typeof ENDPOINTS].kind === "read") continue;
    assert.ok(tried.includes(name) || !(name in writes), `${name} not tried`);
  }
});

test("a 4xx is an ApiError of kind client with the server's message", async () => {
  const bad = calls[cases.store]!(cases.badParams);
  await assert.rejects(bad, (exc: unknown) => {
    assert.ok(exc instanceof ApiError);
    assert.equal(exc.kind, "client");
    assert.equal(exc.status, 400);
    assert.match(exc.message, /^\w+: 400 \S/);
    assert.ok(
      !exc.message.includes("{"),
      "the Error envelope's text, not JSON",
    );
    return true;
  });
  const refused = calls[cases.refused.endpoint]!(
    cases.instance(),
    cases.refused.body,
  );
  await assert.rejects(refused, {
    name: "ApiError",
    kind: "client",
    status: 400,
  });
});

test("a 5xx is an ApiError of kind server", async () => {
  const stub = createClient({
    baseUrl: `${cases.stubUrl}/fail`,
  }) as unknown as Calls;
  await assert.rejects(stub[cases.store]!(cases.instance()), (exc: unknown) => {
    assert.ok(exc instanceof ApiError);
    assert.equal(exc.kind, "server");
    assert.equal(exc.status, 500);
    assert.match(exc.message, /500 the stub failed/);
    return true;
  });
});

test("no answer within the timeout is an ApiError of kind timeout", async () => {
  const slow = createClient({
    baseUrl: `${cases.stubUrl}/slow`,
    timeoutMs: 200,
  }) as unknown as Calls;
  const started = Date.now();
  await assert.rejects(slow[cases.store]!(cases.instance()), {
    kind: "timeout",
  });
  assert.ok(Date.now() - started < 2000);
});

test("the default timeout is 5 s", async () => {
  const slow = createClient({
    baseUrl: `${cases.stubUrl}/slow`,
  }) as unknown as Calls;
  const started = Date.now();
  await assert.rejects(slow[cases.store]!(cases.instance()), {
    kind: "timeout",
  });
  const took = Date.now() - started;
  assert.ok(took >= 4900 && took < 7000, `took ${took} ms`);
});

test("the caller's AbortSignal is an ApiError of kind aborted", async () => {
  const slow = createClient({
    baseUrl: `${cases.stubUrl}/slow`,
  }) as unknown as Calls;
  const controller = new AbortController();
  const pending = slow[cases.store]!(cases.instance(), {
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(pending, { kind: "aborted" });
});

test("a closed port is an ApiError of kind network", async () => {
  const dead = createClient({ baseUrl: cases.stubUrl.replace(/:\d+$/, ":9") });
  await assert.rejects(
    (dead as unknown as Calls)[cases.store]!(cases.instance()),
    {
      kind: "network",
    },
  );
});

test("token, token getter and extra headers are sent", async () => {
  const seen: Headers[] = [];
  const spy = (async (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push(new Headers(init?.headers));
    return fetch(input, init);
  }) as typeof fetch;
  const params = cases.instance();
  const read = (options: Parameters<typeof createClient>[0]) =>
    (
      createClient({
        baseUrl: cases.baseUrl,
        fetch: spy,
        ...options,
      }) as unknown as Calls
    )[cases.store]!(params).catch((exc: unknown) => exc);
  await read({ token: "", headers: { "x-trace": "1" } });
  const refused = await read({ token: async () => "nobody-knows-this" });
  assert.equal(seen[0]!.get("x-trace"), "1");
  assert.equal(seen[0]!.get("authorization"), null);
  assert.equal(seen[1]!.get("authorization"), "Bearer nobody-knows-this");
  if (cases.auth) {
    // a token the verifier rejects is a 401 (docs/runtime.md, Ownership)
    assert.ok(refused instanceof ApiError);
    assert.equal(refused.kind, "client");
    assert.equal(refused.status, 401);
  }
});

function mergeable(): [string, unknown[]][] {
  return Object.entries(cases.bodies).filter(
    ([name, bodies]) =>
      writes[name]?.into && writes[name]!.coalesce && bodies.length > 1,
  );
}

test("concurrent setters of one endpoint debounce to one request, last value wins", async () => {
  const net = network();
  const c = createClient({ baseUrl: cases.baseUrl, fetch: net.fetch });
  const [endpoint, bodies] = mergeable()[0]!;
  const store = new Store(c, cases.store, cases.instance() as never, {
    storage: memory(),
    debounceMs: 100,
  });
  await store.refresh();
  for (let i = 0; i < 20; i++)
    store.write(endpoint as never, bodies[i % 2] as never);
  const last = bodies[19 % 2];
  for (const [from, to] of writes[endpoint]!.into!) {
    same(getIn(store.state, to), getIn(last, from), "optimistic at once");
  }
  assert.equal(store.current.queued, 1);
  await until("the queue to drain", () => store.current.queued === 0);
  await until("online", () => store.current.state === "online");
  assert.equal(net.log.length, 1, net.log.join("\n"));
  const server = await c[cases.store](store.params as never);
  for (const [from, to] of writes[endpoint]!.into!) {
    same(getIn(server, to), getIn(last, from));
  }
  store.close();
});

test("writes made offline survive a reload and replay in order when the network returns", async () => {
  const net = network();
  const storage = memory();
  const c = createClient({ baseUrl: cases.baseUrl, fetch: net.fetch });
  const params = cases.instance();
  const first = new Store(c, cases.store, params as never, {
    storage,
    debounceMs: 10,
    retryMs: 50,
  });
  await first.refresh();
  net.down = true;
  const order: string[] = [];
  const expected = new Map<string, unknown>();
  for (const [endpoint, bodies] of mergeable()) {
    first.write(endpoint as never, bodies[0] as never);
    order.push(endpoint);
    expected.set(endpoint, bodies[0]);
  }
  // a later write of the first endpoint replaces its unsent one and goes last
  const [again, againBodies] = mergeable()[0]!;
  await sleep(30);
  first.write(again as never, againBodies[1] as never);
  order.splice(order.indexOf(again), 1);
  order.push(again);
  expected.set(again, againBodies[1]);
  await until("offline", () => first.current.state === "offline");
  assert.equal(first.current.queued, order.length);
  first.close();

  // "reload": a new store over the same storage, still offline
  const second = new Store(c, cases.store, params as never, {
    storage,
    debounceMs: 10,
    retryMs: 50,
  });
  await second.refresh();
  assert.equal(second.current.state, "offline");
  assert.equal(second.current.queued, order.length);
  for (const [endpoint, body] of expected) {
    for (const [from, to] of writes[endpoint]!.into!) {
      same(getIn(second.state, to), getIn(body, from), "after reload");
    }
  }
  assert.equal(net.log.length, 0);
  net.down = false;
  await until("the replay", () => second.current.queued === 0);
  assert.deepEqual(
    net.log.map((line) => line.split(" ")[0] + " " + endpointOf(line)),
    order.map((e) => `${ENDPOINTS[e as keyof typeof ENDPOINTS].method} ${e}`),
  );
  const server = await c[cases.store](params as never);
  for (const [endpoint, body] of expected) {
    for (const [from, to] of writes[endpoint]!.into!) {
      same(getIn(server, to), getIn(body, from), `server ${endpoint}`);
    }
  }
  second.close();
});

/** The endpoint a logged request went to, by its path pattern. */
function endpointOf(line: string): string {
  const [method, url] = line.split(" ") as [string, string];
  const path = new URL(url).pathname;
  for (const [name, e] of Object.entries(ENDPOINTS)) {
    const pattern = e.path.replace(/\{[^}]+\}/g, "[^/]+");
    if (e.method === method && new RegExp(`${pattern}$`).test(path))
      return name;
  }
  return "?";
}

test("a refused write is dropped and reported, the others still go", async () => {
  const dropped: ApiError[] = [];
  const c: Client = createClient({ baseUrl: cases.baseUrl });
  const store = new Store(c, cases.store, cases.instance() as never, {
    storage: memory(),
    debounceMs: 10,
    onDropped: (_write, error) => void dropped.push(error),
  });
  const [endpoint, bodies] = mergeable().find(
    ([e]) => e !== cases.refused.endpoint,
  )!;
  store.write(cases.refused.endpoint as never, cases.refused.body as never);
  store.write(endpoint as never, bodies[0] as never);
  await until("the queue to drain", () => store.current.queued === 0);
  assert.equal(dropped.length, 1);
  assert.equal(dropped[0]!.kind, "client");
  assert.equal(dropped[0]!.status, 400);
  const server = await c[cases.store](store.params as never);
  for (const [from, to] of writes[endpoint]!.into!) {
    same(getIn(server, to), getIn(bodies[0], from));
  }
  store.close();
});

test("offline at start: the stored state shows, and the read is retried until the server answers", async () => {
  const net = network();
  const storage = memory();
  const c = createClient({ baseUrl: cases.baseUrl, fetch: net.fetch });
  const params = cases.instance();
  const [endpoint, bodies] = mergeable()[0]!;
  await calls[endpoint]!(params, bodies[0]);
  const first = new Store(c, cases.store, params as never, { storage });
  await first.refresh();
  first.close();
  net.down = true;
  const second = new Store(c, cases.store, params as never, {
    storage,
    retryMs: 50,
  });
  assert.equal(second.loaded, true, "the stored state is there at once");
  await second.refresh();
  assert.equal(second.current.state, "offline");
  for (const [from, to] of writes[endpoint]!.into!) {
    same(getIn(second.state, to), getIn(bodies[0], from), "stored");
  }
  await calls[endpoint]!(params, bodies[1]); // another device changes it meanwhile
  net.down = false; // no "online" event: the store finds out by itself
  await until("online", () => second.current.state === "online");
  for (const [from, to] of writes[endpoint]!.into!) {
    same(getIn(second.state, to), getIn(bodies[1], from), "read again");
  }
  second.close();
});
