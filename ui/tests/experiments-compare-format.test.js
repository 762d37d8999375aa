// What Compare shows of each run: `npm test` in ui/ (Node's built-in runner, no deps).

import assert from "node:assert/strict";
import { test } from "node:test";

import { FIGURE_ROWS, bestOf, statusKey } from "../js/experiments/compare-format.js";

test("the best of a row needs two runs with a number", () => {
  assert.equal(bestOf([3, 7, -1]), 7);
  assert.equal(bestOf([3, null, undefined]), null, "one number is no comparison");
  assert.equal(bestOf([Number.NaN, 2, Infinity, 1]), 2);
  assert.equal(bestOf([]), null);
});

test("only the reward rows have a best", () => {
  assert.deepEqual(FIGURE_ROWS.filter((row) => row[2]).map(([label]) => label), ["Mean reward", "Best reward"]);
  const run = {
    metadata: { status: "completed" },
    progress: { timestep: 2048, metrics: { mean_reward: 1 } },
    final_metrics: { mean_reward: 4.5, best_reward: 9 },
  };
  const row = (label) => FIGURE_ROWS.find(([name]) => name === label);
  assert.equal(row("Mean reward")[2](run), 4.5, "the final figures win over the last progress");
  assert.equal(row("Best reward")[2](run), 9);
  assert.equal(row("Status")[1](run), "Completed");
});

test("the status key changes with the runs and their statuses", () => {
  const a = { id: "a", metadata: { status: "running" } };
  const b = { id: "b", metadata: { status: "completed" } };
  assert.equal(statusKey([a, b]), "a:running,b:completed");
  assert.notEqual(statusKey([a, b]), statusKey([{ ...a, metadata: { status: "paused" } }, b]));
  assert.equal(statusKey([]), "");
});
