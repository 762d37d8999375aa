// The export dialogs' building blocks: the folder an export starts in, the format cards, one
// control per exporter option, an error line, and the job view (progress bar, percentage,
// status, result). DOM built with el(): names and messages from the server are always text.

import { el, icon, replaceChildren, setText } from "../shell/dom.js";
import { onSettings, settings } from "../shell/settings.js";
import { progressBar, setProgress } from "../shell/widgets.js";
import {
  choiceLabel,
  choicesExplained,
  fileName,
  isFinishedJob,
  jobPercent,
  jobResultText,
  jobStatusText,
} from "./export-format.js";

const FOLDER_KEY = "retro-ml-export-folder";

/** Where an export starts: Settings → Storage's export folder when set, else the folder used last time. */
export function exportFolder() {
  try {
    return settings()?.export_dir || localStorage.getItem(FOLDER_KEY) || "";
  } catch {
    return "";
  }
}

/**
 * Puts the start folder in `input`. A dialog opened before the settings arrived (right after
 * the page loaded) gets Settings' export folder when they do, unless the user typed meanwhile.
 */
export function fillExportFolder(input) {
  input.value = exportFolder();
  if (settings()) return;
  const initial = input.value;
  const stop = onSettings(() => {
    stop();
    if (input.value === initial) input.value = exportFolder();
  });
}

/** The folder an export went to, for next time. */
export function rememberExportFolder(folder) {
  try {
    localStorage.setItem(FOLDER_KEY, folder);
  } catch {
    // Storage can be off (private windows, some webviews): the field just starts empty.
  }
}

/** An example folder path as this OS writes it (the destination fields' placeholder). */
export const folderPlaceholder = () => (/Win/.test(navigator.userAgent) ? "C:\\Users\\you\\Videos" : "/home/you/Videos");

/** Where the server's message about `field` goes (`data-error-for`), hidden until then. */
export function errorLine(field, id = null) {
  return el("p", { class: "form__error", id, role: "alert", dataset: { errorFor: field }, hidden: true });
}

/** One card per exporter (label and description) with its radio; onSelect(id) on a change. */
export function formatChoices(exporters, selected, onSelect) {
  return exporters.map((exporter) =>
    el(
      "label",
      { class: "export-format", dataset: { exporter: exporter.id } },
      el("input", {
        type: "radio",
        name: "export-format",
        value: exporter.id,
        checked: exporter.id === selected,
        onchange: () => onSelect(exporter.id),
      }),
      el(
        "span",
        { class: "export-format__text" },
        el("span", { class: "export-format__label" }, exporter.label),
        el("span", { class: "export-format__description" }, exporter.description),
      ),
    ),
  );
}

/** A choice as radios, "If the file exists" as a select, a yes/no as a checkbox. */
/**
 * `values` ({name: value}) is updated in place; changed(`options.<name>`) after each change
 * (the dialog clears that option's error).
 */
export function optionControl(option, values, changed) {
  const id = `export-option-${option.name}`;
  const hint =
    option.type === "boolean" || !choicesExplained(option)
      ? el("p", { class: "form__hint", id: `${id}-hint` }, option.description)
      : null;
  const describedBy = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
  const error = errorLine(`options.${option.name}`, `${id}-error`);
  if (option.type === "boolean") {
    return el(
      "div",
      { class: "form__field" },
      el(
        "label",
        { class: "export-check" },
        el("input", {
          type: "checkbox",
          id,
          checked: Boolean(values[option.name]),
          "aria-describedby": describedBy,
          onchange: (event) => {
            values[option.name] = event.currentTarget.checked;
            changed(`options.${option.name}`);
          },
        }),
        el("span", {}, option.label),
      ),
      hint,
      error,
    );
  }
  if (option.name === "on_conflict") {
    return el(
      "div",
      { class: "form__field export-option--inline" },
      el("label", { class: "form__label", for: id }, option.label),
      el(
        "select",
        {
          class: "select",
          id,
          "aria-describedby": describedBy,
          onchange: (event) => {
            values[option.name] = event.currentTarget.value;
            changed(`options.${option.name}`);
          },
        },
        (option.choices ?? []).map((value) =>
          el("option", { value, selected: values[option.name] === value }, choiceLabel(option, value)),
        ),
      ),
      hint,
      error,
    );
  }
  return el(
    "fieldset",
    { class: "form__field form__fieldset", "aria-describedby": describedBy },
    el("legend", { class: "form__label" }, option.label),
    el(
      "div",
      { class: "export-choices" },
      (option.choices ?? []).map((value) =>
        el(
          "label",
          { class: "export-choice" },
          el("input", {
            type: "radio",
            name: id,
            value,
            checked: values[option.name] === value,
            onchange: () => {
              values[option.name] = value;
              changed(`options.${option.name}`);
            },
          }),
          el("span", {}, choiceLabel(option, value)),
        ),
      ),
    ),
    hint,
    error,
  );
}

/** The job view's parts, to put in the panel once; renderJobView fills them. */
export function jobViewParts(title) {
  const bar = progressBar({ label: "Export progress", field: "export-progress" });
  return [
    el("p", { class: "export-job__title", dataset: { field: "export-job-title" } }, title),
    el(
      "div",
      { class: "export-job__bar" },
      bar,
      el("span", { class: "export-job__pct figure", dataset: { field: "export-percent" } }, "0%"),
    ),
    el("p", { class: "export-job__status", "aria-live": "polite", dataset: { field: "export-status" } }),
    el(
      "p",
      { class: "export-job__note", dataset: { field: "export-note" } },
      "You can close this window: the export goes on, and a notice tells you when it is done.",
    ),
    el("div", { class: "export-job__result", dataset: { field: "export-result" }, hidden: true }),
  ];
}

/** Shows `job` in `panel` (made of jobViewParts): the bar, the figure, the status, the result. */
export function renderJobView(panel, job) {
  const finished = isFinishedJob(job);
  const percent = jobPercent(job);
  panel.dataset.status = job.status;
  setProgress(panel.querySelector('[data-field="export-progress"]'), percent, {
    tone: { completed: "success", failed: "danger", cancelled: "neutral" }[job.status] ?? "",
    indeterminate: job.status === "queued",
  });
  setText(panel.querySelector('[data-field="export-percent"]'), `${percent}%`);
  setText(panel.querySelector('[data-field="export-status"]'), jobStatusText(job));
  panel.querySelector('[data-field="export-note"]').hidden = finished;

  const result = panel.querySelector('[data-field="export-result"]');
  result.hidden = !finished;
  if (!finished) return;
  const tone = { completed: " card-message--success", failed: " card-message--error" }[job.status] ?? "";
  replaceChildren(
    result,
    el(
      "div",
      { class: `card-message${tone}` },
      icon(job.status === "completed" ? "check" : job.status === "failed" ? "alert" : "info"),
      el(
        "div",
        { class: "card-message__text" },
        el("span", {}, jobResultText(job)),
        job.status === "completed"
          ? el(
              "ul",
              { class: "export-job__files" },
              (job.output_paths ?? []).map((path) =>
                el("li", { class: "path", title: path, dataset: { field: "export-output" } }, fileName(path)),
              ),
            )
          : null,
      ),
    ),
  );
}
