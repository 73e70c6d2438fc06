//# allFunctionsCalledOnLoad
// The per-worker table: one row per `worker` label value, one column per family of the
// chosen group that has a worker label (counters as rates, gauges as values), sortable,
// with a sparkline of the sorted column.

import { compareNatural, passes, rates } from "../derive.js";
import { h, replace, show } from "../dom.js";
import { formatNumber, formatRate } from "../format.js";
import { sparkline } from "../sparkline.js";
import { controls, currentRate, latest, prefixOf } from "./common.js";

const MAX_COLUMNS = 6;
/** Built-in families that lead their group's columns, in this order. */
const FIRST = [
  "http_server_requests_total",
  "http_server_errors_total",
  "http_server_requests_in_flight",
  "http_server_connections_active",
  "http_server_response_body_bytes_total",
];

/** Columns: the built-in leaders, then counters, then gauges, each by name. */
function columnOrder(a, b) {
  const rank = (f) => {
    const first = FIRST.indexOf(f.name);
    return first >= 0 ? first : FIRST.length + (f.type === "counter" ? 0 : 1);
  };
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The longest prefix ending in `_` that every name shares (left out of headers). */
function sharedPrefix(names) {
  let prefix = names[0] ?? "";
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return names.length > 1 ? prefix.slice(0, prefix.lastIndexOf("_") + 1) : "";
}
const state = { group: null, sort: null, descending: true };

/** Counter and gauge families with a worker label, grouped by name prefix. */
function groups(model) {
  const found = new Map();
  for (const family of model.store.families.values()) {
    // `perOwner`: whether any sample ever had a worker (or actor) label; a family without
    // (a wide one of thousands of series, say) is not looked through sample by sample.
    if ((family.type !== "counter" && family.type !== "gauge") || !family.perOwner) continue;
    let workers = false;
    for (const sample of family.samples.values()) {
      if (sample.labels.worker !== undefined && passes(sample.labels, model.view.filter)) {
        workers = true;
        break;
      }
    }
    if (!workers) continue;
    const prefix = prefixOf(family.name);
    if (!found.has(prefix)) found.set(prefix, []);
    found.get(prefix).push(family);
  }
  return found;
}

function cell(model, family, worker) {
  const key = "worker|" + worker + "|" + family.name;
  return family.type === "counter" ? currentRate(model, key) : latest(model, key);
}

export function renderWorkers(section, model) {
  const all = groups(model);
  show(section, all.size > 0);
  if (all.size === 0) return;
  if (!all.has(state.group)) state.group = all.has("http_server") ? "http_server" : [...all.keys()].sort()[0];
  const columns = all.get(state.group).sort(columnOrder).slice(0, MAX_COLUMNS);
  const prefix = sharedPrefix(columns.map((c) => c.name));
  if (!columns.some((c) => c.name === state.sort)) state.sort = columns[0].name;
  const workers = new Set();
  for (const family of columns) {
    for (const sample of family.samples.values()) {
      if (sample.labels.worker !== undefined && passes(sample.labels, model.view.filter)) workers.add(sample.labels.worker);
    }
  }
  const sortFamily = columns.find((c) => c.name === state.sort);
  const rows = [...workers].map((worker) => ({ worker, values: columns.map((c) => cell(model, c, worker)) }));
  const at = columns.indexOf(sortFamily);
  const direction = state.descending ? -1 : 1;
  rows.sort((a, b) => {
    const x = Number.isFinite(a.values[at]) ? a.values[at] : -Infinity;
    const y = Number.isFinite(b.values[at]) ? b.values[at] : -Infinity;
    return x === y ? compareNatural(a.worker, b.worker) : (x - y) * direction;
  });

  const names = [...all.keys()].sort();
  controls(section, names.join(",") + "|" + state.group, () => [
    h(
      "label",
      {},
      "Group ",
      h(
        "select",
        { "aria-label": "Family group", onchange: (event) => { state.group = event.target.value; model.rerender(); } },
        names.map((group) => h("option", { value: group, selected: group === state.group }, group + "_…")),
      ),
    ),
  ]);
  const header = h(
    "tr",
    {},
    h("th", { scope: "col" }, "worker"),
    columns.map((family) =>
      h(
        "th",
        { scope: "col", "aria-sort": family === sortFamily ? (state.descending ? "descending" : "ascending") : "none", title: family.name + ": " + family.help },
        h(
          "button",
          {
            class: "sort",
            onclick: () => {
              state.descending = state.sort === family.name ? !state.descending : true;
              state.sort = family.name;
              model.rerender();
            },
          },
          family.name.slice(prefix.length) + (family.type === "counter" ? " /s" : ""),
        ),
      ),
    ),
    h("th", { scope: "col" }, "trend"),
  );
  const body = rows.map((row) => {
    const key = "worker|" + row.worker + "|" + sortFamily.name;
    const points = model.frames.series(key, model.view.range, model.now);
    return h(
      "tr",
      { "data-worker": row.worker },
      h("th", { scope: "row" }, row.worker),
      row.values.map((value, i) => h("td", {}, columns[i].type === "counter" ? formatRate(value) : formatNumber(value))),
      h("td", {}, sparkline(sortFamily.type === "counter" ? rates(points) : points, { label: "worker " + row.worker + " trend", band: sortFamily.type === "counter" ? null : model.frames.band(key, model.view.range, model.now) })),
    );
  });
  replace(section.querySelector(".panel-body"), h("div", { class: "scroll" }, h("table", { class: "workers" }, h("thead", {}, header), h("tbody", {}, body))));
}
