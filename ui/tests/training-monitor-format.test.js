// What a Training Monitor shows: `npm test` in ui/ (Node's built-in runner, no deps).

import assert from "node:assert/strict";
import { test } from "node:test";

import { monitorMessage, progressFigures, readings, timeText } from "../js/training/monitor-format.js";

test("readings keep the latest value and the one before, ignoring repeats and non-numbers", () => {
  const tracked = readings();
  assert.equal(tracked.latest, null);
  tracked.push(1);
  tracked.push(1);
  tracked.push(Number.NaN);
  tracked.push(undefined);
  assert.deepEqual([tracked.previous, tracked.latest], [null, 1]);
  tracked.push(3);
  assert.deepEqual([tracked.previous, tracked.latest], [1, 3]);
});

test("progress counts a continued run from its parent's steps, clamped, 100 % once completed", () => {
  const child = {
    metadata: { status: "running" },
    lineage: { start_timestep: 1000 },
    config: { total_timesteps: 500 },
    progress: { progress_pct: 140 },
  };
  assert.deepEqual(progressFigures(child), { start: 1000, timestep: 1000, total: 1500, pct: 100 });
  const done = { metadata: { status: "completed" }, progress: { timestep: 90, total_timesteps: 100, progress_pct: 90 } };
  assert.deepEqual(progressFigures(done), { start: 0, timestep: 90, total: 100, pct: 100 });
  assert.equal(progressFigures({ progress: { progress_pct: -3 } }).pct, 0);
  assert.equal(progressFigures({}).total, 0);
});

test("the time line adds the time left while running, 'paused' while paused", () => {
  const run = (status, metrics) => ({ metadata: { status }, progress: { metrics } });
  assert.equal(timeText(run("running", { elapsed_seconds: 65, eta_seconds: 30 }), "running"), "1m 05s · 30s left");
  assert.equal(timeText(run("paused", { elapsed_seconds: 65 }), "paused"), "1m 05s · paused");
  assert.equal(timeText(run("running", { elapsed_seconds: 5 }), "starting"), "5s");
});

test("the note explains a queued, starting or paused run", () => {
  const queued = { metadata: { status: "queued", status_message: "2 runs ahead" } };
  assert.deepEqual(monitorMessage(queued, "queued"), { text: "2 runs ahead", tone: "note" });
  assert.match(monitorMessage({ metadata: {} }, "queued").text, /Waiting for a training slot/);
  assert.match(monitorMessage({ metadata: {} }, "starting").text, /Loading the game/);
  const paused = monitorMessage({ metadata: { status: "paused" }, progress: { timestep: 2048 } }, "paused");
  assert.equal(paused.tone, "paused");
  assert.match(paused.text, /Paused at 2,048 steps/);
  assert.deepEqual(monitorMessage({ metadata: {} }, "running"), { text: "", tone: "note" });
});
