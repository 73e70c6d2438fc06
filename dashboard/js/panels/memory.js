//# allFunctionsCalledOnLoad
// The memory panel: resident memory over time, live heap bytes, allocation and free
// rates, allocation pressure, and high-water marks, from the process and allocator
// collectors.

import { allocationPressure, FRAGMENTATION_WARN, fragmentation, PRESSURE_BANDS, rates } from "../derive.js";
import { h, replace, show } from "../dom.js";
import { formatBytes, formatNumber, formatPercent } from "../format.js";
import { TILES } from "../explain.js";
import { hasSmaps, LINUX_ONLY, platformOf } from "../profiles.js";
import { currentRate, gaugeTrend, has, latest, tile } from "./common.js";

const GAUGES = [
  ["process_resident_memory_bytes", "Resident (RSS)"],
  ["actorscope_allocator_live_bytes", "Live heap"],
  ["actorscope_allocator_peak_live_bytes", "Heap high-water mark"],
  ["process_anonymous_memory_bytes", "Anonymous"],
  ["process_swap_bytes", "Swapped out"],
  ["actorscope_heap_held_bytes", "Allocator holds"],
  ["actorscope_heap_free_bytes", "Free but held"],
];
const RATES = [
  ["actorscope_allocator_allocated_bytes_total", "Allocated"],
  ["actorscope_allocator_freed_bytes_total", "Freed"],
];

export function renderMemory(section, model) {
  const { frames, view, now } = model;
  const tiles = [];
  const platform = platformOf(model.store);
  const smaps = hasSmaps(platform);
  for (const [family, label] of GAUGES) {
    if (!has(model, family) || (!smaps && LINUX_ONLY.includes(family))) continue;
    const key = "sum|" + family;
    tiles.push(tile(label, formatBytes(latest(model, key)), gaugeTrend(model, key), TILES[family], { "data-metric": family }));
  }
  for (const [family, label] of RATES) {
    if (!has(model, family)) continue;
    const key = "sum|" + family;
    tiles.push(tile(label + " /s", formatBytes(currentRate(model, key)) + "/s", rates(frames.series(key, view.range, now)), TILES[family], { "data-metric": family }));
  }
  const [allocated, freed] = RATES.map(([family]) => (has(model, family) ? currentRate(model, "sum|" + family) : NaN));
  if (Number.isFinite(allocated) && Number.isFinite(freed)) {
    const { ratio, level } = allocationPressure(allocated, freed);
    const bands = `healthy ${formatPercent(PRESSURE_BANDS.reclaiming)} to ${formatPercent(PRESSURE_BANDS.warn)}; above: allocating faster than freeing, the live heap grows; below: freeing a backlog`;
    const explanation = { ...TILES["allocation-pressure"], how: `${TILES["allocation-pressure"].how}. Bands: ${bands}` };
    const pressure = tile("Allocation pressure", formatPercent(ratio), null, explanation, {
      "data-metric": "allocation-pressure",
      "data-level": level,
      class: "tile pressure-" + level,
    });
    pressure.appendChild(h("div", { class: "tile-note" }, `healthy ${Math.round(PRESSURE_BANDS.reclaiming * 100)}–${Math.round(PRESSURE_BANDS.warn * 100)}%`));
    tiles.push(pressure);
  }
  tiles.push(...heapTiles(model));
  const note = platform
    ? h("p", { class: "help platform", "data-os": platform.os, title: "From actorscope_platform_info. Virtual memory is never a base for these figures: it counts reservations, not use." }, `${platform.os} ${platform.arch}${platform.kernel ? ", kernel " + platform.kernel : ""}: ${smaps ? "smaps breakdown (anonymous, swapped) from /proc/self/smaps_rollup" : "no smaps breakdown on this platform"}`)
    : null;
  replace(section.querySelector(".panel-body"), ...tiles, note);
  show(section, tiles.length > 0);
}

/** Fragmentation (free over held, from the C allocator) and resident memory over live heap. */
function heapTiles(model) {
  const tiles = [];
  const read = (family) => (has(model, family) ? latest(model, "sum|" + family) : NaN);
  const { ratio, level } = fragmentation(read("actorscope_heap_free_bytes"), read("actorscope_heap_held_bytes"));
  if (Number.isFinite(ratio)) {
    const warn = Math.round(FRAGMENTATION_WARN * 100);
    const explanation = { ...TILES["heap-fragmentation"], how: `${TILES["heap-fragmentation"].how}; amber from ${warn}%` };
    const element = tile("Heap fragmentation", formatPercent(ratio), null, explanation, { "data-metric": "heap-fragmentation", "data-level": level, class: "tile pressure-" + level });
    element.appendChild(h("div", { class: "tile-note" }, level === "warn" ? `fragmented (≥ ${warn}%)` : `warn at ${warn}%`));
    tiles.push(element);
  }
  const resident = read("process_resident_memory_bytes");
  const live = read("actorscope_allocator_live_bytes");
  if (Number.isFinite(resident) && live > 0) {
    tiles.push(tile("Resident / live heap", formatNumber(resident / live) + "×", null, TILES["resident-over-live"], { "data-metric": "resident-over-live" }));
  }
  return tiles;
}
