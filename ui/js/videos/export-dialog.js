// "Export…" on a video and "Share model…" on a finished run: one dialog. First the setup
// (the formats that apply, their options, the destination folder: typed as an absolute
// path, or chosen with the desktop window's folder picker), then the job itself: a progress
// bar fed by `export.progress`, Cancel, and the result. Closing the dialog does not stop an
// export: export-jobs.js says with a toast when it ends.
//
// The server checks everything; its refusals land under the field they are about
// (`field: "destination"`, `"exporter"`, `"options.<name>"`), anything else above the buttons.

import { api } from "../shell/api.js";
import { clearFieldErrors, closeIconButton, createDialog, showFieldError } from "../shell/dialog.js";
import { hasFolderPicker, pickFolder } from "../shell/desktop.js";
import { el, replaceChildren, setText } from "../shell/dom.js";
import {
  errorLine,
  fillExportFolder,
  folderPlaceholder,
  formatChoices,
  jobViewParts,
  optionControl,
  rememberExportFolder,
  renderJobView,
} from "./export-controls.js";
import { defaultOptions, exportTitle, exportersFor, isFinishedJob } from "./export-format.js";
import { cancelJob, getJob, onJobChange, trackJob } from "./export-jobs.js";
import { videoIcon } from "./icons.js";
import { formatClock, videoTypeLabel } from "./video-format.js";

let dialog = null; // createDialog's controller, once built
let title;
let lead;
let setup;
let formatList;
let optionsSlot;
let conflictSlot; // "If the file exists", under the folder it is about
let destination;
let chooseButton;
let formError;
let jobPanel;
let submitButton;
let closeButton;
let backButton;
let cancelJobButton;

let catalog = null; // the exporters, once loaded
let subject = null; // {kind: "video"|"experiment", id, name, target}
let selected = null; // the chosen exporter's id
const optionValues = new Map(); // exporter id → {option name: value}, kept while the page lives
let jobId = null; // the job this dialog shows (null: the setup)

