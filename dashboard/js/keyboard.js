//# allFunctionsCalledOnLoad
// Keyboard navigation: 1/2/3 time range, / family search, j/k next/previous panel,
// p pause or resume, e export, i import, ? this help.

export const KEYS = [
  ["1 2 3", "time range 1 m, 5 m, 1 h"],
  ["/", "filter families by name"],
  ["j k", "next / previous panel"],
  ["p", "pause or resume live updates"],
  ["e", "export the current state as JSON"],
  ["i", "import an exported state"],
  ["?", "show or hide this help"],
];

function typing(target) {
  return target instanceof Element && target.closest("input, select, textarea") !== null;
}

/** Moves focus to the next (`step` 1) or previous (-1) visible panel. */
function movePanel(step) {
  const panels = [...document.querySelectorAll("main > section.panel:not([hidden])")];
  if (panels.length === 0) return;
  const current = panels.indexOf(document.activeElement?.closest("section.panel"));
  const next = panels[(current + step + panels.length) % panels.length];
  next.focus();
  next.scrollIntoView({ block: "nearest" });
}

export function installKeys(actions) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const ranges = { 1: "1m", 2: "5m", 3: "1h" };
    if (event.key in ranges) actions.range(ranges[event.key]);
    else if (event.key === "/") actions.search();
    else if (event.key === "j") movePanel(1);
    else if (event.key === "k") movePanel(-1);
    else if (event.key === "p") actions.pause();
    else if (event.key === "e") actions.exportState();
    else if (event.key === "i") actions.importState();
    else if (event.key === "?") actions.help();
    else return;
    event.preventDefault();
  });
}
