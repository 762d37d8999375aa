// Quick Start: game, length, algorithm, and one button that starts a real run.
// The welcome card's "Start Your First Training" uses the same choices.

import { api } from "../shell/api.js";
import { clearFieldErrors, errorLineFor } from "../shell/dialog.js";
import { el, replaceChildren, setText, spinner } from "../shell/dom.js";
import {
  algorithmLabel,
  formatEstimate,
  formatInt,
  formatVideoLength,
} from "../shell/format.js";
import { onSettings, settings } from "../shell/settings.js";
import { gameName, getCatalog, upsertExperiment } from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { showDiskWarning } from "../runs/notices.js";

const DEFAULT_GAME = "breakout";
const DEFAULT_PRESET = "quick";
const CUSTOM = "custom";
const MIN_TIMESTEPS = 1024; // one PPO round: 8 games × 128 steps
const START_BUTTONS = '[data-action="start-training"], [data-action="start-first"]';

let form;
let gameSelect;
let presetSelect;
let timestepsInput;
let timestepsField;
let timestepsEdited = false;
let starting = false;
let chosenByUser = false; // once the user picks, Settings' defaults no longer move the pickers

// Settings → Training defaults (fallbacks before the settings load).
const defaultGame = () => settings()?.default_game || DEFAULT_GAME;
const defaultPreset = () => settings()?.default_preset || DEFAULT_PRESET;
const defaultAlgorithm = () => settings()?.default_algorithm || "ppo";

function field(id, label, control, { hint = null, errorFor, attrs = {} }) {
  return el(
    "div",
    { class: "form__field", ...attrs },
    el("label", { class: "form__label", for: id }, label),
    control,
    hint,
    el("p", { class: "form__error", id: `${id}-error`, dataset: { errorFor }, hidden: true }),
  );
}

function algorithmRadio(value, label, checked = false) {
  return el(
    "label",
    { class: "radio" },
    el("input", { type: "radio", name: "qs-algo", value, checked }),
    el("span", { class: "radio__title" }, label),
  );
}

/** The card (`#quick-start`): the pickers stay disabled until `renderQuickStart` fills them. */
export function quickStartCard() {
  gameSelect = el("select", { class: "select", id: "qs-game", name: "game", disabled: true }, el("option", {}, "Loading games…"));
  presetSelect = el(
    "select",
    { class: "select", id: "qs-preset", name: "preset", disabled: true, "aria-describedby": "qs-preset-hint" },
    el("option", {}, "Loading presets…"),
  );
  timestepsInput = el("input", {
    class: "input",
    id: "qs-timesteps",
    name: "timesteps",
    type: "number",
    min: "1024",
    step: "1024",
    inputmode: "numeric",
    "aria-describedby": "qs-timesteps-hint qs-timesteps-error",
  });
  timestepsField = field("qs-timesteps", "Training steps", timestepsInput, {
    errorFor: "total_timesteps",
    hint: el("p", { class: "form__hint", id: "qs-timesteps-hint" }, "At least 1,024. More steps: a smarter agent, a longer wait."),
    attrs: { id: "qs-timesteps-field", hidden: true },
  });
  form = el(
    "form",
    { class: "form", id: "quick-start-form", novalidate: true },
    field("qs-game", "Game", gameSelect, { errorFor: "game" }),
    field("qs-preset", "Length", presetSelect, {
      errorFor: "preset",
      hint: el("p", { class: "form__hint", id: "qs-preset-hint", dataset: { field: "preset-description" } }),
    }),
    timestepsField,
    el(
      "fieldset",
      { class: "form__field form__fieldset", "aria-describedby": "qs-algo-hint" },
      el("legend", { class: "form__label" }, "Algorithm"),
      el("div", { class: "radio-group" }, algorithmRadio("ppo", "PPO (Recommended)", true), algorithmRadio("dqn", "DQN")),
      el("p", { class: "form__hint", id: "qs-algo-hint", dataset: { field: "algo-description" } }),
      el("p", { class: "form__error", id: "qs-algo-error", dataset: { errorFor: "algorithm" }, hidden: true }),
    ),
    el("p", { class: "estimate", dataset: { field: "estimate" }, "aria-live": "polite" }),
    el("p", { class: "form__error form__error--block", dataset: { errorFor: "form" }, hidden: true }),
    el(
      "button",
      { type: "submit", class: "button button--primary button--block", dataset: { action: "start-training" }, disabled: true },
      el("span", { class: "button__label" }, "Start Training Now"),
    ),
  );

  // Enter in a field submits the form by clicking the start button, which the
  // delegated click handler turns into startTraining(); never a page load.
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", (event) => {
    chosenByUser = true;
    onChange(event);
  });
  // Settings → Training defaults changed (not merely reloaded): the pickers follow them.
  let applied = null;
  onSettings(() => {
    const defaults = `${defaultGame()}|${defaultPreset()}|${defaultAlgorithm()}`;
    if (applied !== null && defaults !== applied && !chosenByUser && !gameSelect.disabled) applyDefaults();
    applied = defaults;
  });
  timestepsInput.addEventListener("input", () => {
    timestepsEdited = true;
    clearErrors();
    updateEstimate();
  });
  return el(
    "section",
    { class: "card", id: "quick-start", "aria-labelledby": "quick-start-title" },
    el("div", { class: "card__head" }, el("h2", { class: "card__title", id: "quick-start-title" }, "Quick Start")),
    form,
  );
}

