import assert from "node:assert/strict";
import { test } from "node:test";

import { DEFAULT_PROFILE, hasSmaps, panelOn, platformOf, PROFILES, readProfile, showsHttp, writeProfile } from "../js/profiles.js";
import { MetricStore } from "../js/store.js";

function memoryStorage(initial = {}) {
  const items = { ...initial };
  return { items, getItem: (key) => (key in items ? items[key] : null), setItem: (key, value) => (items[key] = String(value)) };
}

test("profiles turn panels off: a server shows all, a worker no HTTP, an embedded process its memory and pools", () => {
  const panels = ["overview", "routes", "clients", "workers", "actors", "memory", "pools", "histogram", "errors", "families"];
  const on = (name) => panels.filter((id) => panelOn(name, id));
  assert.deepEqual(on("server"), panels);
  assert.deepEqual(on("worker"), ["overview", "workers", "actors", "memory", "pools", "errors", "families"]);
  assert.deepEqual(on("embedded"), ["overview", "memory", "pools", "errors"]);
  assert.equal(showsHttp("server"), true);
  assert.equal(showsHttp("worker"), false);
  assert.deepEqual(on("no such profile"), panels, "an unknown profile is the default");
});

test("the chosen profile is kept, and storage that is missing, foreign or denied gives the default", () => {
  const storage = memoryStorage();
  writeProfile(storage, "embedded");
  assert.equal(readProfile(storage), "embedded");
  assert.equal(readProfile(memoryStorage({ "actorscope.profile": "toString" })), DEFAULT_PROFILE, "not an inherited property");
  assert.equal(readProfile(memoryStorage({ "actorscope.profile": "<script>" })), DEFAULT_PROFILE);
  assert.equal(readProfile(null), DEFAULT_PROFILE);
  const denied = { getItem: () => { throw new Error("SecurityError"); }, setItem: () => { throw new Error("QuotaExceededError"); } };
  assert.equal(readProfile(denied), DEFAULT_PROFILE);
  assert.doesNotThrow(() => writeProfile(denied, "worker"));
  assert.ok(Object.keys(PROFILES).includes(DEFAULT_PROFILE));
});

test("the platform comes from actorscope_platform_info; the smaps breakdown only on Linux", () => {
  const store = new MetricStore();
  assert.equal(platformOf(store), null);
  assert.equal(hasSmaps(null), true, "unknown platform: show what arrives");
  store.applySnapshot({ families: [{ name: "actorscope_platform_info", help: "", type: "info", unit: null, samples: [{ labels: { os: "macos", arch: "aarch64", family: "unix", kernel: "" }, value: 1 }] }] });
  assert.deepEqual(platformOf(store), { os: "macos", arch: "aarch64", kernel: "" });
  assert.equal(hasSmaps(platformOf(store)), false);
  assert.equal(hasSmaps({ os: "linux", arch: "x86_64", kernel: "6.1" }), true);
});
