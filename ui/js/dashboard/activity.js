// Recent Activity: one card per active run plus the last finished one. Cards are kept
// and updated in place, so progress bars glide instead of jumping on every report.

import { el, field, icon, replaceChildren, setText } from "../shell/dom.js";
import {
  ACTIVE_STATUSES,
  DASH,
  algorithmLabel,
  displayStatus,
  formatBytes,
  formatDuration,
  formatInt,
  formatPct,
  formatReward,
  formatSteps,
  formatWhen,
  lineageText,
  statusLabel,
} from "../shell/format.js";
import { onPendingChange, runControlButtons, updateRunControls } from "../runs/lifecycle.js";
import { activityExperiments, gameName, getExperiment, isLoaded } from "../shell/state.js";
import { progressBar, setProgress, setStatusBadge, skeletonCard, statusBadge } from "../shell/widgets.js";

const cards = new Map(); // experiment id → card element

let list;

/** The card (`#activity`), with a skeleton until the runs have loaded. */
export function activityCard() {
  list = el(
    "div",
    { class: "activity__list", dataset: { slot: "list" }, "aria-busy": "true" },
    skeletonCard("Loading experiments…"),
  );
  onPendingChange((id) => {
    const card = cards.get(id);
    const experiment = getExperiment(id);
    if (card && experiment) updateRunControls(card, experiment);
  });
  return el(
    "section",
    { class: "card", id: "activity", dataset: { testid: "recent-activity" }, "aria-labelledby": "activity-title" },
    el("div", { class: "card__head" }, el("h2", { class: "card__title", id: "activity-title" }, "Recent Activity")),
    list,
  );
}

/** Re-renders the set of cards (which runs, in what order). */
export function renderActivity() {
  if (!isLoaded()) return;
  const shown = activityExperiments();
  const ids = new Set(shown.map((experiment) => experiment.id));

  for (const [id, card] of cards) {
    if (!ids.has(id)) {
      card.remove();
      cards.delete(id);
    }
  }
  if (!shown.length) {
    list.removeAttribute("aria-busy");
    replaceChildren(list, el("p", { class: "empty-note" }, "Nothing is training right now."));
    return;
  }

  const nodes = shown.map((experiment) => {
    let card = cards.get(experiment.id);
    if (!card) {
      card = buildCard(experiment);
      cards.set(experiment.id, card);
    }
    updateCard(card, experiment);
    return card;
  });
  list.removeAttribute("aria-busy");
  // Only touch the DOM when the order changed: moving a node restarts its transitions.
  const current = [...list.children];
  if (current.length !== nodes.length || nodes.some((node, i) => current[i] !== node)) {
    replaceChildren(list, nodes);
  }
}

/** Applies one progress report to its card, if the card is on screen. */
export function updateActivityProgress(experiment) {
  const card = cards.get(experiment.id);
  if (card) updateCard(card, experiment);
}

function stat(label, name) {
  return el(
    "div",
    { class: "stats__item" },
    el("dt", {}, label),
    el("dd", { class: "figure", dataset: { field: name } }, DASH),
  );
}

function buildCard(experiment) {
  return el(
    "article",
    {
      class: "activity-card",
      dataset: { testid: "activity-card", experimentId: experiment.id },
      "aria-labelledby": `activity-name-${experiment.id}`,
    },
    el(
      "div",
      { class: "activity-card__head" },
      el(
        "div",
        {},
        el("h3", {
          class: "activity-card__name",
          id: `activity-name-${experiment.id}`,
          dataset: { field: "name" },
        }),
        el("p", { class: "activity-card__meta", dataset: { field: "meta" } }),
        el(
          "p",
          { class: "lineage", dataset: { field: "lineage" }, hidden: true },
          icon("lineage", 14),
          el("span", { dataset: { field: "lineage-text" } }),
        ),
      ),
      statusBadge(),
    ),
    el(
      "div",
      { class: "activity-card__progress" },
      el(
        "div",
        { class: "activity-card__progress-line" },
        el("span", { class: "activity-card__pct", dataset: { field: "progress-pct" } }, "0%"),
        el(
          "span",
          {},
          el("span", { dataset: { field: "timesteps" } }),
          " steps",
        ),
      ),
      progressBar({ label: `Training progress of ${experiment.name}`, field: "progress-bar", value: 0 }),
    ),
    el(
      "dl",
      { class: "stats" },
      stat("Episodes", "episodes"),
      stat("Mean reward", "mean-reward"),
      stat("Steps / s", "fps"),
      stat("Elapsed", "elapsed"),
      stat("Time left", "eta"),
    ),
    el("p", { class: "card-message", dataset: { field: "status-message" }, hidden: true }),
    el(
      "div",
      { class: "activity-card__actions" },
      el(
        "button",
        { type: "button", class: "button", dataset: { action: "view-details" } },
        "View Details",
      ),
      runControlButtons(),
    ),
  );
}

