// How the Experiments table sorts and filters, as pure functions (no DOM, no state) that
// `node --test` checks: its columns, the runs it shows, the next sort on a click, the
// choices of each filter, its address.

import { filtersToQuery, matchesFilters, matchesSearch, sortExperiments } from "./experiments-format.js";

export const COLUMNS = [
  ["name", "Name"],
  ["game", "Game"],
  ["algorithm", "Algorithm"],
  ["status", "Status"],
  ["created", "Created"],
  ["duration", "Duration"],
  ["steps", "Steps"],
  ["reward", "Mean reward"],
];
/** Columns right-aligned as numbers, sorted biggest first on the first click. */
export const NUMERIC = new Set(["duration", "steps", "reward"]);
export const STATUSES_IN_ORDER = ["running", "paused", "queued", "completed", "stopped", "pruned", "interrupted", "failed"];
/** The filters Clear filters empties (sort and direction stay). */
export const CLEARABLE = ["q", "status", "game", "algorithm", "tag"];

/** The runs of `all` that match the search and filters, in their sort order. */
export function visibleRuns(all, filters, gameName = (id) => id) {
  return sortExperiments(
    all.filter((e) => matchesFilters(e, filters) && matchesSearch(e, filters.q, gameName)),
    filters.sort,
    filters.dir,
    gameName,
  );
}

/** The table's address with its filters: `#/experiments?q=…&status=…`. */
export function listAddress(filters) {
  const text = filtersToQuery(filters);
  return `#/experiments${text ? `?${text}` : ""}`;
}

/** The sort after a click on `column`: the same column flips, another starts biggest / newest first. */
export function nextSort(filters, column) {
  const firstDir = NUMERIC.has(column) || column === "created" ? "desc" : "asc";
  const dir = filters.sort === column ? (filters.dir === "asc" ? "desc" : "asc") : firstDir;
  return { ...filters, sort: column, dir };
}

/** A column head's look: aria-sort, its arrow and the end of its tooltip. */
export function sortLook(filters, column) {
  if (filters.sort !== column) return { ariaSort: "none", arrow: "↕", hint: "" };
  return filters.dir === "asc"
    ? { ariaSort: "ascending", arrow: "▲", hint: " (now ascending; click for descending)" }
    : { ariaSort: "descending", arrow: "▼", hint: " (now descending; click for ascending)" };
}

export const hasFilters = (filters) => CLEARABLE.some((key) => Boolean(filters[key]));

export const clearedFilters = (filters) => ({ ...filters, ...Object.fromEntries(CLEARABLE.map((key) => [key, ""])) });

/** The [value, label] choices of the game, algorithm and tag filters, from the runs there are. */
export function filterChoices(all, gameName = (id) => id, algorithmLabel = (id) => id) {
  const games = [...new Set(all.map((e) => e.game))].map((id) => [id, gameName(id)]).sort(
    (a, b) => a[1].localeCompare(b[1]),
  );
  const algorithms = [...new Set(all.map((e) => e.algorithm))].sort().map((id) => [id, algorithmLabel(id)]);
  const tags = [...new Set(all.flatMap((e) => e.metadata?.tags ?? []))].sort().map((t) => [t, t]);
  return { games, algorithms, tags };
}

/** A select's options: "any" first, then the choices, then the current value if it is none of them. */
export function optionList(allLabel, values, current) {
  const wanted = [["", allLabel], ...values];
  if (current && !values.some(([value]) => value === current)) wanted.push([current, current]);
  return wanted;
}

/** "12 runs", "3 of 12 runs", or "" while there is none. */
export function countText(shown, total) {
  if (!total) return "";
  return shown === total ? `${total} runs` : `${shown} of ${total} runs`;
}
