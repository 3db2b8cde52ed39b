// Parse Mermaid diagrams with mermaid's own parser (the one the renderer runs first).
// stdin: a JSON array of diagram texts; stdout: a JSON array of {ok, type} or {ok: false, error}.
// mermaid.parse needs no DOM for erDiagram in Node (checked with mermaid 12.3).
import mermaid from "mermaid";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const texts = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const results = [];
for (const text of texts) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
