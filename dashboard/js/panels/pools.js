//# allFunctionsCalledOnLoad
// Pool occupancy: a grid of slots for every slot map (free, active, idle, closing), and
// a bar for pools that report counts only; a warning at 80% in use, critical at 95%.
// Each card also shows the pool's high-water mark and overflows (acquisitions refused),
// and is marked `overflowing` while its overflow count rose in the last 10 s. Above the
// panels, a page-level banner names every pool past a threshold (see `poolAlert`).

import { increase, occupancy, passes, poolAlert } from "../derive.js";
import { h, replace, show } from "../dom.js";
import { COUNT_CARD, explainText, slotCard } from "../explain.js";
import { formatPercent } from "../format.js";
import { labelKey, num } from "../store.js";
import { describeLabels as describe } from "./common.js";
import { renderPlanner } from "./planner.js";
import { countSlots, countsText, SlotGrid, STATES } from "./slots.js";


/** How far back an overflow keeps a card marked and the banner raised. */
const OVERFLOW_WINDOW_MS = 10_000;

/** Each pool's overflow readings over the last 10 s (`[time, count]`), by label key. */
const overflowHistory = new Map();

/** Records this tick's overflow count of every pool; returns each one's recent increase. */
function recentOverflows(model) {
  const family = model.store.families.get("actorscope_pool_overflows_total");
  const recent = new Map();
  const now = model.now;
  for (const [key, sample] of family?.samples ?? []) {
    let points = overflowHistory.get(key);
    if (!points) overflowHistory.set(key, (points = []));
    if (!points.length || points[points.length - 1][0] < now) points.push([now, num(sample.value)]);
    while (points.length > 1 && points[0][0] < now - OVERFLOW_WINDOW_MS) points.shift();
    recent.set(key, increase(points));
  }
  for (const key of overflowHistory.keys()) if (!recent.has(key)) overflowHistory.delete(key);
  return recent;
}

/** The counts every card shows, read from the pool families by label key. */
function poolFigures(model, key, recent) {
  const read = (name) => model.store.families.get(name)?.samples.get(key)?.value;
  const highWater = read("actorscope_pool_high_water");
  const overflows = read("actorscope_pool_overflows_total");
  return {
    highWater: highWater === undefined ? undefined : num(highWater),
    overflows: overflows === undefined ? 0 : num(overflows),
    recentOverflows: recent.get(key) ?? 0,
  };
}

function usage(used, capacity, figures) {
  const { ratio, level } = occupancy(used, capacity);
  const warning = level === "ok" ? null : h("strong", { class: "pool-warning" }, level === "critical" ? " critical" : " high");
  const peak = figures.highWater === undefined ? null : h("span", { class: "pool-peak", title: "actorscope_pool_high_water: the most units in use at once since the owner started or reset the mark" }, ` · high-water ${figures.highWater}`);
  const overflows =
    figures.overflows > 0
      ? h("span", { class: "pool-overflows", title: "actorscope_pool_overflows_total: acquisitions refused because the pool was full" }, ` · ${figures.overflows} overflow${figures.overflows === 1 ? "" : "s"}` + (figures.recentOverflows > 0 ? ` (+${figures.recentOverflows} in 10 s)` : ""))
      : null;
  return { level, nodes: [`${used} / ${capacity} in use (${formatPercent(ratio)})`, warning, peak, overflows] };
}

function cardClass(level, figures) {
  return "pool " + level + (figures.recentOverflows > 0 ? " overflowing" : "");
}

function card(title, used, capacity, figures, body, explanation) {
  const { level, nodes } = usage(used, capacity, figures);
  return h("div", { class: cardClass(level, figures), "data-level": level, title: explainText(explanation) }, h("div", { class: "pool-title" }, title), h("div", { class: "pool-usage" }, nodes), body);
}

/** Slot grids kept between renders, so a tick only restyles the slots that changed. */
const grids = new Map();

/** `shown`: a slot map with its `counts` per state and slots `used`, counted once a render. */
function gridCard(key, shown, title, figures, now) {
  const { map, counts, used } = shown;
  const states = map.states;
  let grid = grids.get(key);
  if (!grid || grid.slots.slots !== states.length) {
    // A new card is built with this tick's figures: nothing of it to redo below.
    const slots = new SlotGrid(states, title, now);
    const text = h("div", { class: "slot-counts" }, countsText(counts));
    const element = card(title, used, states.length, figures, [text, slots.element], slotCard(map.name));
    grids.set(key, { element, slots, counts: text });
    return element;
  }
  grid.slots.update(states, now);
  replace(grid.counts, countsText(counts));
  const { level, nodes } = usage(used, states.length, figures);
  grid.element.className = cardClass(level, figures);
  grid.element.dataset.level = level;
  replace(grid.element.querySelector(".pool-usage"), ...nodes);
  return grid.element;
}

/**
 * One stacked bar per pool name reported by more than one owner (several slot maps with
 * the same `pool` label: per worker, per server): each owner's slots in use, side by side.
 */
