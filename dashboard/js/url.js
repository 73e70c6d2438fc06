//# allFunctionsCalledOnLoad
// What the page shows, kept in its URL so a view can be bookmarked or shared:
// `?server=a&client=b&worker=0&worker=1&range=5m&histogram=<family>&budget=0.25`.

import { RANGES } from "./frames.js";

export function readView(search) {
  const params = new URLSearchParams(search);
  const range = params.get("range");
  const budget = Number(params.get("budget"));
  return {
    filter: {
      server: params.getAll("server").filter(Boolean),
      client: params.getAll("client").filter(Boolean),
      worker: params.getAll("worker").filter(Boolean),
    },
    range: range in RANGES ? range : "5m",
    histogram: params.get("histogram") ?? "",
    budget: Number.isFinite(budget) && budget > 0 ? budget : null,
  };
}

export function writeView(view) {
  const params = new URLSearchParams();
  for (const server of view.filter.server) params.append("server", server);
  for (const client of view.filter.client ?? []) params.append("client", client);
  for (const worker of view.filter.worker) params.append("worker", worker);
  if (view.range !== "5m") params.set("range", view.range);
  if (view.histogram) params.set("histogram", view.histogram);
  if (view.budget) params.set("budget", String(view.budget));
  const text = params.toString();
  return text ? "?" + text : "";
}
