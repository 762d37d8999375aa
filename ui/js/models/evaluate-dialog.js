// Evaluate a version: N games (default 10) from a seed, in a background job. The dialog shows
// the form, then the job's bar from its events (Cancel stops it), then the mean/std/max, a
// histogram of the scores and the best game's video. Closing the dialog does not stop the job:
// the row shows its progress and reopening the dialog shows it again.

import { clearFieldErrors, closeIconButton, createDialog, showFieldError } from "../shell/dialog.js";
import { el, replaceChildren, setText } from "../shell/dom.js";
import { formatInt, formatReward, formatWhen } from "../shell/format.js";
import * as state from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { progressBar, setProgress } from "../shell/widgets.js";
import { errorText } from "../experiments/parts.js";
import { cancelModelJob, evaluateModel } from "./api.js";
import { scoreHistogram } from "./histogram.js";
import { getJob, onJob, runningJobsOf, trackJob } from "./jobs.js";
import { MAX_EPISODES, MAX_SEED, capNote, jobPercent, jobStageText, versionLabel } from "./models-format.js";
import { numberField, videoPanel } from "./parts.js";

let dialog = null;
let parts;
let model = null;
let jobId = null;

function ensureDialog() {
  if (dialog) return;
  const episodes = numberField("evaluate-episodes", "Games", { min: 1, max: MAX_EPISODES, value: 10, hint: `How many games it plays (1 to ${formatInt(MAX_EPISODES)}).` });
  const seed = numberField("evaluate-seed", "Seed", { min: 0, max: MAX_SEED, value: 0, hint: "Game i plays seed + i: the same seed gives the same games." });
  const record = el("input", { type: "checkbox", checked: true, dataset: { field: "evaluate-record" } });
  const start = el("button", { type: "submit", class: "button button--primary", dataset: { field: "evaluate-start" } }, el("span", { class: "button__label" }, "Evaluate"));
  const form = el(
    "form",
    { class: "models-form", novalidate: true, dataset: { field: "evaluate-form" } },
    el("div", { class: "models-form__row" }, episodes.field, seed.field),
    el("label", { class: "check" }, record, el("span", {}, "Record the best game as a video")),
    el("p", { class: "form__error form__error--block", dataset: { errorFor: "form" }, role: "alert", hidden: true }),
    el("div", { class: "models-form__actions" }, start),
  );
  const bar = progressBar({ label: "Evaluation progress", field: "evaluate-progress", value: 0 });
  const stage = el("p", { class: "models-job__stage figure", dataset: { field: "evaluate-stage" } });
  const cancel = el("button", { type: "button", class: "button button--small button--quiet-danger", dataset: { field: "evaluate-cancel" } }, el("span", { class: "button__label" }, "Cancel evaluation"));
  const running = el(
    "section",
    { class: "models-job", hidden: true, dataset: { field: "evaluate-running" } },
    el("div", { class: "models-job__line" }, stage, cancel),
    bar,
    el("p", { class: "form__hint" }, "You can close this window: the evaluation carries on and its row shows how far it is."),
  );
  const failed = el("p", { class: "card-message card-message--error", role: "alert", hidden: true, dataset: { field: "evaluate-error" } });
  const result = el("section", { class: "models-result", hidden: true, dataset: { field: "evaluate-result" } });
  const title = el("h2", { class: "dialog__title", id: "evaluate-title" });
  const node = el(
    "dialog",
    { class: "dialog models-dialog", dataset: { testid: "evaluate-dialog" }, "aria-labelledby": "evaluate-title" },
    el("div", { class: "dialog__head" }, title, closeIconButton()),
    el("div", { class: "dialog__body models-dialog__body" }, form, running, failed, result),
  );
  parts = { node, title, form, episodes, seed, record, start, running, bar, stage, cancel, failed, result };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  cancel.addEventListener("click", () => cancelJob());
  dialog = createDialog(node, {
    onClose: () => {
      replaceChildren(result); // stops a playing video
      model = null;
      jobId = null;
    },
  });
  document.body.append(node);
  onJob((kind, job) => {
    if (kind === "evaluate" && job.id === jobId) showJob(job);
  });
}

