// What any tab can do with a run, as `data-action` buttons inside an element that carries
// the run's `data-experiment-id`: details, share, pause/resume/stop, continue, retry, delete.

import { registerActions } from "../shell/actions.js";
import { controlExperiment, retryExperiment } from "./lifecycle.js";
import { openContinue, submitContinue } from "./continue-dialog.js";
import { openDelete, submitDelete } from "./delete-dialog.js";
import { openDetails, shareModel } from "./details-dialog.js";

const experimentIdOf = (target) => target.closest("[data-experiment-id]")?.dataset.experimentId;

/** Registers the run actions with the shell's one click handler. */
export function registerRunActions() {
  registerActions({
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
  });
}
