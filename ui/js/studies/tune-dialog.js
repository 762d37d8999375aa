// Tune: a hyperparameter search (an Optuna study) from one dialog. Game, PPO or DQN, the budget
// (trials × steps per trial) with a rough time, sampler and pruner; then, folded away, which
// parameters to search (RL Zoo's space, editable within the server's safe bounds) and the run
// settings every trial starts from. Bad values are refused under their field before anything
// is sent; the server's 400 lands under the field it names. A started study opens its page.

import { api } from "../shell/api.js";
import { clearFieldErrors, closeIconButton, createDialog, errorLineFor } from "../shell/dialog.js";
import { el, icon, replaceChildren, setText } from "../shell/dom.js";
import { formatEstimate, formatInt } from "../shell/format.js";
import { navigate } from "../shell/router.js";
import { settings } from "../shell/settings.js";
import { getCatalog } from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { errorText } from "../experiments/parts.js";
import { createStudy, searchSpaces } from "./api.js";
import { createSpaceEditor } from "./space-editor.js";
import {
  MAX_TRIAL_STEPS,
  MAX_TRIALS,
  MIN_TRIAL_STEPS,
  MIN_TRIALS,
  buildSpace,
  paramOfField,
  readWhole,
  studySeconds,
} from "./studies-format.js";
import { numberInput, selectInput, textField } from "./tune-fields.js";

const DEFAULT_TRIALS = 20;
const DEFAULT_TRIAL_STEPS = 50_000;
const ESTIMATE_PRESET = "quick";

/** The run settings every trial starts from: name → [label, hint, min, max, the server's default]. */
const TRIAL_SETTINGS = {
  n_envs: ["Games in parallel", "Empty: sized for this machine, like a new run.", 1, 64, null],
  trial_eval_every_pct: ["Evaluate every", "% of a trial: the pruner compares trials at each evaluation.", 1, 100, 25],
  trial_eval_episodes: ["Games per evaluation", "More games: a fairer score, a slower trial.", 1, 20, 3],
  trial_eval_max_seconds: ["Longest evaluation game", "Seconds of game time.", 1, 600, 60],
};

let dialog;
let form;
let controls; // {name, game, trials, steps, sampler, pruner, settings: {name: input}}
let editor;
let spaceState = { loaded: false, spaces: null, bounds: null, fields: [] };
let spaceStatus;
let spaceCount;
let spaceDetails;
let settingsDetails;
let estimateLine;
let startButton;
let closeButtons;

