// The Videos tab's controls: "My Videos" with its summary, Refresh, Sort and Grid / List;
// the scopes (All Videos, Favorites, By experiment) and the filters (game, type, run, tag);
// the "Select all" line. `sync` shows the filters of the address bar and the choices the
// library offers; every change goes through the callbacks (the view puts it in the URL).

import { el, icon, replaceChildren, setText } from "../shell/dom.js";
import { gameName, getExperiment } from "../shell/state.js";
import {
  FILTER_KEYS,
  SCOPES,
  SORTS,
  TYPE_CHOICES,
  filterChoices,
  filtersToQuery,
  hasFilters,
} from "./library-format.js";

const SCOPE_TITLES = {
  all: "Every video",
  favorites: "The videos you starred",
  experiments: "Grouped by training run",
};
const ANY_LABEL = { game: "All games", type: "All types", experiment: "All runs", tag: "Any tag" };
const FILTERS = [
  ["game", "Game", "Only videos of this game"],
  ["type", "Type", "Milestone clips, the “Watch it learn” video, evaluations, comparisons"],
  ["experiment", "Run", "Only videos of this training run"],
  ["tag", "Tag", "Only videos with this tag"],
];

const labelled = (id, text, control) =>
  el("label", { class: "vt-filter", for: id }, el("span", { class: "vt-filter__label" }, text), control);

/** The filters with none set: what "Clear filters" asks for. */
export const NO_FILTERS = Object.fromEntries(FILTER_KEYS.map((key) => [key, ""]));

/**
 * `on`: {filters(changes), layout(value), refresh(), selectAll()}. Returns the parts to place
 * ({head, toolbar, selectBar, tagList}) and {sync(all, filters, layout, gameOf), setBusy(bool),
 * setSummary(text), setSelectAll(label, hidden)}.
 */
