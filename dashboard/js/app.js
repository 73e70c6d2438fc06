//# allFunctionsCalledOnLoad
// (The line above is V8's explicit compile hint: Chromium compiles these modules while
// the page loads, not inside the first snapshot. BENCHMARKS.md, "Dashboard".)
// The dashboard: wires the live connection, the store, the frames and the panels.

import { Connection } from "./connection.js";
import { bucketIncrease, compareNatural, mergeBuckets, mergeNative, passes } from "./derive.js";
import { append, download, h, pageStorage, replace } from "./dom.js";
import { formatClock, formatDuration } from "./format.js";
import { exportDocument, parseImport } from "./exchange.js";
import { installFolding } from "./fold.js";
import { Frames, Totals } from "./frames.js";
import { installKeys, KEYS } from "./keyboard.js";
import { renderActors } from "./panels/actors.js";
import { renderErrors } from "./panels/errors.js";
import { renderFamilies } from "./panels/families.js";
import { renderHistogram } from "./panels/histogram.js";
import { forgetLeaks, LEAK_RULE, leakState, renderLeakBanner, watchLeaks } from "./panels/leaks.js";
import { renderMemory } from "./panels/memory.js";
import { CLIENT_CALLS, renderClients, renderRoutes, rowKey, SERVER_ROUTES } from "./panels/endpoints.js";
import { DURATION, renderOverview } from "./panels/overview.js";
import { renderPools } from "./panels/pools.js";
import { renderWorkers } from "./panels/workers.js";
import { PROFILES, panelOn, readProfile, writeProfile } from "./profiles.js";
import { nextTask, PanelScheduler } from "./schedule.js";
import { FILTER_LABELS, MetricStore } from "./store.js";
import { readView, writeView } from "./url.js";

const PANELS = [
  ["overview", renderOverview],
  ["routes", renderRoutes],
  ["clients", renderClients],
  ["workers", renderWorkers],
  ["actors", renderActors],
  ["memory", renderMemory],
  ["pools", renderPools],
  ["histogram", renderHistogram],
  ["errors", renderErrors],
  ["families", renderFamilies],
];
/** Merged buckets of each histogram family, per tick, for recent quantiles. */
const BUCKET_TICKS = 61;

const store = new MetricStore();
let frames = new Frames();
let view = readView(location.search);
let profile = readProfile(pageStorage());
let imported = null;
/** When live data last arrived (ms since the epoch), or null. */
let lastUpdate = null;
const bucketHistory = new Map();
const timings = [];
/** How long each history took to apply (`seedHistory`). */
const historyTimings = [];

const model = {
  store,
  get frames() {
    return frames;
  },
  get view() {
    return view;
  },
  /** The profile chosen in the header (profiles.js). */
  get profile() {
    return profile;
  },
  now: Date.now(),
  /** The merged buckets of `family` about 10 s before the latest tick (or none). */
  bucketsBefore(family) {
    const ticks = bucketHistory.get(family) ?? [];
    return ticks.length > 1 ? ticks[Math.max(0, ticks.length - 11)].buckets : null;
  },
  /**
   * The buckets quantiles of `family` are read from, over the last ~10 s (all of them
   * before there are two ticks): the native ones when every sample has them, else the
   * classic ones.
   */
  quantileBuckets(family) {
    const ticks = bucketHistory.get(family) ?? [];
    const latest = ticks[ticks.length - 1];
    if (!latest) return null;
    const before = ticks.length > 1 ? ticks[Math.max(0, ticks.length - 11)] : null;
    if (latest.native) return bucketIncrease(latest.native, before?.native ?? null);
    return bucketIncrease(latest.buckets, before?.buckets ?? null);
  },
  /**
   * The duration buckets of one row of the route or client table (`<row key>|<family>`)
   * over the last ~10 s, or null before there are any.
   */
  rowBuckets(key) {
    const ticks = bucketHistory.get(key) ?? [];
    const latest = ticks[ticks.length - 1];
    if (!latest) return null;
    const before = ticks.length > 1 ? ticks[Math.max(0, ticks.length - 11)] : null;
    return bucketIncrease(latest.buckets, before?.buckets ?? null);
  },
  /** Request-duration buckets for the latency tiles' quantiles. */
  latencyBuckets() {
    return model.quantileBuckets(DURATION);
  },
  setView(change) {
    const filterChanged = "filter" in change && JSON.stringify(change.filter) !== JSON.stringify(view.filter);
    const rangeChanged = "range" in change && change.range !== view.range;
    view = { ...view, ...change };
    history.replaceState(null, "", location.pathname + writeView(view));
    if (filterChanged) {
      frames.clear();
      bucketHistory.clear();
      forgetLeaks();
    }
    if ((filterChanged || rangeChanged) && !imported) seedHistory();
    render();
  },
  rerender() {
    render();
  },
};

