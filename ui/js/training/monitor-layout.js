// The DOM of a Training Monitor card, built once: head (name, game and algorithm, session,
// lineage, status, run controls, Details), progress bar, facts, live metrics, the status
// note, and the slots of the charts, milestone clips and live view. monitor.js fills the
// `data-field` elements on every update.

import { el, icon } from "../shell/dom.js";
import { DASH } from "../shell/format.js";
import { runControlButtons } from "../runs/lifecycle.js";
import { progressBar, statusBadge } from "../shell/widgets.js";
import { sessionLabel } from "./training-format.js";

function fact(label, name, title) {
  return el(
    "div",
    { class: "monitor__fact", title },
    el("dt", {}, label),
    el("dd", { class: "figure", dataset: { field: name } }, DASH),
  );
}

function liveMetric(label, name, title) {
  return el(
    "div",
    { class: "monitor__metric", title },
    el("dt", {}, label),
    el(
      "dd",
      { class: "monitor__metric-value" },
      el("span", { class: "monitor__arrow", dataset: { field: `${name}-arrow` }, "aria-hidden": "true" }),
      el("span", { class: "figure", dataset: { field: name } }, DASH),
      el("span", { class: "monitor__change figure", dataset: { field: `${name}-change` } }),
    ),
  );
}

function head(experimentId, nameId) {
  return el(
    "div",
    { class: "monitor__head" },
    el(
      "div",
      { class: "monitor__title" },
      el("h3", { class: "monitor__name", id: nameId, dataset: { field: "name" } }),
      el(
        "p",
        { class: "monitor__meta" },
        el("span", { dataset: { field: "meta" } }),
        el(
          "span",
          {
            class: "monitor__session",
            dataset: { field: "session" },
            title: `Training session ${experimentId}: the run's id, also the name of its folder`,
          },
          sessionLabel(experimentId),
        ),
      ),
      el(
        "p",
        { class: "lineage", dataset: { field: "lineage" }, hidden: true },
        icon("lineage", 14),
        el("span", { dataset: { field: "lineage-text" } }),
      ),
    ),
    el(
      "div",
      { class: "monitor__head-side" },
      statusBadge(),
      el(
        "div",
        { class: "monitor__controls" },
        runControlButtons(), // hidden until updateRunControls shows the ones that apply
        el(
          "button",
          {
            type: "button",
            class: "button",
            dataset: { action: "view-details" },
            title: "Settings, videos, model and run folder of this run",
          },
          "Details",
        ),
      ),
    ),
  );
}

function progress(name) {
  return el(
    "div",
    { class: "monitor__progress" },
    el(
      "div",
      { class: "monitor__progress-line" },
      el("span", { class: "monitor__pct figure", dataset: { field: "progress-pct" } }, "0%"),
      el("span", { class: "monitor__steps figure", dataset: { field: "progress-steps" } }),
    ),
    progressBar({ label: `Training progress of ${name ?? "the run"}`, field: "progress-bar", value: 0, large: true }),
  );
}

function figures() {
  return el(
    "div",
    { class: "monitor__body" },
    el(
      "dl",
      { class: "monitor__facts" },
      fact("Time", "time", "Time spent training (pauses left out) and the estimated time left"),
      fact("Score", "score-trend", "Mean score of the agent's games: when the run began → now"),
      fact("Episodes", "episodes", "Games the agent has finished so far"),
      fact("Device", "device", "Where the neural network runs: CPU or an NVIDIA GPU (CUDA)"),
    ),
    el(
      "dl",
      { class: "monitor__metrics", "aria-label": "Live metrics" },
      liveMetric("Reward", "reward", "Mean score of the last 100 games; the arrow compares it with the previous reading"),
      liveMetric("Loss", "loss", "The network's last training loss; the arrow compares it with the previous update"),
      el(
        "div",
        { class: "monitor__metric", title: "Agent steps done / steps this run trains" },
        el("dt", {}, "Timesteps"),
        el("dd", { class: "monitor__metric-value" }, el("span", { class: "figure", dataset: { field: "timesteps" } }, DASH)),
      ),
    ),
  );
}

/** The card of run `experimentId` (named `name` for the progress bar's label): {root, slots}. */
export function monitorLayout(experimentId, name) {
  const nameId = `monitor-name-${experimentId}`;
  const slots = {
    charts: el("div", { class: "monitor__charts" }),
    tracker: el("div", { class: "monitor__milestones" }),
    live: el("div", { class: "monitor__live" }),
  };
  const root = el(
    "article",
    {
      class: "monitor card",
      dataset: { testid: "training-monitor", experimentId },
      "aria-labelledby": nameId,
    },
    head(experimentId, nameId),
    progress(name),
    figures(),
    el("p", { class: "card-message", dataset: { field: "status-message" }, hidden: true }),
    slots.charts,
    el("div", { class: "monitor__extras" }, slots.tracker, slots.live),
  );
  return { root, slots };
}
