//# allFunctionsCalledOnLoad
// The overview strip: request rate, error rate, latency quantiles, in-flight requests
// and resident memory, from the built-in families when they are there.

import { histogramQuantile, rates } from "../derive.js";
import { replace, show } from "../dom.js";
import { formatBytes, formatNumber, formatPercent, formatRate, formatSeconds } from "../format.js";
import { latencyTile, TILES } from "../explain.js";
import { showsHttp } from "../profiles.js";
import { currentRate, gaugeTrend, has, latest, tile } from "./common.js";

export const REQUESTS = "http_server_requests_total";
export const ERRORS = "http_server_errors_total";
export const DURATION = "http_server_request_duration_seconds";
const IN_FLIGHT = "http_server_requests_in_flight";
const RSS = "process_resident_memory_bytes";

export function renderOverview(section, model) {
  const { frames, view, now } = model;
  const tiles = [];
  const http = showsHttp(model.profile);
  if (http && has(model, REQUESTS)) {
    const key = "sum|" + REQUESTS;
    tiles.push(tile("Requests", formatRate(currentRate(model, key)), rates(frames.series(key, view.range, now)), TILES["request-rate"], { "data-metric": "request-rate" }));
    if (has(model, ERRORS)) {
      const errors = currentRate(model, "sum|" + ERRORS);
      const requests = currentRate(model, key);
      const ratio = requests > 0 ? errors / requests : errors > 0 ? 1 : 0;
      tiles.push(tile("Errors", formatPercent(ratio), rates(frames.series("sum|" + ERRORS, view.range, now)), TILES["error-rate"], { "data-metric": "error-rate" }));
    }
  }
  if (http && has(model, DURATION)) {
    const buckets = model.latencyBuckets();
    for (const q of [0.5, 0.9, 0.99]) {
      const label = "p" + Math.round(q * 100);
      tiles.push(tile(label + " latency", formatSeconds(histogramQuantile(q, buckets)), null, latencyTile(q), { "data-metric": label }));
    }
  }
  if (http && has(model, IN_FLIGHT)) {
    tiles.push(tile("In flight", formatNumber(latest(model, "sum|" + IN_FLIGHT)), gaugeTrend(model, "sum|" + IN_FLIGHT), TILES["in-flight"], { "data-metric": "in-flight" }));
  }
  if (has(model, RSS)) {
    tiles.push(tile("Resident memory", formatBytes(latest(model, "sum|" + RSS)), gaugeTrend(model, "sum|" + RSS), TILES["rss"], { "data-metric": "rss" }));
  }
  replace(section.querySelector(".panel-body"), ...tiles);
  show(section, tiles.length > 0);
}
