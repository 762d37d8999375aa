// The first-launch tips: three tips in a dialog, shown once per launch until the user ticks
// "Don't show again" (saved server-side as `onboarding_done`: the desktop window's web
// storage does not persist).

import { createDialog } from "../shell/dialog.js";
import { el } from "../shell/dom.js";
import { onSettings, saveSettings } from "../shell/settings.js";
import { showToast } from "../shell/toast.js";

const TIPS = [
  {
    title: "Pick a game, press Start",
    text: "Quick Start on the Dashboard trains a real agent with good defaults and tells you how long it will take.",
  },
  {
    title: "Watch it learn, live",
    text: "The Training tab shows live charts, the game as the agent plays it, and a clip at every 10% milestone.",
  },
  {
    title: "Keep and share the best moments",
    text: "The Videos tab plays every clip and the long “watch it learn” video, and exports them for YouTube or X.",
  },
];

let dialog = null; // createDialog's controller, once built
let shownThisLaunch = false;

export function initOnboarding() {
  onSettings((values) => {
    if (!values.onboarding_done && !shownThisLaunch) open();
  });
}

function build() {
  const dontShow = el("input", { type: "checkbox", id: "onboarding-dont-show", name: "dont-show" });
  const form = el(
    "form",
    { method: "dialog", class: "dialog__form" },
    el(
      "div",
      { class: "dialog__head" },
      el("h2", { class: "dialog__title", id: "onboarding-title" }, "Welcome! Three tips to start"),
    ),
    el(
      "div",
      { class: "dialog__body" },
      el(
        "ol",
        { class: "onboarding__tips" },
        TIPS.map((tip, index) =>
          el(
            "li",
            { class: "onboarding__tip" },
            el("span", { class: "welcome__step-num", "aria-hidden": "true" }, String(index + 1)),
            el(
              "span",
              { class: "onboarding__tip-text" },
              el("strong", {}, tip.title),
              el("span", {}, tip.text),
            ),
          ),
        ),
      ),
      el(
        "label",
        { class: "checkbox onboarding__dont-show", for: "onboarding-dont-show" },
        dontShow,
        el("span", {}, "Don't show again"),
      ),
    ),
    el(
      "div",
      { class: "dialog__foot" },
      el("button", { type: "submit", class: "button button--primary", autofocus: true }, "Got it"),
    ),
  );
  const node = el(
    "dialog",
    { class: "dialog dialog--small onboarding", "aria-labelledby": "onboarding-title", dataset: { testid: "onboarding" } },
    form,
  );
  dialog = createDialog(node, { backdropCloses: false, onClose: () => saveChoice(dontShow.checked) });
  document.body.append(node);
}

async function saveChoice(dontShowAgain) {
  if (!dontShowAgain) return; // shown again next launch
  try {
    await saveSettings({ onboarding_done: true });
  } catch (error) {
    if (error.kind === "auth") return;
    showToast("Could not save “Don't show again”", { kind: "error", detail: error.message });
  }
}

function open() {
  shownThisLaunch = true;
  if (!dialog) build();
  dialog.open();
}
