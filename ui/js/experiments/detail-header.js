// The header card of a run's page: Back link, name (with Rename), the actions its status
// allows (main.js handles these data-action buttons), status, badges (game, algorithm,
// preset, tags, lineage), its status message and facts (session, dates, duration, id).

import { el, icon, replaceChildren, setText } from "../shell/dom.js";
import {
  ACTIVE_STATUSES,
  CONTINUABLE_STATUSES,
  FINISHED_STATUSES,
  RETRYABLE_STATUSES,
  algorithmLabel,
  displayStatus,
  formatDuration,
  formatWhen,
  lineageText,
} from "../shell/format.js";
import * as state from "../shell/state.js";
import { setStatusBadge, statusBadge } from "../shell/widgets.js";
import { createRename } from "./detail-rename.js";
import { runSeconds } from "./experiments-format.js";

/** [action, label, title, extra class, shown for status?], in the order they show. */
const ACTIONS = [
  ["pause", "Pause", "Pause training; Resume carries on where it stopped", "", (s) => s === "running"],
  ["resume", "Resume", "Carry on training from where it paused", "", (s) => s === "paused"],
  ["stop", "Stop", "Stop training and save the model so far", "button--quiet-danger", (s) => ACTIVE_STATUSES.has(s)],
  [
    "continue",
    "Continue training",
    "Train this model further: a new run loads it and trains more steps",
    "button--primary",
    (s) => CONTINUABLE_STATUSES.has(s),
  ],
  ["retry", "Retry", "Start this run again from scratch with the same settings", "", (s) => RETRYABLE_STATUSES.has(s)],
  ["view-details", "Videos…", "Milestone clips, the live view and every video of this run", "", () => true],
  [
    "delete",
    "Delete…",
    "Delete this run, its model, checkpoints and logs",
    "button--quiet-danger",
    (s) => FINISHED_STATUSES.has(s),
  ],
];

function actionsFor(experiment) {
  const status = experiment.metadata?.status;
  return ACTIONS.filter(([, , , , shows]) => shows(status)).map(([action, label, title, extra]) =>
    el(
      "button",
      { type: "button", class: `button button--small ${extra}`.trim(), dataset: { action }, title },
      label,
    ),
  );
}

function metaRows(experiment) {
  const metadata = experiment.metadata ?? {};
  return [
    ["Session", experiment.session_id, "detail-session"],
    ["Created", formatWhen(metadata.created), "detail-created"],
    ["Finished", metadata.finished ? formatWhen(metadata.finished) : "—", "detail-finished"],
    ["Duration", formatDuration(runSeconds(experiment)), "detail-duration"],
    ["Id", experiment.id, "detail-id"],
  ];
}

function badgesOf(experiment) {
  const origin = lineageText(experiment, state.getExperiment(experiment.lineage?.parent_experiment_id));
  return [
    el("span", { class: "exp-badge", title: experiment.env_id }, state.gameName(experiment.game)),
    el("span", { class: "exp-badge" }, algorithmLabel(experiment.algorithm)),
    experiment.preset ? el("span", { class: "exp-badge", title: "Preset" }, experiment.preset) : null,
    (experiment.metadata?.tags ?? []).map((tag) => el("span", { class: "exp-badge exp-badge--tag" }, tag)),
    origin ? el("span", { class: "lineage" }, icon("lineage", 14), el("span", {}, origin)) : null,
  ];
}

/** `currentId()`: the run on screen. Returns {element, back, render(experiment), closeRename()}. */
export function createDetailHeader(currentId) {
  const back = el(
    "a",
    {
      class: "link-button experiment-back",
      href: "#/experiments",
      title: "Back to every experiment, with the search and filters you had",
    },
    "← All experiments",
  );
  const title = el("h1", { class: "page-title experiment-title", dataset: { field: "detail-name" } });
  const rename = createRename(currentId);
  const status = statusBadge(null, { field: "detail-status", labelField: null });
  const badges = el("div", { class: "experiment-badges" });
  const actions = el("div", { class: "experiment-actions" });
  const message = el(
    "p",
    { class: "experiment-status-message", hidden: true, dataset: { field: "status-message" } },
  );
  const meta = el("dl", { class: "experiment-meta" });
  const element = el(
    "header",
    { class: "experiment-header card" },
    back,
    el(
      "div",
      { class: "experiment-header__top" },
      el("div", { class: "experiment-header__name" }, title, rename.button),
      actions,
    ),
    rename.form,
    el("div", { class: "experiment-header__line" }, status, badges),
    message,
    meta,
  );

  function renderMeta(experiment) {
    const rows = metaRows(experiment);
    if (meta.childElementCount !== rows.length * 2) {
      replaceChildren(
        meta,
        rows.map(([label, , field]) => [el("dt", {}, label), el("dd", { dataset: { field } })]),
      );
    }
    for (const [, value, field] of rows) setText(meta.querySelector(`[data-field="${field}"]`), value ?? "—");
  }

  /** Replaces the action buttons only when the set changes (a focused button stays). */
  function renderActions(experiment) {
    actions.dataset.experimentId = experiment.id;
    const wanted = actionsFor(experiment);
    const same =
      wanted.length === actions.children.length &&
      wanted.every((button, i) => actions.children[i].dataset.action === button.dataset.action);
    if (!same) replaceChildren(actions, wanted);
  }

  function render(experiment) {
    const shown = displayStatus(experiment);
    setText(title, experiment.name);
    title.title = experiment.name;
    setStatusBadge(status, shown);
    replaceChildren(badges, badgesOf(experiment));
    const statusMessage = experiment.metadata?.status_message;
    message.hidden = !statusMessage;
    message.className = shown === "failed" ? "card-message card-message--error" : "experiment-status-message";
    setText(message, statusMessage ?? "");
    renderMeta(experiment);
    renderActions(experiment);
  }

  return { element, back, render, closeRename: () => rename.close({ focus: false }) };
}
