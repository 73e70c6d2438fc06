//# allFunctionsCalledOnLoad
// The memory panel: resident memory over time, live heap bytes, allocation and free
// rates, and high-water marks, from the process and allocator collectors.

import { rates } from "../derive.js";
import { replace, show } from "../dom.js";
import { formatBytes } from "../format.js";
import { currentRate, has, latest, tile } from "./common.js";

const GAUGES = [
  ["process_resident_memory_bytes", "Resident (RSS)"],
  ["actorscope_allocator_live_bytes", "Live heap"],
  ["actorscope_allocator_peak_live_bytes", "Heap high-water mark"],
  ["process_anonymous_memory_bytes", "Anonymous"],
  ["process_swap_bytes", "Swapped out"],
];
const RATES = [
  ["actorscope_allocator_allocated_bytes_total", "Allocated"],
  ["actorscope_allocator_freed_bytes_total", "Freed"],
];

export function renderMemory(section, model) {
  const { frames, view, now } = model;
  const tiles = [];
  for (const [family, label] of GAUGES) {
    if (!has(model, family)) continue;
    const key = "sum|" + family;
    tiles.push(tile(label, formatBytes(latest(model, key)), frames.series(key, view.range, now), { "data-metric": family }));
  }
  for (const [family, label] of RATES) {
    if (!has(model, family)) continue;
    const key = "sum|" + family;
    tiles.push(tile(label + " /s", formatBytes(currentRate(model, key)) + "/s", rates(frames.series(key, view.range, now)), { "data-metric": family }));
  }
  replace(section.querySelector(".panel-body"), ...tiles);
  show(section, tiles.length > 0);
}
