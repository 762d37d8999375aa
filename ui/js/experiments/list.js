// The Experiments table: every run, searchable, filterable and sortable, live. The filter
// state lives in the URL (`#/experiments?q=…&status=…&sort=…`), so Back restores it; a
// checkbox per row picks 2–5 runs for Compare. This module holds that state and the
// Compare button; the toolbar, the table and its rows are list-toolbar.js, list-table.js
// and list-rows.js.

import { el, replaceChildren, setText } from "../shell/dom.js";
import * as state from "../shell/state.js";
import { compareHint, filtersFromQuery } from "./experiments-format.js";
import { emptyTable } from "./list-empty.js";
import { clearedFilters, countText, listAddress, nextSort, visibleRuns } from "./list-format.js";
import { createListTable } from "./list-table.js";
import { createListToolbar } from "./list-toolbar.js";
import { replaceAddress } from "./parts.js";

/** The title, the run count and Compare (`onCompare()` when it is pressed while enabled). */
function listHead(onCompare) {
  const compareButton = el(
    "button",
    {
      type: "button",
      class: "button button--primary",
      dataset: { field: "compare" },
      onclick: () => {
        if (compareButton.getAttribute("aria-disabled") === "true") return;
        onCompare();
      },
    },
    el("span", { class: "button__label" }, "Compare (0)"),
  );
  const count = el("span", { class: "experiments__count", dataset: { field: "count" } });
  const head = el(
    "div",
    { class: "experiments__head" },
    el("div", { class: "experiments__title" }, el("h1", { class: "page-title" }, "Experiments"), count),
    compareButton,
  );
  return { head, count, compareButton };
}

/** Compare's label for `n` selected runs; aria-disabled with the reason unless 2–5. */
function showCompareCount(button, n) {
  setText(button.querySelector(".button__label"), `Compare (${n})`);
  const hint = compareHint(n);
  if (hint) button.setAttribute("aria-disabled", "true");
  else button.removeAttribute("aria-disabled");
  button.title = hint ?? `Compare the ${n} selected runs side by side: settings, results and charts`;
}

export function createExperimentsList(container, { openRun, openCompare }) {
  let filters = filtersFromQuery(new URLSearchParams());
  const selected = new Set();

  const { head, count, compareButton } = listHead(() => openCompare([...selected]));
  const toolbar = createListToolbar({ onFilter: setFilter, onClear: clearFilters });
  const table = createListTable({ openRun, toggleSelected, sortBy });
  const empty = el(
    "div",
    { class: "experiments-empty", hidden: true, dataset: { testid: "experiments-empty" } },
  );
  const root = el("div", { class: "experiments" }, head, toolbar.element, table.element, empty);
  container.append(root);

  function toggleSelected(id, on = !selected.has(id)) {
    if (on) selected.add(id);
    else selected.delete(id);
    table.markSelected(id, on);
    updateCompare();
  }

  const updateCompare = () => showCompareCount(compareButton, selected.size);

  /** New filters: into the address (Back restores them), then onto the table. */
  function apply(next) {
    filters = next;
    replaceAddress(listAddress(filters));
    render();
  }

  function setFilter(name, value) {
    if ((filters[name] ?? "") !== value) apply({ ...filters, [name]: value });
  }

  function clearFilters() {
    toolbar.setSearch("");
    apply(clearedFilters(filters));
    toolbar.focusSearch();
  }

  function sortBy(column) {
    apply(nextSort(filters, column));
    table.focusSort(column);
  }

  function render() {
    if (root.hidden) return;
    const all = state.allExperiments();
    for (const id of [...selected]) if (!state.getExperiment(id)) selected.delete(id);
    toolbar.render(all, filters);
    const shown = visibleRuns(all, filters, state.gameName);
    setText(count, countText(shown.length, all.length));
    table.render(shown, filters, selected);
    table.element.hidden = !shown.length;
    empty.hidden = Boolean(shown.length);
    if (!shown.length) replaceChildren(empty, emptyTable(all.length, clearFilters));
    updateCompare();
  }

  state.on("experiments", () => render());
  state.on("progress", (experiment) => {
    if (!root.hidden) table.updateRow(experiment);
  });

  return {
    element: root,
    show(query) {
      root.hidden = false;
      filters = filtersFromQuery(query);
      toolbar.setSearch(filters.q);
      render();
    },
    hide() {
      root.hidden = true;
    },
    /** Preselects runs (coming back from Compare). */
    select(ids) {
      selected.clear();
      ids.forEach((id) => selected.add(id));
    },
    /** The table's address with its filters (the detail page's Back link). */
    hash: () => listAddress(filters),
  };
}
