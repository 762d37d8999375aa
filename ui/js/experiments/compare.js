// Compare 2–5 runs (`#/experiments/compare?ids=a,b,c`): a colour-coded header per run, the
// settings that differ (or all), final figures side by side, and overlaid metric charts
// (reward, loss and any common key the user picks) with one line per run, x = steps.

import { ApiError } from "../shell/api.js";
import { el, replaceChildren, setText } from "../shell/dom.js";
import { algorithmLabel, displayStatus, formatDuration, formatInt, formatReward, statusLabel } from "../format.js";
import { createLineChart } from "../shell/line-chart.js";
import * as state from "../shell/state.js";
import { LOSS_KEYS, REWARD_KEYS, formatLoss, pickKey } from "../training/training-format.js";
import { runMetrics } from "./api.js";
import {
  COMPARE_COLORS,
  MAX_COMPARE,
  MIN_COMPARE,
  commonKeys,
  configDiff,
  configText,
  mergeSeries,
  metricsOf,
  parseCompareIds,
  runSeconds,
} from "./experiments-format.js";


function withColor(node, index) {
  node.style.setProperty("--run-color", `var(${COMPARE_COLORS[index % COMPARE_COLORS.length]})`);
  return node;
}

const METRIC_ROWS = [
  ["Status", (e) => statusLabel(displayStatus(e))],
  ["Steps", (e) => formatInt(e.progress?.timestep ?? 0)],
  ["Episodes", (e) => formatInt(metricsOf(e).episodes)],
  ["Mean reward", (e) => formatReward(metricsOf(e).mean_reward), (e) => metricsOf(e).mean_reward],
  ["Best reward", (e) => formatReward(metricsOf(e).best_reward), (e) => metricsOf(e).best_reward],
  ["Loss", (e) => formatLoss(metricsOf(e).loss)],
  ["Training time", (e) => formatDuration(runSeconds(e))],
];