function build() {
  controls = {
    name: textField("tune-name", { placeholder: "e.g. Pong learning rate search (optional)", maxlength: "100" }),
    game: selectInput("tune-game", []),
    trials: numberInput("tune-trials", { min: MIN_TRIALS, max: MAX_TRIALS, value: DEFAULT_TRIALS }),
    steps: numberInput("tune-steps", { min: MIN_TRIAL_STEPS, max: MAX_TRIAL_STEPS, value: DEFAULT_TRIAL_STEPS, step: 1000 }),
    sampler: selectInput("tune-sampler", [["tpe", "TPE (recommended)"], ["random", "Random"]]),
    pruner: selectInput("tune-pruner", [["median", "Median (recommended)"], ["none", "None: every trial runs to its end"]]),
    settings: Object.fromEntries(
      Object.entries(TRIAL_SETTINGS).map(([name, [, , min, max, value]]) => [name, numberInput(`tune-${name}`, { min, max, value })]),
    ),
  };
  editor = createSpaceEditor({ onEdit: (name) => clearError(`params.${name}`), recommended: recommendedValue });
  spaceStatus = el("div", { class: "tune-space__status", dataset: { field: "tune-space-status" } });
  spaceCount = el("span", { class: "nt-group__count", dataset: { field: "tune-space-count" } });
  estimateLine = el("p", { class: "estimate", dataset: { field: "tune-estimate" }, "aria-live": "polite" });
  startButton = el(
    "button",
    { type: "submit", class: "button button--primary", title: "Create the study and start its first trials" },
    el("span", { class: "button__label" }, "Start study"),
  );
  closeButtons = [closeIconButton(), el("button", { type: "button", class: "button", dataset: { action: "close-dialog" } }, "Cancel")];

  spaceDetails = el(
    "details",
    { class: "nt-group tune-group", dataset: { group: "params" } },
    el(
      "summary",
      { class: "nt-group__summary", title: "Which settings the study tries, and over which values" },
      el("span", { class: "nt-group__title" }, "Parameters to search"),
      spaceCount,
    ),
    el(
      "p",
      { class: "nt-group__lead" },
      "RL Baselines3 Zoo's search space comes ticked. Untick a parameter to keep its recommended value; change a range or the list of values within its safe range.",
    ),
    spaceStatus,
    editor.element,
    el("p", { class: "form__error tune-group__error", dataset: { errorFor: "params" }, role: "alert", hidden: true }),
    el(
      "div",
      { class: "tune-group__actions" },
      el(
        "button",
        { type: "button", class: "button button--small", onclick: () => resetSpace(), title: "Tick RL Zoo's parameters again, with their ranges" },
        "Reset to RL Zoo's space",
      ),
    ),
  );
  settingsDetails = el(
    "details",
    { class: "nt-group tune-group", dataset: { group: "trial-settings" } },
    el(
      "summary",
      { class: "nt-group__summary", title: "Run settings every trial starts from" },
      el("span", { class: "nt-group__title" }, "Trial settings"),
    ),
    el("p", { class: "nt-group__lead" }, "How each trial runs and is scored. Trials film no videos and keep no checkpoints."),
    el(
      "div",
      { class: "nt-grid" },
      Object.entries(TRIAL_SETTINGS).map(([name, [label, hint]]) =>
        field(`tune-${name}`, label, controls.settings[name], { errorFor: `config.${name}`, hint }),
      ),
    ),
  );

  form = el(
    "form",
    { class: "dialog__form", novalidate: true },
    el("div", { class: "dialog__head" }, el("h2", { class: "dialog__title", id: "tune-title" }, "Tune"), closeButtons[0]),
    el(
      "div",
      { class: "dialog__body nt-body" },
      el(
        "p",
        { class: "dialog__lead" },
        "Searches the settings that train an agent best on one game: many short runs (trials), each a run you can open and watch. Bad trials are stopped early.",
      ),
      el(
        "div",
        { class: "nt-grid" },
        field("tune-game", "Game", controls.game, { errorFor: "game" }),
        algorithmField(),
        field("tune-trials", "Trials", controls.trials, {
          errorFor: "n_trials",
          hint: `How many settings to try (${MIN_TRIALS} to ${formatInt(MAX_TRIALS)}).`,
        }),
        field("tune-steps", "Steps per trial", controls.steps, {
          errorFor: "timesteps_per_trial",
          hint: `${formatInt(MIN_TRIAL_STEPS)} to ${formatInt(MAX_TRIAL_STEPS)}. Enough to tell settings apart, far less than a full run.`,
        }),
        field("tune-sampler", "Sampler", controls.sampler, {
          errorFor: "sampler",
          hint: "TPE tries more around what scored well; random tries anything.",
        }),
        field("tune-pruner", "Pruner", controls.pruner, {
          errorFor: "pruner",
          hint: "Median stops a trial that scores below the others' median at the same point.",
        }),
        field("tune-name", "Name", controls.name, { errorFor: "name" }),
      ),
      estimateLine,
      spaceDetails,
      settingsDetails,
      el("p", { class: "form__error form__error--block", dataset: { errorFor: "form" }, role: "alert", hidden: true }),
    ),
    el("div", { class: "dialog__foot" }, closeButtons[1], startButton),
  );
  const node = el(
    "dialog",
    { class: "dialog training-dialog tune-dialog", id: "tune-dialog", dataset: { testid: "tune-dialog" }, "aria-labelledby": "tune-title" },
    form,
  );
  dialog = createDialog(node);
  document.body.append(node);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  form.addEventListener("input", onBasicsEdit);
  form.addEventListener("change", onBasicsEdit);
}

function field(id, label, control, { errorFor, hint = null }) {
  return el(
    "div",
    { class: "form__field" },
    el("label", { class: "form__label", for: id }, label),
    control,
    hint ? el("p", { class: "form__hint", id: `${id}-hint` }, hint) : null,
    el("p", { class: "form__error", dataset: { errorFor }, role: "alert", hidden: true }),
  );
}

function algorithmField() {
  const radio = (value, text, checked) =>
    el(
      "label",
      { class: "radio" },
      el("input", { type: "radio", name: "tune-algo", value, checked }),
      el("span", { class: "radio__title" }, text),
    );
  return el(
    "fieldset",
    { class: "form__field form__fieldset" },
    el("legend", { class: "form__label" }, "Algorithm"),
    el("div", { class: "radio-group tune-algos" }, radio("ppo", "PPO", true), radio("dqn", "DQN", false)),
    el("p", { class: "form__hint" }, "Each has its own search space."),
    el("p", { class: "form__error", dataset: { errorFor: "algorithm" }, role: "alert", hidden: true }),
  );
}

