// The Videos tab's pure helpers: the filters in the address bar, filtering, sorting and
// grouping the library, "new since you last looked", relative dates, Shift-click ranges.
// No DOM, no state: they run under `node --test` too.

export const SORTS = {
  newest: "Newest first",
  longest: "Longest first",
  score: "Best score first",
  name: "Name (A–Z)",
};
export const DEFAULT_SORT = "newest";

export const SCOPES = { all: "All Videos", favorites: "Favorites", experiments: "By experiment" };
export const DEFAULT_SCOPE = "all";

/** The `type` filter's choices, in the server's words (`/api/videos?type=`). */
export const TYPE_CHOICES = {
  milestone: "Milestone clips",
  hour: "Watch it learn",
  evaluation: "Evaluation",
  comparison: "Comparisons",
};

/** The filters that narrow the videos (the scope and sort are not "filters" to clear). */
export const FILTER_KEYS = ["game", "type", "experiment", "tag"];

const isNumber = (value) => typeof value === "number" && Number.isFinite(value);
const timeOf = (iso) => {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
};

/** `#/videos?scope=favorites&game=pong&sort=longest` → {scope, sort, game, type, experiment, tag}. */
export function parseFilters(query) {
  const get = (name) => (query?.get?.(name) ?? "").trim();
  const scope = get("scope");
  const sort = get("sort");
  const type = get("type");
  return {
    scope: scope in SCOPES ? scope : DEFAULT_SCOPE,
    sort: sort in SORTS ? sort : DEFAULT_SORT,
    game: get("game"),
    type: type in TYPE_CHOICES ? type : "",
    experiment: get("experiment"),
    tag: get("tag"),
  };
}

/** The query string for `filters`, defaults left out: "scope=favorites&type=milestone". */
export function filtersToQuery(filters) {
  const search = new URLSearchParams();
  if (filters.scope && filters.scope !== DEFAULT_SCOPE) search.set("scope", filters.scope);
  for (const key of FILTER_KEYS) if (filters[key]) search.set(key, filters[key]);
  if (filters.sort && filters.sort !== DEFAULT_SORT) search.set("sort", filters.sort);
  return search.toString();
}

/** True when a game, type, experiment or tag filter is on. */
export function hasFilters(filters) {
  return FILTER_KEYS.some((key) => Boolean(filters[key]));
}

/** The videos the scope and filters let through; `gameOf(experimentId)` gives a run's game id. */
export function filterVideos(videos, filters, gameOf = () => null) {
  return (videos ?? []).filter((video) => {
    const metadata = video.metadata ?? {};
    if (filters.scope === "favorites" && !metadata.favorite) return false;
    if (filters.type && video.type !== filters.type) return false;
    if (filters.experiment && video.experiment_id !== filters.experiment) return false;
    if (filters.tag && !(metadata.tags ?? []).includes(filters.tag)) return false;
    if (filters.game && gameOf(video.experiment_id) !== filters.game) return false;
    return true;
  });
}

const byNewest = (a, b) => (timeOf(b.metadata?.created) ?? 0) - (timeOf(a.metadata?.created) ?? 0);
const nameCollator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** A sorted copy; ties (and missing figures, which go last) fall back to newest first. */
export function sortVideos(videos, sort = DEFAULT_SORT) {
  const list = [...(videos ?? [])];
  const figureDesc = (pick) => (a, b) => {
    const x = pick(a);
    const y = pick(b);
    if (isNumber(x) && isNumber(y) && x !== y) return y - x;
    if (isNumber(x) !== isNumber(y)) return isNumber(x) ? -1 : 1;
    return byNewest(a, b);
  };
  if (sort === "longest") return list.sort(figureDesc((v) => v.metadata?.duration));
  if (sort === "score") return list.sort(figureDesc((v) => v.metrics?.max_score));
  if (sort === "name") return list.sort((a, b) => nameCollator.compare(a.name ?? "", b.name ?? "") || byNewest(a, b));
  return list.sort(byNewest);
}

