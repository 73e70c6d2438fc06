//# allFunctionsCalledOnLoad
// Leak detection: memory (live heap, resident memory) and pool in-use counts that keep
// growing while the work rate stays flat. The page reads one scrape per tick; the test is
// over the last WINDOW steps between readings, so a leak that starts growing is named
// within WINDOW scrapes.
//
// A series is growing when, over its last WINDOW steps, no step went down, at least
// MIN_RISES went up, and it grew by at least its kind's floor (the live heap: 256 KiB and
// 1% of where it started; resident memory, which grows by whole pages as a fresh process
// first touches its memory and which the allocator rarely gives back: 2 MiB and 2%;
// counts: 2 units). The work rate is flat when its mean over the
// window's second half is at most 25% (plus 1/s) above its mean over the first half:
// growth that comes with more work is not a leak. With no work family at all, growth
// alone warns. Sampled: the readings are the page's, one per scrape.

/** Steps (between consecutive readings) a series must keep growing over. */
export const WINDOW = 5;
/** Steps, of WINDOW, that must go up (the rest may stay level). */
export const MIN_RISES = 3;
/** The least growth over the window that counts, by the series' kind. */
export const FLOORS = {
  bytes: { absolute: 256 * 1024, relative: 0.01 },
  resident: { absolute: 2 * 1024 * 1024, relative: 0.02 },
  count: { absolute: 2, relative: 0 },
};
/** How much more work (the second half's mean over the first's) still counts as flat. */
export const FLAT_WORK = { ratio: 1.25, slack: 1 };

/** A series' growth over its window, or null when it is not growing. */
export function growth(points, kind) {
  if (points.length < WINDOW + 1) return null;
  const window = points.slice(-(WINDOW + 1));
  let rises = 0;
  for (let i = 1; i < window.length; i++) {
    const step = window[i][1] - window[i - 1][1];
    if (!Number.isFinite(step) || step < 0) return null;
    if (step > 0) rises++;
  }
  const [start, first] = window[0];
  const [end, last] = window[window.length - 1];
  const grown = last - first;
  const floor = FLOORS[kind] ?? FLOORS.count;
  if (rises < MIN_RISES || grown < Math.max(floor.absolute, floor.relative * Math.abs(first))) return null;
  const seconds = (end - start) / 1000;
  return { grown, seconds, perSecond: seconds > 0 ? grown / seconds : NaN };
}

/** Whether the work rates (one per reading, NaN where unknown) stayed flat. */
export function workIsFlat(rates) {
  const known = rates.filter(Number.isFinite);
  if (known.length < 2) return true;
  const half = Math.floor(known.length / 2);
  const mean = (list) => list.reduce((sum, value) => sum + value, 0) / list.length;
  return mean(known.slice(half)) <= FLAT_WORK.ratio * mean(known.slice(0, half)) + FLAT_WORK.slack;
}

/**
 * Watches series tick by tick. `observe(t, series, workRate)` takes this tick's readings
 * (`[{ key, name, label, kind, value }]`: `name` the family, `label` which series, `kind`
 * `bytes` or `count`) and the work rate (requests or messages per second, NaN when there
 * is none); `warnings()` lists the series growing while the work is flat.
 */
export class LeakWatch {
  constructor() {
    /** Per series key: `{ name, label, kind, points: [[t, value]] }`, the last WINDOW + 1. */
    this.series = new Map();
    /** The work rate at each of the last WINDOW + 1 ticks. */
    this.work = [];
    /** Ticks observed since the page started watching. */
    this.ticks = 0;
  }

  observe(t, readings, workRate) {
    this.ticks++;
    this.work.push(workRate);
    if (this.work.length > WINDOW + 1) this.work.shift();
    const seen = new Set();
    for (const { key, name, label, kind, value } of readings) {
      seen.add(key);
      let entry = this.series.get(key);
      if (!entry) this.series.set(key, (entry = { name, label, kind, points: [] }));
      const last = entry.points[entry.points.length - 1];
      if (last && last[0] >= t) continue; // one reading per tick
      entry.points.push([t, value]);
      if (entry.points.length > WINDOW + 1) entry.points.shift();
    }
    for (const key of this.series.keys()) if (!seen.has(key)) this.series.delete(key);
  }

  warnings() {
    if (!workIsFlat(this.work)) return [];
    const found = [];
    for (const { name, label, kind, points } of this.series.values()) {
      const grew = growth(points, kind);
      if (grew) found.push({ name, label, kind, ...grew });
    }
    return found;
  }

  /** Forgets everything (after a filter change, an import or a resume). */
  clear() {
    this.series.clear();
    this.work = [];
    this.ticks = 0;
  }
}
