// What a Training Monitor shows, as pure functions (no DOM, no state) that `node --test`
// checks: a metric's last two readings, the progress figures, the time line and the note
// under the figures.

import { formatDuration, formatInt } from "../shell/format.js";
import { runSeconds } from "./training-format.js";

/** Tracks one metric's readings: the latest and the one before it (a new value shifts). */
export function readings() {
  let previous = null;
  let latest = null;
  return {
    push(value) {
      if (typeof value !== "number" || !Number.isFinite(value) || value === latest) return;
      previous = latest;
      latest = value;
    },
    get previous() {
      return previous;
    },
    get latest() {
      return latest;
    },
  };
}

/**
 * {start, timestep, total, pct}: a continued run counts from its parent's steps; a
 * completed run is at 100 %, others clamped to 0–100.
 */
export function progressFigures(experiment) {
  const progress = experiment.progress ?? {};
  const start = experiment.lineage?.start_timestep ?? 0;
  const total = progress.total_timesteps ?? start + (experiment.config?.total_timesteps ?? 0);
  const completed = experiment.metadata?.status === "completed";
  const pct = completed ? 100 : Math.max(0, Math.min(100, Number(progress.progress_pct ?? 0)));
  return { start, timestep: progress.timestep ?? start, total, pct };
}

/** "12m 3s · 4m 10s left", "12m 3s · paused", or the time alone once it is not running. */
export function timeText(experiment, status) {
  const elapsed = formatDuration(runSeconds(experiment));
  const paused = (experiment.metadata?.status ?? "queued") === "paused";
  const eta = experiment.progress?.metrics?.eta_seconds;
  const left = paused ? "paused" : status === "running" ? `${formatDuration(eta)} left` : null;
  return left ? `${elapsed} · ${left}` : elapsed;
}

/** The note under the figures for a run that is queued, starting or paused: {text, tone}. */
export function monitorMessage(experiment, status) {
  const message = experiment.metadata?.status_message ?? "";
  if (status === "queued") {
    return { text: message || "Waiting for a training slot: it starts when the run before it ends.", tone: "note" };
  }
  if (status === "starting") {
    return { text: "Loading the game and the neural network: the first steps show up in a few seconds.", tone: "note" };
  }
  if (status === "paused") {
    const steps = formatInt(experiment.progress?.timestep ?? 0);
    return { text: `Paused at ${steps} steps. Resume carries on from here.`, tone: "paused" };
  }
  return { text: "", tone: "note" };
}
