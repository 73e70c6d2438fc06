import assert from "node:assert/strict";
import { test } from "node:test";

/**
 * A minimal document: enough for dom.js, and it fails the test if anything assigns
 * `innerHTML` or `outerHTML` (the dashboard must only ever set text).
 */
class FakeNode {
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

globalThis.document = {
  createElement: (tag) => new FakeNode(tag),
  createElementNS: (_, tag) => new FakeNode(tag),
  createTextNode: (text) => new FakeNode("#text", text),
};

const { h, replace } = await import("../js/dom.js");

test("strings become text nodes, never markup", () => {
  const hostile = "<img src=x onerror=alert(1)>";
  const element = h("td", { title: hostile, class: "labels" }, hostile, 42, null, [" and ", "more"]);
  assert.equal(element.textContent, hostile + "42 and more");
  assert.ok(element.childNodes.every((c) => c.nodeName === "#text"));
  assert.equal(element.attributes.title, hostile, "attributes are set as values, not parsed");
});

test("a lone string child is the element's text: one text node, never markup; a class is set", () => {
  const hostile = "<b onclick=alert(1)>x</b>";
  const element = h("span", { class: "pool-title" }, hostile);
  assert.equal(element.childNodes.length, 1);
  assert.equal(element.childNodes[0].nodeName, "#text");
  assert.equal(element.textContent, hostile);
  assert.equal(element.attributes.class, "pool-title");
  assert.equal(h("td", {}, 42).textContent, "42", "a number too");
});

test("event attributes are listeners, not markup", () => {
  let clicked = false;
  const button = h("button", { onclick: () => (clicked = true) }, "go");
  button.listeners.click();
  assert.ok(clicked);
  assert.equal(button.attributes.onclick, undefined);
});

test("replace swaps children", () => {
  const list = h("ul", {}, h("li", {}, "a"));
  replace(list, h("li", {}, "b"), h("li", {}, "c"));
  assert.equal(list.textContent, "bc");
});
