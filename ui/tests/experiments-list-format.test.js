// How the Experiments table sorts and filters: `npm test` in ui/ (Node's built-in runner).

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  clearedFilters,
  countText,
  filterChoices,
  hasFilters,
  listAddress,
  nextSort,
  optionList,
  sortLook,
  visibleRuns,
} from "../js/experiments/list-format.js";

test("a click on another column sorts numbers and dates biggest first, text A to Z", () => {
  const filters = { q: "x", sort: "created", dir: "desc" };
  assert.deepEqual(nextSort(filters, "reward"), { q: "x", sort: "reward", dir: "desc" });
  assert.deepEqual(nextSort(filters, "name"), { q: "x", sort: "name", dir: "asc" });
  assert.equal(nextSort({ sort: "name", dir: "asc" }, "created").dir, "desc");
});

test("a click on the sorted column flips its direction", () => {
  assert.equal(nextSort({ sort: "created", dir: "desc" }, "created").dir, "asc");
  assert.equal(nextSort({ sort: "name", dir: "asc" }, "name").dir, "desc");
});

test("a column head shows its sort and what the next click does", () => {
  assert.deepEqual(sortLook({ sort: "name", dir: "asc" }, "game"), { ariaSort: "none", arrow: "↕", hint: "" });
  const up = sortLook({ sort: "name", dir: "asc" }, "name");
  assert.equal(up.ariaSort, "ascending");
  assert.equal(up.arrow, "▲");
  assert.match(up.hint, /click for descending/);
  const down = sortLook({ sort: "name", dir: "desc" }, "name");
  assert.equal(down.ariaSort, "descending");
  assert.equal(down.arrow, "▼");
  assert.match(down.hint, /click for ascending/);
});

test("clearing empties the search and the filters, keeps the sort", () => {
  const filters = { q: "pong", status: "failed", game: "pong", algorithm: "dqn", tag: "x", sort: "name", dir: "asc" };
  assert.ok(hasFilters(filters));
  const cleared = clearedFilters(filters);
  assert.deepEqual(cleared, { q: "", status: "", game: "", algorithm: "", tag: "", sort: "name", dir: "asc" });
  assert.ok(!hasFilters(cleared));
  assert.ok(hasFilters({ tag: "x" }));
});

test("filter choices come from the runs there are, sorted", () => {
  const runs = [
    { game: "pong", algorithm: "ppo", metadata: { tags: ["b", "a"] } },
    { game: "breakout", algorithm: "dqn", metadata: { tags: ["a"] } },
    { game: "pong", algorithm: "ppo", metadata: {} },
  ];
  const names = (id) => ({ pong: "Pong", breakout: "Breakout" })[id];
  const { games, algorithms, tags } = filterChoices(runs, names, (id) => id.toUpperCase());
  assert.deepEqual(games, [["breakout", "Breakout"], ["pong", "Pong"]]);
  assert.deepEqual(algorithms, [["dqn", "DQN"], ["ppo", "PPO"]]);
  assert.deepEqual(tags, [["a", "a"], ["b", "b"]]);
});

test("a filter keeps a value from the URL that no run has", () => {
  assert.deepEqual(optionList("Any tag", [["a", "a"]], ""), [["", "Any tag"], ["a", "a"]]);
  assert.deepEqual(optionList("Any tag", [["a", "a"]], "zz"), [["", "Any tag"], ["a", "a"], ["zz", "zz"]]);
  assert.deepEqual(optionList("Any tag", [["a", "a"]], "a"), [["", "Any tag"], ["a", "a"]]);
});

test("the count says how many runs the filters hide", () => {
  assert.equal(countText(0, 0), "");
  assert.equal(countText(4, 4), "4 runs");
  assert.equal(countText(1, 4), "1 of 4 runs");
});

test("the table shows the runs that match, in the chosen order", () => {
  const run = (id, name, status, created) => ({ id, name, game: "pong", metadata: { status, created, tags: [] } });
  const all = [
    run("a", "Alpha", "completed", "2026-01-01T00:00:01Z"),
    run("b", "Beta", "failed", "2026-01-01T00:00:02Z"),
    run("c", "Alpha again", "completed", "2026-01-01T00:00:03Z"),
  ];
  const ids = (filters) => visibleRuns(all, { q: "", sort: "created", dir: "desc", ...filters }).map((r) => r.id);
  assert.deepEqual(ids({}), ["c", "b", "a"]);
  assert.deepEqual(ids({ q: "alpha" }), ["c", "a"]);
  assert.deepEqual(ids({ status: "failed" }), ["b"]);
  assert.deepEqual(ids({ sort: "name", dir: "asc" }), ["a", "c", "b"]);
});

test("the table's address holds only what differs from the defaults", () => {
  assert.equal(listAddress({ q: "", sort: "created", dir: "desc" }), "#/experiments");
  assert.equal(listAddress({ q: "pong", tag: "x", sort: "name", dir: "asc" }), "#/experiments?q=pong&tag=x&sort=name&dir=asc");
});
