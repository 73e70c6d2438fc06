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

/** A JSON float ("NaN", "+Inf", "-Inf" or a number) as a number. */
export function num(value) {
  if (typeof value === "number") return value;
  if (value === "+Inf") return Infinity;
  if (value === "-Inf") return -Infinity;
  return NaN;
}

export class MetricStore {
  constructor() {
    /** @type {Map<string, {name, help, type, unit, samples: Map<string, object>}>} */
    this.families = new Map();
    this.errors = [];
    /** Id of the last event applied. */
    this.lastId = null;
  }

  /** Replaces everything with a full document (`/debug/metrics` or a `snapshot`). */
  applySnapshot(doc, id = null) {
    this.families.clear();
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
    }
    if (doc.errors) this.errors = doc.errors;
    this.lastId = id;
  }

  #put(family, replace) {
    let known = this.families.get(family.name);
    if (!known || replace || known.type !== family.type) {
      known = { name: family.name, help: family.help, type: family.type, unit: family.unit, samples: new Map() };
      this.families.set(family.name, known);
    } else {
      known.help = family.help;
      known.unit = family.unit;
    }
    for (const sample of family.samples ?? []) known.samples.set(labelKey(sample.labels), sample);
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
    for (const family of this.families.values()) {
      if (family.type === "info" || family.type === "slots") continue;
      if (family.type === "histogram" || family.type === "summary") {
        const count = family.name + "_count";
        const sum = family.name + "_sum";
        for (const sample of family.samples.values()) {
          visit(count, sample.labels, num(sample.count));
          visit(sum, sample.labels, num(sample.sum));
        }
      } else {
        for (const sample of family.samples.values()) visit(family.name, sample.labels, num(sample.value));
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
