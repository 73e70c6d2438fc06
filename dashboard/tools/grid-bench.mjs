// How long the pools panel's slot grids of the browser test's fixture take to build and
// update, in V8's interpreter only (`--jitless`: as on a cold page, before any of it is
// compiled), against a minimal document. For a side-by-side run with another version:
//   git archive <rev> dashboard/js | tar -x -C /tmp/peer      # then, in dashboard/:
//   for i in 1 2 3; do node --jitless tools/grid-bench.mjs /tmp/peer/dashboard/js; node --jitless tools/grid-bench.mjs js; done
import path from "node:path";
import { pathToFileURL } from "node:url";

import { fakeDocument } from "../test-support/fake-dom.mjs";

// The node tests' minimal document: just what slots.js and dom.js call on one.
globalThis.document = fakeDocument();

const [dir = "js", runsArg = "300"] = process.argv.slice(2);
const runs = Number(runsArg);
if (!Number.isInteger(runs) || runs < 1) {
  console.error("usage: node --jitless tools/grid-bench.mjs [<dashboard js folder>] [<runs>]");
  process.exit(2);
}
const { SlotGrid } = await import(pathToFileURL(path.resolve(dir, "panels/slots.js")).href);

/** The fixture's big pool (tests/dashboard_browser.rs): 900 of 3,000 slots held, 50 idle. */
function bigPool(scrape) {
  const states = new Array(3000).fill("f");
  for (let slot = 0; slot < 900; slot++) states[slot] = "a";
  const firstIdle = (scrape * 7) % 800;
  for (let slot = firstIdle; slot < firstIdle + 50; slot++) states[slot] = "i";
  return states.join("");
}
const small = "a".repeat(15) + "ic" + "fff";
const connections = "iii" + "f".repeat(61);

const started = performance.now();
for (let run = 0; run < runs; run++) {
  // The first snapshot's four grids, then the big one's next tick.
  const big = new SlotGrid(bigPool(1), "owner=api", 1000);
  for (const states of [small, connections, connections]) new SlotGrid(states, "owner=api", 1000);
  big.update(bigPool(2), 2000);
}
console.log(`${dir}: ${((performance.now() - started) / runs).toFixed(3)} ms for the four grids and one update of the big one (mean of ${runs})`);
