//# allFunctionsCalledOnLoad
// The capacity planner under the pool cards: for each pool shown, its capacity, in use,
// high-water mark, the mark's growth, and a proposed size (capacity.js has the rule),
// with the headroom and horizon as controls and the proposals downloadable as TOML.

import { configSnippet, MarkHistory, plan, PLAN_DEFAULTS } from "../capacity.js";
import { download, h } from "../dom.js";
import { formatNumber } from "../format.js";
import { controls } from "./common.js";

const state = { ...PLAN_DEFAULTS, open: false };
/** The pools the planner showed last: what the download button writes. */
let shown = [];
/** Each pool's high-water readings, by its key. */
const marks = new Map();

/** Records this tick's marks; forgets pools no longer reported. */
function record(model, pools) {
  const seen = new Set();
  for (const pool of pools) {
    seen.add(pool.key);
    if (!marks.has(pool.key)) marks.set(pool.key, new MarkHistory());
    // A pool without a high-water family: the most in use the page has seen.
    const history = marks.get(pool.key);
    const last = history.points[history.points.length - 1]?.[1] ?? -Infinity;
    history.add(model.now, Number.isFinite(pool.highWater) ? pool.highWater : Math.max(pool.used, last));
  }
  for (const key of marks.keys()) if (!seen.has(key)) marks.delete(key);
}

function proposals(pools) {
  return pools.map((pool) => {
    const history = marks.get(pool.key);
    const mark = history?.points[history.points.length - 1]?.[1];
    return plan({ ...pool, highWater: Number.isFinite(pool.highWater) ? pool.highWater : mark }, history?.growthPerHour() ?? 0, state);
  });
}

function downloadConfig(pools) {
  const name = `actorscope-pools-${new Date().toISOString().replace(/[:.]/g, "-")}.toml`;
  download(name, "application/toml", configSnippet(proposals(pools), state));
}

function numberInput(label, key, scale, attrs, model) {
  return h(
    "label",
    {},
    label + " ",
    h("input", {
      type: "number",
      "data-plan": key,
      "aria-label": "Planner " + label,
      value: String(Math.round(state[key] * scale * 100) / 100),
      ...attrs,
      oninput: (event) => {
        const value = Number(event.target.value);
        // An empty or unreadable field keeps the last good value (and says so).
        event.target.setCustomValidity(Number.isFinite(value) && value >= 0 && event.target.value !== "" ? "" : "a number, 0 or more");
        if (event.target.validity.valid) {
          state[key] = value / scale;
          model.rerender();
        }
      },
    }),
  );
}

/**
 * The planner for `pools` (`[{ key, labels, title, capacity, used, highWater }]`, the ones
 * the filters let through): records their marks, and returns the planner's element.
 */
export function renderPlanner(section, model, pools) {
  record(model, pools);
  shown = pools;
  controls(section, "planner", () => [
    h("span", { class: "type" }, "Capacity planner:"),
    numberInput("headroom %", "headroom", 100, { min: 0, max: 1000, step: 5 }, model),
    numberInput("horizon h", "horizonHours", 1, { min: 0, max: 8760, step: 1 }, model),
    h("button", { type: "button", id: "plan-download", onclick: () => downloadConfig(shown) }, "Download pool config"),
  ]);
  if (pools.length === 0) return null;
  const details = h(
    "details",
    {
      class: "planner",
      open: state.open,
      title: `Proposed = ceil((high-water + growth/h × ${state.horizonHours} h) × (1 + ${Math.round(state.headroom * 100)}% headroom)); growth is the mark's rise per hour over what this page has seen (none before a minute). Families: actorscope_pool_high_water, actorscope_pool_capacity, actorscope_pool_in_use, slot maps.`,
    },
    h("summary", {}, "Capacity planner"),
  );
  // The table is built while the planner is open, or when it is opened: a closed one
  // (the default) costs a summary, not a row per pool.
  if (state.open) details.appendChild(proposalTable(pools));
  details.addEventListener("toggle", () => {
    state.open = details.open;
    if (details.open && details.childNodes.length === 1) details.appendChild(proposalTable(shown));
  });
  return details;
}

/** The planner's table: a row per pool of `pools`, with its proposal. */
function proposalTable(pools) {
  const rows = proposals(pools).map((p) =>
    h(
      "tr",
      { "data-pool": p.title },
      h("th", { scope: "row" }, p.title),
      h("td", {}, String(p.capacity)),
      h("td", {}, String(p.used)),
      h("td", {}, String(p.mark)),
      h("td", {}, formatNumber(p.growthPerHour) + "/h"),
      h("td", { class: "proposed", "data-change": Math.sign(p.change) }, String(p.proposed)),
      h("td", {}, p.change === 0 ? "±0" : (p.change > 0 ? "+" : "") + p.change),
    ),
  );
  return h(
    "table",
    { class: "planner" },
    h("thead", {}, h("tr", {}, ["pool", "capacity", "in use", "high-water", "growth", "proposed", "change"].map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, rows),
  );
}
