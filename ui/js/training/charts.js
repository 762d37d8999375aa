// Reward and loss charts of one run: the logged history (downsampled by the server, so a
// ten-hour run loads as fast as a short one), then one point per new reading from the
// run's `training.progress` events. Used by the Training Monitor and the chart panel.

import { api } from "../shell/api.js";
import { el, replaceChildren, setText, spinner } from "../shell/dom.js";
import { ACTIVE_STATUSES } from "../shell/format.js";
import { createLineChart } from "../shell/line-chart.js";
import { onLive, onReconnect } from "../shell/live.js";
import * as state from "../shell/state.js";
import { LOSS_KEYS, REWARD_KEYS, pickKey, seriesColumns, thinColumns } from "./training-format.js";

const HISTORY_POINTS = 600; // per series, from the server
const MAX_POINTS = 1500; // live points beyond this are thinned

// SB3 logger key → the name progress events carry it under (docs/CONTRACT.md).
const LIVE_NAMES = {
  "rollout/ep_rew_mean": "mean_reward",
  "train/loss": "loss",
  "train/value_loss": "value_loss",
  "train/policy_gradient_loss": "policy_loss",
};

const PANELS = [
  {
    id: "reward",
    title: "Reward",
    keys: REWARD_KEYS,
    yLabel: "Mean score",
    color: "--success",
    waiting: "The first point comes when the agent finishes its first game.",
    none: "No game finished during this run, so there is no reward to plot.",
    tip: "Mean score of the last 100 games the agent played: it rises as the agent learns.",
  },
  {
    id: "loss",
    title: "Loss",
    keys: LOSS_KEYS,
    yLabel: "Loss",
    color: "--warning",
    waiting: "The first point comes after the agent's first learning round.",
    none: "This run logged no loss.",
    tip: "How far the network's predictions were off in its last update; it is noisy and need not fall steadily.",
  },
];

/**
 * Renders both charts into `container`. Returns {destroy(), points(id), firstValue(id)}.
 * `onChange()` runs after the history loads and after each new point.
 */
