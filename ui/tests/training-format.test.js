// How the Training tab reads runs: `npm test` in ui/ (Node's built-in runner, no deps).

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  changeArrow,
  changeOf,
  changeText,
  checkField,
  compactProgress,
  compactSteps,
  deviceLabel,
  formatLoss,
  formatScore,
  pickKey,
  recommendedText,
  rewardCell,
  runSeconds,
  sameValue,
  scaleEstimate,
  sizedValue,
  sizingNote,
  scoreTrend,
  seriesColumns,
  sessionLabel,
  tableActions,
  thinColumns,
} from "../js/training/training-format.js";

test("a session is named by the start of the run's id", () => {
  assert.equal(sessionLabel("3f2a9c01b2d4"), "Session 3f2a…");
  assert.equal(sessionLabel(""), "Session —");
});

test("step counts are compact past ten thousand", () => {
  assert.equal(compactSteps(950), "950");
  assert.equal(compactSteps(2048), "2,048");
  assert.equal(compactSteps(250_000), "250K");
  assert.equal(compactSteps(2_500_000), "2.5M");
  assert.equal(compactSteps(null), "—");
  assert.equal(compactProgress(2_500_000, 10_000_000), "2.5M / 10M");
  assert.equal(compactProgress(undefined, 2048), "0 / 2,048");
});

test("changes read as arrows and percentages", () => {
  const up = changeOf(154, 189.5);
  assert.equal(up.direction, "up");
  assert.equal(changeArrow(up), "▲");
  assert.equal(changeText(up), "(↑23%)");
  const down = changeOf(0.0494, 0.042);
  assert.equal(changeArrow(down), "▼");
  assert.equal(changeText(down), "(↓15%)");
  assert.equal(changeText(changeOf(100, 99)), "(↓1%)");
  assert.equal(changeText(changeOf(2, 2)), "(no change)");
  assert.equal(changeText(changeOf(0, 3)), ""); // no percentage of zero
  assert.equal(changeArrow(changeOf(0, 3)), "▲");
  // Negative scores (Pong): a rise from -20 to -18 is up by 10%.
  assert.deepEqual(changeOf(-20, -18), { direction: "up", pct: 10 });
  assert.equal(changeOf(null, 3), null);
  assert.equal(changeArrow(null), "■");
  assert.equal(changeText(null), "");
});

test("scores and losses keep the digits that matter", () => {
  assert.equal(formatScore(234.4), "234");
  assert.equal(formatScore(-20.25), "-20.3");
  assert.equal(formatLoss(0.042137), "0.0421");
  assert.equal(formatLoss(1.23456), "1.23");
  assert.equal(formatLoss(153.7), "154");
  assert.equal(formatLoss(0), "0");
  assert.equal(formatLoss(undefined), "—");
  assert.equal(scoreTrend(187, 234), "187 → 234");
  assert.equal(scoreTrend(null, -20), "-20.0");
  assert.equal(scoreTrend(null, null), "—");
});

test("the device is the worker's word once it started, else the configured one", () => {
  const started = { metadata: { status_message: "Training on CUDA" }, config: { device: "auto" } };
  assert.deepEqual(deviceLabel(started), { label: "CUDA", known: true });
  assert.deepEqual(deviceLabel({ metadata: { status_message: "Training on CPU" } }), { label: "CPU", known: true });
  assert.deepEqual(deviceLabel({ metadata: {}, config: { device: "auto" } }), { label: "Auto", known: false });
  assert.deepEqual(deviceLabel({ metadata: { status_message: "Stopped" }, config: { device: "cpu" } }), {
    label: "CPU",
    known: false,
  });
});

test("run time comes from the metrics, else from the start and end", () => {
  assert.equal(runSeconds({ final_metrics: { elapsed_seconds: 90 }, progress: { metrics: { elapsed_seconds: 80 } } }), 90);
  assert.equal(runSeconds({ progress: { metrics: { elapsed_seconds: 80 } } }), 80);
  assert.equal(
    runSeconds({ metadata: { started: "2026-11-24T01:00:00Z", finished: "2026-11-24T01:02:30Z" } }),
    150,
  );
  assert.equal(runSeconds({ metadata: { started: "2026-11-24T01:00:00Z" } }), null);
});

test("the reward cell shows best and mean", () => {
  assert.equal(rewardCell({ final_metrics: { best_reward: -18, mean_reward: -20.4 } }), "-18.0 / -20.4");
  assert.equal(rewardCell({ progress: { metrics: { best_reward: 300, mean_reward: 187.2 } } }), "300 / 187");
  assert.equal(rewardCell({}), "—");
});

test("each status offers the actions that fit it", () => {
  const names = (status) => tableActions(status).map((item) => `${item.action}:${item.label}`);
  assert.deepEqual(names("paused"), ["resume:Resume", "view-details:Details", "charts:Charts"]);
  assert.deepEqual(names("completed"), ["continue:Resume", "view-details:Details", "charts:Charts"]);
  assert.deepEqual(names("stopped"), ["continue:Resume", "view-details:Details", "charts:Charts"]);
  assert.deepEqual(names("interrupted"), ["continue:Resume", "retry:Retry", "view-details:Details", "charts:Charts"]);
  assert.deepEqual(names("pruned"), ["continue:Resume", "view-details:Details", "charts:Charts"]);
  assert.deepEqual(names("failed"), ["retry:Retry", "view-details:Details", "charts:Charts"]);
  assert.deepEqual(names("running"), ["view-details:Details", "charts:Charts"]);
  for (const item of tableActions("failed")) assert.ok(item.title.length > 10, item.action);
});