const selectedAlgorithm = () => form.querySelector('input[name="tune-algo"]:checked')?.value ?? "ppo";
const preset = (id) => getCatalog().presets.find((p) => p.id === id) ?? null;

/** The value a trial gets for a parameter it does not search: the Quick preset's. */
function recommendedValue(name) {
  return preset(ESTIMATE_PRESET)?.configs?.[selectedAlgorithm()]?.[name];
}

// ---------- the search space ----------

async function loadSpace() {
  replaceChildren(spaceStatus, el("p", { class: "form__hint" }, "Loading the search spaces…"));
  try {
    const [spaces, fields] = await Promise.all([searchSpaces(), api.configFields().catch(() => ({ fields: [] }))]);
    spaceState = { loaded: true, spaces: spaces.search_spaces, bounds: spaces.safe_bounds, fields: fields.fields ?? [] };
    replaceChildren(spaceStatus);
    resetSpace();
  } catch (error) {
    if (error.kind === "auth") return;
    replaceChildren(
      spaceStatus,
      el(
        "div",
        { class: "card-message card-message--error" },
        el("span", {}, `Could not load the search spaces: ${errorText(error)} The study can still start with RL Zoo's space.`),
        el("button", { type: "button", class: "button button--small", onclick: () => loadSpace() }, "Try again"),
      ),
    );
  }
}

function resetSpace() {
  if (!spaceState.loaded) return;
  clearFieldErrors(form, "params");
  editor.load(selectedAlgorithm(), spaceState.spaces, spaceState.bounds, spaceState.fields);
  updateCount();
}

function updateCount() {
  if (!spaceState.loaded) {
    setText(spaceCount, "RL Zoo's space");
    return;
  }
  const rows = editor.read();
  setText(spaceCount, `${rows.filter((row) => row.search).length} of ${rows.length} searched`);
}

// ---------- basics ----------

function fillBasics() {
  const { games } = getCatalog();
  const wanted = settings()?.default_game || "breakout";
  replaceChildren(controls.game, games.map((game) => el("option", { value: game.id }, game.name)));
  controls.game.value = games.some((game) => game.id === wanted) ? wanted : games[0]?.id ?? "";
  const algorithm = settings()?.default_algorithm === "dqn" ? "dqn" : "ppo";
  form.querySelector(`input[name="tune-algo"][value="${algorithm}"]`).checked = true;
}

function onBasicsEdit(event) {
  const target = event.target;
  if (target.name === "tune-algo" && event.type === "change") {
    clearError("algorithm");
    resetSpace(); // each algorithm has its own parameters
  }
  const fieldName = target.closest(".form__field")?.querySelector("[data-error-for]")?.dataset.errorFor;
  if (fieldName && target.closest(".tune-param") === null) clearError(fieldName);
  if (target.closest(".tune-param")) updateCount();
  updateEstimate();
}

function updateEstimate() {
  const algorithm = selectedAlgorithm();
  const base = preset(ESTIMATE_PRESET);
  const trials = readWhole(controls.trials.value, MIN_TRIALS, MAX_TRIALS, "Trials");
  const steps = readWhole(controls.steps.value, MIN_TRIAL_STEPS, MAX_TRIAL_STEPS, "Steps");
  const concurrent = Number(settings()?.max_concurrent_runs) || 1;
  const seconds = studySeconds({
    presetSeconds: base?.estimate?.[algorithm]?.seconds ?? base?.estimated_seconds?.[algorithm],
    presetSteps: base?.configs?.[algorithm]?.total_timesteps,
    steps: steps.value,
    trials: trials.value,
    concurrent,
  });
  if (trials.error || steps.error) {
    replaceChildren(estimateLine);
    return;
  }
  const budget = `${formatInt(trials.value)} trials × ${formatInt(steps.value)} steps`;
  const atOnce = concurrent > 1 ? `, up to ${concurrent} at a time` : ", one at a time";
  const text = formatEstimate(seconds);
  replaceChildren(
    estimateLine,
    text ? ["Estimated time: ", el("strong", {}, `${text} at most`), ` (${budget}${atOnce}; pruned trials end sooner)`] : `${budget}${atOnce}.`,
  );
}

// ---------- errors ----------

