import assert from "node:assert/strict";
import { test } from "node:test";

import { labelKey, MetricStore, num, Samples } from "../js/store.js";

const snapshot = {
  version: 2,
  families: [
    { name: "jobs_total", help: "Jobs.", type: "counter", unit: null, samples: [
      { labels: { worker: "0" }, value: 1 },
      { labels: { worker: "1" }, value: 5 },
    ] },
    { name: "latency_seconds", help: "Latency.", type: "histogram", unit: "seconds", samples: [
      { labels: {}, buckets: [{ le: 0.1, count: 2 }, { le: "+Inf", count: 3 }], count: 3, sum: 0.7 },
    ] },
    { name: "build_info", help: "Build.", type: "info", unit: null, samples: [{ labels: { version: "1" }, value: 1 }] },
    { name: "actorscope_pool_slots", help: "Slots.", type: "slots", unit: null, samples: [{ labels: { pool: "db" }, states: "af" }] },
  ],
  errors: [],
};

test("label keys do not depend on label order", () => {
  assert.equal(labelKey({ a: "1", b: "2" }), labelKey({ b: "2", a: "1" }));
  assert.notEqual(labelKey({ a: "1" }), labelKey({ a: "1", b: "" }));
});

test("JSON floats become numbers", () => {
  assert.equal(num(2.5), 2.5);
  assert.equal(num("+Inf"), Infinity);
  assert.equal(num("-Inf"), -Infinity);
  assert.ok(Number.isNaN(num("NaN")));
});

test("a delta changes, adds and removes samples and whole families", () => {
  const store = new MetricStore();
  store.applySnapshot(snapshot, 1);
  assert.equal(store.sampleCount(), 5);
  store.applyDelta({
    families: [{ name: "jobs_total", help: "Jobs.", type: "counter", unit: null, samples: [
      { labels: { worker: "0" }, value: 2 },
      { labels: { worker: "2" }, value: 1 },
    ] }],
    removed: [{ name: "jobs_total", labels: { worker: "1" } }, { name: "build_info", labels: null }],
    errors: [{ collector: "db", kind: "timeout", message: "slow" }],
  }, 2);
  const jobs = store.families.get("jobs_total");
  assert.deepEqual([...jobs.samples.values()].map((s) => [s.labels.worker, s.value]), [["0", 2], ["2", 1]]);
  assert.equal(store.families.has("build_info"), false);
  assert.deepEqual(store.slotMaps(), [{ name: "actorscope_pool_slots", labels: { pool: "db" }, states: "af" }], "slot maps stay when a delta does not change them");
  assert.equal(store.errors[0].collector, "db");
  assert.equal(store.lastId, 2);
});

test("a snapshot replaces everything", () => {
  const store = new MetricStore();
  store.applySnapshot(snapshot);
  store.applySnapshot({ families: [], errors: [] });
  assert.equal(store.families.size, 0);
  assert.equal(store.slotMaps().length, 0);
});

test("a changed slot map arrives in a delta like any sample, and an old export still reads", () => {
  const store = new MetricStore();
  store.applySnapshot(snapshot);
  store.applyDelta({ families: [{ name: "actorscope_pool_slots", help: "Slots.", type: "slots", unit: null, samples: [{ labels: { pool: "db" }, states: "aa" }] }], removed: [] });
  assert.equal(store.slotMaps()[0].states, "aa");
  const legacy = new MetricStore();
  legacy.applySnapshot({ version: 1, families: [], slot_maps: [{ name: "actorscope_pool_slots", labels: { pool: "db" }, states: "fic" }], errors: [] });
  assert.deepEqual(legacy.slotMaps(), [{ name: "actorscope_pool_slots", labels: { pool: "db" }, states: "fic" }]);
  let numeric = 0;
  legacy.eachNumeric(() => numeric++);
  assert.equal(numeric, 0, "a slot map is not a number");
});

test("numeric series split distributions into count and sum and skip info", () => {
  const store = new MetricStore();
  store.applySnapshot(snapshot);
  const names = [];
  store.eachNumeric((name, labels, value) => names.push(`${name}=${value}`));
  assert.deepEqual(names, ["jobs_total=1", "jobs_total=5", "latency_seconds_count=3", "latency_seconds_sum=0.7"]);
});

test("the store round-trips through its document", () => {
  const store = new MetricStore();
  store.applySnapshot(snapshot);
  const again = new MetricStore();
  again.applySnapshot(store.toDocument());
  assert.deepEqual(again.toDocument(), store.toDocument());
  assert.deepEqual(store.toDocument().families.map((f) => f.name), ["actorscope_pool_slots", "build_info", "jobs_total", "latency_seconds"]);
});

test("the store notes the values the filter labels take, and counts again after a removal", () => {
  const store = new MetricStore();
  store.applySnapshot({
    families: [
      { name: "a_total", type: "counter", samples: [{ labels: { server: "api", worker: "0" }, value: 1 }, { labels: { worker: "1" }, value: 2 }] },
      { name: "b", type: "gauge", samples: [{ labels: { client: "relay" }, value: 1 }] },
    ],
  });
  const sorted = (values) => Object.fromEntries(Object.entries(values).map(([label, set]) => [label, [...set].sort()]));
  assert.deepEqual(sorted(store.labelValues()), { server: ["api"], client: ["relay"], worker: ["0", "1"] });
  store.applyDelta({ families: [{ name: "a_total", type: "counter", samples: [{ labels: { worker: "2" }, value: 1 }] }] });
  assert.deepEqual(sorted(store.labelValues()).worker, ["0", "1", "2"], "a delta's new sample");
  store.applyDelta({ removed: [{ name: "a_total", labels: { worker: "1" } }, { name: "b", labels: null }] });
  assert.deepEqual(sorted(store.labelValues()), { server: ["api"], client: [], worker: ["0", "2"] }, "gone with their samples");
});

test("a snapshot's samples are read as they came, and keyed when first looked up", () => {
  const list = [{ labels: { worker: "1" }, value: 1 }, { labels: { worker: "0" }, value: 2 }];
  const samples = new Samples(list);
  assert.equal(samples.size, 2);
  assert.deepEqual([...samples.values()].map((s) => s.value), [1, 2], "in the order they came");
  assert.equal(samples.get(labelKey({ worker: "0" })).value, 2);
  assert.deepEqual([...samples.keys()], [labelKey({ worker: "1" }), labelKey({ worker: "0" })]);
  samples.set(labelKey({ worker: "2" }), { labels: { worker: "2" }, value: 3 });
  assert.equal(samples.delete(labelKey({ worker: "1" })), true);
  assert.deepEqual([...samples].map(([, s]) => s.value), [2, 3], "entries, once keyed");
  assert.equal(samples.has(labelKey({ worker: "1" })), false);
  assert.equal(samples.size, 2);
});
