//# allFunctionsCalledOnLoad
// Drawing the panels in tasks that fit a frame. A live update's task draws panels in
// page order until its deadline, and leaves the rest to a next task, queued at once, and
// so on: on a cold page, where every panel runs unoptimised code for the first time, the
// first snapshot is then several short tasks instead of one long one, and the browser
// can paint the top of the page in between. A panel is never drawn in halves. The
// update's own task draws none when its deadline has passed before the first (applying
// the update took that long); every task after it draws at least one. Panels a task did
// not reach are drawn first by the next draw, whatever asked for it, so none is starved
// by frequent updates. A panel too costly for one task returns its remaining parts
// (`[part, draw]` pairs), drawn next as panels of their own, named `<panel>/<part>`; a
// later draw that lists the panel again drops its parts still waiting (it redoes them).

/** The page's one channel for `nextTask`, made on first use, and the runs its messages start, in order. */
let channel = null;
const queued = [];

/**
 * Runs `run` in a task of its own, queued now: through a `MessageChannel`, which, unlike
 * a chain of `setTimeout(…, 0)`, is not slowed to 4 ms a step after the fifth. One
 * channel for the page, each message a task that runs the oldest run queued (a new
 * channel per task cost about 0.25 ms on a cold page: a fresh message pipe each).
 */
export function nextTask(run) {
  if (channel === null) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const next = queued.shift();
      // Node's ports (the tests') keep the process alive only while a run is queued.
      if (queued.length === 0) channel.port1.unref?.();
      next?.();
    };
  }
  channel.port1.ref?.();
  let cancelled = false;
  queued.push(() => {
    if (!cancelled) run();
  });
  channel.port2.postMessage(null);
  return { cancel: () => (cancelled = true) };
}

export class PanelScheduler {
  #waiting = [];
  #timer = null;
  /**
   * Callers waiting for their panels to be drawn: `{ onComplete, from, generation }`,
   * `from` an index into `#spans`, `generation` that of the draw they called.
   */
  #completions = [];
  /**
   * Each task's drawing since the oldest waiting caller began: `[start, end, drawn]`,
   * `now()` readings and how many panels it drew.
   */
  #spans = [];
  /** Counts the draws: each queued panel carries the generation of the draw whose caller waits for it. */
  #generation = 0;

  /**
   * `budgetMs`: how long after it starts a continuing task stops starting panels (0:
   * one panel per task);
   * `now`, `schedule` and `cancel` are the clock and the task queue (the page's own,
   * unless a test gives others).
   */
  constructor({ budgetMs, now = () => performance.now(), schedule = nextTask, cancel = (task) => task.cancel() }) {
    this.budgetMs = budgetMs;
    this.now = now;
    this.schedule = schedule;
    this.cancel = cancel;
  }

  /** Whether some panels wait for a next task. */
  get pending() {
    return this.#waiting.length > 0;
  }

  /**
   * Draws `panels` (`[id, draw]` pairs, in page order; those a previous draw did not
   * reach first) until `deadline` (a `now()` reading; Infinity: all of them now), the
   * rest in the tasks after. Calls `onComplete({ tasks, taskMs, spans })` once every
   * panel it lists has been drawn since this call, by this draw or by one that took
   * over: how many tasks that took, the time each spent drawing until then and when
   * (`[start, end]`). A draw that takes over redraws, after the panels still waiting,
   * those already drawn; that is its own work, not counted for the draw it took over,
   * which completes once its own panels are drawn (a redone panel whose parts were
   * waiting included, and whatever is drawn before it).
   */
  draw(panels, deadline, onComplete = null) {
    if (this.#timer !== null) this.cancel(this.#timer);
    this.#timer = null;
    const generation = ++this.#generation;
    // Waiting panels first, drawn as this call draws them; a waiting job this call does
    // not list (a tick's records, queued by an update) keeps its own and still runs; a
    // waiting part of a panel this call lists is dropped, since the panel draws it anew
    // (for the callers that waited for that part).
    const given = new Map(panels);
    const redoneFor = new Map();
    const waiting = [];
    for (const [id, run, waitedBy] of this.#waiting) {
      const panel = id.includes("/") ? id.slice(0, id.indexOf("/")) : null;
      if (panel !== null && given.has(panel)) redoneFor.set(panel, Math.min(redoneFor.get(panel) ?? Infinity, waitedBy));
      else waiting.push([id, given.get(id) ?? run, waitedBy]);
    }
    const late = new Set(waiting.map(([id]) => id));
    const queue = [...waiting, ...panels.filter(([id]) => !late.has(id)).map(([id, run]) => [id, run, redoneFor.get(id) ?? generation])];
    if (onComplete) this.#completions.push({ onComplete, from: this.#spans.length, generation });
    this.#run(queue, deadline, false);
  }

  /** Draws `queue` until `deadline`; `atLeastOne`: the first panel even if it has passed. */
  #run(queue, deadline, atLeastOne) {
    const started = this.now();
    for (let i = 0; i < queue.length; i++) {
      if ((i > 0 || !atLeastOne) && this.now() >= deadline) {
        this.#waiting = queue.slice(i);
        this.#spans.push([started, this.now(), i]);
        this.#timer = this.schedule(() => {
          this.#timer = null;
          this.#run(this.#waiting, this.now() + this.budgetMs, true);
        });
        return;
      }
      const [id, draw, waitedBy] = queue[i];
      const parts = draw();
      if (Array.isArray(parts)) queue.splice(i + 1, 0, ...parts.map(([part, run]) => [`${id}/${part}`, run, waitedBy]));
      this.#complete(queue, i + 1, started, i + 1);
    }
    this.#waiting = [];
    this.#complete(queue, queue.length, started, queue.length);
    this.#spans = [];
  }

  /**
   * Tells the callers whose panels are all drawn (none from `next` on in `queue` is
   * theirs); `drawn` panels so far in this task, which began at `started`. A caller's
   * tasks are its own first and those after it that drew something: another update's
   * own task that drew none (its deadline had passed) is that update's alone.
   */
  #complete(queue, next, started, drawn) {
    if (this.#completions.length === 0) return;
    let oldestWaiting = Infinity;
    for (let i = next; i < queue.length; i++) oldestWaiting = Math.min(oldestWaiting, queue[i][2]);
    // Callers are kept in the order they called, so the first is the oldest.
    if (this.#completions[0].generation >= oldestWaiting) return;
    const done = this.#completions.filter(({ generation }) => generation < oldestWaiting);
    this.#completions = this.#completions.filter(({ generation }) => generation >= oldestWaiting);
    const spans = [...this.#spans, [started, this.now(), drawn]];
    for (const { onComplete, from } of done) {
      const own = spans.slice(from).filter((span, index) => index === 0 || span[2] > 0).map(([start, end]) => [start, end]);
      onComplete({ tasks: own.length, taskMs: own.map(([start, end]) => end - start), spans: own });
    }
  }
}
