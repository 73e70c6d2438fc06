//# allFunctionsCalledOnLoad
// The leak banner: names every series that keeps growing while the work rate is flat
// (leaks.js has the test). Watched: the live heap, resident memory, and each pool's
// in-use count (from `actorscope_pool_in_use`, or a slot map for a pool that has only
// that), over the series the header's pickers let through.

import { passes, ratePerSecond, slotsInUse } from "../derive.js";
import { h, replace } from "../dom.js";
import { formatBytes, formatNumber } from "../format.js";
import { FLAT_WORK, FLOORS, LeakWatch, MIN_RISES, WINDOW } from "../leaks.js";
import { labelKey, num } from "../store.js";
import { describeLabels as describe } from "./common.js";

/** The memory series watched, and their kind (leaks.js `FLOORS`). */
const MEMORY = [
  ["actorscope_allocator_live_bytes", "bytes"],
  ["process_resident_memory_bytes", "resident"],
];
const WORK = ["http_server_requests_total", "actorscope_actor_messages_handled_total"];

const watch = new LeakWatch();

/** This tick's readings of every watched series. */
function readings(model) {
  const out = [];
  for (const [name, kind] of MEMORY) {
    const points = model.frames.latest("sum|" + name, 1);
    if (points.length) out.push({ key: name, name, label: "", kind, value: points[0][1] });
  }
  const inUse = model.store.families.get("actorscope_pool_in_use");
  const counted = new Set();
  for (const [key, sample] of inUse?.samples ?? []) {
    if (!passes(sample.labels, model.view.filter)) continue;
    counted.add(key);
    out.push({ key: "pool|" + key, name: "actorscope_pool_in_use", label: describe(sample.labels), kind: "count", value: num(sample.value) });
  }
  for (const map of model.store.slotMaps()) {
    const key = labelKey(map.labels);
    if (counted.has(key) || !passes(map.labels, model.view.filter)) continue;
    out.push({ key: "slots|" + map.name + key, name: map.name, label: describe(map.labels), kind: "count", value: slotsInUse(map.states) });
  }
  return out;
}

/** Requests plus actor messages per second over the last tick; NaN when neither is there. */
function workRate(model) {
  let total = NaN;
  for (const name of WORK) {
    if (!model.store.families.has(name)) continue;
    const rate = ratePerSecond(model.frames.latest("sum|" + name, 2));
    if (Number.isFinite(rate)) total = (Number.isFinite(total) ? total : 0) + rate;
  }
  return total;
}

/** Records this tick's readings (call once per live tick, after the frames). */
export function watchLeaks(model) {
  watch.observe(model.now, readings(model), workRate(model));
}

/** Forgets the readings (the filter changed, or live data starts again). */
export function forgetLeaks() {
  watch.clear();
}

/** What the page watched, for tests: ticks seen and the current warnings. */
export function leakState() {
  return { ticks: watch.ticks, warnings: watch.warnings() };
}

function message(warning) {
  const amount = warning.kind === "count" ? formatNumber : formatBytes;
  const where = warning.label ? `${warning.label}: ` : "";
  return `${where}${warning.name} grew ${amount(warning.grown)} in ${Math.round(warning.seconds)} s (${amount(warning.perSecond)}/s) while the work rate stayed flat`;
}

/** Shows or hides the leak banner. */
export function renderLeakBanner(banner) {
  if (!banner) return;
  const warnings = watch.warnings();
  banner.hidden = warnings.length === 0;
  replace(banner, ...(warnings.length ? [h("strong", {}, "Possible leak"), h("ul", {}, warnings.map((w) => h("li", { "data-family": w.name }, message(w))))] : []));
}

/** A floor of leaks.js `FLOORS` in words: "256 KiB and 1%". */
function floorText({ absolute, relative }, format) {
  return format(absolute) + (relative > 0 ? ` and ${Math.round(relative * 100)}%` : "");
}

/** The banner's tooltip: the rule, in words, from the constants leaks.js applies. */
export const LEAK_RULE =
  `Raised when the live heap, resident memory or a pool's in-use count kept growing over the last ${WINDOW} scrapes ` +
  `(no step down, at least ${MIN_RISES} steps up, at least ${floorText(FLOORS.bytes, formatBytes)} for the live heap, ` +
  `${floorText(FLOORS.resident, formatBytes)} for resident memory, ${floorText(FLOORS.count, formatNumber)} for a pool) ` +
  `while requests and actor messages per second stayed within ${Math.round((FLAT_WORK.ratio - 1) * 100)}% ` +
  "(actorscope_allocator_live_bytes, process_resident_memory_bytes, actorscope_pool_in_use, slot maps; work: http_server_requests_total, actorscope_actor_messages_handled_total)";
