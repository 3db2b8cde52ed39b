// DBML -> SQL with @dbml/core's exporter (what `dbml2sql` of @dbml/cli runs).
// usage: node dbml-export.mjs FILE.dbml [postgres|mysql|...]; SQL on stdout, or the parser's
// diagnostics on stderr and exit status 1.
import { readFileSync } from "node:fs";
import { exporter } from "@dbml/core";

const [file, dialect = "postgres"] = process.argv.slice(2);
try {
  process.stdout.write(exporter.export(readFileSync(file, "utf8"), dialect));
} catch (error) {
  const diags = error.diags ?? [{ message: String(error.message ?? error) }];
  for (const d of diags) {
    const at = d.location ? `${d.location.start.line}:${d.location.start.column}: ` : "";
    process.stderr.write(`${file}:${at}${d.message}\n`);
  }
  process.exit(1);
}
