// "Delete…" on a video: asks first, then moves the file and its thumbnail to the OS trash
// (DELETE /api/videos/<id>). Cancel has the focus, so Enter or Escape right away loses
// nothing. A refusal (the video is being exported, the trash said no) shows in the dialog.

import { api } from "../shell/api.js";
import { closeIconButton, createDialog } from "../shell/dialog.js";
import { el, icon, replaceChildren, setText } from "../shell/dom.js";
import { showToast } from "../shell/toast.js";
import { fileName } from "./export-format.js";

let dialog = null; // createDialog's controller, once built
let title;
let lead;
let errorLine;
let confirmButton;
let cancelButton;
let closeIcon;
let current = null; // {video, onRemoved}

function ensureDialog() {
  if (dialog) return;
  title = el("h2", { class: "dialog__title", id: "delete-video-title" });
  lead = el("p", { class: "dialog__lead", id: "delete-video-lead" });
  errorLine = el("p", {
    class: "form__error form__error--block",
    role: "alert",
    dataset: { field: "delete-video-error" },
    hidden: true,
  });
  closeIcon = closeIconButton(() => dialog.close());
  cancelButton = el("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel");
  confirmButton = el(
    "button",
    { type: "button", class: "button button--danger-solid", onclick: () => confirm() },
    icon("trash", 14),
    el("span", { class: "button__label" }, "Move to trash"),
  );
  const node = el(
    "dialog",
    {
      class: "dialog dialog--small",
      role: "alertdialog",
      dataset: { testid: "delete-video-dialog" },
      "aria-labelledby": "delete-video-title",
      "aria-describedby": "delete-video-lead",
    },
    el("div", { class: "dialog__head" }, title, closeIcon),
    el("div", { class: "dialog__body" }, lead, errorLine),
    el("div", { class: "dialog__foot" }, cancelButton, confirmButton),
  );
  dialog = createDialog(node, {
    onClose: () => {
      current = null;
    },
  });
  document.body.append(node);
}

/** Asks before moving `video` to the trash; `onRemoved(id)` once it is gone. */
export function openDeleteVideo(video, { label, onRemoved, returnFocus = null }) {
  ensureDialog();
  current = { video, onRemoved };
  dialog.node.dataset.videoId = video.id;
  setText(title, `Move “${video.name}” to the trash?`);
  replaceChildren(
    lead,
    "The video file ",
    el("strong", {}, fileName(video.path) || video.name),
    label ? ` (${label})` : "",
    " and its thumbnail go to the trash; you can restore them from there. The run and its other videos stay.",
  );
  showError(null);
  confirmButton.hidden = false;
  setText(cancelButton, "Cancel");
  setBusy(false);
  dialog.open({ returnFocus });
  cancelButton.focus();
}

async function confirm() {
  if (!current || dialog.isBusy()) return;
  const { video, onRemoved } = current;
  showError(null);
  setBusy(true);
  try {
    await api.deleteVideo(video.id);
    onRemoved?.(video.id);
    setBusy(false);
    dialog.close();
    showToast("Moved to the trash", { kind: "success", detail: video.name });
  } catch (error) {
    setBusy(false);
    if (error.kind === "auth") {
      dialog.node.close();
      return;
    }
    showError(error.message);
    if (error.status === 404) {
      // Already gone: nothing left to confirm.
      onRemoved?.(video.id);
      confirmButton.hidden = true;
      setText(cancelButton, "Close");
    }
    cancelButton.focus();
  }
}

function showError(message) {
  errorLine.hidden = !message;
  setText(errorLine, message ?? "");
}

function setBusy(value) {
  dialog.setBusy(value, {
    button: confirmButton,
    label: "Move to trash",
    busyLabel: "Moving…",
    block: [cancelButton, closeIcon],
  });
}
