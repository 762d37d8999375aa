// The bootstrap: wires the shell, registers the views, then loads what every tab shares.
// Everything else lives in its room: shell/ (the frame), runs/ (what any tab can do with a
// run), and one folder per tab.

import { registerActions } from "./shell/actions.js";
import { closeDialogOf } from "./shell/dialog.js";
import { load } from "./shell/loader.js";
import { registerView, startRouter } from "./shell/router.js";
import { watchDiskSpace } from "./shell/disk-space.js";
import { initTheme, toggleTheme } from "./shell/theme.js";
import { initOnboarding } from "./dashboard/onboarding.js";
import { registerRunActions } from "./runs/actions.js";
import { showRunNotices } from "./runs/notices.js";
import { syncRuns } from "./runs/sync.js";
import { initNewVideos } from "./videos-tab/new-videos.js";
import dashboardView from "./dashboard/view.js";
import experimentsView from "./experiments/view.js";
import modelsView from "./models/view.js";
import settingsView from "./settings/view.js";
import studiesView from "./studies/view.js";
import trainingView from "./training/view.js";
import videosView from "./videos-tab/view.js";

registerActions({
  "close-dialog": (target) => closeDialogOf(target),
  "toggle-theme": () => toggleTheme(),
  "skip-to-main": (_target, event) => {
    event.preventDefault(); // a "#main" hash would be read as a route
    document.getElementById("main").focus();
  },
});
initTheme();
registerRunActions();
syncRuns();
showRunNotices();
watchDiskSpace();
initOnboarding();
initNewVideos();
registerView("dashboard", dashboardView);
registerView("training", trainingView);
registerView("videos", videosView);
registerView("experiments", experimentsView);
registerView("models", modelsView);
registerView("studies", studiesView);
registerView("settings", settingsView);
startRouter();
load();