const status = document.getElementById("status");
function setStatus(text, kind = text) {
  status.textContent = text;
  status.dataset.state = kind;
}

/** Records the tick's trend frame: what the update's own task needs before any panel. */
function recordTick() {
  model.now = Date.now();
  const totals = new Totals(view.filter);
  store.eachNumericFamily((name, family, field) => totals.addFamily(name, family, field));
  frames.add(model.now, totals.values);
}

/**
 * Records the rest of a tick, for the panels that read it: merged histogram buckets per
 * family and per table row, and the leak watch. The first job of the update's render,
 * before those panels (so it may run in a task after the update's own); when a newer
 * update takes over before it ran, it records that one's readings once.
 */
function recordTickDetails() {
  for (const family of store.families.values()) {
    if (family.type !== "histogram") continue;
    const samples = [...family.samples.values()].filter((s) => passes(s.labels, view.filter));
    const buckets = mergeBuckets(samples);
    if (!buckets) continue;
    const ticks = bucketHistory.get(family.name) ?? [];
    ticks.push({ t: model.now, buckets, native: mergeNative(samples) });
    if (ticks.length > BUCKET_TICKS) ticks.shift();
    bucketHistory.set(family.name, ticks);
  }
  recordRowBuckets();
  watchLeaks(model);
}

/** Each route and client-table row's merged duration buckets, per tick. */
function recordRowBuckets() {
  for (const table of [SERVER_ROUTES, CLIENT_CALLS]) {
    const family = store.families.get(table.duration);
    if (!family) continue;
    const rows = new Map();
    for (const sample of family.samples.values()) {
      if (!passes(sample.labels, view.filter)) continue;
      const key = rowKey(sample.labels, table.labels) + "|" + table.duration;
      if (!rows.has(key)) rows.set(key, []);
      rows.get(key).push(sample);
    }
    for (const [key, samples] of rows) {
      const buckets = mergeBuckets(samples);
      if (!buckets) continue;
      const ticks = bucketHistory.get(key) ?? [];
      ticks.push({ t: model.now, buckets });
      if (ticks.length > BUCKET_TICKS) ticks.shift();
      bucketHistory.set(key, ticks);
    }
  }
}

/** The values each filter label takes in the store, in natural order (the store notes them as samples arrive). */
function labelValues() {
  const seen = store.labelValues();
  return Object.fromEntries(FILTER_LABELS.map((label) => [label, [...seen[label]].sort(compareNatural)]));
}

/** Keeps the server, client and worker pickers in step with the labels seen; the client
 * picker shows only when some client exists. */
function renderFilters() {
  const all = labelValues();
  document.getElementById("client-picker").hidden = all.client.length === 0 && view.filter.client.length === 0;
  for (const label of FILTER_LABELS) {
    const select = document.getElementById(label + "-filter");
    const values = all[label];
    const chosen = view.filter[label][0] ?? "";
    const signature = values.join("\u0001") + "|" + chosen;
    if (select.dataset.signature === signature) continue;
    select.dataset.signature = signature;
    replace(select, h("option", { value: "" }, "all"), values.map((value) => h("option", { value, selected: value === chosen }, value)));
    if (chosen && !values.includes(chosen)) append(select, [h("option", { value: chosen, selected: true }, chosen)]);
  }
  for (const button of document.querySelectorAll("[data-range]")) {
    button.setAttribute("aria-pressed", String(button.dataset.range === view.range));
  }
}

const panelTimings = {};

