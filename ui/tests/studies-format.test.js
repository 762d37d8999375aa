// The Studies tab's pure helpers: `npm test` in ui/ (Node's built-in runner, no deps).

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  bestSoFarColumns,
  buildSpace,
  checkParam,
  countsText,
  formatParamValue,
  importanceRows,
  paramEntries,
  paramOfField,
  parseChoices,
  promoteDefaultSteps,
  readWhole,
  rowFromSpec,
  specText,
  studyControl,
  studyProgress,
  studySeconds,
  trialBadgeStatus,
  trialScore,
} from "../js/studies/studies-format.js";

const BOUNDS = { learning_rate: { low: 1e-8, high: 0.1 }, n_steps: { low: 8, high: 8192 }, gamma: { low: 0.8, high: 0.9999 } };

test("parameter values read short: grouped integers, exponents for tiny values, 4 digits otherwise", () => {
  assert.equal(formatParamValue(10000), "10,000");
  assert.equal(formatParamValue(0.00032), "3.2e-4");
  assert.equal(formatParamValue(1e-8), "1e-8");
  assert.equal(formatParamValue(0.98765), "0.9877");
  assert.equal(formatParamValue(0.2), "0.2");
  assert.equal(formatParamValue(0), "0");
  assert.equal(formatParamValue(null), "—");
});

test("a trial's params follow the study's order, unknown ones after by name", () => {
  const entries = paramEntries({ gamma: 0.99, seed: 2, learning_rate: 0.001 }, ["learning_rate", "gamma"]);
  assert.deepEqual(entries.map(([name]) => name), ["learning_rate", "gamma", "seed"]);
  assert.equal(specText({ low: 1e-5, high: 0.002, log: true }), "1e-5 – 0.002 · log");
  assert.equal(specText({ choices: [32, 64, 1024] }), "32, 64, 1,024");
});

test("a range is refused outside the safe bounds, reversed, or log from 0; whole numbers for int parameters", () => {
  assert.deepEqual(checkParam({ kind: "range", low: "1e-5", high: "0.002", log: true }, BOUNDS.learning_rate), {
    spec: { low: 1e-5, high: 0.002, log: true },
  });
  assert.match(checkParam({ kind: "range", low: "1e-5", high: "0.5" }, BOUNDS.learning_rate).error, /between 1e-8 and 0.1/);
  assert.match(checkParam({ kind: "range", low: "0.01", high: "0.001" }, BOUNDS.learning_rate).error, /Low must not be above high/);
  assert.match(checkParam({ kind: "range", low: "0", high: "0.01", log: true }, { low: 0, high: 1 }).error, /log scale/);
  assert.match(checkParam({ kind: "range", low: "abc", high: "1" }, BOUNDS.learning_rate).error, /Low: "abc" is not a number/);
  assert.match(checkParam({ kind: "choices", choices: "32, 64.5" }, BOUNDS.n_steps, { whole: true }).error, /64.5: whole numbers only/);
  assert.match(checkParam({ kind: "choices", choices: "4, 64" }, BOUNDS.n_steps, { whole: true }).error, /4 is outside the safe range/);
  assert.deepEqual(checkParam({ kind: "choices", choices: "32 64, 64;128" }, BOUNDS.n_steps, { whole: true }), {
    spec: { choices: [32, 64, 128] },
  });
});

test("choices: at least one, at most 50", () => {
  assert.match(parseChoices(" , ").error, /at least one/);
  assert.match(parseChoices(Array.from({ length: 51 }, (_, i) => i).join(",")).error, /At most 50/);
});

test("the space sends only ticked rows, names each bad one as params.<name>, and needs one ticked", () => {
  const rows = [
    { ...rowFromSpec("learning_rate", { low: 1e-5, high: 0.002, log: true }, true) },
    { ...rowFromSpec("n_steps", { choices: [32, 64] }, true), choices: "32, 9000" },
    { ...rowFromSpec("gamma", { choices: [0.99] }, false), choices: "nonsense" },
  ];
  const { params, errors } = buildSpace(rows, BOUNDS, new Set(["n_steps"]));
  assert.deepEqual(params, { learning_rate: { low: 1e-5, high: 0.002, log: true } });
  assert.deepEqual(errors.map((e) => e.field), ["params.n_steps"]);
  const none = buildSpace(rows.map((row) => ({ ...row, search: false })), BOUNDS);
  assert.deepEqual(none.errors.map((e) => e.field), ["params"]);
  assert.equal(paramOfField("params.n_steps"), "n_steps");
  assert.equal(paramOfField("config.n_envs"), null);
});

