// Which of a version's actions can run now, and why not: a button that cannot act is
// aria-disabled with the reason as its tooltip, never dead.

import { ACTIVE_STATUSES } from "../shell/format.js";

let watchModule = null; // ./watch.js once loaded (the live view of a model playing)
let watchError = null;
let watchProbe = null;

/** Loads the live-watch client once; resolves either way (its absence disables Watch). */
export function watchAvailability() {
  watchProbe ??= import("./watch.js")
    .then((module) => {
      watchModule = module;
    })
    .catch((error) => {
      watchError = error;
      console.warn("The live watch client did not load", error);
    });
  return watchProbe;
}

export const watchClient = () => watchModule;

const WATCH_LOADING = "Watch is getting ready: try again in a moment";
const WATCH_MISSING = "Watch live is not available in this version of the app";

/**
 * {evaluate, watch, export, delete}: null when the action can run for `model` (its run
 * `experiment` may be unknown: an import's), else the reason it cannot.
 */
export function actionReasons(model, experiment) {
  const running = experiment && ACTIVE_STATUSES.has(experiment.metadata?.status);
  return {
    evaluate: null,
    watch: watchModule ? null : watchError ? WATCH_MISSING : WATCH_LOADING,
    export: null,
    delete:
      running && model.kind !== "checkpoint"
        ? "Its run is still training: stop the run before deleting its model"
        : null,
  };
}
