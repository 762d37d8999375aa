// The New Training dialog's words for each setting: `npm test` in ui/.

import assert from "node:assert/strict";
import { test } from "node:test";

import { BASICS_HELP, FIELD_HELP, GROUPS, helpFor } from "../js/training/config-help.js";

// Every setting backend/retro_ml/services/experiments/config_fields.py knows except total_timesteps
// (the dialog's Basics show it as the run's length).
const SERVER_FIELDS = `video_length_hours long_video_scale video_segment_seconds eval_episodes n_envs env_backend frame_stack
  seed device torch_threads precision progress_interval_seconds checkpoint_every_pct checkpoint_every_minutes
  keep_checkpoints milestone_every_pct milestone_max_seconds video_scale learning_rate learning_rate_schedule
  gamma batch_size max_grad_norm n_steps n_epochs gae_lambda clip_range clip_range_schedule ent_coef vf_coef
  buffer_size learning_starts tau train_freq gradient_steps target_update_interval exploration_fraction
  exploration_initial_eps exploration_final_eps keep_replay_buffer`.split(/\s+/);

test("every setting has a group, a label and a plain-words explanation", () => {
  const groups = new Set(GROUPS.map((group) => group.id));
  assert.deepEqual([...groups], ["videos", "performance", "advanced"]);
  for (const name of SERVER_FIELDS) {
    const help = FIELD_HELP[name];
    assert.ok(help, `${name} has no help`);
    assert.ok(groups.has(help.group), `${name}: unknown group ${help.group}`);
    assert.ok(help.label.length > 3, name);
    assert.ok(help.help.length > 30 && help.help.endsWith("."), `${name}: ${help.help}`);
  }
  assert.deepEqual(Object.keys(FIELD_HELP).sort(), [...SERVER_FIELDS].sort());
  for (const [name, text] of Object.entries(BASICS_HELP)) assert.ok(text.length > 20, name);
});

test("a setting only a newer server knows still gets a label and its server help", () => {
  assert.deepEqual(helpFor("target_kl", "stop an update early past this KL"), {
    group: "advanced",
    label: "target kl",
    help: "stop an update early past this KL",
  });
  assert.equal(helpFor("learning_rate", "ignored").label, "Learning rate");
});
