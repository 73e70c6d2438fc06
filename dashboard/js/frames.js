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
import { num } from "./store.js";

/**
 * Each series name's frame keys, made once and kept: the same strings at every tick, so
 * no tick concatenates them again and their hashes are computed once. It grows with the
 * series names, workers and actors the page has seen, as the frames' columns do.
 */
const KEYS = new Map();

function keysOf(name) {
  let keys = KEYS.get(name);
  if (keys === undefined) {
    keys = { sum: "sum|" + name, workers: new Map(), actors: new Map(), rows: name.startsWith("http_") };
    KEYS.set(name, keys);
  }
  return keys;
}

const NO_LABELS = Object.freeze({});

/**
 * The key `map` holds for `part`, `<kind><part>|<name>`, made the first time (no closure
 * per reading: this runs for every sample with a worker or actor label, every tick).
 */
function kept(map, part, kind, name) {
  let key = map.get(part);
  if (key === undefined) map.set(part, (key = kind + part + "|" + name));
  return key;
}

/**
 * Sums readings into the keys a frame holds: `sum|<series name>` over every series that
 * passes `filter`, and `worker|<worker>|<series name>` per worker.
 */
export class Totals {
  #values = new Map();
  // The running sum of the last key added to, written to `#values` when the key changes:
  // a family's samples arrive together, so its sum is one map update, not one per sample.
  #pendingKey = null;
  #pending = 0;

  constructor(filter) {
    this.everything = Object.values(filter).every((wanted) => wanted.length === 0);
    this.filter = filter;
  }

  /** The sums: key to number. */
  get values() {
    this.#flush();
    return this.#values;
  }

  /**
   * Adds every sample of `family` as series `name`, `sample[field]` its number (a JSON
   * float, store.js `num`): with no filter set and no `worker` or `actor` label in the
   * family, only its sum, in one pass that looks at no label.
   */
  addFamily(name, family, field) {
    if (this.everything && !family.perOwner && !keysOf(name).rows) {
      let sum = 0;
      let any = false;
      for (const sample of family.samples.values()) {
        // A plain number read in place: no call per sample (of thousands, on a cold page).
        const raw = sample[field];
        const value = typeof raw === "number" ? raw : num(raw);
        if (Number.isFinite(value)) {
          sum += value;
          any = true;
        }
      }
      if (any) this.add(name, NO_LABELS, sum);
      return;
    }
    for (const sample of family.samples.values()) this.add(name, sample.labels, num(sample[field]));
  }

  /** Adds one reading; NaN and infinities are no reading. */
  add(name, labels, value) {
    if (!Number.isFinite(value) || (!this.everything && !passes(labels, this.filter))) return;
    const keys = keysOf(name);
    if (keys.sum === this.#pendingKey) this.#pending += value;
    else {
      this.#flush();
      this.#pendingKey = keys.sum;
      this.#pending = value;
    }
    const worker = labels.worker;
    if (worker !== undefined) this.#add(kept(keys.workers, worker, "worker|", name), value);
    if (keys.rows) {
      const row = rowKeys(name, labels);
      if (row !== null) this.#add(row, value);
    }
    const actor = labels.actor;
    if (actor !== undefined) {
      this.#add(kept(keys.actors, actor, "actor|", name), value);
      const instance = labels.instance;
      if (instance !== undefined) this.#add(kept(keys.actors, actor + "/" + instance, "actor|", name), value);
    }
  }

  #flush() {
    if (this.#pendingKey === null) return;
    this.#add(this.#pendingKey, this.#pending);
    this.#pendingKey = null;
  }

  #add(key, value) {
    this.#values.set(key, (this.#values.get(key) ?? 0) + value);
  }
}

/**
 * Routes series: `of(name, labels)` is the columns of `columns` a reading of series
 * `name` with `labels` adds to, a key's column once per time it adds to it (none when
 * `filter` drops it): what one `Totals` makes of a reading of 1, emptied for the next.
 */
class Router {
  #totals;

  constructor(columns, filter) {
    this.columns = columns;
    this.#totals = new Totals(filter);
  }

  of(name, labels) {
    const out = [];
    this.#totals.add(name, labels, 1);
    const sums = this.#totals.values;
    for (const [key, times] of sums) for (let time = 0; time < times; time++) out.push(this.columns.of(key));
    sums.clear();
    return out;
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
   * the same aggregation as live readings (all at once; `seeder` spreads it over tasks).
   */
  seed(history, filter) {
    const seeding = this.seeder(history, filter);
    seeding.step(Infinity);
    seeding.finish();
  }

  /**
   * Seeding from `history` in steps: `step(deadline)` routes series, then sums points,
   * until `now()` passes `deadline` (at least 64 series or one point a step), and says
   * whether every point is summed; `finish()` adds them to their ring, unless the
   * frames were cleared since (their columns given out anew), when it drops them and
   * returns false. Which keys a series adds to does not depend on its value, so each
   * series is routed once (`Router`: the columns it adds to) and every point is then
   * summed into a row by column, with no key made or looked up per reading: 5 minutes
   * of 2,000 series are 600,000 readings, on a page whose code is not yet optimised.
   */
  seeder(history, filter, now = () => performance.now()) {
    const series = Array.isArray(history?.series) ? history.series : [];
    const points = Array.isArray(history?.points) ? history.points : [];
    const columns = this.columns;
    const router = new Router(columns, filter);
    const routes = [];
    let width = 0; // the columns once every series is routed
    const sum = (list) => {
      const row = new Float64Array(width).fill(NaN);
      if (!Array.isArray(list)) return row;
      const count = Math.min(list.length, routes.length);
      for (let i = 0; i < count; i++) {
        const value = list[i];
        if (typeof value !== "number" || !Number.isFinite(value)) continue;
        const to = routes[i];
        for (let j = 0; j < to.length; j++) {
          const before = row[to[j]];
          row[to[j]] = (Number.isNaN(before) ? 0 : before) + value;
        }
      }
      return row;
    };
    const resolution = history?.resolution_seconds;
    const banded = resolution >= 300;
    const seeded = [];
    let next = 0;
    return {
      step: (deadline) => {
        while (routes.length < series.length) {
          const one = series[routes.length];
          routes.push(typeof one?.name === "string" ? router.of(one.name, one.labels ?? NO_LABELS) : []);
          if (routes.length === series.length) break;
          if (routes.length % 64 === 0 && now() >= deadline) return false;
        }
        width = columns.keys.length;
        while (next < points.length) {
          const point = points[next++];
          if (!Number.isFinite(point?.t)) continue;
          // A summed key's band is the sum of its series' lowest and highest readings:
          // it holds the sum's own range, and is as wide only when they peak together.
          seeded.push(banded ? { t: point.t, values: sum(point.values), low: sum(point.min ?? point.values), high: sum(point.max ?? point.values) } : { t: point.t, values: sum(point.values) });
          if (now() >= deadline) break;
        }
        return next >= points.length;
      },
      finish: () => {
        if (this.columns !== columns) return false;
        (banded ? this.long : resolution >= 10 ? this.coarse : this.fine).merge(seeded);
        return true;
      },
    };
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
