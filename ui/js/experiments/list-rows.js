// One row of the Experiments table: its checkbox for Compare, name (link) and tags, game,
// algorithm, status (with % while it trains), created, duration, steps and mean reward;
// and the update of its live cells on every progress report.

import { el, replaceChildren, setText } from "../shell/dom.js";
import {
  algorithmLabel,
  displayStatus,
  formatDuration,
  formatInt,
  formatPct,
  formatReward,
  formatWhen,
} from "../shell/format.js";
import * as state from "../shell/state.js";
import { runHref, statusBadge } from "../shell/widgets.js";
import { rewardsOf, runSeconds } from "./experiments-format.js";

/** The cells that change while a run trains. */
function liveCells(experiment) {
  const status = displayStatus(experiment);
  const progress = experiment.progress ?? {};
  const total = progress.total_timesteps || experiment.config?.total_timesteps;
  const running = status === "running" || status === "paused" || status === "starting";
  return {
    status: el(
      "span",
      { class: "experiments-table__status" },
      statusBadge(status, { field: null, labelField: null }),
      running
        ? el("span", { class: "experiments-table__pct", dataset: { field: "pct" } }, formatPct(progress.progress_pct))
        : null,
    ),
    duration: formatDuration(runSeconds(experiment)),
    steps: el(
      "span",
      { title: total ? `${formatInt(progress.timestep ?? 0)} of ${formatInt(total)} steps` : null },
      formatInt(progress.timestep ?? 0),
    ),
    reward: formatReward(rewardsOf(experiment).mean),
  };
}

function nameCell(experiment) {
  const tags = experiment.metadata?.tags ?? [];
  return el(
    "td",
    {},
    el(
      "div",
      { class: "experiments-table__name" },
      el(
        "a",
        {
          href: runHref(experiment.id),
          class: "experiments-table__link",
          title: experiment.name,
          tabindex: "-1",
        },
        experiment.name,
      ),
      tags.length
        ? el(
            "span",
            { class: "experiments-table__tags" },
            tags.map((tag) => el("span", { class: "exp-badge exp-badge--tag" }, tag)),
          )
        : null,
    ),
  );
}

export function runRow(experiment, isSelected) {
  const id = experiment.id;
  const live = liveCells(experiment);
  return el(
    "tr",
    {
      tabindex: "0",
      class: isSelected ? "experiments-table__row--selected" : null,
      dataset: { runId: id, experimentId: id },
      title: "Open this run's details (Enter); Space selects it for Compare",
    },
    el(
      "td",
      { class: "experiments-table__check" },
      el("input", {
        type: "checkbox",
        checked: isSelected,
        dataset: { select: id },
        "aria-label": `Select ${experiment.name} to compare`,
        title: "Select for Compare (2 to 5 runs)",
        tabindex: "-1",
      }),
    ),
    nameCell(experiment),
    el("td", {}, state.gameName(experiment.game)),
    el("td", {}, algorithmLabel(experiment.algorithm)),
    el("td", { dataset: { cell: "status" } }, live.status),
    el(
      "td",
      { class: "experiments-table__when", title: experiment.metadata?.created ?? "" },
      formatWhen(experiment.metadata?.created),
    ),
    el("td", { class: "is-number", dataset: { cell: "duration" } }, live.duration),
    el("td", { class: "is-number", dataset: { cell: "steps" } }, live.steps),
    el("td", { class: "is-number", dataset: { cell: "reward" } }, live.reward),
  );
}

/** A progress report: the row's %, duration, steps and reward (the status waits for a re-render). */
export function updateRow(rowNode, experiment) {
  const live = liveCells(experiment);
  const pct = rowNode.querySelector('[data-field="pct"]');
  const livePct = live.status.querySelector('[data-field="pct"]');
  if (pct && livePct) setText(pct, livePct.textContent);
  setText(rowNode.querySelector('[data-cell="duration"]'), live.duration);
  replaceChildren(rowNode.querySelector('[data-cell="steps"]'), live.steps);
  setText(rowNode.querySelector('[data-cell="reward"]'), live.reward);
}
