//# allFunctionsCalledOnLoad
// Pool occupancy: a grid of slots for every slot map (free, active, idle, closing), and
// a bar for pools that report counts only; a warning at 80% in use, critical at 95%.

import { occupancy, passes, slotsInUse } from "../derive.js";
import { h, replace, show } from "../dom.js";
import { formatPercent } from "../format.js";
import { labelKey, num } from "../store.js";

const STATES = { f: "free", a: "active", i: "idle", c: "closing" };

function describe(labels) {
  return Object.entries(labels)
    .map(([name, value]) => name + "=" + value)
    .join(", ");
}

function usage(used, capacity) {
  const { ratio, level } = occupancy(used, capacity);
  const warning = level === "ok" ? null : h("strong", { class: "pool-warning" }, level === "critical" ? " critical" : " high");
  return { level, nodes: [`${used} / ${capacity} in use (${formatPercent(ratio)})`, warning] };
}

function card(title, used, capacity, body) {
  const { level, nodes } = usage(used, capacity);
  return h("div", { class: "pool " + level, "data-level": level }, h("div", { class: "pool-title" }, title), h("div", { class: "pool-usage" }, nodes), body);
}

/** Slot grids kept between renders, so a tick only restyles the slots that changed. */
const grids = new Map();

function gridCard(key, title, states) {
  let grid = grids.get(key);
  if (!grid || grid.states.length !== states.length) {
    const cells = [...states].map((letter) => h("span", { class: "slot " + (STATES[letter] ?? "free"), title: STATES[letter] ?? "free" }));
    const element = card(title, slotsInUse(states), states.length, h("div", { class: "slots", role: "img", "aria-label": `${states.length} slots` }, cells));
    grid = { element, cells, states };
    grids.set(key, grid);
    return element;
  }
  if (grid.states !== states) {
    for (let i = 0; i < states.length; i++) {
      if (states[i] !== grid.states[i]) {
        const state = STATES[states[i]] ?? "free";
        grid.cells[i].className = "slot " + state;
        grid.cells[i].title = state;
      }
    }
    grid.states = states;
    const { level, nodes } = usage(slotsInUse(states), states.length);
    grid.element.className = "pool " + level;
    grid.element.dataset.level = level;
    replace(grid.element.querySelector(".pool-usage"), ...nodes);
  }
  return grid.element;
}

export function renderPools(section, model) {
  const cards = [];
  const mapped = new Set();
  const seen = new Set();
  for (const map of model.store.slotMaps()) {
    if (!passes(map.labels, model.view.filter)) continue;
    const key = labelKey(map.labels);
    mapped.add(key);
    seen.add(map.name + key);
    cards.push(gridCard(map.name + key, describe(map.labels), map.states));
  }
  for (const key of grids.keys()) if (!seen.has(key)) grids.delete(key);
  const capacity = model.store.families.get("actorscope_pool_capacity");
  const inUse = model.store.families.get("actorscope_pool_in_use");
  if (capacity && inUse) {
    for (const [key, sample] of capacity.samples) {
      if (mapped.has(key) || !passes(sample.labels, model.view.filter)) continue;
      const used = num(inUse.samples.get(key)?.value);
      const total = num(sample.value);
      const { ratio } = occupancy(used, total);
      const bar = h("div", { class: "bar" }, h("div", { class: "bar-fill", "data-ratio": ratio.toFixed(3) }));
      bar.firstChild.style.width = Math.min(100, ratio * 100).toFixed(1) + "%";
      cards.push(card(describe(sample.labels), used, total, bar));
    }
  }
  replace(
    section.querySelector(".panel-body"),
    cards.length ? h("div", { class: "legend" }, Object.values(STATES).map((state) => h("span", { class: "slot " + state }, state))) : null,
    ...cards,
  );
  show(section, cards.length > 0);
}
