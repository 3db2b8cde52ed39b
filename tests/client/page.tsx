// A small settings page over the provider generated for the bundled spec, for the browser
// test (tests/client/browser.mjs). Copied beside the generated modules and bundled with
// tools/node/bundle.mjs; the instance key comes from the page's query (?key=...).
import { createRoot } from "react-dom/client";
import { createClient } from "./client";
import {
  Provider,
  useDisplayMode,
  useIsHidden,
  useLineColor,
  usePosition,
  useStatus,
  useStatuses,
} from "./provider";

const COLORS = ["#ef4444", "#22c55e", "#a855f7"] as const;

function Settings() {
  const [displayMode, setDisplayMode, meta] = useDisplayMode();
  const [isHidden, setHidden] = useIsHidden();
  const [lineColor, setLineColor] = useLineColor();
  const [position, setPosition] = usePosition();
  const [statuses, setStatuses] = useStatuses();
  const status = useStatus();
  if (meta.loading) return <p id="loading">Loading…</p>;
  const shown = { displayMode, isHidden, lineColor, position, statuses };
  return (
    <main style={{ fontFamily: "sans-serif", padding: 16, maxWidth: 560 }}>
      <h1 style={{ fontSize: 20 }}>Overlay settings</h1>
      <p>
        Status:{" "}
        <output
          id="status"
          data-state={status.state}
          data-queued={status.queued}
        >
          {status.state} · {status.queued} queued
        </output>
      </p>
      <label>
        Display mode{" "}
        <select
          id="displayMode"
          value={displayMode ?? ""}
          onChange={(e) =>
            setDisplayMode(e.target.value as "full" | "compact" | "minimal")
          }
        >
          <option value="full">full</option>
          <option value="compact">compact</option>
          <option value="minimal">minimal</option>
        </select>
      </label>
      <p>
        <label>
          <input
            id="isHidden"
            type="checkbox"
            checked={isHidden ?? false}
            onChange={(e) => setHidden(e.target.checked)}
          />{" "}
          Hidden
        </label>
      </p>
      <p>
        Line colour{" "}
        <span
          id="swatch"
          style={{
            display: "inline-block",
            width: 24,
            height: 16,
            background: lineColor,
          }}
        />{" "}
        {COLORS.map((color) => (
          <button
            key={color}
            id={`color-${color.slice(1)}`}
            onClick={() => setLineColor(color)}
          >
            {color}
          </button>
        ))}
      </p>
      <p>
        <button
          id="move"
          onClick={() =>
            setPosition({
              x: (position?.x ?? 0) + 10,
              y: (position?.y ?? 0) + 5,
            })
          }
        >
          Move the panel
        </button>{" "}
        <button
          id="done"
          onClick={() =>
            setStatuses({
              ...statuses,
              [Object.keys(statuses ?? {}).length]: "done",
            })
          }
        >
          Finish a task
        </button>
      </p>
      <pre id="state" style={{ background: "#f3f4f6", padding: 8 }}>
        {JSON.stringify(shown, null, 2)}
      </pre>
    </main>
  );
}

const key = new URLSearchParams(location.search).get("key") ?? "demo";
const client = createClient({ baseUrl: "", timeoutMs: 2000 });
createRoot(document.getElementById("root")!).render(
  <Provider instanceKey={key} client={client} debounceMs={200} retryMs={200}>
    <Settings />
  </Provider>,
);
