//# allFunctionsCalledOnLoad
// Readings over time, for trends and sparklines: the sums the panels draw, one frame per
// tick. Two rings, as on the server: one frame per second for 5 minutes, one per 10
// seconds for an hour. Each frame holds a value per key (`sum|<series name>`,
// `worker|<worker>|<series name>`, `actor|<actor>[/<instance>]|<series name>`, and
// `row|<labels>|<series name>` for the route and client tables), so
// memory grows with families, workers and actor types, not with samples.

import { passes } from "./derive.js";
import { rowKeys } from "./panels/endpoints.js";

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

class Ring {
  constructor(resolutionMs, capacity) {
    this.resolutionMs = resolutionMs;
    this.capacity = capacity;
    this.frames = [];
  }

  add(frame) {
    const last = this.frames[this.frames.length - 1];
    if (last && Math.floor(last.t / this.resolutionMs) === Math.floor(frame.t / this.resolutionMs)) {
      this.frames[this.frames.length - 1] = frame;
      return;
    }
    if (last && frame.t < last.t) return; // older than what we have: ignore
    this.frames.push(frame);
    if (this.frames.length > this.capacity) this.frames.shift();
  }

  /**
   * Adds `older` frames (the past, from the server's history) around the ones already
   * here, in time order, one per slot: where both have a slot, the frame already here (a
   * live reading) is kept. The history can arrive after the first live tick.
   */
  merge(older) {
    const bySlot = new Map();
    for (const frame of older) bySlot.set(Math.floor(frame.t / this.resolutionMs), frame);
    for (const frame of this.frames) bySlot.set(Math.floor(frame.t / this.resolutionMs), frame);
    this.frames = [...bySlot.values()].sort((a, b) => a.t - b.t).slice(-this.capacity);
  }
}

export const RANGES = { "1m": 60_000, "5m": 300_000, "1h": 3_600_000 };

export class Frames {
  constructor() {
    this.fine = new Ring(1000, 300);
    this.coarse = new Ring(10_000, 360);
  }

  /** Records the values at `t` (ms). */
  add(t, values) {
    const frame = { t, values };
    this.fine.add(frame);
    this.coarse.add(frame);
  }

  /** The ring that covers `range`. */
  ring(range) {
    return range === "1h" ? this.coarse : this.fine;
  }

  /** `[[t, value], ...]` of `key` within `range` ending at `now`. */
  series(key, range, now) {
    const since = now - (RANGES[range] ?? RANGES["5m"]);
    const out = [];
    for (const frame of this.ring(range).frames) {
      if (frame.t < since) continue;
      const value = frame.values.get(key);
      if (value !== undefined) out.push([frame.t, value]);
    }
    return out;
  }

  /** The most recent frames, newest last, at most `count` (for "current" rates). */
  latest(key, count) {
    const frames = this.fine.frames.slice(-count);
    return frames.filter((f) => f.values.has(key)).map((f) => [f.t, f.values.get(key)]);
  }

  /**
   * Seeds the past from a `/debug/history` document: each point's series pass through
   * the same aggregation as live readings.
   */
  seed(history, filter) {
    const series = history.series ?? [];
    const seeded = [];
    for (const point of history.points ?? []) {
      const readings = [];
      point.values.forEach((value, i) => {
        if (value !== null && series[i]) readings.push({ name: series[i].name, labels: series[i].labels, value });
      });
      seeded.push({ t: point.t, values: aggregate(readings, filter) });
    }
    (history.resolution_seconds >= 10 ? this.coarse : this.fine).merge(seeded);
  }

  clear() {
    this.fine.frames = [];
    this.coarse.frames = [];
  }

  /** All frames of both rings, for export. */
  toJSON() {
    const pack = (ring) => ring.frames.map((f) => ({ t: f.t, values: Object.fromEntries(f.values) }));
    return { fine: pack(this.fine), coarse: pack(this.coarse) };
  }

  /** The inverse of `toJSON`. */
  static fromJSON(json) {
    const frames = new Frames();
    const unpack = (list, ring) => {
      for (const f of list ?? []) ring.add({ t: f.t, values: new Map(Object.entries(f.values)) });
    };
    unpack(json?.fine, frames.fine);
    unpack(json?.coarse, frames.coarse);
    return frames;
  }
}
