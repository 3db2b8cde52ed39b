#!/usr/bin/env node
// Bundle a TypeScript entry with esbuild (from tools/node/node_modules).
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { CliError, NODE_MODULES, UsageError, runMain } from "./lib/cli.mjs";

const USAGE = `\
usage: node tools/node/bundle.mjs <entry.ts> <out.js> [--platform node|browser] [--minify]
                                  [--external PKG]... [--size]

Bundles <entry.ts> and what it imports into one ES module <out.js> (esbuild;
packages resolve from tools/node/node_modules). --external leaves a package out
(imported at run time); --size prints "bytes <n> gzip <n>" of the output.`;

async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      platform: { type: "string", default: "browser" },
      minify: { type: "boolean", default: false },
      external: { type: "string", multiple: true, default: [] },
      size: { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 2)
    throw new UsageError("an entry and an output file are needed");
  const [entry, outfile] = positionals;
  const esbuild = await import("esbuild");
  try {
    await esbuild.build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: "esm",
      platform: values.platform,
      minify: values.minify,
      external: values.external,
      nodePaths: [NODE_MODULES],
      define:
        values.platform === "browser"
          ? { "process.env.NODE_ENV": '"production"' }
          : {},
      jsx: "automatic",
      logLevel: "silent",
    });
  } catch (exc) {
    throw new CliError(exc.message);
  }
  if (values.size) {
    const code = readFileSync(outfile);
    console.log(
      `bytes ${code.length} gzip ${gzipSync(code, { level: 9 }).length}`,
    );
  }
  return 0;
}

await runMain("bundle.mjs", USAGE, main);
