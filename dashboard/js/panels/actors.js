//# allFunctionsCalledOnLoad
// Actor insight: one row per actor type (or instance, for per-instance types) with its
// message rate, p99 handling time and mailbox wait over the last ~10 s, mailbox depth,
// errors (handler panics and failed sends), restarts and busy share, sortable, with a
// sparkline of the sorted column; and a live top 5 by busy time, depth or slow
// handlings, as observer_cli lists processes. Hidden when no actor is instrumented.

import { bucketIncrease, compareNatural, histogramQuantile, mergeBuckets, passes, rates } from "../derive.js";
import { h, replace, show } from "../dom.js";
import { ACTOR_COLUMNS, explainText } from "../explain.js";
import { formatNumber, formatPercent, formatRate, formatSeconds } from "../format.js";
import { num } from "../store.js";
import { sparkline } from "../sparkline.js";
import { controls, currentRate } from "./common.js";

const HANDLED = "actorscope_actor_messages_handled_total";
const HANDLING = "actorscope_actor_message_handling_seconds";
const WAITING = "actorscope_actor_mailbox_wait_seconds";
const DEPTH = "actorscope_actor_mailbox_depth";
const BUSY = "actorscope_actor_busy_seconds_total";
const SLOW = "actorscope_actor_slow_handlings_total";
const PANICS = "actorscope_actor_handler_panics_total";
const FAILURES = "actorscope_actor_send_failures_total";
const RESTARTS = "actorscope_actor_restarts_total";
const ACTIVE = "actorscope_actor_active";
/** Ticks between the buckets a recent quantile is taken over (~10 s). */
const WINDOW = 10;
const TOP = 5;

/** The row an actor series belongs to: its type, and its instance when it has one. */
export function rowOf(labels) {
  return labels.instance === undefined ? labels.actor : labels.actor + "/" + labels.instance;
}

/** The sum of the samples of `family` per row (type, or type/instance). */
function sums(model, family) {
  const out = new Map();
  for (const sample of model.store.families.get(family)?.samples.values() ?? []) {
    if (sample.labels.actor === undefined || !passes(sample.labels, model.view.filter)) continue;
    const row = rowOf(sample.labels);
    out.set(row, (out.get(row) ?? 0) + num(sample.value));
  }
  return out;
}

/** Merged buckets of `family` per row. */
function bucketsByRow(model, family) {
  const grouped = new Map();
  for (const sample of model.store.families.get(family)?.samples.values() ?? []) {
    if (sample.labels.actor === undefined || !passes(sample.labels, model.view.filter)) continue;
    const row = rowOf(sample.labels);
    if (!grouped.has(row)) grouped.set(row, []);
    grouped.get(row).push(sample);
  }
  return new Map([...grouped].map(([row, samples]) => [row, mergeBuckets(samples)]));
}

/** Per row, the merged buckets of each tick (newest last), for recent quantiles. */
const history = new Map();
let lastTick = null;

function remember(model, rows) {
  if (model.now === lastTick) return;
  lastTick = model.now;
  const handling = bucketsByRow(model, HANDLING);
  const waiting = bucketsByRow(model, WAITING);
  for (const row of rows) {
    const ticks = history.get(row) ?? [];
    ticks.push({ handling: handling.get(row) ?? null, waiting: waiting.get(row) ?? null });
    if (ticks.length > WINDOW + 1) ticks.shift();
    history.set(row, ticks);
  }
  for (const row of history.keys()) if (!rows.includes(row)) history.delete(row);
}

/** The p99 of `kind` (`handling` or `waiting`) for `row` over the window. */
function recentP99(row, kind) {
  const ticks = history.get(row) ?? [];
  const now = ticks[ticks.length - 1]?.[kind];
  if (!now) return NaN;
  const before = ticks.length > 1 ? ticks[0][kind] : null;
  return histogramQuantile(0.99, bucketIncrease(now, before));
}

/**
 * The table's rows: `{ row, rate, p99Handling, p99Wait, depth, errors, restarts, busy }`,
 * with rates from the frames (`actor|<row>|<family>` keys) and the rest from the store.
 * `busy` is the share of one thread each instance spent in handlers.
 */
