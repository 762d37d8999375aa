// The Videos tab's pure helpers: `npm test` in ui/ (Node's built-in runner, no deps).

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  chunks,
  countNewer,
  countText,
  filterChoices,
  filterVideos,
  filtersToQuery,
  groupByExperiment,
  hasFilters,
  isNewerThan,
  parseFilters,
  rangeBetween,
  relativeDate,
  seenStamp,
  sortVideos,
  totalSizeMb,
} from "../js/videos-tab/library-format.js";

const video = (id, { experiment = "e1", type = "milestone", created, duration = 2, score = null, name = id, favorite = false, tags = [], size = 1 } = {}) => ({
  id,
  experiment_id: experiment,
  name,
  type,
  metadata: { created, duration, favorite, tags, size_mb: size },
  metrics: { max_score: score },
});

const A = video("a", { created: "2026-11-24T10:00:00.000Z", duration: 2, score: -21, name: "Clip 10", tags: ["pong", "best"], favorite: true });
const B = video("b", { created: "2026-11-24T11:00:00.000Z", duration: 30, score: null, name: "clip 2", type: "hour", experiment: "e2", tags: ["breakout"] });
const C = video("c", { created: "2026-11-24T09:00:00.000Z", duration: 2, score: 5, name: "Alpha", type: "evaluation", tags: ["pong"] });
const GAMES = { e1: "pong", e2: "breakout" };
const gameOf = (id) => GAMES[id] ?? null;

test("parseFilters reads the address bar and drops unknown values", () => {
  const filters = parseFilters(new URLSearchParams("scope=favorites&type=milestone&game=pong&sort=longest&tag=best"));
  assert.deepEqual(filters, { scope: "favorites", sort: "longest", game: "pong", type: "milestone", experiment: "", tag: "best" });
  const junk = parseFilters(new URLSearchParams("scope=nope&type=movie&sort=random"));
  assert.equal(junk.scope, "all");
  assert.equal(junk.type, "");
  assert.equal(junk.sort, "newest");
});

test("filtersToQuery leaves the defaults out and round-trips", () => {
  assert.equal(filtersToQuery(parseFilters(new URLSearchParams(""))), "");
  const query = filtersToQuery({ scope: "favorites", sort: "name", game: "pong", type: "", experiment: "", tag: "a b" });
  assert.equal(query, "scope=favorites&game=pong&tag=a+b&sort=name");
  assert.deepEqual(parseFilters(new URLSearchParams(query)).tag, "a b");
  assert.equal(hasFilters(parseFilters(new URLSearchParams("sort=name&scope=favorites"))), false);
  assert.equal(hasFilters(parseFilters(new URLSearchParams("tag=x"))), true);
});

test("filterVideos applies the scope and every filter", () => {
  const all = [A, B, C];
  const base = parseFilters(new URLSearchParams(""));
  assert.deepEqual(filterVideos(all, base, gameOf).map((v) => v.id), ["a", "b", "c"]);
  assert.deepEqual(filterVideos(all, { ...base, scope: "favorites" }, gameOf).map((v) => v.id), ["a"]);
  assert.deepEqual(filterVideos(all, { ...base, game: "pong" }, gameOf).map((v) => v.id), ["a", "c"]);
  assert.deepEqual(filterVideos(all, { ...base, type: "hour" }, gameOf).map((v) => v.id), ["b"]);
  assert.deepEqual(filterVideos(all, { ...base, experiment: "e2" }, gameOf).map((v) => v.id), ["b"]);
  assert.deepEqual(filterVideos(all, { ...base, tag: "pong", type: "evaluation" }, gameOf).map((v) => v.id), ["c"]);
});

test("sortVideos: newest, longest, best score (no score last), name with numbers", () => {
  const ids = (sort) => sortVideos([A, B, C], sort).map((v) => v.id);
  assert.deepEqual(ids("newest"), ["b", "a", "c"]);
  assert.deepEqual(ids("longest"), ["b", "a", "c"]); // a and c tie at 2 s: newest first
  assert.deepEqual(ids("score"), ["c", "a", "b"]);
  assert.deepEqual(ids("name"), ["c", "b", "a"]); // Alpha, clip 2, Clip 10
});

test("groupByExperiment keeps the order the videos name the runs", () => {
  const groups = groupByExperiment(sortVideos([A, B, C], "newest"));
  assert.deepEqual(groups.map((g) => [g.experimentId, g.videos.map((v) => v.id)]), [["e2", ["b"]], ["e1", ["a", "c"]]]);
});

test("filterChoices lists games, tags and runs the library has", () => {
  const choices = filterChoices([A, B, C], gameOf);
  assert.deepEqual(choices.games, ["breakout", "pong"]);
  assert.deepEqual(choices.tags, ["best", "breakout", "pong"]);
  assert.deepEqual(choices.experiments, ["e1", "e2"]);
});

test("new since the last visit", () => {
  assert.equal(countNewer([A, B, C], ""), 3); // never looked: all new
  assert.equal(countNewer([A, B, C], "2026-11-24T10:00:00.000Z"), 1);
  assert.equal(isNewerThan(B, "2026-11-24T10:30:00Z"), true);
  assert.equal(isNewerThan(video("x", { created: null }), ""), false);
  // Saved time: now, or the newest video when the server clock runs ahead.
  const now = Date.parse("2026-11-24T10:30:00Z");
  assert.equal(seenStamp([A, B], now), "2026-11-24T11:00:00.000Z");
  assert.equal(seenStamp([A], now), "2026-11-24T10:30:00.000Z");
  assert.equal(countNewer([A, B, C], seenStamp([A, B, C], now)), 0);
});

test("relativeDate", () => {
  const now = new Date(2026, 10, 24, 12, 0, 0).getTime();
  const ago = (ms) => new Date(now - ms).toISOString();
  assert.equal(relativeDate(ago(20_000), now), "just now");
  assert.equal(relativeDate(ago(5 * 60_000), now), "5 min ago");
  assert.equal(relativeDate(ago(3 * 3600_000), now), "3 h ago");
  assert.equal(relativeDate(new Date(2026, 10, 23, 18, 0).toISOString(), now), "Yesterday");
  assert.equal(relativeDate(new Date(2026, 10, 20, 18, 0).toISOString(), now), "4 days ago");
  assert.equal(relativeDate(new Date(2026, 10, 16, 18, 0).toISOString(), now), "Last week");
  assert.equal(relativeDate(new Date(2026, 10, 3, 18, 0).toISOString(), now), "3 weeks ago");
  assert.equal(relativeDate(new Date(2026, 2, 12, 18, 0).toISOString(), now), "12 Mar 2026");
  assert.equal(relativeDate(null, now), "—");
});

test("rangeBetween selects what lies between, either way", () => {
  const ids = ["a", "b", "c", "d"];
  assert.deepEqual(rangeBetween(ids, "b", "d"), ["b", "c", "d"]);
  assert.deepEqual(rangeBetween(ids, "d", "a"), ["a", "b", "c", "d"]);
  assert.deepEqual(rangeBetween(ids, "gone", "c"), ["c"]);
  assert.deepEqual(rangeBetween(ids, "a", "gone"), []);
});

test("chunks, totals and counts", () => {
  assert.deepEqual(chunks([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(chunks([], 3), []);
  assert.equal(totalSizeMb([A, B, video("n", { size: null })]), 2);
  assert.equal(countText(1), "1 video");
  assert.equal(countText(2), "2 videos");
});
