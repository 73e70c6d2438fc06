//# allFunctionsCalledOnLoad
// A pool's slot grid. Up to 500 slots, one cell per slot; above, a fixed grid (16 × 16
// cells up to 2,048 slots, 32 × 32 above), each cell a run of neighbouring slots shown in
// their most common state, with the counts in its tooltip. A cell whose state (or, in an
// aggregated grid, whose counts) changed since the last tick is highlighted for a tick.
// The tooltip, written when the pointer reaches a cell, names the slot, its state, the
// pool's owner and how long the slot has been in that state (as the page saw it: the
// page's readings, one per tick, so an age is "at least" before the first change seen).

import { h } from "../dom.js";
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

/** Counts of each state letter in `states` from `from` to `to`. */
export function countStates(states, from = 0, to = states.length) {
  const counts = { f: 0, a: 0, i: 0, c: 0 };
  for (let i = from; i < to; i++) {
    const letter = states[i];
    counts[letter in counts ? letter : "f"]++;
  }
  return counts;
}

/** The most common state of `counts` (ties: the busier state, active before idle, closing, free). */
export function dominant(counts) {
  let best = "f";
  for (const letter of ["c", "i", "a"]) if (counts[letter] > 0 && counts[letter] >= counts[best]) best = letter;
  return best;
}

/** `counts` as text: "14 active, 2 idle, 1 closing, 3 free" (states with none left out). */
export function countsText(counts) {
  return ["a", "i", "c", "f"]
    .filter((letter) => counts[letter] > 0)
    .map((letter) => `${counts[letter]} ${STATES[letter]}`)
    .join(", ");
}

/** A slot grid that keeps its cells between ticks and restyles only what changed. */
export class SlotGrid {
  /** `owner` is the pool's labels as text, for the tooltips. */
  constructor(states, owner, now) {
    this.owner = owner;
    this.slots = states.length;
    this.side = gridSide(this.slots);
    const cells = this.side ? this.side * this.side : this.slots;
    this.cells = [];
    this.signatures = new Array(cells).fill("");
    this.changedAt = new Float64Array(cells).fill(-Infinity);
    // When each slot last changed state, as the page saw it (the page's first reading counts as "at least since").
    this.since = new Float64Array(this.slots).fill(now);
    this.firstSeen = now;
    this.states = "";
    // Plain elements (not `h`): a big grid makes a thousand of them on a cold page, and
    // `update` below sets each one's class once.
    for (let i = 0; i < cells; i++) {
      const cell = document.createElement("span");
      cell.dataset.cell = String(i);
      this.cells.push(cell);
    }
    const attrs = { class: "slots" + (this.side ? " aggregated" : ""), role: "img", "aria-label": `${this.slots} slots` + (this.side ? `, ${cells} cells of about ${Math.round(this.slots / cells)} each` : "") };
    this.element = h("div", attrs, this.cells);
    if (this.side) this.element.style.gridTemplateColumns = `repeat(${this.side}, 1fr)`;
    this.element.addEventListener("mouseover", (event) => this.#explain(event.target));
    this.update(states, now);
  }

  /** Applies this tick's states. */
  update(states, now) {
    this.now = now;
    const before = this.states;
    for (let i = 0; i < this.slots; i++) if (before && states[i] !== before[i]) this.since[i] = now;
    this.states = states;
    for (let cell = 0; cell < this.cells.length; cell++) {
      let signature;
      let letter;
      if (this.side) {
        const [from, to] = cellRange(cell, this.cells.length, this.slots);
        const counts = countStates(states, from, to);
        signature = `${counts.a},${counts.i},${counts.c},${counts.f}`;
        letter = dominant(counts);
      } else {
        letter = states[cell] in STATES ? states[cell] : "f";
        signature = letter;
      }
      const changed = before !== "" && signature !== this.signatures[cell];
      if (changed) this.changedAt[cell] = now;
      if (changed || signature !== this.signatures[cell] || this.changedAt[cell] > now - 2 * HIGHLIGHT_MS) {
        const highlight = now - this.changedAt[cell] < HIGHLIGHT_MS;
        this.cells[cell].className = "slot " + STATES[letter] + (highlight ? " changed" : "");
      }
      this.signatures[cell] = signature;
    }
  }

  /** Writes the tooltip of the cell under the pointer (only then: ages change every tick). */
  #explain(target) {
    const cell = Number(target?.dataset?.cell);
    if (!Number.isInteger(cell)) return;
    target.title = this.describe(cell);
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
    const [from, to] = cellRange(cell, this.cells.length, this.slots);
    let youngest = from;
    for (let slot = from; slot < to; slot++) if (this.since[slot] > this.since[youngest]) youngest = slot;
    return `slots ${from}–${to - 1}: ${countsText(countStates(this.states, from, to))}\nslot ${youngest} changed last: in its state for ${age(youngest)}\nowner: ${this.owner}`;
  }
}
