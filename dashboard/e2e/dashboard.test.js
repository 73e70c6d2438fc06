// The dashboard in headless Chromium against the fixture server that
// tests/dashboard_browser.rs starts (DASHBOARD_URL, SITE_URL, SCREENSHOT_DIR, CHROMIUM).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import path from "node:path";

import { chromium } from "playwright-core";

import { traceTasks } from "./trace.js";

const url = process.env.DASHBOARD_URL;
const site = process.env.SITE_URL;
const wideSeries = Number(process.env.WIDE_SERIES ?? 2000);
const HOSTILE = "<img src=x onerror=alert(1)>";
const COLD_PAGES = 20;
let browser;

before(async () => {
  assert.ok(url && site, "run through `cargo test --test dashboard_browser`");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
});

after(async () => {
  await browser?.close();
});

/**
 * A page that records console errors, uncaught exceptions and dialogs; with `traced`,
 * its main thread's tasks are traced from before it opens (`stopTrace`, trace.js).
 */
async function open(query = "", init = null, { traced = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1600 }, acceptDownloads: true });
  const page = await context.newPage();
  const trace = traced ? await traceTasks(context, page) : null;
  const problems = [];
  page.on("console", (message) => message.type() === "error" && problems.push("console: " + message.text()));
  page.on("pageerror", (error) => problems.push("page error: " + error.message));
  page.on("dialog", async (dialog) => {
    problems.push("dialog: " + dialog.message());
    await dialog.dismiss();
  });
  if (init) await page.addInitScript(init);
  await page.goto(url + query);
  return { page, problems, stopTrace: () => trace.stop(), close: () => context.close() };
}

/** Live, with the first snapshot applied: the page says "live" as soon as the stream
 * opens, which can be before its first event has arrived. */
async function live(page) {
  await page.waitForFunction(
    () => document.getElementById("status").dataset.state === "live" && window.__actorscope?.store.families.has("app_ticks_total") === true,
    null,
    { timeout: 20_000 },
  );
}

/** Sends `count` requests to the fixture's routes, so request rates move. */
async function load(count) {
  for (let i = 0; i < count; i++) {
    await fetch(site + (i % 10 === 0 ? "/fail" : "/hello"));
  }
}

/** Keeps sending a request every 20 ms until the returned function is called. */
function steadyLoad() {
  let running = true;
  const done = (async () => {
    for (let i = 0; running; i++) {
      await fetch(site + (i % 10 === 0 ? "/fail" : i % 5 === 1 ? "/relay" : "/hello"));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return async () => {
    running = false;
    await done;
  };
}

async function openFamily(page, prefix, family) {
  await page.locator(`details.group:has(> summary:text-is("${prefix}_… "))`).first().evaluate((d) => (d.open = true)).catch(() => {});
  await page.evaluate(([prefix]) => {
    for (const group of document.querySelectorAll("details.group")) if (group.querySelector("summary").textContent.startsWith(prefix + "_")) group.open = true;
  }, [prefix]);
  await page.locator(`details.family[data-family="${family}"] > summary`).click();
  await page.waitForSelector(`details.family[data-family="${family}"] table.samples td.value`);
}

test("the page loads, goes live, shows the panels it has data for, and logs no error", async () => {
  const { page, problems, close } = await open();
  await live(page);
  const stop = steadyLoad();
  await page
    .waitForFunction(() => {
      const value = document.querySelector('[data-metric="request-rate"] .tile-value')?.textContent ?? "";
      return value !== "" && !value.startsWith("0/") && !value.startsWith("–");
    }, null, { timeout: 20_000 })
    .catch(async (error) => {
      const seen = await page.evaluate(() => ({
        overview: document.getElementById("overview").textContent,
        families: [...window.__actorscope.store.families.keys()].filter((n) => n.startsWith("http")),
        ticks: window.__actorscope.timings.length,
      }));
      throw new Error(error.message + " " + JSON.stringify(seen));
    });
  await page.waitForFunction(() => !document.querySelector('[data-metric="p99"] .tile-value')?.textContent.startsWith("–"), null, { timeout: 20_000 });
  // Each panel shows once its data has arrived (the relay's first outgoing call can
  // come a tick after the first requests).
  for (const panel of ["overview", "routes", "clients", "workers", "actors", "pools", "histogram", "families"]) {
    await page.waitForSelector("#" + panel, { state: "visible", timeout: 20_000 }).catch((error) => {
      throw new Error(`${panel} is not shown: ${error.message}`);
    });
  }
  // One row per route pattern (never a raw path), with a rate, an error rate and p99.
  await page.waitForFunction(() => {
    const row = document.querySelector('table.routes tbody tr[data-row="/hello"]');
    const fail = document.querySelector('table.routes tbody tr[data-row="/fail"]');
    return row && !row.querySelector('[data-column="rate"]').textContent.startsWith("–") && !row.querySelector('[data-column="p99"]').textContent.startsWith("–")
      && fail?.querySelector('[data-column="errors"]').textContent === "100.0%";
  }, null, { timeout: 20_000 });
  // The relay's outgoing calls: client, target and the route template it gave.
  await page.waitForFunction(() => {
    const row = [...document.querySelectorAll("table.clients tbody tr")].find((tr) => tr.dataset.row.startsWith("relay 127.0.0.1:") && tr.dataset.row.endsWith(" /hello"));
    return row && !row.querySelector('[data-column="rate"]').textContent.startsWith("–");
  }, null, { timeout: 20_000 });
  assert.equal(await page.isVisible("#client-picker"), true, "a client exists: the client picker shows");
  assert.match(await page.textContent("#uptime"), /^up 1 h 1 m$/, "the fixture's process started 61 minutes ago");
  assert.match(await page.textContent("#updated"), /^updated \d\d:\d\d:\d\d$/);
  // The instrumented greeter behind /hello: a row with a message rate, and in the top list.
  await page.waitForFunction(() => {
    const row = document.querySelector('table.actors tbody tr[data-actor="Greeter"]');
    return row && !row.children[1].textContent.startsWith("–") && document.querySelector('.top-actors li[data-actor="Greeter"]');
  }, null, { timeout: 20_000 });
  assert.equal(await page.isVisible("#memory"), false, "no process or allocator families: the memory panel hides itself");
  const level = await page.getAttribute('.pool:has(.pool-title:text("fixture_slots"))', "data-level");
  assert.equal(level, "warn", "17 of 20 slots in use is past the 80% warning");
  assert.match(await page.textContent('.pool:has(.pool-title:text("fixture_slots")) .pool-usage'), /high-water 17/, "the card shows the pool's high-water mark");
  // The full pool refuses an acquisition every scrape: its card is marked, and the
  // page-level banner is critical, pulses, and names both pools.
  await page.waitForFunction(() => document.querySelector('.pool.overflowing .pool-title')?.textContent.includes("fixture_full"), null, { timeout: 20_000 });
  assert.match(await page.textContent('.pool:has(.pool-title:text("fixture_full")) .pool-overflows'), /overflows? \(\+\d+ in 10 s\)/);
  assert.equal(await page.getAttribute("#pool-banner", "data-level"), "critical");
  assert.equal(await page.isVisible("#pool-banner"), true);
  const banner = await page.textContent("#pool-banner");
  assert.match(banner, /owner=api, pool=fixture_full: 100% in use \(4 \/ 4\)/);
  assert.match(banner, /owner=api, pool=fixture_full: \d+ overflows? \(acquisitions refused\) in the last 10 s/);
  assert.match(banner, /owner=api, pool=fixture_slots: 85% in use \(17 \/ 20\)/);
  assert.equal(await page.$eval("#pool-banner", (element) => getComputedStyle(element).animationName), "pool-pulse", "a critical banner pulses");
  await page.waitForTimeout(1500); // let sparklines draw a few points for the picture
  await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, "dashboard.png"), fullPage: true });
  await stop();
  assert.deepEqual(problems, []);
  await close();
});

