// Recent Experiments: the last three runs, and "View All →" to see every one.

import { el, replaceChildren, setText } from "../dom.js";
import { algorithmLabel, displayStatus, formatWhen, statusLabel } from "../format.js";
import { allExperiments, gameName, isLoaded } from "../state.js";

const COLLAPSED_COUNT = 3;

let card;
let list;
let toggle;
let expanded = false;

export function initRecentExperiments() {
  card = document.getElementById("recent-experiments-card");
  list = document.getElementById("recent-experiments-list");
  toggle = card.querySelector('[data-action="toggle-all-experiments"]');
}

export function toggleAllExperiments() {
  expanded = !expanded;
  renderRecentExperiments();
}

export function renderRecentExperiments() {
  if (!isLoaded()) return;
  const experiments = allExperiments();
  card.hidden = experiments.length === 0;
  if (!experiments.length) return;

  const shown = expanded ? experiments : experiments.slice(0, COLLAPSED_COUNT);
  replaceChildren(list, shown.map(row));

  setText(
    card.querySelector('[data-field="experiment-count"]'),
    experiments.length === 1 ? "1 run" : `${experiments.length} runs`,
  );
  const more = experiments.length > COLLAPSED_COUNT;
  toggle.hidden = !more;
  toggle.setAttribute("aria-expanded", String(expanded && more));
  setText(toggle, expanded ? "Show fewer" : `View All (${experiments.length}) →`);
}

/** Keeps a row's badge in step with live progress (Starting… → Running). */
export function updateRecentRow(experiment) {
  const item = list?.querySelector(`[data-experiment-id="${CSS.escape(experiment.id)}"]`);
  if (!item) return;
  const status = displayStatus(experiment);
  if (item.dataset.status === status) return;
  item.dataset.status = status;
  item.querySelector('[data-field="status-badge"]').dataset.status = status;
  setText(item.querySelector('[data-field="status"]'), statusLabel(status));
}

function row(experiment) {
  const status = displayStatus(experiment);
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
    ),
    el(
      "span",
      { class: "status", dataset: { status, field: "status-badge" } },
      el("span", { class: "status__dot", "aria-hidden": "true" }),
      el("span", { dataset: { field: "status" } }, statusLabel(status)),
    ),
  );
}
