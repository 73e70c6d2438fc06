// The CPU time of the page's own tasks, read from a Chromium trace (the DevTools
// protocol's Tracing domain). `performance.now()` spans are wall-clock: on a loaded
// machine they include the time the renderer's main thread waited for a core. A trace
// gives each task of that thread both: `dur` (wall) and `tdur` (the thread's CPU time).

/** The trace's categories: the tasks (`toplevel`), the clock mark and the thread names. */
const CATEGORIES = ["toplevel", "blink.user_timing", "__metadata"];
const TASK_EVENTS = new Set(["ThreadControllerImpl::RunTask", "RunTask"]);
const CLOCK_MARK = "actorscope-trace-clock";

/**
 * Starts tracing `page` (of `context`), before it is opened. `stop()` ends the trace and
 * returns a reader of spans (`[start, end]`, the page's `performance.now()` readings):
 * the renderer main-thread tasks they ran in, each once (`tasks`), with their summed
 * wall and CPU time (ms), the most CPU time of one, and how many spans fell in none
 * (each counted at its wall time).
 */
export async function traceTasks(context, page) {
  const cdp = await context.newCDPSession(page);
  const events = [];
  cdp.on("Tracing.dataCollected", ({ value }) => events.push(...value));
  await cdp.send("Tracing.start", { transferMode: "ReportEvents", traceConfig: { includedCategories: CATEGORIES } });
  return {
    async stop() {
      // The page's clock against the trace's: a user-timing mark is in both.
      const markedAt = await page.evaluate((name) => performance.mark(name).startTime, CLOCK_MARK);
      const complete = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
      await cdp.send("Tracing.end");
      await complete;
      await cdp.detach();
      return reader(events, markedAt);
    },
  };
}

function reader(events, markedAt) {
  const mark = events.find((event) => event.name === CLOCK_MARK);
  if (!mark) throw new Error("the trace has no clock mark: was blink.user_timing traced?");
  const offset = mark.ts / 1000 - markedAt; // trace ms = page ms + offset
  const main = events.find((event) => event.pid === mark.pid && event.name === "thread_name" && event.args?.name === "CrRendererMain");
  const tid = main?.tid ?? mark.tid;
  const tasks = events
    .filter((event) => event.pid === mark.pid && event.tid === tid && event.ph === "X" && TASK_EVENTS.has(event.name))
    .map((event) => ({ start: event.ts / 1000 - offset, end: (event.ts + event.dur) / 1000 - offset, wall: event.dur / 1000, cpu: event.tdur / 1000 }));
  return (spans) => {
    const found = new Set();
    const unmatched = [];
    for (const span of spans) {
      const middle = (span[0] + span[1]) / 2;
      // The outermost task the span's middle falls in (a nested run loop is rare).
      let task = null;
      for (const candidate of tasks) if (candidate.start <= middle && middle <= candidate.end && (!task || candidate.wall > task.wall)) task = candidate;
      if (task) found.add(task);
      else unmatched.push(span);
    }
    // Whole tasks: where one also ran other work (the page's history, parsed in the
    // same task as the snapshot), that is counted too, never left out. A span found in
    // no task (rare) counts its wall time, more than its CPU time can be.
    const list = [...found];
    const unmatchedMs = unmatched.reduce((sum, [start, end]) => sum + (end - start), 0);
    return {
      unmatched: unmatched.length,
      tasks: list.length,
      wall: list.reduce((sum, task) => sum + task.wall, 0) + unmatchedMs,
      cpu: list.reduce((sum, task) => sum + task.cpu, 0) + unmatchedMs,
      longestCpu: Math.max(0, ...list.map((task) => task.cpu), ...unmatched.map(([start, end]) => end - start)),
    };
  };
}
