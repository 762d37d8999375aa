// The Experiments table's toolbar: the search box (typing waits 200 ms, Escape clears it),
// the status, game, algorithm and tag filters, and Clear filters. It reports what the user
// picks; the table (list.js) owns the filter state.

import { el, replaceChildren } from "../shell/dom.js";
import { algorithmLabel, statusLabel } from "../shell/format.js";
import * as state from "../shell/state.js";
import { STATUSES_IN_ORDER, filterChoices, hasFilters, optionList } from "./list-format.js";

function fill(select, allLabel, values, current) {
  replaceChildren(select, optionList(allLabel, values, current).map(([value, label]) => el("option", { value }, label)));
  select.value = current;
  select.classList.toggle("is-active", Boolean(current));
}

/** `onFilter(name, value)` when a filter or the search changes; `onClear()` for Clear filters. */
export function createListToolbar({ onFilter, onClear }) {
  let searchTimer = null;
  const search = el("input", {
    type: "search",
    class: "input experiments-toolbar__search",
    placeholder: "Search name, game or tag…",
    "aria-label": "Search experiments by name, game or tag",
    title: "Type to narrow the list: matches the name, the game and the tags",
    dataset: { field: "search" },
  });
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => onFilter("q", search.value.trim()), 200);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && search.value) {
      event.stopPropagation();
      search.value = "";
      onFilter("q", "");
    }
  });

  const select = (name, label, title) => {
    const node = el("select", {
      class: "select experiments-toolbar__select",
      "aria-label": label,
      title,
      dataset: { filter: name },
    });
    node.addEventListener("change", () => onFilter(name, node.value));
    return node;
  };
  const statusSelect = select("status", "Filter by status", "Show only runs with this status");
  const gameSelect = select("game", "Filter by game", "Show only runs of this game");
  const algorithmSelect = select("algorithm", "Filter by algorithm", "Show only runs of this algorithm");
  const tagSelect = select("tag", "Filter by tag", "Show only runs with this tag");
  const clearButton = el(
    "button",
    {
      type: "button",
      class: "button button--small",
      title: "Show every run again (clears the search and the filters)",
      dataset: { field: "clear-filters" },
      onclick: () => onClear(),
    },
    "Clear filters",
  );
  const element = el(
    "div",
    { class: "experiments-toolbar", role: "search" },
    search,
    statusSelect,
    gameSelect,
    algorithmSelect,
    tagSelect,
    clearButton,
  );

  return {
    element,
    /** Shows `filters`, with the choices the runs in `all` offer. */
    render(all, filters) {
      const { games, algorithms, tags } = filterChoices(all, state.gameName, algorithmLabel);
      fill(statusSelect, "Any status", STATUSES_IN_ORDER.map((s) => [s, statusLabel(s)]), filters.status);
      fill(gameSelect, "Any game", games, filters.game);
      fill(algorithmSelect, "Any algorithm", algorithms, filters.algorithm);
      fill(tagSelect, "Any tag", tags, filters.tag);
      tagSelect.disabled = !tags.length && !filters.tag;
      if (document.activeElement !== search) search.value = filters.q;
      clearButton.hidden = !hasFilters(filters);
    },
    /** Sets the search box's text (a route change, Clear filters). */
    setSearch(text) {
      search.value = text;
    },
    focusSearch: () => search.focus(),
  };
}