export function createToolbar(on) {
  const summary = el("p", { class: "vt-head__summary figure", dataset: { field: "videos-summary" } });
  const refreshButton = el(
    "button",
    {
      type: "button",
      class: "button",
      title: "Fetch the video list again",
      dataset: { field: "videos-refresh" },
      onclick: () => on.refresh(),
    },
    icon("retry", 14),
    el("span", { class: "button__label" }, "Refresh"),
  );
  const sortSelect = el(
    "select",
    {
      class: "select",
      id: "videos-sort",
      title: "Order of the videos",
      dataset: { field: "videos-sort" },
      onchange: (event) => on.filters({ sort: event.currentTarget.value }),
    },
    Object.entries(SORTS).map(([value, text]) => el("option", { value }, text)),
  );
  const layoutButtons = ["grid", "list"].map((value) =>
    el(
      "button",
      {
        type: "button",
        class: "vt-segment",
        "aria-pressed": "false",
        title: value === "grid" ? "Thumbnail grid" : "Dense list",
        dataset: { layout: value, field: `layout-${value}` },
        onclick: () => on.layout(value),
      },
      value === "grid" ? "Grid" : "List",
    ),
  );
  const scopeLinks = Object.entries(SCOPES).map(([value, text]) =>
    el(
      "a",
      {
        class: "vt-scope",
        href: "#/videos",
        title: SCOPE_TITLES[value],
        dataset: { scope: value, field: `scope-${value}` },
      },
      el("span", {}, text),
      el("span", { class: "vt-scope__count figure", dataset: { field: `scope-count-${value}` } }),
    ),
  );
  const selects = {};
  const filterFields = FILTERS.map(([name, label, title]) => {
    const id = `videos-filter-${name}`;
    selects[name] = el("select", {
      class: "select vt-filter__select",
      id,
      title,
      dataset: { field: `filter-${name}` },
      onchange: (event) => on.filters({ [name]: event.currentTarget.value }),
    });
    return labelled(id, label, selects[name]);
  });
  const clearButton = el(
    "button",
    {
      type: "button",
      class: "link-button vt-filters__clear",
      title: "Show every video again",
      dataset: { field: "clear-filters" },
      onclick: () => on.filters(NO_FILTERS),
    },
    "Clear filters",
  );
  const selectAllButton = el(
    "button",
    {
      type: "button",
      class: "button button--small vt-select-all",
      title: "Select every video shown (Esc clears)",
      dataset: { field: "select-all" },
      onclick: () => on.selectAll(),
    },
    el("span", { class: "button__label" }, "Select all"),
  );
  const tagList = el("datalist", { id: "videos-tab-tags" });

  const head = el(
    "div",
    { class: "vt-head" },
    el("div", { class: "vt-head__title" }, el("h1", { class: "page-title" }, "My Videos"), summary),
    el(
      "div",
      { class: "vt-head__tools" },
      refreshButton,
      labelled("videos-sort", "Sort", sortSelect),
      el("div", { class: "vt-segmented", role: "group", "aria-label": "Show as" }, layoutButtons),
    ),
  );
  const toolbar = el(
    "div",
    { class: "vt-toolbar" },
    el("nav", { class: "vt-scopes", "aria-label": "Which videos" }, scopeLinks),
    el("div", { class: "vt-filters" }, filterFields, clearButton),
  );
  const selectBar = el(
    "div",
    { class: "vt-selectbar" },
    selectAllButton,
    el(
      "span",
      { class: "vt-selectbar__hint" },
      "Tick videos to export, tag, star or delete them together · Shift-click selects a range",
    ),
  );

  /** Shows `filters` and `layout`; the menus offer what `all` (the library, or null) has. */
  function sync(all, filters, layout, gameOf) {
    sortSelect.value = filters.sort;
    for (const button of layoutButtons) button.setAttribute("aria-pressed", String(button.dataset.layout === layout));
    const counts = { all: all?.length, favorites: all?.filter((video) => video.metadata?.favorite).length };
    for (const link of scopeLinks) {
      const scope = link.dataset.scope;
      const query = filtersToQuery({ ...filters, scope });
      link.href = `#/videos${query ? `?${query}` : ""}`;
      if (scope === filters.scope) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
      setText(link.querySelector(".vt-scope__count"), counts[scope] ?? "");
    }
    const choices = filterChoices(all ?? [], gameOf);
    const options = {
      game: choices.games.map((id) => [id, gameName(id)]),
      type: Object.entries(TYPE_CHOICES),
      experiment: choices.experiments
        .map((id) => [id, getExperiment(id)?.name ?? `Run ${id}`])
        .sort((a, b) => a[1].localeCompare(b[1])),
      tag: choices.tags.map((tag) => [tag, tag]),
    };
    for (const [name, node] of Object.entries(selects)) {
      const list = options[name];
      const value = filters[name];
      if (value && !list.some(([id]) => id === value)) list.push([value, value]); // from the address bar
      const key = JSON.stringify(list);
      if (node.dataset.key !== key) {
        node.dataset.key = key;
        replaceChildren(
          node,
          el("option", { value: "" }, ANY_LABEL[name]),
          list.map(([id, text]) => el("option", { value: id }, text)),
        );
      }
      node.value = value;
      node.closest(".vt-filter").dataset.active = String(Boolean(value));
    }
    clearButton.hidden = !hasFilters(filters);
    replaceChildren(
      tagList,
      choices.tags.map((tag) => el("option", { value: tag })),
    );
  }

  return {
    head,
    toolbar,
    selectBar,
    tagList,
    sync,
    setSummary: (text) => setText(summary, text),
    setBusy(busy) {
      if (busy) refreshButton.setAttribute("aria-busy", "true");
      else refreshButton.removeAttribute("aria-busy");
    },
    setSelectAll(label, hidden) {
      setText(selectAllButton.querySelector(".button__label"), label);
      selectBar.hidden = hidden;
    },
  };
}
