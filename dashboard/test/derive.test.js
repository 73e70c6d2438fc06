import assert from "node:assert/strict";
import { test } from "node:test";

import { allocationPressure, bucketIncrease, fragmentation, compareNatural, histogramQuantile, increase, mergeBuckets, mergeNative, occupancy, passes, poolAlert, ratePerSecond, rates, slotsInUse } from "../js/derive.js";

const buckets = (pairs) => pairs.map(([le, count]) => ({ le, count }));

test("filters: alternatives within a label, every label must match", () => {
  const filter = { server: ["api"], worker: ["0", "1"] };
  assert.ok(passes({ server: "api", worker: "1" }, filter));
  assert.ok(!passes({ server: "admin", worker: "1" }, filter));
  assert.ok(!passes({ server: "api" }, filter), "a missing label is the empty value");
  assert.ok(passes({ anything: "x" }, { server: [], worker: [] }));
});

test("quantiles interpolate as Prometheus' histogram_quantile does", () => {
  // 10 observations <= 0.1, 10 more <= 0.5, none above.
  const b = buckets([[0.1, 10], [0.5, 20], [Infinity, 20]]);
  assert.equal(histogramQuantile(0.5, b), 0.1);
  assert.ok(Math.abs(histogramQuantile(0.75, b) - 0.3) < 1e-12);
  assert.ok(Math.abs(histogramQuantile(0.25, b) - 0.05) < 1e-12, "the first bucket starts at 0");
  // Ranks in the +Inf bucket give the highest finite bound.
  assert.equal(histogramQuantile(0.99, buckets([[0.1, 1], [Infinity, 10]])), 0.1);
  assert.ok(Number.isNaN(histogramQuantile(0.5, buckets([[0.1, 0], [Infinity, 0]]))));
  assert.ok(Number.isNaN(histogramQuantile(1.5, b)));
});

test("buckets merge across samples with the same bounds and subtract for recent counts", () => {
  const merged = mergeBuckets([
    { buckets: [{ le: 0.1, count: 1 }, { le: "+Inf", count: 2 }] },
    { buckets: [{ le: 0.1, count: 3 }, { le: "+Inf", count: 3 }] },
    { buckets: [{ le: 0.2, count: 9 }, { le: "+Inf", count: 9 }] },
  ]);
  assert.deepEqual(merged, buckets([[0.1, 4], [Infinity, 5]]));
  assert.deepEqual(bucketIncrease(merged, buckets([[0.1, 1], [Infinity, 1]])), buckets([[0.1, 3], [Infinity, 4]]));
  assert.deepEqual(bucketIncrease(merged, buckets([[0.1, 9], [Infinity, 9]])), merged, "a reset counts from zero");
  assert.equal(mergeBuckets([]), null);
});

test("rates count a drop as a restart", () => {
  assert.equal(ratePerSecond([[0, 10], [1000, 20], [2000, 30]]), 10);
  assert.equal(ratePerSecond([[0, 10], [1000, 20], [2000, 5]]), 7.5, "10 before the restart, 5 after, over 2 s");
  assert.ok(Number.isNaN(ratePerSecond([[0, 1]])));
  assert.deepEqual(rates([[0, 0], [1000, 4], [3000, 8]]), [[1000, 4], [3000, 2]]);
});

test("pool occupancy warns at 80% and 95%", () => {
  assert.deepEqual(occupancy(79, 100), { ratio: 0.79, level: "ok" });
  assert.equal(occupancy(80, 100).level, "warn");
  assert.equal(occupancy(95, 100).level, "critical");
  assert.equal(occupancy(1, 0).level, "ok");
  assert.equal(slotsInUse("aaiffc"), 4);
});

test("natural order: digit runs by value, the rest as text", () => {
  const sorted = ["10", "2", "1", "worker-10", "worker-9", "127.0.0.1:10", "127.0.0.1:9", "", "b", "a"].sort(compareNatural);
  assert.deepEqual(sorted, ["", "1", "2", "10", "127.0.0.1:9", "127.0.0.1:10", "a", "b", "worker-9", "worker-10"]);
  assert.equal(compareNatural("x", "x"), 0);
  assert.ok(compareNatural("x1", "x") > 0, "a longer name after its prefix");
});

