// Renaming a run from its page: the Rename button swaps for a small form (Save, Cancel,
// Escape), the new name goes to PATCH /api/experiments/<id> and into state.js.

import { el, setText } from "../shell/dom.js";
import * as state from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { updateExperiment } from "./api.js";

/** `currentId()` is the run on screen. Returns {button, form, close({focus})}. */
export function createRename(currentId) {
  const button = el(
    "button",
    { type: "button", class: "button button--small", title: "Rename this run", dataset: { field: "rename" } },
    "Rename",
  );
  const form = el("form", { class: "experiment-rename", hidden: true });
  const input = el(
    "input",
    { class: "input", maxlength: "100", "aria-label": "New name", dataset: { field: "rename-input" } },
  );
  const error = el("p", { class: "form__error", role: "alert", hidden: true });
  form.append(
    input,
    el("button", { type: "submit", class: "button button--small button--primary", title: "Save the new name" }, "Save"),
    el(
      "button",
      { type: "button", class: "button button--small", title: "Keep the old name (Escape)", onclick: () => close() },
      "Cancel",
    ),
    error,
  );

  button.addEventListener("click", () => open());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });

  function open() {
    const experiment = state.getExperiment(currentId());
    if (!experiment) return;
    input.value = experiment.name;
    error.hidden = true;
    form.hidden = false;
    button.hidden = true;
    input.focus();
    input.select();
  }

  /** Back to the Rename button (focused unless the page moves on to another run). */
  function close({ focus = true } = {}) {
    form.hidden = true;
    button.hidden = false;
    if (focus) button.focus();
  }

  function showError(text) {
    error.hidden = false;
    setText(error, text);
    input.focus();
  }

  async function save() {
    const name = input.value.trim();
    if (!name) {
      showError("The name cannot be empty.");
      return;
    }
    try {
      const { experiment } = await updateExperiment(currentId(), { name });
      state.upsertExperiment(experiment);
      close();
      showToast("Renamed", { kind: "success", detail: experiment.name });
    } catch (problem) {
      if (problem.kind === "auth") return;
      showError(problem.message);
    }
  }

  return { button, form, close };
}
