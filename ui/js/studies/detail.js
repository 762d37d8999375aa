// One study's page (`#/studies/<id>`): its status with Stop / Resume, trials done, the best
// trial with "Train this for real", the best score so far over the trials, Optuna's parameter
// importance and the trials table. Live: `study.trial` updates its row at once and
// `study.updated` its status; both then fetch the study again (once per burst) for the best,
// the chart and the importance, which only the server computes.

import { el, replaceChildren, setText, showButtonBusy } from "../shell/dom.js";
import { algorithmLabel, formatInt } from "../shell/format.js";
import { createLineChart } from "../shell/line-chart.js";
import { onLive, onReconnect } from "../shell/live.js";
import * as state from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { progressBar, setProgress, skeletonCard } from "../shell/widgets.js";
import { errorText, failure } from "../experiments/parts.js";
import { getStudy, resumeStudy, stopStudy } from "./api.js";
import { renderBestTrial, renderImportance } from "./panels.js";
import { studyBadge } from "./parts.js";
import { openPromote } from "./promote-dialog.js";
import { bestSoFarColumns, countsText, specText, paramLabel, studyControl, studyProgress } from "./studies-format.js";
import { createTrialsTable } from "./trials-table.js";

const REFRESH_DELAY_MS = 400;

function card(title, body, { field = null, extra = null } = {}) {
  return el(
    "section",
    { class: "card studies-card", dataset: field ? { testid: field } : {} },
    el("div", { class: "card__head" }, el("h2", { class: "card__title" }, title), extra),
    body,
  );
}

