// The Experiments table: every run, searchable, filterable and sortable, live. The filter
// state lives in the URL (`#/experiments?q=…&status=…&sort=…`), so Back restores it; a
// checkbox per row picks 2–5 runs for Compare.

import { el, replaceChildren, setText } from "../shell/dom.js";
import {
  algorithmLabel,
  displayStatus,
  formatDuration,
  formatInt,
  formatPct,
  formatReward,
  formatWhen,
  statusLabel,
} from "../format.js";
import * as state from "../shell/state.js";
import {
  compareHint,
  filtersFromQuery,
  filtersToQuery,
  matchesFilters,
  matchesSearch,
  rewardsOf,
  runSeconds,
  sortExperiments,
} from "./experiments-format.js";

const COLUMNS = [
  ["name", "Name"],
  ["game", "Game"],
  ["algorithm", "Algorithm"],
  ["status", "Status"],
  ["created", "Created"],
  ["duration", "Duration"],
  ["steps", "Steps"],
  ["reward", "Mean reward"],
];
const STATUSES_IN_ORDER = ["running", "paused", "queued", "completed", "stopped", "interrupted", "failed"];
const SORT_HINTS = {
  asc: " (now ascending; click for descending)",
  desc: " (now descending; click for ascending)",
};
const NUMERIC = new Set(["duration", "steps", "reward"]);

