//# allFunctionsCalledOnLoad
// Exporting what the page shows as a JSON file, and importing it back.

import { Frames } from "./frames.js";
import { readView, writeView } from "./url.js";

export const EXPORT_FORMAT = "actorscope-dashboard";

/** The document an export writes. */
export function exportDocument(store, frames, view, now = Date.now()) {
  return {
    format: EXPORT_FORMAT,
    version: 1,
    exported_at: new Date(now).toISOString(),
    view,
    snapshot: store.toDocument(),
    frames: frames.toJSON(),
  };
}

/** Reads an exported document; throws an Error naming what is wrong. */
export function parseImport(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new Error("not JSON: " + error.message);
  }
  if (doc?.format !== EXPORT_FORMAT) throw new Error(`not an ActorScope export (format is ${JSON.stringify(doc?.format)})`);
  if (doc.version !== 1) throw new Error(`export version ${JSON.stringify(doc.version)} is not supported`);
  if (!Array.isArray(doc.snapshot?.families)) throw new Error("the export has no snapshot families");
  const frames = Frames.fromJSON(doc.frames);
  return { snapshot: doc.snapshot, frames, view: importedView(doc.view), exportedAt: doc.exported_at, timeBase: timeBase(frames, doc.exported_at) };
}

/** The list of strings at `value` (anything else: none). */
function strings(value) {
  return Array.isArray(value) ? value.filter((item) => typeof item === "string" && item !== "") : [];
}

/**
 * The exported view, kept only as far as it is a view (through the URL's own reading, so
 * an import can set nothing a URL could not); null when the export has none.
 */
export function importedView(view) {
  if (view === null || typeof view !== "object") return null;
  const filter = view.filter ?? {};
  const budget = Number(view.budget);
  return readView(
    writeView({
      filter: { server: strings(filter.server), client: strings(filter.client), worker: strings(filter.worker) },
      range: typeof view.range === "string" ? view.range : "5m",
      histogram: typeof view.histogram === "string" ? view.histogram : "",
      budget: Number.isFinite(budget) && budget > 0 ? budget : null,
    }),
  );
}

/**
 * The moment an import is shown as of: its newest frame (so its trends fill the range
 * however long ago it was made), else when it was exported, else now.
 */
export function timeBase(frames, exportedAt, now = Date.now()) {
  const newest = Math.max(...[frames.fine, frames.coarse, frames.long].map((ring) => ring.frames.at(-1)?.t ?? -Infinity));
  if (Number.isFinite(newest)) return newest;
  const exported = Date.parse(exportedAt);
  return Number.isFinite(exported) ? exported : now;
}