export function createStudyPage(container) {
  let studyId = null;
  let study = null; // the last answer (summary + trials…)
  let token = 0;
  let refreshTimer = null;
  let chart = null;
  let chartPending = null;
  let controlBusy = false;

  const title = el("h1", { class: "page-title", dataset: { field: "study-name" } });
  const badgeSlot = el("span");
  const facts = el("p", { class: "studies-facts", dataset: { field: "study-facts" } });
  const message = el("p", { class: "card-message card-message--note", dataset: { field: "study-message" }, hidden: true });
  const control = el("button", { type: "button", class: "button", dataset: { field: "study-control" } }, el("span", { class: "button__label" }));
  const bar = progressBar({ label: "Trials done", field: "study-progress" });
  const progressText = el("span", { class: "studies-progress__text", dataset: { field: "study-progress-text" } });
  const countsLine = el("span", { class: "studies-muted", dataset: { field: "study-counts" } });
  const bestSlot = el("div", { class: "studies-best", dataset: { field: "study-best" } });
  const chartSlot = el("div", { class: "studies-chart", dataset: { field: "best-chart" } });
  const chartNote = el("p", { class: "studies-muted", dataset: { field: "best-chart-note" } });
  const importanceSlot = el("div", { class: "studies-importance-slot", dataset: { field: "study-importance" } });
  const spaceList = el("dl", { class: "facts studies-space", dataset: { field: "study-space" } });
  const trials = createTrialsTable({ onPromote: promote });
  const loadingSlot = el("div", { class: "studies-loading" });

  const content = el(
    "div",
    { class: "studies-detail__content", hidden: true },
    el(
      "div",
      { class: "studies-detail__head" },
      el("div", { class: "studies-detail__title" }, title, badgeSlot),
      control,
    ),
    facts,
    message,
    el("div", { class: "studies-progress" }, progressText, bar, countsLine),
    el(
      "div",
      { class: "studies-grid" },
      card("Best trial", bestSlot, { field: "study-best-card" }),
      card("Best score so far", el("div", {}, chartSlot, chartNote), { field: "study-chart-card" }),
    ),
    el(
      "div",
      { class: "studies-grid" },
      card("Parameter importance", importanceSlot, { field: "study-importance-card" }),
      card("Search space", spaceList, { field: "study-space-card" }),
    ),
    card("Trials", trials.element, { field: "study-trials-card" }),
  );
  const element = el(
    "div",
    { class: "experiments studies-detail", dataset: { testid: "study-page" } },
    el("a", { class: "studies-back", href: "#/studies", dataset: { field: "studies-back" } }, "← All studies"),
    loadingSlot,
    content,
  );
  container.append(element);

  control.addEventListener("click", () => {
    if (control.getAttribute("aria-disabled") === "true" || !study) return;
    toggleRunning();
  });

  // ---------- render ----------

  function renderHead() {
    setText(title, study.name);
    replaceChildren(badgeSlot, studyBadge(study.status));
    setText(
      facts,
      [
        state.gameName(study.game),
        algorithmLabel(study.algorithm),
        `${formatInt(study.timesteps_per_trial)} steps per trial`,
        study.sampler === "tpe" ? "TPE sampler" : "random sampler",
        study.pruner === "median" ? "median pruner" : "no pruner",
        study.storage ? `storage ${study.storage}` : null,
      ]
        .filter(Boolean)
        .join(" · "),
    );
    message.hidden = !study.message;
    setText(message, study.message ?? "");
    const progress = studyProgress(study);
    setProgress(bar, progress.pct, { valueText: progress.text, tone: study.status === "completed" ? "success" : "accent" });
    setText(progressText, progress.text);
    setText(countsLine, countsText(study.counts));
    if (!controlBusy) {
      const offer = studyControl(study);
      control.dataset.action = offer.action;
      showButtonBusy(control, { blocked: !offer.enabled, mine: false, label: offer.action === "stop" ? "Stop study" : "Resume study" });
      control.title = offer.title;
    }
  }

  function renderSpace() {
    replaceChildren(
      spaceList,
      Object.entries(study.params ?? {}).map(([name, spec]) => [
        el("dt", { title: name }, paramLabel(name)),
        el("dd", {}, specText(spec)),
      ]),
    );
  }

  async function renderChart() {
    const columns = bestSoFarColumns(study.best_so_far);
    const points = columns[0].length;
    chartSlot.hidden = points < 2; // one point draws no line
    setText(
      chartNote,
      points >= 2
        ? "Each complete trial's score (grey) and the best up to it (green)."
        : `The chart draws once 2 trials have completed (${points} so far).`,
    );
    if (points < 2) return;
    if (!chart && !chartPending) {
      chartPending = createLineChart(chartSlot, {
        series: [{ label: "Trial score", color: "--neutral" }, { label: "Best so far", color: "--success" }],
        xLabel: "Trial",
        yLabel: "Mean score",
        height: 200,
        xWhole: true,
      });
      chart = await chartPending;
      chartPending = null;
    } else if (chartPending) {
      await chartPending;
    }
    chart?.setData(bestSoFarColumns(study?.best_so_far ?? []));
  }

  function render() {
    renderHead();
    renderBestTrial(bestSlot, study, { onPromote: promote });
    renderImportance(importanceSlot, study);
    renderSpace();
    trials.render(study.trials ?? [], { paramOrder: Object.keys(study.params ?? {}), best: study.best_trial?.number ?? null });
    renderChart().catch((error) => setText(chartNote, `The chart could not be drawn: ${errorText(error)}`));
  }

  // ---------- load ----------

  async function load() {
    const mine = ++token;
    const id = studyId;
    try {
      const answer = await getStudy(id);
      if (mine !== token || id !== studyId) return;
      study = answer.study;
      replaceChildren(loadingSlot);
      content.hidden = false;
      render();
    } catch (error) {
      if (mine !== token || error.kind === "auth") return;
      const what = error.status === 404 ? "This study does not exist (any more)." : `Could not load the study: ${errorText(error)}`;
      if (study) showToast("The study's page could not refresh", { kind: "error", detail: errorText(error) });
      else replaceChildren(loadingSlot, failure(what, error.status === 404 ? null : load));
    }
  }

  function refreshSoon() {
    if (element.hidden || !studyId) return;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(load, REFRESH_DELAY_MS);
  }

  // ---------- actions ----------

  function promote(trial, button) {
    if (study) openPromote(study, trial, { returnFocus: button });
  }

  async function toggleRunning() {
    const action = control.dataset.action;
    const label = action === "stop" ? "Stop study" : "Resume study";
    controlBusy = true;
    showButtonBusy(control, { blocked: true, mine: true, label, busyLabel: action === "stop" ? "Stopping…" : "Resuming…" });
    try {
      const answer = await (action === "stop" ? stopStudy : resumeStudy)(study.id);
      study = { ...study, ...answer.study };
      showToast(action === "stop" ? "Study stopped" : "Study resumed", { kind: "success", detail: answer.study.message || study.name });
    } catch (error) {
      if (error.kind !== "auth") showToast(action === "stop" ? "The study did not stop" : "The study did not resume", { kind: "error", detail: errorText(error) });
    } finally {
      controlBusy = false;
      if (study) renderHead();
      refreshSoon();
    }
  }

  // ---------- live ----------

  onLive("study.trial", ({ study_id: id, trial }) => {
    if (id !== studyId || !study || !trial) return;
    const list = study.trials ?? [];
    const index = list.findIndex((t) => t.number === trial.number);
    if (index >= 0) list[index] = trial;
    else list.push(trial);
    study.trials = list;
    trials.render(list, { paramOrder: Object.keys(study.params ?? {}), best: study.best_trial?.number ?? null });
    refreshSoon();
  });
  onLive("study.updated", ({ study: summary }) => {
    if (summary?.id !== studyId || !study) return;
    study = { ...study, ...summary };
    renderHead();
    refreshSoon();
  });
  onReconnect(refreshSoon);
  state.on("progress", (experiment) => study && trials.updateProgress(study.trials ?? [], experiment.id));
  state.on("experiments", () => study && !element.hidden && trials.render(study.trials ?? [], {
    paramOrder: Object.keys(study.params ?? {}),
    best: study.best_trial?.number ?? null,
  }));

  return {
    show(id) {
      element.hidden = false;
      if (id !== studyId) {
        studyId = id;
        study = null;
        trials.reset();
        content.hidden = true;
        replaceChildren(loadingSlot, skeletonCard("Loading the study…", ["title", "bar", "line", "line"]));
      }
      load();
    },
    hide() {
      element.hidden = true;
      clearTimeout(refreshTimer);
    },
  };
}
