// The bootstrap: wires the modules together, owns the loading sequence, the socket
// subscriptions and the one delegated click handler for every `data-action`.

import { api, onConnectivity } from "./shell/api.js";
import { setText } from "./shell/dom.js";
import { connectSocket } from "./shell/socket.js";
import * as state from "./shell/state.js";
import { initTheme, toggleTheme } from "./shell/theme.js";
import { showToast } from "./shell/toast.js";
import { controlExperiment, retryExperiment } from "./lifecycle.js";
import { initActivity, renderActivity, updateActivityProgress } from "./dashboard/activity.js";
import { initContinueDialog, openContinue, submitContinue } from "./dashboard/continue-dialog.js";
import { initDeleteDialog, openDelete, submitDelete } from "./dashboard/delete-dialog.js";
import {
  handleDetailsEvent,
  initDetailsDialog,
  openDetails,
  renderDetails,
  setDetailsSocket,
  shareModel,
  updateDetailsProgress,
} from "./dashboard/details-dialog.js";
import { initQuickStart, renderQuickStart, startTraining } from "./dashboard/quick-start.js";
import { initRecentExperiments, renderRecentExperiments, updateRecentRow } from "./dashboard/recent-experiments.js";
import { initLatestVideos, refreshLatestVideos, renderLatestVideos } from "./dashboard/latest-videos.js";
import { initOnboarding } from "./dashboard/onboarding.js";
import {
  initSystemStatus,
  startSystemStatus,
  stopSystemStatus,
} from "./dashboard/system-status.js";
import { renderWelcome } from "./dashboard/welcome.js";
import { handleExportEvent, resyncExportJobs } from "./videos/export-jobs.js";
import { attachSocket, notifyConnected } from "./shell/live.js";
import { registerView, startRouter } from "./shell/router.js";
import { loadSettings } from "./shell/settings.js";
import trainingView from "./training/view.js";
import videosView from "./videos-tab/view.js";
import { initNewVideos } from "./videos-tab/new-videos.js";
import experimentsView from "./experiments/view.js";
import settingsView from "./settings/view.js";

let socket = null; // a promise of the socket wrapper, once the API let us in
let loading = null;
let signedOut = false;

// ---------- actions (event delegation on data-action) ----------

const experimentIdOf = (target) => target.closest("[data-experiment-id]")?.dataset.experimentId;

const actions = {
  "start-training": (_target, event) => {
    event.preventDefault(); // it is the form's submit button: no page load
    startTraining();
  },
  "start-first": () => startTraining(),
  "view-details": (target) => openDetails(experimentIdOf(target)),
  "share-model": (target) => shareModel(experimentIdOf(target)),
  pause: (target) => controlExperiment("pause", experimentIdOf(target)),
  resume: (target) => controlExperiment("resume", experimentIdOf(target)),
  stop: (target) => controlExperiment("stop", experimentIdOf(target)),
  continue: (target) => openContinue(experimentIdOf(target)),
  "start-continue": (_target, event) => {
    event.preventDefault(); // the dialog form's submit button
    submitContinue();
  },
  retry: (target) => retryExperiment(experimentIdOf(target)),
  delete: (target) => openDelete(experimentIdOf(target)),
  "confirm-delete": () => submitDelete(),
  "close-dialog": (target) => target.closest("dialog")?.close(),
  reconnect: () => load(),
  "toggle-theme": () => toggleTheme(),
  "skip-to-main": (_target, event) => {
    event.preventDefault(); // a "#main" hash would be read as a route
    document.getElementById("main").focus();
  },
};

document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-action]");
  if (!target) return;
  if (target.disabled || target.getAttribute("aria-disabled") === "true") {
    event.preventDefault(); // a busy submit button must not submit its form either
    return;
  }
  actions[target.dataset.action]?.(target, event);
});

// ---------- loading and resync ----------

function load() {
  loading ??= (async () => {
    const retry = document.querySelector('#offline-banner [data-action="reconnect"]');
    retry.disabled = true;
    setText(retry, "Retrying…");
    try {
      const [games, presets, list] = await Promise.all([
        api.games(),
        api.presets(),
        api.experiments(),
        loadSettings(),
      ]);
      state.setCatalog({
        games: games.games ?? [],
        presets: presets.presets ?? [],
        algorithms: presets.algorithms ?? [],
      });
      state.setExperiments(list.experiments ?? []);
      refreshLatestVideos();
      setOffline(false);
      startSystemStatus();
      socket ??= startSocket();
    } catch (error) {
      // auth and offline have their own screens (see onConnectivity below).
      if (error.kind === "http" || error.kind === "server") {
        showToast("The dashboard could not load", { kind: "error", detail: error.message });
      }
    } finally {
      retry.disabled = false;
      setText(retry, "Retry");
      loading = null;
    }
  })();
  return loading;
}

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

