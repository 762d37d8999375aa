// "Train this for real": a full run with one trial's values (POST /api/studies/<id>/promote).
// Asks the step count (the Standard preset's by default) and an optional name, shows the values
// the run gets, then opens the new run's page.

import { clearFieldErrors, closeIconButton, createDialog, showFieldError } from "../shell/dialog.js";
import { el, replaceChildren, setText } from "../shell/dom.js";
import { algorithmLabel, formatInt } from "../shell/format.js";
import { navigate } from "../shell/router.js";
import * as state from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { errorText } from "../experiments/parts.js";
import { numberField } from "../models/parts.js";
import { promoteTrial } from "./api.js";
import { formatScore, paramEntries, paramLabel, promoteDefaultSteps, readWhole } from "./studies-format.js";
import { textField } from "./tune-fields.js";

const MIN_STEPS = 1000;
const MAX_STEPS = 1_000_000_000;

let dialog = null;
let form;
let heading;
let lead;
let values;
let steps;
let nameInput;
let startButton;
let cancelButtons;
let current = null; // {study, trial}

function ensureDialog() {
  if (dialog) return;
  heading = el("h2", { class: "dialog__title", id: "promote-title" });
  lead = el("p", { class: "dialog__lead" });
  values = el("dl", { class: "facts promote-values", dataset: { field: "promote-values" } });
  steps = numberField("promote-steps", "Training steps", {
    min: MIN_STEPS,
    max: MAX_STEPS,
    value: null,
    hint: "A full run: far more steps than a trial. Standard is the usual length for this algorithm.",
  });
  steps.field.querySelector("[data-error-for]").dataset.errorFor = "total_timesteps";
  nameInput = textField("promote-name", { placeholder: "Optional: a name for the run", maxlength: "100" });
  cancelButtons = [closeIconButton(), el("button", { type: "button", class: "button", dataset: { action: "close-dialog" } }, "Cancel")];
  startButton = el(
    "button",
    { type: "submit", class: "button button--primary", title: "Start the full run with these values" },
    el("span", { class: "button__label" }, "Start training"),
  );
  form = el(
    "form",
    { class: "dialog__form", novalidate: true },
    el("div", { class: "dialog__head" }, heading, cancelButtons[0]),
    el(
      "div",
      { class: "dialog__body" },
      lead,
      values,
      steps.field,
      el(
        "div",
        { class: "form__field" },
        el("label", { class: "form__label", for: "promote-name" }, "Name"),
        nameInput,
        el("p", { class: "form__error", dataset: { errorFor: "name" }, role: "alert", hidden: true }),
      ),
      el("p", { class: "form__error form__error--block", dataset: { errorFor: "form" }, role: "alert", hidden: true }),
    ),
    el("div", { class: "dialog__foot" }, cancelButtons[1], startButton),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    start();
  });
  form.addEventListener("input", (event) => {
    const name = event.target === nameInput ? "name" : "total_timesteps";
    clearFieldErrors(form, name);
    clearFieldErrors(form, "form");
  });
  const node = el("dialog", { class: "dialog", dataset: { testid: "promote-dialog" }, "aria-labelledby": "promote-title" }, form);
  dialog = createDialog(node, { onClose: () => (current = null) });
  document.body.append(node);
}

/** Opens "Train this for real" for `trial` of `study`. */
export function openPromote(study, trial, { returnFocus = null } = {}) {
  ensureDialog();
  current = { study, trial };
  clearFieldErrors(form);
  setText(heading, `Train trial ${trial.number} for real`);
  replaceChildren(
    lead,
    "A full ",
    el("strong", {}, `${state.gameName(study.game)} ${algorithmLabel(study.algorithm)}`),
    ` run with the values trial ${trial.number} tried (score ${formatScore(trial.value)}), with videos and checkpoints like any run.`,
  );
  const searched = trial.config ?? trial.params ?? {};
  replaceChildren(
    values,
    paramEntries(searched, Object.keys(study.params ?? {})).map(([name, text]) => [
      el("dt", { title: name }, paramLabel(name)),
      el("dd", {}, text),
    ]),
  );
  steps.input.value = String(promoteDefaultSteps(state.getCatalog().presets, study.algorithm));
  nameInput.value = "";
  dialog.open({ returnFocus });
  steps.input.focus();
  steps.input.select();
}

async function start() {
  if (!current || dialog.isBusy()) return;
  const { study, trial } = current;
  clearFieldErrors(form);
  const read = readWhole(steps.input.value, MIN_STEPS, MAX_STEPS, "Training steps");
  if (read.error) {
    showFieldError(form, "total_timesteps", read.error);
    steps.input.focus();
    return;
  }
  const body = { trial_number: trial.number, total_timesteps: read.value };
  const name = nameInput.value.trim();
  if (name) body.name = name;
  const busy = (value) => dialog.setBusy(value, { button: startButton, label: "Start training", busyLabel: "Starting…", block: cancelButtons });
  busy(true);
  try {
    const { experiment } = await promoteTrial(study.id, body);
    state.upsertExperiment(experiment);
    busy(false);
    dialog.close();
    showToast("Training started", { kind: "success", detail: `${experiment.name}: ${formatInt(read.value)} steps with trial ${trial.number}'s values.` });
    navigate("experiments", experiment.id);
  } catch (error) {
    busy(false);
    if (error.kind === "auth") return;
    const field = ["total_timesteps", "name"].includes(error.field) ? error.field : "form";
    showFieldError(form, field, errorText(error));
    if (field === "total_timesteps") steps.input.focus();
  }
}