test("chart keys, columns and thinning", () => {
  assert.equal(pickKey(["train/value_loss", "train/loss"], ["train/loss", "train/value_loss"]), "train/loss");
  assert.equal(pickKey(["train/value_loss"], ["train/loss", "train/value_loss"]), "train/value_loss");
  assert.equal(pickKey([], ["train/loss"]), null);
  assert.deepEqual(seriesColumns({ steps: [1, 2, 3], values: [5, 6] }), [[1, 2], [5, 6]]);
  assert.deepEqual(seriesColumns(undefined), [[], []]);
  const xs = Array.from({ length: 11 }, (_, i) => i);
  const thinned = thinColumns([xs, xs.map((x) => x * 10)], 10);
  assert.deepEqual(thinned[0], [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(thinned[1], [0, 20, 40, 60, 80, 100]);
  const even = Array.from({ length: 12 }, (_, i) => i);
  assert.deepEqual(thinColumns([even], 10)[0], [0, 2, 4, 6, 8, 10, 11]); // the last point stays
  const short = [[1, 2], [3, 4]];
  assert.equal(thinColumns(short, 10), short);
});

test("custom steps scale the preset's estimate", () => {
  assert.equal(scaleEstimate(1200, 250_000, 500_000), 2400);
  assert.equal(scaleEstimate(null, 250_000, 500_000), null);
  assert.equal(scaleEstimate(1200, 250_000, 0), null);
});

test("config fields are checked like the server checks them", () => {
  const rate = { name: "learning_rate", type: "float", min: 1e-8, max: 1, nullable: false };
  assert.deepEqual(checkField(rate, "0.0003"), { value: 0.0003 });
  assert.match(checkField(rate, "2").error, /from 1e-8 to 1/);
  assert.equal(checkField(rate, "").error, "Enter a value.");
  assert.equal(checkField(rate, "abc").error, "Enter a number.");
  const envs = { name: "n_envs", type: "int", min: 1, max: 64 };
  assert.equal(checkField(envs, "2.5").error, "Enter a whole number.");
  assert.deepEqual(checkField(envs, " 8 "), { value: 8 });
  const big = { name: "buffer_size", type: "int", min: 100, max: 10_000_000 };
  assert.equal(checkField(big, "1").error, "Enter a number from 100 to 10,000,000.");
  const seed = { name: "seed", type: "int", min: 0, max: 2 ** 31 - 1, nullable: true };
  assert.deepEqual(checkField(seed, ""), { value: null });
  const device = { name: "device", type: "choice", choices: ["auto", "cpu", "cuda"] };
  assert.deepEqual(checkField(device, "cpu"), { value: "cpu" });
  assert.match(checkField(device, "tpu").error, /auto, cpu, cuda/);
});

test("recommended values and sameness", () => {
  assert.equal(recommendedText(null), "random");
  assert.equal(recommendedText(50_000), "50,000");
  assert.equal(recommendedText(0.00025), "0.00025");
  assert.equal(recommendedText("linear"), "linear");
  assert.ok(sameValue(128, 128));
  assert.ok(sameValue(0.1 + 0.2, 0.3));
  assert.ok(!sameValue(0.00025, 0.0003));
  assert.ok(sameValue(null, undefined));
  assert.ok(!sameValue(null, 0));
  assert.ok(sameValue("linear", "linear"));
});

const GPU_SIZING = {
  summary: "16 cores and an NVIDIA H200",
  algorithms: {
    ppo: {
      applied: { env_backend: "python", n_envs: 8, n_steps: 128, torch_threads: 4, device: "cuda", why: "16 cores and an NVIDIA H200: 8 games on the python env path, 4 torch threads, network on CUDA" },
      best: { env_backend: "native", n_envs: 64, n_steps: 32, torch_threads: 4, device: "cuda", why: "…" },
    },
    dqn: {
      applied: { env_backend: "python", n_envs: 1, n_steps: null, torch_threads: 4, device: "cuda", why: "16 cores and an NVIDIA H200: 1 game on the python env path, 4 torch threads, network on CUDA" },
      best: { env_backend: "python", n_envs: 1, n_steps: null, torch_threads: 4, device: "cuda", why: "…" },
    },
  },
};

test("the sizing note says why the recommended values fit this machine", () => {
  assert.equal(
    sizingNote(GPU_SIZING, "ppo"),
    "Recommended for this machine: 16 cores and an NVIDIA H200: 8 games on the python env path, 4 torch threads, network on CUDA. With the native engine it would take 64 games × 32 steps.",
  );
  assert.equal(
    sizingNote(GPU_SIZING, "dqn"),
    "Recommended for this machine: 16 cores and an NVIDIA H200: 1 game on the python env path, 4 torch threads, network on CUDA.",
  );
  assert.equal(sizingNote(null, "ppo"), "");
  assert.equal(sizingNote({ algorithms: {} }, "ppo"), "");
});

test("the sizing's values follow the game engine chosen", () => {
  const sizing = {
    algorithms: {
      ppo: { by_env_backend: { python: { n_envs: 8, n_steps: 128, torch_threads: 4 }, native: { n_envs: 64, n_steps: 32, torch_threads: 4 } } },
      dqn: { by_env_backend: { native: { n_envs: 1, n_steps: null, torch_threads: 4 } } },
    },
  };
  assert.equal(sizedValue(sizing, "ppo", "native", "n_envs"), 64);
  assert.equal(sizedValue(sizing, "ppo", "native", "n_steps"), 32);
  assert.equal(sizedValue(sizing, "ppo", "python", "n_envs"), 8);
  assert.equal(sizedValue(sizing, "dqn", "native", "n_steps"), undefined);
  assert.equal(sizedValue(sizing, "ppo", "native", "learning_rate"), undefined);
  assert.equal(sizedValue(null, "ppo", "native", "n_envs"), undefined);
});
