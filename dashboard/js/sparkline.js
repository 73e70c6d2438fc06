//# allFunctionsCalledOnLoad
// A small SVG line of `[[t, value], ...]`, scaled to its own range; with `band`
// (`[[t, lowest, highest], ...]`, the 10 h range's slots) a shade from each slot's lowest
// to its highest reading behind the line, so a spike the means smooth away still shows.

import { s } from "./dom.js";

export function sparkline(points, { width = 120, height = 28, label = "trend", band = null } = {}) {
  const finite = points.filter(([, v]) => Number.isFinite(v));
  const shade = (band ?? []).filter(([, low, high]) => Number.isFinite(low) && Number.isFinite(high));
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
  for (const [, bottom, top] of shade) {
    low = Math.min(low, bottom);
    high = Math.max(high, top);
  }
  if (high === low) {
    high += 1;
    low -= 1;
  }
  const x = (t) => (t1 === t0 ? width : ((t - t0) / (t1 - t0)) * (width - 2) + 1);
  const y = (v) => height - 2 - ((v - low) / (high - low)) * (height - 4);
  const at = (t, v) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`;
  if (shade.length >= 2) {
    const top = shade.map(([t, , v], i) => (i === 0 ? "M" : "L") + at(t, v));
    const bottom = shade.map(([t, v]) => "L" + at(t, v)).reverse();
    svg.appendChild(s("path", { class: "band", d: [...top, ...bottom, "Z"].join(" ") }));
  }
  const path = finite.map(([t, v], i) => `${i === 0 ? "M" : "L"}${at(t, v)}`).join(" ");
  svg.appendChild(s("path", { d: path }));
  return svg;
}
