// How videos and milestones read on screen. Pure functions: no DOM, no state, so they
// run under `node --test` too.

import { ACTIVE_STATUSES, FINISHED_STATUSES } from "../shell/format.js";

const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

/** The worker's default when a run's config has no `milestone_every_pct`. */
export const DEFAULT_MILESTONE_EVERY_PCT = 10;

/** Statuses during which the game screen can be watched (the worker is alive). */
export const LIVE_STATUSES = new Set(["running", "paused"]);

/**
 * The milestone percentages a run records clips at, as the worker computes them:
 * 10 → [10, 20, …, 100]; 30 → [30, 60, 90, 100]; 0 → [] (clips off).
 */
export function milestonePcts(everyPct) {
  const every = everyPct === null || everyPct === undefined ? DEFAULT_MILESTONE_EVERY_PCT : Number(everyPct);
  if (!isNumber(every) || every <= 0) return [];
  const count = Math.floor(100 / every + 1e-9);
  const pcts = [];
  for (let index = 1; index <= count; index += 1) pcts.push(roundPct(every * index));
  if (!pcts.length || pcts[pcts.length - 1] < 100) pcts.push(100);
  return pcts;
}

const roundPct = (value) => Math.round(value * 1e6) / 1e6;

/** 50 → "50%", 12.5 → "12.5%". */
export function pctLabel(pct) {
  return `${roundPct(pct)}%`;
}

/**
 * One entry per milestone: {pct, state} where state is
 * - "done": its clip exists;
 * - "next": the one the run works towards (or is recording) while it runs or is paused;
 * - "pending": a later one;
 * - "missed": the run ended without it, its clip failed, or a later clip exists (several
 *   milestones passed within one rollout: the worker records only the latest).
 */
export function milestoneStates({ pcts, recorded = [], failed = [], status }) {
  const done = new Set(recorded.map(roundPct));
  const failedSet = new Set(failed.map(roundPct));
  const highestDone = Math.max(-Infinity, ...done);
  const finished = FINISHED_STATUSES.has(status);
  const live = LIVE_STATUSES.has(status);
  let nextGiven = false;
  return pcts.map((pct) => {
    if (done.has(pct)) return { pct, state: "done" };
    if (finished || failedSet.has(pct) || pct < highestDone) return { pct, state: "missed" };
    if (live && !nextGiven) {
      nextGiven = true;
      return { pct, state: "next" };
    }
    return { pct, state: "pending" };
  });
}

/**
 * Which milestone a failed clip was for, from the step it failed at: the highest milestone
 * the run had reached then. `startTimestep` is where a continued run started.
 */
export function milestoneAtTimestep(pcts, timestep, { startTimestep = 0, totalTimesteps } = {}) {
  if (!pcts.length || !isNumber(timestep) || !isNumber(totalTimesteps)) return null;
  const additional = totalTimesteps - startTimestep;
  if (additional <= 0) return null;
  const reached = (100 * (timestep - startTimestep)) / additional;
  const passed = pcts.filter((pct) => pct <= reached + 1e-6);
  return passed.length ? passed[passed.length - 1] : null;
}

/** "Milestone 30%", "Watch it learn (part 2)", "Watch it learn", "Evaluation". */
export function videoTypeLabel(video) {
  const metadata = video?.metadata ?? {};
  switch (video?.type) {
    case "milestone":
      return isNumber(metadata.milestone_pct) ? `Milestone ${pctLabel(metadata.milestone_pct)}` : "Milestone";
    case "hour":
      return isNumber(metadata.segment) ? `Watch it learn (part ${metadata.segment})` : "Watch it learn";
    case "evaluation":
      return "Evaluation";
    default: {
      const type = String(video?.type ?? "video");
      return type.charAt(0).toUpperCase() + type.slice(1);
    }
  }
}

/**
 * A video's length as the browser's player shows it (whole seconds, rounded down, so the
 * list and the player agree): 6.9 → "0:06", 754 → "12:34", 3725 → "1:02:05".
 */
export function formatClock(seconds) {
  if (!isNumber(seconds) || seconds < 0) return "—";
  const total = Math.floor(seconds + 1e-6);
  const pad = (n) => String(n).padStart(2, "0");
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  return hours ? `${hours}:${pad(minutes)}:${pad(secs)}` : `${minutes}:${pad(secs)}`;
}

/** Size in MB (10^6 bytes, as the API gives it): 0.008 → "0.01 MB", 19.84 → "19.8 MB", 2100 → "2.1 GB". */
export function formatSizeMb(mb) {
  if (!isNumber(mb) || mb < 0) return "—";
  if (mb >= 1000) return `${(mb / 1000).toFixed(1)} GB`;
  if (mb >= 1) return `${mb.toFixed(1)} MB`;
  if (mb >= 0.005) return `${mb.toFixed(2)} MB`;
  return "< 0.01 MB";
}

/** Game scores are whole numbers in Atari: -19 → "-19", 12.5 → "12.5", null → "—". */
export function formatScore(value) {
  if (!isNumber(value)) return "—";
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** An evaluation's games: "-21, -19, -20". */
export function formatScores(scores) {
  return (scores ?? []).filter(isNumber).map(formatScore).join(", ");
}

/**
 * What the video list says when a run has no videos yet: when the first one comes, or
 * why none will.
 */
export function emptyVideosText(experiment) {
  const config = experiment?.config ?? {};
  const status = experiment?.metadata?.status;
  const [firstMilestone] = milestonePcts(config.milestone_every_pct);
  const longVideo = isNumber(config.video_length_hours) && config.video_length_hours > 0;
  const evaluation = isNumber(config.eval_episodes) && config.eval_episodes > 0;
  if (FINISHED_STATUSES.has(status)) return "This run has no videos.";
  if (firstMilestone !== undefined) {
    return `No videos yet: the first milestone clip is recorded at ${pctLabel(firstMilestone)}.`;
  }
  if (longVideo) return "No videos yet: the first part of the “Watch it learn” video appears as it is filmed.";
  if (evaluation) return "No videos yet: the evaluation video is recorded when training completes.";
  if (ACTIVE_STATUSES.has(status) || !status) {
    return "This run records no videos: milestone clips, the long video and the evaluation are off in its settings.";
  }
  return "This run has no videos.";
}
