//# allFunctionsCalledOnLoad
// What several panels need: the latest value and current rate of a key, and a tile.

import { ratePerSecond } from "../derive.js";
import { h } from "../dom.js";
import { explainText } from "../explain.js";
import { sparkline } from "../sparkline.js";

/** The latest value of `key` in the frames (undefined when never seen). */
export function latest(model, key) {
  const points = model.frames.latest(key, 1);
  return points.length ? points[0][1] : undefined;
}

/** The per-second rate of counter `key` over the last ~10 s. */
export function currentRate(model, key) {
  return ratePerSecond(model.frames.latest(key, 11));
}

/** Whether the store has a family with at least one sample. */
export function has(model, family) {
  return (model.store.families.get(family)?.samples.size ?? 0) > 0;
}

/**
 * The trend of gauge `key` in the page's range: its points and, where the range keeps
 * them (10 h), each slot's lowest and highest reading.
 */
export function gaugeTrend(model, key) {
  const { frames, view, now } = model;
  return { points: frames.series(key, view.range, now), band: frames.band(key, view.range, now) };
}

/**
 * A figure with a label, a value and, optionally, a trend (`[[t, value], ...]`, or
 * `{ points, band }` from `gaugeTrend`); its tooltip is `explanation`
 * (`{ what, families, how }`, see explain.js).
 */
export function tile(label, value, trend, explanation, attrs = {}) {
  const { points, band } = Array.isArray(trend) ? { points: trend, band: null } : (trend ?? {});
  return h(
    "div",
    { class: "tile", title: explainText(explanation), ...attrs },
    h("div", { class: "tile-label" }, label),
    h("div", { class: "tile-value" }, value),
    points ? sparkline(points, { label: label + " trend", band }) : null,
  );
}

/** A series' labels as text: `owner=api, pool=db`. */
export function describeLabels(labels) {
  return Object.entries(labels)
    .map(([name, value]) => name + "=" + value)
    .join(", ");
}

/**
 * The group of a family name: its first part (`app` for `app_ticks_total`), or for the
 * HTTP families its first two, so the server's and the outgoing clients' stay apart
 * (`http_server` for `http_server_requests_total`, `http_client` for `http_client_…`).
 */
export function prefixOf(name) {
  const at = name.indexOf("_");
  if (at <= 0) return name;
  if (name.slice(0, at) === "http") {
    const second = name.indexOf("_", at + 1);
    if (second > at + 1) return name.slice(0, second);
  }
  return name.slice(0, at);
}

/** Each panel's controls holder and the signature it was built for, by section. */
const builtControls = new WeakMap();

/**
 * Keeps a panel's controls across renders (so focus, typing and open dropdowns
 * survive the next tick); rebuilds them only when `signature` changes.
 */
export function controls(section, signature, build) {
  let built = builtControls.get(section);
  if (built?.signature === signature) return;
  if (!built) builtControls.set(section, (built = { holder: section.querySelector(".panel-controls"), signature }));
  const holder = built.holder;
  built.signature = signature;
  while (holder.firstChild) holder.removeChild(holder.firstChild);
  for (const node of build()) if (node) holder.appendChild(node);
}
