//# allFunctionsCalledOnLoad
// What each tile, card and panel shows: what it is, which families it reads and how it
// is computed. Every entry becomes its element's tooltip (`title`), so a figure never
// leaves its reader guessing where it came from. "Last ~10 s" is the page's window:
// the increase between the newest tick and the one ten ticks (about 10 s) before it.

/** An explanation, `{ what, families, how }`, as a three-line tooltip. */
export function explainText({ what, families, how }) {
  return `${what}\nFamily: ${families.join(", ")}\nHow: ${how}`;
}

const SUMMED = "summed over every series the header's pickers let through";
const RATE = "the counter's increase over the last ~10 s per second (a reset counts from zero), " + SUMMED;

const RESIDENT = { what: "Resident memory of the process (what the OS holds in RAM for it).", families: ["process_resident_memory_bytes"], how: "the gauge's latest reading, read from the OS at each scrape" };

/** The overview's and the memory panel's tiles, by their `data-metric`. */
export const TILES = {
  "request-rate": { what: "Requests served per second.", families: ["http_server_requests_total"], how: RATE + "; the trend is the rate per tick" },
  "error-rate": {
    what: "Share of requests that failed (an error response or a failed handler).",
    families: ["http_server_errors_total", "http_server_requests_total"],
    how: "the errors' rate over the requests' rate, both over the last ~10 s (100% when errors arrive with no requests)",
  },
  "in-flight": { what: "Requests being served right now.", families: ["http_server_requests_in_flight"], how: "the gauge's latest reading, " + SUMMED },
  rss: RESIDENT,
  process_resident_memory_bytes: RESIDENT,
  actorscope_allocator_live_bytes: { what: "Heap bytes allocated and not yet freed (the counting allocator's live heap).", families: ["actorscope_allocator_live_bytes"], how: "allocated minus freed bytes, read at each scrape" },
  actorscope_allocator_peak_live_bytes: {
    what: "The most heap live at once since start or the last reset, a spike between two scrapes included.",
    families: ["actorscope_allocator_peak_live_bytes"],
    how: "each thread publishes its net allocations to one live total every 64 KiB, raising the mark as it does; so it is within 64 KiB per allocating thread of exact",
  },
  process_anonymous_memory_bytes: { what: "Resident anonymous memory: heap, stacks and other memory not backed by a file.", families: ["process_anonymous_memory_bytes"], how: "from /proc/self/smaps_rollup (Linux only), read at most every few seconds" },
  process_swap_bytes: { what: "Memory of the process swapped out to disk.", families: ["process_swap_bytes"], how: "from /proc/self/smaps_rollup (Linux only), read at most every few seconds" },
  actorscope_allocator_allocated_bytes_total: { what: "Heap bytes allocated per second.", families: ["actorscope_allocator_allocated_bytes_total"], how: RATE },
  actorscope_allocator_freed_bytes_total: { what: "Heap bytes freed per second.", families: ["actorscope_allocator_freed_bytes_total"], how: RATE },
  actorscope_heap_held_bytes: { what: "Bytes the C allocator holds from the OS: its arenas and its mapped blocks.", families: ["actorscope_heap_held_bytes"], how: "glibc's mallinfo2 (arena + hblkhd), read at most every 10 s" },
  actorscope_heap_free_bytes: { what: "Of the bytes the C allocator holds, those free but kept: holes between live blocks and the arenas' unused tops.", families: ["actorscope_heap_free_bytes"], how: "glibc's mallinfo2 (fordblks), read at most every 10 s" },
  "heap-fragmentation": {
    what: "Heap fragmentation: the share of the allocator's held bytes that are free but kept.",
    families: ["actorscope_heap_free_bytes", "actorscope_heap_held_bytes"],
    how: "free over held, as glibc's mallinfo2 last reported them (at most every 10 s)",
  },
  "resident-over-live": {
    what: "Resident memory per byte of live heap: how much RAM the process holds for each byte the program has allocated and not freed.",
    families: ["process_resident_memory_bytes", "actorscope_allocator_live_bytes"],
    how: "the latest readings' ratio; well above 1 means fragmentation, memory the allocator keeps, or memory outside the heap (stacks, code, mapped files)",
  },
  "allocation-pressure": {
    what: "Allocation pressure: bytes allocated per byte freed.",
    families: ["actorscope_allocator_allocated_bytes_total", "actorscope_allocator_freed_bytes_total"],
    how: "the allocation rate over the free rate, both over the last ~10 s; above the healthy band the live heap grows, below it a backlog is being freed",
  },
};

