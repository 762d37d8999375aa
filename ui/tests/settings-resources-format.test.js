// Settings → Resources: what "auto" means on this machine. `npm test` in ui/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { autoMeaning, nativeHint } from "../js/settings/resources-format.js";

const sized = (summary, ppo, dqn, bestPpo = ppo) => ({
  summary,
  algorithms: { ppo: { applied: ppo, best: bestPpo }, dqn: { applied: dqn, best: dqn } },
});

test("auto on a 2-core laptop is today's 8 games, 2 threads, the CPU", () => {
  const laptop = sized(
    "2 cores and no GPU",
    { env_backend: "python", n_envs: 8, torch_threads: 2, device: "cpu" },
    { env_backend: "python", n_envs: 1, torch_threads: 2, device: "cpu" },
  );
  assert.equal(autoMeaning(laptop), "On this machine (2 cores and no GPU), 0 / auto means: PPO 8 parallel games, DQN 1; 2 CPU threads; the network on the CPU.");
  assert.equal(nativeHint(laptop), "");
});

test("auto on a GPU box names the GPU and what the native engine would take", () => {
  const gpu = sized(
    "16 cores and an NVIDIA H200",
    { env_backend: "python", n_envs: 8, torch_threads: 4, device: "cuda" },
    { env_backend: "python", n_envs: 1, torch_threads: 4, device: "cuda" },
    { env_backend: "native", n_envs: 64, torch_threads: 4, device: "cuda" },
  );
  assert.equal(autoMeaning(gpu), "On this machine (16 cores and an NVIDIA H200), 0 / auto means: PPO 8 parallel games, DQN 1; 4 CPU threads; the network on the CUDA GPU.");
  assert.equal(nativeHint(gpu), "With the native game engine (a run's “Game engine” setting), PPO would run 64 games here.");
});

test("PPO comes first whatever order the server's keys have", () => {
  const sorted = {
    summary: "2 cores and no GPU",
    algorithms: {
      dqn: { applied: { n_envs: 1, torch_threads: 2, device: "cpu" } },
      ppo: { applied: { n_envs: 8, torch_threads: 2, device: "cpu" } },
    },
  };
  assert.match(autoMeaning(sorted), /auto means: PPO 8 parallel games, DQN 1; 2 CPU threads/);
});

test("nothing is said when the sizing did not load", () => {
  assert.equal(autoMeaning(null), "");
  assert.equal(autoMeaning({ summary: "x", algorithms: {} }), "");
  assert.equal(nativeHint(undefined), "");
});
