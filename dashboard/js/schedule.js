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

/**
 * Runs `run` in a task of its own, queued now: through a `MessageChannel`, which, unlike
 * a chain of `setTimeout(…, 0)`, is not slowed to 4 ms a step after the fifth.
 */
export function nextTask(run) {
  const channel = new MessageChannel();
  let cancelled = false;
  channel.port1.onmessage = () => {
    channel.port1.close();
    if (!cancelled) run();
  };
  channel.port2.postMessage(null);
  return { cancel: () => (cancelled = true) };
}

export class PanelScheduler {
  #waiting = [];
  #timer = null;
  /** Callers waiting for every panel to be drawn: `{ onComplete, from }`, `from` an index into `#taskMs`. */
  #completions = [];
  /** Each task's drawing time since the oldest waiting caller began. */
  #taskMs = [];

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
   * rest in the tasks after. Calls `onComplete({ tasks, taskMs })` once every panel has
   * been drawn since this call, by this draw or by one that replaced it: how many tasks
   * that took and the time each spent drawing.
   */
  draw(panels, deadline, onComplete = null) {
    if (this.#timer !== null) this.cancel(this.#timer);
    this.#timer = null;
    // Waiting panels first, drawn as this call draws them; a waiting job this call does
    // not list (a tick's records, queued by an update) keeps its own and still runs; a
    // waiting part of a panel this call lists is dropped, since the panel draws it anew.
    const given = new Map(panels);
    const redone = ([id]) => id.includes("/") && given.has(id.slice(0, id.indexOf("/")));
    const waiting = this.#waiting.filter((job) => !redone(job)).map(([id, run]) => [id, given.get(id) ?? run]);
    const late = new Set(waiting.map(([id]) => id));
    const queue = [...waiting, ...panels.filter(([id]) => !late.has(id))];
    if (onComplete) this.#completions.push({ onComplete, from: this.#taskMs.length });
    this.#run(queue, deadline, false);
  }

  /** Draws `queue` until `deadline`; `atLeastOne`: the first panel even if it has passed. */
  #run(queue, deadline, atLeastOne) {
    const started = this.now();
    for (let i = 0; i < queue.length; i++) {
      if ((i > 0 || !atLeastOne) && this.now() >= deadline) {
        this.#waiting = queue.slice(i);
        this.#taskMs.push(this.now() - started);
        this.#timer = this.schedule(() => {
          this.#timer = null;
          this.#run(this.#waiting, this.now() + this.budgetMs, true);
        });
        return;
      }
      const [id, draw] = queue[i];
      const parts = draw();
      if (Array.isArray(parts)) queue.splice(i + 1, 0, ...parts.map(([part, run]) => [`${id}/${part}`, run]));
    }
    this.#waiting = [];
    this.#taskMs.push(this.now() - started);
    const completions = this.#completions;
    const taskMs = this.#taskMs;
    this.#completions = [];
    this.#taskMs = [];
    for (const { onComplete, from } of completions) onComplete({ tasks: taskMs.length - from, taskMs: taskMs.slice(from) });
  }
}