/** [{experimentId, videos}] in the order the (sorted) videos first name each run. */
export function groupByExperiment(videos) {
  const groups = new Map();
  for (const video of videos ?? []) {
    if (!groups.has(video.experiment_id)) groups.set(video.experiment_id, []);
    groups.get(video.experiment_id).push(video);
  }
  return [...groups].map(([experimentId, list]) => ({ experimentId, videos: list }));
}

/** The choices the filter menus offer: the values the library has, sorted. */
export function filterChoices(videos, gameOf = () => null) {
  const games = new Set();
  const tags = new Set();
  const experiments = new Set();
  for (const video of videos ?? []) {
    const game = gameOf(video.experiment_id);
    if (game) games.add(game);
    experiments.add(video.experiment_id);
    for (const tag of video.metadata?.tags ?? []) tags.add(tag);
  }
  const sorted = (set) => [...set].sort((a, b) => nameCollator.compare(a, b));
  return { games: sorted(games), tags: sorted(tags), experiments: [...experiments] };
}

/** Sum of the videos' sizes in MB. */
export function totalSizeMb(videos) {
  const size = (video) => (isNumber(video.metadata?.size_mb) ? video.metadata.size_mb : 0);
  return (videos ?? []).reduce((sum, video) => sum + size(video), 0);
}

/** True when `video` was recorded after `seenAt` (ISO; "" or null: never looked, all are new). */
export function isNewerThan(video, seenAt) {
  const created = timeOf(video?.metadata?.created);
  if (created === null) return false;
  const seen = timeOf(seenAt);
  return seen === null || created > seen;
}

/** How many videos were recorded after `seenAt`. */
export function countNewer(videos, seenAt) {
  return (videos ?? []).filter((video) => isNewerThan(video, seenAt)).length;
}

/**
 * The `videos_seen_at` to save on opening the tab: now, or the newest video's time when the
 * server's clock is ahead of this one (so a video just shown never counts as new again).
 */
export function seenStamp(videos, nowMs = Date.now()) {
  let latest = nowMs;
  for (const video of videos ?? []) {
    const created = timeOf(video.metadata?.created);
    if (created !== null && created > latest) latest = created;
  }
  return new Date(latest).toISOString();
}

/** "just now", "5 min ago", "3 h ago", "Yesterday", "4 days ago", "2 weeks ago", "12 Mar 2026". */
export function relativeDate(iso, nowMs = Date.now()) {
  const time = timeOf(iso);
  if (time === null) return "—";
  const seconds = Math.max(0, (nowMs - time) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  const then = new Date(time);
  const now = new Date(nowMs);
  const dayStart = (date) => new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  const days = Math.round((dayStart(now) - dayStart(then)) / 86_400_000);
  if (days <= 0) return `${Math.floor(seconds / 3600)} h ago`;
  if (days === 1) return "Yesterday";
  if (days < 7) return `${days} days ago`;
  if (days < 35) {
    const weeks = Math.floor(days / 7);
    return weeks === 1 ? "Last week" : `${weeks} weeks ago`;
  }
  return then.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
}

/**
 * The ids a Shift-click selects: from `anchorId` to `targetId` in the order on screen
 * (both included); just the target when the anchor is not on screen.
 */
export function rangeBetween(orderedIds, anchorId, targetId) {
  const to = orderedIds.indexOf(targetId);
  if (to < 0) return [];
  const from = orderedIds.indexOf(anchorId);
  if (from < 0) return [targetId];
  const [start, end] = from <= to ? [from, to] : [to, from];
  return orderedIds.slice(start, end + 1);
}

/** `list` in chunks of `size`: one batch request each, so a long batch can show its progress. */
export function chunks(list, size) {
  const out = [];
  for (let index = 0; index < list.length; index += size) out.push(list.slice(index, index + size));
  return out;
}

/** "3 videos", "1 video". */
export function countText(count, word = "video") {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** A tag as typed: trimmed, inner spaces kept; "" when empty. The server checks the rest. */
export function cleanTag(text) {
  return String(text ?? "").trim();
}
