// How the Models tab reads: version labels, scores, the filters in the address, the list
// grouped by game, the histogram's bins and the comparison's wording. Pure functions (no DOM,
// no state), tested by `npm test` in ui/.

import { DASH, algorithmLabel, formatBytes, formatInt, formatReward } from "../shell/format.js";

export const KINDS = [
  ["final", "Final"],
  ["checkpoint", "Checkpoint"],
  ["imported", "Imported"],
];
const KIND_LABELS = Object.fromEntries(KINDS);
export const kindLabel = (kind) => KIND_LABELS[kind] ?? String(kind ?? DASH);

/** The server's sort keys (`GET /api/models?sort=`) with their labels. */
export const SORTS = [
  ["created", "Newest"],
  ["num_timesteps", "Steps"],
  ["score", "Score"],
  ["size_bytes", "Size"],
  ["game", "Game"],
];
const SORT_KEYS = new Set(SORTS.map(([key]) => key));

/** Compare takes 2 to 4 versions (the server's MIN_MODELS, MAX_MODELS). */
export const MIN_COMPARE = 2;
export const MAX_COMPARE = 4;
/** Evaluation games: the server takes 1 to 1,000 (job_requests.py). */
export const MIN_EPISODES = 1;
export const MAX_EPISODES = 1000;
export const DEFAULT_EPISODES = 10;
export const MAX_SEED = 2 ** 31 - 1 - MAX_EPISODES;

const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

/** 2048 → "2,048"; 250000 → "250k"; 1500000 → "1.5M" (short enough for a button). */
export function formatStepsShort(steps) {
  if (!isNumber(steps)) return DASH;
  const round = (value) => String(Number(value.toFixed(1)));
  if (Math.abs(steps) >= 1_000_000) return `${round(steps / 1_000_000)}M`;
  if (Math.abs(steps) >= 100_000) return `${round(steps / 1000)}k`;
  return formatInt(steps);
}

/** "Pong PPO · step 250k" — a version as a person names it. */
export function versionLabel(model, gameName = (id) => id) {
  return `${gameName(model.game)} ${algorithmLabel(model.algorithm)} · step ${formatStepsShort(model.num_timesteps)}`;
}

/** A score in a table cell: "12.3"; no evaluation → "—". */
export function scoreText(evaluation) {
  return evaluation && isNumber(evaluation.mean_score) ? formatReward(evaluation.mean_score) : DASH;
}

/** The score cell's tooltip: "Mean 12.3 ± 4.1, best 20 over 10 games (seed 0)". */
export function scoreTitle(evaluation) {
  if (!evaluation) return "Not evaluated yet: Evaluate plays it a few games and stores the score here";
  const games = `${formatInt(evaluation.episodes)} game${evaluation.episodes === 1 ? "" : "s"}`;
  return (
    `Mean ${formatReward(evaluation.mean_score)} ± ${formatReward(evaluation.std_score)}, ` +
    `best ${formatReward(evaluation.max_score)} over ${games} (seed ${evaluation.seed})`
  );
}

// ---- filters in the address -------------------------------------------------------------

const FILTER_NAMES = ["q", "game", "algorithm", "kind", "tag", "experiment_id"];

/** `#/models?game=pong&sort=score` → {q, game, algorithm, kind, tag, experiment_id, sort, order}. */
export function filtersFromQuery(query) {
  const filters = Object.fromEntries(FILTER_NAMES.map((name) => [name, (query.get(name) ?? "").trim()]));
  const sort = query.get("sort") ?? "";
  filters.sort = SORT_KEYS.has(sort) ? sort : "created";
  filters.order = query.get("order") === "asc" ? "asc" : "desc";
  if (!KIND_LABELS[filters.kind]) filters.kind = "";
  return filters;
}

/** The filters as the tab's address (defaults left out). */
export function modelsAddress(filters) {
  const search = new URLSearchParams();
  for (const name of FILTER_NAMES) if (filters[name]) search.set(name, filters[name]);
  if (filters.sort && filters.sort !== "created") search.set("sort", filters.sort);
  if (filters.order === "asc") search.set("order", "asc");
  const text = search.toString();
  return text ? `#/models?${text}` : "#/models";
}

/** The query of `GET /api/models` for `filters` (empty ones left out). */
export function listParams(filters) {
  const params = { sort: filters.sort, order: filters.order };
  for (const name of FILTER_NAMES) if (filters[name]) params[name] = filters[name];
  return params;
}

export const hasFilters = (filters) => FILTER_NAMES.some((name) => Boolean(filters[name]));

export function clearedFilters(filters) {
  return { ...filters, ...Object.fromEntries(FILTER_NAMES.map((name) => [name, ""])) };
}

/** "3 versions" or "3 of 12 versions". */
export function countText(shown, total) {
  const noun = total === 1 ? "version" : "versions";
  return shown === total ? `${formatInt(total)} ${noun}` : `${formatInt(shown)} of ${formatInt(total)} ${noun}`;
}