/** Opens the dialog for `model`: its running evaluation if it has one, else the form and its last result. */
export function openEvaluate(version, { returnFocus = null } = {}) {
  ensureDialog();
  model = version;
  setText(parts.title, `Evaluate ${versionLabel(version, state.gameName)}`);
  clearFieldErrors(parts.form);
  parts.failed.hidden = true;
  const runningJob = runningJobsOf("evaluate", version.id)[0];
  jobId = runningJob?.id ?? null;
  if (runningJob) showJob(runningJob);
  else {
    showForm();
    showEvaluation(version.evaluation, "Last evaluation");
  }
  dialog.open({ returnFocus });
  (runningJob ? parts.cancel : parts.episodes.input).focus();
}

function showForm() {
  parts.form.hidden = false;
  parts.running.hidden = true;
}

async function submit() {
  if (!model || dialog.isBusy()) return;
  clearFieldErrors(parts.form);
  parts.failed.hidden = true;
  const body = { episodes: parts.episodes.value(), record: parts.record.checked };
  const seed = parts.seed.value();
  if (seed !== null) body.seed = seed;
  const busy = (value) => dialog.setBusy(value, { button: parts.start, label: "Evaluate", busyLabel: "Starting…" });
  busy(true);
  try {
    const answer = await evaluateModel(model.id, body);
    busy(false);
    jobId = answer.job.id;
    trackJob("evaluate", answer.job);
    showJob(getJob(jobId) ?? answer.job);
  } catch (error) {
    busy(false);
    if (error.kind === "auth") return;
    const field = error.field === "episodes" || error.field === "seed" ? `evaluate-${error.field}` : "form";
    showFieldError(parts.form, field, errorText(error));
  }
}

function showJob(job) {
  const finished = ["completed", "failed", "cancelled"].includes(job.status);
  parts.form.hidden = !finished;
  parts.running.hidden = finished;
  if (!finished) {
    replaceChildren(parts.result);
    parts.result.hidden = true;
    setProgress(parts.bar, jobPercent(job), { valueText: jobStageText(job) });
    setText(parts.stage, jobStageText(job));
    return;
  }
  jobId = null;
  if (job.status === "completed") {
    const evaluation = job.result?.evaluation ?? null;
    if (model && evaluation) model = { ...model, evaluation };
    showEvaluation(evaluation, "Result", job.result);
    parts.start.querySelector(".button__label").textContent = "Evaluate again";
  } else {
    parts.failed.hidden = false;
    setText(parts.failed, job.status === "cancelled" ? "The evaluation was cancelled: nothing was stored." : `The evaluation failed: ${job.error ?? "no reason given"}`);
  }
}

function showEvaluation(evaluation, heading, result = null) {
  parts.result.hidden = !evaluation;
  parts.start.querySelector(".button__label").textContent = evaluation ? "Evaluate again" : "Evaluate";
  if (!evaluation) {
    replaceChildren(parts.result);
    return;
  }
  const figure = (label, value, field) =>
    el("div", { class: "models-figure" }, el("dt", {}, label), el("dd", { class: "figure", dataset: { field } }, value));
  const note = capNote(result?.capped, result?.max_seconds);
  const capped = note ? el("p", { class: "form__hint", dataset: { field: "evaluate-capped" } }, note) : null;
  replaceChildren(
    parts.result,
    el(
      "div",
      { class: "models-result__head" },
      el("h3", { class: "section-title" }, heading),
      el("span", { class: "experiments__count" }, `${formatInt(evaluation.episodes)} games from seed ${evaluation.seed} · ${formatWhen(evaluation.evaluated)}`),
    ),
    el(
      "dl",
      { class: "models-figures" },
      figure("Mean", formatReward(evaluation.mean_score), "evaluate-mean"),
      figure("Std", formatReward(evaluation.std_score), "evaluate-std"),
      figure("Max", formatReward(evaluation.max_score), "evaluate-max"),
      figure("Min", formatReward(evaluation.min_score), "evaluate-min"),
    ),
    capped,
    scoreHistogram(evaluation.scores ?? []),
    evaluation.video_id ? videoPanel(evaluation.video_id, "The best game", "evaluate-video") : null,
  );
}

async function cancelJob() {
  const id = jobId;
  if (!id || parts.cancel.getAttribute("aria-disabled") === "true") return;
  const busy = (value) => dialog.setBusy(value, { button: parts.cancel, label: "Cancel evaluation", busyLabel: "Cancelling…" });
  busy(true);
  try {
    const answer = await cancelModelJob(id);
    busy(false);
    trackJob("evaluate", answer.job);
  } catch (error) {
    busy(false);
    if (error.kind === "auth") return;
    showToast("Could not cancel the evaluation", { kind: "error", detail: errorText(error) });
  }
}