/** The process's uptime (from `process_start_time_seconds`) and when data last arrived. */
function renderClock() {
  const started = store.families.get("process_start_time_seconds");
  const start = started ? Math.min(...[...started.samples.values()].map((s) => Number(s.value)).filter(Number.isFinite)) : NaN;
  const uptime = document.getElementById("uptime");
  uptime.hidden = !Number.isFinite(start);
  if (Number.isFinite(start)) uptime.textContent = "up " + formatDuration(model.now / 1000 - start);
  const updated = document.getElementById("updated");
  updated.hidden = lastUpdate === null;
  if (lastUpdate !== null) {
    updated.textContent = "updated " + formatClock(new Date(lastUpdate));
    updated.dateTime = new Date(lastUpdate).toISOString();
  }
}

/**
 * A live update's task starts no job or panel later than this after the update arrived
 * (none, if applying it took longer: on a cold page the first snapshot's task then only
 * applies it, records its frame and draws the header); the rest are drawn in the tasks
 * after it (schedule.js), each starting panels until this long after it began, so a
 * task is at most this plus its last panel. Fewer, fuller tasks than one panel each: a
 * task of its own costs its scheduling and its entry into the page's code, every time.
 * Live updates on a warm page draw most panels within their own task.
 */
const TASK_BUDGET_MS = 3;
const scheduler = new PanelScheduler({ budgetMs: TASK_BUDGET_MS });

/**
 * Draws the header and the panels: every panel now, or with a `deadline` (a
 * `performance.now()` reading) the panels up to it and the rest in the next tasks;
 * `onComplete` as in `PanelScheduler.draw`. `jobs` (`[id, run]`) run first, in the same
 * queue: a live update's `recordTickDetails`. The leak banner is drawn as a job too,
 * after them, since it reads what they record.
 */
function render(deadline = Infinity, onComplete = null, jobs = []) {
  const filtersStarted = performance.now();
  renderFilters();
  panelTimings.filters = performance.now() - filtersStarted;
  document.getElementById("sample-count").textContent = `${store.families.size} families, ${store.sampleCount()} samples`;
  renderClock();
  // Each panel's drawing time, its parts (schedule.js) included.
  const timed = (id, run) => [
    id,
    () => {
      const started = performance.now();
      const parts = run();
      panelTimings[id] = performance.now() - started;
      return parts?.map(([part, runPart]) => [
        part,
        () => {
          const partStarted = performance.now();
          runPart();
          panelTimings[id] += performance.now() - partStarted;
        },
      ]);
    },
  ];
  const panels = PANELS.filter(([id]) => panelOn(profile, id)).map(([id, renderPanel]) => timed(id, () => renderPanel(document.getElementById(id), model)));
  const banner = timed("leak-banner", () => renderLeakBanner(document.getElementById("leak-banner")));
  scheduler.draw([...jobs.map(([id, run]) => timed(id, run)), banner, ...panels], deadline, onComplete);
}

/**
 * Applies live data and renders, recording the script time: `ms` is the update's own
 * task (from `received`, when the stream event's handler began: the parse of its text,
 * then store, frames and the panels drawn in it), `complete` the time until every
 * panel was drawn (null until then), `script` the time all its tasks took, `longest`
 * the longest of them (of a task it shared with a draw that took over, the part until
 * its own panels were drawn) and `spans` when each ran (`[start, end]`, `performance.now()`
 * readings; the browser test reads their CPU time from a trace). A render that takes
 * over (a seeded history, a new tick) draws the panels still waiting first, and counts
 * as this one's until they are drawn; its redraws of the others are its own.
 */
