// The Models section of a run's page (Experiments → a run → Models): the run's versions (final
// model, kept checkpoints) with their scores, "Compare step X vs final" one click away (the
// comparison starts at once with 10 games), Evaluate per version, and the way to the Models tab.

import { el, replaceChildren, setText } from "../shell/dom.js";
import { formatBytes, formatInt } from "../shell/format.js";
import { onLive } from "../shell/live.js";
import { errorText, failure, loading, sectionHead, smallButton } from "../experiments/parts.js";
import { listModels } from "./api.js";
import { openCompare } from "./compare-dialog.js";
import { openEvaluate } from "./evaluate-dialog.js";
import { onJob, startJobTracking } from "./jobs.js";
import { checkpointPairs, countText, kindLabel, scoreText, scoreTitle } from "./models-format.js";

const runModelsHref = (experimentId) => `#/models?experiment_id=${encodeURIComponent(experimentId)}`;

function versionItem(model) {
  return el(
    "li",
    { class: "run-models__item", dataset: { modelId: model.id, testid: "run-model" } },
    el("span", {}, el("span", { class: `model-kind model-kind--${model.kind}` }, kindLabel(model.kind))),
    el("span", {}, `${formatInt(model.num_timesteps)} steps`),
    el("span", { title: "Size on disk" }, formatBytes(model.size_bytes)),
    el("span", { title: scoreTitle(model.evaluation) }, `Score ${scoreText(model.evaluation)}`),
    smallButton("Evaluate", "Play it N games and store the score", {
      onclick: (event) => openEvaluate(model, { returnFocus: event.currentTarget }),
    }),
  );
}

export function createRunModels() {
  startJobTracking();
  const count = el("span", { class: "experiments__count", dataset: { field: "run-models-count" } });
  const open = el("a", { class: "button button--small", dataset: { field: "run-models-open" } }, "Open in the Models tab");
  const body = el("div", { class: "run-models" });
  const element = el("div", { class: "experiment-models", dataset: { testid: "run-models" } }, sectionHead("Models", { before: [count], after: [open] }), body);
  let experiment = null;
  let token = 0;

  async function load() {
    if (!experiment) return;
    const mine = ++token;
    if (!body.childElementCount) replaceChildren(body, loading("Listing the run's models…"));
    try {
      const answer = await listModels({ experiment_id: experiment.id, sort: "num_timesteps", order: "desc" });
      if (mine !== token) return;
      render(answer.models ?? []);
    } catch (error) {
      if (mine === token && error.kind !== "auth") replaceChildren(body, failure(`Could not list the run's models: ${errorText(error)}`, load));
    }
  }

  function render(models) {
    setText(count, countText(models.length, models.length));
    if (!models.length) {
      replaceChildren(
        body,
        el("p", { class: "empty-note" }, "No model yet: the run saves checkpoints as it trains (if it keeps them) and its final model when it ends."),
      );
      return;
    }
    const pairs = checkpointPairs(models);
    replaceChildren(
      body,
      pairs.length
        ? el(
            "div",
            { class: "run-models__pairs" },
            pairs.slice(0, 4).map((pair) =>
              el(
                "button",
                {
                  type: "button",
                  class: "button button--small",
                  dataset: { field: "run-models-compare" },
                  title: "Both play the same 10 games; the table says whether the final model is better beyond noise",
                  onclick: (event) => openCompare([pair.checkpoint, pair.final], { returnFocus: event.currentTarget, start: true }),
                },
                pair.label,
              ),
            ),
          )
        : null,
      el("ul", { class: "run-models__list" }, models.map(versionItem)),
    );
  }

  onLive("models.changed", (payload) => {
    if (experiment && payload?.experiment_id === experiment.id) load();
  });
  onJob((kind, job, phase) => {
    if (kind === "evaluate" && phase === "complete" && experiment && job.experiment_id === experiment.id) load();
  });

  return {
    element,
    load(next) {
      const changed = experiment?.id !== next.id;
      experiment = next;
      open.href = runModelsHref(next.id);
      if (changed || !body.childElementCount) {
        replaceChildren(body);
        load();
      }
    },
    update(next) {
      experiment = next;
    },
    destroy() {
      token++;
      experiment = null;
    },
  };
}
