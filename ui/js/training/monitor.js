// The Training Monitor: one live panel per queued, running or paused run. Progress that
// glides, time and ETA, score trend, live reward and loss with change arrows, steps, the
// device, reward and loss charts, the milestone clips and the live game view, and the run
// controls (main.js handles their data-actions inside this data-experiment-id element).
// The card's DOM is monitor-layout.js, what its figures say monitor-format.js; this module
// fills them in and wires the charts, clips and live view to the live events.
//
//   const monitor = createTrainingMonitor(container, experimentId);
//   monitor.update(experiment);   // on every state change or progress report
//   monitor.destroy();

import { field, setText } from "../shell/dom.js";
import { DASH, algorithmLabel, displayStatus, formatInt, formatPct, lineageText, statusLabel } from "../shell/format.js";
import { onPendingChange, updateRunControls } from "../runs/lifecycle.js";
import { liveSocket, onLive, onReconnect } from "../shell/live.js";
import * as state from "../shell/state.js";
import { setProgress, setStatusBadge } from "../shell/widgets.js";
import { createLiveView } from "../videos/live-view.js";
import { createMilestoneTracker } from "../videos/milestone-tracker.js";
import { createRunCharts } from "./charts.js";
import { monitorLayout } from "./monitor-layout.js";
import { monitorMessage, progressFigures, readings, timeText } from "./monitor-format.js";
import {
  changeArrow,
  changeOf,
  changeText,
  compactProgress,
  deviceLabel,
  formatLoss,
  formatScore,
  scoreTrend,
} from "./training-format.js";

/** Name, game and algorithm, lineage and status of the card's head. */
function showHead(root, experiment, status) {
  setText(field(root, "name"), experiment.name);
  setText(field(root, "meta"), [state.gameName(experiment.game), algorithmLabel(experiment.algorithm)].join(" · "));
  const lineage = lineageText(experiment, state.getExperiment(experiment.lineage?.parent_experiment_id));
  field(root, "lineage").hidden = !lineage;
  setText(field(root, "lineage-text"), lineage ?? "");
  setStatusBadge(field(root, "status-badge"), status);
}

function showProgress(root, experiment, status) {
  const { timestep, total, pct } = progressFigures(experiment);
  setProgress(field(root, "progress-bar"), pct, {
    valueText: `${formatPct(pct)}, ${statusLabel(status)}`,
    tone: experiment.metadata?.status === "paused" ? "paused" : "accent",
    indeterminate: status === "starting" || status === "queued",
  });
  setText(field(root, "progress-pct"), formatPct(pct));
  setText(field(root, "progress-steps"), `${formatInt(timestep)} / ${formatInt(total)} steps`);
  setText(field(root, "timesteps"), compactProgress(timestep, total));
}

/** A live metric: its value, the arrow and the change from the reading before. */
function showMetric(root, name, tracked, format) {
  const change = changeOf(tracked.previous, tracked.latest);
  const arrow = field(root, `${name}-arrow`);
  setText(arrow, tracked.latest === null ? "" : changeArrow(change));
  arrow.dataset.direction = change?.direction ?? "flat";
  setText(field(root, name), format(tracked.latest));
  setText(field(root, `${name}-change`), changeText(change));
}

function showMessage(root, experiment, status) {
  const node = field(root, "status-message");
  const { text, tone } = monitorMessage(experiment, status);
  node.hidden = !text;
  node.className = `card-message card-message--${tone}`;
  setText(node, text);
}

export function createTrainingMonitor(container, experimentId) {
  const initial = state.getExperiment(experimentId);
  const reward = readings();
  const loss = readings();
  let firstReward = null;
  let destroyed = false;

  const { root, slots } = monitorLayout(experimentId, initial?.name);
  container.append(root);

  const charts = createRunCharts(slots.charts, experimentId, {
    height: 160,
    onChange: () => {
      firstReward = charts.firstValue("reward");
      const experiment = state.getExperiment(experimentId);
      if (experiment) update(experiment);
    },
  });
  const tracker = createMilestoneTracker(slots.tracker, experimentId);
  let socket = null;
  let liveView = createLiveView(slots.live, experimentId);
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
      if (experiment) updateRunControls(root, experiment);
    }),
  ];

  function update(experiment) {
    if (destroyed || !experiment) return;
    const status = displayStatus(experiment);
    const metrics = experiment.progress?.metrics ?? {};
    root.dataset.status = status;
    root.dataset.lifecycle = experiment.metadata?.status ?? "queued";
    showHead(root, experiment, status);
    showProgress(root, experiment, status);
    setText(field(root, "time"), timeText(experiment, status));

    reward.push(metrics.mean_reward);
    loss.push(metrics.loss);
    firstReward ??= reward.latest;
    setText(field(root, "score-trend"), scoreTrend(firstReward, reward.latest));
    setText(field(root, "episodes"), metrics.episodes == null ? DASH : `${formatInt(metrics.episodes)} completed`);
    const device = deviceLabel(experiment);
    setText(field(root, "device"), device.known ? device.label : `${device.label} (not started)`);
    field(root, "device").dataset.device = device.label.toLowerCase();
    showMetric(root, "reward", reward, formatScore);
    showMetric(root, "loss", loss, formatLoss);

    showMessage(root, experiment, status);
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
      liveView = createLiveView(slots.live, experimentId, { socket });
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
