// Small pieces the Studies pages share: a study's status badge and a trial's state badge, both
// the runs' `.status` badge (status.css) with the study's or trial's own word.

import { el } from "../shell/dom.js";
import { studyStatusLabel, trialBadgeStatus, trialStateLabel } from "./studies-format.js";

function badge(status, label, field) {
  return el(
    "span",
    { class: "status", dataset: { status, field } },
    el("span", { class: "status__dot", "aria-hidden": "true" }),
    el("span", {}, label),
  );
}

/** running → Running (the running colour), stopped, completed. */
export const studyBadge = (status) => badge(status, studyStatusLabel(status), "study-status");

/** A trial's state with the colour of the run status it matches (complete → completed…). */
export function trialBadge(state) {
  const node = badge(trialBadgeStatus(state), trialStateLabel(state), "trial-state");
  node.dataset.state = state;
  return node;
}
