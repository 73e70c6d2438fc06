//# allFunctionsCalledOnLoad
// Numbers for people: SI prefixes, bytes in binary units, seconds at a sensible scale.

export function formatNumber(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9) return (value / 1e9).toFixed(2) + "G";
  if (magnitude >= 1e6) return (value / 1e6).toFixed(2) + "M";
  if (magnitude >= 1e4) return (value / 1e3).toFixed(1) + "k";
  if (Number.isInteger(value)) return String(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

export function formatBytes(value) {
  if (!Number.isFinite(value)) return formatNumber(value);
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let scaled = value;
  let unit = 0;
  while (Math.abs(scaled) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return (unit === 0 ? String(Math.round(scaled)) : scaled.toFixed(1)) + " " + units[unit];
}

export function formatSeconds(value) {
  if (!Number.isFinite(value)) return formatNumber(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1) return value.toFixed(2) + " s";
  if (magnitude >= 1e-3) return (value * 1e3).toFixed(1) + " ms";
  return (value * 1e6).toFixed(0) + " µs";
}

export function formatRate(value) {
  return formatNumber(value) + "/s";
}

export function formatPercent(ratio) {
  if (!Number.isFinite(ratio)) return "–";
  return (ratio * 100).toFixed(ratio < 0.1 ? 2 : 1) + "%";
}

/** The formatter for a family's unit. */
export function formatterFor(unit) {
  if (unit === "bytes") return formatBytes;
  if (unit === "seconds") return formatSeconds;
  return formatNumber;
}

/** A duration in seconds as people say it: `42 s`, `5 m 3 s`, `3 h 12 m`, `2 d 4 h`. */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} m`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/**
 * The local time of `date` as `HH:MM:SS`, 24-hour. Written out rather than through
 * `toLocaleTimeString`, whose first call loads the locale's data: 12 to 20 ms inside a
 * cold page's first snapshot (BENCHMARKS.md, "Dashboard").
 */
export function formatClock(date) {
  const two = (n) => String(n).padStart(2, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}