function elapsedSeconds(experiment) {
  const metrics = experiment.progress?.metrics ?? {};
  const final = experiment.final_metrics ?? {};
  const fromMetrics = final.elapsed_seconds ?? metrics.elapsed_seconds;
  if (typeof fromMetrics === "number") return fromMetrics;
  const { started, finished } = experiment.metadata ?? {};
  if (!started || !finished) return null;
  return (Date.parse(finished) - Date.parse(started)) / 1000;
}

function updateCard(card, experiment) {
  const status = displayStatus(experiment);
  const active = ACTIVE_STATUSES.has(experiment.metadata?.status);
  const paused = status === "paused";
  const progress = experiment.progress ?? {};
  const metrics = { ...(progress.metrics ?? {}), ...(experiment.final_metrics ?? {}) };
  const total = progress.total_timesteps ?? experiment.config?.total_timesteps;
  const pct =
    experiment.metadata?.status === "completed" ? 100 : Number(progress.progress_pct ?? 0);

  card.dataset.status = status; // what the user sees ("starting")
  card.dataset.lifecycle = experiment.metadata?.status ?? "queued"; // what the server says
  setText(field(card, "name"), experiment.name);
  setText(
    field(card, "meta"),
    [
      gameName(experiment.game),
      algorithmLabel(experiment.algorithm),
      `Started ${formatWhen(experiment.metadata?.started ?? experiment.metadata?.created)}`,
    ].join(" · "),
  );
  const parent = getExperiment(experiment.lineage?.parent_experiment_id);
  const lineage = lineageText(experiment, parent);
  field(card, "lineage").hidden = !lineage;
  setText(field(card, "lineage-text"), lineage ?? "");

  setStatusBadge(field(card, "status-badge"), status);

  const clamped = Math.max(0, Math.min(100, pct));
  setProgress(field(card, "progress-bar"), clamped, {
    valueText: `${formatPct(clamped)}, ${statusLabel(status)}`,
    indeterminate: status === "starting",
    tone: {
      paused: "paused",
      completed: "success",
      failed: "danger",
      stopped: "neutral",
      interrupted: "neutral",
      pruned: "neutral",
    }[status] ?? "accent",
  });

  setText(field(card, "progress-pct"), formatPct(clamped));
  setText(field(card, "timesteps"), formatSteps(progress.timestep ?? 0, total));
  setText(field(card, "episodes"), formatInt(metrics.episodes));
  setText(field(card, "mean-reward"), formatReward(metrics.mean_reward));
  // A paused worker makes no steps: its last speed and ETA would be stale.
  setText(field(card, "fps"), paused ? DASH : formatInt(metrics.fps));
  setText(field(card, "elapsed"), formatDuration(elapsedSeconds(experiment)));
  setText(
    field(card, "eta"),
    status === "completed" ? "Done" : active && !paused ? formatDuration(metrics.eta_seconds) : DASH,
  );

  updateMessage(card, experiment, status);
  updateRunControls(card, experiment);
}

/** The one line under the figures: why it failed, what it is doing, where it stands. */
function cardMessage(experiment, status) {
  const message = experiment.metadata?.status_message ?? "";
  if (status === "failed") {
    return {
      tone: "error",
      text: message || "Training failed without a reason. Open View Details and check worker.log in the run folder.",
    };
  }
  if (status === "interrupted") {
    return { tone: "warning", text: message || "The worker ended unexpectedly." };
  }
  if (status === "completed") {
    const model = (experiment.artifacts?.models ?? []).find((item) => item.kind === "final");
    const saved = model ? `Model saved (${formatBytes(model.size_bytes)}).` : "";
    return { tone: "success", text: [message, saved].filter(Boolean).join(" · ") };
  }
  if (status === "queued") {
    return { tone: "note", text: message || "Waiting for a training worker to start." };
  }
  if (status === "paused") {
    return {
      tone: "paused",
      text: `Paused at ${formatInt(experiment.progress?.timestep ?? 0)} steps. The run keeps its progress: Resume carries on from here.`,
    };
  }
  if (status === "starting") {
    return { tone: "note", text: "Loading the game and the neural network: the first steps show up in a few seconds." };
  }
  // Running: the worker's own word on what it does ("Training on CPU").
  return { tone: "note", text: message };
}

const NEXT_STEP =
  "View Details shows the run folder (its worker.log has the full story); Retry in Recent Experiments runs it again.";

function updateMessage(card, experiment, status) {
  const node = field(card, "status-message");
  const { tone, text } = cardMessage(experiment, status);
  node.hidden = !text;
  const key = `${tone}|${text}`;
  if (!text || node.dataset.key === key) return;
  node.dataset.key = key;
  node.className = `card-message card-message--${tone}`;
  const problem = tone === "error" || tone === "warning";
  replaceChildren(
    node,
    problem ? icon("alert") : ({ success: icon("check"), paused: icon("pause") }[tone] ?? null),
    el(
      "span",
      { class: "card-message__text" },
      el("span", {}, text),
      problem ? el("span", { class: "card-message__next" }, NEXT_STEP) : null,
    ),
  );
}
