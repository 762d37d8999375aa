// The Models table: one body per game (a heading row with the game's summary, then its
// versions), a checkbox per row to pick 2–4 versions for Compare, and each version's actions
// (Evaluate, Watch, Export, Tags, Delete). A running evaluation shows in the row's score cell.

import { el, icon, replaceChildren, svgIcon } from "../shell/dom.js";
import { algorithmLabel, formatBytes, formatInt, formatWhen } from "../shell/format.js";
import { runHref } from "../shell/widgets.js";
import { groupByGame, groupSummary, jobPercent, kindLabel, scoreText, scoreTitle } from "./models-format.js";

const COLUMNS = [
  ["Version", ""],
  ["Algorithm", ""],
  ["Steps", "is-number"],
  ["Size", "is-number"],
  ["Created", ""],
  ["Score", "is-number"],
  ["Actions", "models-table__actions-head"],
];

const TAG_ICON = ["M2.5 2.5h5l6 6-5 5-6-6z", "circle:5.5,5.5,1"];

/** A row's button; `reason` (not null) disables it and says why in its tooltip. */
function actionButton({ label, title, action, reason = null, iconParts = null, quiet = false }) {
  return el(
    "button",
    {
      type: "button",
      class: `button button--small${quiet ? " button--quiet-danger" : ""}${iconParts ? " models-table__icon" : ""}`,
      dataset: { modelAction: action },
      title: reason ?? title,
      "aria-label": iconParts ? label : null,
      "aria-disabled": reason ? "true" : null,
    },
    iconParts ? iconParts : el("span", { class: "button__label" }, label),
  );
}

function versionCell(model) {
  return el(
    "td",
    {},
    el(
      "div",
      { class: "models-table__version" },
      el("span", { class: `model-kind model-kind--${model.kind}`, title: kindTitle(model.kind) }, kindLabel(model.kind)),
      el(
        "a",
        { class: "models-table__run", href: runHref(model.experiment_id), title: `Open the run “${model.name}”`, dataset: { field: "model-run" } },
        model.name || model.experiment_id,
      ),
      (model.tags ?? []).length
        ? el("span", { class: "experiments-table__tags" }, model.tags.map((tag) => el("span", { class: "exp-badge exp-badge--tag" }, tag)))
        : null,
    ),
  );
}

function kindTitle(kind) {
  if (kind === "final") return "The model the run saved when it ended";
  if (kind === "checkpoint") return "A checkpoint the run kept while it trained";
  return "A model imported from a file or folder";
}

/** The score cell: the last evaluation's mean, or the running evaluation's progress. */
export function scoreContent(model, job) {
  if (job) {
    const pct = Math.round(jobPercent(job));
    return el(
      "span",
      { class: "models-table__evaluating", title: "Evaluating: open Evaluate to follow or cancel it", dataset: { field: "model-evaluating" } },
      el("span", { class: "spinner", "aria-hidden": "true" }),
      `${pct}%`,
    );
  }
  return el("span", { title: scoreTitle(model.evaluation), dataset: { field: "model-score" } }, scoreText(model.evaluation));
}

/**
 * `handlers`: {toggleSelected(id, on), action(name, model, button)}; `reasons(model)` →
 * {evaluate, watch, export, delete}: null when the action can run, else why not.
 */
