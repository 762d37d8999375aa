// The only way the UI builds DOM: elements and text nodes, never HTML strings, so a
// name like `<script>` or `"quoted"` from the server is always shown as plain text.

/**
 * el("button", {class: "btn", dataset: {action: "stop"}, onclick: fn}, "Stop")
 * Attributes: `class`, `dataset` (object), `style` (object), `on<event>` (function),
 * booleans (true → present, false/null/undefined → absent), anything else as a string.
 * Children: nodes, strings/numbers (as text), arrays, and null/false (skipped).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") Object.assign(node.style, value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

/** Appends children (nodes, text, arrays; null/false skipped) to `node`. */
export function append(node, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces every child of `node` with `children`. */
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** Sets text only when it changed, so live updates don't churn the DOM. */
export function setText(node, text) {
  const value = String(text);
  if (node && node.textContent !== value) node.textContent = value;
}

/** The element inside `root` that shows field `name` (`data-field="name"`). */
export function field(root, name) {
  return root.querySelector(`[data-field="${name}"]`);
}

/** A small spinner for buttons and loading panels (decorative; pair it with text). */
export function spinner() {
  return el("span", { class: "spinner", "aria-hidden": "true" });
}

/** Inline SVG icons (static markup we own, built with DOM calls). */
const ICONS = {
  close: ["M4 4l8 8M12 4l-8 8"],
  sun: ["M8 2v1.5M8 12.5V14M2 8h1.5M12.5 8H14M3.8 3.8l1 1M11.2 11.2l1 1M3.8 12.2l1-1M11.2 4.8l1-1", "circle:8,8,2.75"],
  moon: ["M13 9.5A5.5 5.5 0 0 1 6.5 3a5.5 5.5 0 1 0 6.5 6.5z"],
  play: ["M5 3.5v9l7-4.5z"],
  stop: ["rect:4.5,4.5,7,7"],
  pause: ["M6 4v8", "M10 4v8"],
  forward: ["M2.5 4v8l5-4z", "M8.5 4v8l5-4z"],
  lineage: ["M4 2.5V8a3 3 0 0 0 3 3h6", "M10.5 8.5l2.5 2.5-2.5 2.5"],
  alert: ["M8 2.5l6 11H2z", "M8 6.5v3", "M8 11.5v.01"],
  check: ["M3.5 8.5l3 3 6-7"],
  info: ["circle:8,8,6", "M8 7.5v3.5", "M8 5v.01"],
  retry: ["M13 8a5 5 0 1 1-1.5-3.5", "M13 2.5v3h-3"],
  trash: ["M2.5 4.5h11", "M6.5 4.5V3h3v1.5", "M4 4.5l.75 8.5h6.5L12 4.5", "M6.75 7v3.5M9.25 7v3.5"],
};

const SVG_NS = "http://www.w3.org/2000/svg";

export function icon(name, size = 16) {
  return svgIcon(ICONS[name] ?? [], size);
}

/** A 16×16 stroked icon from path data ("M…"), "circle:cx,cy,r" and "rect:x,y,w,h" parts. */
export function svgIcon(parts, size = 16) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.classList.add("icon");
  for (const part of parts) {
    let shape;
    if (part.startsWith("circle:")) {
      const [cx, cy, r] = part.slice(7).split(",");
      shape = document.createElementNS(SVG_NS, "circle");
      Object.entries({ cx, cy, r }).forEach(([k, v]) => shape.setAttribute(k, v));
    } else if (part.startsWith("rect:")) {
      const [x, y, width, height] = part.slice(5).split(",");
      shape = document.createElementNS(SVG_NS, "rect");
      Object.entries({ x, y, width, height, rx: "1" }).forEach(([k, v]) => shape.setAttribute(k, v));
    } else {
      shape = document.createElementNS(SVG_NS, "path");
      shape.setAttribute("d", part);
    }
    svg.append(shape);
  }
  return svg;
}

/**
 * A button's in-flight look: the clicked one (`mine`) shows a spinner and its busy label;
 * while anything is in flight (`blocked`) the others are aria-disabled. aria-disabled,
 * not disabled: a disabled button drops keyboard focus to <body>.
 */
export function showButtonBusy(button, { blocked, mine, label, busyLabel }) {
  if (blocked) button.setAttribute("aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
  if (mine) button.setAttribute("aria-busy", "true");
  else button.removeAttribute("aria-busy");
  button.querySelector(".spinner")?.remove();
  button.querySelector(".icon")?.toggleAttribute("hidden", mine);
  if (mine) button.prepend(spinner());
  setText(button.querySelector(".button__label"), mine ? busyLabel : label);
}
