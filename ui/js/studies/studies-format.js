// The Studies tab's pure helpers: how parameters, trials and studies read on screen, the checks
// the Tune dialog makes before it sends (the server's bounds, `GET /api/studies/search-spaces`),
// and the series the charts draw. No DOM, no state: tested with Node's runner (ui/tests).

import { helpFor } from "../training/config-help.js";

const DASH = "—";
const isNumber = (value) => typeof value === "number" && Number.isFinite(value);
const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/**
 * A searched value as people read it: whole numbers grouped ("10,000"), tiny or huge ones in
 * short exponent form ("3.2e-4"), others with up to 4 significant digits ("0.9876").
 */
export function formatParamValue(value) {
  if (!isNumber(value)) return value === null || value === undefined ? DASH : String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return grouped.format(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
    const [mantissa, exponent] = value.toExponential(2).split("e");
    return `${String(Number(mantissa))}e${Number(exponent)}`;
  }
  return String(Number(value.toPrecision(4)));
}

/** A value as a form field holds it: exact, in the shortest form JS writes it ("1e-8", "0.002"). */
export const inputText = (value) => (isNumber(value) ? String(value) : "");

/** The label a parameter has in the New Training dialog ("Learning rate"). */
export const paramLabel = (name) => helpFor(name, "").label;

/** The plain-words help of a parameter (its tooltip). */
export const paramHelp = (name) => helpFor(name, "").help;

/** A trial's params in the study's order of parameters (the others after, by name): [[name, text]]. */
export function paramEntries(params, order = []) {
  const names = Object.keys(params ?? {});
  const ranked = [...order.filter((name) => names.includes(name)), ...names.filter((n) => !order.includes(n)).sort()];
  return ranked.map((name) => [name, formatParamValue(params[name])]);
}

/** A search-space entry in words: "1e-5 – 0.002 · log", "32, 64, 128". */
export function specText(spec) {
  if (!spec) return DASH;
  if (Array.isArray(spec.choices)) return spec.choices.map(formatParamValue).join(", ");
  const range = `${formatParamValue(spec.low)} – ${formatParamValue(spec.high)}`;
  return spec.log ? `${range} · log` : range;
}

// ---------- trial and study states ----------

const TRIAL_STATES = {
  running: { label: "Running", status: "running" },
  complete: { label: "Complete", status: "completed" },
  pruned: { label: "Pruned", status: "pruned" },
  failed: { label: "Failed", status: "failed" },
  waiting: { label: "Waiting", status: "queued" },
};

/** The word a trial state shows ("Complete", "Pruned"…). */
export const trialStateLabel = (state) => TRIAL_STATES[state]?.label ?? String(state ?? "");

/** The run status whose badge colour a trial state borrows (status.css). */
export const trialBadgeStatus = (state) => TRIAL_STATES[state]?.status ?? "queued";

const STUDY_STATUSES = { running: "Running", stopped: "Stopped", completed: "Completed" };
export const studyStatusLabel = (status) => STUDY_STATUSES[status] ?? String(status ?? "");

/** "3 of 10 trials done" and its percentage. */
export function studyProgress(study) {
  const total = study?.n_trials ?? 0;
  const done = Math.min(study?.trials_done ?? 0, total || Infinity);
  const pct = total > 0 ? Math.min(100, (done / total) * 100) : 0;
  return { done, total, pct, text: `${grouped.format(done)} of ${grouped.format(total)} trials done` };
}

/** The counts a study's page shows beside its progress: "1 running · 2 pruned · 1 failed". */
export function countsText(counts = {}) {
  const parts = [];
  for (const [state, word] of [["running", "running"], ["waiting", "waiting"], ["complete", "complete"], ["pruned", "pruned"], ["failed", "failed"]]) {
    if (counts[state]) parts.push(`${counts[state]} ${word}`);
  }
  return parts.join(" · ") || "no trial yet";
}

/**
 * Which of Stop / Resume a study offers, and why the other cannot be used:
 * {action: "stop"|"resume", enabled, title}.
 */
