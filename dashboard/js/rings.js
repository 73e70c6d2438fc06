//# allFunctionsCalledOnLoad
// The rings the trends are kept in. A frame is `{ t, values }`, where `values` is a
// Float64Array with one column per key (NaN: no reading). `Columns` gives each key its
// column once, so a frame costs 8 bytes per key and each key's text is held once,
// however many frames there are.

/** The column of each key, in the order the keys were first seen. */
export class Columns {
  constructor() {
    this.index = new Map();
    this.keys = [];
  }

  /** The column of `key`, given one if it has none yet. */
  of(key) {
    let column = this.index.get(key);
    if (column === undefined) {
      column = this.keys.length;
      this.index.set(key, column);
      this.keys.push(key);
    }
    return column;
  }

  /** The column of `key`, or undefined if it was never seen. */
  find(key) {
    return this.index.get(key);
  }

  /** A row of `map`'s values (key to number), NaN where it has none. */
  row(map) {
    const columns = [];
    for (const key of map.keys()) columns.push(this.of(key));
    const row = new Float64Array(this.keys.length).fill(NaN);
    let i = 0;
    for (const value of map.values()) row[columns[i++]] = value;
    return row;
  }

  /** `row` as a plain object, key to number, for export. */
  object(row) {
    const out = {};
    row.forEach((value, column) => {
      if (!Number.isNaN(value)) out[this.keys[column]] = value;
    });
    return out;
  }
}

/** The value in `column` of `row`: NaN past its end (a key newer than the row). */
export function cell(row, column) {
  return column < row.length ? row[column] : NaN;
}

/** `row` grown to `length` columns, the new ones NaN. */
function grown(row, length) {
  if (row.length >= length) return row;
  const longer = new Float64Array(length).fill(NaN);
  longer.set(row);
  return longer;
}

/** One frame per slot of `resolutionMs`, the last reading of each, at most `capacity`. */
export class Ring {
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
    this.frames = mergeSlots(this, older, () => {});
  }
}

/**
 * `ring`'s frames with `older` ones around them, in time order, one per slot, at most
 * the ring's capacity: where both have a slot, the ring's own frame is kept, after
 * `both(own, older)`.
 */
function mergeSlots(ring, older, both) {
  const slotOf = (frame) => Math.floor(frame.t / ring.resolutionMs);
  const bySlot = new Map();
  for (const frame of older) bySlot.set(slotOf(frame), frame);
  for (const frame of ring.frames) {
    const seeded = bySlot.get(slotOf(frame));
    if (seeded) both(frame, seeded);
    bySlot.set(slotOf(frame), frame);
  }
  return [...bySlot.values()].sort((a, b) => a.t - b.t).slice(-ring.capacity);
}

/**
 * One frame per slot of `resolutionMs`, at most `capacity`: each the mean (`values`), the
 * lowest (`low`) and the highest (`high`) of the readings of every key that fell in it,
 * stamped with the last reading's time.
 */
export class BandRing {
  constructor(resolutionMs, capacity) {
    this.resolutionMs = resolutionMs;
    this.capacity = capacity;
    this.frames = [];
    this.open = null; // the newest slot's frame, while live readings fold into it
    this.counts = new Uint32Array(0); // readings of each column in `open` so far
  }

  /** Folds the live reading `{ t, values }` into its slot. */
  add({ t, values }) {
    const slot = Math.floor(t / this.resolutionMs);
    let last = this.frames[this.frames.length - 1];
    const lastSlot = last ? Math.floor(last.t / this.resolutionMs) : -Infinity;
    if (slot < lastSlot) return; // older than what we have: ignore
    if (slot > lastSlot) {
      last = { t, values: new Float64Array(values.length).fill(NaN), low: new Float64Array(values.length).fill(NaN), high: new Float64Array(values.length).fill(NaN) };
      this.frames.push(last);
      if (this.frames.length > this.capacity) this.frames.shift();
    }
    if (this.open !== last) {
      // A slot seeded from the server's history counts its summary as one reading.
      this.open = last;
      const counts = new Uint32Array(last.values.length);
      for (let i = 0; i < counts.length; i++) if (!Number.isNaN(last.values[i])) counts[i] = 1;
      this.counts = counts;
    }
    last.t = t;
    if (values.length > last.values.length) {
      last.values = grown(last.values, values.length);
      last.low = grown(last.low, values.length);
      last.high = grown(last.high, values.length);
    }
    if (this.counts.length < last.values.length) {
      const counts = new Uint32Array(last.values.length);
      counts.set(this.counts);
      this.counts = counts;
    }
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (Number.isNaN(value)) continue;
      const count = ++this.counts[i];
      if (count === 1) {
        last.values[i] = value;
        last.low[i] = value;
        last.high[i] = value;
      } else {
        last.values[i] += (value - last.values[i]) / count;
        if (value < last.low[i]) last.low[i] = value;
        if (value > last.high[i]) last.high[i] = value;
      }
    }
  }

  /**
   * Adds `older` slots (from the server's history) around the ones already here; where
   * both have a slot, the one here (live readings) is kept, widened to the other's
   * lowest and highest.
   */
  merge(older) {
    this.frames = mergeSlots(this, older, widen);
  }
}

/** Widens `frame`'s lowest and highest readings to take in `other`'s. */
function widen(frame, other) {
  const length = Math.max(frame.values.length, other.values.length);
  frame.values = grown(frame.values, length);
  frame.low = grown(frame.low, length);
  frame.high = grown(frame.high, length);
  for (let i = 0; i < other.low.length; i++) {
    frame.low[i] = either(frame.low[i], other.low[i], Math.min);
    frame.high[i] = either(frame.high[i], other.high[i], Math.max);
  }
}

/** `pick(a, b)`, or whichever of the two is a number. */
function either(a, b, pick) {
  if (Number.isNaN(a)) return b;
  return Number.isNaN(b) ? a : pick(a, b);
}
