//# allFunctionsCalledOnLoad
// Derived values: filters, quantiles from histogram buckets, rates from readings over
// time. Pure functions.

import { num } from "./store.js";

const CHUNKS = /\d+|\D+/g;
const DIGITS = /^\d+$/;

/**
 * Orders strings as people read them: runs of digits by their value, so worker "2"
 * comes before "10" and "127.0.0.1:9" before "127.0.0.1:10". (`localeCompare` with
 * `numeric` does the same, but loads the locale's collator the first time: about 10 ms
 * on a fresh page.)
 */
export function compareNatural(a, b) {
  const x = a.match(CHUNKS) ?? [];
  const y = b.match(CHUNKS) ?? [];
  for (let i = 0; i < x.length && i < y.length; i++) {
    if (x[i] === y[i]) continue;
    if (DIGITS.test(x[i]) && DIGITS.test(y[i]) && Number(x[i]) !== Number(y[i])) return Number(x[i]) - Number(y[i]);
    return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

/** Whether `labels` pass `filter` ({server: [...], worker: [...]}; empty lists pass). */
export function passes(labels, filter) {
  for (const label in filter) {
    const wanted = filter[label];
    if (wanted.length > 0 && !wanted.includes(labels[label] ?? "")) return false;
  }
  return true;
}

/**
 * The sum of cumulative buckets across `samples` that share the first one's bounds:
 * `[{le, count}]` with `le` a number (Infinity last). `null` when there is nothing.
 */
export function mergeBuckets(samples) {
  let merged = null;
  let bounds = null;
  // Plain loops, bounds compared as they came: this runs for every histogram at every tick.
  for (const sample of samples) {
    const buckets = sample.buckets ?? [];
    if (merged === null) {
      bounds = buckets;
      merged = new Array(buckets.length);
      for (let i = 0; i < buckets.length; i++) merged[i] = { le: num(buckets[i].le), count: buckets[i].count };
      continue;
    }
    if (buckets.length !== merged.length || !sameBounds(buckets, bounds)) continue;
    for (let i = 0; i < buckets.length; i++) merged[i].count += buckets[i].count;
  }
  return merged;
}

function sameBounds(buckets, bounds) {
  for (let i = 0; i < buckets.length; i++) if (buckets[i].le !== bounds[i].le && num(buckets[i].le) !== num(bounds[i].le)) return false;
  return true;
}

/**
 * The native (sparse exponential) buckets of `samples` merged, as cumulative buckets
 * `[{le, count}]` like `mergeBuckets` gives: negative buckets, the zero bucket, positive
 * buckets, `+Inf` (the samples' count). Samples at different schemas are brought to the
 * coarsest first, as Prometheus merges them. `null` unless every sample has the native
 * form. At schema 3 a bucket spans 9% of its value, so quantiles come out finer than
 * from most classic bounds.
 */
export function mergeNative(samples) {
  const natives = samples.map((sample) => sample.native);
  if (natives.length === 0 || natives.some((native) => !native)) return null;
  const schema = Math.min(...natives.map((native) => native.schema));
  const positive = new Map();
  const negative = new Map();
  let zeroCount = 0;
  let zeroThreshold = 0;
  let total = 0;
  for (const [i, native] of natives.entries()) {
    const scale = 2 ** (native.schema - schema);
    for (const [side, into] of [[native.positive, positive], [native.negative, negative]]) {
      side.counts.forEach((count, k) => {
        if (count === 0) return;
        const index = Math.ceil((side.offset + k) / scale);
        into.set(index, (into.get(index) ?? 0) + count);
      });
    }
    zeroCount += native.zero_count;
    zeroThreshold = Math.max(zeroThreshold, num(native.zero_threshold));
    total += samples[i].count;
  }
  const bound = (index) => 2 ** (index * 2 ** -schema);
  const out = [];
  let cumulative = 0;
  // Each bucket gets its lower edge too where the one before does not end there, so a
  // quantile interpolates within the bucket, not across the empty range below it.
  const edge = (le) => {
    if (out.length > 0 && out[out.length - 1].le < le) out.push({ le, count: cumulative });
  };
  // Negative bucket i holds [-2^(i/2^s), -2^((i-1)/2^s)): highest index first.
  for (const index of [...negative.keys()].sort((a, b) => b - a)) {
    if (out.length === 0) out.push({ le: -bound(index), count: 0 });
    edge(-bound(index));
    cumulative += negative.get(index);
    out.push({ le: -bound(index - 1), count: cumulative });
  }
  edge(-zeroThreshold);
  cumulative += zeroCount;
  out.push({ le: zeroThreshold, count: cumulative });
  for (const index of [...positive.keys()].sort((a, b) => a - b)) {
    edge(bound(index - 1));
    cumulative += positive.get(index);
    out.push({ le: bound(index), count: cumulative });
  }
  out.push({ le: Infinity, count: total });
  return out;
}

/** The cumulative count of `buckets` at `le`: that of the highest bound at or below it. */
function countAt(buckets, le) {
  let count = 0;
  for (const bucket of buckets) {
    if (bucket.le > le) break;
    count = bucket.count;
  }
  return count;
}

/**
 * `now - before`, bucket by bucket (a reset, where a count went down, gives `now`).
 * Bounds that `before` lacks (native buckets appear as values arrive) take its count at
 * the highest bound below them: no observation lay in between.
 */
export function bucketIncrease(now, before) {
  if (!before) return now;
  const same = before.length === now.length && now.every((b, i) => b.le === before[i].le);
  const earlier = same ? before.map((b) => b.count) : now.map((b) => countAt(before, b.le));
  if (now.some((b, i) => b.count < earlier[i])) return now;
  if (!same && before[before.length - 1].count > now[now.length - 1].count) return now;
  return now.map((b, i) => ({ le: b.le, count: b.count - earlier[i] }));
}

/**
 * The `q` quantile of cumulative `buckets`, as Prometheus' `histogram_quantile` computes
 * it: linear interpolation within the bucket that holds the rank; the highest finite
 * bound when the rank falls in `+Inf`; NaN without observations.
 */
export function histogramQuantile(q, buckets) {
  if (!buckets || buckets.length < 2 || q < 0 || q > 1) return NaN;
  const total = buckets[buckets.length - 1].count;
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let index = buckets.findIndex((b) => b.count >= rank);
  if (index === -1) index = buckets.length - 1;
  if (index === buckets.length - 1) return buckets[buckets.length - 2].le;
  if (index === 0 && buckets[0].le <= 0) return buckets[0].le;
  const start = index === 0 ? 0 : buckets[index - 1].le;
  const below = index === 0 ? 0 : buckets[index - 1].count;
  const inBucket = buckets[index].count - below;
  if (inBucket <= 0) return buckets[index].le;
  return start + (buckets[index].le - start) * ((rank - below) / inBucket);
}

/**
 * The per-second increase of a counter from `points` ([[t ms, value], ...], oldest
 * first), counting a drop as a restart from zero, as Prometheus' `rate` does.
 */
export function ratePerSecond(points) {
  if (points.length < 2) return NaN;
  const seconds = (points[points.length - 1][0] - points[0][0]) / 1000;
  return seconds > 0 ? increase(points) / seconds : NaN;
}

/** Per-interval rates of a counter, one per consecutive pair of `points`. */
export function rates(points) {
  const out = [];
  for (let i = 1; i < points.length; i++) {
    const rate = ratePerSecond([points[i - 1], points[i]]);
    if (Number.isFinite(rate)) out.push([points[i][0], rate]);
  }
  return out;
}

/** The share of a pool in use, and its warning level (`ok`, `warn` at 80%, `critical` at 95%). */
export function occupancy(inUse, capacity) {
  const ratio = capacity > 0 ? inUse / capacity : 0;
  const level = ratio >= 0.95 ? "critical" : ratio >= 0.8 ? "warn" : "ok";
  return { ratio, level };
}

/** How many letters of a slot map are not `f` (free). */
export function slotsInUse(states) {
  // The engine's own string search, not a loop: cold code pays for every pass of a loop.
  return states.replaceAll("f", "").length;
}

/** The allocation-pressure bands: bytes allocated per byte freed over the last ~10 s. */
export const PRESSURE_BANDS = { reclaiming: 0.9, warn: 1.1 };

/**
 * Allocation pressure: `allocated` over `freed` bytes per second, as a ratio, and its
 * band: `ok` between 90% and 110% (steady state: what is allocated is freed again),
 * `reclaiming` below (freeing a backlog), `warn` above (allocating faster than freeing:
 * the live heap grows). NaN and `ok` while nothing is freed or allocated.
 */
export function allocationPressure(allocated, freed) {
  if (!(freed > 0)) return { ratio: allocated > 0 ? Infinity : NaN, level: allocated > 0 ? "warn" : "ok" };
  const ratio = allocated / freed;
  const level = ratio > PRESSURE_BANDS.warn ? "warn" : ratio < PRESSURE_BANDS.reclaiming ? "reclaiming" : "ok";
  return { ratio, level };
}

/** The share of the allocator's held bytes that are free, from which the heap counts as fragmented. */
export const FRAGMENTATION_WARN = 0.25;

/**
 * Heap fragmentation: the share of the bytes the allocator holds from the OS that are
 * free but kept, and its level (`warn` from 25%). NaN and `ok` while it holds nothing.
 */
export function fragmentation(free, held) {
  if (!(held > 0)) return { ratio: NaN, level: "ok" };
  const ratio = free / held;
  return { ratio, level: ratio >= FRAGMENTATION_WARN ? "warn" : "ok" };
}

/**
 * How much a counter rose over `points` (`[time, value]` pairs, oldest first), counting a
 * drop as a restart from zero, as Prometheus's `increase` does.
 */
export function increase(points) {
  let total = 0;
  // By index, not `const [, value] = point`: destructuring runs the array iterator, slow
  // before the page is optimised, and this runs for every rate every panel shows.
  for (let i = 1; i < points.length; i++) {
    const before = points[i - 1][1];
    const now = points[i][1];
    if (!Number.isFinite(before) || !Number.isFinite(now)) continue;
    total += now >= before ? now - before : now;
  }
  return total;
}

const SEVERITY = { ok: 0, warn: 1, critical: 2 };

/**
 * The page-level pool alert: `critical` when any pool is at 95% or more, or refused an
 * acquisition (an overflow) in the recent window; `warn` when any is at 80% or more;
 * `ok` otherwise. `pools` holds `{ title, used, capacity, recentOverflows }`; the
 * messages name each pool past a threshold, the most severe first.
 */
export function poolAlert(pools) {
  const alerts = [];
  for (const pool of pools) {
    const { ratio, level } = occupancy(pool.used, pool.capacity);
    if (level !== "ok") alerts.push({ level, text: `${pool.title}: ${Math.round(ratio * 100)}% in use (${pool.used} / ${pool.capacity})` });
    if (pool.recentOverflows > 0) alerts.push({ level: "critical", text: `${pool.title}: ${pool.recentOverflows} overflow${pool.recentOverflows === 1 ? "" : "s"} (acquisitions refused) in the last 10 s` });
  }
  alerts.sort((a, b) => SEVERITY[b.level] - SEVERITY[a.level]);
  return { level: alerts.length ? alerts[0].level : "ok", messages: alerts.map((alert) => alert.text) };
}
