// Export a version: SB3 zip, ONNX (checked with onnxruntime against SB3 on real frames) or the
// Hugging Face folder, into a folder typed or picked with the desktop window's picker. The job
// runs in the background with a bar from its `model.export.*` events and a Cancel; the result
// says where the files went and, for ONNX, what the check found.

import { clearFieldErrors, closeIconButton, createDialog, showFieldError } from "../shell/dialog.js";
import { hasFolderPicker, pickFolder } from "../shell/desktop.js";
import { el, replaceChildren, setText } from "../shell/dom.js";
import * as state from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { progressBar, setProgress } from "../shell/widgets.js";
import { errorText } from "../experiments/parts.js";
import { errorLine, fillExportFolder, folderPlaceholder, formatChoices, rememberExportFolder } from "../videos/export-controls.js";
import { cancelModelExport, exportModel } from "./api.js";
import { onJob, runningJobsOf, trackJob } from "./jobs.js";
import { EXPORT_FORMATS, jobPercent, onnxCheckText, versionLabel } from "./models-format.js";

const FORMATS = EXPORT_FORMATS.map(([id, label, description]) => ({ id, label, description }));

let dialog = null;
let parts;
let model = null;
let format = "onnx";
let jobId = null;

function ensureDialog() {
  if (dialog) return;
  const destination = el("input", {
    type: "text",
    class: "input",
    id: "model-export-dest",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: folderPlaceholder(),
    dataset: { field: "model-export-dest" },
    "aria-describedby": "model-export-dest-hint",
  });
  const choose = el("button", { type: "button", class: "button", hidden: !hasFolderPicker() }, "Choose…");
  const formats = el("div", { class: "radio-group models-export__formats", role: "radiogroup", "aria-label": "Format" });
  const start = el("button", { type: "submit", class: "button button--primary", dataset: { field: "model-export-start" } }, el("span", { class: "button__label" }, "Export"));
  const form = el(
    "form",
    { class: "models-form", novalidate: true },
    el("fieldset", { class: "form__fieldset" }, el("legend", { class: "form__label" }, "Format"), formats, errorLine("format")),
    el(
      "div",
      { class: "form__field" },
      el("label", { class: "form__label", for: "model-export-dest" }, "Save in folder"),
      el("div", { class: "export-destination" }, destination, choose),
      el("p", { class: "form__hint", id: "model-export-dest-hint" }, "A folder on this computer; the export never overwrites a file there (it adds “ (2)”)."),
      errorLine("dest"),
    ),
    el("p", { class: "form__error form__error--block", dataset: { errorFor: "form" }, role: "alert", hidden: true }),
    el("div", { class: "models-form__actions" }, start),
  );
  const bar = progressBar({ label: "Export progress", field: "model-export-progress", value: 0 });
  const stage = el("p", { class: "models-job__stage", dataset: { field: "model-export-stage" } });
  const cancel = el("button", { type: "button", class: "button button--small button--quiet-danger", dataset: { field: "model-export-cancel" } }, el("span", { class: "button__label" }, "Cancel export"));
  const running = el("section", { class: "models-job", hidden: true }, el("div", { class: "models-job__line" }, stage, cancel), bar);
  const outcome = el("div", { class: "models-export__outcome", hidden: true, dataset: { field: "model-export-result" } });
  const title = el("h2", { class: "dialog__title", id: "model-export-title" });
  const node = el(
    "dialog",
    { class: "dialog models-dialog", dataset: { testid: "model-export-dialog" }, "aria-labelledby": "model-export-title" },
    el("div", { class: "dialog__head" }, title, closeIconButton()),
    el("div", { class: "dialog__body models-dialog__body" }, form, running, outcome),
  );
  parts = { title, form, formats, destination, choose, start, running, bar, stage, cancel, outcome };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  choose.addEventListener("click", () => chooseFolder());
  cancel.addEventListener("click", () => cancelJob());
  window.addEventListener("pywebviewready", () => {
    choose.hidden = !hasFolderPicker();
  });
  dialog = createDialog(node, { onClose: () => (jobId = null) });
  document.body.append(node);
  onJob((kind, job) => {
    if (kind === "export" && job.id === jobId) showJob(job);
  });
}

