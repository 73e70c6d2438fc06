//# allFunctionsCalledOnLoad
// The capacity planner: a proposed size for every pool, from its observed high-water
// mark and how fast that mark grew, plus headroom, and the proposals as a TOML snippet
// to paste into a configuration file.
//
// proposed = ceil((high-water + growth per hour × horizon) × (1 + headroom)), at least 1,
// where growth is how much the high-water mark rose per hour over what the page has seen
// (none until it has watched for a minute). Sampled: the marks are the page's readings.

/** The planner's defaults: 25% headroom over the mark, growth projected 1 h ahead. */
export const PLAN_DEFAULTS = { headroom: 0.25, horizonHours: 1 };
/** How long the page must have watched a pool before its growth counts. */
export const MIN_GROWTH_SPAN_MS = 60_000;
/** The high-water readings kept per pool (only changes are recorded). */
const MAX_MARKS = 256;

/**
 * A pool's high-water readings, `[time, mark]`, recorded only when the mark changes (plus
 * the first), so an hour's watch of a steady pool is two points, not 3,600.
 */
export class MarkHistory {
  constructor() {
    this.points = [];
  }

  /** Records `mark` at `t` (ms); a lower mark (a reset) starts the history again. */
  add(t, mark) {
    if (!Number.isFinite(mark)) return;
    const last = this.points[this.points.length - 1];
    if (last && mark < last[1]) this.points = [];
    else if (last && mark === last[1]) {
      this.seenAt = t;
      return;
    }
    this.points.push([t, mark]);
    if (this.points.length > MAX_MARKS) this.points.shift();
    this.seenAt = t;
  }

  /** How much the mark rose per hour since the first reading, or 0 before a minute's watch. */
  growthPerHour() {
    if (this.points.length === 0) return 0;
    const [start, first] = this.points[0];
    const last = this.points[this.points.length - 1][1];
    const span = (this.seenAt ?? start) - start;
    if (span < MIN_GROWTH_SPAN_MS) return 0;
    return ((last - first) / span) * 3_600_000;
  }
}

/**
 * The proposal for one pool: `{ ...pool, growthPerHour, proposed, change }` where `pool`
 * is `{ labels, capacity, used, highWater }`. `options` is `{ headroom, horizonHours }`.
 */
export function plan(pool, growthPerHour, options = PLAN_DEFAULTS) {
  const mark = Number.isFinite(pool.highWater) ? Math.max(pool.highWater, pool.used) : pool.used;
  const headroom = Math.max(0, options.headroom);
  const horizon = Math.max(0, options.horizonHours);
  const projected = mark + Math.max(0, growthPerHour) * horizon;
  const proposed = Math.max(1, Math.ceil(projected * (1 + headroom) - 1e-9));
  return { ...pool, mark, growthPerHour, proposed, change: proposed - pool.capacity };
}

/** `value` as a TOML basic string: quoted, with `"`, `\` and control characters escaped. */
export function tomlString(value) {
  let out = '"';
  for (const char of String(value)) {
    const code = char.codePointAt(0);
    if (char === '"' || char === "\\") out += "\\" + char;
    else if (char === "\n") out += "\\n";
    else if (char === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += "\\u" + code.toString(16).padStart(4, "0");
    else out += char;
  }
  return out + '"';
}

/** The proposals as a TOML snippet: one `[[pool]]` table per pool, its labels as keys. */
export function configSnippet(proposals, options, now = Date.now()) {
  const lines = [
    `# Pool sizes proposed by the ActorScope dashboard at ${new Date(now).toISOString()}:`,
    `# the high-water mark, plus its growth over the next ${options.horizonHours} h, plus ${Math.round(options.headroom * 100)}% headroom.`,
  ];
  for (const p of proposals) {
    lines.push("", "[[pool]]");
    for (const [name, value] of Object.entries(p.labels)) {
      const key = /^[A-Za-z0-9_-]+$/.test(name) ? name : tomlString(name);
      lines.push(`${key} = ${tomlString(value)}`);
    }
    lines.push(`capacity = ${p.proposed} # now ${p.capacity}; high-water ${p.mark}; growth ${p.growthPerHour.toFixed(1)}/h`);
  }
  return lines.join("\n") + "\n";
}
