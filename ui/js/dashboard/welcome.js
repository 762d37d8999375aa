// The empty state: shown instead of Recent Activity until the first experiment exists. Its
// button starts a run with Quick Start's choices (the hint under it says which).

import { el } from "../shell/dom.js";
import { allExperiments, isLoaded } from "../shell/state.js";

const STEPS = ["Pick a game", "Click “Start Training”", "Watch your AI learn!"];

let card;

/** The card (`#welcome`), hidden until the runs have loaded and there is none. */
export function welcomeCard() {
  card = el(
    "section",
    { class: "card card--welcome", id: "welcome", dataset: { testid: "welcome" }, hidden: true, "aria-labelledby": "welcome-title" },
    el("h2", { class: "welcome__title", id: "welcome-title" }, "Welcome to Retro ML Trainer"),
    el("p", { class: "welcome__lead" }, "Get started in 3 easy steps:"),
    el(
      "ol",
      { class: "welcome__steps" },
      STEPS.map((step, index) =>
        el("li", {}, el("span", { class: "welcome__step-num", "aria-hidden": "true" }, String(index + 1)), el("span", {}, step)),
      ),
    ),
    el(
      "button",
      { type: "button", class: "button button--primary button--large", dataset: { action: "start-first" } },
      el("span", { class: "button__label" }, "Start Your First Training"),
    ),
    el("p", { class: "welcome__hint", dataset: { field: "welcome-choice" } }, "Uses the game and length chosen in Quick Start."),
  );
  return card;
}

/** Either the welcome card or `activity` (the Recent Activity card). */
export function renderWelcome(activity) {
  if (!isLoaded()) return;
  const empty = allExperiments().length === 0;
  card.hidden = !empty;
  activity.hidden = empty;
}
