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
  for (const sample of samples) {
    const buckets = sample.buckets ?? [];
    if (merged === null) {
      merged = buckets.map((b) => ({ le: num(b.le), count: b.count }));
    } else if (buckets.length === merged.length && buckets.every((b, i) => num(b.le) === merged[i].le)) {
      buckets.forEach((b, i) => (merged[i].count += b.count));
    }
  }
  return merged;
}

/** `now - before`, bucket by bucket (a reset, where a count went down, gives `now`). */
export function bucketIncrease(now, before) {
  if (!before || before.length !== now.length) return now;
  if (now.some((b, i) => b.count < before[i].count)) return now;
  return now.map((b, i) => ({ le: b.le, count: b.count - before[i].count }));
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
  let increase = 0;
  for (let i = 1; i < points.length; i++) {
    const [, before] = points[i - 1];
    const [, now] = points[i];
    if (!Number.isFinite(before) || !Number.isFinite(now)) continue;
    increase += now >= before ? now - before : now;
  }
  const seconds = (points[points.length - 1][0] - points[0][0]) / 1000;
  return seconds > 0 ? increase / seconds : NaN;
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
  let used = 0;
  for (const letter of states) if (letter !== "f") used++;
  return used;
}
