// Compare's Charts card: reward and loss overlaid, one line per run (x = steps), and a
// chart of any other metric every compared run logged, picked in its select. Holds the
// chart objects and the metrics fetched for them.

import { ApiError } from "../shell/api.js";
import { el, replaceChildren } from "../shell/dom.js";
import { createLineChart } from "../shell/line-chart.js";
import { LOSS_KEYS, REWARD_KEYS, pickKey } from "../training/training-format.js";
import { runMetrics } from "./api.js";
import { commonKeys, mergeSeries } from "./experiments-format.js";
import { sectionHead } from "./parts.js";

/** Every run's metrics: first which keys each has, then the common ones (up to 64) in full. */
async function fetchMetrics(list) {
  const results = await Promise.all(
    list.map((e) => runMetrics(e.id, { downsample: 800, keys: null }).then((data) => [e.id, data])),
  );
  const available = new Map(results.map(([id, data]) => [id, data.keys_available ?? []]));
  const common = commonKeys(list.map((e) => available.get(e.id)));
  // The default set may not hold every key: ask for the ones the charts need.
  const full = await Promise.all(
    list.map(
      (e) => runMetrics(e.id, { downsample: 800, keys: common.length ? common.slice(0, 64) : null }).then(
        (data) => [e.id, data],
      ),
    ),
  );
  return { common, byRun: new Map(full) };
}

/**
 * Appends to `slot` the chart of metric `key` titled `title`, one line per run of `list`
 * (`metricsFor(id)`: a run's metrics); a note instead when not every run logged it.
 * Returns the chart, or null.
 */
async function chartCard(slot, title, key, list, metricsFor) {
  const box = el("div", { class: "experiment-chart", dataset: { chart: key ?? "none" } });
  const card = el(
    "div",
    { class: "compare-chart", dataset: { chartTitle: title } },
    el("h3", { class: "compare-chart__title" }, title),
    box,
  );
  slot.append(card);
  if (!key) {
    box.append(el("p", { class: "empty-note" }, "Not logged by every compared run yet."));
    return null;
  }
  const chart = await createLineChart(box, {
    series: list.map((experiment) => ({ label: experiment.name })), // the chart palette: same order as COMPARE_COLORS
    xLabel: "Steps",
    yLabel: title,
    height: 240,
  });
  chart.setData(mergeSeries(list.map((experiment) => metricsFor(experiment.id)?.series?.[key])));
  return chart;
}

/** The other metrics every run logged, to pick one to chart. */
function fillKeySelect(select, extras) {
  replaceChildren(
    select,
    el("option", { value: "" }, extras.length ? "Chart another metric…" : "No other common metric"),
    extras.map((key) => el("option", { value: key }, key)),
  );
  select.disabled = !extras.length;
}

/** `runs()`: the compared runs, in order. Returns {element, load(), clear(), destroy(), isEmpty()}. */
export function createCompareCharts(runs) {
  const keySelect = el(
    "select",
    {
      class: "select",
      "aria-label": "Another metric to chart",
      title: "Chart another metric every compared run logged",
      dataset: { field: "compare-key" },
    },
  );
  const charts = el("div", { class: "compare-charts" });
  const extraSlot = el("div", { class: "compare-chart-extra" });
  const element = el(
    "section",
    { class: "card compare-section" },
    sectionHead("Charts", { titleClass: "card__title", after: [keySelect] }),
    charts,
    extraSlot,
  );
  let chartObjects = [];
  let extraChart = null;
  let token = 0;
  let metricsByRun = new Map(); // id → {series, keys_available}
  const metricsFor = (id) => metricsByRun.get(id);

  keySelect.addEventListener("change", () => renderExtra());

  function destroyCharts() {
    chartObjects.forEach((chart) => chart.destroy());
    chartObjects = [];
    extraChart?.destroy();
    extraChart = null;
  }

  async function load() {
    const mine = ++token;
    destroyCharts();
    const list = runs();
    replaceChildren(charts, el("p", { class: "experiment-loading" }, "Loading the metrics…"));
    replaceChildren(extraSlot);
    try {
      const { common, byRun } = await fetchMetrics(list);
      if (mine !== token) return;
      metricsByRun = byRun;
      replaceChildren(charts);
      const rewardKey = pickKey(common, REWARD_KEYS);
      const lossKey = pickKey(common, LOSS_KEYS);
      chartObjects = (
        await Promise.all([
          chartCard(charts, "Reward", rewardKey, list, metricsFor),
          chartCard(charts, "Loss", lossKey, list, metricsFor),
        ])
      ).filter(Boolean);
      const wanted = [rewardKey, lossKey].filter(Boolean);
      fillKeySelect(keySelect, common.filter((key) => !wanted.includes(key)));
    } catch (error) {
      if (mine !== token) return;
      replaceChildren(
        charts,
        el(
          "p",
          { class: "card-message card-message--error" },
          `Could not load the metrics: ${error instanceof ApiError ? error.message : error}`,
        ),
      );
    }
  }

  async function renderExtra() {
    extraChart?.destroy();
    extraChart = null;
    replaceChildren(extraSlot);
    const key = keySelect.value;
    if (!key) return;
    extraChart = await chartCard(extraSlot, key, key, runs(), metricsFor);
  }

  return {
    element,
    load,
    clear: destroyCharts,
    /** Drops the charts and forgets a load still in flight. */
    destroy() {
      token++;
      destroyCharts();
    },
    isEmpty: () => !chartObjects.length,
  };
}