function ownerBars(shownMaps) {
  const byPool = new Map();
  for (const { map, used } of shownMaps) {
    const pool = map.labels.pool ?? map.name;
    if (!byPool.has(pool)) byPool.set(pool, []);
    byPool.get(pool).push({ ...map, used });
  }
  const bars = [];
  for (const [pool, group] of byPool) {
    if (group.length < 2) continue;
    const total = group.reduce((sum, map) => sum + map.states.length, 0);
    const segments = group.map((map, index) => {
      const owner = describe(Object.fromEntries(Object.entries(map.labels).filter(([name]) => name !== "pool")));
      const used = map.used;
      const segment = h("span", { class: "owner-segment owner-" + (index % 6), "data-owner": owner, title: `${owner}: ${used} of its ${map.states.length} slots in use` });
      // Set through the CSSOM: the page's CSP allows no inline style attributes.
      segment.style.width = ((100 * used) / Math.max(1, total)).toFixed(2) + "%";
      return segment;
    });
    bars.push(h("div", { class: "owner-bar", "data-pool": pool, title: `pool=${pool}: slots in use by owner, out of ${total} slots in all` }, h("div", { class: "pool-title" }, `pool=${pool} by owner`), h("div", { class: "bar stacked" }, segments)));
  }
  return bars;
}

/** The states' legend, each with how many slots of the shown grids are in it. */
function legend(shownMaps) {
  const totals = { f: 0, a: 0, i: 0, c: 0 };
  for (const { counts } of shownMaps) {
    for (const letter in totals) totals[letter] += counts[letter];
  }
  return h("div", { class: "legend", title: "Slots in each state, over the slot grids shown" }, Object.entries(STATES).map(([letter, state]) => h("span", { class: "slot " + state, "data-state": state }, `${state} ${totals[letter]}`)));
}

/** Shows or hides the page-level banner above the panels. */
function renderBanner(banner, alert) {
  if (!banner) return;
  banner.hidden = alert.level === "ok";
  banner.dataset.level = alert.level;
  banner.className = "pool-banner " + alert.level;
  replace(banner, ...(alert.level === "ok" ? [] : [h("strong", {}, alert.level === "critical" ? "Pools critical" : "Pools high"), h("ul", {}, alert.messages.map((text) => h("li", {}, text)))]));
}

/**
 * Draws the pools panel and the page-level banner. The banner, the figures and the
 * counts-only cards now; each slot grid, and then the panel's body, as parts of their
 * own (schedule.js): on a cold page a big grid alone is a task's worth.
 */
export function renderPools(section, model) {
  const recent = recentOverflows(model);
  /** Every card in page order; a grid's is filled in by its part. */
  const cards = [];
  const parts = [];
  /** Every pool, for the banner (whatever the filter): `{ key, labels, title, used, capacity, highWater, recentOverflows }`. */
  const everyPool = [];
  /** The pools the filters let through, for the planner. */
  const planned = [];
  const mapped = new Set();
  const seen = new Set();
  const shownMaps = [];
  const pool = (key, labels, used, capacity, figures) => {
    const entry = { key, labels, title: describe(labels), used, capacity, highWater: figures.highWater, recentOverflows: figures.recentOverflows };
    everyPool.push(entry);
    const shown = passes(labels, model.view.filter);
    if (shown) planned.push(entry);
    return shown ? entry : null;
  };
  for (const map of model.store.slotMaps()) {
    const key = labelKey(map.labels);
    const figures = poolFigures(model, key, recent);
    mapped.add(key);
    const { counts, used } = countSlots(map.states);
    const shown = pool(map.name + key, map.labels, used, map.states.length, figures);
    if (!shown) continue;
    seen.add(shown.key);
    const counted = { map, counts, used };
    shownMaps.push(counted);
    const index = cards.push(null) - 1;
    parts.push(["grid " + shown.key, () => (cards[index] = gridCard(shown.key, counted, shown.title, figures, model.now))]);
  }
  for (const key of grids.keys()) if (!seen.has(key)) grids.delete(key);
  const capacity = model.store.families.get("actorscope_pool_capacity");
  const inUse = model.store.families.get("actorscope_pool_in_use");
  if (capacity && inUse) {
    for (const [key, sample] of capacity.samples) {
      if (mapped.has(key)) continue;
      const used = num(inUse.samples.get(key)?.value);
      const total = num(sample.value);
      const figures = poolFigures(model, key, recent);
      const shown = pool(key, sample.labels, used, total, figures);
      if (!shown) continue;
      const { ratio } = occupancy(used, total);
      const bar = h("div", { class: "bar" }, h("div", { class: "bar-fill", "data-ratio": ratio.toFixed(3) }));
      bar.firstChild.style.width = Math.min(100, ratio * 100).toFixed(1) + "%";
      cards.push(card(shown.title, used, total, figures, bar, COUNT_CARD));
    }
  }
  renderBanner(document.getElementById("pool-banner"), poolAlert(everyPool));
  parts.push([
    "cards",
    () => {
      replace(
        section.querySelector(".panel-body"),
        cards.length ? legend(shownMaps) : null,
        ...ownerBars(shownMaps),
        ...cards,
        renderPlanner(section, model, planned),
      );
      show(section, cards.length > 0);
    },
  ]);
  return parts;
}