/** The choices a list of versions offers: {games: [[id, label]], algorithms: [[id, id]], tags}. */
export function filterChoices(models, gameName = (id) => id) {
  const games = new Map();
  const algorithms = new Set();
  const tags = new Set();
  for (const model of models) {
    games.set(model.game, gameName(model.game));
    algorithms.add(model.algorithm);
    (model.tags ?? []).forEach((tag) => tags.add(tag));
  }
  const byLabel = (a, b) => a[1].localeCompare(b[1]);
  return {
    games: [...games].sort(byLabel),
    algorithms: [...algorithms].sort().map((a) => [a, algorithmLabel(a)]),
    tags: [...tags].sort((a, b) => a.localeCompare(b)).map((t) => [t, t]),
  };
}

/**
 * The versions grouped by game, the groups in the order their first version comes (the server's
 * sort), each group's versions in that order too: [{game, label, models}].
 */
export function groupByGame(models, gameName = (id) => id) {
  const groups = new Map();
  for (const model of models) {
    if (!groups.has(model.game)) groups.set(model.game, { game: model.game, label: gameName(model.game), models: [] });
    groups.get(model.game).models.push(model);
  }
  return [...groups.values()];
}

/** "2 versions · 1 evaluated · 12.4 MB" under a game's heading. */
export function groupSummary(models) {
  const evaluated = models.filter((m) => m.evaluation).length;
  const size = models.reduce((sum, m) => sum + (m.size_bytes ?? 0), 0);
  const noun = models.length === 1 ? "version" : "versions";
  return `${formatInt(models.length)} ${noun} · ${formatInt(evaluated)} evaluated · ${formatBytes(size)}`;
}

// ---- compare ------------------------------------------------------------------------------

/**
 * Why Compare cannot start for `selected` versions (null when it can): 2 to 4, all of one game
 * (the same games on the same seeds only mean something for one game).
 */
export function compareHint(selected) {
  const n = selected.length;
  if (n < MIN_COMPARE) return `Select ${MIN_COMPARE} to ${MAX_COMPARE} versions of one game to compare them`;
  if (n > MAX_COMPARE) return `Compare takes at most ${MAX_COMPARE} versions: unselect ${n - MAX_COMPARE}`;
  const envs = new Set(selected.map((m) => m.env_id || m.game));
  if (envs.size > 1) return "Compare versions of one game: the selected versions play different games";
  return null;
}

/**
 * The "Compare step X vs final" pairs of one run's versions: every checkpoint with the run's
 * final model, newest checkpoint first. [] without a final model.
 */
export function checkpointPairs(models) {
  const final = models.find((m) => m.kind === "final");
  if (!final) return [];
  return models
    .filter((m) => m.kind === "checkpoint" && m.num_timesteps !== final.num_timesteps)
    .sort((a, b) => b.num_timesteps - a.num_timesteps)
    .map((checkpoint) => ({ checkpoint, final, label: `Compare step ${formatStepsShort(checkpoint.num_timesteps)} vs final` }));
}

/** "p = 0.012", "p < 0.001"; null → "no p-value". */
export function formatPValue(p) {
  if (!isNumber(p)) return "no p-value";
  if (p < 0.001) return "p < 0.001";
  return `p = ${p.toFixed(3)}`;
}

/** "+3.2", "−0.4", "0.0" (a real minus sign). */
export function formatSigned(value) {
  if (!isNumber(value)) return DASH;
  const text = formatReward(Math.abs(value));
  if (text === formatReward(0)) return text;
  return value > 0 ? `+${text}` : `−${text}`;
}

/**
 * The difference column's wording for one model against the first:
 * {value: "+3.2", verdict: "beyond noise" | "within noise" | "not tested", detail, beyond}.
 * `difference`: the server's {mean_difference, p_value, beyond_noise, note}; `test`: its name.
 */
export function noiseWording(difference, test) {
  if (!difference) return { value: DASH, verdict: "baseline", detail: "The others are compared with this one", beyond: false };
  const value = formatSigned(difference.mean_difference);
  const testName = test || "the test";
  if (!isNumber(difference.p_value)) {
    return {
      value,
      verdict: "not tested",
      detail: difference.note ? `Not tested: ${difference.note}` : `Not tested with ${testName}`,
      beyond: false,
    };
  }
  const beyond = Boolean(difference.beyond_noise);
  const verdict = beyond ? "beyond noise" : "within noise";
  return { value, verdict, detail: `${testName}, ${formatPValue(difference.p_value)}`, beyond };
}

// ---- histogram ----------------------------------------------------------------------------

/**
 * The bins of a histogram of `scores`: [{from, to, count}], `to` exclusive except the last.
 * Whole-number scores with a small range get one bin per value (Atari scores are counts);
 * otherwise at most `maxBins` equal bins (Sturges' rule). One distinct score → one bin.
 */
