//# allFunctionsCalledOnLoad
// A pool's slot grid. Up to 500 slots, one cell per slot (up to 32 a row); above, a fixed
// grid (16 × 16 cells up to 2,048 slots, 32 × 32 above), each cell a run of neighbouring
// slots shown in their most common state, with the counts in its tooltip. A cell whose
// state (or, in an aggregated grid, whose counts) changed since the last tick is
// highlighted for a tick.
// The tooltip, written when the pointer reaches a cell, names the slot, its state, the
// pool's owner and how long the slot has been in that state (as the page saw it: the
// page's readings, one per tick, so an age is "at least" before the first change seen).

import { slotsInUse } from "../derive.js";
import { s } from "../dom.js";
import { formatDuration } from "../format.js";

export const STATES = { f: "free", a: "active", i: "idle", c: "closing" };
/** Slots drawn one cell each; above this, the grid aggregates. */
export const MAX_SINGLE = 500;
/** How long a changed cell stays highlighted. */
const HIGHLIGHT_MS = 1000;

/** The aggregated grid's side for `slots` slots (0: one cell per slot). */
export function gridSide(slots) {
  if (slots <= MAX_SINGLE) return 0;
  return slots <= 2048 ? 16 : 32;
}

/** The slots `[from, to)` cell `cell` of `cells` covers, of `slots`. */
export function cellRange(cell, cells, slots) {
  return [Math.floor((cell * slots) / cells), Math.floor(((cell + 1) * slots) / cells)];
}

/** `tally`'s scratch counts: active, idle, closing. */
const TALLY = new Float64Array(3);

/**
 * Counts the active, idle and closing slots of `states` from `from` to `to` into one
 * shared array, `[active, idle, closing]`, valid until the next call. By char code, with
 * no object made.
 */
function tally(states, from, to) {
  let a = 0;
  let i = 0;
  let c = 0;
  for (let slot = from; slot < to; slot++) {
    const code = states.charCodeAt(slot);
    if (code === 97) a++;
    else if (code === 105) i++;
    else if (code === 99) c++;
  }
  TALLY[0] = a;
  TALLY[1] = i;
  TALLY[2] = c;
  return TALLY;
}

/** Counts of each state letter in `states` from `from` to `to` (other letters count as free). */
export function countStates(states, from = 0, to = states.length) {
  const counts = tally(states, from, to);
  const a = counts[0];
  const i = counts[1];
  const c = counts[2];
  return { f: to - from - a - i - c, a, i, c };
}

/**
 * A slot map's `counts` (as `countStates`) and slots in use (as derive.js's
 * `slotsInUse`: every letter but `f`).
 */
export function countSlots(states) {
  // Each letter counted by the engine's own string search, not a loop of ours: on a cold
  // page the first pass over a 3,000-slot map in a loop costs about ten times a later one.
  const a = occurrences(states, "a");
  const i = occurrences(states, "i");
  const c = occurrences(states, "c");
  return { counts: { f: states.length - a - i - c, a, i, c }, used: slotsInUse(states) };
}

/** How many times `letter` is in `states`. */
function occurrences(states, letter) {
  return states.length - states.replaceAll(letter, "").length;
}

/** The most common state of `counts` (ties: the busier state, active before idle, closing, free). */
export function dominant(counts) {
  return dominantOf(counts.a, counts.i, counts.c, counts.f);
}

/** `dominant` of the counts as numbers: no object per cell in the grid's loop. */
function dominantOf(a, i, c, f) {
  let best = "f";
  let most = f;
  if (c > 0 && c >= most) {
    best = "c";
    most = c;
  }
  if (i > 0 && i >= most) {
    best = "i";
    most = i;
  }
  if (a > 0 && a >= most) best = "a";
  return best;
}

/**
 * A cell's signature, what `update` compares from tick to tick: for a cell all in one
 * state (an unknown letter counts as free) that state's code, below zero, whatever the
 * cell's size; else its counts packed in one number (a cell spans far fewer than 65,536
 * slots).
 */
export function cellSignature(a, i, c, size) {
  if (a === size) return UNIFORM.a;
  if (i === size) return UNIFORM.i;
  if (c === size) return UNIFORM.c;
  if (a + i + c === 0) return UNIFORM.f;
  return a + i * 65536 + c * 4294967296;
}

/** The signature of a cell all in one state (`cellSignature`); -1 is a cell not yet read. */
const UNIFORM = { a: -2, i: -3, c: -4, f: -5 };

/** A run of one letter (`s`: any letter, a line break too). */
const RUN = /(.)\1*/gs;

/** The cell of `cells`, over `slots`, that holds `slot` (as `cellRange` divides them). */
export function cellOf(slot, cells, slots) {
  return Math.floor(((slot + 1) * cells + slots - 1) / slots) - 1;
}

