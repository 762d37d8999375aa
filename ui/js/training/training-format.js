// How the Training tab reads runs: session labels, change arrows, compact step counts,
// score trends, devices, durations, which table actions a run offers, the metric keys a
// chart plots, thinning of live series and checks of a config field. Pure: no DOM, no state.

import { DASH, formatReward } from "../shell/format.js";

const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

/** "Session 3f2a…": a short, stable name for the run's id (never a process id). */
export function sessionLabel(id) {
  const text = String(id ?? "");
  return text ? `Session ${text.slice(0, 4)}…` : "Session —";
}

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** Step counts people skim: 950 → "950", 2,048 → "2,048", 250,000 → "250K", 2.5e6 → "2.5M". */
export function compactSteps(value) {
  if (!isNumber(value)) return DASH;
  if (Math.abs(value) < 10_000) return whole.format(Math.round(value));
  return compact.format(value);
}

/** "2.5M / 10M" */
export function compactProgress(timestep, total) {
  return `${compactSteps(timestep ?? 0)} / ${compactSteps(total)}`;
}

/**
 * The change from one reading to the next: {direction: "up"|"down"|"flat", pct} (pct is
 * null when the previous reading was 0 or missing). Null when either reading is missing.
 */
export function changeOf(previous, current) {
  if (!isNumber(current) || !isNumber(previous)) return null;
  const delta = current - previous;
  const direction = delta > 0 ? "up" : delta < 0 ? "down" : "flat";
  const pct = previous === 0 ? null : (Math.abs(delta) / Math.abs(previous)) * 100;
  return { direction, pct };
}

const ARROWS = { up: "▲", down: "▼", flat: "■" };
const SMALL_ARROWS = { up: "↑", down: "↓", flat: "" };

/** ▲ / ▼ / ■ for a change (■ when there is nothing to compare yet). */
export const changeArrow = (change) => ARROWS[change?.direction ?? "flat"];

/** "(↑23%)", "(↓1.5%)", "(no change)"; "" when unknown. */
export function changeText(change) {
  if (!change) return "";
  if (change.direction === "flat") return "(no change)";
  if (change.pct === null) return "";
  const pct = change.pct >= 10 ? Math.round(change.pct) : Math.round(change.pct * 10) / 10;
  return `(${SMALL_ARROWS[change.direction]}${pct}%)`;
}

/** A loss reads best with 3 significant digits: 0.0421, 1.23, 153. */
export function formatLoss(value) {
  if (!isNumber(value)) return DASH;
  if (value === 0) return "0";
  const digits = Math.abs(value) >= 100 ? 0 : undefined;
  return digits === 0 ? whole.format(value) : String(Number(value.toPrecision(3)));
}

/** Game scores: whole above 100 ("234"), one decimal below ("-20.5"). */
export function formatScore(value) {
  if (!isNumber(value)) return DASH;
  return Math.abs(value) >= 100 ? whole.format(Math.round(value)) : formatReward(value);
}

/** "187 → 234" (first → latest mean reward); "—" until there are two readings. */
export function scoreTrend(first, latest) {
  if (!isNumber(latest)) return DASH;
  if (!isNumber(first)) return formatScore(latest);
  return `${formatScore(first)} → ${formatScore(latest)}`;
}

const DEVICE_NAMES = { cpu: "CPU", cuda: "CUDA", mps: "MPS", auto: "Auto" };

/**
 * Where the run trains: the worker's own word ("Training on CUDA") once it started, else
 * the configured device ("Auto" picks CUDA when there is one).
 */
export function deviceLabel(experiment) {
  const message = experiment?.metadata?.status_message ?? "";
  const match = /Training on (\w+)/i.exec(message);
  if (match) return { label: DEVICE_NAMES[match[1].toLowerCase()] ?? match[1].toUpperCase(), known: true };
  const configured = experiment?.config?.device ?? "auto";
  return { label: DEVICE_NAMES[configured] ?? String(configured).toUpperCase(), known: false };
}

