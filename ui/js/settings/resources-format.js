// What "0 / auto" means in Settings → Resources on this machine, from `GET /api/system/sizing`.
// Pure: tested with Node (ui/tests/settings-resources-format.test.js).

const DEVICE_NAMES = { cuda: "the CUDA GPU", cpu: "the CPU" };

/**
 * "On this machine (16 cores and an NVIDIA H200), 0 / auto means: PPO 8 parallel games,
 * DQN 1; 4 CPU threads; the network on the CUDA GPU." "" when the sizing is not known.
 */
export function autoMeaning(sizing) {
  const algorithms = sizing?.algorithms ?? {};
  // PPO first (the recommended one), whatever order the JSON keys came in.
  const ids = Object.keys(algorithms).sort((a, b) => Number(b === "ppo") - Number(a === "ppo"));
  const applied = ids.map((id) => [id, algorithms[id]?.applied]).filter(([, values]) => values);
  if (!sizing?.summary || !applied.length) return "";
  const games = applied.map(([id, values], index) => `${id.toUpperCase()} ${values.n_envs}${index === 0 ? " parallel games" : ""}`);
  const [, first] = applied[0];
  const device = DEVICE_NAMES[first.device] ?? first.device;
  return `On this machine (${sizing.summary}), 0 / auto means: ${games.join(", ")}; ${first.torch_threads} CPU threads; the network on ${device}.`;
}

/** What the sizing would pick where it is not the default yet: "ale-py's native engine would run 64 PPO games here." */
export function nativeHint(sizing) {
  const ppo = sizing?.algorithms?.ppo;
  if (!ppo?.best || ppo.best.env_backend === ppo.applied?.env_backend) return "";
  return `With the native game engine (a run's “Game engine” setting), PPO would run ${ppo.best.n_envs} games here.`;
}
