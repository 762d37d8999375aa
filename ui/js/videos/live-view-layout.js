// The DOM of the live game view, built once: the "not training" notice, the Watch live
// toggle and its hint, the error line, and the view (the stage with the frame, its
// placeholder and Live badge; the step and figures beside it). live-view.js shows and
// fills its parts.

import { el } from "../shell/dom.js";
import { videoIcon } from "./icons.js";

/** `onToggle()` on a press of Watch live. Returns the root and every part live-view.js updates. */
export function liveViewLayout(onToggle) {
  const parts = {
    toggle: el(
      "button",
      {
        type: "button",
        class: "button button--small live-toggle",
        "aria-pressed": "false",
        dataset: { field: "live-toggle" },
        onclick: () => onToggle(),
      },
      videoIcon("eye", 14),
      el("span", { class: "button__label" }, "Watch live"),
    ),
    image: el("img", {
      class: "live__frame",
      alt: "The game screen of the training run's first environment, live",
      width: "320",
      height: "420",
      dataset: { field: "live-frame" },
      hidden: true,
    }),
    badge: el(
      "span",
      { class: "live__badge", dataset: { field: "live-badge" }, hidden: true },
      el("span", { class: "live__dot", "aria-hidden": "true" }),
      "Live",
    ),
    step: el("dd", { class: "live__step figure", dataset: { field: "live-step" } }, "—"),
    figures: {
      episodes: el("dd", { class: "figure", dataset: { field: "live-episodes" } }),
      mean: el("dd", { class: "figure", dataset: { field: "live-mean-reward" } }),
      best: el("dd", { class: "figure", dataset: { field: "live-best-reward" } }),
    },
    placeholder: el("div", { class: "live__placeholder", dataset: { field: "live-placeholder" } }),
    message: el("p", { class: "live__message", dataset: { field: "live-message" }, hidden: true }),
    errorSlot: el("p", {
      class: "card-message card-message--error",
      role: "alert",
      dataset: { field: "live-error" },
      hidden: true,
    }),
    toggleHint: el("span", { class: "live__hint", dataset: { field: "live-toggle-hint" } }),
    why: el("p", { class: "live__why", dataset: { field: "live-why" } }),
  };
  const fact = (label, value, extra = "") => el("div", { class: `live__fact${extra}` }, el("dt", {}, label), value);
  parts.stage = el(
    "div",
    { class: "live__stage" },
    parts.image,
    parts.placeholder,
    el("div", { class: "live__overlay" }, parts.badge),
  );
  parts.side = el(
    "div",
    { class: "live__side" },
    el(
      "dl",
      { class: "live__facts" },
      fact("Step", parts.step, " live__fact--main"),
      fact("Episodes", parts.figures.episodes),
      fact("Mean reward", parts.figures.mean),
      fact("Best reward", parts.figures.best),
    ),
    parts.message,
    el(
      "p",
      { class: "live__hint" },
      "The screen of the run's first game environment, drawn with sharp pixels. " +
        "Only rendered while someone watches.",
    ),
  );
  parts.view = el("div", { class: "live__view" }, parts.stage, parts.side);
  parts.controls = el("div", { class: "live__controls" }, parts.toggle, parts.toggleHint);
  parts.unavailable = el(
    "div",
    { class: "live__unavailable", dataset: { field: "live-unavailable" } },
    videoIcon("eye", 20),
    el("div", {}, el("p", {}, "Live view is available while the run trains."), parts.why),
  );
  const root = el(
    "div",
    { class: "live", dataset: { testid: "live-view" } },
    el("div", { class: "videos-section__head" }, el("h3", { class: "section-title" }, "Live game")),
    parts.unavailable,
    parts.controls,
    parts.errorSlot,
    parts.view,
  );
  return { root, parts };
}
