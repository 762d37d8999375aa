// The model jobs (evaluate, compare, export) the page knows of, kept from their events
// (`model.evaluation.*`, `model.comparison.*`, `model.export.*`, each `{job}`), so a dialog
// closed while its job runs loses nothing: the row shows the job, reopening shows it again.
// After a reconnect the events missed meanwhile are fetched again from the job's own URL.

import { onLive, onReconnect } from "../shell/live.js";
import { modelExportJob, modelJob } from "./api.js";
import { JOB_FINISHED } from "./models-format.js";

const FAMILIES = {
  "model.evaluation": "evaluate",
  "model.comparison": "compare",
  "model.export": "export",
};

const jobs = new Map(); // job id → {kind, job}
const listeners = new Set(); // (kind, job, phase) => void; phase: progress | complete | failed

function notify(kind, job, phase) {
  for (const listener of listeners) {
    try {
      listener(kind, job, phase);
    } catch (error) {
      console.error("A model job listener failed", error);
    }
  }
}

/** Takes in a job (an event's, or a route's 202 answer). */
export function trackJob(kind, job) {
  if (!job?.id) return;
  const known = jobs.get(job.id)?.job;
  // A late progress event must not undo a finish seen first.
  if (known && JOB_FINISHED.has(known.status) && !JOB_FINISHED.has(job.status)) return;
  jobs.set(job.id, { kind, job });
  const phase = job.status === "completed" ? "complete" : job.status === "failed" || job.status === "cancelled" ? "failed" : "progress";
  notify(kind, job, phase);
}

/** `listener(kind, job, phase)` for every job change; returns an unsubscribe function. */
export function onJob(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const getJob = (jobId) => jobs.get(jobId)?.job ?? null;

/** The unfinished jobs of `kind` about `modelId` (its evaluation, its export). */
export function runningJobsOf(kind, modelId) {
  return [...jobs.values()]
    .filter((entry) => entry.kind === kind && !JOB_FINISHED.has(entry.job.status))
    .map((entry) => entry.job)
    .filter((job) => job.model_id === modelId || (job.model_ids ?? []).includes(modelId));
}

let started = false;

/** Subscribes once to the job events (the first time the tab or a run's page needs them). */
export function startJobTracking() {
  if (started) return;
  started = true;
  for (const [prefix, kind] of Object.entries(FAMILIES)) {
    for (const phase of ["progress", "complete", "failed"]) {
      onLive(`${prefix}.${phase}`, (payload) => trackJob(kind, payload?.job));
    }
  }
  onReconnect(() => {
    for (const { kind, job } of [...jobs.values()]) {
      if (JOB_FINISHED.has(job.status)) continue;
      const fetchJob = kind === "export" ? modelExportJob : modelJob;
      fetchJob(job.id)
        .then((answer) => trackJob(kind, answer.job))
        .catch(() => {});
    }
  });
}
