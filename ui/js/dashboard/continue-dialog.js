// "Continue training": asks how many more steps a finished run should train, then starts
// a new run from its saved model. The server's refusal is shown beside the field.

import { el, icon, replaceChildren, setText, spinner } from "../shell/dom.js";
import { formatInt } from "../format.js";
import { continueExperiment } from "../lifecycle.js";
import { getExperiment } from "../shell/state.js";

const MIN_STEPS = 1024;

let dialog;
let form;
let input;
let startButton;
let currentId = null;
let starting = false;

export function initContinueDialog() {
  dialog = document.getElementById("continue-dialog");
  form = dialog.querySelector("form");
  input = dialog.querySelector("#continue-steps");
  startButton = dialog.querySelector('[data-action="start-continue"]');
  dialog.querySelector(".icon-button[data-action='close-dialog']").append(icon("close"));
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog && !starting) dialog.close();
  });
  dialog.addEventListener("close", () => {
    currentId = null;
  });
  // Start (or Enter) goes through the data-action handler; the form itself never submits.
  form.addEventListener("submit", (event) => event.preventDefault());
  input.addEventListener("input", () => {
    clearErrors();
    updateHint();
  });
}

export function openContinue(id) {
  const experiment = getExperiment(id);
  if (!experiment) return;
  currentId = id;
  clearErrors();
  replaceChildren(
    dialog.querySelector('[data-field="continue-lead"]'),
    el("strong", {}, experiment.name),
    ` has trained ${formatInt(experiment.progress?.timestep ?? 0)} steps. A new run loads its saved model and trains on from there; this run stays as it is.`,
  );
  input.value = String(defaultSteps(experiment));
  updateHint();
  if (!dialog.open) dialog.showModal();
  input.focus();
  input.select();
}

/** The Start button (or Enter in the field). */
export async function submitContinue() {
  const experiment = currentId && getExperiment(currentId);
  if (!experiment || starting) return;
  clearErrors();
  const steps = Number(input.value);
  if (!Number.isInteger(steps) || steps < MIN_STEPS) {
    showError("additional_timesteps", `Enter a whole number of steps, at least ${formatInt(MIN_STEPS)}.`);
    return;
  }
  setStarting(true);
  try {
    const child = await continueExperiment(experiment.id, steps);
    if (child) dialog.close();
  } catch (error) {
    if (error.kind === "auth") {
      dialog.close();
      return;
    }
    showError(error.field, error.message);
  } finally {
    setStarting(false);
  }
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
  setText(dialog.querySelector('[data-field="continue-hint"]'), `At least ${formatInt(MIN_STEPS)}.${where}`);
}

// The server names the field `additional_timesteps` or, for a range check,
// `config.total_timesteps`: both are this dialog's one number.
const STEP_FIELDS = new Set(["additional_timesteps", "total_timesteps"]);

function showError(fieldName, message) {
  const name = String(fieldName ?? "").split(".").pop();
  const slot = STEP_FIELDS.has(name)
    ? form.querySelector('[data-error-for="additional_timesteps"]')
    : form.querySelector('[data-error-for="form"]');
  slot.textContent = message;
  slot.hidden = false;
  if (STEP_FIELDS.has(name)) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
}

function clearErrors() {
  for (const slot of form.querySelectorAll("[data-error-for]")) {
    slot.hidden = true;
    slot.textContent = "";
  }
  input.removeAttribute("aria-invalid");
}

function setStarting(value) {
  starting = value;
  input.readOnly = value;
  if (value) {
    startButton.setAttribute("aria-disabled", "true");
    startButton.setAttribute("aria-busy", "true");
    startButton.prepend(spinner());
  } else {
    startButton.removeAttribute("aria-disabled");
    startButton.removeAttribute("aria-busy");
    startButton.querySelector(".spinner")?.remove();
  }
  setText(startButton.querySelector(".button__label"), value ? "Starting…" : "Start");
}
