// The browser test's driver: headless Chromium (Debian's package, through playwright-core)
// runs the page bundled from the generated provider against a running vigilo-gen serve.
//
//   node browser.mjs <chromium> <serverUrl> <page.js> <instanceKey> <screenshot.png>
//
// The page is served on the server's own origin (playwright answers /__page/ itself), so
// the API calls are same-origin. Offline means every API request is refused by the network
// layer (route.abort) while the page itself still loads. Prints one JSON line: what the page
// showed at each step, for the Python side to check against the server.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// playwright-core is installed in tools/node (NODE_TOOLS names it), not beside this file
const { chromium } = createRequire(`${process.env.NODE_TOOLS}/package.json`)(
  "playwright-core",
);

const [executablePath, server, bundle, key, screenshot] = process.argv.slice(2);
const PAGE = `${server}/__page/?key=${encodeURIComponent(key)}`;
const HTML =
  '<!doctype html><html><head><meta charset="utf-8"><title>settings</title></head>' +
  '<body><div id="root"></div><script type="module" src="/__page/page.js"></script></body></html>';

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ], // playwright adds --headless and a fresh --user-data-dir of its own
});
const steps = {};
const apiCalls = [];
try {
  const context = await browser.newContext({
    viewport: { width: 640, height: 560 },
  });
  const page = await context.newPage();
  page.on("pageerror", (exc) => console.error(`page error: ${exc.message}`));
  await page.route(`${server}/__page/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith(".js")) {
      return route.fulfill({
        contentType: "text/javascript",
        body: readFileSync(bundle),
      });
    }
    return route.fulfill({ contentType: "text/html", body: HTML });
  });
  page.on("request", (request) => {
    if (request.url().includes("/__page/")) return;
    apiCalls.push(`${request.method()} ${new URL(request.url()).pathname}`);
  });
  const status = () => page.locator("#status");
  const settled = async (state, queued) => {
    await page.waitForFunction(
      ([s, q]) => {
        const out = document.querySelector("#status");
        return (
          out && out.dataset.state === s && out.dataset.queued === String(q)
        );
      },
      [state, queued],
      { timeout: 20000 },
    );
  };
  const shown = async () =>
    JSON.parse(await page.locator("#state").innerText());

  // 1. online: load, change settings, wait until they are sent
  await page.goto(PAGE);
  await page.locator("#state").waitFor();
  steps.first = await shown();
  await page.selectOption("#displayMode", "compact");
  await page.check("#isHidden");
  await page.click("#color-ef4444");
  await page.click("#move");
  await page.click("#done");
  await settled("online", 0);
  steps.online = await shown();

  // 2. reload: the server's state is shown
  await page.reload();
  await page.locator("#state").waitFor();
  await settled("online", 0);
  steps.reloaded = await shown();

  // 3. offline: change more; the writes wait in the queue
  await page.route(`${server}/api/**`, (route) =>
    route.abort("internetdisconnected"),
  );
  await page.selectOption("#displayMode", "minimal");
  await page.click("#color-a855f7");
  await page.click("#move");
  await page.click("#done");
  await page.uncheck("#isHidden");
  await settled("offline", 5);
  steps.offline = await shown();

  // 4. reload while offline: the queued changes are still shown
  await page.reload();
  await page.locator("#state").waitFor();
  await settled("offline", 5);
  steps.offlineReloaded = await shown();
  steps.offlineStatus = await status().innerText();
  await page.screenshot({
    path: screenshot.replace(/\.png$/, "-offline.png"),
    fullPage: true,
  });

  // 5. back online: the queue replays and empties
  await page.unroute(`${server}/api/**`);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await settled("online", 0);
  steps.back = await shown();
  steps.backStatus = await status().innerText();
  await page.screenshot({ path: screenshot, fullPage: true });
  await context.close();
} finally {
  await browser.close();
}
console.log(JSON.stringify({ steps, apiCalls }));
