//# allFunctionsCalledOnLoad
// The dashboard's copy of the registry: families and their samples, slot maps and
// errors, updated from `snapshot` and `delta` events (or polled snapshots). Plain data;
// nothing here touches the page.

/** A sample's identity within its family: its labels, sorted by name. */
export function labelKey(labels) {
  const names = Object.keys(labels);
  // The server writes label names in a fixed order per family, usually sorted already:
  // sort only when not (this runs for every sample of every event), and leave the rest
  // to the native `JSON.stringify`, which is fast even before any of this is optimised.
  for (let i = 1; i < names.length; i++) {
    if (names[i - 1] > names[i]) {
      const sorted = {};
      for (const name of names.sort()) sorted[name] = labels[name];
      return JSON.stringify(sorted);
    }
  }
  return JSON.stringify(labels);
}

function emptyValues() {
  return { server: new Set(), client: new Set(), worker: new Set() };
}

function noteValues(values, labels) {
  if (labels.server !== undefined) values.server.add(labels.server);
  if (labels.client !== undefined) values.client.add(labels.client);
  if (labels.worker !== undefined) values.worker.add(labels.worker);
}


/** A JSON float ("NaN", "+Inf", "-Inf" or a number) as a number. */
export function num(value) {
  if (typeof value === "number") return value;
  if (value === "+Inf") return Infinity;
  if (value === "-Inf") return -Infinity;
  return NaN;
}

/**
 * A family's samples by label key, with a `Map`'s reading methods. Filled from a
 * snapshot, it keeps the list as it came, and makes the keys (one `labelKey` per sample)
 * only when something first looks a sample up by key, changes one or asks for keys: the
 * first snapshot on a cold page, whose samples are mostly only read through (totals,
 * trends, most panels), costs no key for them. The server never sends two samples of a
 * family with the same labels, so the list and the keyed map hold the same samples.
 */
export class Samples {
  #list;
  #index = null;

  constructor(list = []) {
    this.#list = list;
  }

  #keyed() {
    if (this.#index === null) {
      this.#index = new Map();
      for (const sample of this.#list) this.#index.set(labelKey(sample.labels), sample);
      this.#list = null;
    }
    return this.#index;
  }

  get size() {
    return this.#index === null ? this.#list.length : this.#index.size;
  }

  values() {
    return this.#index === null ? this.#list.values() : this.#index.values();
  }

  keys() {
    return this.#keyed().keys();
  }

  entries() {
    return this.#keyed().entries();
  }

  [Symbol.iterator]() {
    return this.entries();
  }

  get(key) {
    return this.#keyed().get(key);
  }

  has(key) {
    return this.#keyed().has(key);
  }

  set(key, sample) {
    this.#keyed().set(key, sample);
    return this;
  }

  delete(key) {
    return this.#keyed().delete(key);
  }
}

/** The labels the page's pickers filter by. */
export const FILTER_LABELS = ["server", "client", "worker"];

export class MetricStore {
  constructor() {
    /** @type {Map<string, {name, help, type, unit, samples: Samples}>} */
    this.families = new Map();
    this.errors = [];
    /** Id of the last event applied. */
    this.lastId = null;
    /** The values each filter label takes, noted as samples arrive (null: count again). */
    this.filterValues = null;
  }

  /** Replaces everything with a full document (`/debug/metrics` or a `snapshot`). */
  applySnapshot(doc, id = null) {
    this.families.clear();
    this.filterValues = emptyValues();
    for (const family of doc.families ?? []) this.#put(family, true);
    // Version 1 documents (older exports) carried slot maps beside the families.
    for (const map of doc.slot_maps ?? []) {
      this.#put({ name: map.name, help: "Slot states.", type: "slots", unit: null, samples: [{ labels: map.labels, states: map.states }] }, false);
    }
    this.errors = doc.errors ?? [];
    this.lastId = id;
  }

