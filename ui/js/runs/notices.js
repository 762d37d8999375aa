// The toasts about runs that any tab shows: a run completed, failed, stopped or was
// interrupted, or could not film a video.

import { api } from "../shell/api.js";
import { onLive } from "../shell/live.js";
import * as state from "../shell/state.js";
import { showToast } from "../shell/toast.js";

/** A finished run measured this machine's speed: Quick Start's estimate can say so. */
async function refreshEstimates() {
  try {
    state.setPresets(await api.presets());
  } catch {
    // The old estimate stays; the banner or sign-in screen says what is wrong.
  }
}

function onTransition({ experiment, to }) {
  const message = experiment.metadata?.status_message;
  const reward = experiment.final_metrics?.mean_reward ?? experiment.progress?.metrics?.mean_reward;
  if (to === "completed") {
    refreshEstimates();
    const score = typeof reward === "number" ? ` Mean reward ${reward.toFixed(1)}.` : "";
    showToast(`Training completed: ${experiment.name}`, {
      kind: "success",
      detail: `The model is saved.${score}`,
    });
  } else if (to === "failed") {
    showToast(`Training failed: ${experiment.name}`, {
      kind: "error",
      detail: message || "Open View Details and check worker.log in the run folder.",
    });
  } else if (to === "stopped") {
    showToast(`Training stopped: ${experiment.name}`, {
      kind: "info",
      detail: "The model learned so far is saved.",
    });
  } else if (to === "interrupted") {
    showToast(`Training interrupted: ${experiment.name}`, {
      kind: "error",
      detail: message || "The worker ended unexpectedly.",
    });
  }
}

function onVideoFailed(payload) {
  const experiment = state.getExperiment(payload.experiment_id);
  showToast(`A video could not be recorded${experiment ? `: ${experiment.name}` : ""}`, {
    kind: "error",
    detail: `${payload.message} Training goes on.`,
  });
}

/** The create/continue/retry answer's `warning`: the run's estimated files may not fit the disk. */
export function showDiskWarning(warning) {
  if (warning) showToast("Disk space may run short", { kind: "error", detail: warning });
}

/** Subscribes the notices (once, at start). */
export function showRunNotices() {
  state.on("transition", onTransition);
  onLive("video.failed", onVideoFailed);
}
