import assert from "node:assert/strict";
import { test } from "node:test";

import { readFolded, writeFolded } from "../js/fold.js";

/** A Storage with the two calls fold.js makes. */
function memoryStorage(initial = {}) {
  const items = { ...initial };
  return { items, getItem: (key) => (key in items ? items[key] : null), setItem: (key, value) => (items[key] = String(value)) };
}

test("folded panels are saved and read back", () => {
  const storage = memoryStorage();
  writeFolded(storage, new Set(["pools", "actors"]));
  assert.equal(storage.items["actorscope.folded"], '["actors","pools"]');
  assert.deepEqual([...readFolded(storage)], ["actors", "pools"]);
});

test("missing, garbled or foreign storage folds nothing and throws nothing", () => {
  assert.deepEqual([...readFolded(memoryStorage())], []);
  assert.deepEqual([...readFolded(null)], []);
  assert.deepEqual([...readFolded(memoryStorage({ "actorscope.folded": "{not json" }))], []);
  assert.deepEqual([...readFolded(memoryStorage({ "actorscope.folded": '{"pools":true}' }))], []);
  assert.deepEqual([...readFolded(memoryStorage({ "actorscope.folded": '["pools", 3, null]' }))], ["pools"]);
  const denied = { getItem: () => { throw new Error("SecurityError"); }, setItem: () => { throw new Error("QuotaExceededError"); } };
  assert.deepEqual([...readFolded(denied)], []);
  assert.doesNotThrow(() => writeFolded(denied, new Set(["pools"])));
});
