// "View Details": everything about one experiment, in a modal dialog that stays live
// while it is open. Its videos part (milestone tracker, live game view, video list) is
// built once per opened run and kept across re-renders, so a playing live view or a
// focused button survives the run's updates.

import { el, icon, replaceChildren, setText } from "../shell/dom.js";
import { createDialog } from "../shell/dialog.js";
import {
  DASH,
  FINISHED_STATUSES,
  algorithmLabel,
  displayStatus,
  formatDuration,
  formatInt,
  formatPct,
  formatReward,
  formatWhen,
  lineageText,
} from "../shell/format.js";
import { liveSocket, onLive, onReconnect } from "../shell/live.js";
import { gameName, getExperiment, on as onState } from "../shell/state.js";
import { setStatusBadge, statusBadge } from "../shell/widgets.js";
import { openExportDialog } from "../videos/export-dialog.js";
import { videoIcon } from "../videos/icons.js";
import { createLiveView } from "../videos/live-view.js";
import { createMilestoneTracker } from "../videos/milestone-tracker.js";
import { closePlayer } from "../videos/player.js";
import { createVideoList } from "../videos/video-list.js";

let dialog = null; // createDialog's controller, once built
let title;
let body;
let headPart; // status badge and message, re-rendered
let mediaPart; // the videos components, kept while the dialog shows one run
let infoPart; // overview, progress, files, configuration, re-rendered
let currentId = null;
let socket = null; // socket.js's wrapper, once connected
let media = null; // {id, components: [tracker, live view, list]}
let shareButton; // "Share model…" in the foot: a finished run with its final model

function ensureDialog() {
  if (dialog) return;
  title = el("h2", { class: "dialog__title", id: "details-title" }, "Experiment");
  body = el("div", { class: "dialog__body", dataset: { slot: "body" } });
  shareButton = el(
    "button",
    { type: "button", class: "button details__share", dataset: { action: "share-model" }, hidden: true },
    videoIcon("share", 14),
    el("span", { class: "button__label" }, "Share model…"),
  );
  const node = el(
    "dialog",
    { class: "dialog", id: "details-dialog", dataset: { testid: "details-dialog" }, "aria-labelledby": "details-title" },
    el(
      "div",
      { class: "dialog__head" },
      title,
      el(
        "button",
        {
          type: "button",
          class: "icon-button",
          dataset: { action: "close-dialog" },
          "aria-label": "Close details",
          title: "Close (Esc)",
        },
        icon("close"),
      ),
    ),
    body,
    el(
      "div",
      { class: "dialog__foot" },
      shareButton,
      el("button", { type: "button", class: "button", dataset: { action: "close-dialog" } }, "Close"),
    ),
  );
  dialog = createDialog(node, {
    onClose: () => {
      currentId = null;
      closePlayer();
      destroyMedia(); // ends a live watch: nobody sees it any more
    },
  });
  headPart = el("div", { class: "details__part" });
  mediaPart = el("div", { class: "details__part" });
  infoPart = el("div", { class: "details__part" });
  replaceChildren(body, headPart, mediaPart, infoPart);
  document.body.append(node);
}

// The live view sends `live.watch` through the socket, once there is one.
liveSocket().then((live) => {
  socket = live;
  for (const component of media?.components ?? []) component.setSocket?.(live);
});

/**
 * Socket events for the open run's videos: `video.generated`, `video.failed`, `live.frame`,
 * and "connect" after every (re)connection: the lists fetch again (events may have been
 * missed) and a live view that is on asks for its frames again.
 */
function forward(name, payload) {
  for (const component of media?.components ?? []) component.handleEvent(name, payload);
}
for (const name of ["video.generated", "video.failed", "live.frame"]) onLive(name, (payload) => forward(name, payload));
onReconnect(() => forward("connect", {}));
onState("experiments", () => renderDetails());
onState("progress", (experiment) => updateDetailsProgress(experiment));

function createMedia(id) {
  const trackerSlot = el("section", { class: "details-media__section", dataset: { section: "milestones" } });
  const liveSlot = el("section", { class: "details-media__section", dataset: { section: "live" } });
  const listSlot = el("section", { class: "details-media__section", dataset: { section: "videos" } });
  replaceChildren(mediaPart, trackerSlot, liveSlot, listSlot);
  media = {
    id,
    components: [
      createMilestoneTracker(trackerSlot, id),
      createLiveView(liveSlot, id, { socket }),
      createVideoList(listSlot, id),
    ],
  };
}

function destroyMedia() {
  for (const component of media?.components ?? []) component.destroy();
  media = null;
  replaceChildren(mediaPart);
}

export function openDetails(id) {
  if (!getExperiment(id)) return;
  ensureDialog();
  currentId = id;
  if (media?.id !== id) {
    destroyMedia();
    createMedia(id);
  }
  renderDetails();
  dialog.open();
}

/** The foot's "Share model…": the export dialog with the model exporter, over this dialog. */
export function shareModel(id) {
  const experiment = getExperiment(id);
  if (!experiment) return;
  openExportDialog({ experiment }, { returnFocus: shareButton });
}

/** Re-renders the open dialog (after its experiment changed). */
function renderDetails() {
  const experiment = currentId && getExperiment(currentId);
  if (!experiment) return; // closed (currentId is null) or the experiment is gone
  const status = displayStatus(experiment);
  const metadata = experiment.metadata ?? {};
  const progress = experiment.progress ?? {};
  const metrics = { ...(progress.metrics ?? {}), ...(experiment.final_metrics ?? {}) };
  const model = (experiment.artifacts?.models ?? []).find((item) => item.kind === "final");
  const lineage = lineageText(experiment, getExperiment(experiment.lineage?.parent_experiment_id));

  setText(title, experiment.name);
  dialog.node.dataset.experimentId = experiment.id;
  const shareable = Boolean(model) && FINISHED_STATUSES.has(experiment.metadata?.status);
  if (shareButton.hidden === shareable) shareButton.hidden = !shareable;

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
    headPart,
    el("div", {}, statusBadge(status)),
    statusMessage,
  );
  replaceChildren(
    infoPart,
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
function updateDetailsProgress(experiment) {
  if (!dialog?.node.open || experiment.id !== currentId) return;
  const badge = body.querySelector('[data-field="status-badge"]');
  if (badge) setStatusBadge(badge, displayStatus(experiment));
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