/** The explanation of the latency tile of quantile `q` (0.5 for p50). */
export function latencyTile(q) {
  return {
    what: `The ${Math.round(q * 100)}th percentile of request latency over the last ~10 s.`,
    families: ["http_server_request_duration_seconds"],
    how: "interpolated linearly within the histogram buckets' increase over the last ~10 s, the series merged bucket by bucket (native buckets when every series has them)",
  };
}

const OCCUPANCY = "in use over capacity: high at 80%, critical at 95%";
const MARKS = "the high-water mark is the most in use at once since the owner started or reset it; overflows are acquisitions refused because the pool was full";

/** The explanation of a pool card drawn from slot map `family` (one cell per slot). */
export function slotCard(family) {
  return {
    what: "A pool's slots, one cell per slot, coloured by state (free, active, idle, closing).",
    families: [family, "actorscope_pool_high_water", "actorscope_pool_overflows_total"],
    how: `in use counts the slots not free; ${OCCUPANCY}; ${MARKS}`,
  };
}

/** The explanation of a pool card drawn from counts only (no slot map). */
export const COUNT_CARD = {
  what: "A pool's occupancy, as a bar.",
  families: ["actorscope_pool_in_use", "actorscope_pool_capacity", "actorscope_pool_high_water", "actorscope_pool_overflows_total"],
  how: `${OCCUPANCY}; ${MARKS}`,
};

/** Each panel's heading tooltip, by the panel's id. */
export const PANELS = {
  overview: { what: "The server's requests, errors, latency and memory at a glance.", families: ["http_server_*", "process_resident_memory_bytes"], how: "each tile says how it is computed" },
  routes: { what: "One row per route pattern the server matched.", families: ["http_server_requests_total", "http_server_errors_total", "http_server_request_duration_seconds", "http_server_response_body_bytes_total"], how: "rates and quantiles over the last ~10 s, per row; each column says what it reads" },
  clients: { what: "One row per outgoing client, target and route.", families: ["http_client_*"], how: "rates and quantiles over the last ~10 s, per row; each column says what it reads" },
  workers: { what: "One row per worker label value; one column per family of the chosen group that has a worker label.", families: ["any family with a worker label"], how: "counters as rates over the last ~10 s, gauges as their latest reading; each column's tooltip names its family" },
  actors: { what: "Actor insight: per actor type (or instance), message rate, handling and mailbox wait, depth, errors, restarts and busy share.", families: ["actorscope_actor_*"], how: "each column says how it is computed" },
  memory: { what: "Process memory and the counting allocator's heap.", families: ["process_*_bytes", "actorscope_allocator_*"], how: "each tile says how it is computed" },
  pools: { what: "Pool occupancy, high-water marks and overflows.", families: ["actorscope_pool_*", "slot maps"], how: OCCUPANCY },
  histogram: { what: "One histogram's buckets and quantiles, with an optional latency budget.", families: ["the chosen histogram family"], how: "the buckets' increase over the last ~10 s, merged over the series the pickers let through" },
  errors: { what: "Collectors that failed at the last scrape, and why.", families: ["the snapshot's errors"], how: "as the registry reported them; the rest of the scrape still counts" },
  families: { what: "Every family the registry holds, grouped by name prefix.", families: ["every family"], how: "the latest snapshot as it arrived; open a family for its samples" },
};

/** Each actor-table column's header tooltip, by the column's key. */
export const ACTOR_COLUMNS = {
  rate: { what: "Messages handled per second.", families: ["actorscope_actor_messages_handled_total"], how: RATE },
  p99Handling: { what: "The 99th percentile of handler time.", families: ["actorscope_actor_message_handling_seconds"], how: "interpolated within the buckets' increase over the last ~10 s" },
  p99Wait: { what: "The 99th percentile of time a message waited in the mailbox.", families: ["actorscope_actor_mailbox_wait_seconds"], how: "interpolated within the buckets' increase over the last ~10 s" },
  depth: { what: "Messages waiting in the mailbox now.", families: ["actorscope_actor_mailbox_depth"], how: "the gauge's latest reading, summed over the row's instances" },
  errors: { what: "Handler panics and failed sends, since start.", families: ["actorscope_actor_handler_panics_total", "actorscope_actor_send_failures_total"], how: "the counters' sum (send failures are counted per type, on the type's row)" },
  restarts: { what: "Times the actor was restarted by its supervisor, since start.", families: ["actorscope_actor_restarts_total"], how: "the counter's latest reading" },
  busy: { what: "Share of one thread each instance spent in handlers.", families: ["actorscope_actor_busy_seconds_total", "actorscope_actor_active"], how: "busy seconds per second over the last ~10 s, divided by the active instances" },
};
