// Small pieces the Experiments tab's pages share: the head row of a section, its checkbox
// toggles and small buttons, the loading and failure notes, the empty states; and the
// rewrite of the address that keeps a page's state (filters, tab) without a history entry.

import { ApiError } from "../shell/api.js";
import { el, spinner } from "../shell/dom.js";

/** The server's message for an ApiError, else the error's own message. */
export const errorText = (error) => (error instanceof ApiError ? error.message : String(error?.message ?? error));

/** Puts `target` in the address bar in place of the current entry (Back skips it). */
export function replaceAddress(target) {
  if (location.hash !== target) history.replaceState(history.state, "", target);
}

/** `button button--small`; `attrs` adds a dataset, onclick… */
export function smallButton(label, title, attrs = {}) {
  return el("button", { type: "button", class: "button button--small", title, ...attrs }, label);
}

/** A checkbox with its text, as the sections' head rows show it. */
export function toggle(input, text, title) {
  return el("label", { class: "experiment-toggle", title }, input, el("span", {}, text));
}

/**
 * A section's head row: its heading, then `before` (counts, a toggle), a spacer and
 * `after` (the section's buttons) when there are any.
 */
export function sectionHead(title, { before = [], after = [], titleClass = "section-title" } = {}) {
  return el(
    "div",
    { class: "experiment-section-head" },
    el("h2", { class: titleClass }, title),
    before,
    after.length ? el("span", { class: "experiment-section-head__spacer" }) : null,
    after,
  );
}

export function loading(label) {
  return el("p", { class: "experiment-loading" }, spinner(), el("span", {}, label));
}

export function failure(message, retry) {
  return el(
    "div",
    { class: "card-message card-message--error experiment-error" },
    el("span", {}, message),
    retry ? smallButton("Try again", "Ask the server again", { onclick: retry }) : null,
  );
}

/** An empty state: its title, a line that says why, and the way on (a link or a button). */
export function emptyMessage(title, text, action, titleAttrs = {}) {
  return [
    el("p", { class: "experiments-empty__title", ...titleAttrs }, title),
    el("p", { class: "experiments-empty__text" }, text),
    action,
  ];
}