function renderFormats() {
  replaceChildren(parts.formats, formatChoices(FORMATS, format, (id) => (format = id)));
}

export function openExport(version, { returnFocus = null } = {}) {
  ensureDialog();
  model = version;
  setText(parts.title, `Export ${versionLabel(version, state.gameName)}`);
  clearFieldErrors(parts.form);
  renderFormats();
  if (!parts.destination.value) fillExportFolder(parts.destination);
  parts.outcome.hidden = true;
  const runningJob = runningJobsOf("export", version.id)[0];
  jobId = runningJob?.id ?? null;
  if (runningJob) showJob(runningJob);
  else {
    parts.form.hidden = false;
    parts.running.hidden = true;
  }
  dialog.open({ returnFocus });
  (runningJob ? parts.cancel : parts.destination).focus();
}

async function chooseFolder() {
  try {
    const folder = await pickFolder(parts.destination.value.trim() || null);
    if (folder) parts.destination.value = folder;
  } catch (error) {
    showFieldError(parts.form, "dest", `The folder picker did not open (${error?.message ?? error}). Type the folder's path instead.`);
  }
  parts.destination.focus();
}

async function submit() {
  if (!model || dialog.isBusy()) return;
  clearFieldErrors(parts.form);
  parts.outcome.hidden = true;
  const dest = parts.destination.value.trim();
  if (!dest) {
    showFieldError(parts.form, "dest", "Choose a folder, or type its full path.");
    parts.destination.focus();
    return;
  }
  const busy = (value) => dialog.setBusy(value, { button: parts.start, label: "Export", busyLabel: "Starting…" });
  busy(true);
  try {
    const answer = await exportModel(model.id, { format, dest });
    busy(false);
    rememberExportFolder(dest);
    jobId = answer.job.id;
    trackJob("export", answer.job);
    showJob(answer.job);
  } catch (error) {
    busy(false);
    if (error.kind === "auth") return;
    showFieldError(parts.form, ["dest", "format"].includes(error.field) ? error.field : "form", errorText(error));
  }
}

function showJob(job) {
  const finished = ["completed", "failed", "cancelled"].includes(job.status);
  parts.form.hidden = !finished;
  parts.running.hidden = finished;
  if (!finished) {
    setProgress(parts.bar, jobPercent(job), { valueText: job.stage });
    setText(parts.stage, job.stage ? `${job.stage.charAt(0).toUpperCase()}${job.stage.slice(1)}…` : "Starting…");
    return;
  }
  jobId = null;
  parts.outcome.hidden = false;
  if (job.status !== "completed") {
    parts.outcome.className = "models-export__outcome card-message card-message--error";
    replaceChildren(
      parts.outcome,
      job.status === "cancelled" ? "The export was cancelled: nothing was left in the folder." : `The export failed: ${job.error ?? "no reason given"} Nothing was left in the folder.`,
    );
    return;
  }
  const check = onnxCheckText(job.result);
  parts.outcome.className = `models-export__outcome card-message ${check && !check.ok ? "card-message--warning" : "card-message--success"}`;
  replaceChildren(
    parts.outcome,
    el("p", {}, "Exported to ", el("code", { class: "path", dataset: { field: "model-export-path" } }, job.output_paths?.[0] ?? job.destination)),
    check ? el("p", { dataset: { field: "model-export-check", ok: String(check.ok) } }, check.text) : null,
  );
}

async function cancelJob() {
  const id = jobId;
  if (!id || parts.cancel.getAttribute("aria-disabled") === "true") return;
  const busy = (value) => dialog.setBusy(value, { button: parts.cancel, label: "Cancel export", busyLabel: "Cancelling…" });
  busy(true);
  try {
    const answer = await cancelModelExport(id);
    busy(false);
    trackJob("export", answer.job);
  } catch (error) {
    busy(false);
    if (error.kind === "auth") return;
    showToast("Could not cancel the export", { kind: "error", detail: errorText(error) });
  }
}
