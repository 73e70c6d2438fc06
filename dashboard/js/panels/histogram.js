//# allFunctionsCalledOnLoad
// One histogram at a time: its buckets as bars (counts per bucket, recent when the page
// has seen it move), p50/p90/p99, and an optional latency budget line with the share of
// observations above it. The bars are the classic buckets; quantiles and the share come
// from the native buckets when the histogram has them (finer), else the classic ones.

import { bucketIncrease, histogramQuantile, mergeBuckets, mergeNative, passes } from "../derive.js";
import { controls } from "./common.js";
import { h, replace, s, show } from "../dom.js";
import { formatNumber, formatPercent, formatterFor } from "../format.js";

const WIDTH = 560;
const HEIGHT = 140;

/** The share of observations above `budget`, interpolated within its bucket. */
export function shareAbove(budget, buckets) {
  const total = buckets[buckets.length - 1].count;
  if (!(total > 0)) return NaN;
  let below = 0;
  let lower = 0;
  for (const bucket of buckets) {
    if (bucket.le >= budget) {
      const width = bucket.le - lower;
      const part = Number.isFinite(width) && width > 0 ? (budget - lower) / width : 0;
      return 1 - (below + (bucket.count - below) * part) / total;
    }
    below = bucket.count;
    lower = bucket.le;
  }
  return 0;
}

function chart(buckets, budget, format) {
  const counts = buckets.map((b, i) => b.count - (i > 0 ? buckets[i - 1].count : 0));
  const highest = Math.max(1, ...counts);
  const width = WIDTH / counts.length;
  const svg = s("svg", { class: "histogram", width: "100%", viewBox: `0 0 ${WIDTH} ${HEIGHT + 20}`, role: "img", "aria-label": "bucket counts" });
  // About 70 units per label, so they never run into each other.
  const every = Math.max(1, Math.ceil(counts.length / Math.floor(WIDTH / 70)));
  counts.forEach((count, i) => {
    const height = (count / highest) * HEIGHT;
    const over = budget !== null && buckets[i].le > budget;
    svg.appendChild(s("rect", { x: i * width + 1, y: HEIGHT - height, width: Math.max(1, width - 2), height, class: over ? "over" : "" }, s("title", {}, `≤ ${format(buckets[i].le)}: ${count}`)));
    if (i % every === 0 || i === counts.length - 1) {
      svg.appendChild(s("text", { x: i * width + width / 2, y: HEIGHT + 14, "text-anchor": "middle" }, Number.isFinite(buckets[i].le) ? format(buckets[i].le) : "+Inf"));
    }
  });
  if (budget !== null) {
    // Between the bars of the bounds around it, in proportion.
    let at = buckets.findIndex((b) => b.le >= budget);
    if (at === -1) at = buckets.length - 1;
    const lower = at > 0 ? buckets[at - 1].le : 0;
    const part = Number.isFinite(buckets[at].le) && buckets[at].le > lower ? (budget - lower) / (buckets[at].le - lower) : 0;
    const x = (at + part) * width;
    svg.appendChild(s("line", { class: "budget", x1: x, x2: x, y1: 0, y2: HEIGHT }));
  }
  return svg;
}

export function renderHistogram(section, model) {
  const families = [...model.store.families.values()].filter((f) => f.type === "histogram" && f.samples.size > 0);
  show(section, families.length > 0);
  if (families.length === 0) return;
  families.sort((a, b) => (a.name < b.name ? -1 : 1));
  const chosen = families.find((f) => f.name === model.view.histogram) ?? families.find((f) => f.name === "http_server_request_duration_seconds") ?? families[0];
  const samples = [...chosen.samples.values()].filter((sample) => passes(sample.labels, model.view.filter));
  const cumulative = mergeBuckets(samples);
  const buckets = cumulative ? bucketIncrease(cumulative, model.bucketsBefore(chosen.name)) : null;
  // The page's tick history has the native form over the same window, when there is one.
  const hasNative = samples.length > 0 && samples.every((sample) => sample.native);
  const fine = hasNative ? (model.quantileBuckets(chosen.name) ?? mergeNative(samples)) : buckets;
  const format = formatterFor(chosen.unit);
  const signature = families.map((f) => f.name).join(",") + "|" + chosen.name + "|" + (model.view.budget ?? "");
  controls(section, signature, () => [
    h("label", {}, "Family ", h("select", { "aria-label": "Histogram", onchange: (event) => model.setView({ histogram: event.target.value }) }, families.map((f) => h("option", { value: f.name, selected: f === chosen }, f.name)))),
    h(
      "label",
      {},
      "Budget ",
      h("input", {
        type: "number", min: "0", step: "any", placeholder: "none", "aria-label": "Latency budget", value: model.view.budget ?? "",
        onchange: (event) => {
          const value = Number(event.target.value);
          model.setView({ budget: Number.isFinite(value) && value > 0 ? value : null });
        },
      }),
      chosen.unit ? " " + chosen.unit : "",
    ),
  ]);
  const summary = buckets
    ? [0.5, 0.9, 0.99].map((q) => h("span", { class: "quantile" }, `p${Math.round(q * 100)} ${format(histogramQuantile(q, fine))}`))
    : [];
  const budget = model.view.budget;
  replace(
    section.querySelector(".panel-body"),
    h("p", { class: "help", title: chosen.help }, chosen.help),
    buckets ? h("div", { class: "quantiles" }, summary, h("span", {}, ` over ${formatNumber(buckets[buckets.length - 1].count)} observations`)) : null,
    budget !== null && buckets ? h("p", { class: "over-budget" }, `${formatPercent(shareAbove(budget, fine))} above the budget of ${format(budget)}`) : null,
    buckets ? chart(buckets, budget, format) : h("p", {}, "No samples match the filters."),
  );
}
