// How the Experiments tab reads runs: search, sort, config diffs, lineage trees. Pure
// functions (no DOM, no state) so `node --test` checks them.

import { runSeconds, rewardsOf } from "../training/training-format.js";

export const MIN_COMPARE = 2;
export const MAX_COMPARE = 5;

/** Colours of the compared runs, in order (CSS variables of the theme). */
export const COMPARE_COLORS = ["--accent", "--success", "--warning", "--paused", "--danger"];

/** Does a run match the search text? Name, game (id and name) and tags, case-insensitive. */
export function matchesSearch(experiment, text, gameName = (id) => id) {
  const needle = String(text ?? "").trim().toLocaleLowerCase();
  if (!needle) return true;
  const haystack = [
    experiment?.name,
    experiment?.game,
    gameName(experiment?.game),
    ...(experiment?.metadata?.tags ?? []),
  ]
    .filter(Boolean)
    .join("\n")
    .toLocaleLowerCase();
  return needle.split(/\s+/).every((word) => haystack.includes(word));
}

/** The table's filters: {status, game, algorithm, tag} (empty: any). */
export function matchesFilters(experiment, { status, game, algorithm, tag } = {}) {
  if (status && experiment?.metadata?.status !== status) return false;
  if (game && experiment?.game !== game) return false;
  if (algorithm && experiment?.algorithm !== algorithm) return false;
  if (tag && !(experiment?.metadata?.tags ?? []).includes(tag)) return false;
  return true;
}

/** The value a column sorts by. */
export function sortValue(experiment, column, gameName = (id) => id) {
  switch (column) {
    case "name":
      return String(experiment?.name ?? "").toLocaleLowerCase();
    case "game":
      return String(gameName(experiment?.game) ?? "").toLocaleLowerCase();
    case "algorithm":
      return String(experiment?.algorithm ?? "");
    case "status":
      return String(experiment?.metadata?.status ?? "");
    case "duration":
      return runSeconds(experiment);
    case "steps":
      return experiment?.progress?.timestep ?? 0;
    case "reward":
      return rewardsOf(experiment).mean;
    case "created":
    default:
      return experiment?.metadata?.created ?? "";
  }
}

/**
 * Sorted copy. Missing values (no reward yet) go last whichever the direction; ties keep
 * newest first.
 */
export function sortExperiments(list, column = "created", direction = "desc", gameName) {
  const sign = direction === "asc" ? 1 : -1;
  const created = (e) => e?.metadata?.created ?? "";
  return [...list].sort((a, b) => {
    const x = sortValue(a, column, gameName);
    const y = sortValue(b, column, gameName);
    const xMissing = x === null || x === undefined || (typeof x === "number" && !Number.isFinite(x));
    const yMissing = y === null || y === undefined || (typeof y === "number" && !Number.isFinite(y));
    if (xMissing !== yMissing) return xMissing ? 1 : -1;
    if (!xMissing && x !== y) {
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      if (order) return order * sign;
    }
    return created(b).localeCompare(created(a));
  });
}

/** Why Compare is (not) available for `count` selected runs; null when it is. */
export function compareHint(count) {
  if (count < MIN_COMPARE) return `Select ${MIN_COMPARE} to ${MAX_COMPARE} runs to compare (${count} selected).`;
  if (count > MAX_COMPARE) return `Compare takes at most ${MAX_COMPARE} runs: unselect ${count - MAX_COMPARE}.`;
  return null;
}

/** A config value as one line of text. */
export function configText(value) {
  if (value === undefined) return "—";
  if (value === null) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null) && (a === undefined) === (b === undefined);

/**
 * Rows of a config comparison: [{key, values: [v per config], differs}], keys sorted.
 * `all` false: only the keys whose value is not the same in every config.
 */
export function configDiff(configs, { all = false } = {}) {
  const keys = [...new Set(configs.flatMap((config) => Object.keys(config ?? {})))].sort();
  const rows = keys.map((key) => {
    const values = configs.map((config) => (config && key in config ? config[key] : undefined));
    const differs = values.some((value) => !same(value, values[0]));
    return { key, values, differs };
  });
  return all ? rows : rows.filter((row) => row.differs);
}

/**
 * The config as table rows, each marked against the algorithm's defaults:
 * [{key, value, default, changed}]; `changed` null when the key has no known default.
 * `fields`: `/api/config-fields` fields.
 */
