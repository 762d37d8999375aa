// The Tune dialog's plain inputs (a text field, a select, a whole-number field), each with its
// id so its <label for> names it, its data-field for tests, and aria-describedby its hint.

import { el } from "../shell/dom.js";

export function textField(id, { placeholder = "", maxlength = null } = {}) {
  return el("input", {
    type: "text",
    class: "input",
    id,
    autocomplete: "off",
    placeholder,
    maxlength,
    dataset: { field: id },
    "aria-describedby": `${id}-hint`,
  });
}

/** `options`: [[value, text]]. */
export function selectInput(id, options) {
  return el(
    "select",
    { class: "select", id, dataset: { field: id }, "aria-describedby": `${id}-hint` },
    options.map(([value, text]) => el("option", { value }, text)),
  );
}

/** A whole-number field; `value` null leaves it empty (the server's default). */
export function numberInput(id, { min, max, value = null, step = 1 }) {
  return el("input", {
    type: "number",
    class: "input tune-number",
    id,
    min: String(min),
    max: String(max),
    step: String(step),
    inputmode: "numeric",
    value: value === null ? null : String(value),
    dataset: { field: id },
    "aria-describedby": `${id}-hint`,
  });
}
