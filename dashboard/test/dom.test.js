import assert from "node:assert/strict";
import { test } from "node:test";

import { fakeDocument } from "../test-support/fake-dom.mjs";

globalThis.document = fakeDocument();

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
