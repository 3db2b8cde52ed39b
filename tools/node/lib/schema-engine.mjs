// Load @prisma/schema-engine-wasm by hand (Node 20 cannot `import` a .wasm file).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { engineError, importPkg, tracking } from './adapters.mjs';

const require = createRequire(import.meta.url);
let loaded = null;

/**
 * Instantiate the schema engine wasm module once and return its JS bindings
 * (`SchemaEngine`, `version`, ...). The package's own entry point does
 * `import * as wasm from "./schema_engine_bg.wasm"`, which needs
 * --experimental-wasm-modules on Node 20; instead we instantiate the .wasm with
 * the `*_bg.js` module as its import object, exactly as that entry point would.
 */
export async function loadSchemaEngine() {
  if (loaded) return loaded;
  const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const bg = await import(pathToFileURL(bgPath).href);
  const bytes = await readFile(bgPath.replace(/\.js$/, '.wasm'));
  // The engine arms a 60 s timer (`setTimeout` import) that it never clears; left as
  // is it keeps Node alive for a minute after the work is done. Unref its timers.
  const imports = { ...bg };
  for (const key of Object.keys(bg)) {
    if (key.startsWith('__wbg_setTimeout_')) {
      imports[key] = (fn, ms) => {
        const t = setTimeout(fn, ms >>> 0);
        t.unref?.();
        return t;
      };
    }
  }
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': imports });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  // The engine reports Rust panics through this global (the Prisma CLI sets it too).
  if (!globalThis.PRISMA_WASM_PANIC_REGISTRY) {
    globalThis.PRISMA_WASM_PANIC_REGISTRY = {
      message: '',
      get() {
        return this.message;
      },
      set_message(m) {
        this.message = `RuntimeError: ${m}`;
      },
    };
  }
  loaded = bg;
  return bg;
}

/**
 * Start the schema engine on `datamodels` over the adapter `factory`, run
 * `work(engine, connect)` and always free the engine and dispose of every adapter opened
 * (by the engine or by `connect()`): without that the pg pool or the SQLite handle keeps
 * Node running. Returns what `work` returns.
 */
export async function withSchemaEngine({ datamodels, logger = () => {}, factory }, work) {
  const { SchemaEngine } = await loadSchemaEngine();
  const { bindMigrationAwareSqlAdapterFactory } = await importPkg('@prisma/driver-adapter-utils');
  const opened = [];
  const tracked = tracking(factory, opened);
  let engine;
  try {
    try {
      engine = await SchemaEngine.new(
        { datamodels },
        logger,
        bindMigrationAwareSqlAdapterFactory(tracked),
      );
    } catch (err) {
      throw engineError(err, 'schema engine could not start');
    }
    return await work(engine, () => tracked.connect());
  } finally {
    try {
      engine?.free();
    } catch {
      /* already freed */
    }
    for (const adapter of opened) {
      try {
        await adapter.dispose();
      } catch {
        /* already closed */
      }
    }
  }
}
