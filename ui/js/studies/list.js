// The list of studies (`#/studies`): name, game, algorithm, status, trials done with a bar, the
// best score; live from `study.updated` (a study created, stopped, resumed, a trial ended).

import { el, replaceChildren, setText } from "../shell/dom.js";
import { algorithmLabel, formatWhen } from "../shell/format.js";
import { onLive, onReconnect } from "../shell/live.js";
import * as state from "../shell/state.js";
import { progressBar, setProgress, skeletonCard } from "../shell/widgets.js";
import { emptyMessage, errorText, failure } from "../experiments/parts.js";
import { listStudies } from "./api.js";
import { studyBadge } from "./parts.js";
import { countsText, formatScore, studyProgress } from "./studies-format.js";
import { openTune } from "./tune-dialog.js";

export const studyHref = (studyId) => `#/studies/${encodeURIComponent(studyId)}`;

function tuneButton(label = "Tune") {
  return el(
    "button",
    {
      type: "button",
      class: "button button--primary",
      dataset: { field: "studies-tune" },
      title: "Start a hyperparameter search: many short trials of one game",
      onclick: (event) => openTune(event.currentTarget),
    },
    el("span", { class: "button__label" }, label),
  );
}

function row(study) {
  const progress = studyProgress(study);
  const bar = progressBar({ label: `Trials of ${study.name}` });
  setProgress(bar, progress.pct, { valueText: progress.text, tone: study.status === "completed" ? "success" : "accent" });
  return el(
    "tr",
    { dataset: { testid: "study-row", studyId: study.id } },
    el("td", { class: "studies-table__name" }, el("a", { href: studyHref(study.id), dataset: { field: "study-link" } }, study.name)),
    el("td", {}, state.gameName(study.game)),
    el("td", {}, algorithmLabel(study.algorithm)),
    el("td", {}, studyBadge(study.status)),
    el(
      "td",
      { class: "studies-table__trials" },
      el("span", { class: "studies-table__count", title: countsText(study.counts) }, `${progress.done} / ${progress.total}`),
      bar,
    ),
    el("td", { class: "is-number", dataset: { field: "study-best" } }, formatScore(study.best_value)),
    el("td", { class: "experiments-table__when" }, formatWhen(study.created)),
  );
}

export function createStudiesList(container) {
  let studies = [];
  let loaded = false;
  let token = 0;
  const count = el("span", { class: "experiments__count", dataset: { field: "studies-count" } });
  const body = el("tbody");
  const table = el(
    "div",
    { class: "experiments-table__scroll", hidden: true },
    el(
      "table",
      { class: "experiments-table studies-table", dataset: { testid: "studies-table" } },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["Study", "Game", "Algorithm", "Status", "Trials", "Best score", "Created"].map((text) =>
            el("th", { scope: "col", class: text === "Best score" ? "is-number" : null }, text),
          ),
        ),
      ),
      body,
    ),
  );
  const empty = el("div", { class: "experiments-empty", dataset: { testid: "studies-empty" } });
  const element = el(
    "div",
    { class: "experiments studies" },
    el(
      "div",
      { class: "experiments__head" },
      el("div", { class: "experiments__title" }, el("h1", { class: "page-title" }, "Studies"), count),
      tuneButton(),
    ),
    el(
      "p",
      { class: "studies__lead" },
      "A study tries many settings on one game, each a short run (a trial), and keeps the best. Train the best one for real from its page.",
    ),
    table,
    empty,
  );
  container.append(element);

  function render() {
    setText(count, studies.length ? `${studies.length} ${studies.length === 1 ? "study" : "studies"}` : "");
    if (!studies.length) {
      table.hidden = true;
      empty.hidden = false;
      replaceChildren(
        empty,
        emptyMessage(
          "No studies yet.",
          "Tune searches the learning rate, discount and the other settings for a game with Optuna; every trial is a run you can open.",
          tuneButton("Start a study"),
        ),
      );
      return;
    }
    empty.hidden = true;
    table.hidden = false;
    replaceChildren(body, studies.map(row));
  }

  async function load() {
    const mine = ++token;
    if (!loaded) replaceChildren(empty, skeletonCard("Loading the studies…", ["title", "line", "line"]));
    try {
      const answer = await listStudies();
      if (mine !== token) return;
      loaded = true;
      studies = answer.studies ?? [];
      render();
    } catch (error) {
      if (mine !== token || error.kind === "auth") return;
      table.hidden = !loaded;
      empty.hidden = false;
      replaceChildren(empty, failure(`Could not list the studies: ${errorText(error)}`, load));
    }
  }

  onLive("study.updated", ({ study }) => {
    if (!loaded || !study?.id) return;
    const index = studies.findIndex((s) => s.id === study.id);
    if (index >= 0) studies[index] = study;
    else studies.unshift(study);
    if (!element.hidden) render();
  });
  onReconnect(() => !element.hidden && load());
  state.on("catalog", () => loaded && render());

  return {
    show() {
      element.hidden = false;
      load();
    },
    hide() {
      element.hidden = true;
    },
  };
}
