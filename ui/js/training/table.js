// Recent Experiments: every run, newest first, with its status, duration, steps and
// rewards, and the actions that fit its status. Rows are kept and updated in place.
// Resume / Continue / Retry / Details are run actions (runs/actions.js; the row carries the
// data-experiment-id); "Charts" is this tab's own (`onCharts(id)`).

import { el, field, replaceChildren, setText } from "../shell/dom.js";
import {
  algorithmLabel,
  displayStatus,
  formatDuration,
  formatWhen,
  statusLabel,
} from "../shell/format.js";
import * as state from "../shell/state.js";
import { compactProgress, rewardCell, runSeconds, tableActions } from "./training-format.js";
import { setStatusBadge, statusBadge } from "../shell/widgets.js";

const LIMIT = 25;

export function createExperimentsTable(container, { onCharts }) {
  const rows = new Map(); // id → {row, key}
  let selected = null;

  const body = el("tbody", { dataset: { slot: "rows" } });
  const more = el("p", { class: "training-table__more", hidden: true });
  const empty = el(
    "p",
    { class: "empty-note", dataset: { field: "table-empty" }, hidden: true },
    "No experiments yet: start one with New Training.",
  );
  const table = el(
    "table",
    { class: "training-table", dataset: { testid: "training-table" } },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ["Name", "Game", "Algorithm", "Status", "Duration", "Steps", "Best / mean reward"].map((text) =>
          el("th", { scope: "col" }, text),
        ),
        el("th", { scope: "col", class: "training-table__actions-head" }, "Actions"),
      ),
    ),
    body,
  );
  replaceChildren(container, el("div", { class: "training-table__scroll" }, table), empty, more);

  container.addEventListener("click", (event) => {
    const button = event.target.closest('[data-training-action="charts"]');
    if (!button) return;
    onCharts(button.closest("[data-experiment-id]").dataset.experimentId);
  });

  function buildRow(experiment) {
    return el(
      "tr",
      { dataset: { testid: "training-row", experimentId: experiment.id } },
      el(
        "th",
        { scope: "row", class: "training-table__name" },
        el("span", { class: "training-table__name-text", dataset: { field: "name" } }),
        el("span", { class: "training-table__when", dataset: { field: "when" } }),
      ),
      el("td", { dataset: { field: "game" } }),
      el("td", { dataset: { field: "algorithm" } }),
      el(
        "td",
        {},
        statusBadge(),
      ),
      el("td", { class: "figure", dataset: { field: "duration" } }),
      el("td", { class: "figure", dataset: { field: "steps" } }),
      el("td", { class: "figure", dataset: { field: "reward" } }),
      el("td", { class: "training-table__actions", dataset: { field: "actions" } }),
    );
  }

  function renderActions(cell, experiment, status) {
    const actions = tableActions(status);
    const key = actions.map((item) => item.action).join(",");
    if (cell.dataset.key === key) return;
    cell.dataset.key = key;
    const name = experiment.name;
    replaceChildren(
      cell,
      el(
        "div",
        { class: "training-table__buttons" },
        actions.map(({ action, label, title }) =>
          el(
            "button",
            {
              type: "button",
              class: `button button--small${action === "resume" || action === "continue" ? " button--primary" : ""}`,
              title,
              "aria-label": `${label}: ${name}`,
              ...(action === "charts"
                ? { dataset: { trainingAction: "charts" }, "aria-pressed": "false" }
                : { dataset: { action } }),
            },
            label,
          ),
        ),
      ),
    );
  }

  function updateRow(row, experiment) {
    const status = displayStatus(experiment);
    const lifecycle = experiment.metadata?.status ?? "queued";
    row.dataset.status = lifecycle;
    setText(field(row, "name"), experiment.name);
    field(row, "name").title = experiment.name;
    setText(field(row, "when"), formatWhen(experiment.metadata?.created));
    setText(field(row, "game"), state.gameName(experiment.game));
    setText(field(row, "algorithm"), algorithmLabel(experiment.algorithm));
    const badge = field(row, "status-badge");
    setStatusBadge(badge, status);
    badge.title = experiment.metadata?.status_message || statusLabel(status);
    setText(field(row, "duration"), formatDuration(runSeconds(experiment)));
    const progress = experiment.progress ?? {};
    const start = experiment.lineage?.start_timestep ?? 0;
    const total = progress.total_timesteps ?? start + (experiment.config?.total_timesteps ?? 0);
    setText(field(row, "steps"), compactProgress(progress.timestep ?? start, total));
    setText(field(row, "reward"), rewardCell(experiment));
    renderActions(field(row, "actions"), experiment, lifecycle);
    markSelected(row);
  }

  function markSelected(row) {
    const on = row.dataset.experimentId === selected;
    row.classList.toggle("training-table__row--selected", on);
    row.querySelector('[data-training-action="charts"]')?.setAttribute("aria-pressed", String(on));
  }

  function render() {
    if (!state.isLoaded()) return;
    const all = state.allExperiments();
    const shown = all.slice(0, LIMIT);
    const ids = new Set(shown.map((experiment) => experiment.id));
    for (const [id, row] of rows) {
      if (!ids.has(id)) {
        row.remove();
        rows.delete(id);
      }
    }
    const nodes = shown.map((experiment) => {
      let row = rows.get(experiment.id);
      if (!row) {
        row = buildRow(experiment);
        rows.set(experiment.id, row);
      }
      updateRow(row, experiment);
      return row;
    });
    const current = [...body.children];
    if (current.length !== nodes.length || nodes.some((node, i) => current[i] !== node)) {
      // Keep keyboard focus on a button that moves with its row.
      const focused = document.activeElement;
      replaceChildren(body, nodes);
      if (focused && body.contains(focused)) focused.focus();
    }
    table.hidden = shown.length === 0;
    empty.hidden = shown.length > 0;
    more.hidden = all.length <= LIMIT;
    if (!more.hidden) {
      replaceChildren(
        more,
        `The ${LIMIT} newest of ${all.length} runs. `,
        el("a", { class: "link-button", href: "#/experiments", title: "Search and filter every run" }, "All experiments →"),
      );
    }
  }

  return {
    render,
    updateProgress(experiment) {
      const row = rows.get(experiment.id);
      if (row) updateRow(row, experiment);
    },
    setSelected(id) {
      selected = id;
      for (const row of rows.values()) markSelected(row);
    },
  };
}
