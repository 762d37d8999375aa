// The empty state: shown instead of Recent Activity until the first experiment exists.

import { allExperiments, isLoaded } from "../shell/state.js";

export function renderWelcome() {
  if (!isLoaded()) return;
  const empty = allExperiments().length === 0;
  document.getElementById("welcome").hidden = !empty;
  document.getElementById("activity").hidden = empty;
}