/** Fills the pickers from the catalog (games, presets). */
export function renderQuickStart() {
  const { games, presets } = getCatalog();
  const firstFill = gameSelect.disabled;
  const previousGame = firstFill ? defaultGame() : gameSelect.value;
  const previousPreset = firstFill ? defaultPreset() : presetSelect.value;
  if (firstFill) checkAlgorithm(defaultAlgorithm());

  replaceChildren(
    gameSelect,
    games.map((game) => el("option", { value: game.id }, game.name)),
  );
  gameSelect.value = games.some((game) => game.id === previousGame)
    ? previousGame
    : games[0]?.id ?? "";

  replaceChildren(
    presetSelect,
    presets.map((preset) => el("option", { value: preset.id }, presetLabel(preset))),
    el("option", { value: CUSTOM }, "Custom steps…"),
  );
  presetSelect.value =
    previousPreset === CUSTOM || presets.some((preset) => preset.id === previousPreset)
      ? previousPreset
      : presets[0]?.id ?? CUSTOM;

  gameSelect.disabled = games.length === 0;
  presetSelect.disabled = false;
  form.querySelector('[data-action="start-training"]').disabled = games.length === 0;
  if (!timestepsEdited) timestepsInput.value = String(defaultCustomTimesteps());
  onChange();
}

function checkAlgorithm(id) {
  const radio = form.querySelector(`input[name="qs-algo"][value="${CSS.escape(id)}"]`);
  if (radio) radio.checked = true;
}

/** The pickers follow Settings → Training defaults until the user chooses for themselves. */
function applyDefaults() {
  const { games, presets } = getCatalog();
  if (games.some((game) => game.id === defaultGame())) gameSelect.value = defaultGame();
  if (presets.some((preset) => preset.id === defaultPreset())) presetSelect.value = defaultPreset();
  checkAlgorithm(defaultAlgorithm());
  if (!timestepsEdited) timestepsInput.value = String(defaultCustomTimesteps());
  onChange();
}

function presetLabel(preset) {
  const video = formatVideoLength(preset.video_length_hours);
  return video ? `${preset.name} · ${video}` : preset.name;
}

function selectedAlgorithm() {
  return form.querySelector('input[name="qs-algo"]:checked')?.value ?? "ppo";
}

function findPreset(id) {
  return getCatalog().presets.find((preset) => preset.id === id) ?? null;
}

