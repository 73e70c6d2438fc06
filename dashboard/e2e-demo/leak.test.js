// The leak warning on the real demo, in headless Chromium: one demo started with
// `--leak` (LEAKING_URL), one without (PLAIN_URL), by collectors/tests/demo_leak_browser.rs.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import path from "node:path";

import { chromium } from "playwright-core";

/** The page's leak test: growth over its last WINDOW steps (dashboard/js/leaks.js). */
const WINDOW = 5;
let browser;

before(async () => {
  assert.ok(process.env.LEAKING_URL && process.env.PLAIN_URL, "run through `cargo test -p actorscope-collectors --test demo_leak_browser`");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
});

after(async () => {
  await browser?.close();
});

/** A live page of `url` that records console errors and uncaught exceptions. */
async function open(url) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1200 } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => message.type() === "error" && problems.push("console: " + message.text()));
  page.on("pageerror", (error) => problems.push("page error: " + error.message));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("status").dataset.state === "live" && window.__actorscope?.leaks().ticks > 0, null, { timeout: 20_000 });
  return { page, problems, close: () => context.close() };
}

test("the planted leak is named, with its growth rate, within 5 scrapes", async () => {
  const { page, problems, close } = await open(process.env.LEAKING_URL);
  // The demo leaks from its start, so the growth is sustained from the page's first
  // reading: the warning must come by the reading that ends the 5th step.
  const ticks = await (
    await page.waitForFunction(() => {
      const { ticks, warnings } = window.__actorscope.leaks();
      return warnings.some((w) => w.name === "actorscope_allocator_live_bytes") && ticks;
    }, null, { timeout: 30_000 })
  ).jsonValue();
  assert.ok(ticks <= WINDOW + 1, `named after ${ticks} readings (at most ${WINDOW + 1}: 5 scrapes of growth)`);
  await page.waitForSelector("#leak-banner:not([hidden])");
  const text = await page.textContent('#leak-banner li[data-family="actorscope_allocator_live_bytes"]');
  const rate = /actorscope_allocator_live_bytes grew ([\d.]+) MiB in (\d+) s \(([\d.]+) (KiB|MiB)\/s\) while the work rate stayed flat/.exec(text);
  assert.ok(rate, text);
  const perSecond = Number(rate[3]) * (rate[4] === "KiB" ? 1 / 1024 : 1);
  console.log(`LEAK named after ${ticks} readings: ${text}`);
  assert.ok(perSecond > 0.5 && perSecond < 2, `the demo leaks 1 MiB/s; the banner says ${perSecond.toFixed(2)} MiB/s`);
  assert.match(await page.getAttribute("#leak-banner", "title"), /last 5 scrapes/);
  await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, "leak.png") });
  assert.deepEqual(problems, []);
  await close();
});

test("the same demo without --leak raises no warning over 12 scrapes", async () => {
  const { page, problems, close } = await open(process.env.PLAIN_URL);
  const seen = await (
    await page.waitForFunction(() => {
      const { ticks, warnings } = window.__actorscope.leaks();
      return (warnings.length > 0 || ticks >= 12) && { ticks, warnings };
    }, null, { timeout: 40_000 })
  ).jsonValue();
  assert.deepEqual(seen.warnings, [], `after ${seen.ticks} readings`);
  assert.equal(await page.isHidden("#leak-banner"), true);
  assert.deepEqual(problems, []);
  await close();
});