export function actorRows(model) {
  const handled = sums(model, HANDLED);
  const rows = [...handled.keys()].sort(compareNatural);
  remember(model, rows);
  const depth = sums(model, DEPTH);
  const panics = sums(model, PANICS);
  const restarts = sums(model, RESTARTS);
  const active = sums(model, ACTIVE);
  const failures = sums(model, FAILURES);
  return rows.map((row) => {
    const type = row.split("/")[0];
    const instances = row.includes("/") ? 1 : Math.max(1, active.get(type) ?? 1);
    return {
      row,
      rate: currentRate(model, "actor|" + row + "|" + HANDLED),
      p99Handling: recentP99(row, "handling"),
      p99Wait: recentP99(row, "waiting"),
      depth: depth.get(row) ?? 0,
      // Send failures are counted per type: on the type's row, or its first instance's.
      errors: (panics.get(row) ?? 0) + (row === type || !handled.has(type) ? (failures.get(type) ?? 0) : 0),
      restarts: restarts.get(row) ?? 0,
      busy: currentRate(model, "actor|" + row + "|" + BUSY) / instances,
      slow: currentRate(model, "actor|" + row + "|" + SLOW),
    };
  });
}

const COLUMNS = [
  { key: "rate", label: "msg/s", format: formatRate, trend: HANDLED },
  { key: "p99Handling", label: "p99 handling", format: formatSeconds },
  { key: "p99Wait", label: "p99 mailbox wait", format: formatSeconds },
  { key: "depth", label: "depth", format: formatNumber, trend: DEPTH, gauge: true },
  { key: "errors", label: "errors", format: formatNumber },
  { key: "restarts", label: "restarts", format: formatNumber },
  { key: "busy", label: "busy", format: formatPercent, trend: BUSY },
];
const TOP_BY = { busy: "busy time", depth: "mailbox depth", slow: "slow handlings /s" };
const state = { sort: "busy", descending: true, top: "busy" };

function order(rows, key, descending) {
  const direction = descending ? -1 : 1;
  const value = (row) => (Number.isFinite(row[key]) ? row[key] : -Infinity);
  return [...rows].sort((a, b) => (value(a) === value(b) ? compareNatural(a.row, b.row) : (value(a) - value(b)) * direction));
}

function header(model) {
  return h(
    "tr",
    {},
    h("th", { scope: "col" }, "actor"),
    COLUMNS.map((column) =>
      h(
        "th",
        { scope: "col", "aria-sort": column.key === state.sort ? (state.descending ? "descending" : "ascending") : "none", title: explainText(ACTOR_COLUMNS[column.key]) },
        h(
          "button",
          {
            class: "sort",
            onclick: () => {
              state.descending = state.sort === column.key ? !state.descending : true;
              state.sort = column.key;
              model.rerender();
            },
          },
          column.label,
        ),
      ),
    ),
    h("th", { scope: "col" }, "trend"),
  );
}

function trendOf(model, row) {
  const column = COLUMNS.find((c) => c.key === state.sort && c.trend) ?? COLUMNS[0];
  const key = "actor|" + row + "|" + column.trend;
  const points = model.frames.series(key, model.view.range, model.now);
  const label = row + " " + column.label + " trend";
  return column.gauge ? sparkline(points, { label, band: model.frames.band(key, model.view.range, model.now) }) : sparkline(rates(points), { label });
}

function topList(rows) {
  const ranked = order(rows, state.top, true).filter((row) => row[state.top] > 0).slice(0, TOP);
  const most = ranked.length ? ranked[0][state.top] : 0;
  const format = state.top === "busy" ? formatPercent : state.top === "depth" ? formatNumber : formatRate;
  return h(
    "ol",
    { class: "top-actors", "aria-label": "Top actors by " + TOP_BY[state.top] },
    ranked.map((row) => {
      const fill = h("div", { class: "bar-fill" });
      // Set through the CSSOM: the page's CSP allows no inline style attributes.
      fill.style.width = ((100 * row[state.top]) / most).toFixed(1) + "%";
      return h(
        "li",
        { "data-actor": row.row },
        h("span", { class: "top-name" }, row.row),
        h("div", { class: "bar" }, fill),
        h("span", { class: "top-value" }, format(row[state.top])),
      );
    }),
  );
}

export function renderActors(section, model) {
  const rows = actorRows(model);
  show(section, rows.length > 0);
  if (rows.length === 0) return;
  controls(section, "actors", () => [
    h(
      "label",
      {},
      "Top by ",
      h(
        "select",
        { "aria-label": "Top actors by", onchange: (event) => { state.top = event.target.value; model.rerender(); } },
        Object.entries(TOP_BY).map(([key, label]) => h("option", { value: key, selected: key === state.top }, label)),
      ),
    ),
  ]);
  const body = order(rows, state.sort, state.descending).map((row) =>
    h(
      "tr",
      { "data-actor": row.row },
      h("th", { scope: "row" }, row.row),
      COLUMNS.map((column) => h("td", {}, column.format(row[column.key]))),
      h("td", {}, trendOf(model, row.row)),
    ),
  );
  replace(
    section.querySelector(".panel-body"),
    topList(rows),
    h("div", { class: "scroll" }, h("table", { class: "actors" }, h("thead", {}, header(model)), h("tbody", {}, body))),
  );
}
