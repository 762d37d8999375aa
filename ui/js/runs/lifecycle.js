// Run control: pause, resume, stop, retry, continue and delete. One request per run at a time;
// views ask `pendingAction(id)` to show which button is busy and re-render on
// `onPendingChange`.

import { api } from "../shell/api.js";
import { el, icon, showButtonBusy } from "../shell/dom.js";
import { ACTIVE_STATUSES, FINISHED_STATUSES } from "../shell/format.js";
import * as state from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { showDiskWarning } from "./notices.js";

/** The run controls (Dashboard cards, Training monitors), in order, and when each shows (by the server's status). */
export const RUN_CONTROLS = {
  pause: {
    label: "Pause",
    busy: "Pausing…",
    icon: "pause",
    class: "",
    title: "Pause training: the run keeps its progress and frees the CPU until you resume it",
    shows: (status) => status === "running",
  },
  resume: {
    label: "Resume",
    busy: "Resuming…",
    icon: "play",
    class: "button--primary",
    title: "Resume training from the step where it paused",
    shows: (status) => status === "paused",
  },
  stop: {
    label: "Stop",
    busy: "Stopping…",
    icon: "stop",
    class: "button--danger",
    title: "Stop training and keep the model learned so far",
    shows: (status) => ACTIVE_STATUSES.has(status),
  },
};

/** The Pause/Resume/Stop buttons, hidden until `updateRunControls` shows those the run's status allows. */
export function runControlButtons() {
  return Object.entries(RUN_CONTROLS).map(([action, control]) =>
    el(
      "button",
      {
        type: "button",
        class: `button ${control.class}`,
        dataset: { action },
        title: control.title,
        hidden: true,
      },
      icon(control.icon),
      el("span", { class: "button__label" }, control.label),
    ),
  );
}

/**
 * Shows the controls in `root` (buttons with `data-action` pause/resume/stop) that the run's
 * status allows; while one request is in flight its button spins and the others wait (a pause
 * and a stop must not race). Pause and Resume swap places: keyboard focus follows.
 */
export function updateRunControls(root, experiment) {
  const status = experiment.metadata?.status ?? "queued";
  const busy = ACTIVE_STATUSES.has(status) ? pendingAction(experiment.id) : null;
  let lostFocus = false;
  for (const [action, control] of Object.entries(RUN_CONTROLS)) {
    const button = root.querySelector(`[data-action="${action}"]`);
    const hidden = !control.shows(status);
    if (hidden && !button.hidden && button.contains(document.activeElement)) lostFocus = true;
    button.hidden = hidden;
    const mine = busy === action;
    const key = `${busy}|${mine}`;
    if (button.dataset.busy === key) continue;
    button.dataset.busy = key;
    showButtonBusy(button, { blocked: Boolean(busy), mine, label: control.label, busyLabel: control.busy });
  }
  if (lostFocus) {
    (
      root.querySelector('[data-action="resume"]:not([hidden])') ??
      root.querySelector('[data-action="pause"]:not([hidden])') ??
      root.querySelector('[data-action="view-details"]')
    ).focus();
  }
}

const pending = new Map(); // experiment id → "pause" | "resume" | "stop" | "retry" | "continue" | "delete"
const listeners = new Set();

/** The request in flight for this run, or null. */
export function pendingAction(id) {
  return pending.get(id) ?? null;
}

/** Calls `handler(id)` whenever a run's pending request starts or ends. */
export function onPendingChange(handler) {
  listeners.add(handler);
  return () => listeners.delete(handler);
}

function setPending(id, action) {
  if (action) pending.set(id, action);
  else pending.delete(id);
  for (const handler of listeners) handler(id);
}

// The server accepts a stop at once, but the run ends only once the worker has saved its
// model: the button says "Stopping…" until then.
state.on("transition", ({ experiment, to }) => {
  if (FINISHED_STATUSES.has(to) && pending.get(experiment.id) === "stop") {
    setPending(experiment.id, null);
  }
});

/** After a refusal (409: someone else changed the run), show what the run really is now. */
async function refetch(id) {
  try {
    const { experiment } = await api.experiment(id);
    state.upsertExperiment(experiment);
  } catch {
    // The banner or the sign-in screen already says what is wrong.
  }
}

const CONTROLS = {
  pause: { request: api.pauseExperiment, failure: "Could not pause the training" },
  resume: { request: api.resumeExperiment, failure: "Could not resume the training" },
  stop: { request: api.stopExperiment, failure: "Could not stop the training" },
};

/** Pause, resume or stop a run (`action` is the button's data-action). */
export async function controlExperiment(action, id) {
  const control = CONTROLS[action];
  if (!control || !id || pending.has(id)) return;
  setPending(id, action);
  let keep = false;
  try {
    const { experiment } = await control.request(id);
    const stored = state.upsertExperiment(experiment);
    keep = action === "stop" && ACTIVE_STATUSES.has(stored.metadata?.status);
  } catch (error) {
    if (error.kind === "auth") return;
    showToast(control.failure, { kind: "error", detail: error.message });
    if (error.kind === "http") refetch(id);
  } finally {
    if (!keep) setPending(id, null);
  }
}

/** A new run with the same settings as a failed or interrupted one. */
export async function retryExperiment(id) {
  const parent = state.getExperiment(id);
  if (!parent || pending.has(id)) return;
  setPending(id, "retry");
  try {
    const { experiment, warning } = await api.retryExperiment(id);
    state.upsertExperiment(experiment);
    showToast(`Retrying ${parent.name}`, {
      kind: "success",
      detail: `${experiment.name} — follow it in Recent Activity.`,
    });
    showDiskWarning(warning);
  } catch (error) {
    if (error.kind === "auth") return;
    showToast("Could not retry the training", { kind: "error", detail: error.message });
    if (error.kind === "http") refetch(id);
  } finally {
    setPending(id, null);
  }
}

/**
 * A new run that loads this run's model and trains `steps` more. Throws the ApiError so
 * the dialog can show it beside its field.
 */
export async function continueExperiment(id, steps, keepReplayBuffer) {
  const parent = state.getExperiment(id);
  if (!parent || pending.has(id)) return null;
  setPending(id, "continue");
  try {
    const { experiment, warning } = await api.continueExperiment(id, steps, keepReplayBuffer);
    state.upsertExperiment(experiment);
    showToast(`Continuing ${parent.name}`, {
      kind: "success",
      detail: `${experiment.name} — follow it in Recent Activity.`,
    });
    showDiskWarning(warning);
    return experiment;
  } finally {
    setPending(id, null);
  }
}

/**
 * Deletes a finished run: its record and its folder (model, checkpoints, logs). Throws the
 * ApiError so the confirmation dialog can show the server's reason; after a 409 the run
 * is fetched again (it may be running now), after a 404 it is forgotten (it is gone).
 */
export async function deleteExperiment(id) {
  const experiment = state.getExperiment(id);
  if (!experiment || pending.has(id)) return false;
  setPending(id, "delete");
  try {
    await api.deleteExperiment(id);
  } catch (error) {
    if (error.status === 409) refetch(id);
    throw error;
  } finally {
    setPending(id, null);
  }
  state.removeExperiment(id);
  showToast(`Deleted ${experiment.name}`, {
    kind: "success",
    detail: "Its model, checkpoints and logs are removed.",
  });
  return true;
}