/** `counts` as text: "14 active, 2 idle, 1 closing, 3 free" (states with none left out). */
export function countsText(counts) {
  return ["a", "i", "c", "f"]
    .filter((letter) => counts[letter] > 0)
    .map((letter) => `${counts[letter]} ${STATES[letter]}`)
    .join(", ");
}

/** Units per cell in the grid's SVG (a 9-unit square and a 1-unit gap). */
const CELL = 10;
/** One cell's square, then a move to the next cell's corner. */
const SQUARE_THEN_NEXT = `h9v9h-9zm${CELL},0`;

/**
 * The path of `cells` neighbouring squares of a row, the first's corner at `x`, `y`:
 * "M0,0h9v9h-9zm10,0h9v9h-9zm10,0" for two at the origin (a path may end in a move).
 */
export function runPath(x, y, cells) {
  return `M${x},${y}` + SQUARE_THEN_NEXT.repeat(cells);
}

/** Squares per row of a grid of one cell per slot (a pool of up to 500: at most 16 rows). */
export const SINGLE_COLUMNS = 32;
/** A square's side plus gap on the page, in CSS pixels, in a grid of one cell per slot. */
const SINGLE_PIXELS = 11;

/**
 * A slot grid that keeps its state between ticks and redraws only what changed. It is
 * one SVG with one path per state (and one outlining the changed cells), whatever the
 * pool's size: one cell per slot, up to `SINGLE_COLUMNS` a row, or an aggregated square
 * grid; a 10,000-slot pool costs six elements, a 20-slot one the same. The tooltip of the
 * cell under the pointer is the SVG's `<title>`, written as the pointer moves.
 */
export class SlotGrid {
  /** `owner` is the pool's labels as text, for the tooltips. */
  constructor(states, owner, now) {
    this.owner = owner;
    this.slots = states.length;
    this.side = gridSide(this.slots);
    this.count = this.side ? this.side * this.side : this.slots;
    this.columns = this.side || Math.max(1, Math.min(SINGLE_COLUMNS, this.slots));
    this.rows = this.side || Math.max(1, Math.ceil(this.slots / this.columns));
    // Per cell: its `cellSignature` (aggregated) or its letter's code; -1 before the first tick.
    this.signatures = new Float64Array(this.count).fill(-1);
    this.letters = new Array(this.count).fill("f");
    this.changedAt = new Float64Array(this.count).fill(-Infinity);
    // When each slot last changed state, as the page saw it (the page's first reading counts as "at least since").
    this.since = new Float64Array(this.slots).fill(now);
    this.firstSeen = now;
    /** When a cell last changed (-Infinity: none has). */
    this.lastChange = -Infinity;
    this.states = "";
    const label = `${this.slots} slots` + (this.side ? `, ${this.count} cells of about ${Math.round(this.slots / this.count)} each` : "");
    const paths = [];
    this.paths = {};
    for (const key of ["f", "a", "i", "c", "changed"]) paths.push((this.paths[key] = s("path", { class: "slot-path " + (STATES[key] ?? key) })));
    this.tip = s("title", {}, label);
    const viewBox = `0 0 ${this.columns * CELL} ${this.rows * CELL}`;
    // An aggregated grid fills its card (CSS); one cell per slot keeps a slot's size.
    const size = this.side ? { class: "slots aggregated" } : { class: "slots", width: this.columns * SINGLE_PIXELS, height: this.rows * SINGLE_PIXELS };
    this.element = s("svg", { ...size, viewBox, role: "img", "aria-label": label, "data-cells": this.count }, this.tip, paths);
    this.element.addEventListener("mousemove", (event) => this.#explainAt(event));
    this.update(states, now);
  }

  /** Applies this tick's states. */
  update(states, now) {
    this.now = now;
    const before = this.states;
    if (before) for (let i = 0; i < this.slots; i++) if (states[i] !== before[i]) this.since[i] = now;
    this.states = states;
    // Locals, not `this.…` in the loop: it runs once per cell, on a cold page unoptimised.
    const { side, count, slots, signatures, letters, changedAt } = this;
    if (side && before === "") {
      this.#firstReading(states);
      this.#draw(now);
      return;
    }
    let redraw = false;
    // An aggregated grid's cells are counted in one pass over the slots, cell by cell.
    let slot = 0;
    for (let cell = 0; cell < count; cell++) {
      let signature;
      let letter;
      if (side) {
        const from = slot;
        const to = Math.floor(((cell + 1) * slots) / count); // as `cellRange`
        let a = 0;
        let i = 0;
        let c = 0;
        for (; slot < to; slot++) {
          const code = states.charCodeAt(slot);
          if (code === 97) a++;
          else if (code === 105) i++;
          else if (code === 99) c++;
        }
        signature = cellSignature(a, i, c, to - from);
        letter = dominantOf(a, i, c, to - from - a - i - c);
      } else {
        letter = states[cell] in STATES ? states[cell] : "f";
        signature = letter.charCodeAt(0);
      }
      const changed = before !== "" && signature !== signatures[cell];
      if (changed) changedAt[cell] = now;
      if (changed || signature !== signatures[cell] || changedAt[cell] > now - 2 * HIGHLIGHT_MS) redraw = true;
      signatures[cell] = signature;
      letters[cell] = letter;
      if (changed) this.lastChange = now;
    }
    if (redraw) this.#draw(now);
  }

  /**
   * An aggregated grid's first reading (no change to look for), run by run rather than
   * slot by slot: the cells a run of one letter touches are filled with its state at
   * once, then each cell that a run begins inside of (it holds more than one letter) is
   * counted. A pool's slots mostly lie in a few long runs, so this is a few steps, not
   * one per cell: on a cold page, where a loop of ours runs unoptimised, that counts.
   */
  #firstReading(states) {
    const { count, slots, signatures, letters } = this;
    const mixed = [];
    RUN.lastIndex = 0;
    for (let run = RUN.exec(states); run !== null; run = RUN.exec(states)) {
      const from = run.index;
      const letter = run[0][0] in STATES ? run[0][0] : "f";
      const first = cellOf(from, count, slots);
      const last = cellOf(from + run[0].length - 1, count, slots);
      letters.fill(letter, first, last + 1);
      signatures.fill(UNIFORM[letter], first, last + 1);
      if (cellRange(first, count, slots)[0] !== from) mixed.push(first);
    }
    for (const cell of mixed) {
      const [from, to] = cellRange(cell, count, slots);
      const counts = tally(states, from, to);
      const a = counts[0];
      const i = counts[1];
      const c = counts[2];
      signatures[cell] = cellSignature(a, i, c, to - from);
      letters[cell] = dominantOf(a, i, c, to - from - a - i - c);
    }
  }