export function createModelsTable({ handlers, reasons, evaluationOf, gameName }) {
  const table = el(
    "table",
    { class: "experiments-table models-table", dataset: { testid: "models-table" } },
    el("caption", { class: "visually-hidden" }, "Model versions grouped by game. Select rows to compare them."),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { class: "experiments-table__check", scope: "col" }, el("span", { class: "visually-hidden" }, "Select")),
        COLUMNS.map(([label, className]) => el("th", { scope: "col", class: className || null }, label)),
      ),
    ),
  );
  const element = el("div", { class: "experiments-table__scroll models-table__scroll" }, table);
  let byId = new Map();

  table.addEventListener("change", (event) => {
    const box = event.target.closest("input[data-select]");
    if (box) handlers.toggleSelected(box.dataset.select, box.checked);
  });
  table.addEventListener("click", (event) => {
    const button = event.target.closest("[data-model-action]");
    if (!button || button.getAttribute("aria-disabled") === "true") return;
    const row = button.closest("tr[data-model-id]");
    const model = byId.get(row?.dataset.modelId);
    if (model) handlers.action(button.dataset.modelAction, model, button);
  });

  function row(model, selected) {
    const why = reasons(model);
    return el(
      "tr",
      {
        class: selected ? "experiments-table__row--selected" : null,
        dataset: { modelId: model.id, kind: model.kind, testid: "model-row" },
      },
      el(
        "td",
        { class: "experiments-table__check" },
        el("input", {
          type: "checkbox",
          checked: selected,
          dataset: { select: model.id },
          "aria-label": `Select ${kindLabel(model.kind).toLowerCase()} ${model.name} at ${formatInt(model.num_timesteps)} steps to compare`,
          title: "Select for Compare (2 to 4 versions of one game)",
        }),
      ),
      versionCell(model),
      el("td", {}, algorithmLabel(model.algorithm)),
      el("td", { class: "is-number", dataset: { field: "model-steps" } }, formatInt(model.num_timesteps)),
      el("td", { class: "is-number" }, formatBytes(model.size_bytes)),
      el("td", { class: "experiments-table__when", title: model.created }, formatWhen(model.created)),
      el("td", { class: "is-number", dataset: { cell: "score" } }, scoreContent(model, evaluationOf(model.id))),
      el(
        "td",
        { class: "models-table__actions" },
        el(
          "div",
          { class: "models-table__buttons" },
          actionButton({ label: "Evaluate", action: "evaluate", title: "Play it N games and store the score", reason: why.evaluate }),
          actionButton({ label: "Watch", action: "watch", title: "Watch it play live (1×, 2×, 4×)", reason: why.watch, iconParts: [icon("play", 14), el("span", { class: "button__label" }, "Watch")] }),
          actionButton({ label: "Export", action: "export", title: "Save it as an SB3 zip, ONNX or a Hugging Face folder", reason: why.export }),
          actionButton({ label: "Tags", action: "tags", title: "Edit this version's tags", iconParts: [svgIcon(TAG_ICON, 14)] }),
          actionButton({ label: "Delete", action: "delete", title: model.kind === "checkpoint" ? "Delete this checkpoint (frees its disk space)" : "Delete this model (asks first)", reason: why.delete, iconParts: [icon("trash", 14)], quiet: true }),
        ),
      ),
    );
  }

  return {
    element,
    /** One body per game; the selection shown checked. */
    render(models, selected) {
      byId = new Map(models.map((m) => [m.id, m]));
      for (const body of [...table.tBodies]) body.remove();
      for (const group of groupByGame(models, gameName)) {
        table.append(
          el(
            "tbody",
            { class: "models-table__group", dataset: { game: group.game, testid: "models-group" } },
            el(
              "tr",
              { class: "models-table__group-head" },
              el(
                "th",
                { colspan: String(COLUMNS.length + 1), scope: "rowgroup" },
                el("span", { class: "models-table__game" }, group.label),
                el("span", { class: "models-table__group-meta" }, groupSummary(group.models)),
              ),
            ),
            group.models.map((model) => row(model, selected.has(model.id))),
          ),
        );
      }
    },
    /** The score cell of `modelId` (a job moved, or ended). */
    updateScore(modelId) {
      const model = byId.get(modelId);
      const cell = table.querySelector(`tr[data-model-id="${CSS.escape(modelId)}"] [data-cell="score"]`);
      if (model && cell) replaceChildren(cell, scoreContent(model, evaluationOf(modelId)));
    },
    markSelected(id, on) {
      const box = table.querySelector(`input[data-select="${CSS.escape(id)}"]`);
      if (box) box.checked = on;
      box?.closest("tr")?.classList.toggle("experiments-table__row--selected", on);
    },
  };
}