function apply(kind, update, received = null) {
  lastUpdate = Date.now();
  const applying = performance.now();
  // From when the event's handler began: its text's parse is this task's script time too.
  const started = received ?? applying;
  update();
  const applied = performance.now();
  recordTick();
  const recorded = performance.now();
  const entry = { kind, samples: store.sampleCount(), parse: applying - started, store: applied - applying, frames: recorded - applied, ms: null, render: null, complete: null, script: null, longest: null, tasks: null, panels: null, spans: null };
  let later = []; // when each task after this one drew (`[start, end]`)
  const finish = () => {
    const laterMs = later.map(([start, end]) => end - start);
    entry.script = entry.ms + laterMs.reduce((sum, ms) => sum + ms, 0);
    entry.longest = Math.max(entry.ms, ...laterMs);
    entry.spans = [[started, started + entry.ms], ...later];
  };
  const onComplete = ({ tasks, spans }) => {
    entry.complete = performance.now() - started;
    entry.tasks = tasks;
    entry.panels = { ...panelTimings };
    later = spans.slice(1);
    if (entry.ms !== null) finish();
  };
  render(kind === "measure" ? Infinity : started + TASK_BUDGET_MS, onComplete, [["tick", recordTickDetails]]);
  const done = performance.now();
  entry.ms = done - started;
  entry.render = done - recorded;
  if (entry.complete !== null) finish();
  timings.push(entry);
  if (timings.length > 100) timings.shift();
}

/** Resolves in a task of its own, queued now (schedule.js). */
const nextTaskTurn = () => new Promise((resolve) => nextTask(resolve));

/** The longest the history waits for live data's panels (`afterPanels`). */
const HISTORY_WAIT_MS = 1000;

/**
 * Resolves once no panel waits to be drawn (at once, when none does), or after
 * `HISTORY_WAIT_MS` at most: the history's work queues behind the tasks that draw live
 * data (the first snapshot's, on a fresh page), one turn each, and never runs in one of
 * them. Live values show first; the trends fill in after.
 */
async function afterPanels() {
  const since = performance.now();
  while (scheduler.pending && performance.now() - since < HISTORY_WAIT_MS) await nextTaskTurn();
}

/**
 * Fetches the page's past (`/debug/history`) and seeds the frames with it, in tasks of
 * about `TASK_BUDGET_MS` (five minutes of 2,000 series are 600,000 readings), then
 * draws. Dropped when the frames were cleared or replaced meanwhile (a filter change,
 * an import): the call that did that fetches its own.
 */
async function seedHistory() {
  const params = new URLSearchParams({ range: view.range });
  for (const label of FILTER_LABELS) for (const value of view.filter[label]) params.append(label, value);
  try {
    const response = await fetch("history?" + params);
    const doc = response.ok ? await response.json() : null;
    const seededFrames = frames;
    // Made before the wait below: it notes the frames' columns now, so a filter change
    // meanwhile (which clears them and fetches its own history) drops this one.
    const seeding = doc ? seededFrames.seeder(doc, view.filter) : null;
    await afterPanels();
    // `ms`: the script time of its tasks (the parse of the document, before them, not
    // counted), `seed` of those that seed the frames, `longest` the longest task.
    const entry = { series: doc?.series?.length ?? 0, points: doc?.points?.length ?? 0, seed: 0, tasks: 0, longest: 0, ms: 0 };
    let taskStarted = performance.now();
    const endTask = () => {
      const ms = performance.now() - taskStarted;
      entry.tasks += 1;
      entry.ms += ms;
      entry.longest = Math.max(entry.longest, ms);
    };
    if (seeding) {
      while (!seeding.step(taskStarted + TASK_BUDGET_MS)) {
        endTask();
        await nextTaskTurn();
        taskStarted = performance.now();
      }
      if (frames !== seededFrames || !seeding.finish()) return;
      entry.seed = entry.ms + (performance.now() - taskStarted);
    }
    // A snapshot that arrived while the history was folded in is drawn first, too.
    if (scheduler.pending) {
      endTask();
      await afterPanels();
      taskStarted = performance.now();
    }
    // Then drawn like a live update: in tasks that fit a frame, not all in one.
    render(performance.now() + TASK_BUDGET_MS);
    endTask();
    historyTimings.push(entry);
    if (historyTimings.length > 100) historyTimings.shift();
  } catch {
    // No history: the page starts from now.
  }
}

const connection = new Connection({
  streamUrl: "stream",
  snapshotUrl: "metrics",
  onSnapshot: (doc, id, received) => apply("snapshot", () => store.applySnapshot(doc, id), received),
  onDelta: (doc, id, received) => apply("delta", () => store.applyDelta(doc, id), received),
  onStatus: (mode) => setStatus(mode === "polling" ? "polling (stream unavailable)" : mode, mode),
});

