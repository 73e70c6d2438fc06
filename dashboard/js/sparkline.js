//# allFunctionsCalledOnLoad
// A small SVG line of `[[t, value], ...]`, scaled to its own range.

import { s } from "./dom.js";

export function sparkline(points, { width = 120, height = 28, label = "trend" } = {}) {
  const finite = points.filter(([, v]) => Number.isFinite(v));
  const svg = s("svg", { class: "sparkline", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  if (finite.length < 2) return svg;
  const t0 = finite[0][0];
  const t1 = finite[finite.length - 1][0];
  let low = Infinity;
  let high = -Infinity;
  for (const [, v] of finite) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  if (high === low) {
    high += 1;
    low -= 1;
  }
  const x = (t) => (t1 === t0 ? width : ((t - t0) / (t1 - t0)) * (width - 2) + 1);
  const y = (v) => height - 2 - ((v - low) / (high - low)) * (height - 4);
  const path = finite.map(([t, v], i) => `${i === 0 ? "M" : "L"}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  svg.appendChild(s("path", { d: path }));
  return svg;
}
