import assert from "node:assert/strict";
import { test } from "node:test";

import { slotsInUse } from "../js/derive.js";
import { fakeDocument } from "../test-support/fake-dom.mjs";
import { cellOf, cellRange, cellSignature, countSlots, countStates, countsText, dominant, gridSide, MAX_SINGLE, runPath, SlotGrid } from "../js/panels/slots.js";

test("one cell per slot up to 500; then 16 × 16, and 32 × 32 above 2,048 slots", () => {
  assert.equal(gridSide(MAX_SINGLE), 0);
  assert.equal(gridSide(501), 16);
  assert.equal(gridSide(2048), 16);
  assert.equal(gridSide(2049), 32);
  assert.equal(gridSide(10_000), 32);
});

test("the cells cover every slot once, in order, none empty", () => {
  for (const slots of [501, 1000, 2048, 3000, 10_000]) {
    const cells = gridSide(slots) ** 2;
    let next = 0;
    for (let cell = 0; cell < cells; cell++) {
      const [from, to] = cellRange(cell, cells, slots);
      assert.equal(from, next, `${slots} slots: cell ${cell} starts where the last ended`);
      assert.ok(to > from, `${slots} slots: cell ${cell} is not empty`);
      next = to;
    }
    assert.equal(next, slots);
  }
});

test("a cell shows its most common state, ties to the busier one; counts name each state", () => {
  const counts = countStates("aaiffcx", 0, 7);
  assert.deepEqual(counts, { f: 3, a: 2, i: 1, c: 1 }, "an unknown letter counts as free");
  assert.equal(dominant(counts), "f");
  assert.equal(dominant(countStates("aaff")), "a", "a tie goes to the busier state");
  assert.equal(dominant(countStates("iiaa")), "a");
  assert.equal(dominant(countStates("ffff")), "f");
  assert.equal(countsText(countStates("aaiffc")), "2 active, 1 idle, 1 closing, 2 free");
});

test("one pass gives a card's counts and its slots in use, as countStates and slotsInUse do", () => {
  for (const states of ["", "ffff", "aaiffcx", "x", "caif".repeat(100)]) {
    assert.deepEqual(countSlots(states), { counts: countStates(states), used: slotsInUse(states) }, JSON.stringify(states.slice(0, 12)));
  }
  assert.deepEqual(countSlots("aaiffcx"), { counts: { f: 3, a: 2, i: 1, c: 1 }, used: 5 }, "an unknown letter is free in the counts, in use in the card's figure");
});

test("counts of a pool of millions of slots", () => {
  const big = "a".repeat(2_000_000) + "i".repeat(1_999_999) + "c".repeat(1_000_001) + "fx";
  assert.deepEqual(countStates(big), { a: 2_000_000, i: 1_999_999, c: 1_000_001, f: 2 });
  assert.deepEqual(countStates(big, 1_999_999, 2_000_001), { a: 1, i: 1, c: 0, f: 0 });
});

test("a run of an aggregated grid's row is one square per cell, 10 units apart", () => {
  assert.equal(runPath(0, 0, 1), "M0,0h9v9h-9zm10,0");
  assert.equal(runPath(30, 310, 2), "M30,310h9v9h-9zm10,0h9v9h-9zm10,0");
  // Every square of a run, by its corner: after each square's close the pen is back at
  // that corner, and the move takes it to the next one.
  const corners = [];
  let x = 0;
  let y = 0;
  for (const [, command, args] of runPath(20, 50, 5).matchAll(/([Mhvzm])([-\d,]*)/g)) {
    if (command === "M") [x, y] = args.split(",").map(Number);
    if (command === "h" && args === "9") corners.push([x, y]);
    if (command === "m") x += Number(args.split(",")[0]);
  }
  assert.deepEqual(corners, [20, 30, 40, 50, 60].map((left) => [left, 50]));
});

test("the cell that holds a slot is the one cellRange gives it", () => {
  for (const slots of [501, 1000, 2048, 2049, 3000, 10_000]) {
    const cells = gridSide(slots) ** 2;
    for (let cell = 0; cell < cells; cell++) {
      const [from, to] = cellRange(cell, cells, slots);
      for (let slot = from; slot < to; slot++) assert.equal(cellOf(slot, cells, slots), cell, `${slots} slots: slot ${slot}`);
    }
  }
});

test("an aggregated grid's first reading, run by run, is the cell-by-cell one", () => {
  globalThis.document = fakeDocument();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pools = [
    "a".repeat(900) + "i".repeat(50) + "f".repeat(2050),
    "f".repeat(501),
    Array.from({ length: 3000 }, () => "faicx\n"[Math.floor(random() * 6)]).join(""),
    "ac".repeat(1500) + "i".repeat(7001),
    "x".repeat(700) + "a".repeat(1) + "f".repeat(2000),
  ];
  for (const states of pools) {
    const grid = new SlotGrid(states, "owner=api", 1000);
    const cells = grid.count;
    for (let cell = 0; cell < cells; cell++) {
      const [from, to] = cellRange(cell, cells, states.length);
      const counts = countStates(states, from, to);
      assert.equal(grid.letters[cell], dominant(counts), `${states.length} slots, cell ${cell}`);
      assert.equal(grid.signatures[cell], cellSignature(counts.a, counts.i, counts.c, to - from), `${states.length} slots, cell ${cell}`);
    }
    // The same states at the next tick: no cell changed, none highlighted.
    grid.update(states, 2000);
    assert.equal(grid.lastChange, -Infinity, `${states.length} slots: nothing changed`);
    // One slot changes state: its cell alone is highlighted.
    const slot = 300;
    const changed = states.slice(0, slot) + (states[slot] === "a" ? "f" : "a") + states.slice(slot + 1);
    grid.update(changed, 3000);
    const lit = [...grid.changedAt.keys()].filter((cell) => grid.changedAt[cell] === 3000);
    assert.deepEqual(lit, [cellOf(slot, cells, states.length)], `${states.length} slots`);
  }
  delete globalThis.document;
});
