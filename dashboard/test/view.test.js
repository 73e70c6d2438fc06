import assert from "node:assert/strict";
import { test } from "node:test";

import { exportDocument, importedView, parseImport, timeBase } from "../js/exchange.js";
import { formatBytes, formatClock, formatNumber, formatPercent, formatSeconds } from "../js/format.js";
import { Frames } from "../js/frames.js";
import { shareAbove } from "../js/panels/histogram.js";
import { MetricStore } from "../js/store.js";
import { readView, writeView } from "../js/url.js";

test("the URL keeps filters, range, histogram and budget", () => {
  const view = readView("?server=api&worker=0&worker=1&range=1h&histogram=latency_seconds&budget=0.25");
  assert.deepEqual(view, { filter: { server: ["api"], client: [], worker: ["0", "1"] }, range: "1h", histogram: "latency_seconds", budget: 0.25 });
  assert.equal(writeView(view), "?server=api&worker=0&worker=1&range=1h&histogram=latency_seconds&budget=0.25");
  const defaults = readView("?range=2d&budget=-1");
  assert.equal(defaults.range, "5m");
  assert.equal(defaults.budget, null);
  assert.equal(writeView(defaults), "");
});

test("numbers read well", () => {
  assert.equal(formatNumber(12345), "12.3k");
  assert.equal(formatNumber(NaN), "–");
  assert.equal(formatNumber(Infinity), "+Inf");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatSeconds(0.0123), "12.3 ms");
  assert.equal(formatSeconds(0.000004), "4 µs");
  assert.equal(formatPercent(0.5), "50.0%");
});

test("the share above a budget interpolates within its bucket", () => {
  const buckets = [{ le: 0.1, count: 50 }, { le: 0.2, count: 100 }, { le: Infinity, count: 100 }];
  assert.equal(shareAbove(0.15, buckets), 0.25);
  assert.equal(shareAbove(0.2, buckets), 0);
  assert.equal(shareAbove(0.05, buckets), 0.75);
});

test("an export imports back to the same state", () => {
  const store = new MetricStore();
  store.applySnapshot({ families: [{ name: "a_total", help: "A.", type: "counter", unit: null, samples: [{ labels: { x: "<b>" }, value: 3 }] }], errors: [] });
  const frames = new Frames();
  frames.add(1000, new Map([["sum|a_total", 3]]));
  const view = readView("?worker=0");
  const text = JSON.stringify(exportDocument(store, frames, view, 0));
  const state = parseImport(text);
  const again = new MetricStore();
  again.applySnapshot(state.snapshot);
  assert.deepEqual(again.toDocument(), store.toDocument());
  assert.deepEqual(state.frames.series("sum|a_total", "1m", 1000), [[1000, 3]]);
  assert.deepEqual(state.view, view);
  assert.equal(state.exportedAt, "1970-01-01T00:00:00.000Z");
  assert.equal(state.timeBase, 1000, "shown as of its newest frame");
});

test("an import's view is only what a URL could say, and its time base falls back to the export time", () => {
  assert.deepEqual(importedView({ filter: { server: ["api", 3, ""], worker: "0" }, range: "1h", histogram: "lat", budget: 0.5 }), readView("?server=api&range=1h&histogram=lat&budget=0.5"));
  assert.deepEqual(importedView({ range: "10y", budget: -1, filter: null }), readView(""), "nonsense falls back to the defaults");
  assert.equal(importedView(undefined), null);
  assert.equal(importedView("?range=1h"), null, "not an object");
  const empty = new Frames();
  assert.equal(timeBase(empty, "2026-12-03T08:00:00.000Z"), Date.parse("2026-12-03T08:00:00.000Z"));
  assert.equal(timeBase(empty, "garbled", 42), 42);
});

test("a bad import says what is wrong", () => {
  assert.throws(() => parseImport("{"), /not JSON/);
  assert.throws(() => parseImport('{"format":"other"}'), /not an ActorScope export \(format is "other"\)/);
  assert.throws(() => parseImport('{"format":"actorscope-dashboard","version":9}'), /version 9/);
  assert.throws(() => parseImport('{"format":"actorscope-dashboard","version":1}'), /no snapshot families/);
});

test("the clock is local 24-hour HH:MM:SS", () => {
  assert.equal(formatClock(new Date(2026, 11, 3, 9, 5, 7)), "09:05:07");
  assert.equal(formatClock(new Date(2026, 11, 3, 23, 59, 59)), "23:59:59");
});
