// The Training Monitor: one live panel per queued, running or paused run. Progress that
// glides, time and ETA, score trend, live reward and loss with change arrows, steps, the
// device, reward and loss charts, the milestone clips and the live game view, and the run
// controls (main.js handles their data-actions inside this data-experiment-id element).
//
//   const monitor = createTrainingMonitor(container, experimentId);
//   monitor.update(experiment);   // on every state change or progress report
//   monitor.destroy();

import { el, field, icon, setText } from "../shell/dom.js";
import {
  DASH,
  algorithmLabel,
  displayStatus,
  formatDuration,
  formatInt,
  formatPct,
  lineageText,
  statusLabel,
} from "../format.js";
import { RUN_CONTROLS, onPendingChange, updateRunControls } from "../lifecycle.js";
import { liveSocket, onLive, onReconnect } from "../shell/live.js";
import * as state from "../shell/state.js";
import { createLiveView } from "../videos/live-view.js";
import { createMilestoneTracker } from "../videos/milestone-tracker.js";
import { createRunCharts } from "./charts.js";
import {
  changeArrow,
  changeOf,
  changeText,
  compactProgress,
  deviceLabel,
  formatLoss,
  formatScore,
  runSeconds,
  scoreTrend,
  sessionLabel,
} from "./training-format.js";

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

/** Tracks one metric's readings: the latest and the one before it (a new value shifts). */
function readings() {
  let previous = null;
  let latest = null;
  return {
    push(value) {
      if (typeof value !== "number" || !Number.isFinite(value) || value === latest) return;
      previous = latest;
      latest = value;
    },
    get previous() {
      return previous;
    },
    get latest() {
      return latest;
    },
  };
}