/** Seconds the run trained (paused time left out), or null when unknown. */
export function runSeconds(experiment) {
  const final = experiment?.final_metrics?.elapsed_seconds;
  if (isNumber(final)) return final;
  const live = experiment?.progress?.metrics?.elapsed_seconds;
  if (isNumber(live)) return live;
  const { started, finished } = experiment?.metadata ?? {};
  if (!started || !finished) return null;
  const seconds = (Date.parse(finished) - Date.parse(started)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** {best, mean} rewards from the final metrics, else the latest progress. */
export function rewardsOf(experiment) {
  const metrics = { ...(experiment?.progress?.metrics ?? {}), ...(experiment?.final_metrics ?? {}) };
  return { best: metrics.best_reward ?? null, mean: metrics.mean_reward ?? null };
}

/** "21 / -20.3" (best / mean), "—" when neither is known. */
export function rewardCell(experiment) {
  const { best, mean } = rewardsOf(experiment);
  if (!isNumber(best) && !isNumber(mean)) return DASH;
  return `${formatScore(best)} / ${formatScore(mean)}`;
}

/**
 * The table's run actions, in order: {action, label, title}. `action` is a run action
 * (runs/actions.js: "resume", "continue", "retry", "view-details") or "charts" (this tab's own).
 */
export function tableActions(status) {
  const actions = [];
  if (status === "paused") {
    actions.push({ action: "resume", label: "Resume", title: "Resume training from the step where it paused" });
  } else if (["completed", "stopped", "interrupted", "pruned"].includes(status)) {
    actions.push({
      action: "continue",
      label: "Resume",
      title: "Train this model further: a new run loads it and trains more steps",
    });
  }
  if (status === "failed" || status === "interrupted") {
    actions.push({ action: "retry", label: "Retry", title: "Start this run again from scratch with the same settings" });
  }
  actions.push({ action: "view-details", label: "Details", title: "Settings, videos, model and run folder of this run" });
  actions.push({ action: "charts", label: "Charts", title: "Show this run's reward and loss charts" });
  return actions;
}

export const REWARD_KEYS = ["rollout/ep_rew_mean"];
export const LOSS_KEYS = ["train/loss", "train/value_loss", "train/policy_gradient_loss"];

/** The first of `preferred` the run logged, else null. */
export function pickKey(available, preferred) {
  const keys = new Set(available ?? []);
  return preferred.find((key) => keys.has(key)) ?? null;
}

/** A metrics API series `{steps, values}` as chart columns `[xs, ys]`. */
export function seriesColumns(series) {
  const steps = series?.steps ?? [];
  const values = series?.values ?? [];
  const count = Math.min(steps.length, values.length);
  return [steps.slice(0, count), values.slice(0, count)];
}

/**
 * Keeps a live series under `max` points: past it, every other point between the first
 * and the last is dropped (the shape stays; the chart stays fast on long runs).
 */
export function thinColumns(columns, max) {
  const count = columns[0].length;
  if (count <= max) return columns;
  const keep = (_value, index) => index === 0 || index === count - 1 || index % 2 === 0;
  return columns.map((column) => column.filter(keep));
}

/**
 * Time for `steps`: a preset's estimate (this machine's measured speed when there is one)
 * scaled from the preset's own step count. Null when not known.
 */
export function scaleEstimate(presetSeconds, presetSteps, steps) {
  if (!isNumber(presetSeconds) || !isNumber(presetSteps) || presetSteps <= 0 || !isNumber(steps) || steps <= 0) {
    return null;
  }
  return (presetSeconds * steps) / presetSteps;
}

/**
 * Checks a form value against a field spec from `/api/config-fields`:
 * {value} (parsed) or {error} (a sentence). Empty is null for nullable fields.
 */
export function checkField(spec, raw) {
  const text = String(raw ?? "").trim();
  if (spec.type === "choice") {
    return spec.choices.includes(text) ? { value: text } : { error: `Choose one of ${spec.choices.join(", ")}.` };
  }
  if (text === "") return spec.nullable ? { value: null } : { error: "Enter a value." };
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: "Enter a number." };
  if (spec.type === "int" && !Number.isInteger(value)) return { error: "Enter a whole number." };
  const low = spec.min;
  const high = spec.max;
  if ((isNumber(low) && value < low) || (isNumber(high) && value > high)) {
    return { error: `Enter a number from ${formatBound(low)} to ${formatBound(high)}.` };
  }
  return { value };
}

function formatBound(value) {
  if (!isNumber(value)) return "any";
  if (Math.abs(value) >= 10_000) return whole.format(value);
  return String(value);
}

/** A recommended value as shown beside a field: 0.00025, 128, "linear", "random" (null). */
export function recommendedText(value) {
  if (value === null || value === undefined) return "random";
  if (typeof value === "number" && Math.abs(value) >= 10_000) return whole.format(value);
  return String(value);
}

/** Two config values are the same setting (a form's "128" and the preset's 128). */
export function sameValue(a, b) {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  return typeof a === "number" && typeof b === "number" ? Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)) : a === b;
}

const ENGINE_NAMES = { python: "the python engine", native: "the native engine" };

/**
 * The New Training dialog's line on how the server sized runs for this machine
 * (`GET /api/system/sizing`), for one algorithm: why the recommended values are what they are,
 * and what the native engine would take when it is not the default. "" when not known.
 */
export function sizingNote(sizing, algorithm) {
  const entry = sizing?.algorithms?.[algorithm];
  const applied = entry?.applied;
  if (!applied?.why) return "";
  let text = `Recommended for this machine: ${applied.why}.`;
  const best = entry.best;
  if (best && best.env_backend !== applied.env_backend) {
    const steps = best.n_steps ? ` × ${best.n_steps} steps` : "";
    text += ` With ${ENGINE_NAMES[best.env_backend] ?? best.env_backend} it would take ${best.n_envs} games${steps}.`;
  }
  return text;
}

const SIZED_FIELDS = new Set(["n_envs", "n_steps", "torch_threads"]);

/**
 * The value the server's sizing gives `name` on game engine `backend` (`by_env_backend` of
 * `GET /api/system/sizing`), or undefined where the sizing says nothing about it.
 */
export function sizedValue(sizing, algorithm, backend, name) {
  if (!SIZED_FIELDS.has(name)) return undefined;
  const value = sizing?.algorithms?.[algorithm]?.by_env_backend?.[backend]?.[name];
  return value === null ? undefined : value;
}
