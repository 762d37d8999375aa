// The Models tab's pure helpers: `npm test` in ui/ (Node's built-in runner, no deps).

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  binLabel,
  capNote,
  checkpointPairs,
  compareHint,
  confirmationText,
  countText,
  filtersFromQuery,
  formatPValue,
  formatSigned,
  formatStepsShort,
  freedText,
  groupByGame,
  histogramBins,
  jobPercent,
  jobStageText,
  listParams,
  modelsAddress,
  noiseWording,
  onnxCheckText,
  scoreText,
  versionLabel,
} from "../js/models/models-format.js";

const model = (id, game, steps, extra = {}) => ({
  id,
  game,
  env_id: `ALE/${game}-v5`,
  algorithm: "PPO",
  kind: "checkpoint",
  num_timesteps: steps,
  size_bytes: 1000,
  evaluation: null,
  tags: [],
  ...extra,
});

test("steps read short on buttons", () => {
  assert.equal(formatStepsShort(2048), "2,048");
  assert.equal(formatStepsShort(250_000), "250k");
  assert.equal(formatStepsShort(1_000_000), "1M");
  assert.equal(formatStepsShort(1_500_000), "1.5M");
  assert.equal(formatStepsShort(null), "—");
  assert.equal(versionLabel(model("a", "pong", 10_000_000), () => "Pong"), "Pong PPO · step 10M");
});

test("a score shows only for an evaluated version", () => {
  assert.equal(scoreText(null), "—");
  assert.equal(scoreText({ mean_score: 12.345 }), "12.3");
  assert.equal(scoreText({ mean_score: -21 }), "-21.0");
});

test("the filters go into the address and back, defaults left out", () => {
  const filters = filtersFromQuery(new URLSearchParams("game=pong&kind=final&sort=score&order=asc&q= best "));
  assert.deepEqual(filters, {
    q: "best",
    game: "pong",
    algorithm: "",
    kind: "final",
    tag: "",
    experiment_id: "",
    sort: "score",
    order: "asc",
  });
  assert.equal(modelsAddress(filters), "#/models?q=best&game=pong&kind=final&sort=score&order=asc");
  const defaults = filtersFromQuery(new URLSearchParams("kind=bogus&sort=evil"));
  assert.equal(defaults.kind, "", "an unknown kind is no filter");
  assert.equal(defaults.sort, "created");
  assert.equal(modelsAddress(defaults), "#/models");
  assert.deepEqual(listParams(filters), { sort: "score", order: "asc", q: "best", game: "pong", kind: "final" });
});

test("the list groups by game in the server's order", () => {
  const list = [model("a", "pong", 3), model("b", "breakout", 2), model("c", "pong", 1)];
  const groups = groupByGame(list, (g) => g.toUpperCase());
  assert.deepEqual(groups.map((g) => [g.label, g.models.map((m) => m.id)]), [["PONG", ["a", "c"]], ["BREAKOUT", ["b"]]]);
  assert.equal(countText(2, 2), "2 versions");
  assert.equal(countText(1, 5), "1 of 5 versions");
});

test("compare takes 2 to 4 versions of one game, and says why not", () => {
  const pong = [1, 2, 3, 4, 5].map((i) => model(`p${i}`, "pong", i));
  assert.match(compareHint(pong.slice(0, 1)), /Select 2 to 4/);
  assert.equal(compareHint(pong.slice(0, 2)), null);
  assert.equal(compareHint(pong.slice(0, 4)), null);
  assert.match(compareHint(pong), /at most 4 versions: unselect 1/);
  assert.match(compareHint([pong[0], model("b", "breakout", 1)]), /one game/);
});

test("a run's checkpoints pair with its final model, newest first", () => {
  const final = model("f", "pong", 20_000, { kind: "final" });
  const pairs = checkpointPairs([model("c1", "pong", 5000), final, model("c2", "pong", 10_000), model("c3", "pong", 20_000)]);
  assert.deepEqual(pairs.map((p) => [p.checkpoint.id, p.final.id, p.label]), [
    ["c2", "f", "Compare step 10,000 vs final"],
    ["c1", "f", "Compare step 5,000 vs final"],
  ], "a checkpoint at the final step is the same agent: no pair");
  assert.deepEqual(checkpointPairs([model("c1", "pong", 5000)]), [], "no final model, no pair");
});

