//# allFunctionsCalledOnLoad
// Folding panels: a folded panel keeps its heading and hides its controls and body. Its
// heading is a button (click, Enter or Space on it), and Space folds the panel that has
// the focus (keyboard.js). Which panels are folded is kept in localStorage, so a reload
// keeps the page as the reader left it.

import { h, pageStorage, replace } from "./dom.js";
import { explainText, PANELS } from "./explain.js";

const STORAGE_KEY = "actorscope.folded";

/** The ids of the panels folded last time (none when storage is unavailable or garbled). */
export function readFolded(storage) {
  try {
    const ids = JSON.parse(storage?.getItem(STORAGE_KEY) ?? "[]");
    return new Set(Array.isArray(ids) ? ids.filter((id) => typeof id === "string") : []);
  } catch {
    return new Set();
  }
}

/** Saves the ids of the folded panels; a page without storage simply forgets them. */
export function writeFolded(storage, ids) {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify([...ids].sort()));
  } catch {
    // Storage full or denied (a private window): folding still works for this page.
  }
}

/** Folds (`folded` true) or unfolds `section`, and remembers it. */
export function setFolded(section, folded) {
  section.toggleAttribute("data-folded", folded);
  section.querySelector("h2 > button.fold")?.setAttribute("aria-expanded", String(!folded));
  const ids = readFolded(pageStorage());
  if (folded) ids.add(section.id);
  else ids.delete(section.id);
  writeFolded(pageStorage(), ids);
}

/** Folds `section` when it is open, opens it when it is folded. */
export function toggleFold(section) {
  setFolded(section, !section.hasAttribute("data-folded"));
}

/**
 * Turns each panel's heading into a fold button with the panel's tooltip (explain.js),
 * and folds the panels that were folded when the page was last left.
 */
export function installFolding(sections) {
  const folded = readFolded(pageStorage());
  for (const section of sections) {
    const heading = section.querySelector("h2");
    const explanation = PANELS[section.id];
    if (explanation) heading.title = explainText(explanation);
    const button = h("button", { type: "button", class: "fold", "aria-expanded": String(!folded.has(section.id)), onclick: () => toggleFold(section) }, heading.textContent);
    replace(heading, button);
    section.toggleAttribute("data-folded", folded.has(section.id));
  }
}
