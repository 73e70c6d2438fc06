import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

import { configSnippet, MarkHistory, MIN_GROWTH_SPAN_MS, plan, PLAN_DEFAULTS, tomlString } from "../js/capacity.js";

const pool = (fields) => ({ labels: { owner: "api", pool: "db" }, capacity: 20, used: 5, highWater: 17, ...fields });

test("the proposal is the high-water mark, plus projected growth, plus headroom, rounded up", () => {
  assert.equal(plan(pool({}), 0).proposed, 22, "17 × 1.25 = 21.25 → 22");
  assert.equal(plan(pool({}), 0).change, 2);
  assert.equal(plan(pool({}), 0, { headroom: 0, horizonHours: 1 }).proposed, 17);
  assert.equal(plan(pool({ highWater: 16 }), 0).proposed, 20, "16 × 1.25 is exactly 20: no rounding up past it");
  assert.equal(plan(pool({}), 4, { headroom: 0.5, horizonHours: 2 }).proposed, 38, "(17 + 4 × 2) × 1.5 = 37.5 → 38");
  assert.equal(plan(pool({}), -10).proposed, 22, "a falling mark proposes no less than the mark");
  assert.equal(plan(pool({ highWater: NaN, used: 8 }), 0).proposed, 10, "no high-water family: what is in use");
  assert.equal(plan(pool({ highWater: 0, used: 0 }), 0).proposed, 1, "never below 1");
  assert.equal(plan(pool({ highWater: 3, used: 2 }), 0).change, -16, "an oversized pool shrinks: 3 × 1.25 → 4");
});

test("a mark's growth counts only after a minute's watch, records only changes, and restarts at a reset", () => {
  const marks = new MarkHistory();
  marks.add(0, 10);
  marks.add(30_000, 12);
  assert.equal(marks.growthPerHour(), 0, "half a minute is too short to tell");
  for (let t = 31_000; t <= 3_600_000; t += 1000) marks.add(t, 12);
  assert.equal(marks.points.length, 2, "an hour of the same mark adds no points");
  assert.ok(Math.abs(marks.growthPerHour() - 2) < 1e-9, `2 per hour, got ${marks.growthPerHour()}`);
  marks.add(3_601_000, 4); // the owner reset the mark
  assert.deepEqual(marks.points, [[3_601_000, 4]]);
  assert.ok(MIN_GROWTH_SPAN_MS >= 60_000);
});

test("the snippet is TOML: a [[pool]] per pool with its labels, escaped, and the proposed capacity", () => {
  const hostile = 'x" = 1\n[evil]\\';
  const text = configSnippet([plan(pool({}), 0), plan(pool({ labels: { owner: hostile, pool: "cache" }, capacity: 4, used: 4, highWater: 4 }), 1.5)], PLAN_DEFAULTS, Date.UTC(2026, 11, 3, 9, 30));
  assert.equal(
    text,
    [
      "# Pool sizes proposed by the ActorScope dashboard at 2026-12-03T09:30:00.000Z:",
      "# the high-water mark, plus its growth over the next 1 h, plus 25% headroom.",
      "",
      "[[pool]]",
      'owner = "api"',
      'pool = "db"',
      "capacity = 22 # now 20; high-water 17; growth 0.0/h",
      "",
      "[[pool]]",
      'owner = "x\\" = 1\\n[evil]\\\\"',
      'pool = "cache"',
      "capacity = 7 # now 4; high-water 4; growth 1.5/h",
      "",
    ].join("\n"),
  );
  assert.equal(tomlString("tab\there\u0001"), '"tab\\there\\u0001"');
  // A real TOML parser (Python's tomllib) reads it back: the hostile label intact.
  const parsed = JSON.parse(execFileSync("python3", ["-c", "import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))"], { input: text }).toString());
  assert.deepEqual(parsed, { pool: [{ owner: "api", pool: "db", capacity: 22 }, { owner: hostile, pool: "cache", capacity: 7 }] });
});
