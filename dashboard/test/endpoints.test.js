// The route and client tables: which rows exist, and the rates and quantiles in them.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Frames, Totals } from "../js/frames.js";
import { formatDuration } from "../js/format.js";
import { CLIENT_CALLS, endpointRows, rowKeys, SERVER_ROUTES } from "../js/panels/endpoints.js";
import { MetricStore } from "../js/store.js";

const NO_FILTER = { server: [], client: [], worker: [] };

/** A snapshot with two server routes on two workers and one client call. */
function snapshot(requests) {
  const bucket = (count) => [{ le: 0.01, count: count / 2 }, { le: 0.1, count }, { le: "+Inf", count }];
  return {
    families: [
      {
        name: "http_server_requests_total", help: "", type: "counter", unit: null,
        samples: [
          { labels: { server: "api", worker: "0", route: "/a", status: "2xx" }, value: requests },
          { labels: { server: "api", worker: "1", route: "/a", status: "5xx" }, value: requests / 10 },
          { labels: { server: "api", worker: "0", route: "/b", status: "2xx" }, value: requests / 2 },
        ],
      },
      {
        name: "http_server_errors_total", help: "", type: "counter", unit: null,
        samples: [{ labels: { server: "api", worker: "1", route: "/a", status: "5xx" }, value: requests / 10 }],
      },
      {
        name: "http_server_request_duration_seconds", help: "", type: "histogram", unit: "seconds",
        samples: [{ labels: { server: "api", worker: "0", route: "/a", status: "2xx" }, count: requests, sum: 1, buckets: bucket(requests) }],
      },
      {
        name: "http_client_requests_total", help: "", type: "counter", unit: null,
        samples: [{ labels: { client: "load", worker: "0", target: "127.0.0.1:8080", route: "/kv/{key}", status: "2xx" }, value: requests * 2 }],
      },
    ],
  };
}

/** A model whose frames hold readings of `snapshot(n)` one second apart, for each n. */
function model(counts) {
  const store = new MetricStore();
  const frames = new Frames();
  counts.forEach((count, i) => {
    store.applySnapshot(snapshot(count));
    const totals = new Totals(NO_FILTER);
    store.eachNumeric((name, labels, value) => totals.add(name, labels, value));
    frames.add(i * 1000, totals.values);
  });
  return { store, frames, now: (counts.length - 1) * 1000, view: { filter: NO_FILTER, range: "5m" } };
}

test("rows are keyed by route on the server side and by client, target and route on the client side", () => {
  assert.equal(rowKeys("http_server_requests_total", { route: "/a", worker: "0" }), "row|/a|http_server_requests_total");
  assert.equal(rowKeys("http_client_requests_total", { client: "c", target: "t", route: "/r" }), "row|c\u0001t\u0001/r|http_client_requests_total");
  assert.equal(rowKeys("app_requests_total", { route: "/a" }), null, "only the HTTP families make rows");
});

test("a route's row sums its workers and statuses: rate, error ratio, quantiles, busiest first", () => {
  const rows = endpointRows(model([0, 100, 200]), SERVER_ROUTES);
  assert.deepEqual(rows.map((row) => row.labels), [["/a"], ["/b"]]);
  const [a, b] = rows;
  assert.equal(a.rate, 110, "100 + 10 requests a second on /a");
  assert.ok(Math.abs(a.errorRatio - 10 / 110) < 1e-12, String(a.errorRatio));
  assert.equal(b.rate, 50);
  assert.equal(b.errorRatio, 0);
  assert.ok(a.p50 > 0 && a.p50 <= 0.01 && a.p99 > 0.01 && a.p99 <= 0.1, `${a.p50} ${a.p99}`);
  assert.ok(Number.isNaN(b.p50), "no duration samples for /b");
});

test("quantiles come from the row's recent buckets when the page has them", () => {
  const recent = [{ le: 0.01, count: 0 }, { le: 0.1, count: 0 }, { le: 1, count: 10 }, { le: Infinity, count: 10 }];
  const withRecent = { ...model([0, 100, 200]), rowBuckets: (key) => (key === "row|/a|http_server_request_duration_seconds" ? recent : null) };
  const [a] = endpointRows(withRecent, SERVER_ROUTES);
  assert.ok(a.p50 > 0.1 && a.p50 <= 1, `the last ~10 s were slow: ${a.p50}`);
  const quiet = { ...model([0, 100, 200]), rowBuckets: () => [{ le: 0.1, count: 0 }, { le: Infinity, count: 0 }] };
  assert.ok(Number.isNaN(endpointRows(quiet, SERVER_ROUTES)[0].p99), "no requests lately: no quantile");
});

test("the client table has one row per client, target and route", () => {
  const rows = endpointRows(model([0, 50]), CLIENT_CALLS);
  assert.deepEqual(rows.map((row) => row.labels), [["load", "127.0.0.1:8080", "/kv/{key}"]]);
  assert.equal(rows[0].rate, 100);
});

test("durations read as people say them", () => {
  assert.equal(formatDuration(42.9), "42 s");
  assert.equal(formatDuration(303), "5 m 3 s");
  assert.equal(formatDuration(3 * 3600 + 12 * 60 + 5), "3 h 12 m");
  assert.equal(formatDuration(2 * 86400 + 4 * 3600), "2 d 4 h");
  assert.equal(formatDuration(-1), "–");
});

test("the HTTP families group as server and client, others by their first part", async () => {
  const { prefixOf } = await import("../js/panels/common.js");
  assert.equal(prefixOf("http_server_requests_total"), "http_server");
  assert.equal(prefixOf("http_client_errors_total"), "http_client");
  assert.equal(prefixOf("app_ticks_total"), "app");
  assert.equal(prefixOf("http"), "http");
  assert.equal(prefixOf("up"), "up");
});