test("trials and steps: whole numbers within the server's range", () => {
  assert.deepEqual(readWhole("20", 1, 1000, "Trials"), { value: 20 });
  assert.deepEqual(readWhole("50,000", 1000, 10_000_000, "Steps"), { value: 50000 });
  assert.match(readWhole("0", 1, 1000, "Trials").error, /Trials must be from 1 to 1,000/);
  assert.match(readWhole("100000", 1, 1000, "Trials").error, /from 1 to 1,000/);
  assert.match(readWhole("2.5", 1, 1000, "Trials").error, /whole number/);
  assert.match(readWhole("", 1, 1000, "Trials").error, /Enter a value/);
});

test("best so far becomes chart columns in trial order; importance becomes shares, largest first", () => {
  const columns = bestSoFarColumns([
    { number: 3, value: 5, best: 9 },
    { number: 0, value: 9, best: 9 },
  ]);
  assert.deepEqual(columns, [[0, 3], [9, 5], [9, 9]]);
  const rows = importanceRows({ gamma: 0.25, learning_rate: 0.75 });
  assert.deepEqual(rows.map((r) => [r.name, r.pct]), [["learning_rate", 75], ["gamma", 25]]);
  assert.deepEqual(importanceRows(null), []);
});

test("progress, counts, the Stop/Resume offer and a trial's score", () => {
  const study = { n_trials: 10, trials_done: 3, status: "running", counts: { running: 1, complete: 2, pruned: 1, failed: 0 } };
  assert.equal(studyProgress(study).text, "3 of 10 trials done");
  assert.equal(studyProgress(study).pct, 30);
  assert.equal(countsText(study.counts), "1 running · 2 complete · 1 pruned");
  assert.equal(countsText({}), "no trial yet");
  assert.equal(studyControl(study).action, "stop");
  assert.equal(studyControl({ ...study, status: "stopped" }).action, "resume");
  const done = studyControl({ ...study, status: "completed" });
  assert.equal(done.enabled, false);
  assert.match(done.title, /all 10 trials/);
  assert.deepEqual(trialScore({ state: "complete", value: 12.345 }), { text: "12.35", partial: false });
  assert.deepEqual(trialScore({ state: "pruned", value: 80, intermediate_values: [{ step: 1, value: 80 }] }), {
    text: "80 at eval 1",
    partial: true,
  });
  assert.deepEqual(trialScore({ state: "running", value: null, intermediate_values: [{ step: 1, value: 3 }, { step: 2, value: 4.5 }] }), {
    text: "4.5 at eval 2",
    partial: true,
  });
  assert.equal(trialBadgeStatus("complete"), "completed");
  assert.equal(trialBadgeStatus("waiting"), "queued");
});

test("a study's time: the preset's rate × steps × trials, over the runs at once", () => {
  assert.equal(studySeconds({ presetSeconds: 1000, presetSteps: 250_000, steps: 50_000, trials: 20, concurrent: 1 }), 4000);
  assert.equal(studySeconds({ presetSeconds: 1000, presetSteps: 250_000, steps: 50_000, trials: 20, concurrent: 2 }), 2000);
  assert.equal(studySeconds({ presetSeconds: 1000, presetSteps: 250_000, steps: 50_000, trials: 3, concurrent: 2 }), 400);
  assert.equal(studySeconds({ presetSeconds: null, presetSteps: 250_000, steps: 50_000, trials: 3 }), null);
  const presets = [{ id: "quick", configs: { ppo: { total_timesteps: 250_000 } } }, { id: "standard", configs: { ppo: { total_timesteps: 1_000_000 } } }];
  assert.equal(promoteDefaultSteps(presets, "ppo"), 1_000_000);
  assert.equal(promoteDefaultSteps([], "dqn"), 1_000_000);
});