export function createTrainingMonitor(container, experimentId) {
  const initial = state.getExperiment(experimentId);
  const nameId = `monitor-name-${experimentId}`;
  const reward = readings();
  const loss = readings();
  let firstReward = null;
  let destroyed = false;

  const controls = Object.entries(RUN_CONTROLS).map(([action, control]) =>
    el(
      "button",
      {
        type: "button",
        class: `button ${control.class}`,
        dataset: { action },
        title: control.title,
        hidden: true,
      },
      icon(control.icon),
      el("span", { class: "button__label" }, control.label),
    ),
  );

  const chartsSlot = el("div", { class: "monitor__charts" });
  const trackerSlot = el("div", { class: "monitor__milestones" });
  const liveSlot = el("div", { class: "monitor__live" });

  const root = el(
    "article",
    {
      class: "monitor card",
      dataset: { testid: "training-monitor", experimentId },
      "aria-labelledby": nameId,
    },
    el(
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
        el(
          "span",
          { class: "status", dataset: { field: "status-badge" } },
          el("span", { class: "status__dot", "aria-hidden": "true" }),
          el("span", { dataset: { field: "status" } }),
        ),
        el(
          "div",
          { class: "monitor__controls" },
          controls,
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
    ),
    el(
      "div",
      { class: "monitor__progress" },
      el(
        "div",
        { class: "monitor__progress-line" },
        el("span", { class: "monitor__pct figure", dataset: { field: "progress-pct" } }, "0%"),
        el("span", { class: "monitor__steps figure", dataset: { field: "progress-steps" } }),
      ),
      el(
        "div",
        {
          class: "progress progress--large",
          role: "progressbar",
          "aria-label": `Training progress of ${initial?.name ?? "the run"}`,
          "aria-valuemin": "0",
          "aria-valuemax": "100",
          "aria-valuenow": "0",
          dataset: { field: "progress-bar" },
        },
        el("div", { class: "progress__fill" }),
      ),
    ),
    el(
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
    ),
    el("p", { class: "card-message", dataset: { field: "status-message" }, hidden: true }),
    chartsSlot,
    el("div", { class: "monitor__extras" }, trackerSlot, liveSlot),
  );
  container.append(root);

  const charts = createRunCharts(chartsSlot, experimentId, {
    height: 160,
    onChange: () => {
      firstReward = charts.firstValue("reward");
      const experiment = state.getExperiment(experimentId);
      if (experiment) update(experiment);
    },
  });
  const tracker = createMilestoneTracker(trackerSlot, experimentId);
  let socket = null;
  let liveView = createLiveView(liveSlot, experimentId);
  liveSocket().then((live) => {
    socket = live;
    if (!destroyed) liveView.setSocket(live);
  });

  const unsubscribe = [
    onLive("video.generated", (payload) => tracker.handleEvent("video.generated", payload)),
    onLive("video.failed", (payload) => tracker.handleEvent("video.failed", payload)),
    onLive("live.frame", (payload) => liveView.handleEvent("live.frame", payload)),
    onReconnect(() => {
      tracker.handleEvent("connect", {});
      liveView.handleEvent("connect", {});
    }),
    onPendingChange((id) => {
      const experiment = id === experimentId && state.getExperiment(id);
      if (experiment) updateControls(experiment);
    }),
  ];

  function showMetric(name, tracked, format) {
    const change = changeOf(tracked.previous, tracked.latest);
    const arrow = field(root, `${name}-arrow`);
    setText(arrow, tracked.latest === null ? "" : changeArrow(change));
    arrow.dataset.direction = change?.direction ?? "flat";
    setText(field(root, name), format(tracked.latest));
    setText(field(root, `${name}-change`), changeText(change));
  }

  function update(experiment) {
    if (destroyed || !experiment) return;
    const status = displayStatus(experiment);
    const lifecycle = experiment.metadata?.status ?? "queued";
    const paused = lifecycle === "paused";
    const progress = experiment.progress ?? {};
    const metrics = progress.metrics ?? {};
    const start = experiment.lineage?.start_timestep ?? 0;
    const total = progress.total_timesteps ?? start + (experiment.config?.total_timesteps ?? 0);
    const pct = lifecycle === "completed" ? 100 : Math.max(0, Math.min(100, Number(progress.progress_pct ?? 0)));

    root.dataset.status = status;
    root.dataset.lifecycle = lifecycle;
    setText(field(root, "name"), experiment.name);
    setText(
      field(root, "meta"),
      [state.gameName(experiment.game), algorithmLabel(experiment.algorithm)].join(" · "),
    );
    const lineage = lineageText(experiment, state.getExperiment(experiment.lineage?.parent_experiment_id));
    field(root, "lineage").hidden = !lineage;
    setText(field(root, "lineage-text"), lineage ?? "");

    field(root, "status-badge").dataset.status = status;
    setText(field(root, "status"), statusLabel(status));

    const bar = field(root, "progress-bar");
    bar.setAttribute("aria-valuenow", String(Math.round(pct)));
    bar.setAttribute("aria-valuetext", `${formatPct(pct)}, ${statusLabel(status)}`);
    bar.dataset.indeterminate = String(status === "starting" || status === "queued");
    bar.dataset.tone = paused ? "paused" : "accent";
    bar.firstElementChild.style.width = `${pct}%`;
    setText(field(root, "progress-pct"), formatPct(pct));
    setText(field(root, "progress-steps"), `${formatInt(progress.timestep ?? start)} / ${formatInt(total)} steps`);

    const elapsed = formatDuration(runSeconds(experiment));
    const left = paused ? "paused" : status === "running" ? `${formatDuration(metrics.eta_seconds)} left` : null;
    setText(field(root, "time"), left ? `${elapsed} · ${left}` : elapsed);

    reward.push(metrics.mean_reward);
    loss.push(metrics.loss);
    firstReward ??= reward.latest;
    setText(field(root, "score-trend"), scoreTrend(firstReward, reward.latest));
    setText(field(root, "episodes"), metrics.episodes == null ? DASH : `${formatInt(metrics.episodes)} completed`);
    const device = deviceLabel(experiment);
    setText(field(root, "device"), device.known ? device.label : `${device.label} (not started)`);
    field(root, "device").dataset.device = device.label.toLowerCase();

    showMetric("reward", reward, formatScore);
    showMetric("loss", loss, formatLoss);
    setText(field(root, "timesteps"), compactProgress(progress.timestep ?? start, total));

    updateMessage(experiment, status);
    updateControls(experiment);
  }

  function updateMessage(experiment, status) {
    const node = field(root, "status-message");
    const message = experiment.metadata?.status_message ?? "";
    let text = "";
    let tone = "note";
    if (status === "queued") text = message || "Waiting for a training slot: it starts when the run before it ends.";
    else if (status === "starting") text = "Loading the game and the neural network: the first steps show up in a few seconds.";
    else if (status === "paused") {
      tone = "paused";
      text = `Paused at ${formatInt(experiment.progress?.timestep ?? 0)} steps. Resume carries on from here.`;
    }
    node.hidden = !text;
    node.className = `card-message card-message--${tone}`;
    setText(node, text);
  }

  function updateControls(experiment) {
    updateRunControls(root, experiment);
  }

  update(initial);

  return {
    element: root,
    update,
    /** Stops watching the game screen (rendering it costs the worker time): the toggle is off again. */
    stopWatching() {
      if (destroyed) return;
      liveView.destroy();
      liveView = createLiveView(liveSlot, experimentId, { socket });
    },
    /** Points in the `reward` or `loss` chart. */
    chartPoints: (id) => charts.points(id),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      unsubscribe.forEach((off) => off());
      charts.destroy();
      tracker.destroy();
      liveView.destroy();
      root.remove();
    },
  };
}
