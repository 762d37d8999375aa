// Pure formatting rules of the UI: `npm test` in ui/ (Node's built-in runner, no deps).

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  displayStatus,
  formatDuration,
  formatEstimate,
  formatMemory,
  formatPct,
  formatSteps,
  formatVideoLength,
  lineageKind,
  lineageText,
  statusLabel,
} from "../js/shell/format.js";

test("progress floors, keeps a decimal under 10%, only says 100% when done", () => {
  assert.deepEqual(
    [0, 0.04, 0.4, 5, 9.99, 10, 45.7, 99.99, 100, null].map(formatPct),
    ["0%", "0%", "0.4%", "5%", "9.9%", "10%", "45%", "99%", "100%", "0%"],
  );
});

test("durations read like a clock", () => {
  assert.deepEqual(
    [0, 12, 245, 3600 + 23 * 60, 86400 * 2 + 3600 * 3, null, -1].map(formatDuration),
    ["0s", "12s", "4m 05s", "1h 23m", "2d 03h", "—", "—"],
  );
});

test("estimates are rough words", () => {
  assert.deepEqual(
    [30, 1168, 3600, 5000, 50000, 4e8, 0].map(formatEstimate),
    ["under a minute", "about 19 min", "about 1 h", "about 1 h 23 min", "about 14 h", "about 4,630 days", null],
  );
});

test("steps, memory and video length", () => {
  assert.equal(formatSteps(1024, 4096), "1,024 / 4,096");
  assert.equal(formatMemory(8.2 * 2 ** 30, 16 * 2 ** 30), "8.2 / 16 GB");
  assert.equal(formatVideoLength(0.5), "30 min video");
  assert.equal(formatVideoLength(10), "10 h video");
});

test("a running run with no step yet is still starting", () => {
  const run = (status, timestep) => ({ metadata: { status }, progress: { timestep } });
  assert.equal(displayStatus(run("running", 0)), "starting");
  assert.equal(displayStatus(run("running", 8)), "running");
  assert.equal(displayStatus(run("queued", 0)), "queued");
  assert.equal(statusLabel("starting"), "Starting…");
  assert.equal(statusLabel("interrupted"), "Interrupted");
  assert.equal(statusLabel("pruned"), "Pruned"); // a study's trial, stopped early
});

test("a continued run is starting until it passes its parent's step count", () => {
  const run = { metadata: { status: "running" }, progress: { timestep: 2048 }, lineage: { start_timestep: 2048 } };
  assert.equal(displayStatus(run), "starting");
  assert.equal(displayStatus({ ...run, progress: { timestep: 2176 } }), "running");
  assert.equal(statusLabel("paused"), "Paused");
});

test("lineage tells a continued run from a retry", () => {
  const parent = { id: "p1", name: "Pong #1", run_dir: "/data/runs/p1", lineage: { checkpoint_source: null } };
  const continued = {
    lineage: { parent_experiment_id: "p1", checkpoint_source: "/data/runs/p1/model.zip", start_timestep: 2048 },
  };
  const fromCheckpoint = {
    lineage: { parent_experiment_id: "p1", checkpoint_source: "C:\\data\\runs\\p1\\checkpoints\\step_9.zip" },
  };
  const retry = { lineage: { parent_experiment_id: "p1", checkpoint_source: null, start_timestep: 0 } };
  // A retry of a continued run loads the same model its parent loaded, from the grandparent.
  const retryOfContinued = {
    lineage: { parent_experiment_id: "c1", checkpoint_source: "/data/runs/p1/model.zip", start_timestep: 2048 },
  };
  const continuedParent = { id: "c1", name: "Pong #1 (continued)", run_dir: "/data/runs/c1", ...continued };

  assert.equal(lineageKind({ lineage: {} }, null), null);
  assert.equal(lineageKind(continued, parent), "continued");
  assert.equal(lineageKind(fromCheckpoint, { ...parent, run_dir: "C:\\data\\runs\\p1" }), "continued");
  assert.equal(lineageKind(retry, parent), "retry");
  assert.equal(lineageKind(retryOfContinued, continuedParent), "retry");

  assert.equal(lineageText(continued, parent), "continued from Pong #1 at 2,048 steps");
  assert.equal(lineageText(retry, parent), "retry of Pong #1");
  assert.equal(lineageText(retryOfContinued, continuedParent), "retry of Pong #1 (continued)");
  assert.equal(lineageText(continued, null), "continued from a deleted run at 2,048 steps");
  assert.equal(lineageText({}, null), null);
});