export function histogramBins(scores, maxBins = 12) {
  const values = (scores ?? []).filter(isNumber);
  if (!values.length) return [];
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (min === max) return [{ from: min, to: max, count: values.length }];
  const whole = values.every(Number.isInteger);
  if (whole && max - min + 1 <= maxBins) {
    const bins = Array.from({ length: max - min + 1 }, (_, i) => ({ from: min + i, to: min + i + 1, count: 0 }));
    values.forEach((v) => bins[v - min].count++);
    return bins;
  }
  const count = Math.min(maxBins, Math.max(2, Math.ceil(Math.log2(values.length)) + 1));
  let width = (max - min) / count;
  if (whole) width = Math.ceil(width);
  const bins = Array.from({ length: count }, (_, i) => ({ from: min + i * width, to: min + (i + 1) * width, count: 0 }));
  for (const v of values) bins[Math.min(count - 1, Math.floor((v - min) / width))].count++;
  return bins;
}

/** A bin's label: "3" for a one-value bin of whole numbers, else "2.5–5.0". */
export function binLabel(bin) {
  if (Number.isInteger(bin.from) && (bin.to === bin.from || bin.to === bin.from + 1)) return formatInt(bin.from);
  return `${formatReward(bin.from)}–${formatReward(bin.to)}`;
}

/**
 * A note when games hit the time cap: `capped` is one flag per game (all models' games, for a
 * comparison); null when none did.
 */
export function capNote(capped, maxSeconds) {
  const flags = (capped ?? []).flat();
  const hit = flags.filter(Boolean).length;
  if (!hit) return null;
  const cap = isNumber(maxSeconds) ? `${maxSeconds} s` : "time";
  const games = flags.length === 1 ? "game" : "games";
  const count = hit === 1 ? "counts with the score it had" : "count with the score they had";
  return `${formatInt(hit)} of ${formatInt(flags.length)} ${games} hit the ${cap} cap of game time and ${count} then.`;
}

// ---- jobs ---------------------------------------------------------------------------------

/** A job's bar: 0–100 from its `progress` (0–1, filming included), else games done of total. */
export function jobPercent(job) {
  if (!job) return 0;
  if (isNumber(job.progress)) return Math.min(100, Math.max(0, job.progress * 100));
  if (isNumber(job.games_done) && job.games_total > 0) return Math.min(100, (100 * job.games_done) / job.games_total);
  return 0;
}

/** "Game 3 of 10", "Recording the video…", "Waiting to start…", or the job's own stage. */
export function jobStageText(job) {
  if (!job) return "";
  if (job.status === "queued") return "Waiting to start…";
  const stage = String(job.stage ?? "");
  if (stage === "recording") return "Recording the video…";
  if (stage === "saving") return "Saving the result…";
  if (stage === "playing" && job.games_total > 0) {
    return `Game ${formatInt(Math.min((job.games_done ?? 0) + 1, job.games_total))} of ${formatInt(job.games_total)}`;
  }
  if (!stage || stage === "waiting" || stage === "queued") return "Starting…";
  return `${stage.charAt(0).toUpperCase()}${stage.slice(1)}…`;
}

export const JOB_FINISHED = new Set(["completed", "failed", "cancelled"]);

// ---- delete -------------------------------------------------------------------------------

/** The server's 409 message without its note for API callers ("Send confirm=true…"). */
export function confirmationText(message) {
  return String(message ?? "").replace(/\s*Send confirm=true[^.]*\.?\s*$/i, "").trim();
}

/** The toast after a checkpoint was deleted: "Freed 12.3 MB". */
export function freedText(bytes) {
  return isNumber(bytes) && bytes > 0 ? `Freed ${formatBytes(bytes)}` : "Its file was already gone";
}

// ---- export -------------------------------------------------------------------------------

export const EXPORT_FORMATS = [
  ["sb3", "SB3 zip", "The model file as Stable-Baselines3 saves it: load it with PPO.load / DQN.load"],
  ["onnx", "ONNX", "The policy network (frames in, action logits out), checked with onnxruntime on real game frames"],
  ["hf", "Hugging Face folder", "The RL Zoo layout with a model card, ready to upload to the Hugging Face Hub"],
];

/** What the ONNX check says: {ok, text} from the job's result; null when there is no check. */
export function onnxCheckText(result) {
  if (!result || result.frames_checked === undefined) return null;
  const agree = String(result.actions_agree ?? "");
  const [same, total] = agree.split("/").map(Number);
  const ok = isNumber(same) && isNumber(total) && same === total && total > 0;
  const frames = formatInt(result.frames_checked);
  return {
    ok,
    text: ok
      ? `Check passed: onnxruntime picked the same action as SB3 on all ${frames} frames of the real game.`
      : `Check: the actions agreed on ${agree || "?"} of ${frames} frames.`,
  };
}
