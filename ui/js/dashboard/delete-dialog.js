// "Delete": asks before removing a finished run for good (its record, model, checkpoints
// and logs). Cancel has the focus, so Enter or Escape right away loses nothing. The
// server's refusal (still running, already gone) is shown in the dialog.

import { el, icon, replaceChildren, setText, spinner } from "../shell/dom.js";
import { FINISHED_STATUSES, formatBytes } from "../format.js";
import { deleteExperiment } from "../lifecycle.js";
import { getExperiment, removeExperiment } from "../shell/state.js";

let dialog;
let confirmButton;
let cancelButtons;
let errorSlot;
let currentId = null;
let deleting = false;

export function initDeleteDialog() {
  dialog = document.getElementById("delete-dialog");
  confirmButton = dialog.querySelector('[data-action="confirm-delete"]');
  cancelButtons = [...dialog.querySelectorAll('[data-action="close-dialog"]')];
  errorSlot = dialog.querySelector('[data-error-for="form"]');
  dialog.querySelector(".icon-button[data-action='close-dialog']").append(icon("close"));
  confirmButton.prepend(icon("trash", 14));
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog && !deleting) dialog.close();
  });
  // Escape closes it, except while the request is in flight.
  dialog.addEventListener("cancel", (event) => {
    if (deleting) event.preventDefault();
  });
  dialog.addEventListener("close", () => {
    currentId = null;
  });
}

/** The row's "Delete" action: only finished runs can be deleted. */
export function openDelete(id) {
  const experiment = getExperiment(id);
  if (!experiment || !FINISHED_STATUSES.has(experiment.metadata?.status)) return;
  currentId = id;
  clearError();
  confirmButton.hidden = false;
  setText(dialog.querySelector("[data-field='delete-cancel-label']"), "Cancel");
  setText(dialog.querySelector("#delete-title"), `Delete ${experiment.name}?`);
  replaceChildren(
    dialog.querySelector('[data-field="delete-lead"]'),
    "This deletes ",
    el("strong", {}, experiment.name),
    " with its trained model, checkpoints and logs. This cannot be undone.",
  );
  const size = experiment.artifacts?.models?.[0]?.size_bytes;
  const sizeLine = dialog.querySelector('[data-field="delete-size"]');
  sizeLine.hidden = typeof size !== "number";
  setText(sizeLine, typeof size === "number" ? `Its model takes ${formatBytes(size)} on disk.` : "");
  if (!dialog.open) dialog.showModal();
  cancelButtons.at(-1).focus();
}

/** The dialog's danger "Delete" button. */
export async function submitDelete() {
  const id = currentId;
  if (!id || deleting) return;
  clearError();
  setDeleting(true);
  try {
    await deleteExperiment(id);
    if (currentId === id) dialog.close();
  } catch (error) {
    if (error.kind === "auth") {
      dialog.close();
      return;
    }
    showError(error.message);
    if (error.status === 404) {
      // Already gone: nothing left to confirm.
      removeExperiment(id);
      confirmButton.hidden = true;
      setText(dialog.querySelector("[data-field='delete-cancel-label']"), "Close");
    }
  } finally {
    setDeleting(false);
    if (dialog.open && !dialog.contains(document.activeElement)) cancelButtons.at(-1).focus();
  }
}

function showError(message) {
  errorSlot.textContent = message;
  errorSlot.hidden = false;
}

function clearError() {
  errorSlot.hidden = true;
  errorSlot.textContent = "";
}

function setDeleting(value) {
  deleting = value;
  for (const button of [confirmButton, ...cancelButtons]) {
    if (value) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
  }
  if (value) {
    confirmButton.setAttribute("aria-busy", "true");
    confirmButton.querySelector(".icon")?.setAttribute("hidden", "");
    confirmButton.prepend(spinner());
  } else {
    confirmButton.removeAttribute("aria-busy");
    confirmButton.querySelector(".icon")?.removeAttribute("hidden");
    confirmButton.querySelector(".spinner")?.remove();
  }
  setText(confirmButton.querySelector(".button__label"), value ? "Deleting…" : "Delete");
}
