// A study's trials: number, state badge, the values it tried, its score (or its latest
// evaluation while it runs), how long it took (or how far its run is), a link to its run, and
// "Train for real" on a complete one. Rows are keyed by trial number and rebuilt only when their
// trial changed, so a live update does not move the focus off an untouched row.

import { el, replaceChildren } from "../shell/dom.js";
import { formatDuration, formatPct } from "../shell/format.js";
import * as state from "../shell/state.js";
import { runHref } from "../shell/widgets.js";
import { trialBadge } from "./parts.js";
import { paramEntries, paramLabel, trialScore } from "./studies-format.js";

const HEADINGS = ["#", "State", "Parameters", "Score", "Duration", "Run", ""];

/** `onPromote(trial, button)`: the row's "Train for real". */
export function createTrialsTable({ onPromote }) {
  const body = el("tbody");
  const element = el(
    "div",
    { class: "experiments-table__scroll" },
    el(
      "table",
      { class: "experiments-table studies-trials", dataset: { testid: "study-trials" } },
      el("thead", {}, el("tr", {}, HEADINGS.map((text) => el("th", { scope: "col", class: text === "Score" ? "is-number" : null }, text)))),
      body,
    ),
  );
  const rows = new Map(); // number → {node, key}
  let order = [];
  let bestNumber = null;

  function durationText(trial) {
    if (trial.duration_seconds !== null && trial.duration_seconds !== undefined) return formatDuration(trial.duration_seconds);
    if (trial.state !== "running") return "—";
    const run = trial.experiment_id ? state.getExperiment(trial.experiment_id) : null;
    const pct = run?.progress?.progress_pct;
    return typeof pct === "number" && pct > 0 ? `${formatPct(pct)} trained` : "starting…";
  }

  function runCell(trial) {
    if (!trial.experiment_id) {
      // Another machine's trial (a shared storage): its run lives there.
      return trial.machine && trial.local === false ? el("span", { class: "studies-muted", title: "This trial runs on another machine that joined the study" }, `on ${trial.machine}`) : "—";
    }
    const run = state.getExperiment(trial.experiment_id);
    return el(
      "a",
      { href: runHref(trial.experiment_id), dataset: { field: "trial-run" }, title: `Open the run of trial ${trial.number}` },
      run?.name ?? "Open run",
    );
  }

  function paramsCell(trial) {
    const entries = paramEntries(trial.params, order);
    if (!entries.length) return el("span", { class: "studies-muted" }, "not sampled yet");
    return el(
      "span",
      { class: "trial-params" },
      entries.map(([name, text]) =>
        el("span", { class: "trial-param", title: paramLabel(name) }, el("span", { class: "trial-param__name" }, name), " ", text),
      ),
    );
  }

  function build(trial) {
    const score = trialScore(trial);
    const promote =
      trial.state === "complete"
        ? el(
            "button",
            {
              type: "button",
              class: "button button--small",
              dataset: { field: "trial-promote" },
              title: `A full run with trial ${trial.number}'s values and the step count you choose`,
              onclick: (event) => onPromote(trial, event.currentTarget),
            },
            "Train for real",
          )
        : null;
    return el(
      "tr",
      {
        class: trial.number === bestNumber ? "studies-trials__best" : null,
        dataset: { testid: "trial-row", trialNumber: String(trial.number), state: trial.state },
      },
      el("td", { class: "is-number" }, String(trial.number)),
      el("td", {}, trialBadge(trial.state), trial.message ? el("p", { class: "studies-trials__message" }, trial.message) : null),
      el("td", { class: "studies-trials__params" }, paramsCell(trial)),
      el(
        "td",
        { class: score.partial ? "is-number studies-muted" : "is-number", dataset: { field: "trial-score" } },
        score.text,
        trial.number === bestNumber ? el("span", { class: "studies-best-mark", title: "The best trial so far" }, " ★") : null,
      ),
      el("td", { class: "experiments-table__when", dataset: { field: "trial-duration" } }, durationText(trial)),
      el("td", {}, runCell(trial)),
      el("td", { class: "studies-trials__actions" }, promote),
    );
  }

  const keyOf = (trial) =>
    JSON.stringify([trial, trial.number === bestNumber, state.getExperiment(trial.experiment_id ?? "")?.name ?? null]);

  return {
    element,
    /** Shows `trials` (number order); `paramOrder`: the study's parameters; `best`: the best trial's number. */
    render(trials, { paramOrder = [], best = null } = {}) {
      order = paramOrder;
      bestNumber = best;
      const nodes = [...trials]
        .sort((a, b) => a.number - b.number)
        .map((trial) => {
          const key = keyOf(trial);
          const known = rows.get(trial.number);
          if (known && known.key === key) return known.node;
          const node = build(trial);
          rows.set(trial.number, { node, key });
          return node;
        });
      if (!nodes.length) {
        replaceChildren(body, el("tr", {}, el("td", { colspan: String(HEADINGS.length), class: "studies-muted" }, "No trial has started yet.")));
        return;
      }
      nodes.forEach((node, index) => {
        if (body.children[index] !== node) body.insertBefore(node, body.children[index] ?? null);
      });
      while (body.children.length > nodes.length) body.lastElementChild.remove();
    },
    /** Forgets the rows (another study's page). */
    reset() {
      rows.clear();
      replaceChildren(body);
    },
    /** A running trial's run moved: its duration cell shows how far. */
    updateProgress(trials, experimentId) {
      const trial = trials.find((t) => t.experiment_id === experimentId && t.state === "running");
      const cell = trial && rows.get(trial.number)?.node.querySelector('[data-field="trial-duration"]');
      if (cell) cell.textContent = durationText(trial);
    },
  };
}
