// The node tests' and tools' stand-in for the page's document (test/dom.test.js,
// test/slots.test.js, tools/grid-bench.mjs). Not a page file (`.mjs`, outside test/):
// neither served nor taken by the test runner for a test file.

/**
 * A minimal document: enough for dom.js, and it fails the test if anything assigns
 * `innerHTML` or `outerHTML` (the dashboard must only ever set text).
 */
export class FakeNode {
  constructor(name, text = null) {
    this.nodeName = name;
    this.text = text;
    this.childNodes = [];
    this.attributes = {};
    this.listeners = {};
  }
  get firstChild() {
    return this.childNodes[0] ?? null;
  }
  appendChild(child) {
    this.childNodes.push(child);
    return child;
  }
  removeChild(child) {
    this.childNodes = this.childNodes.filter((c) => c !== child);
    return child;
  }
  setAttribute(name, value) {
    this.attributes[name] = value;
  }
  addEventListener(kind, listener) {
    this.listeners[kind] = listener;
  }
  get textContent() {
    return this.text ?? this.childNodes.map((c) => c.textContent).join("");
  }
  /** As in the DOM: the children become one text node. */
  set textContent(text) {
    this.childNodes = [new FakeNode("#text", String(text))];
  }
  set className(value) {
    this.attributes.class = value;
  }
  set innerHTML(_) {
    throw new Error("innerHTML must never be set");
  }
  set outerHTML(_) {
    throw new Error("outerHTML must never be set");
  }
}

/** A document whose elements are `FakeNode`s (HTML and SVG alike). */
export function fakeDocument() {
  return {
    createElement: (tag) => new FakeNode(tag),
    createElementNS: (_, tag) => new FakeNode(tag),
    createTextNode: (text) => new FakeNode("#text", text),
  };
}