function controlFor(name) {
  const param = paramOfField(name);
  if (param) return editor.rowOf(param)?.input ?? null;
  if (name.startsWith("config.")) return controls.settings[name.slice(7)] ?? null;
  return {
    name: controls.name,
    game: controls.game,
    n_trials: controls.trials,
    timesteps_per_trial: controls.steps,
    sampler: controls.sampler,
    pruner: controls.pruner,
    algorithm: form.querySelector('input[name="tune-algo"]:checked'),
  }[name] ?? null;
}

/** Shows `message` under `name`'s field (opening its group), else in the form's line. */
function showError(name, message, { focus = true } = {}) {
  const line = errorLineFor(form, name);
  line.textContent = message;
  line.hidden = false;
  line.closest("details")?.setAttribute("open", "");
  const control = line.dataset.errorFor === "form" ? null : controlFor(name);
  if (control) {
    control.setAttribute("aria-invalid", "true");
    if (focus) control.focus();
  } else if (focus) {
    line.scrollIntoView({ block: "nearest" });
  }
}

function clearError(name) {
  clearFieldErrors(form, name);
  controlFor(name)?.removeAttribute("aria-invalid");
  clearFieldErrors(form, "form");
}

function clearErrors() {
  clearFieldErrors(form);
  for (const control of form.querySelectorAll('[aria-invalid="true"]')) control.removeAttribute("aria-invalid");
}

// ---------- open and submit ----------

/** Opens the Tune dialog; `from` gets the focus back when it closes. */
export function openTune(from = document.activeElement) {
  if (!dialog) build();
  if (dialog.node.open) return;
  clearErrors();
  fillBasics();
  if (spaceState.loaded) resetSpace();
  else loadSpace();
  updateCount();
  spaceDetails.open = false;
  settingsDetails.open = false;
  updateEstimate();
  dialog.open({ returnFocus: from instanceof HTMLElement ? from : null });
  controls.game.focus();
}

function buildRequest() {
  const errors = [];
  const body = {
    game: controls.game.value,
    algorithm: selectedAlgorithm(),
    sampler: controls.sampler.value,
    pruner: controls.pruner.value,
  };
  if (!body.game) errors.push({ field: "game", message: "Pick a game to tune for." });
  const trials = readWhole(controls.trials.value, MIN_TRIALS, MAX_TRIALS, "Trials");
  if (trials.error) errors.push({ field: "n_trials", message: trials.error });
  else body.n_trials = trials.value;
  const steps = readWhole(controls.steps.value, MIN_TRIAL_STEPS, MAX_TRIAL_STEPS, "Steps per trial");
  if (steps.error) errors.push({ field: "timesteps_per_trial", message: steps.error });
  else body.timesteps_per_trial = steps.value;
  const name = controls.name.value.trim();
  if (name) body.name = name;
  if (spaceState.loaded) {
    const space = buildSpace(editor.read(), spaceState.bounds, editor.wholeNames());
    errors.push(...space.errors);
    body.params = space.params;
  }
  const config = {};
  for (const [key, [label, , min, max]] of Object.entries(TRIAL_SETTINGS)) {
    const raw = controls.settings[key].value.trim();
    if (raw === "") continue;
    const read = readWhole(raw, min, max, label);
    if (read.error) errors.push({ field: `config.${key}`, message: read.error });
    else config[key] = read.value;
  }
  if (Object.keys(config).length) body.config = config;
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
    const { study } = await createStudy(body);
    setStarting(false);
    dialog.close();
    showToast("Study started", { kind: "success", detail: `${study.name}: its trials appear on its page as they run.` });
    navigate("studies", study.id);
  } catch (failure) {
    if (failure.kind === "auth") {
      dialog.node.close();
      return;
    }
    showError(failure.field ?? "form", errorText(failure));
    if (!failure.field) showToast("The study did not start", { kind: "error", detail: errorText(failure) });
  } finally {
    setStarting(false);
  }
}

function setStarting(value) {
  dialog.setBusy(value, { button: startButton, label: "Start study", busyLabel: "Starting…", block: closeButtons });
}

/** The Training tab's button that opens Tune. */
export function tuneButton() {
  return el(
    "button",
    {
      type: "button",
      class: "button",
      dataset: { field: "tune-open" },
      title: "Search the best settings for a game: a study of many short trials (Optuna)",
      onclick: (event) => openTune(event.currentTarget),
    },
    icon("forward"),
    el("span", { class: "button__label" }, "Tune"),
  );
}
