import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { ACTOR_COLUMNS, COUNT_CARD, explainText, latencyTile, PANELS, slotCard, TILES } from "../js/explain.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Every string literal in the Rust sources that declare families (the core crate and the collectors). */
function declaredNames() {
  const names = new Set();
  const visit = (dir) => {
    for (const entry of readdirSync(dir)) {
      const file = path.join(dir, entry);
      if (statSync(file).isDirectory()) visit(file);
      else if (file.endsWith(".rs")) for (const [, name] of readFileSync(file, "utf8").matchAll(/"([a-z_:][a-z0-9_:]*)"/g)) names.add(name);
    }
  };
  visit(path.join(root, "src"));
  visit(path.join(root, "collectors", "src"));
  return names;
}

const EVERY = [
  ...Object.entries(TILES).map(([id, e]) => ["tile " + id, e]),
  ...Object.entries(ACTOR_COLUMNS).map(([id, e]) => ["actor column " + id, e]),
  ...Object.entries(PANELS).map(([id, e]) => ["panel " + id, e]),
  ["count card", COUNT_CARD],
  ["slot card", slotCard("fixture_slots")],
  ...[0.5, 0.9, 0.99].map((q) => ["latency tile " + q, latencyTile(q)]),
];

test("an explanation is three lines: what, family, how", () => {
  const text = explainText({ what: "Requests served per second.", families: ["a_total", "b_total"], how: "a rate" });
  assert.equal(text, "Requests served per second.\nFamily: a_total, b_total\nHow: a rate");
});

test("every tile, card, column and panel explanation says what, which family and how", () => {
  for (const [where, entry] of EVERY) {
    assert.ok(typeof entry.what === "string" && entry.what.endsWith("."), `${where}: what is a sentence`);
    assert.ok(Array.isArray(entry.families) && entry.families.length > 0, `${where}: names a family`);
    assert.ok(typeof entry.how === "string" && entry.how.length > 10, `${where}: says how`);
  }
  assert.match(latencyTile(0.99).what, /99th percentile/);
  assert.deepEqual(slotCard("fixture_slots").families.slice(0, 1), ["fixture_slots"], "a slot card names its own slot map first");
});

test("every family an explanation names exactly is one the Rust code declares", () => {
  const declared = declaredNames();
  const exact = EVERY.flatMap(([where, entry]) => entry.families.filter((f) => /^[a-z]+(_[a-z0-9]+)+$/.test(f)).map((f) => [where, f]));
  assert.ok(exact.length > 20, `${exact.length} exact names`);
  for (const [where, family] of exact) {
    if (family === "fixture_slots") continue; // the slot card's own map, passed in above
    assert.ok(declared.has(family), `${where} names ${family}, which no Rust source declares`);
  }
});
