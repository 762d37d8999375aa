// Delete a version. A checkpoint goes at once (the toast says how much space it freed); a final
// or imported model only after a dialog showing the server's own words on what goes (its 409
// `confirmation_required`). Cancel has the focus, so Enter or Escape right away loses nothing.

import { clearFieldErrors, closeIconButton, createDialog, showFieldError } from "../shell/dialog.js";
import { el, icon, setText } from "../shell/dom.js";
import { showToast } from "../shell/toast.js";
import * as state from "../shell/state.js";
import { errorText } from "../experiments/parts.js";
import { deleteModel } from "./api.js";
import { confirmationText, freedText, kindLabel, versionLabel } from "./models-format.js";

let dialog = null;
let title;
let lead;
let body;
let confirmButton;
let cancelButtons;
let pending = null; // the version the dialog asks about

function ensureDialog() {
  if (dialog) return;
  title = el("h2", { class: "dialog__title", id: "model-delete-title" });
  lead = el("p", { class: "dialog__lead", id: "model-delete-lead", dataset: { field: "model-delete-message" } });
  body = el(
    "div",
    { class: "dialog__body" },
    lead,
    el("p", { class: "form__error form__error--block", dataset: { errorFor: "form" }, role: "alert", hidden: true }),
  );
  cancelButtons = [
    closeIconButton(),
    el("button", { type: "button", class: "button", dataset: { action: "close-dialog" } }, el("span", { class: "button__label" }, "Cancel")),
  ];
  confirmButton = el(
    "button",
    { type: "button", class: "button button--danger-solid", dataset: { field: "model-delete-confirm" } },
    icon("trash", 14),
    el("span", { class: "button__label" }, "Delete"),
  );
  confirmButton.addEventListener("click", () => {
    if (confirmButton.getAttribute("aria-disabled") !== "true") confirmDelete();
  });
  const node = el(
    "dialog",
    {
      class: "dialog dialog--small",
      dataset: { testid: "model-delete-dialog" },
      role: "alertdialog",
      "aria-labelledby": "model-delete-title",
      "aria-describedby": "model-delete-lead",
    },
    el("div", { class: "dialog__head" }, title, cancelButtons[0]),
    body,
    el("div", { class: "dialog__foot" }, cancelButtons[1], confirmButton),
  );
  dialog = createDialog(node, { onClose: () => (pending = null) });
  document.body.append(node);
}

function deletedToast(model, answer) {
  const what = `${kindLabel(model.kind)} ${versionLabel(model, state.gameName)}`;
  showToast(`Deleted the ${what.charAt(0).toLowerCase()}${what.slice(1)}`, { kind: "success", detail: freedText(answer.deleted?.freed_bytes) });
}

/** The row's Delete: a checkpoint at once, anything else after the server's confirmation message. */
export async function deleteVersion(model, { returnFocus = null } = {}) {
  try {
    const answer = await deleteModel(model.id);
    deletedToast(model, answer);
  } catch (error) {
    if (error.kind === "auth") return;
    if (error.code !== "confirmation_required") {
      showToast("Could not delete this version", { kind: "error", detail: errorText(error) });
      return;
    }
    ensureDialog();
    pending = model;
    clearFieldErrors(body);
    confirmButton.hidden = false;
    setText(title, `Delete the ${model.kind} model of ${model.name}?`);
    setText(lead, `${confirmationText(error.message)} This cannot be undone.`);
    dialog.open({ returnFocus });
    cancelButtons[1].focus();
  }
}

async function confirmDelete() {
  const model = pending;
  if (!model || dialog.isBusy()) return;
  clearFieldErrors(body);
  dialog.setBusy(true, { button: confirmButton, label: "Delete", busyLabel: "Deleting…", block: cancelButtons });
  try {
    const answer = await deleteModel(model.id, { confirm: true });
    dialog.setBusy(false, { button: confirmButton, label: "Delete", busyLabel: "Deleting…", block: cancelButtons });
    dialog.close();
    deletedToast(model, answer);
  } catch (error) {
    dialog.setBusy(false, { button: confirmButton, label: "Delete", busyLabel: "Deleting…", block: cancelButtons });
    if (error.kind === "auth") {
      dialog.node.close();
      return;
    }
    showFieldError(body, "form", errorText(error));
    if (error.status === 404) confirmButton.hidden = true; // already gone: nothing left to confirm
    cancelButtons[1].focus();
  }
}
