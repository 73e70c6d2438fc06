//# allFunctionsCalledOnLoad
// Building the page: elements from tag, attributes and children, where every string
// becomes a text node. Nothing here (or anywhere in the dashboard) assigns `innerHTML`:
// a name, label or help text is always shown as the text it is.

const SVG = "http://www.w3.org/2000/svg";

function fill(element, attrs, children, html) {
  // `for…in` over the literal, not `Object.entries`: no array per attribute, and this
  // builds every element of every panel, on a cold page before any of it is optimised.
  for (const name in attrs) {
    const value = attrs[name];
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function" && name.startsWith("on")) {
      element.addEventListener(name.slice(2), value);
    } else if (html && name === "class") {
      element.className = String(value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  // One text child, the commonest case (a cell, a label): the text itself, one node.
  if (children.length === 1 && (typeof children[0] === "string" || typeof children[0] === "number")) element.textContent = String(children[0]);
  else append(element, children);
  return element;
}

/** Appends children: nodes as they are, strings and numbers as text, arrays flattened. */
export function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else if (typeof child === "object") element.appendChild(child);
    else element.appendChild(document.createTextNode(String(child)));
  }
  return element;
}

/** An HTML element. */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children, true);
}

/** An SVG element. */
export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG, tag), attrs, children, false);
}

/** Replaces an element's children. */
export function replace(element, ...children) {
  while (element.firstChild) element.removeChild(element.firstChild);
  return append(element, children);
}

/** Shows or hides a panel (panels without data hide themselves). */
export function show(element, visible) {
  element.hidden = !visible;
}

/** Offers `text` as a file download named `name`, of MIME type `type`. */
export function download(name, type, text) {
  const link = h("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

/** The page's localStorage, or null where the page may not use it (a sandbox, a policy). */
export function pageStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
