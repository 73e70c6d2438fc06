// The CPU time of the page's own tasks and scripts, read from a Chromium trace (the
// DevTools protocol's Tracing domain). `performance.now()` spans are wall-clock: on a
// loaded machine they include the time the renderer's main thread waited for a core. A
// trace gives each task of that thread, and each script run within it, both: `dur`
// (wall) and `tdur` (the thread's CPU time).

/**
 * The trace's categories: the tasks (`toplevel`), the script runs (`devtools.timeline`;
 * microtask checkpoints, where a promise's continuation runs, are `v8.execute`'s), the
 * clock mark and the thread names.
 */
const CATEGORIES = ["toplevel", "devtools.timeline", "v8.execute", "blink.user_timing", "__metadata"];
const TASK_EVENTS = new Set(["ThreadControllerImpl::RunTask", "RunTask"]);
/**
 * The events that run JavaScript (a callback, an event handler, a timer, a checkpoint's
 * microtasks, a module), which DevTools' Performance panel counts as "Scripting": the
 * page's spans run inside them. What else a task does (its scheduling, a rendering step,
 * a fetched body's parse) is not in them.
 */
const SCRIPT_EVENTS = new Set(["FunctionCall", "EventDispatch", "TimerFire", "FireAnimationFrame", "RunMicrotasks", "EvaluateScript", "v8.evaluateModule"]);
const CLOCK_MARK = "actorscope-trace-clock";

/**
 * Starts tracing `page` (of `context`), before it is opened. `stop()` ends the trace and
 * returns a reader of spans (`[start, end]`, the page's `performance.now()` readings);
 * see `reader`.
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

/** The outermost of `events` (`{start, end, wall}`) that holds `time`, or null. */
function holding(events, time) {
  let found = null;
  for (const event of events) if (event.start <= time && time <= event.end && (!found || event.wall > found.wall)) found = event;
  return found;
}

/** The main thread's complete events named in `names`, on the page's clock (ms). */
function threadEvents(events, pid, tid, names, offset) {
  return events
    .filter((event) => event.pid === pid && event.tid === tid && event.ph === "X" && names.has(event.name))
    .map((event) => ({ start: event.ts / 1000 - offset, end: (event.ts + event.dur) / 1000 - offset, wall: event.dur / 1000, cpu: (event.tdur ?? event.dur) / 1000 }));
}

/**
 * Reads the trace for spans: the renderer main-thread tasks they ran in, each once
 * (`tasks`), with their summed `wall` and `cpu` time (ms) and the most CPU time of one
 * (`longestCpu`); the script runs they ran in, each once, with their summed CPU time
 * (`scriptCpu`) and the most of one (`longestScriptCpu`); and how many spans fell in no
 * task (`unmatched`, each counted at its wall time) or in no script run
 * (`unmatchedScripts`, each counted by its whole task's CPU time, or its wall time).
 */
function reader(events, markedAt) {
  const mark = events.find((event) => event.name === CLOCK_MARK);
  if (!mark) throw new Error("the trace has no clock mark: was blink.user_timing traced?");
  const offset = mark.ts / 1000 - markedAt; // trace ms = page ms + offset
  const main = events.find((event) => event.pid === mark.pid && event.name === "thread_name" && event.args?.name === "CrRendererMain");
  const tid = main?.tid ?? mark.tid;
  const tasks = threadEvents(events, mark.pid, tid, TASK_EVENTS, offset);
  const scripts = threadEvents(events, mark.pid, tid, SCRIPT_EVENTS, offset);
  const sum = (list, key) => list.reduce((total, event) => total + event[key], 0);
  const wallOf = (spans) => spans.reduce((total, [start, end]) => total + (end - start), 0);
  /** The events of `within` that hold the spans' middles, each once, and the spans in none. */
  const match = (within, spans) => {
    const found = new Set();
    const unmatched = [];
    for (const span of spans) {
      const event = holding(within, (span[0] + span[1]) / 2);
      if (event) found.add(event);
      else unmatched.push(span);
    }
    return { found: [...found], unmatched };
  };
  return (spans) => {
    // Whole tasks: where one also ran other work (the page's history, parsed in the
    // same task as the snapshot), that is counted too, never left out. A span found in
    // no task (rare) counts its wall time, more than its CPU time can be.
    const inTasks = match(tasks, spans);
    // Script runs: only those that ran the spans' code; a task's other work is left out.
    const inScripts = match(scripts, spans);
    // A span in no traced script run (now and then a page's trace lacks the script runs
    // of some of its tasks) counts its whole task's CPU time instead, which holds any
    // script run found in it (left out, so nothing is counted twice); in no task either,
    // its wall time. Never less than the script time.
    const wholeTasks = new Set();
    const inNothing = [];
    for (const span of inScripts.unmatched) {
      const task = holding(tasks, (span[0] + span[1]) / 2);
      if (task) wholeTasks.add(task);
      else inNothing.push(span);
    }
    const runs = inScripts.found.filter((run) => ![...wholeTasks].some((task) => task.start <= run.start && run.end <= task.end));
    return {
      unmatched: inTasks.unmatched.length,
      tasks: inTasks.found.length,
      wall: sum(inTasks.found, "wall") + wallOf(inTasks.unmatched),
      cpu: sum(inTasks.found, "cpu") + wallOf(inTasks.unmatched),
      longestCpu: Math.max(0, ...inTasks.found.map((task) => task.cpu), ...inTasks.unmatched.map(([start, end]) => end - start)),
      unmatchedScripts: inScripts.unmatched.length,
      scriptCpu: sum(runs, "cpu") + sum([...wholeTasks], "cpu") + wallOf(inNothing),
      longestScriptCpu: Math.max(0, ...runs.map((run) => run.cpu), ...[...wholeTasks].map((task) => task.cpu), ...inNothing.map(([start, end]) => end - start)),
    };
  };
}
