// New Training: game, algorithm, length (a preset or custom steps) and every setting a run
// takes, grouped (Basics / Videos / Performance / Advanced), each with a plain-words
// tooltip and its recommended value. Ranges come from `/api/config-fields`, recommended
// values from the chosen preset (`/api/presets`); the server's refusal shows under its field.

import { api } from "../shell/api.js";
import { clearFieldErrors, closeIconButton, createDialog, errorLineFor } from "../shell/dialog.js";
import { el, icon, replaceChildren, setText } from "../shell/dom.js";
import { formatEstimate, formatInt, formatVideoLength } from "../shell/format.js";
import { settings } from "../shell/settings.js";
import { getCatalog, upsertExperiment } from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { showDiskWarning } from "../runs/notices.js";
import { BASICS_HELP } from "./config-help.js";
import { createSettingsGroups } from "./settings-groups.js";
import { scaleEstimate } from "./training-format.js";

const CUSTOM = "custom";
const BASE_PRESET = "quick"; // custom steps build on this preset's other values
const MIN_TIMESTEPS = 1024;

let dialog; // createDialog's controller, once built
let form;
let controls; // basics: {name, game, preset, steps, algorithms (radios)}
let estimateLine;
let startButton;
let groups; // the grouped settings (settings-groups.js)
let closeButtons; // the head's × and Cancel

function basicField(id, label, help, control, { hint = null, errorFor }) {
  return el(
    "div",
    { class: "form__field" },
    el("label", { class: "form__label", for: id, title: help }, label, infoMark(help)),
    control,
    hint,
    el("p", { class: "form__error", id: `${id}-error`, dataset: { errorFor }, role: "alert", hidden: true }),
  );
}

function infoMark(help) {
  return el("span", { class: "tfield__info", title: help, "aria-hidden": "true" }, icon("info", 14));
}

