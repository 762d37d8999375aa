// The Dashboard tab: the welcome card or Recent Activity, Latest Videos, Quick Start, Recent
// Experiments and the System Status strip. Each card is its own module; this one lays them
// out and keeps them in step with the shared state.

import { onConnectivity } from "../shell/api.js";
import { registerActions } from "../shell/actions.js";
import { append, el } from "../shell/dom.js";
import { onLoaded } from "../shell/loader.js";
import * as state from "../shell/state.js";
import { activityCard, renderActivity, updateActivityProgress } from "./activity.js";
import { latestVideosCard, refreshLatestVideos, renderLatestVideos } from "./latest-videos.js";
import { quickStartCard, renderQuickStart, startTraining } from "./quick-start.js";
import { recentExperimentsCard, renderRecentExperiments, updateRecentRow } from "./recent-experiments.js";
import { startSystemStatus, stopSystemStatus, systemStatusStrip } from "./system-status.js";
import { renderWelcome, welcomeCard } from "./welcome.js";

export default {
  title: "Dashboard",
  init(container) {
    const activity = activityCard();
    append(container, [
      el("div", { class: "dashboard__head" }, el("h1", { class: "page-title" }, "Dashboard")),
      el(
        "div",
        { class: "dashboard__grid" },
        el("div", { class: "dashboard__main" }, welcomeCard(), activity, latestVideosCard()),
        el("aside", { class: "dashboard__side" }, quickStartCard(), recentExperimentsCard()),
      ),
      systemStatusStrip(),
    ]);

    registerActions({
      "start-training": (_target, event) => {
        event.preventDefault(); // it is the form's submit button: no page load
        startTraining();
      },
      "start-first": () => startTraining(),
    });

    const renderRuns = () => {
      renderWelcome(activity);
      renderActivity();
      renderRecentExperiments();
      renderLatestVideos();
    };
    state.on("catalog", () => renderQuickStart());
    state.on("experiments", renderRuns);
    state.on("progress", (experiment) => {
      updateActivityProgress(experiment);
      updateRecentRow(experiment);
    });
    // Shown after the first load (another tab was first): what is known already.
    if (state.isCatalogLoaded()) renderQuickStart();
    if (state.isLoaded()) renderRuns();

    onLoaded(() => {
      refreshLatestVideos();
      startSystemStatus();
    });
    onConnectivity("auth", () => stopSystemStatus());
  },
};
