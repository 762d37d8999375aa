// Export jobs this page started: their latest state from `export.progress` /
// `export.complete` / `export.failed` (shell/live.js), a toast when each one ends,
// and a slow poll as a safety net for events missed while the connection was down.
//
// Events and the 202 answer race (a small copy can finish before its answer arrives), so
// every job seen in an event is kept for a while and `newerJob` picks the later report.

import { api } from "../shell/api.js";
import { onLive, onReconnect } from "../shell/live.js";
import { showToast } from "../shell/toast.js";
import { isFinishedJob, jobToast, newerJob } from "./export-format.js";

const POLL_MS = 2500;
const KEEP_JOBS = 100;

const jobs = new Map(); // job id → {job, seen: ms}
const mine = new Set(); // ids of jobs started here
const notified = new Set();
const listeners = new Set();
let pollTimer = null;

for (const name of ["export.progress", "export.complete", "export.failed"]) {
  onLive(name, (payload) => {
    if (payload?.job?.id) update(payload.job);
  });
}

// After a (re)connection: events may have been missed, ask for the state of ours.
onReconnect(() => {
  for (const id of mine) if (!isFinishedJob(jobs.get(id)?.job)) poll(id);
});

/** A job this page started (the 202 answer): followed until it ends. Returns its latest state. */
export function trackJob(job) {
  mine.add(job.id);
  update(job);
  ensurePolling();
  return getJob(job.id);
}

export function getJob(id) {
  return jobs.get(id)?.job ?? null;
}

/** handler(job) on every change of any job; returns the unsubscribe function. */
export function onJobChange(handler) {
  listeners.add(handler);
  return () => listeners.delete(handler);
}

/** Cancels a job; resolves with its final state (the server waits until its files are gone). */
export async function cancelJob(id) {
  try {
    const { job } = await api.cancelExport(id);
    update(job);
  } catch (error) {
    // 409: it had finished meanwhile; its state is on the way (or one poll away).
    if (error.status !== 409) throw error;
    await poll(id);
  }
  return getJob(id);
}

function update(job) {
  const known = jobs.get(job.id)?.job;
  const next = newerJob(known, job);
  jobs.set(job.id, { job: next, seen: Date.now() });
  if (next !== known) {
    trim();
    for (const handler of listeners) handler(next);
  }
  // Also when nothing changed: the end may have come before the 202 made the job ours.
  if (mine.has(next.id) && isFinishedJob(next) && !notified.has(next.id)) {
    notified.add(next.id);
    const { kind, message, detail } = jobToast(next);
    showToast(message, { kind, detail });
  }
}

/** Keeps the newest jobs only (this page may live for days). */
function trim() {
  if (jobs.size <= KEEP_JOBS) return;
  for (const [id, { job }] of jobs) {
    if (jobs.size <= KEEP_JOBS) break;
    if (isFinishedJob(job) || !mine.has(id)) {
      jobs.delete(id);
      mine.delete(id);
      notified.delete(id);
    }
  }
}

async function poll(id) {
  try {
    const { job } = await api.exportJob(id);
    update(job);
  } catch (error) {
    // Gone (the server restarted): nothing more will come for it.
    if (error.status === 404) mine.delete(id);
  }
}

function ensurePolling() {
  pollTimer ??= setInterval(() => {
    const waiting = [...mine].filter((id) => !isFinishedJob(jobs.get(id)?.job));
    if (!waiting.length) {
      clearInterval(pollTimer);
      pollTimer = null;
      return;
    }
    const now = Date.now();
    for (const id of waiting) if (now - (jobs.get(id)?.seen ?? 0) >= POLL_MS) poll(id);
  }, POLL_MS);
}