export function studyControl(study) {
  if (study?.status === "running") {
    return { action: "stop", enabled: true, title: "Ask no new trials; the running ones finish and are counted" };
  }
  if (study?.status === "stopped") {
    return { action: "resume", enabled: true, title: "Ask new trials again until the study has all of them" };
  }
  return {
    action: "resume",
    enabled: false,
    title: `Completed: all ${study?.n_trials ?? ""} trials were asked. Start a new study with Tune to search more.`,
  };
}

/** A trial's score cell: a complete trial's value, else its latest evaluation ("12.5 at eval 2"), else —. */
export function trialScore(trial) {
  if (trial?.state === "complete" && isNumber(trial.value)) return { text: formatScore(trial.value), partial: false };
  // A pruned or running trial: its latest evaluation, never read as a final score.
  const last = (trial?.intermediate_values ?? []).filter((point) => isNumber(point.value)).at(-1);
  if (last) return { text: `${formatScore(last.value)} at eval ${last.step}`, partial: true };
  if (isNumber(trial?.value)) return { text: formatScore(trial.value), partial: false };
  return { text: DASH, partial: false };
}

export const formatScore = (value) => (isNumber(value) ? String(Number(value.toFixed(2))) : DASH);

// ---------- charts ----------

/** `best_so_far` ([{number, value, best}]) → uPlot columns [numbers, values, bests]. */
export function bestSoFarColumns(series = []) {
  const sorted = [...series].sort((a, b) => a.number - b.number);
  return [sorted.map((p) => p.number), sorted.map((p) => p.value), sorted.map((p) => p.best)];
}

/**
 * Optuna's importances ({name: share}) as bars, largest first: [{name, share, pct}] where
 * pct is its share of the whole (0–100, for the bar's width and its label).
 */
export function importanceRows(importance) {
  const entries = Object.entries(importance ?? {}).filter(([, share]) => isNumber(share) && share >= 0);
  const total = entries.reduce((sum, [, share]) => sum + share, 0);
  return entries
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, share]) => ({ name, share, pct: total > 0 ? (share / total) * 100 : 0 }));
}

// ---------- the Tune dialog's checks ----------

export const MIN_TRIALS = 1;
export const MAX_TRIALS = 1000;
export const MIN_TRIAL_STEPS = 1000;
export const MAX_TRIAL_STEPS = 10_000_000;

/** A number a person typed: {value} or {error}; `whole`: integers only. */
export function readNumber(raw, { whole = false } = {}) {
  const text = String(raw ?? "").trim().replace(/[,_\s](?=\d)/g, "");
  if (text === "") return { error: "Enter a value." };
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: `"${String(raw).trim()}" is not a number.` };
  if (whole && !Number.isInteger(value)) return { error: "Enter a whole number." };
  return { value };
}

/** A whole number within [min, max]: {value} or {error} naming the range. */
export function readWhole(raw, min, max, what) {
  const read = readNumber(raw, { whole: true });
  if (read.error) return { error: `${read.error} ${what}: ${grouped.format(min)} to ${grouped.format(max)}.` };
  if (read.value < min || read.value > max) {
    return { error: `${what} must be from ${grouped.format(min)} to ${grouped.format(max)}.` };
  }
  return read;
}

const boundsText = (bounds) => `${formatParamValue(bounds.low)} and ${formatParamValue(bounds.high)}`;

/** "32, 64 128" → {values} (unique numbers, in order) or {error}. */
export function parseChoices(text, { whole = false } = {}) {
  const parts = String(text ?? "").split(/[,;\s]+/).filter(Boolean);
  if (!parts.length) return { error: "Enter at least one value, separated by commas." };
  if (parts.length > 50) return { error: "At most 50 choices." };
  const values = [];
  for (const part of parts) {
    const read = readNumber(part, { whole });
    if (read.error) return { error: whole && Number.isFinite(Number(part)) ? `${part}: whole numbers only.` : `"${part}" is not a number.` };
    if (!values.includes(read.value)) values.push(read.value);
  }
  return { values };
}