export function createComparePage(container, { setIds }) {
  const back = el(
    "a",
    { class: "link-button experiment-back", href: "#/experiments", title: "Back to every experiment" },
    "← All experiments",
  );
  const addSelect = el(
    "select",
    {
      class: "select",
      "aria-label": "Add a run to the comparison",
      title: `Add another run (up to ${MAX_COMPARE})`,
      dataset: { field: "compare-add" },
    },
  );
  addSelect.addEventListener("change", () => {
    if (addSelect.value) setIds([...ids, addSelect.value]);
  });
  const head = el(
    "div",
    { class: "experiments__head" },
    el(
      "div",
      { class: "experiments__title" },
      el("h1", { class: "page-title" }, "Compare runs"),
      el("span", { class: "experiments__count", dataset: { field: "compare-count" } }),
    ),
    addSelect,
  );
  const runsRow = el("div", { class: "compare-runs", dataset: { testid: "compare-runs" } });
  const showAll = el("input", { type: "checkbox", dataset: { field: "show-all" } });
  const diffBody = el("div", {});
  const metricsBody = el("div", {});
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
  const content = el(
    "div",
    { class: "compare-content" },
    runsRow,
    el(
      "section",
      { class: "card compare-section" },
      el(
        "div",
        { class: "experiment-section-head" },
        el("h2", { class: "card__title" }, "Settings"),
        el("span", { class: "experiment-section-head__spacer" }),
        el(
          "label",
          { class: "experiment-toggle", title: "Show every setting, not only the ones that differ" },
          showAll,
          el("span", {}, "Show all"),
        ),
      ),
      diffBody,
    ),
    el(
      "section",
      { class: "card compare-section" },
      el("h2", { class: "card__title" }, "Results"),
      metricsBody,
    ),
    el(
      "section",
      { class: "card compare-section" },
      el(
        "div",
        { class: "experiment-section-head" },
        el("h2", { class: "card__title" }, "Charts"),
        el("span", { class: "experiment-section-head__spacer" }),
        keySelect,
      ),
      charts,
      extraSlot,
    ),
  );
  const notice = el(
    "div",
    { class: "experiments-empty", hidden: true, dataset: { testid: "compare-notice" } },
  );
  const root = el("div", { class: "compare" }, back, head, notice, content);
  container.append(root);

  let ids = [];
  let chartObjects = [];
  let extraChart = null;
  let token = 0;
  let metricsByRun = new Map(); // id → {series, keys_available}

  showAll.addEventListener("change", () => renderDiff());
  keySelect.addEventListener("change", () => renderExtra());

  const runs = () => ids.map((id) => state.getExperiment(id)).filter(Boolean);

  function renderRuns() {
    const list = runs();
    setText(head.querySelector('[data-field="compare-count"]'), `${list.length} runs`);
    replaceChildren(
      runsRow,
      list.map((experiment, index) => {
        const status = displayStatus(experiment);
        return withColor(el(
          "article",
          { class: "compare-run card", dataset: { runId: experiment.id } },
          el("span", { class: "compare-run__swatch", "aria-hidden": "true" }),
          el(
            "div",
            { class: "compare-run__body" },
            el(
              "a",
              {
                class: "compare-run__name",
                href: `#/experiments/${encodeURIComponent(experiment.id)}`,
                title: `Open ${experiment.name}`,
              },
              experiment.name,
            ),
            el(
              "span",
              { class: "compare-run__meta" },
              `${state.gameName(experiment.game)} · ${algorithmLabel(experiment.algorithm)} · `,
              el(
                "span",
                { class: "status", dataset: { status } },
                el("span", { class: "status__dot", "aria-hidden": "true" }),
                el("span", {}, statusLabel(status)),
              ),
            ),
          ),
          el(
            "button",
            {
              type: "button",
              class: "icon-button compare-run__remove",
              title:
                list.length <= MIN_COMPARE
                  ? `A comparison needs at least ${MIN_COMPARE} runs`
                  : `Remove ${experiment.name} from the comparison`,
              "aria-label": `Remove ${experiment.name} from the comparison`,
              "aria-disabled": list.length <= MIN_COMPARE ? "true" : null,
              onclick: () => {
                if (list.length > MIN_COMPARE) setIds(ids.filter((id) => id !== experiment.id));
              },
            },
            "×",
          ),
        ), index);
      }),
    );
    const others = state.allExperiments().filter((e) => !ids.includes(e.id));
    replaceChildren(
      addSelect,
      el("option", { value: "" }, ids.length >= MAX_COMPARE ? `At most ${MAX_COMPARE} runs` : "Add a run…"),
      others.map((e) => el("option", { value: e.id }, `${e.name} (${state.gameName(e.game)})`)),
    );
    addSelect.value = "";
    addSelect.disabled = ids.length >= MAX_COMPARE || !others.length;
  }

  function runHeaderCells(list) {
    return list.map((experiment, index) =>
      withColor(
        el(
          "th",
          { scope: "col", class: "compare-table__run" },
          el("span", { class: "compare-table__dot", "aria-hidden": "true" }),
          el("span", {}, experiment.name),
        ),
        index,
      ),
    );
  }

  function renderDiff() {
    const list = runs();
    const rows = configDiff(list.map((e) => e.config ?? {}), { all: showAll.checked });
    if (!rows.length) {
      replaceChildren(
        diffBody,
        el(
          "p",
          { class: "empty-note", dataset: { field: "no-diff" } },
          "These runs use the same settings. Tick “Show all” to see them.",
        ),
      );
      return;
    }
    replaceChildren(
      diffBody,
      el(
        "div",
        { class: "compare-table__scroll" },
        el(
          "table",
          { class: "compare-table", dataset: { testid: "config-diff" } },
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Setting"), runHeaderCells(list))),
          el(
            "tbody",
            {},
            rows.map((row) =>
              el(
                "tr",
                { class: row.differs ? "is-different" : null, dataset: { key: row.key } },
                el("th", { scope: "row" }, row.key),
                row.values.map((value) =>
                  el(
                    "td",
                    {
                      class: row.differs ? "is-different" : null,
                      title: row.differs ? "Differs between the runs" : null,
                    },
                    configText(value),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  function renderMetrics() {
    const list = runs();
    replaceChildren(
      metricsBody,
      el(
        "div",
        { class: "compare-table__scroll" },
        el(
          "table",
          { class: "compare-table compare-table--figures", dataset: { testid: "compare-metrics" } },
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Figure"), runHeaderCells(list))),
          el(
            "tbody",
            {},
            METRIC_ROWS.map(([label, text, raw]) => {
              const values = raw ? list.map(raw) : [];
              const numbers = values.filter((v) => typeof v === "number" && Number.isFinite(v));
              const best = numbers.length > 1 ? Math.max(...numbers) : null;
              return el(
                "tr",
                {},
                el("th", { scope: "row" }, label),
                list.map((experiment, i) =>
                  el(
                    "td",
                    {
                      class: `figure${best !== null && values[i] === best ? " is-best" : ""}`,
                      title: best !== null && values[i] === best ? "Best of the compared runs" : null,
                    },
                    text(experiment),
                  ),
                ),
              );
            }),
          ),
        ),
      ),
    );
  }

  function destroyCharts() {
    chartObjects.forEach((chart) => chart.destroy());
    chartObjects = [];
    extraChart?.destroy();
    extraChart = null;
  }

  async function chartCard(slot, title, key, list) {
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
    chart.setData(mergeSeries(list.map((experiment) => metricsByRun.get(experiment.id)?.series?.[key])));
    return chart;
  }

  async function loadCharts() {
    const mine = ++token;
    destroyCharts();
    const list = runs();
    replaceChildren(charts, el("p", { class: "experiment-loading" }, "Loading the metrics…"));
    replaceChildren(extraSlot);
    try {
      const results = await Promise.all(
        list.map((e) => runMetrics(e.id, { downsample: 800, keys: null }).then((data) => [e.id, data])),
      );
      const available = new Map(results.map(([id, data]) => [id, data.keys_available ?? []]));
      const common = commonKeys(list.map((e) => available.get(e.id)));
      const wanted = [pickKey(common, REWARD_KEYS), pickKey(common, LOSS_KEYS)].filter(Boolean);
      // The default set may not hold every key: ask for the ones the charts need.
      const full = await Promise.all(
        list.map(
          (e) => runMetrics(e.id, { downsample: 800, keys: common.length ? common.slice(0, 64) : null }).then(
            (data) => [e.id, data],
          ),
        ),
      );
      if (mine !== token) return;
      metricsByRun = new Map(full);
      replaceChildren(charts);
      chartObjects = (
        await Promise.all([
          chartCard(charts, "Reward", pickKey(common, REWARD_KEYS), list),
          chartCard(charts, "Loss", pickKey(common, LOSS_KEYS), list),
        ])
      ).filter(Boolean);
      const extras = common.filter((key) => !wanted.includes(key));
      replaceChildren(
        keySelect,
        el("option", { value: "" }, extras.length ? "Chart another metric…" : "No other common metric"),
        extras.map((key) => el("option", { value: key }, key)),
      );
      keySelect.disabled = !extras.length;
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
    extraChart = await chartCard(extraSlot, key, key, runs());
  }

  function render({ reloadCharts = false } = {}) {
    if (root.hidden) return;
    const list = runs();
    if (list.length < MIN_COMPARE) {
      content.hidden = true;
      notice.hidden = false;
      destroyCharts();
      replaceChildren(
        notice,
        el(
          "p",
          { class: "experiments-empty__title" },
          state.isLoaded() ? "Pick at least two runs to compare." : "Loading…",
        ),
        el(
          "p",
          { class: "experiments-empty__text" },
          "Tick 2 to 5 runs in the Experiments table, then press Compare.",
        ),
        el(
          "a",
          { class: "button button--primary", href: "#/experiments", title: "Back to the table" },
          "Choose runs",
        ),
      );
      renderRuns();
      return;
    }
    content.hidden = false;
    notice.hidden = true;
    renderRuns();
    renderDiff();
    renderMetrics();
    if (reloadCharts) loadCharts();
  }

  let lastKey = "";
  state.on("experiments", () => {
    if (root.hidden) return;
    const key = runs().map((e) => `${e.id}:${e.metadata?.status}`).join(",");
    const reload = key !== lastKey;
    lastKey = key;
    render({ reloadCharts: reload });
  });
  state.on("progress", (experiment) => {
    if (!root.hidden && ids.includes(experiment.id)) renderMetrics();
  });

  return {
    show(query) {
      root.hidden = false;
      const next = parseCompareIds(query.get("ids"), (id) => !state.isLoaded() || state.getExperiment(id));
      const changed = next.join(",") !== ids.join(",");
      ids = next;
      lastKey = runs().map((e) => `${e.id}:${e.metadata?.status}`).join(",");
      render({ reloadCharts: changed || !chartObjects.length });
    },
    hide() {
      root.hidden = true;
      token++;
      destroyCharts();
      ids = [];
    },
    ids: () => ids,
  };
}
