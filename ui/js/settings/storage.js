// Storage: the export and runs folders (native picker in the desktop window, a typed path in a
// browser), the data folder (read-only), disk usage per run, and cleanup with a preview.

import { hasFolderPicker, pickFolder } from "../shell/desktop.js";
import { createDialog } from "../shell/dialog.js";
import { el, replaceChildren, setText, spinner } from "../shell/dom.js";
import { formatBytes, statusLabel } from "../shell/format.js";
import { showToast } from "../shell/toast.js";
import { settingsApi } from "./api.js";
import { dataFolderField } from "./data-folder.js";
import { numberSetting, section, settingField } from "./fields.js";

const CATEGORIES = [
  ["models", "Models"],
  ["checkpoints", "Checkpoints"],
  ["videos", "Videos"],
  ["other", "Logs & other"],
];

let usageBody;
let folderHints = {};

function folderSetting(name, label, placeholder) {
  const input = el("input", { type: "text", class: "input setting__path", spellcheck: "false", autocomplete: "off" });
  const field = settingField(name, input, { label });
  const saveButton = el("button", { type: "button", class: "button", title: `Save the ${label.toLowerCase()}` }, "Save");
  const change = el("button", { type: "button", class: "button", title: hasFolderPicker() ? "Choose a folder" : "Type a full folder path, then Save" }, "Change…");
  const reset = el("button", { type: "button", class: "button", title: "Use the default place again" }, "Use default");
  input.placeholder = placeholder;
  folderHints[name] = input;
  const save = () => field.save(input.value.trim());
  saveButton.addEventListener("click", save);
  reset.addEventListener("click", () => {
    input.value = "";
    save();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") save();
  });
  change.addEventListener("click", async () => {
    if (!hasFolderPicker()) {
      input.focus();
      input.select();
      return;
    }
    const chosen = await pickFolder(input.value.trim());
    if (chosen) {
      input.value = chosen;
      save();
    }
  });
  const row = el("div", { class: "setting__path-row" });
  input.replaceWith(row);
  row.append(input, change, saveButton, reset);
  return field;
}

function usageTable(report) {
  const runs = report.runs ?? [];
  if (!runs.length) {
    return el("p", { class: "empty-note" }, "No runs yet: start one from the Dashboard and its models, checkpoints and videos show up here.");
  }
  const largest = Math.max(...runs.map((r) => r.total), 1);
  const rows = runs.map((run) =>
    el(
      "tr",
      { dataset: { experimentId: run.experiment_id } },
      el("th", { scope: "row", class: "usage__name" }, el("span", { class: "usage__run", title: run.run_dir }, run.name), el("span", { class: "usage__status" }, statusLabel(run.status))),
      CATEGORIES.map(([key]) => el("td", { class: "num" }, run[key] ? formatBytes(run[key]) : "—")),
      el("td", { class: "num usage__total" }, formatBytes(run.total)),
      el(
        "td",
        { class: "usage__barcell" },
        el(
          "div",
          { class: "usage__bar", title: `${formatBytes(run.total)} of ${formatBytes(report.totals.total)}` },
          CATEGORIES.map(([key]) =>
            el("span", { class: `usage__seg usage__seg--${key}`, style: { width: `${(100 * run[key]) / largest}%` } }),
          ),
        ),
      ),
    ),
  );
  const totals = report.totals;
  return el(
    "div",
    { class: "usage__scroll" },
    el(
      "table",
      { class: "usage", dataset: { testid: "storage-table" } },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Run"), CATEGORIES.map(([, label]) => el("th", { scope: "col", class: "num" }, label)), el("th", { scope: "col", class: "num" }, "Total"), el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Share")))),
      el("tbody", {}, rows),
      el(
        "tfoot",
        {},
        el("tr", {}, el("th", { scope: "row" }, `All ${runs.length} run${runs.length === 1 ? "" : "s"}`), CATEGORIES.map(([key]) => el("td", { class: "num" }, totals[key] ? formatBytes(totals[key]) : "—")), el("td", { class: "num usage__total" }, formatBytes(totals.total)), el("td")),
      ),
    ),
  );
}

function legend() {
  return el(
    "div",
    { class: "usage__legend", "aria-hidden": "true" },
    CATEGORIES.map(([key, label]) => el("span", { class: "usage__key" }, el("span", { class: `usage__swatch usage__seg--${key}` }), label)),
  );
}

export async function refreshUsage() {
  if (!usageBody) return;
  try {
    const report = await settingsApi.storage();
    folderHints.runs_dir && (folderHints.runs_dir.placeholder = `${report.data_dir}/runs (default)`);
    const free = report.disks.map((d) => `${formatBytes(d.free)} free of ${formatBytes(d.total)} on the disk of ${d.path}`);
    replaceChildren(
      usageBody,
      el("p", { class: "settings-note", dataset: { testid: "storage-free" } }, free.join(" · "), ` · Database ${formatBytes(report.database_bytes)}`),
      legend(),
      usageTable(report),
    );
  } catch (error) {
    replaceChildren(usageBody, el("p", { class: "form__error form__error--block" }, `Could not read the disk usage: ${error.message}`));
  }
}