  /**
   * Redraws the grid's paths: a square per cell in its state's path, and in the
   * outline's while highlighted. Neighbouring cells of a row in the same path are
   * written as one run (`runPath`): a grid mostly in long runs of one state is a few
   * dozen pieces of text, not one per cell.
   */
  #draw(now) {
    const parts = { f: [], a: [], i: [], c: [], changed: [] };
    const { columns, rows, count, letters, changedAt } = this;
    // No cell highlighted (a first draw, a quiet tick): no outline to look for.
    const anyLit = now - this.lastChange < HIGHLIGHT_MS;
    for (let row = 0; row < rows; row++) {
      const first = row * columns;
      const width = Math.min(columns, count - first); // the last row of a small grid may be short
      const y = row * CELL;
      let start = 0;
      let litFrom = -1; // where the row's current run of highlighted cells began
      for (let column = 0; column <= width; column++) {
        const cell = first + column;
        if (column > 0 && (column === width || letters[cell] !== letters[first + start])) {
          parts[letters[first + start]].push(runPath(start * CELL, y, column - start));
          start = column;
        }
        if (!anyLit) continue;
        const on = column < width && now - changedAt[cell] < HIGHLIGHT_MS;
        if (on && litFrom < 0) litFrom = column;
        if (!on && litFrom >= 0) {
          parts.changed.push(runPath(litFrom * CELL, y, column - litFrom));
          litFrom = -1;
        }
      }
    }
    for (const key in this.paths) this.paths[key].setAttribute("d", parts[key].join(""));
  }

  /** Writes the tooltip of the cell under the pointer (only then: ages change every tick). */
  #explainAt(event) {
    const box = this.element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return;
    const column = Math.floor(((event.clientX - box.left) / box.width) * this.columns);
    const row = Math.floor(((event.clientY - box.top) / box.height) * this.rows);
    const cell = row * this.columns + column;
    if (column < 0 || row < 0 || column >= this.columns || row >= this.rows || cell >= this.count) return;
    this.element.dataset.cell = String(cell);
    this.tip.textContent = this.describe(cell);
  }

  /** The tooltip of `cell`. */
  describe(cell) {
    const age = (slot) => {
      const seconds = (this.now - this.since[slot]) / 1000;
      return this.since[slot] === this.firstSeen ? `at least ${formatDuration(seconds)} (since the page opened)` : formatDuration(seconds);
    };
    if (!this.side) {
      const state = STATES[this.states[cell]] ?? "free";
      return `slot ${cell}: ${state} for ${age(cell)}\nowner: ${this.owner}`;
    }
    const [from, to] = cellRange(cell, this.count, this.slots);
    let youngest = from;
    for (let slot = from; slot < to; slot++) if (this.since[slot] > this.since[youngest]) youngest = slot;
    return `slots ${from}–${to - 1}: ${countsText(countStates(this.states, from, to))}\nslot ${youngest} changed last: in its state for ${age(youngest)}\nowner: ${this.owner}`;
  }
}