export function createRunCharts(container, experimentId, { height = 180, onChange = () => {} } = {}) {
  let destroyed = false;
  let loaded = false;
  const pending = []; // progress payloads that arrived before the history
  const panels = new Map(); // id → {spec, chart, columns, key, empty, status}

  const nodes = PANELS.map((spec) => {
    const plot = el("div", { class: "run-chart__plot" });
    const empty = el("p", { class: "run-chart__empty", dataset: { field: `${spec.id}-chart-empty` } });
    replaceChildren(empty, spinner(), el("span", {}, "Loading the chart…"));
    const node = el(
      "figure",
      { class: "run-chart", dataset: { testid: `${spec.id}-chart`, points: "0" } },
      el(
        "figcaption",
        { class: "run-chart__title", title: spec.tip },
        el("span", {}, spec.title),
        el("span", { class: "run-chart__latest figure", dataset: { field: `${spec.id}-latest` } }),
      ),
      el("div", { class: "run-chart__stage", style: { height: `${height}px` } }, plot, empty),
    );
    panels.set(spec.id, { spec, node, plot, empty, chart: null, columns: [[], []], key: null, liveName: null });
    return node;
  });
  replaceChildren(container, el("div", { class: "run-charts" }, nodes));

  const experiment = () => state.getExperiment(experimentId);

  function showEmpty(panel) {
    const count = panel.columns[0].length;
    panel.node.dataset.points = String(count);
    // One point draws no line: say what it is until the second one comes.
    panel.empty.hidden = count > 1;
    const last = panel.columns[1][count - 1];
    setText(
      panel.node.querySelector(`[data-field="${panel.spec.id}-latest"]`),
      typeof last === "number" ? `latest ${+last.toPrecision(4)}` : "",
    );
    if (count > 1 || !loaded) return;
    if (count === 1) {
      const step = panel.columns[0][0].toLocaleString("en-US");
      replaceChildren(
        panel.empty,
        el("span", {}, `First reading: ${+last.toPrecision(4)} at step ${step}. The line starts with the next one.`),
      );
      return;
    }
    const active = ACTIVE_STATUSES.has(experiment()?.metadata?.status);
    replaceChildren(panel.empty, el("span", {}, active ? panel.spec.waiting : panel.spec.none));
  }

  function draw(panel) {
    panel.chart?.setData(panel.columns);
    showEmpty(panel);
  }

  async function loadHistory() {
    try {
      const body = await api.runMetrics(experimentId, {
        keys: [...REWARD_KEYS, ...LOSS_KEYS],
        downsample: HISTORY_POINTS,
      });
      if (destroyed) return;
      for (const panel of panels.values()) {
        panel.key = pickKey(body.keys_available, panel.spec.keys) ?? panel.spec.keys[0];
        panel.liveName = LIVE_NAMES[panel.key] ?? null;
        const history = seriesColumns(body.series?.[panel.key]);
        // Keep live points newer than the history (they came while it loaded).
        const lastStep = history[0][history[0].length - 1] ?? -Infinity;
        const newer = panel.columns[0].findIndex((x) => x > lastStep);
        if (newer >= 0) {
          history[0].push(...panel.columns[0].slice(newer));
          history[1].push(...panel.columns[1].slice(newer));
        }
        panel.columns = history;
      }
      loaded = true;
    } catch (error) {
      if (destroyed || error.kind === "auth") return;
      loaded = true;
      for (const panel of panels.values()) {
        replaceChildren(panel.empty, el("span", {}, `Could not load the chart: ${error.message}`));
        panel.empty.hidden = false;
      }
      return;
    }
    for (const payload of pending.splice(0)) applyProgress(payload);
    for (const panel of panels.values()) draw(panel);
    onChange();
  }

  function applyProgress(payload) {
    const x = payload.timestep;
    if (typeof x !== "number") return false;
    let changed = false;
    for (const panel of panels.values()) {
      const name = panel.liveName ?? LIVE_NAMES[panel.spec.keys[0]];
      const value = payload.metrics?.[name];
      if (typeof value !== "number" || !Number.isFinite(value)) continue;
      const [xs, ys] = panel.columns;
      const lastX = xs[xs.length - 1];
      // A new reading only: the same value again is the same learning round or game.
      if (xs.length && (x <= lastX || ys[ys.length - 1] === value)) continue;
      xs.push(x);
      ys.push(value);
      panel.columns = thinColumns(panel.columns, MAX_POINTS);
      changed = true;
      if (loaded) draw(panel);
    }
    return changed;
  }

  const unsubscribe = [
    onLive("training.progress", (payload) => {
      if (destroyed || payload?.experiment_id !== experimentId) return;
      if (!loaded) {
        pending.push(payload);
        return;
      }
      if (applyProgress(payload)) onChange();
    }),
    // Points logged while the connection was down: load the history again.
    onReconnect(() => {
      if (!destroyed && loaded) loadHistory();
    }),
  ];

  Promise.all(
    [...panels.values()].map(async (panel) => {
      const chart = await createLineChart(panel.plot, {
        series: [{ label: panel.spec.title, color: panel.spec.color }], // a theme variable: follows the theme
        xLabel: "Steps",
        yLabel: panel.spec.yLabel,
        height,
      });
      if (destroyed) chart.destroy();
      else panel.chart = chart;
    }),
  )
    .then(() => {
      if (!destroyed && loaded) for (const panel of panels.values()) draw(panel);
    })
    .catch((error) => {
      for (const panel of panels.values()) {
        replaceChildren(panel.empty, el("span", {}, `Charts are unavailable: ${error.message}`));
        panel.empty.hidden = false;
      }
    });
  loadHistory();

  return {
    /** Points plotted in the `reward` or `loss` chart. */
    points: (id) => panels.get(id)?.columns[0].length ?? 0,
    /** The first plotted value of a chart (the start of the score trend), or null. */
    firstValue: (id) => panels.get(id)?.columns[1][0] ?? null,
    destroy() {
      destroyed = true;
      unsubscribe.forEach((off) => off());
      for (const panel of panels.values()) panel.chart?.destroy();
    },
  };
}