/** A finished run measured this machine's speed: Quick Start's estimate can say so. */
async function refreshEstimates() {
  try {
    state.setPresets(await api.presets());
  } catch {
    // The old estimate stays; the banner or sign-in screen says what is wrong.
  }
}

// ---------- live events ----------

const CONNECTION_LABELS = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  unavailable: "Not live",
};

const CONNECTION_TITLES = {
  connecting: "Connecting to the training server for live updates",
  live: "Live: progress updates arrive as they happen",
  reconnecting: "Lost the live connection; trying again. Figures may be behind.",
  unavailable: "Live updates could not start. Reload the page to try again.",
};

function setConnection(connectionState) {
  const node = document.getElementById("connection");
  node.dataset.state = connectionState;
  node.title = CONNECTION_TITLES[connectionState];
  setText(node.querySelector("[data-field='connection-label']"), CONNECTION_LABELS[connectionState]);
}

async function startSocket() {
  const live = await connectSocket({
    onState: setConnection,
    // Events sent while we were away are gone: fetch the truth again. A new connection
    // has no live watches either: the live view asks again.
    onConnect: () => {
      resync();
      loadSettings().catch(() => {}); // the banner says what is wrong
      handleDetailsEvent("connect", {});
      resyncExportJobs();
      notifyConnected();
    },
  });
  attachSocket(live);
  setDetailsSocket(live);
  live.on("training.progress", (payload) => {
    if (!state.applyProgress(payload)) refreshExperiment(payload.experiment_id);
  });
  live.on("experiment.status", (payload) => refreshExperiment(payload.experiment_id));
  live.on("training.complete", (payload) => refreshExperiment(payload.experiment_id));
  live.on("video.generated", (payload) => handleDetailsEvent("video.generated", payload));
  live.on("live.frame", (payload) => handleDetailsEvent("live.frame", payload));
  for (const name of ["export.progress", "export.complete", "export.failed"]) {
    live.on(name, (payload) => handleExportEvent(name, payload));
  }
  live.on("video.failed", (payload) => {
    handleDetailsEvent("video.failed", payload);
    const experiment = state.getExperiment(payload.experiment_id);
    showToast(`A video could not be recorded${experiment ? `: ${experiment.name}` : ""}`, {
      kind: "error",
      detail: `${payload.message} Training goes on.`,
    });
  });
  return live;
}

// ---------- state → view ----------

state.on("catalog", () => renderQuickStart());

state.on("experiments", () => {
  renderWelcome();
  renderActivity();
  renderRecentExperiments();
  renderLatestVideos();
  renderDetails();
});

state.on("progress", (experiment) => {
  updateActivityProgress(experiment);
  updateRecentRow(experiment);
  updateDetailsProgress(experiment);
});

state.on("transition", ({ experiment, to }) => {
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
});

// ---------- connectivity: signed out, server unreachable ----------

function setOffline(offline) {
  if (signedOut) return;
  document.getElementById("offline-banner").hidden = !offline;
}

onConnectivity("offline", () => setOffline(true));
onConnectivity("online", () => setOffline(false));
onConnectivity("auth", () => {
  if (signedOut) return;
  signedOut = true;
  stopSystemStatus();
  socket?.then((live) => live.close());
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  document.getElementById("offline-banner").hidden = true;
  for (const view of document.querySelectorAll("[data-view]")) view.hidden = true;
  document.querySelector(".tabs").hidden = true;
  document.getElementById("connection").hidden = true;
  document.getElementById("auth-required").hidden = false;
  document.title = "Sign-in link needed · Retro ML Trainer";
});

// ---------- start ----------

initTheme();
initQuickStart();
initActivity();
initRecentExperiments();
initLatestVideos();
initOnboarding();
initSystemStatus();
initDetailsDialog();
initContinueDialog();
initDeleteDialog();
initNewVideos();
registerView("dashboard", { title: "Dashboard" });
registerView("training", trainingView);
registerView("videos", videosView);
registerView("experiments", experimentsView);
registerView("settings", settingsView);
startRouter();
load();
