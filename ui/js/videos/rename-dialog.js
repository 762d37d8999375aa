// "Rename…": a small dialog over the details dialog with the current name selected. Save
// renames the file and its thumbnail on disk (PATCH name); the server's refusal (a name a
// file can't have, a name already taken, a video being exported) shows under the field and
// the dialog stays, with the text kept for another try.

import { api } from "../shell/api.js";
import { closeIconButton, createDialog } from "../shell/dialog.js";
import { el, setText } from "../shell/dom.js";
import { showToast } from "../shell/toast.js";

let dialog = null; // createDialog's controller, once built
let form;
let input;
let errorLine;
let saveButton;
let cancelButtons;
let current = null; // {video, onSaved}

function ensureDialog() {
  if (dialog) return;
  input = el("input", {
    class: "input input--text",
    id: "rename-name",
    name: "name",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    maxlength: "200",
    required: true,
    "aria-describedby": "rename-name-hint rename-name-error",
  });
  errorLine = el("p", {
    class: "form__error",
    id: "rename-name-error",
    role: "alert",
    dataset: { field: "rename-error" },
    hidden: true,
  });
  saveButton = el(
    "button",
    { type: "submit", class: "button button--primary", dataset: { field: "rename-save" } },
    el("span", { class: "button__label" }, "Save"),
  );
  const closeIcon = closeIconButton(() => dialog.close());
  const cancel = el("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel");
  cancelButtons = [closeIcon, cancel];
  form = el(
    "form",
    { class: "dialog__form", novalidate: true },
    el(
      "div",
      { class: "dialog__head" },
      el("h2", { class: "dialog__title", id: "rename-title" }, "Rename video"),
      closeIcon,
    ),
    el(
      "div",
      { class: "dialog__body" },
      el(
        "div",
        { class: "form__field" },
        el("label", { class: "form__label", for: "rename-name" }, "Name"),
        input,
        el(
          "p",
          { class: "form__hint", id: "rename-name-hint" },
          "The video file and its thumbnail get this name in the run folder.",
        ),
        errorLine,
      ),
    ),
    el("div", { class: "dialog__foot" }, cancel, saveButton),
  );
  const node = el(
    "dialog",
    { class: "dialog dialog--small", dataset: { testid: "rename-dialog" }, "aria-labelledby": "rename-title" },
    form,
  );
  dialog = createDialog(node, {
    onClose: () => {
      current = null;
    },
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  input.addEventListener("input", () => showError(null));
  document.body.append(node);
}

/** Opens the dialog for `video`; `onSaved(video)` gets the renamed record. */
export function openRename(video, { onSaved, returnFocus = null }) {
  ensureDialog();
  current = { video, onSaved };
  dialog.node.dataset.videoId = video.id;
  input.value = video.name;
  showError(null);
  setBusy(false);
  dialog.open({ returnFocus });
  input.focus();
  input.select();
}

async function save() {
  if (!current || dialog.isBusy()) return;
  const { video, onSaved } = current;
  const name = input.value.trim();
  if (!name) {
    showError("Type a name for the video.");
    return;
  }
  if (name === video.name) {
    dialog.close();
    return;
  }
  setBusy(true);
  try {
    const { video: renamed } = await api.updateVideo(video.id, { name });
    onSaved?.(renamed);
    setBusy(false);
    dialog.close();
    showToast("Video renamed", { kind: "success", detail: renamed.name });
  } catch (error) {
    setBusy(false);
    if (error.kind === "auth") {
      dialog.node.close();
      return;
    }
    showError(error.message);
    input.focus();
  }
}

function showError(message) {
  errorLine.hidden = !message;
  setText(errorLine, message ?? "");
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function setBusy(value) {
  dialog.setBusy(value, { button: saveButton, label: "Save", busyLabel: "Saving…", block: cancelButtons });
}