function build() {
  controls = {
    name: el("input", {
      class: "input",
      id: "nt-name",
      name: "name",
      type: "text",
      maxlength: "100",
      autocomplete: "off",
      placeholder: "e.g. Pong first try (optional)",
      title: BASICS_HELP.name,
      "aria-describedby": "nt-name-error",
    }),
    game: el("select", { class: "select", id: "nt-game", name: "game", title: BASICS_HELP.game, "aria-describedby": "nt-game-error" }),
    preset: el("select", {
      class: "select",
      id: "nt-preset",
      name: "preset",
      title: BASICS_HELP.preset,
      "aria-describedby": "nt-preset-hint nt-preset-error",
    }),
    steps: el("input", {
      class: "input",
      id: "nt-steps",
      name: "total_timesteps",
      type: "number",
      min: String(MIN_TIMESTEPS),
      step: "1024",
      inputmode: "numeric",
      title: BASICS_HELP.total_timesteps,
      "aria-describedby": "nt-steps-hint nt-steps-error",
    }),
  };
  const algorithmGroup = el(
    "fieldset",
    { class: "form__field form__fieldset", "aria-describedby": "nt-algo-hint" },
    el("legend", { class: "form__label", title: BASICS_HELP.algorithm }, "Algorithm", infoMark(BASICS_HELP.algorithm)),
    el("div", { class: "radio-group", dataset: { slot: "algorithms" } }),
    el("p", { class: "form__hint", id: "nt-algo-hint", dataset: { field: "algo-description" } }),
    el("p", { class: "form__error", dataset: { errorFor: "algorithm" }, role: "alert", hidden: true }),
  );
  estimateLine = el("p", { class: "estimate", dataset: { field: "nt-estimate" }, "aria-live": "polite" });
  startButton = el(
    "button",
    { type: "submit", class: "button button--primary", title: "Start training with these settings" },
    el("span", { class: "button__label" }, "Start Training"),
  );
  closeButtons = [
    closeIconButton(),
    el("button", { type: "button", class: "button", dataset: { action: "close-dialog" } }, "Cancel"),
  ];
  const groupsSlot = el("div", { class: "nt-groups" });
  groups = createSettingsGroups(groupsSlot, {
    algorithm: () => selectedAlgorithm(),
    recommended: (name) => recommended(name),
    fromSettings: (name) => name in settingsDefaults(),
    onEdit: (name) => clearError(name),
  });

  form = el(
    "form",
    { class: "dialog__form", novalidate: true },
    el(
      "div",
      { class: "dialog__head" },
      el("h2", { class: "dialog__title", id: "nt-title" }, "New Training"),
      closeButtons[0],
    ),
    el(
      "div",
      { class: "dialog__body nt-body" },
      el(
        "section",
        { class: "nt-basics", "aria-labelledby": "nt-basics-title" },
        el("h3", { class: "nt-group-title", id: "nt-basics-title" }, "Basics"),
        el(
          "div",
          { class: "nt-grid" },
          basicField("nt-name", "Name", BASICS_HELP.name, controls.name, { errorFor: "name" }),
          basicField("nt-game", "Game", BASICS_HELP.game, controls.game, { errorFor: "game" }),
          basicField("nt-preset", "Length", BASICS_HELP.preset, controls.preset, {
            errorFor: "preset",
            hint: el("p", { class: "form__hint", id: "nt-preset-hint", dataset: { field: "preset-description" } }),
          }),
          el(
            "div",
            { class: "nt-steps", dataset: { slot: "steps" }, hidden: true },
            basicField("nt-steps", "Training steps", BASICS_HELP.total_timesteps, controls.steps, {
              errorFor: "total_timesteps",
              hint: el(
                "p",
                { class: "form__hint", id: "nt-steps-hint" },
                `At least ${formatInt(MIN_TIMESTEPS)}. More steps: a smarter agent, a longer wait.`,
              ),
            }),
          ),
        ),
        algorithmGroup,
        estimateLine,
      ),
      groupsSlot,
      el("p", { class: "form__error form__error--block", dataset: { errorFor: "form" }, role: "alert", hidden: true }),
    ),
    el(
      "div",
      { class: "dialog__foot" },
      el(
        "button",
        {
          type: "button",
          class: "button nt-reset",
          title: "Put every setting back to the recommended value for this length and algorithm",
          onclick: () => {
            clearErrors();
            groups.apply({ all: true });
          },
        },
        "Reset to recommended",
      ),
      closeButtons[1],
      startButton,
    ),
  );
  const node = el(
    "dialog",
    { class: "dialog training-dialog", id: "new-training-dialog", dataset: { testid: "new-training-dialog" }, "aria-labelledby": "nt-title" },
    form,
  );
  dialog = createDialog(node);
  document.body.append(node);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  form.addEventListener("change", onBasicsChange);
  controls.steps.addEventListener("input", () => {
    clearError("total_timesteps");
    updateEstimate();
  });
  controls.name.addEventListener("input", () => clearError("name"));
}

// ---------- catalog: games, presets, algorithms ----------

const defaults = () => ({
  game: settings()?.default_game || "breakout",
  algorithm: settings()?.default_algorithm || "ppo",
  preset: settings()?.default_preset || BASE_PRESET,
});

function fillBasics() {
  const { games, presets, algorithms } = getCatalog();
  const wanted = defaults();
  replaceChildren(
    controls.game,
    games.map((game) => el("option", { value: game.id }, game.name)),
  );
  controls.game.value = games.some((game) => game.id === wanted.game) ? wanted.game : games[0]?.id ?? "";
  replaceChildren(
    controls.preset,
    presets.map((preset) => {
      const video = formatVideoLength(preset.video_length_hours);
      return el("option", { value: preset.id }, video ? `${preset.name} · ${video}` : preset.name);
    }),
    el("option", { value: CUSTOM }, "Custom steps…"),
  );
  controls.preset.value = presets.some((preset) => preset.id === wanted.preset) ? wanted.preset : presets[0]?.id ?? CUSTOM;
  const list = algorithms.length ? algorithms : [{ id: "ppo", name: "PPO", recommended: true }, { id: "dqn", name: "DQN" }];
  replaceChildren(
    form.querySelector('[data-slot="algorithms"]'),
    list.map((algorithm) =>
      el(
        "label",
        { class: "radio", title: algorithm.description ?? "" },
        el("input", { type: "radio", name: "nt-algo", value: algorithm.id, checked: algorithm.id === wanted.algorithm }),
        el("span", { class: "radio__title" }, algorithm.recommended ? `${algorithm.name} (Recommended)` : algorithm.name),
      ),
    ),
  );
  if (!form.querySelector('input[name="nt-algo"]:checked')) form.querySelector('input[name="nt-algo"]').checked = true;
  controls.steps.value = String(presetSteps(findPreset(BASE_PRESET), selectedAlgorithm()) ?? 100_000);
  controls.name.value = "";
}

