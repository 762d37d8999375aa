// What the UI knows, in one place. Modules read it and subscribe to changes; what fetches
// or changes runs writes it (shell/loader.js, runs/sync.js, the run actions and forms).

import { ACTIVE_STATUSES, FINISHED_STATUSES } from "./format.js";

const experiments = new Map();
const catalog = { games: [], gamesById: new Map(), presets: [], algorithms: [] };
let experimentsLoaded = false;
let catalogLoaded = false;

const listeners = new Map();

/**
 * Events: "experiments" (the list changed), "progress" (one experiment's progress,
 * arg: experiment), "transition" (arg: {experiment, from, to}), "catalog".
 */
export function on(event, handler) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(handler);
  return () => listeners.get(event).delete(handler);
}

function emit(event, arg) {
  for (const handler of listeners.get(event) ?? []) handler(arg);
}

const statusOf = (experiment) => experiment?.metadata?.status;
const createdOf = (experiment) => experiment?.metadata?.created ?? "";
const finishedOf = (experiment) =>
  experiment?.metadata?.finished ?? experiment?.metadata?.updated ?? createdOf(experiment);

/**
 * Merges a fresh record over the one we hold. Progress events can be newer than the
 * record the server last persisted, so a record never moves a live run backwards.
 */
function merge(previous, next) {
  if (!previous) return next;
  const sameStatus = statusOf(previous) === statusOf(next);
  const before = previous.progress?.timestep ?? 0;
  const after = next.progress?.timestep ?? 0;
  if (sameStatus && after < before) return { ...next, progress: previous.progress };
  return next;
}

function store(next) {
  const previous = experiments.get(next.id);
  const merged = merge(previous, next);
  experiments.set(next.id, merged);
  const from = statusOf(previous);
  const to = statusOf(merged);
  if (previous && from !== to) emit("transition", { experiment: merged, from, to });
  return merged;
}

/** Replaces the whole list (initial load, resync after a reconnect). */
export function setExperiments(list) {
  const ids = new Set(list.map((experiment) => experiment.id));
  for (const id of [...experiments.keys()]) if (!ids.has(id)) experiments.delete(id);
  list.forEach(store);
  experimentsLoaded = true;
  emit("experiments");
}

export function upsertExperiment(experiment) {
  const stored = store(experiment);
  emit("experiments");
  return stored;
}

/** Forgets a run the server deleted. */
export function removeExperiment(id) {
  if (!experiments.delete(id)) return;
  emit("experiments");
}

/** Applies a `training.progress` payload in place. Returns false for an unknown run. */
export function applyProgress(payload) {
  const experiment = experiments.get(payload.experiment_id);
  if (!experiment) return false;
  const current = experiment.progress ?? {};
  if ((payload.timestep ?? 0) < (current.timestep ?? 0)) return true; // out of order
  experiment.progress = {
    timestep: payload.timestep,
    total_timesteps: payload.total_timesteps ?? current.total_timesteps,
    progress_pct: payload.progress_pct,
    metrics: { ...(current.metrics ?? {}), ...(payload.metrics ?? {}) },
  };
  // A progress report means the worker runs, even if its status event was missed.
  if (statusOf(experiment) === "queued") {
    experiment.metadata = { ...experiment.metadata, status: "running" };
    emit("transition", { experiment, from: "queued", to: "running" });
    emit("experiments");
  }
  emit("progress", experiment);
  return true;
}

export function getExperiment(id) {
  return experiments.get(id) ?? null;
}

export function isLoaded() {
  return experimentsLoaded;
}

/** Every experiment, newest first. */
export function allExperiments() {
  return [...experiments.values()].sort((a, b) => createdOf(b).localeCompare(createdOf(a)));
}

/** Running/queued/paused runs (newest first), then the most recently finished one. */
export function activityExperiments() {
  const all = allExperiments();
  const active = all.filter((experiment) => ACTIVE_STATUSES.has(statusOf(experiment)));
  const finished = all
    .filter((experiment) => FINISHED_STATUSES.has(statusOf(experiment)))
    .sort((a, b) => finishedOf(b).localeCompare(finishedOf(a)));
  return finished.length ? [...active, finished[0]] : active;
}

export function setCatalog({ games, presets, algorithms }) {
  catalog.games = [...games].sort((a, b) => a.name.localeCompare(b.name));
  catalog.gamesById = new Map(games.map((game) => [game.id, game]));
  catalog.presets = presets;
  catalog.algorithms = algorithms ?? [];
  catalogLoaded = true;
  emit("catalog");
}

/** New presets (fresh time estimates) with the same games. */
export function setPresets({ presets, algorithms }) {
  catalog.presets = presets ?? catalog.presets;
  catalog.algorithms = algorithms ?? catalog.algorithms;
  emit("catalog");
}

/** Whether the games and presets have loaded (the list may still be empty). */
export function isCatalogLoaded() {
  return catalogLoaded;
}

export function getCatalog() {
  return catalog;
}

export function gameName(id) {
  return catalog.gamesById.get(id)?.name ?? id;
}
