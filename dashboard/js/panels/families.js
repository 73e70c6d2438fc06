//# allFunctionsCalledOnLoad
// Every family the registry holds, grouped by name prefix; each with its help as a
// tooltip and, when opened, its samples. Builds only what is open.

import { passes } from "../derive.js";
import { h, replace, show } from "../dom.js";
import { formatterFor } from "../format.js";
import { num } from "../store.js";
import { controls, prefixOf } from "./common.js";

const open = new Set();
const state = { search: "" };

function labelText(labels) {
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${value}"`);
  return parts.length ? "{" + parts.join(", ") + "}" : "";
}

function valueText(family, sample) {
  const format = formatterFor(family.unit);
  if (sample.buckets) return `count ${sample.count}, sum ${format(num(sample.sum))}`;
  if (sample.states !== undefined) return `${sample.states.length} slots: ${sample.states}`;
  if (sample.quantiles) return sample.quantiles.map((q) => `q${q.quantile}=${format(num(q.value))}`).join(" ") + `, count ${sample.count}`;
  return format(num(sample.value));
}

function samplesTable(family, filter) {
  const rows = [];
  for (const sample of family.samples.values()) {
    if (!passes(sample.labels, filter)) continue;
    rows.push(h("tr", {}, h("td", { class: "labels" }, labelText(sample.labels)), h("td", { class: "value" }, valueText(family, sample))));
  }
  return h("table", { class: "samples" }, h("tbody", {}, rows));
}

function familyRow(family, model) {
  const details = h(
    "details",
    { class: "family", "data-family": family.name, open: open.has(family.name) },
    h("summary", { title: family.help }, h("code", {}, family.name), h("span", { class: "type" }, family.type), family.unit ? h("span", { class: "unit" }, family.unit) : null, h("span", { class: "count" }, String(family.samples.size))),
  );
  // The store's current family, not the one this row was built from: a new snapshot
  // (after a reconnect) replaces the store's family objects.
  const showSamples = () => {
    const current = model.store.families.get(family.name) ?? family;
    details.appendChild(h("p", { class: "help" }, current.help));
    details.appendChild(samplesTable(current, model.view.filter));
  };
  details.addEventListener("toggle", () => {
    if (details.open) {
      open.add(family.name);
      // A details made open fires toggle too: render once.
      if (details.childNodes.length === 1) showSamples();
    } else {
      open.delete(family.name);
      while (details.childNodes.length > 1) details.removeChild(details.lastChild);
    }
  });
  if (open.has(family.name)) showSamples();
  return details;
}

/** The rows built last time, reused while the set of families shown is the same. */
const built = { signature: null, rows: new Map() };

function refreshOpen(model) {
  for (const name of open) {
    const row = built.rows.get(name);
    const family = model.store.families.get(name);
    if (!row || !family) continue;
    row.count.textContent = String(family.samples.size);
    if (row.details.open && row.details.lastChild?.tagName === "TABLE") {
      row.details.replaceChild(samplesTable(family, model.view.filter), row.details.lastChild);
    }
  }
}

export function renderFamilies(section, model) {
  controls(section, "search", () => [
    h("input", {
      type: "search", id: "family-search", placeholder: "filter families ( / )", "aria-label": "Filter families by name", value: state.search,
      oninput: (event) => {
        state.search = event.target.value;
        model.rerender();
      },
    }),
  ]);
  show(section, model.store.families.size > 0);
  const search = state.search.toLowerCase();
  const shown = [];
  for (const family of model.store.families.values()) {
    if (search && !family.name.toLowerCase().includes(search)) continue;
    let visible = family.samples.size === 0;
    if (!visible) {
      for (const sample of family.samples.values()) {
        if (passes(sample.labels, model.view.filter)) {
          visible = true;
          break;
        }
      }
    }
    if (visible) shown.push(family);
  }
  const signature = search + "\u0002" + JSON.stringify(model.view.filter) + "\u0002" + shown.map((f) => f.name + ":" + f.type).join(",");
  if (signature === built.signature) {
    refreshOpen(model);
    return;
  }
  const groups = new Map();
  for (const family of shown) {
    const prefix = prefixOf(family.name);
    if (!groups.has(prefix)) groups.set(prefix, []);
    groups.get(prefix).push(family);
  }
  built.rows.clear();
  const body = [...groups.keys()].sort().map((prefix) => {
    const families = groups.get(prefix).sort((a, b) => (a.name < b.name ? -1 : 1));
    const group = h("details", { class: "group", open: open.has("group:" + prefix) || search !== "" }, h("summary", {}, prefix + "_… ", h("span", { class: "count" }, String(families.length))));
    // A closed group's rows are built when it is first opened: a fresh page then builds
    // a summary per group, not a row per family.
    const fill = () => {
      if (group.childNodes.length > 1) return;
      for (const { name } of families) {
        const family = model.store.families.get(name);
        if (!family) continue;
        const details = familyRow(family, model);
        built.rows.set(name, { details, count: details.querySelector("summary .count") });
        group.appendChild(details);
      }
    };
    group.addEventListener("toggle", () => {
      if (group.open) {
        open.add("group:" + prefix);
        fill();
      } else {
        open.delete("group:" + prefix);
      }
    });
    if (group.open) fill();
    return group;
  });
  built.signature = signature;
  replace(section.querySelector(".panel-body"), ...body);
}
