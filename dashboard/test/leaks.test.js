import assert from "node:assert/strict";
import { test } from "node:test";

import { growth, LeakWatch, MIN_RISES, WINDOW, workIsFlat } from "../js/leaks.js";

const MiB = 1024 * 1024;

/** Feeds `watch` one tick a second: `heap(i)` bytes of live heap, `inUse(i)` of a pool, `work(i)` requests/s. */
function feed(watch, ticks, { heap, inUse = () => 3, work = () => 50 }) {
  const warnedAt = [];
  for (let i = 0; i < ticks; i++) {
    watch.observe(1_000_000 + i * 1000, [
      { key: "heap", name: "actorscope_allocator_live_bytes", label: "", kind: "bytes", value: heap(i) },
      { key: "pool", name: "actorscope_pool_in_use", label: "owner=kv, pool=buffers", kind: "count", value: inUse(i) },
    ], work(i));
    if (watch.warnings().length) warnedAt.push(i);
  }
  return warnedAt;
}

test("a heap that grows 1 MiB a scrape with flat work is named within 5 scrapes, with its rate", () => {
  const watch = new LeakWatch();
  const warnedAt = feed(watch, 12, { heap: (i) => 20 * MiB + (i >= 3 ? (i - 3) * MiB : 0) });
  // Growth starts at tick 3 (its first step ends at tick 4): named by its 5th step, tick 8,
  // and not before its 3rd (most steps of the window must go up), then every tick.
  assert.ok(warnedAt[0] >= 3 + MIN_RISES && warnedAt[0] <= 3 + WINDOW, `first warned at tick ${warnedAt[0]}`);
  assert.equal(warnedAt.length, 12 - warnedAt[0], "and on every tick after");
  const [warning] = watch.warnings();
  assert.equal(warning.name, "actorscope_allocator_live_bytes");
  assert.equal(warning.grown, 5 * MiB);
  assert.equal(warning.perSecond, MiB);
});

test("a pool whose in-use count keeps rising with flat work is named", () => {
  const watch = new LeakWatch();
  feed(watch, 8, { heap: () => 20 * MiB, inUse: (i) => 3 + i });
  const warnings = watch.warnings();
  assert.deepEqual(warnings.map((w) => [w.name, w.label, w.grown]), [["actorscope_pool_in_use", "owner=kv, pool=buffers", 5]]);
});

test("no warning for a heap that goes up and down, a single jump, small growth, or growth with more work", () => {
  const noisy = feed(new LeakWatch(), 20, { heap: (i) => 20 * MiB + (i % 2 ? MiB : 0) + i * 1024 });
  assert.deepEqual(noisy, [], "up and down is not a leak");
  const jump = feed(new LeakWatch(), 20, { heap: (i) => (i < 10 ? 20 * MiB : 40 * MiB) });
  assert.deepEqual(jump, [], "one step up, then level, is not a leak");
  const small = feed(new LeakWatch(), 20, { heap: (i) => 20 * MiB + i * 20 * 1024 });
  assert.deepEqual(small, [], "20 KiB a scrape on 20 MiB is under the floor");
  const busier = feed(new LeakWatch(), 20, { heap: (i) => 20 * MiB + i * MiB, work: (i) => 50 * 2 ** i });
  assert.deepEqual(busier, [], "memory that grows with the work is not a leak");
  const pool = feed(new LeakWatch(), 20, { heap: () => 20 * MiB, inUse: (i) => 3 + (i % 3) });
  assert.deepEqual(pool, [], "a pool that fills and drains is not a leak");
});

test("resident memory needs more growth than the live heap: a fresh process touching its pages is not a leak", () => {
  const points = (values) => values.map((v, i) => [i * 1000, v]);
  const warmUp = points([20, 20.2, 20.4, 20.5, 20.6, 20.75].map((mib) => mib * MiB));
  assert.ok(growth(warmUp, "bytes"), "as live heap, 768 KiB in 5 s would count");
  assert.equal(growth(warmUp, "resident"), null, "as resident memory it does not (under 2 MiB)");
  assert.ok(growth(points([20, 21, 22, 23, 24, 25].map((mib) => mib * MiB)), "resident"), "1 MiB a scrape does");
});

test("growth and flat work, by the rule", () => {
  const points = (values) => values.map((v, i) => [i * 1000, v]);
  assert.equal(growth(points([0, 1, 2, 3, 4]), "count"), null, "fewer than WINDOW steps");
  assert.deepEqual(growth(points([0, 1, 2, 2, 3, 4]), "count"), { grown: 4, seconds: 5, perSecond: 0.8 });
  assert.equal(growth(points([0, 1, 2, 1, 3, 4]), "count"), null, "a step down");
  assert.equal(growth(points([0, 0, 0, 1, 1, 2]), "count"), null, "only 2 rises");
  assert.equal(growth(points([0, 1, 2, NaN, 3, 4]), "count"), null, "a missing reading");
  assert.equal(workIsFlat([10, 10, 10, 12, 12, 12]), true);
  assert.equal(workIsFlat([10, 10, 10, 20, 20, 20]), false);
  assert.equal(workIsFlat([0, 0, 0, 0.5, 0.5, 0.5]), true, "an idle server's stray request");
  assert.equal(workIsFlat([NaN, NaN]), true, "no work family: growth alone warns");
});

test("a series that disappears is forgotten, and clear starts over", () => {
  const watch = new LeakWatch();
  feed(watch, 8, { heap: (i) => 20 * MiB + i * MiB });
  assert.equal(watch.warnings().length, 1);
  watch.observe(2_000_000, [], 50);
  assert.equal(watch.series.size, 0);
  watch.clear();
  assert.equal(watch.ticks, 0);
});