test("values update live", async () => {
  const { page, problems, close } = await open();
  await live(page);
  await openFamily(page, "app", "app_ticks_total");
  const cell = 'details.family[data-family="app_ticks_total"] td.value';
  const first = await page.textContent(cell);
  await page.waitForFunction(([selector, before]) => document.querySelector(selector)?.textContent !== before, [cell, first], { timeout: 10_000 });
  assert.deepEqual(problems, []);
  await close();
});

test("a worker filter narrows the view and lands in the URL", async () => {
  await load(40);
  const { page, problems, close } = await open();
  await live(page);
  await page.waitForFunction(() => document.querySelectorAll("table.workers tbody tr").length >= 2, null, { timeout: 20_000 });
  // Sorting: a column header is a button; pressing it again flips the order.
  const header = 'table.workers th:has(button:text-is("requests_total /s"))';
  assert.equal(await page.getAttribute(header, "aria-sort"), "descending");
  await page.click(header + " button");
  assert.equal(await page.getAttribute(header, "aria-sort"), "ascending");
  await page.selectOption("#worker-filter", "1");
  await page.waitForFunction(() => document.querySelectorAll("table.workers tbody tr").length === 1, null, { timeout: 10_000 });
  assert.equal(await page.getAttribute("table.workers tbody tr", "data-worker"), "1");
  assert.match(page.url(), /[?&]worker=1/);
  assert.deepEqual(problems, []);
  await close();
});

test("hostile names, labels and help are shown as text, never run", async () => {
  const { page, problems, close } = await open();
  await live(page);
  await openFamily(page, "app", "app_hostile_total");
  const labels = await page.textContent('details.family[data-family="app_hostile_total"] td.labels');
  assert.ok(labels.includes(`value="${HOSTILE}"`), labels);
  const help = await page.textContent('details.family[data-family="app_hostile_total"] p.help');
  assert.equal(help, "Help with <script>alert('help')</script> in it.");
  assert.equal(await page.evaluate(() => document.querySelectorAll("img, main script").length), 0, "nothing was parsed as HTML");
  assert.deepEqual(problems, [], "no alert, no error");
  await close();
});