function exportState() {
  const doc = exportDocument(store, frames, view);
  download(`actorscope-${doc.exported_at.replace(/[:.]/g, "-")}.json`, "application/json", JSON.stringify(doc));
}

async function importFile(file) {
  try {
    const state = parseImport(await file.text());
    connection.stop();
    imported = state;
    store.applySnapshot(state.snapshot);
    frames = state.frames;
    bucketHistory.clear();
    // The export's own time and view: its trends show whenever it was made.
    model.now = state.timeBase;
    if (state.view) {
      view = state.view;
      history.replaceState(null, "", location.pathname + writeView(view));
    }
    setStatus(`imported (exported ${state.exportedAt ?? "at an unknown time"})`, "imported");
    document.getElementById("pause").textContent = "Resume live";
    render();
  } catch (error) {
    setStatus("import failed: " + error.message, "error");
  }
}

function togglePause() {
  const button = document.getElementById("pause");
  if (connection.mode === "stopped") {
    if (imported) {
      imported = null;
      frames = new Frames();
      bucketHistory.clear();
      forgetLeaks();
      seedHistory();
    }
    button.textContent = "Pause";
    connection.start();
  } else {
    connection.stop();
    setStatus("paused", "stopped");
    button.textContent = "Resume live";
  }
}

/** Applies profile `name`: turns its panels off and the rest on, and keeps the choice. */
function applyProfile(name) {
  profile = name;
  writeProfile(pageStorage(), name);
  for (const [id] of PANELS) document.getElementById(id).toggleAttribute("data-off", !panelOn(name, id));
  document.getElementById("profile").value = name;
  render();
}

function toggleHelp() {
  const dialog = document.getElementById("help");
  if (dialog.open) dialog.close();
  else dialog.showModal();
}

function setUp() {
  installFolding(PANELS.map(([id]) => document.getElementById(id)));
  document.getElementById("leak-banner").title = LEAK_RULE;
  const picker = document.getElementById("profile");
  replace(picker, Object.entries(PROFILES).map(([name, { label }]) => h("option", { value: name }, label)));
  picker.addEventListener("change", () => applyProfile(picker.value));
  for (const [id] of PANELS) document.getElementById(id).toggleAttribute("data-off", !panelOn(profile, id));
  picker.value = profile;
  replace(document.getElementById("help-keys"), KEYS.map(([keys, what]) => h("tr", {}, h("th", {}, keys), h("td", {}, what))));
  for (const button of document.querySelectorAll("[data-range]")) {
    button.addEventListener("click", () => model.setView({ range: button.dataset.range }));
  }
  for (const label of FILTER_LABELS) {
    document.getElementById(label + "-filter").addEventListener("change", (event) => {
      const value = event.target.value;
      model.setView({ filter: { ...view.filter, [label]: value ? [value] : [] } });
    });
  }
  const file = document.getElementById("import-file");
  file.addEventListener("change", () => file.files[0] && importFile(file.files[0]));
  document.getElementById("import").addEventListener("click", () => file.click());
  document.getElementById("export").addEventListener("click", exportState);
  document.getElementById("pause").addEventListener("click", togglePause);
  document.getElementById("help-button").addEventListener("click", toggleHelp);
  installKeys({
    range: (range) => model.setView({ range }),
    search: () => document.getElementById("family-search")?.focus(),
    pause: togglePause,
    exportState,
    importState: () => file.click(),
    help: toggleHelp,
  });
  // For tests and the curious: what the page holds and how long updates took.
  window.__actorscope = {
    timings,
    historyTimings,
    panelTimings,
    store,
    mode: () => connection.mode,
    leaks: leakState,
    /** How many frames each ring holds (fine: 1 s, coarse: 10 s, long: 5 min). */
    frameCounts: () => ({ fine: frames.fine.frames.length, coarse: frames.coarse.frames.length, long: frames.long.frames.length }),
    /** Applies `doc` as a snapshot exactly as live data is applied; returns the timing. */
    measure(doc) {
      apply("measure", () => store.applySnapshot(doc));
      return timings[timings.length - 1];
    },
  };
  render();
  seedHistory();
  connection.start();
}

setUp();
