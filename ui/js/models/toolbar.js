// The Models list's toolbar: search (typing waits 200 ms, Escape clears it), game, algorithm,
// kind and tag filters, the sort and its direction, and Clear filters. It reports what the
// user picks; the list (view.js) owns the filter state.

import { el, replaceChildren } from "../shell/dom.js";
import { KINDS, SORTS, filterChoices, hasFilters } from "./models-format.js";

function fill(select, allLabel, choices, current) {
  const options = [["", allLabel], ...choices];
  if (current && !choices.some(([value]) => value === current)) options.push([current, current]);
  replaceChildren(select, options.map(([value, label]) => el("option", { value }, label)));
  select.value = current;
  select.classList.toggle("is-active", Boolean(current));
}

/** `onFilter(name, value)` for a filter, the search, the sort or the order; `onClear()`. */
export function createModelsToolbar({ onFilter, onClear, gameName }) {
  let searchTimer = null;
  const search = el("input", {
    type: "search",
    class: "input models-toolbar__search",
    placeholder: "Search run, game, algorithm or tag…",
    "aria-label": "Search model versions by run name, game, algorithm or tag",
    title: "Type to narrow the list: matches the run's name, the game, the algorithm and the tags",
    dataset: { field: "models-search" },
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
    const node = el("select", { class: "select models-toolbar__select", "aria-label": label, title, dataset: { filter: name } });
    node.addEventListener("change", () => onFilter(name, node.value));
    return node;
  };
  const gameSelect = select("game", "Filter by game", "Show only versions of this game");
  const algorithmSelect = select("algorithm", "Filter by algorithm", "Show only versions of this algorithm");
  const kindSelect = select("kind", "Filter by kind", "Final models, kept checkpoints or imported models");
  const tagSelect = select("tag", "Filter by tag", "Show only versions with this tag");
  const sortSelect = el(
    "select",
    { class: "select models-toolbar__select", "aria-label": "Sort by", title: "Sort the versions (within each game)", dataset: { filter: "sort" } },
    SORTS.map(([value, label]) => el("option", { value }, `Sort: ${label}`)),
  );
  sortSelect.addEventListener("change", () => onFilter("sort", sortSelect.value));
  const orderButton = el("button", {
    type: "button",
    class: "button button--small models-toolbar__order",
    dataset: { field: "models-order" },
  });
  orderButton.addEventListener("click", () => onFilter("order", orderButton.dataset.order === "asc" ? "desc" : "asc"));
  const clearButton = el(
    "button",
    {
      type: "button",
      class: "button button--small",
      title: "Show every version again (clears the search and the filters)",
      dataset: { field: "models-clear" },
      onclick: () => onClear(),
    },
    "Clear filters",
  );
  const element = el(
    "div",
    { class: "experiments-toolbar models-toolbar", role: "search" },
    search,
    gameSelect,
    algorithmSelect,
    kindSelect,
    tagSelect,
    sortSelect,
    orderButton,
    clearButton,
  );

  return {
    element,
    /** Shows `filters`, with the choices every version (`all`) offers. */
    render(all, filters) {
      const { games, algorithms, tags } = filterChoices(all, gameName);
      fill(gameSelect, "Any game", games, filters.game);
      fill(algorithmSelect, "Any algorithm", algorithms, filters.algorithm);
      fill(kindSelect, "Any kind", KINDS, filters.kind);
      fill(tagSelect, "Any tag", tags, filters.tag);
      tagSelect.disabled = !tags.length && !filters.tag;
      tagSelect.title = tagSelect.disabled ? "No version has a tag yet: add one with a row's Tags button" : "Show only versions with this tag";
      sortSelect.value = filters.sort;
      const ascending = filters.order === "asc";
      orderButton.dataset.order = filters.order;
      orderButton.textContent = ascending ? "↑ Ascending" : "↓ Descending";
      orderButton.title = ascending ? "Smallest first: click for largest first" : "Largest (newest) first: click for smallest first";
      if (document.activeElement !== search) search.value = filters.q;
      clearButton.hidden = !hasFilters(filters);
    },
    setSearch(text) {
      search.value = text;
    },
    focusSearch: () => search.focus(),
  };
}
