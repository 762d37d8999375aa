// Keeps the runs in shell/state.js in step with the server: a progress event is applied in
// place, a status event fetches the run again, and every (re)connection fetches the list
// again (events sent while the connection was down are gone).

import { api } from "../shell/api.js";
import { onLive, onReconnect } from "../shell/live.js";
import * as state from "../shell/state.js";

async function resync() {
  try {
    const { experiments } = await api.experiments();
    state.setExperiments(experiments ?? []);
  } catch {
    // The banner or sign-in screen already says what is wrong.
  }
}

// Coalesces refreshes per experiment: a burst of events makes at most one extra fetch.
const refreshing = new Map();

async function refreshExperiment(id) {
  if (!id) return;
  const pending = refreshing.get(id);
  if (pending) {
    pending.again = true;
    return;
  }
  const entry = { again: true };
  refreshing.set(id, entry);
  try {
    while (entry.again) {
      entry.again = false;
      const { experiment } = await api.experiment(id);
      state.upsertExperiment(experiment);
    }
  } catch (error) {
    if (error.kind === "http" || error.kind === "server") console.warn(error.message);
  } finally {
    refreshing.delete(id);
  }
}

/** Subscribes to the run events (once, at start). */
export function syncRuns() {
  onLive("training.progress", (payload) => {
    if (!state.applyProgress(payload)) refreshExperiment(payload.experiment_id);
  });
  onLive("experiment.status", (payload) => refreshExperiment(payload.experiment_id));
  onLive("training.complete", (payload) => refreshExperiment(payload.experiment_id));
  onReconnect(resync);
}
