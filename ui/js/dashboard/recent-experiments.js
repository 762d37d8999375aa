// Recent Experiments: the last three runs, and "View All →" to the Experiments tab. Finished
// runs offer "Continue training" (from their model), failed ones "Retry", and every
// finished run a quiet "Delete" (after a confirmation; never while it runs).

import { el, icon, replaceChildren, setText, showButtonBusy } from "../shell/dom.js";
import {
  CONTINUABLE_STATUSES,
  FINISHED_STATUSES,
  RETRYABLE_STATUSES,
  algorithmLabel,
  displayStatus,
  formatInt,
  formatWhen,
  lineageText,
} from "../shell/format.js";
import { onPendingChange, pendingAction } from "../runs/lifecycle.js";
import { allExperiments, gameName, getExperiment, isLoaded } from "../shell/state.js";
import { setStatusBadge, statusBadge } from "../shell/widgets.js";

const COLLAPSED_COUNT = 3;

let card;
let list;
let viewAll;

/** The card (`#recent-experiments-card`), hidden until there is a run. */
export function recentExperimentsCard() {
  list = el("ul", { class: "experiment-list", id: "recent-experiments-list", dataset: { testid: "recent-experiments" } });
  viewAll = el(
    "a",
    {
      class: "link-button",
      href: "#/experiments",
      dataset: { field: "view-all-experiments" },
      title: "Every run: search, filter, details, lineage and compare",
    },
    "View All →",
  );
  card = el(
    "section",
    { class: "card", id: "recent-experiments-card", hidden: true, "aria-labelledby": "recent-experiments-title" },
    el(
      "div",
      { class: "card__head" },
      el("h2", { class: "card__title", id: "recent-experiments-title" }, "Recent Experiments"),
      el("span", { class: "card__count", dataset: { field: "experiment-count" } }),
    ),
    list,
    viewAll,
  );
  onPendingChange((id) => {
    const item = rowOf(id);
    if (item) updateActions(item, id);
  });
  return card;
}

export function renderRecentExperiments() {
  if (!isLoaded()) return;
  const experiments = allExperiments();
  card.hidden = experiments.length === 0;
  if (!experiments.length) {
    replaceChildren(list); // the last run was deleted
    return;
  }

  // Rows are rebuilt: put keyboard focus back on the same button of the same run.
  const focused = document.activeElement;
  const focusKey = list.contains(focused)
    ? { id: focused.closest("[data-experiment-id]")?.dataset.experimentId, action: focused.dataset.action }
    : null;

  const shown = experiments.slice(0, COLLAPSED_COUNT);
  replaceChildren(list, shown.map(row));
  for (const experiment of shown) updateActions(rowOf(experiment.id), experiment.id);

  if (focusKey?.id && focusKey.action) {
    rowOf(focusKey.id)?.querySelector(`[data-action="${CSS.escape(focusKey.action)}"]`)?.focus();
  }

  setText(
    card.querySelector('[data-field="experiment-count"]'),
    experiments.length === 1 ? "1 run" : `${experiments.length} runs`,
  );
  setText(viewAll, experiments.length > COLLAPSED_COUNT ? `View All (${experiments.length}) →` : "View All →");
}

/** Keeps a row's badge in step with live progress (Starting… → Running). */
export function updateRecentRow(experiment) {
  const item = rowOf(experiment.id);
  if (!item) return;
  const status = displayStatus(experiment);
  if (item.dataset.status === status) return;
  item.dataset.status = status;
  setStatusBadge(item.querySelector('[data-field="status-badge"]'), status);
}

function rowOf(id) {
  return list?.querySelector(`[data-experiment-id="${CSS.escape(id)}"]`) ?? null;
}

function row(experiment) {
  const status = displayStatus(experiment);
  const nameId = `experiment-name-${experiment.id}`;
  const lineage = lineageText(experiment, getExperiment(experiment.lineage?.parent_experiment_id));
  return el(
    "li",
    {
      class: "experiment-row",
      dataset: { experimentId: experiment.id, status },
    },
    el(
      "div",
      { class: "experiment-row__main" },
      el(
        "button",
        {
          type: "button",
          class: "experiment-row__name",
          id: nameId,
          dataset: { action: "view-details" },
          title: "View details",
        },
        experiment.name,
      ),
      el(
        "span",
        { class: "experiment-row__meta" },
        `${gameName(experiment.game)} · ${algorithmLabel(experiment.algorithm)} · ${formatWhen(
          experiment.metadata?.created,
        )}`,
      ),
      lineage
        ? el(
            "span",
            { class: "lineage", dataset: { field: "lineage" } },
            icon("lineage", 14),
            el("span", {}, lineage),
          )
        : null,
    ),
    statusBadge(status),
    actions(experiment, nameId),
  );
}

const ACTIONS = {
  continue: {
    label: "Continue training",
    busy: "Starting…",
    icon: "forward",
    offered: (status, experiment) => CONTINUABLE_STATUSES.has(status) && hasTrained(experiment),
    title: (experiment) =>
      `Train ${formatInt(experiment.config?.total_timesteps)} more steps starting from this run's model`,
  },
  retry: {
    label: "Retry",
    busy: "Retrying…",
    icon: "retry",
    offered: (status) => RETRYABLE_STATUSES.has(status),
    title: () => "Start this run again with the same settings, as a new run",
  },
  delete: {
    label: "Delete",
    busy: "Deleting…",
    icon: "trash",
    quiet: true,
    offered: (status) => FINISHED_STATUSES.has(status),
    title: () => "Delete this run with its trained model, checkpoints and logs",
  },
};

/**
 * Whether the run has anything to continue from: a saved model, or steps of its own (a run
 * stopped before its first step has neither). The server still has the last word.
 */
function hasTrained(experiment) {
  const models = experiment.artifacts?.models ?? [];
  const start = experiment.lineage?.start_timestep ?? 0;
  return models.some((model) => model.kind === "final") || (experiment.progress?.timestep ?? 0) > start;
}

function actions(experiment, nameId) {
  const status = experiment.metadata?.status;
  const buttons = Object.entries(ACTIONS)
    .filter(([, action]) => action.offered(status, experiment))
    .map(([name, action]) =>
      el(
        "button",
        {
          type: "button",
          class: action.quiet ? "button button--small button--quiet-danger" : "button button--small",
          dataset: { action: name },
          title: action.title(experiment),
          // The row's name tells a screen reader which run this button acts on.
          "aria-describedby": nameId,
        },
        icon(action.icon, 14),
        el("span", { class: "button__label" }, action.label),
      ),
    );
  return buttons.length ? el("div", { class: "experiment-row__actions" }, buttons) : null;
}

function updateActions(item, id) {
  const busy = pendingAction(id);
  for (const button of item.querySelectorAll(".experiment-row__actions [data-action]")) {
    const action = ACTIONS[button.dataset.action];
    const mine = busy === button.dataset.action;
    showButtonBusy(button, { blocked: Boolean(busy), mine, label: action.label, busyLabel: action.busy });
  }
}