export function configRows(config, algorithm, fields = []) {
  const defaults = new Map();
  for (const field of fields) {
    if (field?.defaults && algorithm in field.defaults) defaults.set(field.name, field.defaults[algorithm]);
  }
  return Object.keys(config ?? {})
    .sort()
    .map((key) => {
      const known = defaults.has(key);
      const fallback = known ? defaults.get(key) : undefined;
      return {
        key,
        value: config[key],
        default: fallback,
        changed: known ? !sameNumberish(config[key], fallback) : null,
      };
    });
}

/** 0.00025 and 2.5e-4 are the same; 3 and 3.0 too. */
function sameNumberish(a, b) {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The lineage tree around `id`: from its root ancestor down through every descendant.
 * `byId(id)` returns a run or null (a deleted run ends the walk). Returns
 * {id, experiment, children: [...]} or null when `id` is unknown. Children: newest last.
 */
export function lineageTree(id, byId) {
  let root = byId(id);
  if (!root) return null;
  const seen = new Set([root.id]);
  for (;;) {
    const parentId = root.lineage?.parent_experiment_id;
    const parent = parentId ? byId(parentId) : null;
    if (!parent || seen.has(parent.id)) break;
    seen.add(parent.id);
    root = parent;
  }
  const visited = new Set();
  const build = (experiment) => {
    visited.add(experiment.id);
    const children = (experiment.lineage?.children ?? [])
      .map((childId) => byId(childId))
      .filter((child) => child && !visited.has(child.id) && child.lineage?.parent_experiment_id === experiment.id)
      .sort((a, b) => String(a.metadata?.created ?? "").localeCompare(String(b.metadata?.created ?? "")));
    return { id: experiment.id, experiment, children: children.map(build) };
  };
  return build(root);
}

/** How many nodes a tree has. */
export const treeSize = (node) => (node ? 1 + node.children.reduce((sum, child) => sum + treeSize(child), 0) : 0);

/**
 * Compare ids from `?ids=a,b,c`: known ids only, no duplicates, at most MAX_COMPARE.
 */
export function parseCompareIds(raw, known = () => true) {
  const ids = String(raw ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  return [...new Set(ids)].filter(known).slice(0, MAX_COMPARE);
}

/** Metric keys every compared run logged (sorted). `lists`: keys_available per run. */
export function commonKeys(lists) {
  if (!lists.length) return [];
  const [first, ...rest] = lists.map((list) => new Set(list ?? []));
  return [...first].filter((key) => rest.every((set) => set.has(key))).sort();
}

/**
 * Series of several runs on one x axis (timesteps): [xs, ys_run1, ys_run2, …] with null
 * where a run has no value at that x (uPlot joins them with spanGaps).
 */
export function mergeSeries(seriesList) {
  const xs = [...new Set(seriesList.flatMap((series) => series?.steps ?? []))].sort((a, b) => a - b);
  const columns = seriesList.map((series) => {
    const at = new Map();
    (series?.steps ?? []).forEach((step, i) => at.set(step, series.values?.[i] ?? null));
    return xs.map((x) => (at.has(x) ? at.get(x) : null));
  });
  return [xs, ...columns];
}

/** The numbers a run ended with (or its latest ones while it runs). */
export function metricsOf(experiment) {
  return { ...(experiment?.progress?.metrics ?? {}), ...(experiment?.final_metrics ?? {}) };
}

/** Table filter state ⇄ URL query. */
export const FILTER_KEYS = ["q", "status", "game", "algorithm", "tag", "sort", "dir"];

export function filtersFromQuery(query) {
  const get = (key) => (query?.get ? query.get(key) : query?.[key]) ?? "";
  const state = Object.fromEntries(FILTER_KEYS.map((key) => [key, get(key)]));
  state.sort ||= "created";
  state.dir = state.dir === "asc" ? "asc" : "desc";
  return state;
}

export function filtersToQuery(filters) {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (!value) continue;
    if (key === "sort" && value === "created") continue;
    if (key === "dir" && value === "desc") continue;
    params.set(key, value);
  }
  return params.toString();
}

/** The group names of the artifacts endpoint, as headings. */
export const ARTIFACT_GROUPS = [
  ["model", "Model"],
  ["checkpoints", "Checkpoints"],
  ["videos", "Videos"],
  ["metrics", "Metrics"],
  ["logs", "Logs"],
  ["config", "Configuration"],
  ["other", "Other files"],
];

export { runSeconds, rewardsOf };
