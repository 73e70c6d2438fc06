import assert from "node:assert/strict";
import { test } from "node:test";

import { aggregate, Frames } from "../js/frames.js";

const series = [
  { name: "requests_total", labels: { worker: "0", server: "api" }, value: 3 },
  { name: "requests_total", labels: { worker: "1", server: "api" }, value: 4 },
  { name: "requests_total", labels: { worker: "1", server: "admin" }, value: 10 },
  { name: "rss_bytes", labels: {}, value: NaN },
];

test("aggregation sums by series and by worker, after the filter", () => {
  const all = aggregate(series, { server: [], worker: [] });
  assert.equal(all.get("sum|requests_total"), 17);
  assert.equal(all.get("worker|1|requests_total"), 14);
  assert.equal(all.has("sum|rss_bytes"), false, "NaN is no reading");
  const api = aggregate(series, { server: ["api"], worker: [] });
  assert.equal(api.get("sum|requests_total"), 7);
});

test("one frame per second, the latest reading of a second wins", () => {
  const frames = new Frames();
  frames.add(1000, new Map([["k", 1]]));
  frames.add(1500, new Map([["k", 2]]));
  frames.add(2100, new Map([["k", 3]]));
  assert.deepEqual(frames.series("k", "1m", 2100), [[1500, 2], [2100, 3]]);
  assert.deepEqual(frames.latest("k", 1), [[2100, 3]]);
});

test("ranges pick their ring and cut old frames", () => {
  const frames = new Frames();
  for (let second = 0; second < 400; second++) frames.add(second * 1000, new Map([["k", second]]));
  assert.equal(frames.series("k", "5m", 399_000).length, 300, "the fine ring keeps 5 minutes");
  assert.equal(frames.series("k", "1m", 399_000).length, 61);
  assert.equal(frames.series("k", "1h", 399_000).length, 40, "one per 10 s");
});

test("history seeds frames through the same aggregation", () => {
  const frames = new Frames();
  frames.seed({
    resolution_seconds: 1,
    series: [{ name: "requests_total", labels: { worker: "0" } }, { name: "requests_total", labels: { worker: "1" } }],
    points: [{ t: 1000, values: [1, 2] }, { t: 2000, values: [2, null] }],
  }, { server: [], worker: [] });
  assert.deepEqual(frames.series("sum|requests_total", "1m", 2000), [[1000, 3], [2000, 2]]);
});

test("seeding sums each point exactly as the live aggregation does, filters, owners and table rows included", () => {
  const series = [
    { name: "requests_total", labels: { worker: "0", server: "api" } },
    { name: "requests_total", labels: { worker: "1", server: "admin" } },
    { name: "mailbox_depth", labels: { actor: "Cache", instance: "2", server: "api" } },
    { name: "http_server_requests_total", labels: { route: "/a", method: "GET", status: "200", server: "api" } },
    { name: "http_server_requests_total", labels: { route: "/a", method: "GET", status: "500", server: "api" } },
    { name: "http_client_requests_total", labels: { client: "db", server: "admin" } },
    null,
    { name: "rss", labels: {} },
  ];
  const points = [
    { t: 1000, values: [1, 2, 3, 4, 5, 6, 7, 8] },
    { t: 2000, values: [null, 2.5, "NaN", 4, null, 6, 7, 9] },
    { t: 3000, values: [3, null, 1] },
  ];
  for (const filter of [{ server: [], client: [], worker: [] }, { server: ["api"], client: [], worker: [] }, { server: [], client: [], worker: ["1"] }]) {
    const frames = new Frames();
    frames.seed({ resolution_seconds: 1, series, points }, filter);
    for (const point of points) {
      const readings = point.values.map((value, i) => ({ ...series[i], value })).filter((reading, i) => series[i] && reading.value !== null);
      const expected = aggregate(readings, filter);
      const frame = frames.fine.frames.find((f) => f.t === point.t);
      assert.deepEqual(frames.columns.object(frame.values), Object.fromEntries(expected), `t=${point.t}, filter ${JSON.stringify(filter)}`);
    }
  }
});

