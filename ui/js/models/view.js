// The Models tab (`#/models?game=…&sort=…`): every final model, kept checkpoint and imported
// model as a version, grouped by game, filtered, searched and sorted by the server, live
// (`models.changed`). A checkbox per row picks 2–4 versions for Compare; each row's actions
// open their dialogs (evaluate, watch, export, tags) or delete. The filters live in the address.

import { el, replaceChildren, setText } from "../shell/dom.js";
import { onLive, onReconnect } from "../shell/live.js";
import * as state from "../shell/state.js";
import { skeletonCard } from "../shell/widgets.js";
import { emptyMessage, errorText, failure, replaceAddress } from "../experiments/parts.js";
import { listModels } from "./api.js";
import { openCompare } from "./compare-dialog.js";
import { deleteVersion } from "./delete.js";
import { openEvaluate } from "./evaluate-dialog.js";
import { openExport } from "./export-dialog.js";
import { onJob, runningJobsOf, startJobTracking } from "./jobs.js";
import {
  clearedFilters,
  compareHint,
  countText,
  filtersFromQuery,
  hasFilters,
  listParams,
  modelsAddress,
} from "./models-format.js";
import { actionReasons, watchAvailability } from "./availability.js";
import { createModelsTable } from "./table.js";
import { openTags } from "./tags-dialog.js";
import { createModelsToolbar } from "./toolbar.js";
import { openWatch } from "./watch-dialog.js";

const REFRESH_DELAY_MS = 250;

function compareButton(onCompare) {
  const button = el(
    "button",
    { type: "button", class: "button button--primary", dataset: { field: "models-compare" } },
    el("span", { class: "button__label" }, "Compare (0)"),
  );
  button.addEventListener("click", () => {
    if (button.getAttribute("aria-disabled") !== "true") onCompare();
  });
  return button;
}