const selectedAlgorithm = () => form.querySelector('input[name="nt-algo"]:checked')?.value ?? "ppo";
const findPreset = (id) => getCatalog().presets.find((preset) => preset.id === id) ?? null;
const presetSteps = (preset, algorithm) => preset?.configs?.[algorithm]?.total_timesteps ?? null;
const isCustom = () => controls.preset.value === CUSTOM;

/** The preset whose values the run starts from (custom steps build on Quick's). */
function basePreset() {
  if (!isCustom()) return findPreset(controls.preset.value);
  return findPreset(BASE_PRESET) ?? getCatalog().presets[0] ?? null;
}

/**
 * Settings' resource defaults (Settings → Training defaults) the server applies between the
 * preset and the request's config; 0 / "auto" leave the preset's own value.
 */
function settingsDefaults() {
  const values = settings() ?? {};
  const defaults = {};
  if (values.default_n_envs) defaults.n_envs = Number(values.default_n_envs);
  if (values.default_torch_threads) defaults.torch_threads = Number(values.default_torch_threads);
  if (values.default_device === "cpu" || values.default_device === "cuda") defaults.device = values.default_device;
  return defaults;
}

/** The value a run gets for a setting the form leaves alone: the preset's, then Settings'. */
function recommended(name) {
  const algorithm = selectedAlgorithm();
  const preset = basePreset()?.configs?.[algorithm] ?? {};
  const defaults = settingsDefaults();
  if (name in defaults) return defaults[name];
  if (name === "batch_size" && algorithm === "ppo" && "n_envs" in defaults && preset.n_steps) {
    // The server shrinks the batch to one round of the fewer parallel games.
    return Math.min(preset.batch_size, preset.n_steps * defaults.n_envs);
  }
  return preset[name];
}

function onBasicsChange(event) {
  const target = event.target;
  if (target.name === "nt-algo" || target === controls.preset) {
    clearError(target === controls.preset ? "preset" : "algorithm");
    const showSteps = isCustom();
    form.querySelector('[data-slot="steps"]').hidden = !showSteps;
    if (target === controls.preset && showSteps) controls.steps.focus();
    groups.apply();
  }
  if (target === controls.game) clearError("game");
  updateBasicsText();
  updateEstimate();
}

function updateBasicsText() {
  setText(form.querySelector('[data-field="preset-description"]'), isCustom() ? "" : findPreset(controls.preset.value)?.description ?? "");
  const algorithm = getCatalog().algorithms.find((item) => item.id === selectedAlgorithm());
  setText(form.querySelector('[data-field="algo-description"]'), algorithm?.description ?? "");
}

// ---------- estimate ----------

function presetEstimate(preset, algorithm) {
  const estimate = preset?.estimate?.[algorithm];
  if (typeof estimate?.seconds === "number") return estimate;
  const seconds = preset?.estimated_seconds?.[algorithm];
  return typeof seconds === "number" ? { seconds, source: null, device: null, basis: null } : null;
}

function readSteps() {
  const raw = controls.steps.value.trim();
  const value = Number(raw);
  return raw === "" || !Number.isFinite(value) ? null : Math.round(value);
}

const DEVICE_LABELS = { cpu: "CPU", cuda: "GPU (CUDA)" };
const SOURCE_NOTES = { measured: "measured on this machine", baseline: "rough estimate until the first run" };

function updateEstimate() {
  const algorithm = selectedAlgorithm();
  const base = basePreset();
  const estimate = presetEstimate(base, algorithm);
  const steps = isCustom() ? readSteps() : presetSteps(base, algorithm);
  const seconds = isCustom() ? scaleEstimate(estimate?.seconds, presetSteps(base, algorithm), steps) : estimate?.seconds;
  const text = formatEstimate(seconds);
  estimateLine.dataset.source = estimate?.source ?? "";
  estimateLine.title = estimate?.basis ? `Based on: ${estimate.basis}` : "";
  if (!text) {
    replaceChildren(estimateLine);
    return;
  }
  const where = DEVICE_LABELS[estimate?.device] ? `on ${DEVICE_LABELS[estimate.device]}` : "on this machine";
  // The server says what the time is based on ("measured on this machine", "typical for …").
  const note = SOURCE_NOTES[estimate?.source] ?? estimate?.basis;
  const basis = estimate?.basis && estimate.basis !== note ? ` · ${estimate.basis}` : null;
  replaceChildren(
    estimateLine,
    "Estimated training time: ",
    el("strong", {}, `${text} ${where}`),
    note ? ` (${note})` : null,
    basis,
    steps ? ` · ${formatInt(steps)} steps` : null,
  );
}