export function createExperimentsList(container, { openRun, openCompare }) {
  let filters = filtersFromQuery(new URLSearchParams());
  const selected = new Set();
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
    searchTimer = setTimeout(() => setFilter("q", search.value.trim()), 200);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && search.value) {
      event.stopPropagation();
      search.value = "";
      setFilter("q", "");
    }
  });

  const select = (name, label, title) => {
    const node = el("select", {
      class: "select experiments-toolbar__select",
      "aria-label": label,
      title,
      dataset: { filter: name },
    });
    node.addEventListener("change", () => setFilter(name, node.value));
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
      onclick: () => clearFilters(),
    },
    "Clear filters",
  );

  const compareButton = el(
    "button",
    {
      type: "button",
      class: "button button--primary",
      dataset: { field: "compare" },
      onclick: () => {
        if (compareButton.getAttribute("aria-disabled") === "true") return;
        openCompare([...selected]);
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
  const toolbar = el(
    "div",
    { class: "experiments-toolbar", role: "search" },
    search,
    statusSelect,
    gameSelect,
    algorithmSelect,
    tagSelect,
    clearButton,
  );

  const headRow = el("tr", {});
  const tbody = el("tbody", {});
  const table = el(
    "table",
    { class: "experiments-table", dataset: { testid: "experiments-table" } },
    el("caption", { class: "visually-hidden" }, "Experiments, newest first. Select rows to compare them."),
    el("thead", {}, headRow),
    tbody,
  );
  const scroll = el("div", { class: "experiments-table__scroll" }, table);
  const empty = el(
    "div",
    { class: "experiments-empty", hidden: true, dataset: { testid: "experiments-empty" } },
  );
  const root = el("div", { class: "experiments" }, head, toolbar, scroll, empty);
  container.append(root);

  tbody.addEventListener("click", (event) => {
    if (event.target.closest("input, a, button, label")) return;
    const row = event.target.closest("tr[data-run-id]");
    if (row) openRun(row.dataset.runId);
  });
  tbody.addEventListener("keydown", (event) => {
    const row = event.target.closest("tr[data-run-id]");
    if (!row) return;
    if (event.key === "Enter" && event.target === row) {
      event.preventDefault();
      openRun(row.dataset.runId);
    } else if (event.key === " " && event.target === row) {
      event.preventDefault();
      toggleSelected(row.dataset.runId);
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && event.target === row) {
      event.preventDefault();
      const next = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
      next?.focus();
    }
  });
  tbody.addEventListener("change", (event) => {
    const box = event.target.closest("input[data-select]");
    if (box) toggleSelected(box.dataset.select, box.checked);
  });

  function toggleSelected(id, on = !selected.has(id)) {
    if (on) selected.add(id);
    else selected.delete(id);
    const box = tbody.querySelector(`input[data-select="${CSS.escape(id)}"]`);
    if (box) box.checked = on;
    box?.closest("tr")?.classList.toggle("experiments-table__row--selected", on);
    updateCompare();
  }

  function updateCompare() {
    const n = selected.size;
    setText(compareButton.querySelector(".button__label"), `Compare (${n})`);
    const hint = compareHint(n);
    if (hint) compareButton.setAttribute("aria-disabled", "true");
    else compareButton.removeAttribute("aria-disabled");
    compareButton.title = hint ?? `Compare the ${n} selected runs side by side: settings, results and charts`;
  }

  function setFilter(name, value) {
    if ((filters[name] ?? "") === value) return;
    filters = { ...filters, [name]: value };
    writeUrl();
    render();
  }

  function clearFilters() {
    filters = { ...filters, q: "", status: "", game: "", algorithm: "", tag: "" };
    search.value = "";
    writeUrl();
    render();
    search.focus();
  }

  const listHash = () => {
    const text = filtersToQuery(filters);
    return `#/experiments${text ? `?${text}` : ""}`;
  };

  function writeUrl() {
    const target = listHash();
    if (location.hash !== target) history.replaceState(history.state, "", target);
  }

  function sortBy(column) {
    const firstDir = NUMERIC.has(column) || column === "created" ? "desc" : "asc"; // biggest / newest first
    const dir = filters.sort === column ? (filters.dir === "asc" ? "desc" : "asc") : firstDir;
    filters = { ...filters, sort: column, dir };
    writeUrl();
    render();
    headRow.querySelector(`button[data-sort="${column}"]`)?.focus();
  }

  function renderHead() {
    const boxHead = el(
      "th",
      { class: "experiments-table__check", scope: "col" },
      el("span", { class: "visually-hidden" }, "Select"),
    );
    replaceChildren(
      headRow,
      boxHead,
      COLUMNS.map(([key, label]) => {
        const active = filters.sort === key;
        const sortState = active ? (filters.dir === "asc" ? "ascending" : "descending") : "none";
        return el(
          "th",
          { scope: "col", "aria-sort": sortState, class: NUMERIC.has(key) ? "is-number" : null },
          el(
            "button",
            {
              type: "button",
              class: "experiments-table__sort",
              dataset: { sort: key },
              title: `Sort by ${label.toLowerCase()}${active ? SORT_HINTS[filters.dir] : ""}`,
              onclick: () => sortBy(key),
            },
            label,
            el(
              "span",
              { class: "experiments-table__arrow", "aria-hidden": "true" },
              active ? (filters.dir === "asc" ? "▲" : "▼") : "↕",
            ),
          ),
        );
      }),
    );
  }

  function options(node, allLabel, values, current) {
    const wanted = [["", allLabel], ...values];
    if (current && !values.some(([value]) => value === current)) wanted.push([current, current]);
    replaceChildren(node, wanted.map(([value, label]) => el("option", { value }, label)));
    node.value = current;
    node.classList.toggle("is-active", Boolean(current));
  }

  function renderFilters(all) {
    const games = [...new Set(all.map((e) => e.game))].map((id) => [id, state.gameName(id)]).sort(
      (a, b) => a[1].localeCompare(b[1]),
    );
    const algorithms = [...new Set(all.map((e) => e.algorithm))].sort().map((id) => [id, algorithmLabel(id)]);
    const tags = [...new Set(all.flatMap((e) => e.metadata?.tags ?? []))].sort().map((t) => [t, t]);
    options(statusSelect, "Any status", STATUSES_IN_ORDER.map((s) => [s, statusLabel(s)]), filters.status);
    options(gameSelect, "Any game", games, filters.game);
    options(algorithmSelect, "Any algorithm", algorithms, filters.algorithm);
    options(tagSelect, "Any tag", tags, filters.tag);
    tagSelect.disabled = !tags.length && !filters.tag;
    if (document.activeElement !== search) search.value = filters.q;
    clearButton.hidden = !(filters.q || filters.status || filters.game || filters.algorithm || filters.tag);
  }

  function cells(experiment) {
    const status = displayStatus(experiment);
    const progress = experiment.progress ?? {};
    const total = progress.total_timesteps || experiment.config?.total_timesteps;
    const running = status === "running" || status === "paused" || status === "starting";
    return {
      status: el(
        "span",
        { class: "experiments-table__status" },
        el(
          "span",
          { class: "status", dataset: { status } },
          el("span", { class: "status__dot", "aria-hidden": "true" }),
          el("span", {}, statusLabel(status)),
        ),
        running
          ? el("span", { class: "experiments-table__pct", dataset: { field: "pct" } }, formatPct(progress.progress_pct))
          : null,
      ),
      duration: formatDuration(runSeconds(experiment)),
      steps: el(
        "span",
        { title: total ? `${formatInt(progress.timestep ?? 0)} of ${formatInt(total)} steps` : null },
        formatInt(progress.timestep ?? 0),
      ),
      reward: formatReward(rewardsOf(experiment).mean),
    };
  }

  function row(experiment) {
    const id = experiment.id;
    const isSelected = selected.has(id);
    const live = cells(experiment);
    const tags = experiment.metadata?.tags ?? [];
    return el(
      "tr",
      {
        tabindex: "0",
        class: isSelected ? "experiments-table__row--selected" : null,
        dataset: { runId: id, experimentId: id },
        title: "Open this run's details (Enter); Space selects it for Compare",
      },
      el(
        "td",
        { class: "experiments-table__check" },
        el("input", {
          type: "checkbox",
          checked: isSelected,
          dataset: { select: id },
          "aria-label": `Select ${experiment.name} to compare`,
          title: "Select for Compare (2 to 5 runs)",
          tabindex: "-1",
        }),
      ),
      el(
        "td",
        {},
        el(
          "div",
          { class: "experiments-table__name" },
          el(
            "a",
            {
              href: `#/experiments/${encodeURIComponent(id)}`,
              class: "experiments-table__link",
              title: experiment.name,
              tabindex: "-1",
            },
            experiment.name,
          ),
          tags.length
            ? el(
                "span",
                { class: "experiments-table__tags" },
                tags.map((tag) => el("span", { class: "exp-badge exp-badge--tag" }, tag)),
              )
            : null,
        ),
      ),
      el("td", {}, state.gameName(experiment.game)),
      el("td", {}, algorithmLabel(experiment.algorithm)),
      el("td", { dataset: { cell: "status" } }, live.status),
      el(
        "td",
        { class: "experiments-table__when", title: experiment.metadata?.created ?? "" },
        formatWhen(experiment.metadata?.created),
      ),
      el("td", { class: "is-number", dataset: { cell: "duration" } }, live.duration),
      el("td", { class: "is-number", dataset: { cell: "steps" } }, live.steps),
      el("td", { class: "is-number", dataset: { cell: "reward" } }, live.reward),
    );
  }

  function render() {
    if (root.hidden) return;
    const all = state.allExperiments();
    for (const id of [...selected]) if (!state.getExperiment(id)) selected.delete(id);
    renderHead();
    renderFilters(all);
    const shown = sortExperiments(
      all.filter((e) => matchesFilters(e, filters) && matchesSearch(e, filters.q, state.gameName)),
      filters.sort,
      filters.dir,
      state.gameName,
    );
    setText(
      count,
      all.length ? (shown.length === all.length ? `${all.length} runs` : `${shown.length} of ${all.length} runs`) : "",
    );
    const focusedId = document.activeElement?.closest?.("tr[data-run-id]")?.dataset.runId;
    replaceChildren(tbody, shown.map(row));
    if (focusedId) tbody.querySelector(`tr[data-run-id="${CSS.escape(focusedId)}"]`)?.focus();
    scroll.hidden = !shown.length;
    empty.hidden = Boolean(shown.length);
    if (!shown.length) renderEmpty(all.length);
    updateCompare();
  }

  function renderEmpty(total) {
    if (!state.isLoaded()) {
      replaceChildren(
        empty,
        el(
          "div",
          { class: "skeleton-card", "aria-hidden": "true" },
          el("span", { class: "skeleton skeleton--title" }),
          el("span", { class: "skeleton skeleton--line" }),
        ),
        el("p", { class: "visually-hidden" }, "Loading experiments…"),
      );
      return;
    }
    if (!total) {
      replaceChildren(
        empty,
        el("p", { class: "experiments-empty__title" }, "No experiments yet."),
        el(
          "p",
          { class: "experiments-empty__text" },
          "Every training run you start is listed here, with its settings, results, files and logs.",
        ),
        el(
          "a",
          {
            class: "button button--primary",
            href: "#/training",
            title: "Go to the Training tab to start a run",
          },
          "Start a training",
        ),
      );
      return;
    }
    replaceChildren(
      empty,
      el(
        "p",
        { class: "experiments-empty__title", dataset: { field: "no-match" } },
        "No runs match your search or filters.",
      ),
      el("p", { class: "experiments-empty__text" }, `${total} runs are hidden by them.`),
      el(
        "button",
        { type: "button", class: "button", onclick: () => clearFilters(), title: "Show every run again" },
        "Clear filters",
      ),
    );
  }

  function updateProgress(experiment) {
    if (root.hidden) return;
    const rowNode = tbody.querySelector(`tr[data-run-id="${CSS.escape(experiment.id)}"]`);
    if (!rowNode) return;
    const live = cells(experiment);
    const pct = rowNode.querySelector('[data-field="pct"]');
    if (pct && live.status.querySelector('[data-field="pct"]')) setText(
      pct,
      live.status.querySelector('[data-field="pct"]').textContent,
    );
    setText(rowNode.querySelector('[data-cell="duration"]'), live.duration);
    replaceChildren(rowNode.querySelector('[data-cell="steps"]'), live.steps);
    setText(rowNode.querySelector('[data-cell="reward"]'), live.reward);
  }

  state.on("experiments", () => render());
  state.on("progress", (experiment) => updateProgress(experiment));

  return {
    element: root,
    show(query) {
      root.hidden = false;
      filters = filtersFromQuery(query);
      search.value = filters.q;
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
    hash: listHash,
  };
}