test(`applying a ${wideSeries}-series snapshot: script time`, async () => {
  // The first snapshot lands on a cold page (nothing compiled yet, every panel built
  // for the first time), and a page's timings jitter with whatever else the two cores
  // run: so 20 fresh pages, their median and 90th percentile. `ms` is the snapshot's own
  // task (from its event's handler: the parse of the event's text, then the store, the
  // trend frame and the panels drawn in it); those it did not reach are drawn in the
  // tasks after (schedule.js), and `script` is all of those tasks together, `complete`
  // the time until the last panel. Those are wall-clock (`performance.now()`), waits for
  // a core included; `cpu` is the main thread's CPU time in those same tasks, from a
  // trace (trace.js), and `longest_cpu` the most of it in one; `script_cpu` is the CPU
  // time of the script runs that ran the page's code in them (what DevTools counts as
  // "Scripting": not a task's scheduling, nor other work it ran), and
  // `longest_script_cpu` the most of it in one.
  // The page's history (`/debug/history`) is applied in tasks of its own, timed apart.
  const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const p90 = (list) => [...list].sort((a, b) => a - b)[Math.ceil(list.length * 0.9) - 1];
  const firsts = [];
  const histories = [];
  let warm = [];
  let deltas = [];
  for (let load = 0; load < COLD_PAGES; load++) {
    const { page, problems, stopTrace, close } = await open("", null, { traced: true });
    await live(page);
    await page.waitForFunction((n) => window.__actorscope.store.sampleCount() >= n, wideSeries, { timeout: 20_000 });
    await page.waitForFunction(() => window.__actorscope.timings.find((t) => t.kind === "snapshot")?.complete != null, null, { timeout: 20_000 });
    const first = await page.evaluate(() => window.__actorscope.timings.find((t) => t.kind === "snapshot"));
    const traced = (await stopTrace())(first.spans);
    // (The trace's clocks tick in microseconds: a microsecond a task of leeway.)
    const leeway = 0.001 * (traced.tasks + first.spans.length);
    assert.ok(traced.cpu <= traced.wall + leeway && traced.wall >= first.script - leeway, `${traced.cpu} ms of CPU time in ${traced.wall} ms of whole tasks, which hold the page's ${first.script} ms`);
    // Each script run is part of a task: never more CPU time than the tasks'.
    assert.ok(traced.scriptCpu <= traced.cpu + leeway, `${traced.scriptCpu} ms of CPU time in script runs, more than the ${traced.cpu} ms of their tasks`);
    firsts.push({ ...first, cpu: traced.cpu, longestCpu: traced.longestCpu, unmatched: traced.unmatched, scriptCpu: traced.scriptCpu, longestScriptCpu: traced.longestScriptCpu, unmatchedScripts: traced.unmatchedScripts });
    await page.waitForFunction(() => window.__actorscope.historyTimings.length > 0, null, { timeout: 20_000 });
    histories.push(await page.evaluate(() => window.__actorscope.historyTimings[0]));
    if (load === COLD_PAGES - 1) {
      warm = await page.evaluate(async () => {
        const doc = await (await fetch("metrics")).json();
        const runs = [];
        for (let i = 0; i < 15; i++) runs.push(window.__actorscope.measure(doc));
        return runs;
      });
      // Deltas with all 2,000 series changed, once the page has been live a few ticks.
      await page.waitForFunction(() => window.__actorscope.timings.filter((t) => t.kind === "delta").length >= 6, null, { timeout: 20_000 });
      deltas = await page.evaluate(() => window.__actorscope.timings.filter((t) => t.kind === "delta").slice(1));
    }
    assert.deepEqual(problems, []);
    await close();
  }
  const samples = warm[0].samples;
  assert.ok(samples >= wideSeries, `${samples} samples`);
  // The trace is read right: (nearly) every task the page timed is one of the trace's.
  const spans = firsts.reduce((sum, t) => sum + t.spans.length, 0);
  const unmatched = firsts.reduce((sum, t) => sum + t.unmatched, 0);
  assert.ok(unmatched <= spans / 100, `${unmatched} of the first snapshots' ${spans} drawing spans are in no task of the trace`);
  // Now and then (about 1 page in 150 here) a page's trace lacks the script runs of some
  // of its tasks: those spans count their whole tasks (trace.js), so the figure is never
  // too low; but most spans must be in a script run, or the reading is broken.
  const unmatchedScripts = firsts.reduce((sum, t) => sum + t.unmatchedScripts, 0);
  assert.ok(unmatchedScripts <= spans / 10, `${unmatchedScripts} of the first snapshots' ${spans} drawing spans are in no script run of the trace`);
  const part = (list, key) => median(list.map((t) => t[key])).toFixed(1);
  const tail = (list, key) => p90(list.map((t) => t[key])).toFixed(1);
  const panels = Object.keys(firsts[0].panels).map((id) => `${id} ${median(firsts.map((t) => t.panels[id])).toFixed(1)}`).join(", ");
  console.log(
    `PERF samples=${samples} first_snapshot_task_ms median=${part(firsts, "ms")} p90=${tail(firsts, "ms")} of ${COLD_PAGES} fresh pages ` +
      `(each: ${firsts.map((t) => `${t.ms.toFixed(1)}=${t.parse.toFixed(1)}/${t.store.toFixed(1)}/${t.frames.toFixed(1)}/${t.render.toFixed(1)}`).join(" ")}; parse ${part(firsts, "parse")}, store ${part(firsts, "store")}, frames ${part(firsts, "frames")}, render ${part(firsts, "render")}); ` +
      `all its tasks: script_ms median=${part(firsts, "script")} p90=${tail(firsts, "script")} in ${part(firsts, "tasks")} tasks, the longest median=${part(firsts, "longest")} p90=${tail(firsts, "longest")}, every panel drawn after median=${part(firsts, "complete")} ms (panels: ${panels}); ` +
      `the CPU time of those tasks: cpu_ms median=${part(firsts, "cpu")} p90=${tail(firsts, "cpu")}, the longest task's longest_cpu median=${part(firsts, "longestCpu")} p90=${tail(firsts, "longestCpu")} (${unmatched} of ${spans} tasks found in no traced task, counted at their wall time; each: ${firsts.map((t) => `${t.cpu.toFixed(1)}/${t.script.toFixed(1)}`).join(" ")}); ` +
      `the CPU time of the script runs in them: script_cpu_ms median=${part(firsts, "scriptCpu")} p90=${tail(firsts, "scriptCpu")}, the longest run's longest_script_cpu median=${part(firsts, "longestScriptCpu")} p90=${tail(firsts, "longestScriptCpu")} (${unmatchedScripts} spans found in no traced script run, counted by their whole tasks; each: ${firsts.map((t) => t.scriptCpu.toFixed(1)).join(" ")})`,
  );
  const last = histories[histories.length - 1];
  console.log(
    `PERF the page's history: history_script_ms median=${part(histories, "ms")} p90=${tail(histories, "ms")} in ${part(histories, "tasks")} tasks, ` +
      `the longest median=${part(histories, "longest")} p90=${tail(histories, "longest")}; folding it into the frames median=${part(histories, "seed")} p90=${tail(histories, "seed")} ` +
      `(the last page's: ${last.points} points of ${last.series} series)`,
  );
  console.log(
    `PERF warm_snapshot_median_ms=${part(warm, "ms")} warm_snapshot_max_ms=${Math.max(...warm.map((t) => t.ms)).toFixed(1)} ` +
      `delta_median_ms=${part(deltas, "ms")} of ${deltas.length} (warm: store ${part(warm, "store")}, frames ${part(warm, "frames")}, render ${part(warm, "render")})`,
  );
});

