//# allFunctionsCalledOnLoad
// Exporting what the page shows as a JSON file, and importing it back.

import { Frames } from "./frames.js";

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
  return { snapshot: doc.snapshot, frames: Frames.fromJSON(doc.frames), view: doc.view ?? null, exportedAt: doc.exported_at };
}
