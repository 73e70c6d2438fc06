import assert from "node:assert/strict";
import { test } from "node:test";

import { nextTask, PanelScheduler } from "../js/schedule.js";

/** A clock that each panel moves by its cost, and a task queue run by hand. */
function harness() {
  let time = 0;
  const queue = [];
  const drawn = [];
  const scheduler = new PanelScheduler({ budgetMs: 8, now: () => time, schedule: (run) => queue.push(run) && queue.length, cancel: (id) => (queue[id - 1] = null) });
  const panel = (id, cost) => [id, () => {
    drawn.push(id);
    time += cost;
  }];
  const runNext = () => {
    const run = queue.shift();
    run?.();
  };
  return { scheduler, panel, drawn, runNext, queue, at: () => time };
}

test("panels past the deadline wait for the next task, which has a budget of its own", () => {
  const { scheduler, panel, drawn, runNext, queue } = harness();
  const panels = [panel("a", 5), panel("b", 5), panel("c", 5), panel("d", 5), panel("e", 1)];
  let completed = null;
  scheduler.draw(panels, 8, (stats) => (completed = stats));
  assert.deepEqual(drawn, ["a", "b"], "b starts before the deadline, c after it");
  assert.equal(scheduler.pending, true);
  assert.equal(completed, null);
  runNext();
  assert.deepEqual(drawn, ["a", "b", "c", "d"], "the next task: 8 ms from its start");
  runNext();
  assert.deepEqual(drawn, ["a", "b", "c", "d", "e"]);
  assert.deepEqual(completed, { tasks: 3, taskMs: [10, 10, 1], spans: [[0, 10], [10, 20], [20, 21]] });
  assert.equal(queue.length, 0);
});

test("a draw past its deadline draws nothing in its own task, a later task always draws one panel, and without a deadline every panel is drawn now", () => {
  const { scheduler, panel, drawn, runNext } = harness();
  let completed = null;
  scheduler.draw([panel("a", 20), panel("b", 1)], -1, (stats) => (completed = stats));
  assert.deepEqual(drawn, [], "the update's own task: past its deadline before the first panel");
  assert.equal(scheduler.pending, true);
  runNext();
  assert.deepEqual(drawn, ["a"], "the next task draws one, though it overruns its budget");
  scheduler.draw([panel("a", 1), panel("b", 1)], Infinity, (stats) => (completed = stats));
  assert.deepEqual(drawn, ["a", "b", "a"], "the waiting panel first");
  assert.deepEqual(completed, { tasks: 1, taskMs: [2], spans: [[20, 22]] });
  assert.equal(scheduler.pending, false);
});

test("a new draw takes over the one under way: it starts with the panels that one did not reach, which completes the one it took over; its redraws are its own", () => {
  const { scheduler, panel, drawn, runNext } = harness();
  const panels = [panel("a", 9), panel("b", 1), panel("c", 1)];
  let first = null;
  scheduler.draw(panels, 8, (stats) => (first = stats));
  assert.deepEqual(drawn, ["a"]);
  let second = null;
  scheduler.draw(panels, Infinity, (stats) => (second = stats));
  assert.deepEqual(drawn, ["a", "b", "c", "a"], "b and c first: frequent updates starve no panel");
  runNext(); // the cancelled continuation does nothing
  assert.deepEqual(drawn, ["a", "b", "c", "a"]);
  assert.deepEqual(first, { tasks: 2, taskMs: [9, 2], spans: [[0, 9], [9, 11]] }, "the replaced draw completes once b and c are drawn, before a is drawn again");
  assert.deepEqual(second, { tasks: 1, taskMs: [11], spans: [[9, 20]] });
});

test("a waiting job that a new draw does not list still runs, before that draw's panels", () => {
  const { scheduler, panel, drawn, runNext } = harness();
  scheduler.draw([panel("a", 9), panel("tick", 1), panel("b", 1)], 8);
  assert.deepEqual(drawn, ["a"]);
  scheduler.draw([panel("a", 1), panel("b", 1)], Infinity);
  assert.deepEqual(drawn, ["a", "tick", "b", "a"], "the update's job is not dropped by a render that has none");
  runNext();
  assert.deepEqual(drawn, ["a", "tick", "b", "a"]);
  assert.equal(scheduler.pending, false);
});

