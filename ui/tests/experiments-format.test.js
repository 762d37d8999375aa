// How the Experiments tab reads runs: `npm test` in ui/ (Node's built-in runner, no deps).

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  commonKeys,
  compareHint,
  configDiff,
  configRows,
  filtersFromQuery,
  filtersToQuery,
  lineageTree,
  matchesFilters,
  matchesSearch,
  mergeSeries,
  parseCompareIds,
  sortExperiments,
  treeSize,
} from "../js/experiments/experiments-format.js";

const run = (id, extra = {}) => ({
  id,
  name: extra.name ?? id,
  game: extra.game ?? "pong",
  algorithm: extra.algorithm ?? "ppo",
  metadata: { status: extra.status ?? "completed", created: extra.created ?? "2026-01-01T00:00:00Z", tags: extra.tags ?? [] },
  progress: { timestep: extra.steps ?? 0, metrics: {} },
  final_metrics: extra.reward === undefined ? null : { mean_reward: extra.reward },
  lineage: { parent_experiment_id: extra.parent ?? null, children: extra.children ?? [] },
});

test("search matches name, game name and tags, every word", () => {
  const r = run("a", { name: "Fast Pong", game: "pong", tags: ["baseline"] });
  const names = (id) => ({ pong: "Pong" })[id] ?? id;
  assert.ok(matchesSearch(r, "fast", names));
  assert.ok(matchesSearch(r, "PONG baseline", names));
  assert.ok(matchesSearch(r, "", names));
  assert.ok(!matchesSearch(r, "breakout", names));
  assert.ok(!matchesSearch(r, "fast slow", names));
});

test("filters by status, game, algorithm and tag", () => {
  const r = run("a", { status: "failed", game: "breakout", algorithm: "dqn", tags: ["x"] });
  assert.ok(matchesFilters(r, {}));
  assert.ok(matchesFilters(r, { status: "failed", game: "breakout", algorithm: "dqn", tag: "x" }));
  assert.ok(!matchesFilters(r, { status: "completed" }));
  assert.ok(!matchesFilters(r, { tag: "y" }));
});

test("sorting keeps missing values last and ties newest first", () => {
  const list = [
    run("a", { reward: 5, created: "2026-01-01T00:00:01Z" }),
    run("b", { created: "2026-01-01T00:00:03Z" }),
    run("c", { reward: -3, created: "2026-01-01T00:00:02Z" }),
  ];
  assert.deepEqual(sortExperiments(list).map((r) => r.id), ["b", "c", "a"]);
  assert.deepEqual(sortExperiments(list, "reward", "desc").map((r) => r.id), ["a", "c", "b"]);
  assert.deepEqual(sortExperiments(list, "reward", "asc").map((r) => r.id), ["c", "a", "b"]);
  assert.deepEqual(sortExperiments([run("x", { name: "b" }), run("y", { name: "A" })], "name", "asc").map((r) => r.id), ["y", "x"]);
});

test("compare takes 2 to 5 runs", () => {
  assert.match(compareHint(1), /Select 2 to 5/);
  assert.equal(compareHint(2), null);
  assert.equal(compareHint(5), null);
  assert.match(compareHint(7), /unselect 2/);
});

test("config diff shows only the differing keys unless asked for all", () => {
  const a = { learning_rate: 0.001, gamma: 0.99, seed: null, n_steps: 64 };
  const b = { learning_rate: 0.0005, gamma: 0.99, seed: null };
  const diff = configDiff([a, b]);
  assert.deepEqual(diff.map((row) => row.key), ["learning_rate", "n_steps"]);
  assert.deepEqual(diff[1].values, [64, undefined]);
  const all = configDiff([a, b], { all: true });
  assert.equal(all.length, 4);
  assert.equal(all.find((row) => row.key === "gamma").differs, false);
  assert.equal(configDiff([{ x: null }, {}]).length, 1, "null and missing differ");
});

test("config rows mark values changed from the algorithm's defaults", () => {
  const fields = [
    { name: "learning_rate", defaults: { ppo: 0.00025, dqn: 0.0001 } },
    { name: "n_steps", defaults: { ppo: 128 } },
  ];
  const rows = configRows({ learning_rate: 2.5e-4, n_steps: 64, extra: 1 }, "ppo", fields);
  assert.deepEqual(rows.map((r) => [r.key, r.changed]), [["extra", null], ["learning_rate", false], ["n_steps", true]]);
  assert.equal(rows[2].default, 128);
});

test("lineage tree goes from the root ancestor through every descendant", () => {
  const runs = new Map(
    [
      run("root", { children: ["kid1", "kid2"] }),
      run("kid1", { parent: "root", children: ["grand"], created: "2026-01-02T00:00:00Z" }),
      run("kid2", { parent: "root", created: "2026-01-03T00:00:00Z" }),
      run("grand", { parent: "kid1" }),
    ].map((r) => [r.id, r]),
  );
  const tree = lineageTree("grand", (id) => runs.get(id) ?? null);
  assert.equal(tree.id, "root");
  assert.deepEqual(tree.children.map((c) => c.id), ["kid1", "kid2"]);
  assert.deepEqual(tree.children[0].children.map((c) => c.id), ["grand"]);
  assert.equal(treeSize(tree), 4);
  assert.equal(lineageTree("nope", () => null), null);
  // A deleted parent: the tree starts at the oldest run still there.
  const orphan = run("o", { parent: "gone" });
  assert.equal(lineageTree("o", (id) => (id === "o" ? orphan : null)).id, "o");
});

test("compare ids are unique, known, at most five", () => {
  assert.deepEqual(parseCompareIds("a,b,a, c,,d,e,f,g"), ["a", "b", "c", "d", "e"]);
  assert.deepEqual(parseCompareIds("a,zz", (id) => id !== "zz"), ["a"]);
  assert.deepEqual(parseCompareIds(null), []);
});

test("common keys and merged series", () => {
  assert.deepEqual(commonKeys([["b", "a", "c"], ["a", "b"]]), ["a", "b"]);
  assert.deepEqual(commonKeys([]), []);
  const merged = mergeSeries([
    { steps: [1, 3], values: [10, 30] },
    { steps: [2, 3], values: [20, 31] },
  ]);
  assert.deepEqual(merged, [[1, 2, 3], [10, null, 30], [null, 20, 31]]);
});

test("filter state round-trips through the URL query", () => {
  const filters = filtersFromQuery(new URLSearchParams("q=pong&status=failed&sort=reward&dir=asc"));
  assert.equal(filters.q, "pong");
  assert.equal(filters.game, "");
  assert.equal(filtersToQuery(filters), "q=pong&status=failed&sort=reward&dir=asc");
  assert.equal(filtersToQuery(filtersFromQuery(new URLSearchParams(""))), "");
});
