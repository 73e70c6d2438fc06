//# allFunctionsCalledOnLoad
// Two tables of HTTP endpoints, one row each: the server's routes (`route` of
// `http_server_*`) and the outgoing clients' calls (`client`, `target`, `route` of
// `http_client_*`). Each row shows the request rate, the error rate and p50 and p99
// latency over the last ~10 s (quantiles since the process started until the page has
// seen two ticks), and the body bytes per second. The busiest `MAX_ROWS` rows are shown, and how many more
// there are.

import { compareNatural, histogramQuantile, mergeBuckets, passes } from "../derive.js";
import { h, replace, show } from "../dom.js";
import { formatBytes, formatPercent, formatRate, formatSeconds } from "../format.js";
import { currentRate } from "./common.js";

/** Rows shown per table (the busiest; the rest are counted under it). */
export const MAX_ROWS = 12;

/** What each table reads. */
export const SERVER_ROUTES = {
  requests: "http_server_requests_total",
  errors: "http_server_errors_total",
  duration: "http_server_request_duration_seconds",
  bytes: "http_server_response_body_bytes_total",
  labels: ["route"],
};
export const CLIENT_CALLS = {
  requests: "http_client_requests_total",
  errors: "http_client_errors_total",
  duration: "http_client_request_duration_seconds",
  bytes: "http_client_response_body_bytes_total",
  labels: ["client", "target", "route"],
};

/** A row's key in the frames: the row's label values, then the family. */
export function rowKey(labels, names) {
  // Concatenated in a loop, not `map` and `join`: an array and a call per label, for
  // every sample of the HTTP families, several times a tick.
  let key = "row|" + (labels[names[0]] ?? "");
  for (let i = 1; i < names.length; i++) key += "\u0001" + (labels[names[i]] ?? "");
  return key;
}

/** The frame keys of rows `Totals` keeps for a sample of `name` with `labels`, if any. */
export function rowKeys(name, labels) {
  if (name.startsWith("http_client_") && labels.client !== undefined) return rowKey(labels, CLIENT_CALLS.labels) + "|" + name;
  if (name.startsWith("http_server_") && labels.route !== undefined) return rowKey(labels, SERVER_ROUTES.labels) + "|" + name;
  return null;
}

/** The rows of `table`: label values, rates and quantiles, busiest first. */
export function endpointRows(model, table) {
  const requests = model.store.families.get(table.requests);
  if (!requests) return [];
  const rows = new Map();
  for (const sample of requests.samples.values()) {
    if (!passes(sample.labels, model.view.filter)) continue;
    const key = rowKey(sample.labels, table.labels);
    if (!rows.has(key)) rows.set(key, { key, labels: table.labels.map((name) => sample.labels[name] ?? ""), durations: [] });
  }
  for (const sample of model.store.families.get(table.duration)?.samples.values() ?? []) {
    if (passes(sample.labels, model.view.filter)) rows.get(rowKey(sample.labels, table.labels))?.durations.push(sample);
  }
  const out = [...rows.values()].map((row) => {
    const rate = currentRate(model, row.key + "|" + table.requests);
    const errors = currentRate(model, row.key + "|" + table.errors);
    const recent = model.rowBuckets?.(row.key + "|" + table.duration);
    const buckets = recent ?? mergeBuckets(row.durations);
    return {
      labels: row.labels,
      rate,
      errorRatio: rate > 0 ? (Number.isFinite(errors) ? errors : 0) / rate : errors > 0 ? 1 : NaN,
      p50: histogramQuantile(0.5, buckets),
      p99: histogramQuantile(0.99, buckets),
      bytes: currentRate(model, row.key + "|" + table.bytes),
    };
  });
  const rank = (value) => (Number.isFinite(value) ? value : -1);
  out.sort((a, b) => rank(b.rate) - rank(a.rate) || compareNatural(a.labels.join(" "), b.labels.join(" ")));
  return out;
}

function renderTable(section, model, table, className) {
  const rows = endpointRows(model, table);
  show(section, rows.length > 0);
  if (rows.length === 0) return;
  const header = h(
    "tr",
    {},
    table.labels.map((name) => h("th", { scope: "col" }, name)),
    h("th", { scope: "col", title: "requests per second, last ~10 s" }, "rate"),
    h("th", { scope: "col", title: `${table.errors} over ${table.requests}, last ~10 s` }, "errors"),
    h("th", { scope: "col", title: `${table.duration}, last ~10 s` }, "p50"),
    h("th", { scope: "col", title: `${table.duration}, last ~10 s` }, "p99"),
    h("th", { scope: "col", title: `${table.bytes} per second` }, "body bytes /s"),
  );
  const shown = rows.slice(0, MAX_ROWS);
  const body = shown.map((row) =>
    h(
      "tr",
      { "data-row": row.labels.join(" ") },
      row.labels.map((value, i) => (i === 0 ? h("th", { scope: "row" }, value) : h("td", {}, value))),
      h("td", { "data-column": "rate" }, formatRate(row.rate)),
      h("td", { "data-column": "errors" }, formatPercent(row.errorRatio)),
      h("td", { "data-column": "p50" }, formatSeconds(row.p50)),
      h("td", { "data-column": "p99" }, formatSeconds(row.p99)),
      h("td", { "data-column": "bytes" }, formatBytes(row.bytes) + "/s"),
    ),
  );
  const more = rows.length - shown.length;
  replace(
    section.querySelector(".panel-body"),
    h("div", { class: "scroll" }, h("table", { class: className }, h("thead", {}, header), h("tbody", {}, body))),
    more > 0 ? h("p", { class: "more-rows" }, `and ${more} quieter ${more === 1 ? "row" : "rows"} (filter with the header's pickers or /debug/metrics?label=route:…)`) : null,
  );
}

export function renderRoutes(section, model) {
  renderTable(section, model, SERVER_ROUTES, "routes");
}

export function renderClients(section, model) {
  renderTable(section, model, CLIENT_CALLS, "clients");
}