/** The base preset a custom run builds on, and scales its estimate from. */
function basePreset() {
  return findPreset(DEFAULT_PRESET) ?? getCatalog().presets[0] ?? null;
}

function presetTimesteps(preset, algorithm) {
  return preset?.configs?.[algorithm]?.total_timesteps ?? null;
}

function defaultCustomTimesteps() {
  return presetTimesteps(basePreset(), selectedAlgorithm()) ?? 100000;
}

function onChange(event) {
  const custom = presetSelect.value === CUSTOM;
  timestepsField.hidden = !custom;
  if (event?.target?.name === "qs-algo" && !timestepsEdited) {
    timestepsInput.value = String(defaultCustomTimesteps());
  }
  if (event?.target === presetSelect && custom) timestepsInput.focus();
  setText(
    form.querySelector('[data-field="preset-description"]'),
    custom ? "" : findPreset(presetSelect.value)?.description ?? "",
  );
  const algorithm = getCatalog().algorithms.find((item) => item.id === selectedAlgorithm());
  setText(form.querySelector('[data-field="algo-description"]'), algorithm?.description ?? "");
  clearErrors();
  updateEstimate();
  updateWelcomeHint();
}

function readTimesteps() {
  const raw = timestepsInput.value.trim();
  const value = Number(raw);
  return raw === "" || !Number.isFinite(value) ? null : Math.round(value);
}

/**
 * What the server estimates for a preset and algorithm: {seconds, source, device, basis}, where
 * source is "measured" (this machine's speed) or "baseline" (typical for its hardware, until a
 * run here measures it) and basis says so in words. Servers without `estimate` give only the seconds.
 */
function presetEstimate(preset, algorithm) {
  const estimate = preset?.estimate?.[algorithm];
  if (typeof estimate?.seconds === "number") return estimate;
  const seconds = preset?.estimated_seconds?.[algorithm];
  return typeof seconds === "number" ? { seconds, source: null, device: null } : null;
}

/** Steps and time for the current choice, or null when not known. */
function currentPlan() {
  const algorithm = selectedAlgorithm();
  if (presetSelect.value === CUSTOM) {
    const steps = readTimesteps();
    const base = basePreset();
    const baseSteps = presetTimesteps(base, algorithm);
    const baseEstimate = presetEstimate(base, algorithm);
    // The base preset's time, measured speed included, scaled to the steps asked for.
    const seconds =
      steps && baseSteps && baseEstimate?.seconds
        ? (baseEstimate.seconds * steps) / baseSteps
        : null;
    return { steps, seconds, source: baseEstimate?.source, device: baseEstimate?.device, basis: baseEstimate?.basis };
  }
  const preset = findPreset(presetSelect.value);
  const estimate = presetEstimate(preset, algorithm);
  return {
    steps: presetTimesteps(preset, algorithm),
    seconds: estimate?.seconds ?? null,
    source: estimate?.source,
    device: estimate?.device,
    basis: estimate?.basis,
  };
}

const DEVICE_LABELS = { cpu: "CPU", cuda: "GPU" };
const SOURCE_NOTES = {
  measured: "measured on this machine",
  baseline: "rough estimate until the first run",
};

function updateEstimate() {
  const line = form.querySelector('[data-field="estimate"]');
  const { steps, seconds, source, device, basis } = currentPlan();
  const estimate = formatEstimate(seconds);
  if (!estimate) {
    replaceChildren(line);
    return;
  }
  const where = DEVICE_LABELS[device] ? `on ${DEVICE_LABELS[device]}` : "on this machine";
  // The server says what the time is based on ("measured on this machine", "typical for …").
  const note = SOURCE_NOTES[source] ?? basis;
  const based = basis && basis !== note ? ` · ${basis}` : null;
  line.dataset.source = source ?? "";
  replaceChildren(
    line,
    "Estimated: ",
    el("strong", {}, `${estimate} ${where}`),
    note ? ` (${note})` : null,
    based,
    steps ? ` · ${formatInt(steps)} steps` : null,
  );
}

