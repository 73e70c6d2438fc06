//# allFunctionsCalledOnLoad
// Collectors that failed in the latest scrape, as the registry reported them.

import { h, replace, show } from "../dom.js";

export function renderErrors(section, model) {
  const errors = model.store.errors;
  replace(
    section.querySelector(".panel-body"),
    h("ul", {}, errors.map((e) => h("li", {}, h("strong", {}, e.collector), ` (${e.kind}): `, e.message))),
  );
  show(section, errors.length > 0);
}
