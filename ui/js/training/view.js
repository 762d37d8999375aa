// The Training tab ("Training Sessions"): a live Training Monitor per queued, running or
// paused run, the Recent Experiments table with the actions each run allows, reward and
// loss charts of a run picked in the table, and the New Training dialog.

import { el, icon, replaceChildren, setText } from "../shell/dom.js";
import { ACTIVE_STATUSES } from "../shell/format.js";
import * as state from "../shell/state.js";
import { skeletonCard } from "../shell/widgets.js";
import { createRunCharts } from "./charts.js";
import { createTrainingMonitor } from "./monitor.js";
import { openNewTraining } from "./new-training-dialog.js";
import { createExperimentsTable } from "./table.js";
import { tuneButton } from "../studies/tune-dialog.js";

const monitors = new Map(); // experiment id → monitor
let monitorList;
let activeCount;
let table;
let tableCount;
let chartsPanel;
let chartsTitle;
let chartsSlot;
let runCharts = null; // {id, charts} shown in the chart panel

function newTrainingButton(label = "New Training") {
  return el(
    "button",
    {
      type: "button",
      class: "button button--primary",
      dataset: { trainingAction: "new-training" },
      title: "Choose a game, a length and any setting, then start a run",
    },
    icon("play"),
    el("span", { class: "button__label" }, label),
  );
}

function emptyState() {
  return el(
    "div",
    { class: "training-empty", dataset: { testid: "training-empty" } },
    el("p", { class: "training-empty__title" }, "Nothing is training right now."),
    el(
      "p",
      { class: "training-empty__text" },
      "Start a run with New Training: pick a game and a length, and watch the agent learn here, live.",
    ),
    newTrainingButton("Start a New Training"),
  );
}

function activeRuns() {
  return state
    .allExperiments()
    .filter((experiment) => ACTIVE_STATUSES.has(experiment.metadata?.status))
    .reverse(); // oldest first: the run that started first stays on top
}

function renderMonitors() {
  if (!state.isLoaded()) return;
  const runs = activeRuns();
  const ids = new Set(runs.map((run) => run.id));
  for (const [id, monitor] of monitors) {
    if (!ids.has(id)) {
      monitor.destroy();
      monitors.delete(id);
    }
  }
  monitorList.removeAttribute("aria-busy");
  setText(activeCount, runs.length ? `${runs.length} ${runs.length === 1 ? "run" : "runs"}` : "");
  if (!runs.length) {
    if (!monitorList.querySelector('[data-testid="training-empty"]')) replaceChildren(monitorList, emptyState());
    return;
  }
  monitorList.querySelector('[data-testid="training-empty"]')?.remove();
  monitorList.querySelector(".skeleton-card")?.remove();
  for (const run of runs) {
    let monitor = monitors.get(run.id);
    if (!monitor) {
      monitor = createTrainingMonitor(monitorList, run.id);
      monitors.set(run.id, monitor);
    }
    monitor.update(run);
  }
  // Order: oldest first. Only move nodes that are out of place (moving restarts transitions).
  runs.forEach((run, index) => {
    const node = monitors.get(run.id).element;
    if (monitorList.children[index] !== node) monitorList.insertBefore(node, monitorList.children[index] ?? null);
  });
}

function renderTable() {
  table.render();
  const count = state.allExperiments().length;
  setText(tableCount, count ? `${count} ${count === 1 ? "run" : "runs"}` : "");
}