function cleanupCard() {
  const checkpoints = el("input", { type: "checkbox", id: "cleanup-checkpoints", checked: true });
  const videos = el("input", { type: "checkbox", id: "cleanup-videos" });
  const days = el("input", { type: "number", class: "input cleanup__days", id: "cleanup-days", min: 0, max: 36500, value: 30, title: "Videos at least this many days old" });
  const favorites = el("input", { type: "checkbox", id: "cleanup-favorites", checked: true });
  const error = el("p", { class: "form__error", hidden: true });
  const preview = el("button", { type: "button", class: "button button--primary", title: "See what would be deleted before anything is" }, "Preview cleanup…");
  const body = () => ({
    checkpoints: checkpoints.checked,
    videos_older_than_days: videos.checked ? Number(days.value) : null,
    keep_favorites: favorites.checked,
  });
  preview.addEventListener("click", async () => {
    error.hidden = true;
    preview.disabled = true;
    try {
      const result = await settingsApi.cleanup({ ...body(), dry_run: true });
      openCleanupDialog(result, body());
    } catch (err) {
      error.hidden = false;
      setText(error, err.message);
    } finally {
      preview.disabled = false;
    }
  });
  return section(
    "Cleanup",
    el("p", { class: "settings-note" }, "Free disk space. Final models are never deleted, nor anything of a run that is still training."),
    el(
      "div",
      { class: "settings-stack" },
      el("label", { class: "check", for: "cleanup-checkpoints" }, checkpoints, "Checkpoints of finished runs (a run without a final model keeps its newest)"),
      el("div", { class: "check" }, videos, el("label", { for: "cleanup-videos" }, "Videos older than"), days, el("label", { for: "cleanup-days" }, "days (to the trash)")),
      el("label", { class: "check", for: "cleanup-favorites" }, favorites, "Keep favourite videos"),
    ),
    error,
    el("div", { class: "settings-actions" }, preview),
  );
}

let dialog; // the cleanup preview's controller (createDialog), rebuilt per preview

function openCleanupDialog(result, request) {
  dialog?.node.remove();
  const files = result.files ?? [];
  const apply = el("button", { type: "button", class: "button button--danger-solid", disabled: files.length === 0 }, files.length ? `Delete ${files.length} file${files.length === 1 ? "" : "s"} · free ${formatBytes(result.total_bytes)}` : "Nothing to delete");
  const cancel = el("button", { type: "button", class: "button", value: "cancel" }, "Cancel");
  const list = files.length
    ? el(
        "ul",
        { class: "cleanup__list", dataset: { testid: "cleanup-preview" } },
        files.map((f) => el("li", { class: "cleanup__item" }, el("span", { class: "settings-badge" }, f.kind), el("span", { class: "cleanup__name path", title: f.path }, f.kind === "checkpoint" && f.experiment_name ? `${f.experiment_name} › ${f.name}` : f.name), el("span", { class: "num" }, formatBytes(f.bytes)))),
      )
    : el("p", { class: "empty-note" }, "Nothing matches: no checkpoints of finished runs and no videos that old.");
  const node = el(
    "dialog",
    { class: "dialog", "aria-labelledby": "cleanup-title", dataset: { testid: "cleanup-dialog" } },
    el("div", { class: "dialog__head" }, el("h2", { class: "dialog__title", id: "cleanup-title" }, "Clean up storage")),
    el(
      "div",
      { class: "dialog__body" },
      el("p", { class: "dialog__lead", dataset: { testid: "cleanup-summary" } }, files.length ? `${files.length} file${files.length === 1 ? "" : "s"}, ${formatBytes(result.total_bytes)} to free. Videos go to the trash; checkpoints are deleted.` : "Nothing to free."),
      list,
    ),
    el("div", { class: "dialog__foot" }, cancel, apply),
  );
  dialog = createDialog(node, { backdropCloses: false, removeOnClose: true });
  cancel.addEventListener("click", () => dialog.close());
  apply.addEventListener("click", async () => {
    apply.disabled = true;
    replaceChildren(apply, spinner(), " Deleting…");
    try {
      const done = await settingsApi.cleanup({ ...request, dry_run: false });
      dialog.close();
      const failed = done.errors?.length ? ` ${done.errors.length} could not be removed: ${done.errors[0].error}` : "";
      showToast(`Freed ${formatBytes(done.freed_bytes)}`, { kind: done.errors?.length ? "error" : "success", detail: `${done.count - (done.errors?.length ?? 0)} file(s) removed.${failed}` });
      refreshUsage();
    } catch (error) {
      dialog.close();
      showToast("Cleanup failed", { kind: "error", detail: error.message });
    }
  });
  document.body.append(node);
  dialog.open();
  (files.length ? apply : cancel).focus();
}

export function renderStorage() {
  const exportDir = folderSetting("export_dir", "Default export folder", "The last folder you exported to (default)");
  const runsDir = folderSetting("runs_dir", "Runs folder (models, checkpoints, videos of new runs)", "Inside the data folder (default)");
  usageBody = el("div", { class: "usage__body", "aria-busy": "true" }, el("div", { class: "skeleton skeleton--line" }), el("div", { class: "skeleton skeleton--line" }), el("div", { class: "skeleton skeleton--line" }));
  refreshUsage();
  return [
    section(
      "Folders",
      exportDir.element,
      runsDir.element,
      el("p", { class: "settings-note" }, "Existing runs stay where they are; only runs started after a change use the new runs folder."),
      dataFolderField(),
    ),
    section("Disk usage", usageBody),
    lowDiskCard(),
    cleanupCard(),
  ];
}

/** The low-disk thresholds: a warning first, then running trainings pause before the disk is full. */
function lowDiskCard() {
  const warning = numberSetting("low_disk_warning_mb", "Warn under (MB free)");
  const pause = numberSetting("low_disk_pause_mb", "Pause trainings under (MB free)");
  return section(
    "Low disk space",
    el("p", { class: "settings-note" }, "Checked every few seconds while runs train, on the disks of the runs and the data folder. A paused training resumes where it left off once you free space. 0 turns either off."),
    el("div", { class: "settings-grid" }, warning.element, pause.element),
  );
}
