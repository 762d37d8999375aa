// The Lineage section of a run's page: the whole family tree it belongs to (the run it
// continues or retries and every run continued from it), this run marked, the others linked.

import { el, replaceChildren } from "../../shell/dom.js";
import { displayStatus, formatInt, formatWhen, lineageKind } from "../../shell/format.js";
import * as state from "../../shell/state.js";
import { runLink, statusBadge } from "../../shell/widgets.js";
import { lineageTree } from "../experiments-format.js";

function originText(kind, start) {
  if (kind === "continued") return `continued from step ${formatInt(start)}`;
  return kind === "retry" ? "retry" : "first run";
}

/** One run of the tree and, below it, the runs that came from it. */
function treeNode(tree, currentId) {
  const experiment = tree.experiment;
  const status = displayStatus(experiment);
  const parent = state.getExperiment(experiment.lineage?.parent_experiment_id);
  const origin = originText(lineageKind(experiment, parent), experiment.lineage?.start_timestep ?? 0);
  const isCurrent = experiment.id === currentId;
  return el(
    "li",
    { class: "lineage-tree__item" },
    el(
      "div",
      {
        class: `lineage-tree__node${isCurrent ? " is-current" : ""}`,
        dataset: { lineageId: experiment.id },
      },
      isCurrent
        ? el("strong", { class: "lineage-tree__name", "aria-current": "page" }, experiment.name)
        : runLink(experiment, { class: "lineage-tree__name" }),
      statusBadge(status, { field: null, labelField: null }),
      el(
        "span",
        { class: "lineage-tree__meta" },
        `${origin} · ${formatInt(experiment.progress?.timestep ?? 0)} steps · ${formatWhen(experiment.metadata?.created)}`,
      ),
      isCurrent ? el("span", { class: "exp-badge" }, "this run") : null,
    ),
    tree.children.length
      ? el("ul", { class: "lineage-tree" }, tree.children.map((child) => treeNode(child, currentId)))
      : null,
  );
}

/** A study's trial, or a run promoted from one ("Train this for real"), links to its study page. */
function studyNote(experiment) {
  const lineage = experiment?.lineage ?? {};
  if (!lineage.study_id) return null;
  const trial = formatInt(lineage.trial_number ?? 0);
  const promoted = (experiment.metadata?.tags ?? []).includes("promoted");
  return el(
    "p",
    { class: "lineage-study", dataset: { field: "lineage-study" } },
    promoted ? `Trained for real with the parameters of trial ${trial} of a ` : `Trial ${trial} of a `,
    el("a", { href: `#/studies/${encodeURIComponent(lineage.study_id)}` }, "hyperparameter study"),
    ".",
  );
}

export function createLineage() {
  const body = el("div", {});
  const element = el(
    "div",
    { class: "experiment-lineage" },
    el("h2", { class: "section-title" }, "Lineage"),
    body,
  );
  let currentId = null;

  function render() {
    const tree = lineageTree(currentId, (id) => state.getExperiment(id));
    if (!tree) return;
    const single = !tree.children.length;
    const current = state.getExperiment(currentId);
    const parentId = current?.lineage?.parent_experiment_id;
    const missingParent = parentId && !state.getExperiment(parentId);
    replaceChildren(
      body,
      single
        ? el(
          "p",
          { class: "empty-note" },
          "This run has no parent and no continued runs. Continue it (once it has finished) to train its " +
            "model further: the new run appears here.",
        )
        : null,
      missingParent ? el("p", { class: "empty-note" }, "Its parent run was deleted.") : null,
      studyNote(current),
      el("ul", { class: "lineage-tree lineage-tree--root", dataset: { testid: "lineage-tree" } }, treeNode(tree, currentId)),
    );
  }

  return {
    element,
    load(experiment) {
      currentId = experiment.id;
      render();
    },
    update() {},
    refresh: () => currentId && render(),
    destroy() {
      currentId = null;
    },
  };
}
