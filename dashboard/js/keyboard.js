//# allFunctionsCalledOnLoad
// Keyboard navigation: 1/2/3/4 time range, / family search, j/k next/previous panel or
// group, space folds the focused panel (or opens the focused group), p pause or resume,
// e export, i import, ? this help.

import { toggleFold } from "./fold.js";

export const KEYS = [
  ["1 2 3 4", "time range 1 m, 5 m, 1 h, 10 h"],
  ["/", "filter families by name"],
  ["j k", "next / previous panel, or group of the families panel"],
  ["space", "fold or unfold the focused panel; open or close the focused group"],
  ["p", "pause or resume live updates"],
  ["e", "export the current state as JSON"],
  ["i", "import an exported state"],
  ["?", "show or hide this help"],
];

function typing(target) {
  return target instanceof Element && target.closest("input, select, textarea") !== null;
}

/** Where j and k stop, in page order: every visible panel, and the groups of the open ones. */
const STOPS = "main > section.panel:not([hidden]):not([data-off]), main > section.panel:not([hidden]):not([data-off]):not([data-folded]) details.group > summary";

/** Moves focus to the next (`step` 1) or previous (-1) stop (a panel or a group). */
function move(step) {
  const stops = [...document.querySelectorAll(STOPS)];
  if (stops.length === 0) return;
  const active = document.activeElement;
  let current = stops.indexOf(active);
  if (current < 0) current = stops.indexOf(active?.closest("section.panel"));
  const next = stops[(current + step + stops.length) % stops.length];
  next.focus();
  next.scrollIntoView({ block: "nearest" });
}

/** Space on a focused panel folds it; on a group's summary or a button the browser's own
 * Space (open, close, press) applies, so it is left alone. */
function fold(target) {
  if (!(target instanceof Element) || !target.matches("main > section.panel")) return false;
  toggleFold(target);
  return true;
}

export function installKeys(actions) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const ranges = { 1: "1m", 2: "5m", 3: "1h", 4: "10h" };
    if (event.key in ranges) actions.range(ranges[event.key]);
    else if (event.key === "/") actions.search();
    else if (event.key === "j") move(1);
    else if (event.key === "k") move(-1);
    else if (event.key === " ") {
      if (!fold(event.target)) return;
    }
    else if (event.key === "p") actions.pause();
    else if (event.key === "e") actions.exportState();
    else if (event.key === "i") actions.importState();
    else if (event.key === "?") actions.help();
    else return;
    event.preventDefault();
  });
}
