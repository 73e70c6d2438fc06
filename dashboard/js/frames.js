//# allFunctionsCalledOnLoad
// Readings over time, for trends and sparklines: the sums the panels draw, one frame per
// tick. Three rings, as on the server: one frame per second for 5 minutes and one per 10
// seconds for an hour (the last reading of each slot), and one per 5 minutes for 10
// hours (the mean of each slot's readings, with their lowest and highest, so a spike
// survives). Each frame holds a value per key (`sum|<series name>`,
// `worker|<worker>|<series name>`, `actor|<actor>[/<instance>]|<series name>`, and
// `row|<labels>|<series name>` for the route and client tables), so
// memory grows with families, workers and actor types, not with samples; frames are
// rows of numbers, one column per key (see rings.js).

import { passes } from "./derive.js";
import { rowKeys } from "./panels/endpoints.js";
import { BandRing, cell, Columns, Ring } from "./rings.js";

/**
 * Sums readings into the keys a frame holds: `sum|<series name>` over every series that
 * passes `filter`, and `worker|<worker>|<series name>` per worker.
 */
export class Totals {
  constructor(filter) {
    this.values = new Map();
    this.everything = Object.values(filter).every((wanted) => wanted.length === 0);
    this.filter = filter;
  }

  /** Adds one reading; NaN and infinities are no reading. */
  add(name, labels, value) {
    if (!Number.isFinite(value) || (!this.everything && !passes(labels, this.filter))) return;
    this.#add("sum|" + name, value);
    if (labels.worker !== undefined) this.#add("worker|" + labels.worker + "|" + name, value);
    const row = rowKeys(name, labels);
    if (row !== null) this.#add(row, value);
    if (labels.actor !== undefined) {
      this.#add("actor|" + labels.actor + "|" + name, value);
      if (labels.instance !== undefined) this.#add("actor|" + labels.actor + "/" + labels.instance + "|" + name, value);
    }
  }

  #add(key, value) {
    this.values.set(key, (this.values.get(key) ?? 0) + value);
  }
}

/** The totals of a list of `{name, labels, value}` readings. */
export function aggregate(series, filter) {
  const totals = new Totals(filter);
  for (const { name, labels, value } of series) totals.add(name, labels, value);
  return totals.values;
}

export const RANGES = { "1m": 60_000, "5m": 300_000, "1h": 3_600_000, "10h": 36_000_000 };

export class Frames {
  constructor() {
    this.columns = new Columns();
    this.fine = new Ring(1000, 300);
    this.coarse = new Ring(10_000, 360);
    this.long = new BandRing(300_000, 120);
  }

  /** Records the values (a Map, key to number) at `t` (ms). */
  add(t, values) {
    const frame = { t, values: this.columns.row(values) };
    this.fine.add(frame);
    this.coarse.add(frame);
    this.long.add(frame);
  }

  /** The ring that covers `range`. */
  ring(range) {
    if (range === "10h") return this.long;
    return range === "1h" ? this.coarse : this.fine;
  }

  /** `[[t, value], ...]` of `key` within `range` ending at `now`. */
  series(key, range, now) {
    const column = this.columns.find(key);
    if (column === undefined) return [];
    const since = now - (RANGES[range] ?? RANGES["5m"]);
    const out = [];
    for (const frame of this.ring(range).frames) {
      if (frame.t < since) continue;
      const value = cell(frame.values, column);
      if (!Number.isNaN(value)) out.push([frame.t, value]);
    }
    return out;
  }

  /**
   * `[[t, lowest, highest], ...]` of `key` within `range` ending at `now`, for the
   * ranges whose slots keep them (10 h); null for the others.
   */
  band(key, range, now) {
    if (this.ring(range) !== this.long) return null;
    const column = this.columns.find(key);
    if (column === undefined) return [];
    const since = now - RANGES[range];
    const out = [];
    for (const frame of this.long.frames) {
      const low = cell(frame.low, column);
      if (frame.t >= since && !Number.isNaN(low)) out.push([frame.t, low, cell(frame.high, column)]);
    }
    return out;
  }

  /** The most recent frames, newest last, at most `count` (for "current" rates). */
  latest(key, count) {
    const column = this.columns.find(key);
    if (column === undefined) return [];
    const out = [];
    for (const frame of this.fine.frames.slice(-count)) {
      const value = cell(frame.values, column);
      if (!Number.isNaN(value)) out.push([frame.t, value]);
    }
    return out;
  }

  /**
   * Seeds the past from a `/debug/history` document: each point's series pass through
   * the same aggregation as live readings.
   */
  seed(history, filter) {
    const series = history.series ?? [];
    const sum = (list) => {
      const readings = [];
      (list ?? []).forEach((value, i) => {
        if (value !== null && series[i]) readings.push({ name: series[i].name, labels: series[i].labels, value });
      });
      return this.columns.row(aggregate(readings, filter));
    };
    const resolution = history.resolution_seconds;
    // A summed key's band is the sum of its series' lowest and highest readings: it
    // holds the sum's own range, and is as wide only when they peak together.
    const seeded = (history.points ?? []).map((point) =>
      resolution >= 300 ? { t: point.t, values: sum(point.values), low: sum(point.min ?? point.values), high: sum(point.max ?? point.values) } : { t: point.t, values: sum(point.values) },
    );
    (resolution >= 300 ? this.long : resolution >= 10 ? this.coarse : this.fine).merge(seeded);
  }

  clear() {
    this.columns = new Columns();
    this.fine = new Ring(1000, 300);
    this.coarse = new Ring(10_000, 360);
    this.long = new BandRing(300_000, 120);
  }

  /** All frames of every ring, for export: each row as an object, key to number. */
  toJSON() {
    const object = (row) => this.columns.object(row);
    const pack = (ring) => ring.frames.map((f) => ({ t: f.t, values: object(f.values) }));
    const long = this.long.frames.map((f) => ({ t: f.t, values: object(f.values), low: object(f.low), high: object(f.high) }));
    return { fine: pack(this.fine), coarse: pack(this.coarse), long };
  }

  /** The inverse of `toJSON` (an export made before the 10 h ring existed has none). */
  static fromJSON(json) {
    const frames = new Frames();
    const row = (object) => frames.columns.row(new Map(Object.entries(object ?? {}).filter(([, value]) => typeof value === "number")));
    const unpack = (list, ring) => {
      for (const f of list ?? []) ring.add({ t: f.t, values: row(f.values) });
    };
    unpack(json?.fine, frames.fine);
    unpack(json?.coarse, frames.coarse);
    const long = (json?.long ?? []).filter((f) => Number.isFinite(f?.t)).map((f) => ({ t: f.t, values: row(f.values), low: row(f.low ?? f.values), high: row(f.high ?? f.values) }));
    frames.long.merge(long);
    return frames;
  }
}