  /** Applies a `delta`: new and changed samples, removed series (slot maps included). */
  applyDelta(doc, id = null) {
    for (const family of doc.families ?? []) this.#put(family, false);
    for (const gone of doc.removed ?? []) {
      if (gone.labels == null) this.families.delete(gone.name);
      else this.families.get(gone.name)?.samples.delete(labelKey(gone.labels));
      this.filterValues = null; // a value may have gone with it
    }
    if (doc.errors) this.errors = doc.errors;
    this.lastId = id;
  }

  #put(family, replace) {
    const values = this.filterValues;
    const samples = family.samples ?? [];
    let perOwner = false;
    // `noteValues` written out: a call per sample is what this loop would cost most.
    for (const sample of samples) {
      const labels = sample.labels;
      const server = labels.server;
      const client = labels.client;
      const worker = labels.worker;
      if (values !== null) {
        if (server !== undefined) values.server.add(server);
        if (client !== undefined) values.client.add(client);
        if (worker !== undefined) values.worker.add(worker);
      }
      if (!perOwner && (worker !== undefined || labels.actor !== undefined)) perOwner = true;
    }
    let known = this.families.get(family.name);
    if (!known || replace || known.type !== family.type) {
      // A family's whole list, as it came: keyed only when first looked up by key.
      known = { name: family.name, help: family.help, type: family.type, unit: family.unit, samples: new Samples(samples), perOwner };
      this.families.set(family.name, known);
      return;
    }
    known.help = family.help;
    known.unit = family.unit;
    known.perOwner ||= perOwner;
    for (const sample of samples) known.samples.set(labelKey(sample.labels), sample);
  }

  /**
   * The values each of `FILTER_LABELS` takes in the store: `{ server: Set, client: Set,
   * worker: Set }`, kept up to date as samples arrive (counted again after a removal).
   */
  labelValues() {
    if (this.filterValues === null) {
      const values = emptyValues();
      for (const family of this.families.values()) for (const sample of family.samples.values()) noteValues(values, sample.labels);
      this.filterValues = values;
    }
    return this.filterValues;
  }

  /** The store as a `/debug/metrics` document (families in name order), for export. */
  toDocument() {
    const families = [...this.families.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((f) => ({ name: f.name, help: f.help, type: f.type, unit: f.unit, samples: [...f.samples.values()] }));
    return { version: 2, families, errors: this.errors };
  }

  /** Every slot map (a sample of a `slots` family): `{name, labels, states}`. */
  slotMaps() {
    const maps = [];
    for (const family of this.families.values()) {
      if (family.type !== "slots") continue;
      for (const sample of family.samples.values()) maps.push({ name: family.name, labels: sample.labels, states: sample.states ?? "" });
    }
    return maps;
  }

  /**
   * Calls `visit(name, labels, value)` for every numeric series: counters and gauges by
   * their family's name, histograms and summaries as `<name>_count` and `<name>_sum` (as
   * `/debug/history`); info and slot-map families are left out. A callback, not a generator: it runs
   * on every tick over every sample, and on a fresh page before any of it is optimised.
   */
  eachNumeric(visit) {
    this.eachNumericFamily((name, family, field) => {
      for (const sample of family.samples.values()) visit(name, sample.labels, num(sample[field]));
    });
  }

  /**
   * Calls `visit(name, family, field)` for every numeric series name, as `eachNumeric`
   * names them, with `field` the sample's field that holds its number (`value`, `count`
   * or `sum`; `num(sample[field])` reads it); a family's `perOwner` says whether any
   * of its samples ever had a `worker` or `actor` label (so a caller that sums can skip
   * looking for them in the others).
   */
  eachNumericFamily(visit) {
    for (const family of this.families.values()) {
      if (family.type === "info" || family.type === "slots") continue;
      if (family.type === "histogram" || family.type === "summary") {
        visit(family.name + "_count", family, "count");
        visit(family.name + "_sum", family, "sum");
      } else {
        visit(family.name, family, "value");
      }
    }
  }

  /** How many samples there are in all. */
  sampleCount() {
    let count = 0;
    for (const family of this.families.values()) count += family.samples.size;
    return count;
  }
}
