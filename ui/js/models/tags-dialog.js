// Tags of a version: a comma-separated field, saved as the whole list (PATCH {tags}). The
// server's refusal (too many, too long) shows under the field; `onSaved(model)` lets the
// opener show the new tags (a PATCH sends no `models.changed`).

import { clearFieldErrors, closeIconButton, createDialog, showFieldError } from "../shell/dialog.js";
import { el, setText } from "../shell/dom.js";
import { showToast } from "../shell/toast.js";
import * as state from "../shell/state.js";
import { errorText } from "../experiments/parts.js";
import { setModelTags } from "./api.js";
import { versionLabel } from "./models-format.js";

let dialog = null;
let form;
let input;
let heading;
let saveButton;
let cancelButtons;
let current = null; // {model, onSaved}

/** "best, keep ,, best" → ["best", "keep"]. */
export const parseTags = (text) => [...new Set(String(text).split(",").map((t) => t.trim()).filter(Boolean))];

function ensureDialog() {
  if (dialog) return;
  heading = el("h2", { class: "dialog__title", id: "model-tags-title" });
  input = el("input", {
    type: "text",
    class: "input",
    id: "model-tags-input",
    autocomplete: "off",
    placeholder: "best, baseline, shared",
    dataset: { field: "model-tags-input" },
    "aria-describedby": "model-tags-hint",
  });
  cancelButtons = [
    closeIconButton(),
    el("button", { type: "button", class: "button", dataset: { action: "close-dialog" } }, "Cancel"),
  ];
  saveButton = el("button", { type: "submit", class: "button button--primary" }, el("span", { class: "button__label" }, "Save tags"));
  form = el(
    "form",
    { class: "dialog__form", novalidate: true },
    el("div", { class: "dialog__head" }, heading, cancelButtons[0]),
    el(
      "div",
      { class: "dialog__body" },
      el(
        "div",
        { class: "form__field" },
        el("label", { class: "form__label", for: "model-tags-input" }, "Tags"),
        input,
        el("p", { class: "form__hint", id: "model-tags-hint" }, "Separate tags with commas. Filter the list by a tag in the toolbar."),
        el("p", { class: "form__error", dataset: { errorFor: "tags" }, role: "alert", hidden: true }),
      ),
      el("p", { class: "form__error form__error--block", dataset: { errorFor: "form" }, role: "alert", hidden: true }),
    ),
    el("div", { class: "dialog__foot" }, cancelButtons[1], saveButton),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  const node = el("dialog", { class: "dialog dialog--small", dataset: { testid: "model-tags-dialog" }, "aria-labelledby": "model-tags-title" }, form);
  dialog = createDialog(node, { onClose: () => (current = null) });
  document.body.append(node);
}

export function openTags(model, { returnFocus = null, onSaved = null } = {}) {
  ensureDialog();
  current = { model, onSaved };
  clearFieldErrors(form);
  setText(heading, `Tags of ${versionLabel(model, state.gameName)}`);
  input.value = (model.tags ?? []).join(", ");
  dialog.open({ returnFocus });
  input.focus();
  input.select();
}

async function save() {
  if (!current || dialog.isBusy()) return;
  const { model, onSaved } = current;
  clearFieldErrors(form);
  const busy = (value) => dialog.setBusy(value, { button: saveButton, label: "Save tags", busyLabel: "Saving…", block: cancelButtons });
  busy(true);
  try {
    const answer = await setModelTags(model.id, parseTags(input.value));
    busy(false);
    dialog.close();
    showToast("Tags saved", { kind: "success", detail: (answer.model?.tags ?? []).join(", ") || "No tags" });
    onSaved?.(answer.model);
  } catch (error) {
    busy(false);
    if (error.kind === "auth") return;
    showFieldError(form, error.field === "tags" ? "tags" : "form", errorText(error));
    input.focus();
  }
}
