// "View Details": everything about one experiment, in a modal dialog that stays live
// while it is open.

import { el, icon, replaceChildren, setText } from "../dom.js";
import {
  DASH,
  algorithmLabel,
  displayStatus,
  formatDuration,
  formatInt,
  formatPct,
  formatReward,
  formatWhen,
  lineageText,
  statusLabel,
} from "../format.js";
import { gameName, getExperiment } from "../state.js";

let dialog;
let body;
let currentId = null;

export function initDetailsDialog() {
  dialog = document.getElementById("details-dialog");
  body = dialog.querySelector("[data-slot='body']");
  const closeIcon = dialog.querySelector(".icon-button[data-action='close-dialog']");
  closeIcon.append(icon("close"));
  // A click on the backdrop lands on the <dialog> itself.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) closeDetails();
  });
  dialog.addEventListener("close", () => {
    currentId = null;
  });
}

export function openDetails(id) {
  if (!getExperiment(id)) return;
  currentId = id;
  renderDetails();
  if (!dialog.open) dialog.showModal();
}

export function closeDetails() {
  if (dialog.open) dialog.close();
}

/** Re-renders the open dialog (after its experiment changed). */
export function renderDetails() {
  const experiment = currentId && getExperiment(currentId);
  if (!experiment) return; // closed (currentId is null) or the experiment is gone
  const status = displayStatus(experiment);
  const metadata = experiment.metadata ?? {};
  const progress = experiment.progress ?? {};
  const metrics = { ...(progress.metrics ?? {}), ...(experiment.final_metrics ?? {}) };
  const model = (experiment.artifacts?.models ?? []).find((item) => item.kind === "final");
  const lineage = lineageText(experiment, getExperiment(experiment.lineage?.parent_experiment_id));

  setText(dialog.querySelector("#details-title"), experiment.name);
  dialog.dataset.experimentId = experiment.id;

  const statusMessage = metadata.status_message
    ? el(
        "p",
        {
          class: `card-message ${status === "failed" ? "card-message--error" : ""}`,
          dataset: { field: "status-message" },
        },
        status === "failed" ? icon("alert") : null,
        el("span", {}, metadata.status_message),
      )
    : null;

  replaceChildren(
    body,
    el(
      "div",
      {},
      el(
        "span",
        { class: "status", dataset: { status, field: "status-badge" } },
        el("span", { class: "status__dot", "aria-hidden": "true" }),
        el("span", { dataset: { field: "status" } }, statusLabel(status)),
      ),
    ),
    statusMessage,
    section(
      "Overview",
      facts([
        ["Game", gameName(experiment.game)],
        ["Environment", experiment.env_id],
        ["Algorithm", algorithmLabel(experiment.algorithm)],
        ["Preset", experiment.preset],
        ["Session", experiment.session_id],
        ...(lineage ? [["Origin", el("span", { dataset: { field: "lineage" } }, lineage)]] : []),
        ["Created", formatWhen(metadata.created)],
        ["Started", formatWhen(metadata.started)],
        ["Finished", formatWhen(metadata.finished)],
      ]),
    ),
    section(
      "Progress",
      facts([
        ["Steps", detailsSteps(experiment), "d-steps"],
        ["Episodes", formatInt(metrics.episodes), "d-episodes"],
        ["Mean reward", formatReward(metrics.mean_reward), "d-mean-reward"],
        ["Best reward", formatReward(metrics.best_reward), "d-best-reward"],
        ["Elapsed", formatDuration(metrics.elapsed_seconds), "d-elapsed"],
      ]),
    ),
    section(
      "Files",
      facts([
        ["Run folder", el("span", { class: "path", dataset: { field: "run-dir" } }, experiment.run_dir ?? DASH)],
        [
          "Model",
          model
            ? el("span", { class: "path", dataset: { field: "model-path" } }, model.path)
            : el(
                "span",
                { class: "empty-note", dataset: { field: "model-path" } },
                "Not saved yet — the model is saved when training completes or is stopped.",
              ),
        ],
      ]),
    ),
    section("Configuration", configTable(experiment.config ?? {})),
  );
}

function section(title, content) {
  return el("section", {}, el("h3", { class: "section-title" }, title), content);
}

function facts(rows) {
  return el(
    "dl",
    { class: "facts" },
    rows.map(([label, value, name]) => [
      el("dt", {}, label),
      el(
        "dd",
        { class: name ? "figure" : null, dataset: name ? { field: name } : {} },
        value === null || value === undefined || value === "" ? DASH : value,
      ),
    ]),
  );
}

function detailsSteps(experiment) {
  const progress = experiment.progress ?? {};
  const total = progress.total_timesteps ?? experiment.config?.total_timesteps;
  return `${formatInt(progress.timestep ?? 0)} / ${formatInt(total)} (${formatPct(progress.progress_pct)})`;
}

/**
 * Applies a progress report to the open dialog in place (a full re-render would drop
 * the user's text selection, e.g. on the run folder path, every second).
 */
export function updateDetailsProgress(experiment) {
  if (!dialog.open || experiment.id !== currentId) return;
  const status = displayStatus(experiment);
  const badge = body.querySelector('[data-field="status-badge"]');
  if (badge && badge.dataset.status !== status) {
    badge.dataset.status = status;
    setText(badge.querySelector('[data-field="status"]'), statusLabel(status));
  }
  const metrics = experiment.progress?.metrics ?? {};
  const values = {
    "d-steps": detailsSteps(experiment),
    "d-episodes": formatInt(metrics.episodes),
    "d-mean-reward": formatReward(metrics.mean_reward),
    "d-best-reward": formatReward(metrics.best_reward),
    "d-elapsed": formatDuration(metrics.elapsed_seconds),
  };
  for (const [name, value] of Object.entries(values)) {
    setText(body.querySelector(`[data-field="${name}"]`), value);
  }
}

function configValue(value) {
  if (value === null || value === undefined) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function configTable(config) {
  const keys = Object.keys(config).sort();
  if (!keys.length) return el("p", { class: "empty-note" }, "No configuration recorded.");
  return el(
    "table",
    { class: "config-table", dataset: { field: "config" } },
    el(
      "tbody",
      {},
      keys.map((key) =>
        el("tr", {}, el("th", { scope: "row" }, key), el("td", {}, configValue(config[key]))),
      ),
    ),
  );
}