test("seeding in steps: each step sums points until its deadline, and a clear in between drops the seeding", () => {
  const history = { resolution_seconds: 1, series: [{ name: "k", labels: {} }], points: [1, 2, 3, 4, 5].map((v) => ({ t: v * 1000, values: [v] })) };
  const filter = { server: [], client: [], worker: [] };
  let clock = 0;
  const frames = new Frames();
  const seeding = frames.seeder(history, filter, () => clock++);
  assert.equal(seeding.step(clock + 2), false, "two points by the deadline, three to go");
  assert.deepEqual(frames.series("sum|k", "1m", 5000), [], "nothing is in the ring before it finishes");
  assert.equal(seeding.step(-1), false, "a step past its deadline still sums one point");
  assert.equal(seeding.step(Infinity), true);
  assert.equal(seeding.finish(), true);
  assert.deepEqual(frames.series("sum|k", "1m", 5000), [[1000, 1], [2000, 2], [3000, 3], [4000, 4], [5000, 5]]);
  const cleared = new Frames();
  const late = cleared.seeder(history, filter);
  cleared.clear(); // a filter change while the history was being summed
  late.step(Infinity);
  assert.equal(late.finish(), false);
  assert.deepEqual(cleared.series("sum|k", "1m", 5000), [], "summed with the old columns: dropped");
  const odd = new Frames();
  odd.seed({ resolution_seconds: 1, series: [{ name: "k" }], points: [null, { t: 1000, values: [7] }, { values: [1] }] }, filter);
  assert.deepEqual(odd.series("sum|k", "1m", 1000), [[1000, 7]], "points without a time are skipped");
});

test("history that arrives after the first live tick still seeds the past, and the live tick stays", () => {
  const frames = new Frames();
  frames.add(60_500, new Map([["sum|requests_total", 99]])); // the live snapshot came first
  frames.seed({
    resolution_seconds: 10,
    series: [{ name: "requests_total", labels: {} }],
    points: [{ t: 30_000, values: [1] }, { t: 40_000, values: [2] }, { t: 60_000, values: [3] }],
  }, { server: [], worker: [] });
  assert.deepEqual(frames.series("sum|requests_total", "1h", 60_500), [[30_000, 1], [40_000, 2], [60_500, 99]], "the live reading wins its 10 s slot");
});

test("frames survive export and import", () => {
  const frames = new Frames();
  frames.add(1000, new Map([["k", 1]]));
  frames.add(15_000, new Map([["k", 2]]));
  const again = Frames.fromJSON(JSON.parse(JSON.stringify(frames.toJSON())));
  assert.deepEqual(again.series("k", "1h", 15_000), frames.series("k", "1h", 15_000));
  assert.deepEqual(again.series("k", "5m", 15_000), [[1000, 1], [15_000, 2]]);
});

test("the 10 h ring keeps each 5-minute slot's mean, lowest and highest: a spike survives", () => {
  const frames = new Frames();
  for (let second = 0; second < 600; second++) frames.add(second * 1000, new Map([["k", second === 100 ? 1000 : 10]]));
  const now = 599_000;
  const means = frames.series("k", "10h", now);
  assert.equal(means.length, 2, "two slots");
  assert.equal(means[0][0], 299_000, "a slot is stamped with its last reading");
  assert.ok(Math.abs(means[0][1] - (10 + 990 / 300)) < 1e-9, `the mean: ${means[0][1]}`);
  assert.deepEqual(frames.band("k", "10h", now), [[299_000, 10, 1000], [599_000, 10, 10]]);
  assert.equal(frames.band("k", "1h", now), null, "the other ranges keep last readings");
  assert.ok(Math.max(...frames.series("k", "1h", now).map(([, v]) => v)) === 10, "where the spike is gone");
  for (let slot = 2; slot < 130; slot++) frames.add(slot * 300_000, new Map([["k", slot]]));
  assert.equal(frames.long.frames.length, 120, "at most 120 slots: 10 hours");
});