function updateWelcomeHint() {
  const hint = document.querySelector('[data-field="welcome-choice"]');
  if (!hint || gameSelect.disabled) return;
  const preset =
    presetSelect.value === CUSTOM
      ? `${formatInt(readTimesteps())} steps`
      : findPreset(presetSelect.value)?.name ?? presetSelect.value;
  setText(
    hint,
    `Starts ${gameName(gameSelect.value)} · ${preset} · ${algorithmLabel(selectedAlgorithm())}. Change it in Quick Start.`,
  );
}

/** The request body for POST /api/experiments, or a field error to show. */
function buildRequest() {
  const body = {
    game: gameSelect.value,
    algorithm: selectedAlgorithm(),
    preset: presetSelect.value,
  };
  if (!body.game) return { error: { field: "game", message: "Pick a game to train on." } };
  if (body.preset === CUSTOM) {
    const steps = readTimesteps();
    if (steps === null || steps < MIN_TIMESTEPS) {
      return {
        error: {
          field: "total_timesteps",
          message: `Enter at least ${formatInt(MIN_TIMESTEPS)} training steps.`,
        },
      };
    }
    body.preset = basePreset()?.id ?? DEFAULT_PRESET;
    body.config = { total_timesteps: steps };
  }
  return { body };
}

/** Starts a run with the current choices. Safe to call twice: the second is ignored. */
export async function startTraining() {
  if (starting || gameSelect.disabled) return;
  clearErrors();
  const { body, error } = buildRequest();
  if (error) {
    showFieldError(error.field, error.message);
    return;
  }

  setStarting(true);
  try {
    const { experiment, warning } = await api.createExperiment(body);
    upsertExperiment(experiment);
    showToast("Training started", {
      kind: "success",
      detail: `${experiment.name} — follow it in Recent Activity.`,
    });
    showDiskWarning(warning);
  } catch (failure) {
    if (failure.kind === "auth") return; // shell/loader.js shows the sign-in message
    if (failure.field) showFieldError(failure.field, failure.message);
    else if (failure.kind === "http") showFieldError("form", failure.message);
    showToast("Training did not start", { kind: "error", detail: failure.message });
  } finally {
    setStarting(false);
  }
}

function setStarting(value) {
  starting = value;
  for (const button of document.querySelectorAll(START_BUTTONS)) {
    const label = button.querySelector(".button__label");
    button.disabled = value;
    if (value) button.setAttribute("aria-busy", "true");
    else button.removeAttribute("aria-busy");
    button.querySelector(".spinner")?.remove();
    if (value) button.prepend(spinner());
    if (label) {
      label.dataset.idle ??= label.textContent;
      label.textContent = value ? "Starting…" : label.dataset.idle;
    }
  }
}

/** Maps a server field name (`config.total_timesteps`, `game`, …) to our error slot. */
const errorSlot = (fieldName) => errorLineFor(form, String(fieldName).split(".").pop());

const CONTROL_FOR = {
  game: () => gameSelect,
  preset: () => presetSelect,
  total_timesteps: () => timestepsInput,
  algorithm: () => form.querySelector('input[name="qs-algo"]:checked'),
};

function showFieldError(fieldName, message) {
  const slot = errorSlot(fieldName);
  const name = slot.dataset.errorFor;
  if (name === "total_timesteps" && presetSelect.value !== CUSTOM) {
    // The server judged the preset's step count: let the user set their own.
    presetSelect.value = CUSTOM;
    onChange();
  }
  slot.textContent = message;
  slot.hidden = false;
  const control = CONTROL_FOR[name]?.();
  if (control) {
    control.setAttribute("aria-invalid", "true");
    control.focus();
  }
}

function clearErrors() {
  clearFieldErrors(form);
  for (const control of form.querySelectorAll('[aria-invalid="true"]')) {
    control.removeAttribute("aria-invalid");
  }
}
