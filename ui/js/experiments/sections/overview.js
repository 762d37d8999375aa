// The Overview section of a run's page: its figures (steps, episodes, rewards, loss, time)
// and its reward and loss charts, fetched again at most every 5 s while the run trains.
// Like every section: `{element, load(experiment), update(experiment), destroy()}`.

import { el, replaceChildren, setText } from "../../shell/dom.js";
import { formatDuration, formatInt, formatPct, formatReward } from "../../shell/format.js";
import { createLineChart } from "../../shell/line-chart.js";
import { LOSS_KEYS, REWARD_KEYS, formatLoss, pickKey, seriesColumns } from "../../training/training-format.js";
import { runMetrics } from "../api.js";
import { metricsOf, runSeconds } from "../experiments-format.js";
import { errorText } from "../parts.js";

function overviewFacts(experiment) {
  const metrics = metricsOf(experiment);
  const progress = experiment.progress ?? {};
  const total = progress.total_timesteps || experiment.config?.total_timesteps;
  return [
    ["Steps", `${formatInt(progress.timestep ?? 0)} / ${formatInt(total)}`, "o-steps"],
    ["Progress", formatPct(progress.progress_pct), "o-pct"],
    ["Episodes", formatInt(metrics.episodes), "o-episodes"],
    ["Mean reward", formatReward(metrics.mean_reward), "o-mean-reward"],
    ["Best reward", formatReward(metrics.best_reward), "o-best-reward"],
    ["Loss", formatLoss(metrics.loss ?? metrics["train/loss"]), "o-loss"],
    ["Training time", formatDuration(runSeconds(experiment)), "o-elapsed"],
  ];
}

function chartCard(title, note, slot) {
  return el("section", { class: "card experiment-chart-card" }, el("h3", { class: "card__title" }, title), note, slot);
}

function overviewLayout() {
  const parts = {
    figures: el("div", { class: "experiment-overview__figures" }),
    rewardSlot: el("div", { class: "experiment-chart", dataset: { chart: "reward" } }),
    lossSlot: el("div", { class: "experiment-chart", dataset: { chart: "loss" } }),
    rewardNote: el("p", { class: "empty-note", hidden: true }),
    lossNote: el("p", { class: "empty-note", hidden: true }),
  };
  parts.element = el(
    "div",
    { class: "experiment-overview" },
    el("h2", { class: "section-title" }, "Results"),
    parts.figures,
    el(
      "div",
      { class: "experiment-overview__charts" },
      chartCard("Reward", parts.rewardNote, parts.rewardSlot),
      chartCard("Loss", parts.lossNote, parts.lossSlot),
    ),
  );
  return parts;
}

async function createCharts({ rewardSlot, lossSlot }) {
  return {
    reward: await createLineChart(
      rewardSlot,
      { series: [{ label: "Mean episode reward" }], xLabel: "Steps", yLabel: "Reward", height: 220 },
    ),
    loss: await createLineChart(
      lossSlot,
      { series: [{ label: "Loss" }], xLabel: "Steps", yLabel: "Loss", height: 220 },
    ),
  };
}

export function createOverview() {
  const parts = overviewLayout();
  const { element, figures, rewardNote, lossNote } = parts;
  let charts = null;
  let currentId = null;
  let lastFetch = 0;
  let fetching = false;

  async function fetchCharts(experiment) {
    if (fetching) return;
    fetching = true;
    lastFetch = Date.now();
    const id = experiment.id;
    try {
      const data = await runMetrics(id, { keys: [...REWARD_KEYS, ...LOSS_KEYS], downsample: 600 });
      if (id !== currentId) return;
      charts ??= await createCharts(parts);
      const rewardKey = pickKey(Object.keys(data.series ?? {}), REWARD_KEYS);
      const lossKey = pickKey(Object.keys(data.series ?? {}), LOSS_KEYS);
      charts.reward.setData(seriesColumns(data.series?.[rewardKey]));
      charts.loss.setData(seriesColumns(data.series?.[lossKey]));
      rewardNote.hidden = Boolean(rewardKey);
      setText(
        rewardNote,
        "No finished episode yet: the reward appears once the agent has played a whole game.",
      );
      lossNote.hidden = Boolean(lossKey);
      setText(lossNote, "No loss logged yet: it appears after the first update of the network.");
    } catch (error) {
      if (id === currentId) {
        rewardNote.hidden = false;
        setText(rewardNote, `Charts unavailable: ${errorText(error)}`);
      }
    } finally {
      fetching = false;
    }
  }

  return {
    element,
    load(experiment) {
      currentId = experiment.id;
      replaceChildren(
        figures,
        overviewFacts(experiment).map(([label, value, field]) =>
          el(
            "div",
            { class: "experiment-tile" },
            el("span", { class: "experiment-tile__label" }, label),
            el("span", { class: "experiment-tile__value", dataset: { field } }, value),
          ),
        ),
      );
      fetchCharts(experiment);
    },
    update(experiment) {
      for (const [, value, field] of overviewFacts(experiment)) setText(
        figures.querySelector(`[data-field="${field}"]`),
        value,
      );
      if (Date.now() - lastFetch > 5000) fetchCharts(experiment);
    },
    destroy() {
      currentId = null;
      charts?.reward.destroy();
      charts?.loss.destroy();
      charts = null;
    },
  };
}