test("export writes the state and import brings it back, paused", async () => {
  const { page, problems, close } = await open();
  await live(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
  const file = path.join(process.env.SCREENSHOT_DIR, "export.json");
  await download.saveAs(file);
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#import")]);
  await chooser.setFiles(file);
  await page.waitForFunction(() => document.getElementById("status").dataset.state === "imported", null, { timeout: 10_000 });
  assert.equal(await page.evaluate(() => window.__actorscope.store.families.has("app_hostile_total")), true);
  assert.equal(await page.evaluate(() => window.__actorscope.mode()), "stopped", "an imported state is not overwritten by live data");
  await page.click("#pause"); // "Resume live"
  await live(page);
  assert.deepEqual(problems, []);
  await close();
});

test("keyboard: 1/2/3/4 pick the range, ? opens the help, j moves between panels", async () => {
  const { page, problems, close } = await open();
  await live(page);
  await page.keyboard.press("3");
  assert.equal(await page.getAttribute('[data-range="1h"]', "aria-pressed"), "true");
  assert.match(page.url(), /range=1h/);
  await page.keyboard.press("4");
  assert.equal(await page.getAttribute('[data-range="10h"]', "aria-pressed"), "true");
  assert.match(page.url(), /range=10h/);
  await page.keyboard.press("?");
  assert.equal(await page.evaluate(() => document.getElementById("help").open), true);
  await page.keyboard.press("Escape");
  assert.equal(await page.evaluate(() => document.getElementById("help").open), false);
  await page.keyboard.press("j");
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("panel")), true);
  assert.deepEqual(problems, []);
  await close();
});

test("without EventSource the page polls and still updates", async () => {
  const { page, problems, close } = await open("", () => {
    delete window.EventSource;
  });
  await page.waitForFunction(() => document.getElementById("status").dataset.state === "polling", null, { timeout: 10_000 });
  await page.waitForFunction(() => window.__actorscope.store.families.has("app_ticks_total"), null, { timeout: 10_000 });
  const first = await page.evaluate(() => window.__actorscope.timings.length);
  await page.waitForFunction((n) => window.__actorscope.timings.length > n, first, { timeout: 10_000 });
  assert.deepEqual(problems, []);
  await close();
});

/** The fixture's document with the process and allocator families added (the fixture
 * registers neither), `grown` bytes further along, so the memory panel has every tile. */
function withMemory(doc, grown) {
  const gauge = (name, value) => ({ name, help: name + ".", type: "gauge", unit: "bytes", samples: [{ labels: {}, value }] });
  const counter = (name, value) => ({ name, help: name + ".", type: "counter", unit: "bytes", samples: [{ labels: {}, value }] });
  return {
    ...doc,
    families: [
      ...doc.families,
      gauge("process_resident_memory_bytes", 50e6 + grown),
      gauge("process_anonymous_memory_bytes", 30e6 + grown),
      gauge("process_swap_bytes", 0),
      gauge("actorscope_allocator_live_bytes", 20e6 + grown),
      gauge("actorscope_allocator_peak_live_bytes", 25e6 + grown),
      counter("actorscope_allocator_allocated_bytes_total", 900e6 + 2 * grown),
      counter("actorscope_allocator_freed_bytes_total", 880e6 + grown),
      // glibc's view: 12 of 40 MB held are free, 30%: past the 25% warning.
      { ...gauge("actorscope_heap_held_bytes", 40e6), samples: [{ labels: { allocator: "glibc" }, value: 40e6 }] },
      { ...gauge("actorscope_heap_free_bytes", 12e6), samples: [{ labels: { allocator: "glibc" }, value: 12e6 }] },
    ],
  };
}