function createModelsList(container) {
  let filters = filtersFromQuery(new URLSearchParams());
  let all = []; // every version (the filters' choices, the total)
  let shown = []; // the versions the filters let through
  let loaded = false;
  let token = 0;
  let refreshTimer = null;
  const selected = new Map(); // id → version

  const count = el("span", { class: "experiments__count", dataset: { field: "models-count" } });
  // The earliest step first: the others' differences then read as what more training gave.
  const compare = compareButton(() =>
    openCompare([...selected.values()].sort((a, b) => a.num_timesteps - b.num_timesteps), { returnFocus: compare }),
  );
  const runFilter = el("p", { class: "models-run-filter", hidden: true, dataset: { field: "models-run-filter" } });
  const toolbar = createModelsToolbar({ onFilter: setFilter, onClear: clearFilters, gameName: state.gameName });
  const table = createModelsTable({
    handlers: { toggleSelected, action: runAction },
    reasons: (model) => actionReasons(model, state.getExperiment(model.experiment_id)),
    evaluationOf: (id) => runningJobsOf("evaluate", id)[0] ?? null,
    gameName: state.gameName,
  });
  const empty = el("div", { class: "experiments-empty", hidden: true, dataset: { testid: "models-empty" } });
  const root = el(
    "div",
    { class: "experiments models" },
    el(
      "div",
      { class: "experiments__head" },
      el("div", { class: "experiments__title" }, el("h1", { class: "page-title" }, "Models"), count),
      compare,
    ),
    runFilter,
    toolbar.element,
    table.element,
    empty,
  );
  container.append(root);

  function runAction(name, model, button) {
    const options = { returnFocus: button };
    if (name === "evaluate") openEvaluate(model, options);
    else if (name === "watch") openWatch(model, options);
    else if (name === "export") openExport(model, options);
    else if (name === "tags") openTags(model, { ...options, onSaved: () => load() }); // a PATCH sends no models.changed
    else if (name === "delete") deleteVersion(model, options);
  }

  function toggleSelected(id, on) {
    const model = shown.find((m) => m.id === id);
    if (on && model) selected.set(id, model);
    else selected.delete(id);
    table.markSelected(id, on && Boolean(model));
    updateCompare();
  }

  function updateCompare() {
    const picks = [...selected.values()];
    setText(compare.querySelector(".button__label"), `Compare (${picks.length})`);
    const hint = compareHint(picks);
    if (hint) compare.setAttribute("aria-disabled", "true");
    else compare.removeAttribute("aria-disabled");
    compare.title = hint ?? `Play the ${picks.length} selected versions on the same seeds and compare their scores`;
  }

  function apply(next) {
    filters = next;
    replaceAddress(modelsAddress(filters));
    load();
  }

  function setFilter(name, value) {
    if ((filters[name] ?? "") !== value) apply({ ...filters, [name]: value });
  }

  function clearFilters() {
    toolbar.setSearch("");
    apply(clearedFilters(filters));
    toolbar.focusSearch();
  }

  async function load() {
    const mine = ++token;
    if (!loaded) showEmpty(skeletonCard("Loading the model versions…", ["title", "line", "line"]));
    try {
      const sortOnly = { sort: filters.sort, order: filters.order };
      const [everything, filtered] = await Promise.all([
        listModels(sortOnly),
        hasFilters(filters) ? listModels(listParams(filters)) : null,
      ]);
      if (mine !== token) return;
      loaded = true;
      all = everything.models ?? [];
      shown = filtered ? filtered.models ?? [] : all;
      render();
    } catch (error) {
      if (mine !== token || error.kind === "auth") return;
      if (!loaded) showEmpty(failure(`Could not list the model versions: ${errorText(error)}`, load));
      else showErrorLine(error);
    }
  }

  function showErrorLine(error) {
    const line = failure(`Could not refresh the list: ${errorText(error)}`, load);
    line.dataset.field = "models-refresh-error";
    root.querySelector('[data-field="models-refresh-error"]')?.remove();
    toolbar.element.after(line);
  }

  function showEmpty(...children) {
    table.element.hidden = true;
    empty.hidden = false;
    replaceChildren(empty, children);
  }

  function render() {
    root.querySelector('[data-field="models-refresh-error"]')?.remove();
    for (const id of [...selected.keys()]) {
      const model = shown.find((m) => m.id === id);
      if (model) selected.set(id, model);
      else selected.delete(id);
    }
    toolbar.render(all, filters);
    renderRunFilter();
    setText(count, countText(shown.length, all.length));
    updateCompare();
    if (!shown.length) {
      showEmpty(all.length ? noMatch() : noModels());
      return;
    }
    empty.hidden = true;
    table.element.hidden = false;
    table.render(shown, new Set(selected.keys()));
  }

  function renderRunFilter() {
    runFilter.hidden = !filters.experiment_id;
    if (!filters.experiment_id) return;
    const run = state.getExperiment(filters.experiment_id);
    replaceChildren(
      runFilter,
      "Showing the versions of the run ",
      el("a", { href: `#/experiments/${encodeURIComponent(filters.experiment_id)}` }, run?.name ?? filters.experiment_id),
      " · ",
      el("button", { type: "button", class: "link-button", onclick: () => setFilter("experiment_id", "") }, "Show every run's versions"),
    );
  }

  const noModels = () =>
    emptyMessage(
      "No models yet.",
      "Every run's final model, the checkpoints it keeps and the models you import appear here as versions you can evaluate, watch, compare and export.",
      el("a", { class: "button button--primary", href: "#/training", title: "Go to the Training tab to start a run" }, "Start a training"),
    );
  const noMatch = () =>
    emptyMessage(
      "No version matches your search or filters.",
      `${countText(all.length, all.length)} are hidden by them.`,
      el("button", { type: "button", class: "button", onclick: () => clearFilters(), title: "Show every version again" }, "Clear filters"),
      { dataset: { field: "models-no-match" } },
    );

  /** Many `models.changed` in a row (a run pruning checkpoints) make one request. */
  function refreshSoon() {
    if (root.hidden) return; // show() loads afresh
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(load, REFRESH_DELAY_MS);
  }

  onLive("models.changed", refreshSoon);
  onReconnect(refreshSoon);
  onJob((kind, job, phase) => {
    if (kind !== "evaluate") return;
    if (phase === "progress") job.model_ids?.forEach((id) => table.updateScore(id));
    else refreshSoon(); // the stored score changed (or the cell's progress goes)
  });
  watchAvailability().then(() => !root.hidden && loaded && render());

  return {
    show(query) {
      root.hidden = false;
      filters = filtersFromQuery(query);
      toolbar.setSearch(filters.q);
      load();
    },
    hide() {
      root.hidden = true;
    },
  };
}

let list;

export default {
  title: "Models",
  init(container) {
    startJobTracking();
    list = createModelsList(container);
  },
  show(route) {
    list.show(route.query);
  },
  hide() {
    list?.hide();
  },
};