// ---------- errors ----------

/** "config.batch_size" → the slot under batch_size; unknown fields → the form's slot. */
const errorSlot = (fieldName) => errorLineFor(form, String(fieldName ?? "form").split(".").pop());

function controlFor(name) {
  const input = groups.input(name);
  if (input) return input;
  return {
    name: controls.name,
    game: controls.game,
    preset: controls.preset,
    total_timesteps: isCustom() ? controls.steps : controls.preset,
    algorithm: form.querySelector('input[name="nt-algo"]:checked'),
  }[name] ?? null;
}

function showError(fieldName, message, { focus = true } = {}) {
  let slot = errorSlot(fieldName);
  const name = slot.dataset.errorFor;
  if (name === "total_timesteps" && !isCustom()) slot = errorSlot("preset"); // the preset's own count
  slot.textContent = message;
  slot.hidden = false;
  groups.reveal(name);
  const control = controlFor(name);
  if (control) {
    control.setAttribute("aria-invalid", "true");
    if (focus) control.focus();
  }
}

function clearError(name) {
  clearFieldErrors(form, name);
  controlFor(name)?.removeAttribute("aria-invalid");
  const formSlot = form.querySelector('[data-error-for="form"]');
  formSlot.hidden = true;
}

function clearErrors() {
  clearFieldErrors(form);
  for (const control of form.querySelectorAll('[aria-invalid="true"]')) control.removeAttribute("aria-invalid");
}

// ---------- open and submit ----------

export function openNewTraining(from = document.activeElement) {
  if (!dialog) build();
  if (dialog.node.open) return;
  clearErrors();
  fillBasics();
  form.querySelector('[data-slot="steps"]').hidden = !isCustom();
  updateBasicsText();
  if (groups.isLoaded()) {
    groups.apply({ all: true });
    groups.collapse();
  } else {
    groups.load();
  }
  updateEstimate();
  dialog.open({ returnFocus: from instanceof HTMLElement ? from : null });
  controls.game.focus();
}

function buildRequest() {
  const body = { game: controls.game.value, algorithm: selectedAlgorithm(), preset: controls.preset.value };
  const errors = [];
  const name = controls.name.value.trim();
  if (name) body.name = name;
  if (!body.game) errors.push({ field: "game", message: "Pick a game to train on." });
  const { overrides, errors: fieldErrors } = groups.read();
  errors.push(...fieldErrors);
  if (isCustom()) {
    const steps = readSteps();
    if (steps === null || steps < MIN_TIMESTEPS) {
      errors.push({ field: "total_timesteps", message: `Enter at least ${formatInt(MIN_TIMESTEPS)} training steps.` });
    }
    body.preset = basePreset()?.id ?? BASE_PRESET;
    overrides.total_timesteps = steps;
  }
  if (Object.keys(overrides).length) body.config = overrides;
  return { body, errors };
}

async function submit() {
  if (dialog.isBusy()) return;
  clearErrors();
  const { body, errors } = buildRequest();
  if (errors.length) {
    errors.forEach((error, index) => showError(error.field, error.message, { focus: index === 0 }));
    return;
  }
  setStarting(true);
  try {
    const { experiment, warning } = await api.createExperiment(body);
    upsertExperiment(experiment);
    setStarting(false);
    dialog.close();
    showToast("Training started", { kind: "success", detail: `${experiment.name} — follow it in Active Training.` });
    showDiskWarning(warning);
  } catch (failure) {
    if (failure.kind === "auth") {
      dialog.node.close();
      return;
    }
    showError(failure.field ?? "form", failure.message);
    if (!failure.field) showToast("Training did not start", { kind: "error", detail: failure.message });
  } finally {
    setStarting(false);
  }
}

function setStarting(value) {
  dialog.setBusy(value, { button: startButton, label: "Start Training", busyLabel: "Starting…", block: closeButtons });
}