test("every tile and card has a tooltip: what it is, which family, how it is computed", async () => {
  const { page, problems, close } = await open();
  await live(page);
  await load(20);
  await page.waitForSelector(".pool .pool-title");
  await page.keyboard.press("p"); // paused: the documents below stay what the page shows
  const doc = await page.evaluate(async () => (await fetch("metrics")).json());
  await page.evaluate(async ([first, second]) => {
    window.__actorscope.measure(first);
    // The second in the next 1 s frame (the page keeps one frame per second): a rate exists.
    const frame = Math.floor(Date.now() / 1000);
    while (Math.floor(Date.now() / 1000) === frame) await new Promise((resolve) => setTimeout(resolve, 20));
    window.__actorscope.measure(second);
  }, [withMemory(doc, 0), withMemory(doc, 1e6)]);
  const tooltips = await page.evaluate(() =>
    [...document.querySelectorAll("main .tile, main .pool")].map((element) => ({
      what: element.dataset.metric ?? element.querySelector(".pool-title")?.textContent,
      title: element.title,
      // The families the tooltip names exactly, and whether the page holds each.
      held: (/\nFamily: (.*)\n/.exec(element.title)?.[1] ?? "").split(", ").map((family) => window.__actorscope.store.families.has(family)),
    })),
  );
  const metrics = tooltips.map((t) => t.what);
  for (const expected of ["request-rate", "error-rate", "p50", "p99", "in-flight", "rss", "actorscope_allocator_live_bytes", "actorscope_allocator_freed_bytes_total", "allocation-pressure", "heap-fragmentation", "resident-over-live"]) {
    assert.ok(metrics.includes(expected), `a ${expected} tile is shown (${metrics.join(", ")})`);
  }
  assert.ok(tooltips.some((t) => t.what === "owner=api, pool=fixture_slots"), "the slot-map card is there");
  for (const { what, title, held } of tooltips) {
    assert.match(title, /^[^\n]+\.\nFamily: [^\n]+\nHow: [^\n]{10,}$/, `${what}: what, family, how`);
    assert.ok(held[0], `${what}: the first family its tooltip names is one the page holds (${title})`);
  }
  assert.match(await page.getAttribute('[data-metric="allocation-pressure"]', "title"), /Bands: healthy/);
  assert.equal(await page.getAttribute('[data-metric="heap-fragmentation"]', "data-level"), "warn", "30% free but held is past 25%");
  assert.match(await page.textContent('[data-metric="heap-fragmentation"]'), /30\.0%.*fragmented/);
  assert.match(await page.textContent('[data-metric="resident-over-live"] .tile-value'), /^2\.\d+×$/, "51 MB resident over 21 MB live");
  for (const heading of await page.$$eval("main > section.panel:not([hidden]) h2", (all) => all.map((h2) => h2.title))) {
    assert.match(heading, /\nFamily: .+\nHow: /, "every panel heading explains the panel");
  }
  for (const column of await page.$$eval("table.actors thead th[aria-sort]", (all) => all.map((th) => th.title))) {
    assert.match(column, /\nFamily: actorscope_actor_/, "every actor column names its family");
  }
  assert.deepEqual(problems, []);
  await close();
});

test("keyboard: space folds the focused panel (kept on reload), j and k reach the groups, space opens one", async () => {
  const { page, problems, close } = await open();
  await live(page);
  await page.waitForSelector("#overview:not([hidden]) .tile");
  await page.keyboard.press("j");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "overview", "j from nowhere: the first panel");
  await page.keyboard.press(" ");
  assert.equal(await page.evaluate(() => document.getElementById("overview").hasAttribute("data-folded")), true);
  assert.equal(await page.isVisible("#overview .panel-body"), false, "a folded panel hides its body");
  assert.equal(await page.isVisible("#overview h2"), true, "and keeps its heading");
  assert.equal(await page.getAttribute("#overview h2 > button.fold", "aria-expanded"), "false");
  await page.reload();
  await live(page);
  assert.equal(await page.isVisible("#overview .panel-body"), false, "still folded after a reload");
  await page.click("#overview h2 > button.fold");
  assert.equal(await page.isVisible("#overview .panel-body"), true, "the heading unfolds it");
  // From the families panel, j goes into its groups; space opens and closes one.
  await page.waitForSelector("#families details.group");
  await page.focus("#families");
  await page.keyboard.press("j");
  const summary = await page.evaluate(() => document.activeElement?.matches("#families details.group > summary") && document.activeElement.textContent);
  assert.ok(summary, "j from the families panel focuses its first group");
  const isOpen = () => page.evaluate(() => document.activeElement.parentElement.open);
  assert.equal(await isOpen(), false);
  await page.keyboard.press(" ");
  assert.equal(await isOpen(), true, "space opens the focused group");
  await page.keyboard.press(" ");
  assert.equal(await isOpen(), false, "and closes it");
  await page.keyboard.press("k");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "families", "k goes back to the panel");
  await page.keyboard.press("?");
  assert.match(await page.textContent("#help-keys"), /space/, "the help lists space");
  assert.deepEqual(problems, []);
  await close();
});

test("a pool whose in-use count keeps rising while the work is flat is named in the leak banner", async () => {
  const { page, problems, close } = await open();
  await live(page);
  assert.equal(await page.isHidden("#leak-banner"), true, "the fixture does not leak");
  await page.keyboard.press("p"); // paused: only the documents below are applied
  const doc = await page.evaluate(async () => (await fetch("metrics")).json());
  const readings = await page.evaluate((doc) => {
    const pool = doc.families.find((f) => f.name === "actorscope_pool_in_use").samples.find((s) => s.labels.pool === "fixture_slots");
    const start = pool.value;
    const seen = [];
    for (let step = 0; step <= 5; step++) {
      pool.value = start + step; // one more unit held at every scrape, never given back
      window.__actorscope.measure(doc);
      seen.push(window.__actorscope.leaks().warnings.length);
    }
    return seen;
  }, doc);
  assert.deepEqual(readings.slice(0, 3), [0, 0, 0], "not before most of the window's steps went up");
  assert.ok(readings[5] >= 1, `named by the 5th scrape of growth (${readings})`);
  assert.match(await page.textContent("#leak-banner"), /owner=api, pool=fixture_slots: actorscope_pool_in_use grew 5 in \d+ s/);
  assert.deepEqual(problems, []);
  await close();
});

