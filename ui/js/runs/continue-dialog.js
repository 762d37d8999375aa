// "Continue training": asks how many more steps a finished run should train, then starts
// a new run from its saved model. The server's refusal is shown beside the field.

import { clearFieldErrors, closeIconButton, createDialog, showFieldError } from "../shell/dialog.js";
import { el, replaceChildren, setText } from "../shell/dom.js";
import { formatBytes, formatInt } from "../shell/format.js";
import { continueExperiment } from "./lifecycle.js";
import { getExperiment } from "../shell/state.js";

const MIN_STEPS = 1024;

let dialog = null; // createDialog's controller, once built
let form;
let lead;
let input;
let hint;
let memoryField; // DQN only: keep the parent's replay memory
let memoryBox;
let memoryLabel;
let startButton;
let closeButtons;
let currentId = null;

function ensureDialog() {
  if (dialog) return;
  lead = el("p", { class: "dialog__lead", id: "continue-lead", dataset: { field: "continue-lead" } });
  input = el("input", {
    class: "input",
    id: "continue-steps",
    name: "additional_timesteps",
    type: "number",
    min: "1024",
    step: "1024",
    inputmode: "numeric",
    required: true,
    "aria-describedby": "continue-steps-hint continue-steps-error",
  });
  hint = el("p", { class: "form__hint", id: "continue-steps-hint", dataset: { field: "continue-hint" } });
  memoryBox = el("input", {
    type: "checkbox",
    id: "continue-keep-memory",
    name: "keep_replay_buffer",
    "aria-describedby": "continue-memory-hint",
  });
  memoryLabel = el("span", {});
  memoryField = el(
    "div",
    { class: "form__field", dataset: { field: "continue-memory" }, hidden: true },
    el("label", { class: "check", for: "continue-keep-memory" }, memoryBox, memoryLabel),
    el(
      "p",
      { class: "form__hint", id: "continue-memory-hint" },
      "The frames DQN learns from, saved when the run ended: the new run learns on from them instead of refilling an empty memory first.",
    ),
  );
  startButton = el(
    "button",
    { type: "submit", class: "button button--primary", dataset: { action: "start-continue" } },
    el("span", { class: "button__label" }, "Start"),
  );
  closeButtons = [
    closeIconButton(),
    el("button", { type: "button", class: "button", dataset: { action: "close-dialog" } }, "Cancel"),
  ];
  form = el(
    "form",
    { class: "dialog__form", novalidate: true },
    el(
      "div",
      { class: "dialog__head" },
      el("h2", { class: "dialog__title", id: "continue-title" }, "Continue training"),
      closeButtons[0],
    ),
    el(
      "div",
      { class: "dialog__body" },
      lead,
      el(
        "div",
        { class: "form__field" },
        el("label", { class: "form__label", for: "continue-steps" }, "More steps"),
        input,
        hint,
        el("p", {
          class: "form__error",
          id: "continue-steps-error",
          dataset: { errorFor: "additional_timesteps" },
          hidden: true,
        }),
      ),
      memoryField,
      el("p", { class: "form__error form__error--block", dataset: { errorFor: "form" }, role: "alert", hidden: true }),
    ),
    el("div", { class: "dialog__foot" }, closeButtons[1], startButton),
  );
  const node = el(
    "dialog",
    {
      class: "dialog dialog--small",
      id: "continue-dialog",
      dataset: { testid: "continue-dialog" },
      "aria-labelledby": "continue-title",
      "aria-describedby": "continue-lead",
    },
    form,
  );
  dialog = createDialog(node, {
    onClose: () => {
      currentId = null;
    },
  });
  // Start (or Enter) goes through the data-action handler; the form itself never submits.
  form.addEventListener("submit", (event) => event.preventDefault());
  input.addEventListener("input", () => {
    clearErrors();
    updateHint();
  });
  document.body.append(node);
}

export function openContinue(id) {
  const experiment = getExperiment(id);
  if (!experiment) return;
  ensureDialog();
  currentId = id;
  clearErrors();
  replaceChildren(
    lead,
    el("strong", {}, experiment.name),
    ` has trained ${formatInt(experiment.progress?.timestep ?? 0)} steps. A new run loads its saved model and trains on from there; this run stays as it is.`,
  );
  input.value = String(defaultSteps(experiment));
  const memory = keptMemory(experiment);
  memoryField.hidden = !memory;
  memoryBox.checked = Boolean(memory);
  if (memory) setText(memoryLabel, `Keep its replay memory (${formatBytes(memory.size_bytes)})`);
  updateHint();
  dialog.open();
  input.focus();
  input.select();
}

/** The Start button (or Enter in the field). */
export async function submitContinue() {
  const experiment = currentId && getExperiment(currentId);
  if (!experiment || dialog.isBusy()) return;
  clearErrors();
  const steps = Number(input.value);
  if (!Number.isInteger(steps) || steps < MIN_STEPS) {
    showError("additional_timesteps", `Enter a whole number of steps, at least ${formatInt(MIN_STEPS)}.`);
    return;
  }
  setStarting(true);
  try {
    const keep = memoryField.hidden ? undefined : memoryBox.checked;
    const child = await continueExperiment(experiment.id, steps, keep);
    if (child) {
      setStarting(false);
      dialog.close();
    }
  } catch (error) {
    if (error.kind === "auth") {
      dialog.node.close();
      return;
    }
    showError(error.field, error.message);
  } finally {
    setStarting(false);
  }
}

/** A DQN run's replay memory, kept when it ended ({path, size_bytes}); an interrupted run
 * continues from a checkpoint, which has none. */
function keptMemory(experiment) {
  const memory = experiment.artifacts?.replay_buffer;
  return memory && experiment.metadata?.status !== "interrupted" ? memory : null;
}

/** The run's original length: "as much again" is the natural next step. */
function defaultSteps(experiment) {
  const original = Number(experiment.config?.total_timesteps);
  return Number.isInteger(original) && original >= MIN_STEPS ? original : MIN_STEPS * 10;
}

function updateHint() {
  const experiment = currentId && getExperiment(currentId);
  if (!experiment) return;
  const steps = Number(input.value);
  let where = "";
  if (experiment.metadata?.status === "interrupted") {
    where = " It starts from this run's newest checkpoint.";
  } else if (Number.isInteger(steps) && steps > 0) {
    const start = experiment.progress?.timestep ?? 0;
    where = ` The new run goes from step ${formatInt(start)} to ${formatInt(start + steps)}.`;
  }
  setText(hint, `At least ${formatInt(MIN_STEPS)}.${where}`);
}

// The server names the field `additional_timesteps` or, for a range check,
// `config.total_timesteps`: both are this dialog's one number.
const STEP_FIELDS = new Set(["additional_timesteps", "total_timesteps"]);

function showError(fieldName, message) {
  const steps = STEP_FIELDS.has(String(fieldName ?? "").split(".").pop());
  showFieldError(form, steps ? "additional_timesteps" : "form", message);
  if (steps) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
}

function clearErrors() {
  clearFieldErrors(form);
  input.removeAttribute("aria-invalid");
}

function setStarting(value) {
  input.readOnly = value;
  memoryBox.disabled = value;
  dialog.setBusy(value, { button: startButton, label: "Start", busyLabel: "Starting…", block: closeButtons });
}
