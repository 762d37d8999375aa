// "Export…" for several videos: one format, its options and one folder for all of them
// (`POST /api/videos/export`, one job per video), then one progress bar over the jobs and a
// single notice when they have all ended. A video the server refused is listed by name.

import { api } from "../shell/api.js";
import { clearFieldErrors, closeIconButton, createDialog, showFieldError } from "../shell/dialog.js";
import { el, replaceChildren, setText } from "../shell/dom.js";
import { showToast } from "../shell/toast.js";
import {
  errorLine,
  fillExportFolder,
  folderPlaceholder,
  formatChoices,
  optionControl,
  rememberExportFolder,
} from "../videos/export-controls.js";
import { defaultOptions, exportersFor, isFinishedJob, jobPercent } from "../videos/export-format.js";
import { onJobChange } from "../videos/export-jobs.js";
import { formatSizeMb } from "../videos/video-format.js";
import { libraryApi } from "./api.js";
import { countText, totalSizeMb } from "./library-format.js";
import { progressBar, setProgress } from "../shell/widgets.js";

const POLL_MS = 2500;

const jobError = (job) => job.error?.message ?? (typeof job.error === "string" ? job.error : job.status);

/** Opens the dialog for `videos`; `returnFocus()` gives the element to focus on close. */
export function openBatchExport(videos, { returnFocus } = {}) {
  if (!videos.length) return;
  let exporters = [];
  let selected = null;
  const values = new Map();
  let jobs = new Map(); // job id → job
  let unsubscribe = null;
  let pollTimer = null;

  const formats = el(
    "div",
    { class: "export-formats" },
    el("span", { class: "skeleton export-format--skeleton", "aria-hidden": "true" }),
  );
  const options = el("div", { class: "export-options" });
  const destination = el("input", {
    class: "input input--text",
    id: "batch-export-destination",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: folderPlaceholder(),
    "aria-describedby": "batch-export-destination-error",
  });
  fillExportFolder(destination);
  const formError = el("p", {
    class: "form__error form__error--block",
    role: "alert",
    dataset: { errorFor: "form" },
    hidden: true,
  });
  const setup = el(
    "div",
    { class: "export-setup" },
    el(
      "fieldset",
      { class: "form__field form__fieldset" },
      el("legend", { class: "form__label" }, "Format"),
      formats,
      errorLine("exporter"),
    ),
    options,
    el(
      "div",
      { class: "form__field" },
      el("label", { class: "form__label", for: "batch-export-destination" }, "Folder"),
      destination,
      el("p", { class: "form__hint" }, "Every video goes into this folder, under its own name."),
      errorLine("destination", "batch-export-destination-error"),
    ),
    formError,
  );
  const bar = progressBar({ label: "Export progress", field: "batch-export-progress" });
  const jobStatus = el("p", {
    class: "export-job__status",
    "aria-live": "polite",
    dataset: { field: "batch-export-status" },
  });
  const refused = el("ul", { class: "vt-delete__names vt-delete__names--failed", hidden: true });
  const jobPanel = el(
    "div",
    { class: "export-job", hidden: true },
    el("div", { class: "export-job__bar" }, bar),
    jobStatus,
    el(
      "p",
      { class: "export-job__note" },
      "You can close this window: the exports go on, and a notice says when they are done.",
    ),
    refused,
  );
  const submitLabel = `Export ${countText(videos.length)}`;
  const submit = el(
    "button",
    { type: "button", class: "button button--primary" },
    el("span", { class: "button__label" }, submitLabel),
  );
  const closeButton = el("button", { type: "button", class: "button" }, "Cancel");
  const node = el(
    "dialog",
    {
      class: "dialog dialog--export",
      dataset: { testid: "batch-export-dialog" },
      "aria-labelledby": "batch-export-title",
    },
    el(
      "div",
      { class: "dialog__head" },
      el("h2", { class: "dialog__title", id: "batch-export-title" }, `Export ${countText(videos.length)}`),
      closeIconButton(() => dialog.close()),
    ),
    el(
      "div",
      { class: "dialog__body" },
      el("p", { class: "dialog__lead" }, `${countText(videos.length)}, ${formatSizeMb(totalSizeMb(videos))} in all.`),
      setup,
      jobPanel,
    ),
    el("div", { class: "dialog__foot" }, closeButton, submit),
  );
  const dialog = createDialog(node, { backdropCloses: false, removeOnClose: true });
  closeButton.addEventListener("click", () => dialog.close());
  submit.addEventListener("click", () => start());
  destination.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      start();
    }
  });
  document.body.append(node);
  dialog.open({ returnFocus });
  loadFormats();

  async function loadFormats() {
    try {
      exporters = exportersFor((await api.exporters()).exporters ?? [], "video");
    } catch (error) {
      if (error.kind === "auth") return dialog.node.close();
      replaceChildren(formats);
      return showError("form", `Could not load the export formats: ${error.message}`);
    }
    selected = exporters[0]?.id ?? null;
    replaceChildren(formats, formatChoices(exporters, selected, (id) => {
      selected = id;
      renderOptions();
    }));
    renderOptions();
    (formats.querySelector("input:checked") ?? destination).focus();
  }

  function valuesFor(id) {
    if (!values.has(id)) values.set(id, defaultOptions(exporters.find((e) => e.id === id)));
    return values.get(id);
  }

  function renderOptions() {
    const exporter = exporters.find((e) => e.id === selected);
    const current = exporter ? valuesFor(exporter.id) : {};
    const controls = (exporter?.options ?? []).map((option) => optionControl(option, current, clearErrors));
    replaceChildren(options, controls);
  }

  function showError(fieldName, message) {
    showFieldError(setup, fieldName, message);
    if (fieldName === "destination") destination.focus();
  }

  const clearErrors = () => clearFieldErrors(setup);

  async function start() {
    if (dialog.isBusy() || !jobPanel.hidden || !selected) return;
    clearErrors();
    const folder = destination.value.trim();
    if (!folder) return showError("destination", "Type the full path of the folder to export to.");
    dialog.setBusy(true, { button: submit, label: submitLabel, busyLabel: "Starting…" });
    try {
      const answer = await libraryApi.exportVideos({
        ids: videos.map((video) => video.id),
        exporter: selected,
        destination: folder,
        options: { ...valuesFor(selected) },
      });
      rememberExportFolder(folder);
      showJobs(answer.jobs ?? [], answer.errors ?? []);
    } catch (error) {
      if (error.kind === "auth") return dialog.node.close();
      showError(error.field ?? "form", error.message);
    } finally {
      dialog.setBusy(false, { button: submit, label: submitLabel, busyLabel: "Starting…" });
    }
  }

  function showJobs(started, errors) {
    jobs = new Map(started.map((job) => [job.id, job]));
    setup.hidden = true;
    submit.hidden = true;
    jobPanel.hidden = false;
    setText(closeButton, "Close");
    const nameOf = new Map(videos.map((video) => [video.id, video.name]));
    refused.hidden = !errors.length;
    const why = (e) => e.error?.message ?? "It was refused.";
    replaceChildren(
      refused,
      errors.map((e) => el("li", {}, el("strong", {}, nameOf.get(e.id) ?? e.id), `: ${why(e)}`)),
    );
    if (!jobs.size) {
      setText(jobStatus, "No video could be exported.");
      const detail = errors.map((e) => `“${nameOf.get(e.id) ?? e.id}”: ${why(e)}`).join(" · ");
      showToast("The export did not start", { kind: "error", detail });
      return;
    }
    unsubscribe = onJobChange((job) => {
      if (jobs.has(job.id)) {
        jobs.set(job.id, job);
        render(errors);
      }
    });
    pollTimer = setInterval(poll, POLL_MS);
    render(errors);
    closeButton.focus();
  }

  async function poll() {
    for (const [id, job] of jobs) {
      if (isFinishedJob(job)) continue;
      try {
        const { job: fresh } = await api.exportJob(id);
        jobs.set(id, fresh);
      } catch {
        // The next event or poll brings it.
      }
    }
    render();
  }

  let lastErrors = [];
  function render(errors = lastErrors) {
    lastErrors = errors;
    const list = [...jobs.values()];
    const finished = list.filter(isFinishedJob);
    const percent = Math.round(list.reduce((sum, job) => sum + jobPercent(job), 0) / list.length);
    setProgress(bar, percent);
    const failed = finished.filter((job) => job.status !== "completed");
    const failures = failed.length ? ` (${failed.length} failed)` : "";
    setText(jobStatus, `${finished.length} of ${countText(list.length)} exported${failures}.`);
    if (finished.length < list.length) return;
    bar.dataset.tone = failed.length ? "danger" : "success";
    clearInterval(pollTimer);
    unsubscribe?.();
    unsubscribe = null;
    const done = list.length - failed.length;
    if (failed.length || errors.length) {
      showToast(`Exported ${done} of ${countText(list.length + errors.length)}`, {
        kind: "error",
        detail: failed.map((job) => `“${job.name ?? job.id}”: ${jobError(job)}`).join(" · "),
      });
    } else {
      showToast(`Exported ${countText(done)}`, { kind: "success", detail: destination.value.trim() });
    }
  }
}