test("10 h history seeds the band from each slot's min and max, summed like the means", () => {
  const frames = new Frames();
  frames.add(650_000, new Map([["sum|rss", 7]])); // a live reading in the newest slot
  frames.seed({
    resolution_seconds: 300,
    series: [{ name: "rss", labels: { worker: "0" } }, { name: "rss", labels: { worker: "1" } }],
    points: [
      { t: 299_000, values: [2, 3], min: [1, 2], max: [9, 4] },
      { t: 610_000, values: [2, 3], min: [2, 1], max: [2, 8] },
    ],
  }, { server: [], worker: [] });
  assert.deepEqual(frames.series("sum|rss", "10h", 650_000), [[299_000, 5], [650_000, 7]], "the live slot keeps its mean");
  assert.deepEqual(frames.band("sum|rss", "10h", 650_000), [[299_000, 3, 13], [650_000, 3, 10]], "widened by the seeded slot");
  const again = Frames.fromJSON(JSON.parse(JSON.stringify(frames.toJSON())));
  assert.deepEqual(again.band("sum|rss", "10h", 650_000), frames.band("sum|rss", "10h", 650_000), "bands survive export and import");
  assert.deepEqual(Frames.fromJSON({ fine: [], coarse: [] }).long.frames, [], "an export from before the 10 h ring imports");
});

test("a key first seen later has no reading in older frames, and widens the open 10 h slot", () => {
  const frames = new Frames();
  frames.add(1000, new Map([["a", 1]]));
  frames.add(2000, new Map([["a", 2], ["b", 5]]));
  assert.deepEqual(frames.series("b", "1m", 2000), [[2000, 5]]);
  assert.deepEqual(frames.series("a", "1m", 2000), [[1000, 1], [2000, 2]]);
  assert.deepEqual(frames.band("b", "10h", 2000), [[2000, 5, 5]]);
  assert.deepEqual(frames.band("a", "10h", 2000), [[2000, 1, 2]]);
  assert.deepEqual(frames.series("a", "10h", 2000), [[2000, 1.5]]);
  assert.deepEqual(frames.series("never", "1m", 2000), []);
  assert.deepEqual(frames.latest("b", 5), [[2000, 5]]);
});

test("summing a store family by family gives what summing it sample by sample gives", async () => {
  const { MetricStore } = await import("../js/store.js");
  const { Totals } = await import("../js/frames.js");
  const store = new MetricStore();
  store.applySnapshot({
    families: [
      { name: "wide", type: "gauge", samples: [{ labels: { series: "a" }, value: 1 }, { labels: { series: "b" }, value: "NaN" }, { labels: { series: "c" }, value: 2 }] },
      { name: "jobs_total", type: "counter", samples: [{ labels: { worker: "0" }, value: 3 }, { labels: { worker: "1", server: "api" }, value: 4 }] },
      { name: "actor_messages_total", type: "counter", samples: [{ labels: { actor: "Cache", instance: "1" }, value: 5 }] },
      { name: "http_server_requests_total", type: "counter", samples: [{ labels: { route: "/a", method: "GET", status: "200" }, value: 6 }] },
      { name: "lat", type: "histogram", samples: [{ labels: {}, count: 2, sum: 0.5, buckets: [] }] },
    ],
  });
  for (const filter of [{ server: [], client: [], worker: [] }, { server: ["api"], client: [], worker: [] }]) {
    const each = new Totals(filter);
    store.eachNumeric((name, labels, value) => each.add(name, labels, value));
    const byFamily = new Totals(filter);
    store.eachNumericFamily((name, family, field) => byFamily.addFamily(name, family, field));
    assert.deepEqual(new Map([...byFamily.values].sort()), new Map([...each.values].sort()), JSON.stringify(filter));
  }
  const all = new Totals({ server: [], client: [], worker: [] });
  store.eachNumericFamily((name, family, field) => all.addFamily(name, family, field));
  assert.equal(all.values.get("sum|wide"), 3, "NaN is no reading");
  assert.equal(all.values.get("worker|1|jobs_total"), 4);
  assert.equal(all.values.get("actor|Cache/1|actor_messages_total"), 5);
  assert.equal(all.values.get("sum|lat_count"), 2);
});
