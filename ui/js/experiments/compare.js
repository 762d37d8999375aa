// Compare 2–5 runs (`#/experiments/compare?ids=a,b,c`): a colour-coded header per run, the
// settings that differ (or all), final figures side by side, and overlaid metric charts
// (reward, loss and any common key the user picks) with one line per run, x = steps.
// This module holds which runs are compared and lays out the page; the parts are
// compare-runs.js, compare-tables.js and compare-charts.js.

import { el, replaceChildren, setText } from "../shell/dom.js";
import * as state from "../shell/state.js";
import { MAX_COMPARE, MIN_COMPARE, parseCompareIds } from "./experiments-format.js";
import { createCompareCharts } from "./compare-charts.js";
import { statusKey } from "./compare-format.js";
import { fillAddSelect, runCards } from "./compare-runs.js";
import { configDiffTable, figuresTable } from "./compare-tables.js";
import { emptyMessage, sectionHead, toggle } from "./parts.js";

/** The page's nodes: Back, the head with Add a run, the notice, and the run cards and sections. */
function compareLayout(chartsCard) {
  const parts = {
    addSelect: el(
      "select",
      {
        class: "select",
        "aria-label": "Add a run to the comparison",
        title: `Add another run (up to ${MAX_COMPARE})`,
        dataset: { field: "compare-add" },
      },
    ),
    count: el("span", { class: "experiments__count", dataset: { field: "compare-count" } }),
    runsRow: el("div", { class: "compare-runs", dataset: { testid: "compare-runs" } }),
    showAll: el("input", { type: "checkbox", dataset: { field: "show-all" } }),
    diffBody: el("div", {}),
    metricsBody: el("div", {}),
    notice: el("div", { class: "experiments-empty", hidden: true, dataset: { testid: "compare-notice" } }),
  };
  parts.content = el(
    "div",
    { class: "compare-content" },
    parts.runsRow,
    el(
      "section",
      { class: "card compare-section" },
      sectionHead("Settings", {
        titleClass: "card__title",
        after: [toggle(parts.showAll, "Show all", "Show every setting, not only the ones that differ")],
      }),
      parts.diffBody,
    ),
    el("section", { class: "card compare-section" }, el("h2", { class: "card__title" }, "Results"), parts.metricsBody),
    chartsCard,
  );
  const root = el(
    "div",
    { class: "compare" },
    el(
      "a",
      { class: "link-button experiment-back", href: "#/experiments", title: "Back to every experiment" },
      "← All experiments",
    ),
    el(
      "div",
      { class: "experiments__head" },
      el("div", { class: "experiments__title" }, el("h1", { class: "page-title" }, "Compare runs"), parts.count),
      parts.addSelect,
    ),
    parts.notice,
    parts.content,
  );
  return { root, parts };
}

export function createComparePage(container, { setIds }) {
  let ids = [];
  const runs = () => ids.map((id) => state.getExperiment(id)).filter(Boolean);

  const charts = createCompareCharts(runs);
  const { root, parts } = compareLayout(charts.element);
  const { addSelect, count, runsRow, showAll, diffBody, metricsBody, content, notice } = parts;
  addSelect.addEventListener("change", () => {
    if (addSelect.value) setIds([...ids, addSelect.value]);
  });
  container.append(root);

  const renderDiff = () => replaceChildren(diffBody, configDiffTable(runs(), { all: showAll.checked }));
  const renderFigures = () => replaceChildren(metricsBody, figuresTable(runs()));
  showAll.addEventListener("change", renderDiff);

  function renderRuns() {
    const list = runs();
    setText(count, `${list.length} runs`);
    replaceChildren(runsRow, runCards(list, (id) => setIds(ids.filter((other) => other !== id))));
    fillAddSelect(addSelect, ids);
  }

  function showNotice() {
    content.hidden = true;
    notice.hidden = false;
    charts.clear();
    replaceChildren(
      notice,
      emptyMessage(
        state.isLoaded() ? "Pick at least two runs to compare." : "Loading…",
        "Tick 2 to 5 runs in the Experiments table, then press Compare.",
        el("a", { class: "button button--primary", href: "#/experiments", title: "Back to the table" }, "Choose runs"),
      ),
    );
  }

  function render({ reloadCharts = false } = {}) {
    if (root.hidden) return;
    if (runs().length < MIN_COMPARE) {
      showNotice();
      renderRuns();
      return;
    }
    content.hidden = false;
    notice.hidden = true;
    renderRuns();
    renderDiff();
    renderFigures();
    if (reloadCharts) charts.load();
  }

  let lastKey = "";
  state.on("experiments", () => {
    if (root.hidden) return;
    const key = statusKey(runs());
    const reload = key !== lastKey;
    lastKey = key;
    render({ reloadCharts: reload });
  });
  state.on("progress", (experiment) => {
    if (!root.hidden && ids.includes(experiment.id)) renderFigures();
  });

  return {
    show(query) {
      root.hidden = false;
      const next = parseCompareIds(query.get("ids"), (id) => !state.isLoaded() || state.getExperiment(id));
      const changed = next.join(",") !== ids.join(",");
      ids = next;
      lastKey = statusKey(runs());
      render({ reloadCharts: changed || charts.isEmpty() });
    },
    hide() {
      root.hidden = true;
      charts.destroy();
      ids = [];
    },
    ids: () => ids,
  };
}
