//# allFunctionsCalledOnLoad
// Live data: the Server-Sent-Events stream when it works, else polling the JSON
// snapshot, with the stream tried again from time to time.

export class Connection {
  /**
   * @param options {streamUrl, snapshotUrl, intervalMs, retryStreamMs, onSnapshot(doc, id,
   *   received), onDelta(doc, id, received), onStatus(text), EventSource, fetch, setTimeout,
   *   clearTimeout}; `received` is when a stream event's handler began, before its text
   *   was parsed (a `performance.now()` reading; null for a polled snapshot, whose body
   *   is parsed in a task of its own)
   */
  constructor(options) {
    this.options = {
      intervalMs: 1000,
      retryStreamMs: 30_000,
      EventSource: globalThis.EventSource,
      fetch: globalThis.fetch?.bind(globalThis),
      setTimeout: globalThis.setTimeout.bind(globalThis),
      clearTimeout: globalThis.clearTimeout.bind(globalThis),
      ...options,
    };
    this.source = null;
    this.timer = null;
    this.mode = "stopped";
    this.failures = 0;
  }

  start() {
    if (this.options.EventSource) this.#openStream();
    else this.#poll();
  }

  /** Stops all live updates (for an imported state, or pause). */
  stop() {
    this.source?.close();
    this.source = null;
    if (this.timer !== null) this.options.clearTimeout(this.timer);
    this.timer = null;
    this.#status("stopped");
  }

  #status(mode) {
    this.mode = mode;
    this.options.onStatus?.(mode);
  }

  #openStream() {
    const source = new this.options.EventSource(this.options.streamUrl);
    this.source = source;
    this.failures = 0;
    this.#status("connecting");
    source.addEventListener("open", () => this.#status("live"));
    const handle = (kind) => (event) => {
      const received = performance.now();
      this.failures = 0;
      if (this.mode !== "live") this.#status("live");
      const id = event.lastEventId ? Number(event.lastEventId) : null;
      const doc = JSON.parse(event.data);
      if (kind === "snapshot") this.options.onSnapshot(doc, id, received);
      else this.options.onDelta(doc, id, received);
    };
    source.addEventListener("snapshot", handle("snapshot"));
    source.addEventListener("delta", handle("delta"));
    source.addEventListener("error", () => {
      this.failures++;
      // CLOSED (2): the browser gave up (a refused or broken stream); or it keeps failing.
      if (source.readyState === 2 || this.failures >= 3) {
        source.close();
        if (this.source === source) this.source = null;
        this.#poll();
        this.timer = this.options.setTimeout(() => this.#retryStream(), this.options.retryStreamMs);
      } else {
        this.#status("reconnecting");
      }
    });
  }

  #retryStream() {
    if (this.mode === "stopped") return;
    this.timer = null;
    this.#openStream();
  }

  async #poll() {
    this.#status("polling");
    const tick = async () => {
      if (this.mode !== "polling") return;
      try {
        const response = await this.options.fetch(this.options.snapshotUrl);
        if (response.ok) this.options.onSnapshot(await response.json(), null, null);
      } catch {
        // The next poll tries again.
      }
      if (this.mode === "polling") this.timer = this.options.setTimeout(tick, this.options.intervalMs);
    };
    await tick();
  }
}