const scrollBehavior = () => (matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth");

/** Charts of a run: an active run's are in its monitor; others open in the chart panel. */
function showCharts(id) {
  const monitor = monitors.get(id);
  if (monitor) {
    const charts = monitor.element.querySelector(".monitor__charts");
    charts.scrollIntoView({ behavior: scrollBehavior(), block: "center" });
    charts.setAttribute("tabindex", "-1");
    charts.focus({ preventScroll: true });
    return;
  }
  if (runCharts?.id === id) {
    closeCharts();
    return;
  }
  const experiment = state.getExperiment(id);
  if (!experiment) return;
  runCharts?.charts.destroy();
  chartsPanel.hidden = false;
  setText(chartsTitle, `Charts · ${experiment.name}`);
  runCharts = { id, charts: createRunCharts(chartsSlot, id, { height: 220 }) };
  table.setSelected(id);
  chartsPanel.scrollIntoView({ behavior: scrollBehavior(), block: "nearest" });
  chartsTitle.focus({ preventScroll: true });
}

function closeCharts() {
  const id = runCharts?.id;
  runCharts?.charts.destroy();
  runCharts = null;
  chartsPanel.hidden = true;
  replaceChildren(chartsSlot);
  table.setSelected(null);
  // Back to the row's Charts button the panel came from.
  document
    .querySelector(`[data-testid="training-row"][data-experiment-id="${CSS.escape(id ?? "")}"] [data-training-action="charts"]`)
    ?.focus();
}

function init(container) {
  monitorList = el("div", { class: "training__monitors", dataset: { testid: "active-training" }, "aria-busy": "true" }, skeletonCard());
  activeCount = el("span", { class: "card__count", dataset: { field: "active-count" } });
  tableCount = el("span", { class: "card__count", dataset: { field: "table-count" } });
  const tableSlot = el("div", { class: "training-table__slot" });
  chartsTitle = el("h2", { class: "card__title", id: "training-charts-title", tabindex: "-1" }, "Charts");
  chartsSlot = el("div", { class: "training-charts__body" });
  chartsPanel = el(
    "section",
    { class: "card training-charts", dataset: { testid: "training-charts" }, "aria-labelledby": "training-charts-title", hidden: true },
    el(
      "div",
      { class: "card__head" },
      chartsTitle,
      el(
        "button",
        {
          type: "button",
          class: "icon-button",
          "aria-label": "Close the charts",
          title: "Close the charts",
          onclick: () => closeCharts(),
        },
        icon("close"),
      ),
    ),
    chartsSlot,
  );

  replaceChildren(
    container,
    el(
      "div",
      { class: "training" },
      el(
        "div",
        { class: "training__head" },
        el("h1", { class: "page-title" }, "Training Sessions"),
        el("div", { class: "training__head-actions" }, tuneButton(), newTrainingButton()),
      ),
      el(
        "section",
        { class: "training__section", "aria-labelledby": "active-training-title" },
        el(
          "div",
          { class: "training__section-head" },
          el("h2", { class: "training__section-title", id: "active-training-title" }, "Active Training"),
          activeCount,
        ),
        monitorList,
      ),
      el(
        "section",
        { class: "card training__recent", "aria-labelledby": "training-recent-title" },
        el(
          "div",
          { class: "card__head" },
          el("h2", { class: "card__title", id: "training-recent-title" }, "Recent Experiments"),
          tableCount,
        ),
        tableSlot,
      ),
      chartsPanel,
    ),
  );

  table = createExperimentsTable(tableSlot, { onCharts: showCharts });
  replaceChildren(tableSlot.querySelector("tbody"), el("tr", {}, el("td", { colspan: "8" }, skeletonCard())));

  container.addEventListener("click", (event) => {
    const button = event.target.closest('[data-training-action="new-training"]');
    if (button) openNewTraining(button);
  });

  state.on("experiments", () => {
    renderMonitors();
    renderTable();
    if (runCharts && !state.getExperiment(runCharts.id)) closeCharts();
    else if (runCharts) setText(chartsTitle, `Charts · ${state.getExperiment(runCharts.id).name}`);
  });
  state.on("progress", (experiment) => {
    monitors.get(experiment.id)?.update(experiment);
    table.updateProgress(experiment);
  });
  state.on("catalog", () => {
    renderTable();
    for (const monitor of monitors.values()) {
      const id = monitor.element.dataset.experimentId;
      monitor.update(state.getExperiment(id));
    }
  });
  renderMonitors();
  renderTable();
}

export default {
  title: "Training",
  init,
  show() {
    renderMonitors();
    renderTable();
  },
  hide() {
    // Nobody sees the game screens now: stop the workers rendering them.
    for (const monitor of monitors.values()) monitor.stopWatching();
  },
};