test("the capacity planner proposes pool sizes from the high-water marks and downloads them as TOML", async () => {
  const { page, problems, close } = await open();
  await live(page);
  await page.click("details.planner > summary");
  const proposed = (pool) => page.textContent(`table.planner tr[data-pool="owner=api, pool=${pool}"] td.proposed`);
  assert.equal(await proposed("fixture_slots"), "22", "high-water 17 with 25% headroom");
  assert.equal(await proposed("fixture_full"), "5", "a full pool of 4: 4 × 1.25 → 5");
  await page.fill('input[data-plan="headroom"]', "50");
  await page.waitForFunction(() => document.querySelector('table.planner tr[data-pool="owner=api, pool=fixture_slots"] td.proposed')?.textContent === "26", null, { timeout: 5_000 });
  assert.equal(await page.evaluate(() => document.querySelector("details.planner").open), true, "the planner stays open across ticks");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#plan-download")]);
  const file = path.join(process.env.SCREENSHOT_DIR, "pools.toml");
  await download.saveAs(file);
  const text = (await import("node:fs")).readFileSync(file, "utf8");
  assert.match(text, /plus 50% headroom/);
  assert.match(text, /\[\[pool\]\]\nowner = "api"\npool = "fixture_slots"\ncapacity = 26 # now 20; high-water 17;/);
  await page.fill('input[data-plan="headroom"]', "");
  assert.equal(await page.evaluate(() => document.querySelector('input[data-plan="headroom"]').validationMessage !== ""), true, "an empty headroom is refused");
  assert.equal(await proposed("fixture_slots"), "26", "and the last good value stays");
  assert.deepEqual(problems, []);
  await close();
});

test("profiles: worker-only hides the HTTP panels (kept on reload); the memory panel adapts to the platform", async () => {
  const { page, problems, close } = await open();
  await live(page);
  await page.waitForSelector("#routes:not([hidden])");
  await page.selectOption("#profile", "worker");
  for (const panel of ["routes", "clients", "histogram"]) assert.equal(await page.isVisible("#" + panel), false, panel + " is off for a worker");
  assert.equal(await page.isVisible("#workers"), true);
  assert.equal(await page.$('[data-metric="request-rate"]'), null, "no HTTP tiles in the overview");
  await page.reload();
  await live(page);
  assert.equal(await page.inputValue("#profile"), "worker", "the profile is kept");
  assert.equal(await page.isVisible("#routes"), false);
  await page.focus("#workers");
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("k");
    assert.notEqual(await page.evaluate(() => document.activeElement?.id), "routes", "j/k skip panels that are off");
  }
  await page.selectOption("#profile", "server");
  await page.waitForSelector("#routes:not([hidden])");
  // The platform: the smaps breakdown only where it exists (Linux).
  await page.keyboard.press("p");
  const doc = await page.evaluate(async () => (await fetch("metrics")).json());
  const withPlatform = (os) => ({
    ...doc,
    families: [
      ...doc.families,
      { name: "actorscope_platform_info", help: "The platform.", type: "info", unit: null, samples: [{ labels: { os, arch: "x86_64", family: "unix", kernel: os === "linux" ? "6.1.0" : "" }, value: 1 }] },
      { name: "process_resident_memory_bytes", help: ".", type: "gauge", unit: "bytes", samples: [{ labels: {}, value: 50e6 }] },
      { name: "process_anonymous_memory_bytes", help: ".", type: "gauge", unit: "bytes", samples: [{ labels: {}, value: 30e6 }] },
    ],
  });
  await page.evaluate((doc) => window.__actorscope.measure(doc), withPlatform("macos"));
  assert.equal(await page.isVisible('[data-metric="process_resident_memory_bytes"]'), true);
  assert.equal(await page.$('[data-metric="process_anonymous_memory_bytes"]'), null, "no smaps breakdown off Linux");
  assert.match(await page.textContent("#memory .platform"), /^macos x86_64: no smaps breakdown/);
  await page.evaluate((doc) => window.__actorscope.measure(doc), withPlatform("linux"));
  assert.equal(await page.isVisible('[data-metric="process_anonymous_memory_bytes"]'), true, "on Linux it is shown");
  assert.match(await page.textContent("#memory .platform"), /^linux x86_64, kernel 6\.1\.0: smaps breakdown/);
  assert.deepEqual(problems, []);
  await close();
});