/**
 * One parameter row of the Tune dialog → {spec} (what `params.<name>` sends) or {error}.
 * `row`: {kind: "range"|"choices", low, high, log, choices} as typed; `bounds`: {low, high}
 * (the server's safe bounds); `whole`: an integer parameter.
 */
export function checkParam(row, bounds, { whole = false } = {}) {
  const outside = (value) => bounds && (value < bounds.low || value > bounds.high);
  if (row.kind === "choices") {
    const parsed = parseChoices(row.choices, { whole });
    if (parsed.error) return parsed;
    const bad = parsed.values.find(outside);
    if (bad !== undefined) return { error: `${formatParamValue(bad)} is outside the safe range: keep between ${boundsText(bounds)}.` };
    return { spec: { choices: parsed.values } };
  }
  const low = readNumber(row.low, { whole });
  if (low.error) return { error: `Low: ${low.error}` };
  const high = readNumber(row.high, { whole });
  if (high.error) return { error: `High: ${high.error}` };
  if (low.value > high.value) return { error: "Low must not be above high." };
  if (outside(low.value) || outside(high.value)) return { error: `Keep between ${boundsText(bounds)} (the safe range).` };
  if (row.log && low.value <= 0) return { error: "A log scale needs low above 0." };
  return { spec: { low: low.value, high: high.value, log: Boolean(row.log) } };
}

/**
 * The rows of the search-space editor → {params, errors}: `params` the searched ones' specs,
 * `errors` [{field: "params.<name>", message}] (a "params" error when none is searched).
 */
export function buildSpace(rows, safeBounds, wholeNames = new Set()) {
  const params = {};
  const errors = [];
  for (const row of rows) {
    if (!row.search) continue;
    const checked = checkParam(row, safeBounds[row.name], { whole: wholeNames.has(row.name) });
    if (checked.error) errors.push({ field: `params.${row.name}`, message: checked.error });
    else params[row.name] = checked.spec;
  }
  if (!rows.some((row) => row.search)) errors.push({ field: "params", message: "Tick at least one parameter to search." });
  return { params, errors };
}

/** An editor row from a search-space spec (the server's default, or a range of the safe bounds). */
export function rowFromSpec(name, spec, search) {
  if (Array.isArray(spec?.choices)) {
    return { name, search, kind: "choices", choices: spec.choices.map(inputText).join(", "), low: "", high: "", log: false };
  }
  return { name, search, kind: "range", choices: "", low: inputText(spec?.low), high: inputText(spec?.high), log: Boolean(spec?.log) };
}

/** "params.learning_rate" → "learning_rate"; "config.n_envs" → null (not a parameter). */
export function paramOfField(field) {
  const match = /^params\.(.+)$/.exec(String(field ?? ""));
  return match ? match[1] : null;
}

/**
 * Rough time for a study: the preset's estimate scaled to `steps`, times the trials, over the
 * runs that may train at once. Null when any figure is missing.
 */
export function studySeconds({ presetSeconds, presetSteps, steps, trials, concurrent = 1 }) {
  if (![presetSeconds, presetSteps, steps, trials].every(isNumber) || presetSteps <= 0 || steps <= 0 || trials <= 0) {
    return null;
  }
  const parallel = Math.max(1, Math.min(isNumber(concurrent) ? concurrent : 1, trials));
  return ((presetSeconds * steps) / presetSteps) * Math.ceil(trials / parallel);
}

/** The steps a promoted run gets by default: the Standard preset's count for the algorithm. */
export function promoteDefaultSteps(presets, algorithm, fallback = 1_000_000) {
  const preset = (presets ?? []).find((p) => p.id === "standard") ?? (presets ?? [])[0];
  const steps = preset?.configs?.[algorithm]?.total_timesteps;
  return isNumber(steps) ? steps : fallback;
}
