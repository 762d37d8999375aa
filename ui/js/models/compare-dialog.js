// Compare 2–4 versions of one game head to head: every version plays the same games (same
// seeds) in a background job; then a table of their scores with each one's difference from
// the first and whether it is beyond noise (the test named), and the side-by-side video.
// `openCompare(models, {start: true})` starts at once with the defaults (a run's
// "Compare step X vs final"). Closing the dialog does not stop the job.

import { clearFieldErrors, closeIconButton, createDialog, showFieldError } from "../shell/dialog.js";
import { el, replaceChildren, setText } from "../shell/dom.js";
import { formatInt } from "../shell/format.js";
import * as state from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { progressBar, setProgress } from "../shell/widgets.js";
import { errorText } from "../experiments/parts.js";
import { cancelModelJob, compareModels } from "./api.js";
import { comparisonTable } from "./compare-table.js";
import { onJob, trackJob } from "./jobs.js";
import { DEFAULT_EPISODES, MAX_EPISODES, MAX_SEED, jobPercent, jobStageText, kindLabel, versionLabel } from "./models-format.js";
import { numberField, videoPanel } from "./parts.js";

let dialog = null;
let parts;
let models = [];
let jobId = null;

function ensureDialog() {
  if (dialog) return;
  const episodes = numberField("compare-episodes", "Games per version", { min: 1, max: MAX_EPISODES, value: DEFAULT_EPISODES, hint: "Each version plays these games on the same seeds." });
  const seed = numberField("compare-seed", "Seed", { min: 0, max: MAX_SEED, value: 0, hint: "Game i plays seed + i, for every version." });
  const start = el("button", { type: "submit", class: "button button--primary", dataset: { field: "compare-start" } }, el("span", { class: "button__label" }, "Compare"));
  const chosen = el("ol", { class: "models-chosen", dataset: { field: "compare-chosen" } });
  const form = el(
    "form",
    { class: "models-form", novalidate: true },
    el("div", { class: "models-form__row" }, episodes.field, seed.field),
    el("p", { class: "form__error form__error--block", dataset: { errorFor: "form" }, role: "alert", hidden: true }),
    el("div", { class: "models-form__actions" }, start),
  );
  const bar = progressBar({ label: "Comparison progress", field: "compare-progress", value: 0 });
  const stage = el("p", { class: "models-job__stage figure", dataset: { field: "compare-stage" } });
  const cancel = el("button", { type: "button", class: "button button--small button--quiet-danger", dataset: { field: "compare-cancel" } }, el("span", { class: "button__label" }, "Cancel comparison"));
  const running = el(
    "section",
    { class: "models-job", hidden: true },
    el("div", { class: "models-job__line" }, stage, cancel),
    bar,
    el("p", { class: "form__hint" }, "You can close this window: the comparison carries on, and its video joins the Videos tab when it is done."),
  );
  const failed = el("p", { class: "card-message card-message--error", role: "alert", hidden: true, dataset: { field: "compare-error" } });
  const result = el("section", { class: "models-result", hidden: true, dataset: { field: "compare-result" } });
  const title = el("h2", { class: "dialog__title", id: "compare-models-title" });
  const node = el(
    "dialog",
    { class: "dialog models-dialog models-dialog--wide", dataset: { testid: "compare-dialog" }, "aria-labelledby": "compare-models-title" },
    el("div", { class: "dialog__head" }, title, closeIconButton()),
    el("div", { class: "dialog__body models-dialog__body" }, chosen, form, running, failed, result),
  );
  parts = { title, chosen, form, episodes, seed, start, running, bar, stage, cancel, failed, result };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  cancel.addEventListener("click", () => cancelJob());
  dialog = createDialog(node, {
    onClose: () => {
      replaceChildren(result);
      jobId = null;
    },
  });
  document.body.append(node);
  onJob((kind, job) => {
    if (kind === "compare" && job.id === jobId) showJob(job);
  });
}

/** The chosen versions, the first marked as the one the others are measured against. */
function renderChosen() {
  replaceChildren(
    parts.chosen,
    models.map((model, index) =>
      el(
        "li",
        { class: "models-chosen__item" },
        el("span", { class: "models-chosen__name" }, versionLabel(model, state.gameName)),
        el("span", { class: "experiments__count" }, ` ${kindLabel(model.kind)} · ${model.name}`),
        index === 0 ? el("span", { class: "exp-badge", title: "The others' differences are measured against this one" }, "baseline") : null,
      ),
    ),
  );
}

/** Opens the dialog for 2–4 `versions` (the first is the baseline); `start`: begin at once. */
export function openCompare(versions, { returnFocus = null, start = false } = {}) {
  ensureDialog();
  models = [...versions];
  jobId = null;
  setText(parts.title, `Compare ${models.length} versions of ${state.gameName(models[0]?.game)}`);
  clearFieldErrors(parts.form);
  parts.failed.hidden = true;
  parts.result.hidden = true;
  replaceChildren(parts.result);
  parts.form.hidden = false;
  parts.running.hidden = true;
  renderChosen();
  dialog.open({ returnFocus });
  if (start) submit();
  else parts.start.focus();
}

async function submit() {
  if (!models.length || dialog.isBusy()) return;
  clearFieldErrors(parts.form);
  parts.failed.hidden = true;
  const body = { model_ids: models.map((m) => m.id), episodes: parts.episodes.value() ?? DEFAULT_EPISODES };
  const seed = parts.seed.value();
  if (seed !== null) body.seed = seed;
  const busy = (value) => dialog.setBusy(value, { button: parts.start, label: "Compare", busyLabel: "Starting…" });
  busy(true);
  try {
    const answer = await compareModels(body);
    busy(false);
    jobId = answer.job.id;
    trackJob("compare", answer.job);
    showJob(answer.job);
  } catch (error) {
    busy(false);
    if (error.kind === "auth") return;
    const field = error.field === "episodes" || error.field === "seed" ? `compare-${error.field}` : "form";
    showFieldError(parts.form, field, errorText(error));
  }
}

function showJob(job) {
  const finished = ["completed", "failed", "cancelled"].includes(job.status);
  parts.form.hidden = !finished;
  parts.running.hidden = finished;
  if (!finished) {
    parts.result.hidden = true;
    setProgress(parts.bar, jobPercent(job), { valueText: jobStageText(job) });
    setText(parts.stage, `${jobStageText(job)} · ${formatInt(job.games_total)} games in all`);
    return;
  }
  jobId = null;
  if (job.status !== "completed") {
    parts.failed.hidden = false;
    setText(parts.failed, job.status === "cancelled" ? "The comparison was cancelled: nothing was kept." : `The comparison failed: ${job.error ?? "no reason given"}`);
    return;
  }
  const result = job.result ?? {};
  parts.result.hidden = false;
  replaceChildren(
    parts.result,
    comparisonTable(result, (id) => models.find((m) => m.id === id)),
    result.video_id
      ? videoPanel(result.video_id, "The games side by side, each labelled with its version and live score", "compare-video")
      : el("p", { class: "form__hint" }, "No side-by-side video was recorded."),
  );
}

async function cancelJob() {
  const id = jobId;
  if (!id || parts.cancel.getAttribute("aria-disabled") === "true") return;
  const busy = (value) => dialog.setBusy(value, { button: parts.cancel, label: "Cancel comparison", busyLabel: "Cancelling…" });
  busy(true);
  try {
    const answer = await cancelModelJob(id);
    busy(false);
    trackJob("compare", answer.job);
  } catch (error) {
    busy(false);
    if (error.kind === "auth") return;
    showToast("Could not cancel the comparison", { kind: "error", detail: errorText(error) });
  }
}