function ensureDialog() {
  if (dialog) return;
  title = el("h2", { class: "dialog__title", id: "export-title" }, "Export");
  lead = el("p", { class: "dialog__lead", dataset: { field: "export-lead" } });
  formatList = el("div", { class: "export-formats", dataset: { field: "export-formats" } });
  optionsSlot = el("div", { class: "export-options" });
  conflictSlot = el("div", { class: "export-options" });
  destination = el("input", {
    class: "input input--text",
    id: "export-destination",
    name: "destination",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: folderPlaceholder(),
    "aria-describedby": "export-destination-hint export-destination-error",
  });
  chooseButton = el(
    "button",
    { type: "button", class: "button", hidden: true, onclick: () => chooseFolder() },
    videoIcon("folder", 14),
    el("span", { class: "button__label" }, "Choose…"),
  );
  formError = el("p", {
    class: "form__error form__error--block",
    role: "alert",
    dataset: { errorFor: "form", field: "export-error" },
    hidden: true,
  });
  setup = el(
    "div",
    { class: "export-setup" },
    el(
      "fieldset",
      { class: "form__field form__fieldset" },
      el("legend", { class: "form__label" }, "Format"),
      formatList,
      errorLine("exporter"),
    ),
    optionsSlot,
    el(
      "div",
      { class: "form__field" },
      el("label", { class: "form__label", for: "export-destination" }, "Save in folder"),
      el("div", { class: "export-destination" }, destination, chooseButton),
      el(
        "p",
        { class: "form__hint", id: "export-destination-hint" },
        "The full path of a folder that exists.",
      ),
      errorLine("destination", "export-destination-error"),
    ),
    conflictSlot,
    formError,
  );
  jobPanel = el("section", { class: "export-job", dataset: { testid: "export-job" }, hidden: true });

  submitButton = el(
    "button",
    { type: "submit", class: "button button--primary", dataset: { field: "export-submit" } },
    el("span", { class: "button__label" }, "Export"),
  );
  closeButton = el("button", { type: "button", class: "button", onclick: () => dialog.close() }, "Cancel");
  backButton = el("button", { type: "button", class: "button", hidden: true, onclick: () => showSetup() }, "Back");
  cancelJobButton = el(
    "button",
    { type: "button", class: "button button--danger export-job__cancel", hidden: true, onclick: () => cancel() },
    el("span", { class: "button__label" }, "Cancel export"),
  );
  const form = el(
    "form",
    { class: "dialog__form", novalidate: true },
    el(
      "div",
      { class: "dialog__head" },
      title,
      closeIconButton(() => dialog.close()),
    ),
    el("div", { class: "dialog__body" }, lead, setup, jobPanel),
    el("div", { class: "dialog__foot" }, cancelJobButton, backButton, closeButton, submitButton),
  );
  const node = el(
    "dialog",
    { class: "dialog dialog--export", dataset: { testid: "export-dialog" }, "aria-labelledby": "export-title" },
    form,
  );
  dialog = createDialog(node, {
    onClose: () => {
      subject = null;
      jobId = null;
    },
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  destination.addEventListener("input", () => clearError("destination"));
  onJobChange((job) => {
    if (dialog.node.open && job.id === jobId) renderJob(job);
  });
  // The desktop window's bridge arrives a moment after the page.
  window.addEventListener("pywebviewready", () => {
    chooseButton.hidden = !hasFolderPicker();
  });
  document.body.append(node);
}

/**
 * `{video}` exports a video, `{experiment}` shares a run's model. `returnFocus`: an element,
 * or a function giving one when the dialog closes (the row may have been re-rendered).
 */
export function openExportDialog({ video = null, experiment = null }, { returnFocus: focusTarget = null } = {}) {
  ensureDialog();
  if (video) {
    subject = { kind: "video", id: video.id, name: video.name, target: "video" };
    setText(title, "Export video");
    replaceChildren(
      lead,
      el("span", { class: "video-type", dataset: { type: video.type } }, videoTypeLabel(video)),
      " ",
      el("strong", { dataset: { field: "export-name" } }, video.name),
      ` · ${formatClock(video.metadata?.duration)}`,
    );
  } else {
    subject = { kind: "experiment", id: experiment.id, name: experiment.name, target: "experiment" };
    setText(title, "Share model");
    replaceChildren(
      lead,
      "The trained model of ",
      el("strong", { dataset: { field: "export-name" } }, experiment.name),
      ", ready to share.",
    );
  }
  dialog.node.dataset.subject = subject.kind;
  chooseButton.hidden = !hasFolderPicker();
  fillExportFolder(destination);
  showSetup();
  dialog.open({ returnFocus: focusTarget });
  loadCatalog();
}

async function loadCatalog() {
  const forSubject = subject;
  if (!catalog) {
    replaceChildren(
      formatList,
      el("span", { class: "skeleton export-format--skeleton", "aria-hidden": "true" }),
      el("span", { class: "visually-hidden" }, "Loading the export formats…"),
    );
    submitButton.setAttribute("aria-disabled", "true");
    try {
      catalog = (await api.exporters()).exporters ?? [];
    } catch (error) {
      if (error.kind === "auth") return;
      replaceChildren(formatList);
      showError("form", `Could not load the export formats: ${error.message} Close this window and try again.`);
      return;
    }
    if (subject !== forSubject) return; // closed or reopened meanwhile
  }
  const exporters = exportersFor(catalog, subject.target);
  if (!exporters.some((exporter) => exporter.id === selected)) selected = exporters[0]?.id ?? null;
  renderFormats(exporters);
  renderOptions();
  submitButton.removeAttribute("aria-disabled");
  focusFirst();
}

function focusFirst() {
  const checked = formatList.querySelector("input:checked");
  (checked ?? destination).focus();
}

function renderFormats(exporters) {
  if (!exporters.length) {
    replaceChildren(formatList, el("p", { class: "empty-note" }, "No export format applies here."));
    submitButton.setAttribute("aria-disabled", "true");
    return;
  }
  replaceChildren(
    formatList,
    formatChoices(exporters, selected, (id) => {
      selected = id;
      clearError("exporter");
      renderOptions();
    }),
  );
}

function currentExporter() {
  return catalog?.find((exporter) => exporter.id === selected) ?? null;
}

function valuesFor(exporter) {
  if (!optionValues.has(exporter.id)) optionValues.set(exporter.id, defaultOptions(exporter));
  return optionValues.get(exporter.id);
}

/** The chosen format's options: its own above the folder, "If the file exists" under it. */
function renderOptions() {
  const exporter = currentExporter();
  if (!exporter) {
    replaceChildren(optionsSlot);
    replaceChildren(conflictSlot);
    return;
  }
  const values = valuesFor(exporter);
  const controls = (exporter.options ?? []).map((option) => [option.name, optionControl(option, values, clearError)]);
  replaceChildren(optionsSlot, controls.filter(([name]) => name !== "on_conflict").map(([, control]) => control));
  replaceChildren(conflictSlot, controls.filter(([name]) => name === "on_conflict").map(([, control]) => control));
}

async function chooseFolder() {
  try {
    const folder = await pickFolder(destination.value.trim() || null);
    if (folder) {
      destination.value = folder;
      clearError("destination");
    }
  } catch (error) {
    const reason = error?.message ?? String(error);
    showError("destination", `The folder picker did not open (${reason}). Type the folder's path instead.`);
  }
  destination.focus();
}

async function submit() {
  if (!subject || dialog.isBusy() || jobId || submitButton.getAttribute("aria-disabled") === "true") return;
  const exporter = currentExporter();
  if (!exporter) return;
  clearErrors();
  const folder = destination.value.trim();
  if (!folder) {
    showError("destination", "Choose a folder, or type its full path.");
    destination.focus();
    return;
  }
  const body = { exporter: exporter.id, destination: folder, options: { ...valuesFor(exporter) } };
  const forSubject = subject;
  setSubmitting(true);
  try {
    const { job } =
      subject.kind === "video" ? await api.exportVideo(subject.id, body) : await api.exportExperiment(subject.id, body);
    rememberExportFolder(folder);
    const latest = trackJob(job);
    if (subject !== forSubject) return; // closed meanwhile: the toast will tell
    jobId = job.id;
    showJob(latest, exporter, body.options);
  } catch (error) {
    if (error.kind === "auth") {
      dialog.node.close();
      return;
    }
    showError(error.field ?? "form", error.message);
  } finally {
    setSubmitting(false);
  }
}

function setSubmitting(value) {
  dialog.setBusy(value, { button: submitButton, label: "Export", busyLabel: "Starting…" });
}

// ---------- the job ----------

function showJob(job, exporter, options) {
  setup.hidden = true;
  submitButton.hidden = true;
  backButton.hidden = true;
  replaceChildren(jobPanel, jobViewParts(exportTitle(exporter, options)));
  jobPanel.hidden = false;
  renderJob(job);
  (cancelJobButton.hidden ? closeButton : cancelJobButton).focus();
}

function renderJob(job) {
  const finished = isFinishedJob(job);
  renderJobView(jobPanel, job);
  const hadFocus = dialog.node.contains(document.activeElement) ? document.activeElement : null;
  cancelJobButton.hidden = finished;
  backButton.hidden = !(job.status === "failed" || job.status === "cancelled");
  setText(closeButton, finished ? (job.status === "completed" ? "Done" : "Close") : "Close");
  if (finished && (!hadFocus || hadFocus.hidden || hadFocus === cancelJobButton)) closeButton.focus();
}

async function cancel() {
  if (!jobId || dialog.isBusy()) return;
  const id = jobId;
  setCancelBusy(true);
  try {
    await cancelJob(id);
  } catch (error) {
    if (error.kind !== "auth" && jobId === id) {
      setText(jobPanel.querySelector('[data-field="export-status"]'), `Could not cancel: ${error.message}`);
    }
  } finally {
    setCancelBusy(false);
    const job = getJob(id);
    if (job && jobId === id) renderJob(job);
  }
}

function setCancelBusy(value) {
  dialog.setBusy(value, { button: cancelJobButton, label: "Cancel export", busyLabel: "Cancelling…" });
}

// ---------- setup ⇄ job, errors ----------

function showSetup() {
  jobId = null;
  jobPanel.hidden = true;
  delete jobPanel.dataset.status;
  replaceChildren(jobPanel);
  setup.hidden = false;
  submitButton.hidden = false;
  cancelJobButton.hidden = true;
  backButton.hidden = true;
  setText(closeButton, "Cancel");
  clearErrors();
  setSubmitting(false);
  if (dialog.node.open && catalog) focusFirst();
}

/** Shows `message` under the field it is about (else above the buttons). */
function showError(field, message) {
  showFieldError(setup, field, message);
  if (field === "destination") destination.setAttribute("aria-invalid", "true");
  if (field === "destination") destination.focus();
}

function clearError(field) {
  clearFieldErrors(setup, field);
  if (field === "destination") destination.removeAttribute("aria-invalid");
}

function clearErrors() {
  clearFieldErrors(setup);
  destination.removeAttribute("aria-invalid");
}
