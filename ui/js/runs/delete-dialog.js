// "Delete": asks before removing a finished run for good (its record, model, checkpoints
// and logs). Cancel has the focus, so Enter or Escape right away loses nothing. The
// server's refusal (still running, already gone) is shown in the dialog.

import { clearFieldErrors, closeIconButton, createDialog, showFieldError } from "../shell/dialog.js";
import { el, icon, replaceChildren, setText } from "../shell/dom.js";
import { FINISHED_STATUSES, formatBytes } from "../shell/format.js";
import { deleteExperiment } from "./lifecycle.js";
import { getExperiment, removeExperiment } from "../shell/state.js";

let dialog = null; // createDialog's controller, once built
let title;
let lead;
let sizeLine;
let body;
let confirmButton;
let cancelButtons;
let cancelLabel;
let currentId = null;

function ensureDialog() {
  if (dialog) return;
  title = el("h2", { class: "dialog__title", id: "delete-title" }, "Delete run?");
  lead = el("p", { class: "dialog__lead", id: "delete-lead", dataset: { field: "delete-lead" } });
  sizeLine = el("p", { class: "dialog__note", dataset: { field: "delete-size" }, hidden: true });
  body = el(
    "div",
    { class: "dialog__body" },
    lead,
    sizeLine,
    el("p", { class: "form__error form__error--block", dataset: { errorFor: "form" }, role: "alert", hidden: true }),
  );
  cancelLabel = el("span", { class: "button__label", dataset: { field: "delete-cancel-label" } }, "Cancel");
  cancelButtons = [
    closeIconButton(),
    el("button", { type: "button", class: "button", dataset: { action: "close-dialog" }, autofocus: true }, cancelLabel),
  ];
  confirmButton = el(
    "button",
    { type: "button", class: "button button--danger-solid", dataset: { action: "confirm-delete" } },
    icon("trash", 14),
    el("span", { class: "button__label" }, "Delete"),
  );
  const node = el(
    "dialog",
    {
      class: "dialog dialog--small",
      id: "delete-dialog",
      dataset: { testid: "delete-dialog" },
      role: "alertdialog",
      "aria-labelledby": "delete-title",
      "aria-describedby": "delete-lead",
    },
    el("div", { class: "dialog__head" }, title, cancelButtons[0]),
    body,
    el("div", { class: "dialog__foot" }, cancelButtons[1], confirmButton),
  );
  dialog = createDialog(node, {
    onClose: () => {
      currentId = null;
    },
  });
  document.body.append(node);
}

/** The row's "Delete" action: only finished runs can be deleted. */
export function openDelete(id) {
  const experiment = getExperiment(id);
  if (!experiment || !FINISHED_STATUSES.has(experiment.metadata?.status)) return;
  ensureDialog();
  currentId = id;
  clearFieldErrors(body);
  confirmButton.hidden = false;
  setText(cancelLabel, "Cancel");
  setText(title, `Delete ${experiment.name}?`);
  replaceChildren(
    lead,
    "This deletes ",
    el("strong", {}, experiment.name),
    " with its trained model, checkpoints and logs. This cannot be undone.",
  );
  const size = experiment.artifacts?.models?.[0]?.size_bytes;
  sizeLine.hidden = typeof size !== "number";
  setText(sizeLine, typeof size === "number" ? `Its model takes ${formatBytes(size)} on disk.` : "");
  dialog.open();
  cancelButtons.at(-1).focus();
}

/** The dialog's danger "Delete" button. */
export async function submitDelete() {
  const id = currentId;
  if (!id || dialog.isBusy()) return;
  clearFieldErrors(body);
  setDeleting(true);
  try {
    await deleteExperiment(id);
    setDeleting(false);
    if (currentId === id) dialog.close();
  } catch (error) {
    if (error.kind === "auth") {
      dialog.node.close();
      return;
    }
    showFieldError(body, "form", error.message);
    if (error.status === 404) {
      // Already gone: nothing left to confirm.
      removeExperiment(id);
      confirmButton.hidden = true;
      setText(cancelLabel, "Close");
    }
  } finally {
    setDeleting(false);
    if (dialog.node.open && !dialog.node.contains(document.activeElement)) cancelButtons.at(-1).focus();
  }
}

function setDeleting(value) {
  dialog.setBusy(value, { button: confirmButton, label: "Delete", busyLabel: "Deleting…", block: cancelButtons });
}
