import assert from "node:assert/strict";
import { test } from "node:test";

import { Frames, Totals } from "../js/frames.js";
import { actorRows, rowOf } from "../js/panels/actors.js";
import { MetricStore } from "../js/store.js";

const counter = (name, samples) => ({ name, help: "", type: "counter", unit: null, samples });
const gauge = (name, samples) => ({ name, help: "", type: "gauge", unit: null, samples });
const histogram = (name, samples) => ({ name, help: "", type: "histogram", unit: "seconds", samples });
const hist = (labels, pairs) => ({
  labels,
  buckets: pairs.map(([le, count]) => ({ le, count })),
  count: pairs[pairs.length - 1][1],
  sum: 0,
});

/** A scrape of two actor types, `Shard` with two messages, after `n` handled each. */
function snapshot(n) {
  const shard = (message) => ({ actor: "Shard", message });
  return {
    errors: [],
    families: [
      counter("actorscope_actor_messages_handled_total", [
        { labels: shard("Get"), value: n },
        { labels: shard("Put"), value: n },
        { labels: { actor: "Idle", message: "Ping" }, value: 0 },
      ]),
      // Every new message took 3 µs to handle and waited 40 µs.
      histogram("actorscope_actor_message_handling_seconds", [
        hist(shard("Get"), [[1e-6, 0], [5e-6, n], ["+Inf", n]]),
        hist(shard("Put"), [[1e-6, 0], [5e-6, n], ["+Inf", n]]),
      ]),
      histogram("actorscope_actor_mailbox_wait_seconds", [hist(shard("Get"), [[1e-6, 0], [5e-5, n], ["+Inf", n]])]),
      gauge("actorscope_actor_mailbox_depth", [{ labels: { actor: "Shard" }, value: 7 }]),
      counter("actorscope_actor_busy_seconds_total", [{ labels: { actor: "Shard" }, value: n * 1e-3 }]),
      counter("actorscope_actor_handler_panics_total", [{ labels: shard("Put"), value: 1 }]),
      counter("actorscope_actor_send_failures_total", [{ labels: { actor: "Shard", reason: "full" }, value: 2 }]),
      counter("actorscope_actor_restarts_total", [{ labels: { actor: "Shard" }, value: 1 }]),
      gauge("actorscope_actor_active", [{ labels: { actor: "Shard" }, value: 2 }]),
    ],
  };
}

test("actor rows: rates from the frames, recent p99s, depth, errors, busy share per instance", () => {
  const store = new MetricStore();
  const frames = new Frames();
  const model = { store, frames, now: 0, view: { filter: { server: [], worker: [] }, range: "5m" } };
  // Eleven ticks a second apart, 100 more messages of each type every tick.
  let rows = [];
  for (let tick = 0; tick <= 10; tick++) {
    store.applySnapshot(snapshot(100 * tick));
    model.now = 1000 * tick;
    const totals = new Totals(model.view.filter);
    store.eachNumeric((name, labels, value) => totals.add(name, labels, value));
    frames.add(model.now, totals.values);
    rows = actorRows(model);
  }
  assert.deepEqual(rows.map((r) => r.row), ["Idle", "Shard"]);
  const shard = rows[1];
  assert.equal(shard.rate, 200, "Get and Put, 100/s each");
  assert.ok(shard.p99Handling > 1e-6 && shard.p99Handling <= 5e-6, `p99 handling ${shard.p99Handling}`);
  assert.ok(shard.p99Wait > 5e-6 && shard.p99Wait <= 5e-5, `p99 wait ${shard.p99Wait}`);
  assert.equal(shard.depth, 7);
  assert.equal(shard.errors, 3, "one panic and two failed sends");
  assert.equal(shard.restarts, 1);
  // 0.1 s of handling per second over two instances: 5% each.
  assert.ok(Math.abs(shard.busy - 0.05) < 1e-9, `busy ${shard.busy}`);
  assert.equal(rows[0].rate, 0);
});

test("per-instance series get a row each", () => {
  assert.equal(rowOf({ actor: "Shard" }), "Shard");
  assert.equal(rowOf({ actor: "Shard", instance: "overflow" }), "Shard/overflow");
});

test("no instrumented actor, no rows: the panel hides itself", () => {
  const model = { store: new MetricStore(), frames: new Frames(), now: 0, view: { filter: { server: [], worker: [] }, range: "5m" } };
  assert.deepEqual(actorRows(model), []);
});