test("the comparison says whether a difference is beyond noise, naming the test", () => {
  const test = "Welch's t-test (two-sided)";
  assert.equal(noiseWording(null, test).verdict, "baseline");
  const beyond = noiseWording({ mean_difference: 3.21, p_value: 0.0123, beyond_noise: true }, test);
  assert.deepEqual(beyond, { value: "+3.2", verdict: "beyond noise", detail: `${test}, p = 0.012`, beyond: true });
  const within = noiseWording({ mean_difference: -0.4, p_value: 0.71, beyond_noise: false }, test);
  assert.equal(within.value, "−0.4");
  assert.equal(within.verdict, "within noise");
  assert.equal(within.beyond, false);
  const untested = noiseWording(
    { mean_difference: 1, p_value: null, beyond_noise: false, note: "at least 2 games per model are needed for a test" },
    test,
  );
  assert.equal(untested.verdict, "not tested");
  assert.match(untested.detail, /at least 2 games/);
  assert.equal(formatPValue(0.0002), "p < 0.001");
  assert.equal(formatSigned(0.01), "0.0", "a rounded zero has no sign");
});

test("histogram bins: one per value for small whole-number ranges", () => {
  assert.deepEqual(histogramBins([]), []);
  assert.deepEqual(histogramBins([5, 5, 5]), [{ from: 5, to: 5, count: 3 }]);
  const bins = histogramBins([-21, -20, -20, -19, -21]);
  assert.deepEqual(bins.map((b) => [b.from, b.count]), [[-21, 2], [-20, 2], [-19, 1]]);
  assert.equal(binLabel(bins[0]), "-21");
});

test("histogram bins: equal bins for wide ranges, every score counted once", () => {
  const scores = Array.from({ length: 50 }, (_, i) => i * 7.5);
  const bins = histogramBins(scores, 12);
  assert.ok(bins.length >= 2 && bins.length <= 12);
  assert.equal(bins.reduce((sum, b) => sum + b.count, 0), scores.length);
  assert.equal(bins[0].from, 0);
  assert.ok(bins.at(-1).to >= Math.max(...scores));
  const whole = histogramBins([0, 100, 250, 400, 410, 800], 12);
  assert.equal(whole.reduce((sum, b) => sum + b.count, 0), 6);
  assert.ok(whole.every((b) => Number.isInteger(b.to - b.from)), "whole-number scores keep whole-number bins");
});

test("a job's bar and stage", () => {
  assert.equal(jobPercent({ games_done: 3, games_total: 10 }), 30);
  assert.equal(jobPercent({ progress: 0.5, games_done: 9, games_total: 10 }), 50, "progress includes the filming");
  assert.equal(jobPercent(null), 0);
  assert.equal(jobStageText({ status: "queued" }), "Waiting to start…");
  assert.equal(jobStageText({ status: "running", stage: "playing", games_done: 3, games_total: 10 }), "Game 4 of 10");
  assert.equal(jobStageText({ status: "running", stage: "recording", games_done: 10, games_total: 10 }), "Recording the video…");
});

test("delete: the server's confirmation without its API note, the freed size", () => {
  const message =
    "This deletes model.zip (1.2 MB), the final model of 'Pong'. The run's record, videos and checkpoints stay, " +
    "but it can no longer be continued from its end. Send confirm=true to delete it.";
  assert.equal(
    confirmationText(message),
    "This deletes model.zip (1.2 MB), the final model of 'Pong'. The run's record, videos and checkpoints stay, " +
      "but it can no longer be continued from its end.",
  );
  assert.equal(freedText(3 * 1024 * 1024), "Freed 3.0 MB");
  assert.equal(freedText(0), "Its file was already gone");
});

test("the ONNX check's result in words", () => {
  assert.equal(onnxCheckText(null), null);
  assert.equal(onnxCheckText({ file: "/x.zip" }), null);
  const passed = onnxCheckText({ frames_checked: 200, actions_agree: "200/200" });
  assert.equal(passed.ok, true);
  assert.match(passed.text, /all 200 frames/);
  const failed = onnxCheckText({ frames_checked: 200, actions_agree: "198/200" });
  assert.equal(failed.ok, false);
  assert.match(failed.text, /198\/200/);
});

test("the cap note counts the games that hit the time cap", () => {
  assert.equal(capNote([false, false], 120), null);
  assert.equal(capNote(undefined, 120), null);
  assert.equal(capNote([true, false, false], 120), "1 of 3 games hit the 120 s cap of game time and counts with the score it had then.");
  assert.match(capNote([[true, true], [false, true]], 60), /^3 of 4 games hit the 60 s cap/);
});
