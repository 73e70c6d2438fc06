import assert from "node:assert/strict";
import { test } from "node:test";

import { Connection } from "../js/connection.js";

/** An EventSource stand-in the test drives by hand. */
class FakeSource {
  static made = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.listeners = {};
    this.closed = false;
    FakeSource.made.push(this);
  }
  addEventListener(kind, listener) {
    (this.listeners[kind] ??= []).push(listener);
  }
  emit(kind, event = {}) {
    for (const listener of this.listeners[kind] ?? []) listener(event);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
}

function setUp(overrides = {}) {
  FakeSource.made = [];
  const log = [];
  const timers = [];
  const connection = new Connection({
    streamUrl: "stream",
    snapshotUrl: "metrics",
    EventSource: FakeSource,
    fetch: async () => ({ ok: true, json: async () => ({ families: [], polled: true }) }),
    setTimeout: (fn, ms) => timers.push({ fn, ms }) && timers.length,
    clearTimeout: () => {},
    onSnapshot: (doc, id, received) => log.push(["snapshot", doc, id, received]),
    onDelta: (doc, id, received) => log.push(["delta", doc, id, received]),
    onStatus: (mode) => log.push(["status", mode]),
    ...overrides,
  });
  return { connection, log, timers };
}

test("stream events reach the store in order with their ids", () => {
  const { connection, log } = setUp();
  connection.start();
  const source = FakeSource.made[0];
  assert.equal(source.url, "stream");
  source.emit("open");
  source.emit("snapshot", { data: '{"families":[]}', lastEventId: "7" });
  source.emit("delta", { data: '{"families":[],"removed":[]}', lastEventId: "8" });
  const events = log.filter(([kind]) => kind !== "status");
  assert.deepEqual(events.map(([kind, , id]) => [kind, id]), [["snapshot", 7], ["delta", 8]]);
  assert.ok(events.every(([, , , received]) => typeof received === "number"), "each says when its handler began (before the parse)");
  assert.equal(connection.mode, "live");
});

test("a stream the browser gives up on falls back to polling, then tries again", async () => {
  const { connection, log, timers } = setUp();
  connection.start();
  const source = FakeSource.made[0];
  source.readyState = 2; // CLOSED: e.g. a non-200 answer
  source.emit("error");
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(source.closed);
  assert.equal(connection.mode, "polling");
  assert.ok(log.some(([kind, doc, , received]) => kind === "snapshot" && doc.polled && received === null), "a polled snapshot was applied (parsed in a task of its own: no start given)");
  const retry = timers.find((t) => t.ms === 30_000);
  assert.ok(retry, "the stream is tried again later");
  retry.fn();
  assert.equal(FakeSource.made.length, 2);
});

test("a few errors in a row without data also fall back", async () => {
  const { connection } = setUp();
  connection.start();
  const source = FakeSource.made[0];
  source.emit("error");
  assert.equal(connection.mode, "reconnecting");
  source.emit("error");
  source.emit("error");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(connection.mode, "polling");
});

test("without EventSource it polls, and stop stops everything", async () => {
  const { connection, log } = setUp({ EventSource: undefined });
  connection.start();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(connection.mode, "polling");
  assert.equal(log.filter(([kind]) => kind === "snapshot").length, 1);
  connection.stop();
  assert.equal(connection.mode, "stopped");
});
