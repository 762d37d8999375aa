// The New Training dialog's settings: which group each belongs to, its label, and a
// plain-words explanation for its tooltip. Ranges, types and defaults come from the server
// (`/api/config-fields`, `/api/presets`); this file only says what a setting means.

export const GROUPS = [
  { id: "videos", title: "Videos", lead: "What gets filmed while the agent learns." },
  { id: "performance", title: "Performance", lead: "How hard the computer works, and how often progress is saved." },
  {
    id: "advanced",
    title: "Advanced hyper-parameters",
    lead: "How the agent learns. The recommended values are tuned for Atari games: change them only to experiment.",
  },
];

/** name → {group, label, help, unit?} */
export const FIELD_HELP = {
  // Videos
  video_length_hours: {
    group: "videos",
    label: "“Watch it learn” video",
    unit: "hours",
    help: "Length of the long video that shows the agent from clumsy start to final skill. 0 turns it off.",
  },
  milestone_every_pct: {
    group: "videos",
    label: "Milestone clip every",
    unit: "% of the run",
    help: "Records a short clip of the agent playing each time the run gets this much further (10 = at 10%, 20%, …). 0 turns clips off.",
  },
  milestone_max_seconds: {
    group: "videos",
    label: "Longest milestone clip",
    unit: "seconds",
    help: "A milestone clip ends when the game ends or after this many seconds of play.",
  },
  eval_episodes: {
    group: "videos",
    label: "Final evaluation games",
    help: "At the end, the finished agent plays this many games and the best one is saved as a video. 0 skips it.",
  },
  video_scale: {
    group: "videos",
    label: "Clip size",
    unit: "× pixels",
    help: "How much the 160×210 Atari picture is enlarged in clips (3 = 480×630). Bigger is sharper but larger on disk.",
  },
  long_video_scale: {
    group: "videos",
    label: "Long video size",
    unit: "× pixels",
    help: "How much the long video is enlarged. 2 keeps the encoder light while training runs.",
  },
  video_segment_seconds: {
    group: "videos",
    label: "Long video part length",
    unit: "seconds",
    help: "The long video is written in finished parts of this length, so nothing is lost if the computer stops.",
  },
  // Performance
  n_envs: {
    group: "performance",
    label: "Games in parallel",
    help: "How many copies of the game the agent plays at once. More collects experience faster but needs more CPU and memory.",
  },
  env_backend: {
    group: "performance",
    label: "Game engine",
    help: "python steps the games one after another (the classic path); native lets ale-py step them on several CPU threads at once, usually much faster. The first game stays on the classic path so it can be filmed and watched.",
  },
  precision: {
    group: "performance",
    label: "Number precision",
    help: "auto trains the image-reading part of the network in bfloat16 on CPUs that compute it in hardware, AMX or AVX512-BF16 (1.6-2× as fast there, and it learns the same); float32 always uses full precision.",
  },
  device: {
    group: "performance",
    label: "Device",
    help: "Where the neural network runs: auto uses an NVIDIA GPU (CUDA) when there is one, else the CPU.",
  },
  torch_threads: {
    group: "performance",
    label: "CPU threads",
    help: "CPU threads the neural network may use. Leave cores free for the game emulators and for you.",
  },
  checkpoint_every_pct: {
    group: "performance",
    label: "Checkpoint every",
    unit: "% of the run",
    help: "Saves the model this often so a crash loses little. 0 turns it off.",
  },
  checkpoint_every_minutes: {
    group: "performance",
    label: "…and at least every",
    unit: "minutes",
    help: "Also saves the model after this many minutes, whatever the progress. 0 turns it off.",
  },
  keep_checkpoints: {
    group: "performance",
    label: "Checkpoints kept",
    help: "How many of the newest checkpoints stay on disk; older ones are deleted to save space.",
  },
  progress_interval_seconds: {
    group: "performance",
    label: "Progress updates every",
    unit: "seconds",
    help: "How often the worker reports its progress to this window.",
  },
  // Advanced (both algorithms)
  learning_rate: {
    group: "advanced",
    label: "Learning rate",
    help: "How big a step the network takes each time it learns. Too high and learning is unstable, too low and it is slow.",
  },
  learning_rate_schedule: {
    group: "advanced",
    label: "Learning rate schedule",
    help: "linear lowers the learning rate to zero by the end of the run (steadier finish); constant keeps it.",
  },
  gamma: {
    group: "advanced",
    label: "Discount (gamma)",
    help: "How much the agent cares about future rewards versus immediate ones. Close to 1 = plans further ahead.",
  },
  batch_size: {
    group: "advanced",
    label: "Batch size",
    help: "How many experiences the network learns from in one update.",
  },
  max_grad_norm: {
    group: "advanced",
    label: "Gradient clipping",
    help: "Caps the size of one learning step so a surprising experience can't wreck what was learned.",
  },
  frame_stack: {
    group: "advanced",
    label: "Frames stacked",
    help: "How many recent screens the agent sees at once, so it can tell which way the ball moves.",
  },
  seed: {
    group: "advanced",
    label: "Random seed",
    help: "Fixes the randomness so the same settings give the same run. Leave empty for a random one.",
  },
  // PPO
  n_steps: {
    group: "advanced",
    label: "Steps per round (PPO)",
    help: "Steps each game plays before the agent learns from them. One round = this × games in parallel.",
  },
  n_epochs: {
    group: "advanced",
    label: "Passes per round (PPO)",
    help: "How many times the agent goes over each round of experience while learning.",
  },
  gae_lambda: {
    group: "advanced",
    label: "GAE lambda (PPO)",
    help: "Balances quick but noisy credit for actions (low) against smooth but slow credit (high).",
  },
  clip_range: {
    group: "advanced",
    label: "Clip range (PPO)",
    help: "Limits how much the agent's behaviour may change in one update; PPO's safety belt.",
  },
  clip_range_schedule: {
    group: "advanced",
    label: "Clip range schedule (PPO)",
    help: "linear tightens the clip range towards the end of the run; constant keeps it.",
  },
  ent_coef: {
    group: "advanced",
    label: "Curiosity (entropy)",
    help: "Rewards trying different actions. Higher explores more; 0 lets the agent settle on habits early.",
  },
  vf_coef: {
    group: "advanced",
    label: "Value loss weight (PPO)",
    help: "How much learning to predict rewards counts against learning what to do.",
  },
  // DQN
  buffer_size: {
    group: "advanced",
    label: "Replay memory (DQN)",
    unit: "frames",
    help: "How many past experiences DQN remembers and learns from. Each takes about 56 KB of memory.",
  },
  learning_starts: {
    group: "advanced",
    label: "Learning starts after (DQN)",
    unit: "steps",
    help: "DQN only plays (randomly) for this many steps to fill its memory before it starts learning.",
  },
  tau: {
    group: "advanced",
    label: "Target update rate (DQN)",
    help: "How fully the target network is replaced at each update: 1 copies it outright.",
  },
  train_freq: {
    group: "advanced",
    label: "Learn every (DQN)",
    unit: "steps",
    help: "DQN learns once every this many steps.",
  },
  gradient_steps: {
    group: "advanced",
    label: "Updates per learning (DQN)",
    help: "Gradient updates each time DQN learns; -1 does as many as steps played.",
  },
  target_update_interval: {
    group: "advanced",
    label: "Target network every (DQN)",
    unit: "steps",
    help: "How often the slowly-moving copy of the network DQN learns against is refreshed.",
  },
  exploration_fraction: {
    group: "advanced",
    label: "Exploration period (DQN)",
    unit: "of the run",
    help: "Share of the run over which random moves fade from the start rate to the final rate.",
  },
  exploration_initial_eps: {
    group: "advanced",
    label: "Random moves at start (DQN)",
    help: "Chance of a random move at the start (1 = always random).",
  },
  exploration_final_eps: {
    group: "advanced",
    label: "Random moves at end (DQN)",
    help: "Chance of a random move once exploration has faded; a little randomness keeps the agent curious.",
  },
  keep_replay_buffer: {
    group: "advanced",
    label: "Keep replay memory (DQN)",
    help: "yes saves the frames DQN learns from when the run ends (about 56 KB each: 2.8 GB for 50,000), so continuing the run picks up its learning instead of refilling an empty memory.",
  },
};

/** Basics that are not generic fields: the length comes from the preset or custom steps. */
export const BASICS_HELP = {
  name: "A name for this run, shown everywhere. Leave empty for “Game #N”.",
  game: "The Atari game the agent learns to play.",
  algorithm:
    "PPO learns from several games at once and is the stable first choice. DQN learns from a replay memory; slower here.",
  preset: "How long to train. Longer runs make a smarter agent and a longer “watch it learn” video.",
  total_timesteps: "Agent steps to train. One step is one move (4 frames of the game).",
};

/** Help for a field the server knows but this file does not (a newer server). */
export function helpFor(name, serverHelp) {
  const known = FIELD_HELP[name];
  if (known) return known;
  return { group: "advanced", label: name.replace(/_/g, " "), help: serverHelp || name };
}