test("with no budget, every task after the first draws one panel", () => {
  let time = 0;
  const queue = [];
  const drawn = [];
  const scheduler = new PanelScheduler({ budgetMs: 0, now: () => time, schedule: (run) => (queue.push(run), { cancel() {} }), cancel: (task) => task.cancel() });
  const panel = (id) => [id, () => {
    drawn.push(id);
    time += 1;
  }];
  let completed = null;
  scheduler.draw([panel("a"), panel("b"), panel("c"), panel("d")], 2.5, (stats) => (completed = stats));
  assert.deepEqual(drawn, ["a", "b", "c"], "the first task, to its deadline");
  queue.shift()();
  assert.deepEqual(drawn, ["a", "b", "c", "d"]);
  assert.deepEqual(completed, { tasks: 2, taskMs: [3, 1], spans: [[0, 3], [3, 4]] });
});

test("a panel's parts are drawn next, as panels of their own; a draw that lists the panel again drops its waiting parts", () => {
  const { scheduler, drawn, runNext, panel, at } = harness();
  const split = (id, costs) => [id, () => {
    drawn.push(id);
    return costs.map((cost, index) => panel(String(index), cost));
  }];
  let first = null;
  scheduler.draw([split("pools", [5, 5]), panel("b", 1)], 8, (stats) => (first = stats));
  assert.deepEqual(drawn, ["pools", "0", "1"], "parts come before the next panel, each with the deadline checked");
  assert.equal(scheduler.pending, true, "b waits: the parts reached the deadline");
  runNext();
  assert.deepEqual(drawn, ["pools", "0", "1", "b"]);
  assert.deepEqual(first, { tasks: 2, taskMs: [10, 1], spans: [[0, 10], [10, 11]] });

  drawn.length = 0;
  scheduler.draw([split("pools", [9, 1, 1]), panel("b", 1)], at() + 8);
  assert.deepEqual(drawn, ["pools", "0"]);
  scheduler.draw([split("pools", [1]), panel("b", 1)], Infinity);
  assert.deepEqual(drawn, ["pools", "0", "b", "pools", "0"], "b waited, so it comes first; the first draw's parts 1 and 2 are dropped, since pools draws its parts anew");
  runNext();
  assert.equal(scheduler.pending, false);
});

test("a draw taken over while its panel's parts wait completes once that panel, redone by the new draw, and its parts are drawn", () => {
  const { scheduler, drawn, runNext, panel } = harness();
  const split = (id, costs) => [id, () => {
    drawn.push(id);
    return costs.map((cost, index) => panel(id + index, cost));
  }];
  let first = null;
  let second = null;
  scheduler.draw([panel("a", 1), split("pools", [8, 1]), panel("b", 1)], 8, (stats) => (first = stats));
  assert.deepEqual(drawn, ["a", "pools", "pools0"]);
  scheduler.draw([panel("a", 1), split("pools", [1, 1]), panel("b", 1)], Infinity, (stats) => (second = stats));
  assert.deepEqual(drawn, ["a", "pools", "pools0", "b", "a", "pools", "pools0", "pools1"], "b waited: first; then a, and pools drawn anew");
  assert.deepEqual(first, { tasks: 2, taskMs: [9, 4], spans: [[0, 9], [9, 13]] }, "what the first still lacked (b, pools1) is drawn once the redone pools' parts are");
  assert.deepEqual(second, { tasks: 1, taskMs: [4], spans: [[9, 13]] }, "b (waiting), a, pools and its parts: the second draw's last panel is the first's too");
  runNext();
  assert.equal(scheduler.pending, false);
});

test("another update's own task that drew none of the panels is not counted for the draw it took over", () => {
  const { scheduler, panel, runNext } = harness();
  let first = null;
  let second = null;
  scheduler.draw([panel("a", 9), panel("b", 1)], 8, (stats) => (first = stats));
  scheduler.draw([panel("a", 9), panel("b", 1)], -1, (stats) => (second = stats));
  assert.equal(first, null, "the second update's own task drew nothing: its deadline had passed");
  runNext(); // the first's continuation, cancelled
  runNext();
  assert.deepEqual(first, { tasks: 2, taskMs: [9, 1], spans: [[0, 9], [9, 10]] }, "its own task and the one that drew b");
  assert.deepEqual(second, { tasks: 2, taskMs: [0, 10], spans: [[9, 9], [9, 19]] }, "the second's own (empty) task is its own");
});

test("nextTask runs each run in a task of its own, in the order queued, and not once cancelled", async () => {
  const ran = [];
  let synchronous = true;
  const done = new Promise((resolve) => {
    nextTask(() => ran.push(["a", synchronous]));
    const cancelled = nextTask(() => ran.push(["b", synchronous]));
    nextTask(() => {
      ran.push(["c", synchronous]);
      nextTask(() => resolve(ran.push(["d", synchronous])));
    });
    cancelled.cancel();
  });
  synchronous = false;
  await done;
  assert.deepEqual(ran, [["a", false], ["c", false], ["d", false]]);
});
