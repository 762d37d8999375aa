// The cards of a study's page that redraw from the study as a whole: the best trial with its
// values and "Train this for real", and Optuna's parameter importance as bars (or why there is
// none yet).

import { el, replaceChildren } from "../shell/dom.js";
import { runHref } from "../shell/widgets.js";
import { formatScore, importanceRows, paramEntries, paramLabel } from "./studies-format.js";

/** Fills `slot` with the best trial (or what the study waits for); `onPromote(trial, button)`. */
export function renderBestTrial(slot, study, { onPromote }) {
  const best = study.best_trial;
  if (!best) {
    const why = study.counts?.running
      ? "The first trial is running: its score shows here when it completes."
      : "No trial has completed yet.";
    replaceChildren(slot, el("p", { class: "studies-muted", dataset: { field: "best-none" } }, why));
    return;
  }
  const promoted = best.promoted_experiment_ids ?? [];
  replaceChildren(
    slot,
    el(
      "p",
      { class: "studies-best__score" },
      el("span", { class: "studies-best__value", dataset: { field: "best-value" } }, formatScore(best.value)),
      el("span", { class: "studies-muted" }, ` mean score · trial ${best.number}`),
    ),
    el(
      "dl",
      { class: "facts studies-best__params", dataset: { field: "best-params" } },
      paramEntries(best.config ?? best.params, Object.keys(study.params ?? {})).map(([name, text]) => [
        el("dt", { title: name }, paramLabel(name)),
        el("dd", {}, text),
      ]),
    ),
    el(
      "div",
      { class: "studies-best__actions" },
      el(
        "button",
        {
          type: "button",
          class: "button button--primary",
          dataset: { field: "best-promote" },
          title: "A full run with these values and the step count you choose",
          onclick: (event) => onPromote(best, event.currentTarget),
        },
        el("span", { class: "button__label" }, "Train this for real"),
      ),
      best.experiment_id ? el("a", { href: runHref(best.experiment_id), title: "The trial's own short run" }, "Its trial run") : null,
    ),
    promoted.length
      ? el(
          "p",
          { class: "studies-muted", dataset: { field: "best-promoted" } },
          "Trained for real already: ",
          promoted.map((id, index) => [index ? ", " : null, el("a", { href: runHref(id) }, `run ${index + 1}`)]),
        )
      : null,
  );
}

/** Fills `slot` with importance bars, largest first, or the server's reason there are none. */
export function renderImportance(slot, study) {
  const rows = importanceRows(study.importance);
  if (!rows.length) {
    replaceChildren(
      slot,
      el(
        "p",
        { class: "studies-muted", dataset: { field: "importance-reason" } },
        study.importance_reason || "Needs at least 2 complete trials.",
      ),
    );
    return;
  }
  replaceChildren(
    slot,
    el(
      "ul",
      { class: "studies-importance", dataset: { field: "importance" }, "aria-label": "Parameter importance, largest first" },
      rows.map(({ name, pct }) =>
        el(
          "li",
          { class: "studies-importance__row", dataset: { param: name } },
          el("span", { class: "studies-importance__name", title: name }, paramLabel(name)),
          el(
            "span",
            { class: "studies-importance__track", "aria-hidden": "true" },
            el("span", { class: "studies-importance__bar", style: { width: `${Math.max(pct, 1)}%` } }),
          ),
          el("span", { class: "studies-importance__pct" }, `${Math.round(pct)}%`),
        ),
      ),
    ),
    el("p", { class: "form__hint" }, "Optuna's estimate (fANOVA) of how much each parameter changed the score in this study."),
  );
}