test("slot grids: a big pool is aggregated, counts per state, tooltips with owner and age, changes highlighted, owners stacked", async () => {
  const { page, problems, close } = await open();
  await live(page);
  const big = '.pool:has(.pool-title:text("fixture_big"))';
  await page.waitForSelector(big + " svg.slots.aggregated");
  assert.equal(await page.getAttribute(big + " svg.slots", "data-cells"), "1024", "3,000 slots in 32 × 32 cells");
  assert.equal(await page.$$eval(big + " svg.slots path", (paths) => paths.length), 5, "one path per state and one for the changes: no element per cell");
  const squares = await page.$$eval(big + " svg.slots path:not(.changed)", (paths) => paths.map((path) => path.getAttribute("d").split("h9v9").length - 1));
  assert.equal(squares.reduce((sum, n) => sum + n, 0), 1024, `every cell is a square in one state's path (${squares.join(", ")})`);
  assert.match(await page.textContent(big + " .slot-counts"), /^850 active, 50 idle, 2100 free$/);
  // Cells changed at the last tick are outlined (the idle run moves every scrape).
  await page.waitForFunction(() => {
    const card = [...document.querySelectorAll("#pools .pool")].find((c) => c.querySelector(".pool-title")?.textContent.includes("fixture_big"));
    return (card?.querySelector("path.changed")?.getAttribute("d") ?? "") !== "";
  }, null, { timeout: 10_000 });
  // The first cell, at the grid's top left: its tooltip.
  await page.hover(big + " svg.slots", { position: { x: 2, y: 2 } });
  assert.equal(await page.getAttribute(big + " svg.slots", "data-cell"), "0");
  const tooltip = await page.textContent(big + " svg.slots > title");
  assert.match(tooltip, /^slots 0–1: 2 active\nslot \d changed last: in its state for (at least )?\d+ s/);
  assert.match(tooltip, /\nowner: owner=api, pool=fixture_big$/);
  // A small grid: one cell per slot, a square each in its state's path (20 slots, one
  // row: slot 3 idle, slot 4 closing), and its own tooltip.
  const small = '.pool:has(.pool-title:text("fixture_slots"))';
  assert.equal(await page.getAttribute(small + " svg.slots", "data-cells"), "20");
  const smallSquares = await page.$$eval(small + " svg.slots path:not(.changed)", (paths) => paths.map((path) => path.getAttribute("d").split("h9v9").length - 1));
  assert.equal(smallSquares.reduce((sum, n) => sum + n, 0), 20, `one square per slot (${smallSquares.join(", ")})`);
  assert.equal(await page.getAttribute(small + " svg.slots path.idle", "d"), "M30,0h9v9h-9zm10,0", "slot 3's square, the fourth of the row");
  assert.equal(await page.getAttribute(small + " svg.slots path.closing", "d"), "M40,0h9v9h-9zm10,0");
  // Slot 3 on the page: 11 px a slot, so the middle of the fourth square.
  await page.hover(small + " svg.slots", { position: { x: 3 * 11 + 5, y: 5 } });
  assert.equal(await page.getAttribute(small + " svg.slots", "data-cell"), "3");
  assert.match(await page.textContent(small + " svg.slots > title"), /^slot 3: idle for at least \d+ s \(since the page opened\)\nowner: owner=api, pool=fixture_slots$/);
  assert.match(await page.textContent(small + " .slot-counts"), /^15 active, 1 idle, 1 closing, 3 free$/);
  // The legend counts every shown grid's slots.
  const legend = await page.$$eval("#pools .legend [data-state]", (spans) => spans.map((s) => s.textContent));
  assert.equal(legend.length, 4);
  assert.ok(legend.every((text) => /^(free|active|idle|closing) \d+$/.test(text)), legend.join(" | "));
  // The connections pool has a grid per worker: one stacked bar, a segment per owner.
  const owners = await page.$$eval('.owner-bar[data-pool="connections"] .owner-segment', (segments) => segments.map((s) => s.dataset.owner));
  assert.deepEqual(owners.sort(), ["owner=api, worker=0", "owner=api, worker=1"]);
  assert.deepEqual(problems, []);
  await close();
});

test("an import made earlier than the current range restores its view and shows its trends as of then", async () => {
  await load(30);
  const first = await open("?worker=1&range=1h");
  await live(first.page).catch(async (error) => {
    throw new Error(`${error.message}: ${await first.page.textContent("#status")} ${JSON.stringify(first.problems)}`);
  });
  // The 1 h range is seeded from the server's history: wait for a trend to draw.
  await first.page.waitForSelector("#overview .sparkline path", { timeout: 20_000 });
  const [download] = await Promise.all([first.page.waitForEvent("download"), first.page.click("#export")]);
  const original = JSON.parse((await import("node:fs")).readFileSync(await download.path(), "utf8"));
  await first.close();
  // The same export, as if made three hours ago: older than any range but 10 h.
  const shift = 3 * 3_600_000;
  const older = structuredClone(original);
  older.exported_at = new Date(Date.parse(original.exported_at) - shift).toISOString();
  for (const ring of ["fine", "coarse", "long"]) for (const frame of older.frames[ring]) frame.t -= shift;
  const file = path.join(process.env.SCREENSHOT_DIR, "export-3h-ago.json");
  (await import("node:fs")).writeFileSync(file, JSON.stringify(older));

  const { page, problems, close } = await open();
  await live(page);
  assert.equal(await page.getAttribute('[data-range="5m"]', "aria-pressed"), "true", "a fresh page starts at 5 m, all workers");
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#import")]);
  await chooser.setFiles(file);
  await page.waitForFunction(() => document.getElementById("status").dataset.state === "imported", null, { timeout: 10_000 });
  assert.equal(await page.getAttribute('[data-range="1h"]', "aria-pressed"), "true", "the export's range");
  assert.equal(await page.inputValue("#worker-filter"), "1", "the export's worker filter");
  assert.match(page.url(), /[?&]worker=1/);
  assert.match(page.url(), /[?&]range=1h/);
  assert.ok((await page.$$("#overview .sparkline path")).length > 0, "the three-hour-old trends are drawn, as of the export");
  assert.match(await page.textContent("#status"), new RegExp("imported \\(exported " + older.exported_at.replace(/[.]/g, "\\.")));
  assert.deepEqual(problems, []);
  await close();
});