test("native buckets merge at the coarser schema into cumulative buckets", () => {
  // Schema 1: 1.2 in bucket 1 (1, 1.41], 1.6 in bucket 2 (1.41, 2], 3.0 in bucket 4.
  const fine = { count: 4, native: { schema: 1, zero_threshold: 0.001, zero_count: 1, positive: { offset: 1, counts: [1, 1, 0, 1] }, negative: { offset: 0, counts: [] } } };
  // Schema 0: -3.0 in negative bucket 2 [-4, -2); 1.5 in bucket 1 (1, 2].
  const coarse = { count: 2, native: { schema: 0, zero_threshold: 0.001, zero_count: 0, positive: { offset: 1, counts: [1] }, negative: { offset: 2, counts: [1] } } };
  // With each bucket's lower edge where the one before ends lower.
  assert.deepEqual(mergeNative([fine, coarse]), buckets([[-4, 0], [-2, 1], [-0.001, 1], [0.001, 2], [1, 2], [2, 5], [4, 6], [Infinity, 6]]));
  assert.equal(mergeNative([fine, { count: 1, buckets: [] }]), null, "every sample must have the native form");
  assert.equal(mergeNative([]), null);
});

test("quantiles from native buckets land inside the observations' bucket", () => {
  // 100 observations in (2^(7/8), 1], schema 3: bucket 0.
  const sample = { count: 100, native: { schema: 3, zero_threshold: 0, zero_count: 0, positive: { offset: 0, counts: [100] }, negative: { offset: 0, counts: [] } } };
  const p50 = histogramQuantile(0.5, mergeNative([sample]));
  assert.ok(p50 > 2 ** (-1 / 8) && p50 <= 1, String(p50));
});

test("a recent increase aligns buckets that appeared since", () => {
  const before = buckets([[0, 0], [1, 5], [Infinity, 5]]);
  const now = buckets([[0, 0], [0.5, 2], [1, 7], [2, 9], [Infinity, 9]]);
  assert.deepEqual(bucketIncrease(now, before), buckets([[0, 0], [0.5, 2], [1, 2], [2, 4], [Infinity, 4]]));
  // A count that went down is a reset: all of now.
  assert.deepEqual(bucketIncrease(buckets([[1, 1], [Infinity, 1]]), before), buckets([[1, 1], [Infinity, 1]]));
});

test("allocation pressure: allocated per freed byte, in bands", () => {
  assert.deepEqual(allocationPressure(100, 100), { ratio: 1, level: "ok" });
  assert.equal(allocationPressure(105, 100).level, "ok");
  assert.equal(allocationPressure(120, 100).level, "warn", "allocating faster than freeing");
  assert.equal(allocationPressure(80, 100).level, "reclaiming", "freeing a backlog");
  assert.equal(allocationPressure(10, 0).level, "warn", "nothing freed at all");
  assert.ok(Number.isNaN(allocationPressure(0, 0).ratio));
});

test("a counter's increase counts a drop as a restart from zero", () => {
  assert.equal(increase([]), 0);
  assert.equal(increase([[0, 5]]), 0);
  assert.equal(increase([[0, 5], [1, 7], [2, 7], [3, 10]]), 5);
  assert.equal(increase([[0, 5], [1, 7], [2, 2], [3, 3]]), 5, "7 -> 2 is a restart: +2, then +1");
});

test("the pool alert is the most severe pool, naming every pool past a threshold", () => {
  assert.deepEqual(poolAlert([]), { level: "ok", messages: [] });
  assert.deepEqual(poolAlert([{ title: "db", used: 79, capacity: 100, recentOverflows: 0 }]), { level: "ok", messages: [] });
  const warn = poolAlert([
    { title: "db", used: 8, capacity: 10, recentOverflows: 0 },
    { title: "cache", used: 1, capacity: 10, recentOverflows: 0 },
  ]);
  assert.deepEqual(warn, { level: "warn", messages: ["db: 80% in use (8 / 10)"] });
  const critical = poolAlert([
    { title: "db", used: 8, capacity: 10, recentOverflows: 0 },
    { title: "buffers", used: 2, capacity: 10, recentOverflows: 3 },
    { title: "conns", used: 19, capacity: 20, recentOverflows: 1 },
  ]);
  assert.equal(critical.level, "critical");
  assert.deepEqual(critical.messages, [
    "buffers: 3 overflows (acquisitions refused) in the last 10 s",
    "conns: 95% in use (19 / 20)",
    "conns: 1 overflow (acquisitions refused) in the last 10 s",
    "db: 80% in use (8 / 10)",
  ]);
});

test("fragmentation: free over held, a warning from 25%", () => {
  assert.deepEqual(fragmentation(10, 100), { ratio: 0.1, level: "ok" });
  assert.deepEqual(fragmentation(25, 100), { ratio: 0.25, level: "warn" });
  assert.equal(fragmentation(0, 0).level, "ok");
  assert.ok(Number.isNaN(fragmentation(5, 0).ratio), "nothing held: no figure");
});