test(`budgets: frame times with every panel open on the 10 h range, and the JS heap with every ring full at ${wideSeries} series`, async () => {
  // Full history for every series the fixture has, served in place of the server's
  // (which only holds what it saw since the test server started): 5 minutes at 1 s,
  // an hour at 10 s, and 10 hours of 5-minute slots with their min and max. The page
  // seeds each ring as its range is picked, so all three end up full: more than an
  // hour's worth of the 10 h range, the most the page ever holds.
  const real = await (await fetch(url + "history?range=1h")).json();
  const now = Date.now();
  const synthetic = (count, step, band) => {
    const points = [];
    for (let i = count - 1; i >= 0; i--) {
      const point = { t: now - i * step, values: real.series.map((_, s) => s + i) };
      if (band) Object.assign(point, { min: point.values.map((v) => v - 1), max: point.values.map((v) => v + (i % 7 === 0 ? 50 : 1)) });
      points.push(point);
    }
    return JSON.stringify({ ...real, resolution_seconds: step / 1000, points });
  };
  const bodies = { "5m": synthetic(300, 1000, false), "1h": synthetic(360, 10_000, false), "10h": synthetic(120, 300_000, true) };
  const { page, problems, close } = await open("?range=1h");
  await page.route("**/debug/history?*", (route) => {
    const range = new URL(route.request().url()).searchParams.get("range");
    return route.fulfill({ contentType: "application/json", body: bodies[range] ?? bodies["5m"] });
  });
  await page.reload();
  await live(page);
  await page.waitForFunction(() => window.__actorscope.frameCounts().coarse >= 360, null, { timeout: 20_000 });
  await page.click('[data-range="5m"]');
  await page.waitForFunction(() => window.__actorscope.frameCounts().fine >= 300, null, { timeout: 20_000 });
  await page.click('[data-range="10h"]');
  await page.waitForFunction(() => window.__actorscope.frameCounts().long >= 120, null, { timeout: 20_000 });
  // The gauges' trends shade each slot's lowest to highest reading.
  await page.waitForSelector("main .sparkline path.band", { timeout: 10_000, state: "attached" });
  assert.equal(await page.getAttribute('[data-range="10h"]', "aria-pressed"), "true");
  // Every panel open: none folded, every family group opened.
  await page.evaluate(() => {
    for (const section of document.querySelectorAll("main > section.panel")) section.removeAttribute("data-folded");
    for (const group of document.querySelectorAll("details.group")) group.open = true;
  });
  /** The times between frames over `ms` of the page's life, in ms. */
  const frameTimes = (ms) =>
    page.evaluate(
      (span) =>
        new Promise((resolve) => {
          const times = [];
          let last = performance.now();
          const started = last;
          const step = (at) => {
            times.push(at - last);
            last = at;
            if (at - started < span) requestAnimationFrame(step);
            else resolve(times.slice(1));
          };
          requestAnimationFrame(step);
        }),
      ms,
    );
  const quantile = (list, q) => {
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  };
  /** Frames that took longer than one and a half of the display's (60 Hz) frames: a dropped frame. */
  const dropped = (list) => list.filter((ms) => ms > 1.5 * (1000 / 60)).length;
  /** The figures both measurements print. */
  const summary = (list) => `frame_ms_p50=${quantile(list, 0.5).toFixed(2)} p95=${quantile(list, 0.95).toFixed(2)} max=${quantile(list, 1).toFixed(2)}, ${dropped(list)} dropped`;
  // Served cross-origin isolated (src/web/dashboard.rs): the page's clock reads to
  // microseconds, so a 16.67 ms display frame reads as that, not as 16.6 to 16.8.
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true, "the page is cross-origin isolated");
  const frames = await frameTimes(10_000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  const ticks = await page.evaluate(() => window.__actorscope.timings.filter((t) => t.kind === "delta").length);
  console.log(
    `PERF frames=${frames.length} over 10 s with every panel open (${ticks} live deltas in all): ${summary(frames)}; ` +
      `js_heap_mb=${(usedSize / 1048576).toFixed(1)} after GC with ${await page.evaluate(() => JSON.stringify(window.__actorscope.frameCounts()))} frames of ${real.series.length} history series`,
  );
  // The peer, in the same run: the same page paused (no live update, nothing drawn), so
  // the figures above read against the browser's own frame clock and its jitter.
  await page.click("#pause");
  await page.waitForFunction(() => window.__actorscope.mode() === "stopped", null, { timeout: 10_000 });
  const idle = await frameTimes(3_000);
  console.log(`PERF idle peer: frames=${idle.length} over 3 s, paused: ${summary(idle)}`);
  // Each full history the page applied here (1 h, 5 m, 10 h): in tasks of about 3 ms.
  const histories = await page.evaluate(() => window.__actorscope.historyTimings.filter((t) => t.points >= 120));
  assert.ok(histories.length >= 3, `${histories.length} full histories applied`);
  console.log(
    `PERF full histories (${real.series.length} series): ` +
      histories.map((t) => `${t.points} points in ${t.tasks} tasks, ${t.ms.toFixed(1)} ms in all, the longest ${t.longest.toFixed(1)} ms`).join("; "),
  );
  const counts = await page.evaluate(() => window.__actorscope.frameCounts());
  assert.deepEqual(counts, { fine: 300, coarse: 360, long: 120 }, "every ring full, and no more");
  assert.ok(frames.length > 100, `${frames.length} frames drawn in 10 s`);
  assert.deepEqual(problems, []);
  await close();
});
