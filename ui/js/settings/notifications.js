// Notifications: the three toggles, a test notification, and one plain line when the OS
// has no notification service (the app keeps working; in-app toasts still show).

import { el, replaceChildren, setText, spinner } from "../shell/dom.js";
import { showToast } from "../shell/toast.js";
import { settingsApi } from "./api.js";
import { section, toggleSetting } from "./fields.js";

export function renderNotifications() {
  const toggles = [
    toggleSetting("notify_training_complete", "Notify when a training run completes"),
    toggleSetting("notify_video_generated", "Notify when a video is generated"),
    toggleSetting("notify_training_failed", "Notify when a training run fails"),
  ];
  const availability = el("div", { class: "settings-availability", dataset: { testid: "notify-availability" } }, spinner(), " Checking desktop notifications…");
  const testButton = el(
    "button",
    { type: "button", class: "button", title: "Send a desktop notification now to check they arrive" },
    "Send test notification",
  );
  testButton.addEventListener("click", async () => {
    testButton.disabled = true;
    try {
      await settingsApi.notifyTest();
      showToast("Test notification sent", { kind: "success", detail: "It should appear on your desktop in a moment." });
    } catch (error) {
      showToast("No test notification", { kind: "error", detail: error.message });
    } finally {
      testButton.disabled = false;
    }
  });
  settingsApi
    .integrations()
    .then((body) => {
      const state = body.notifications ?? {};
      if (state.available) {
        replaceChildren(availability, el("p", { class: "settings-note" }, `Desktop notifications are available${state.method ? ` (${state.method})` : ""}.`));
      } else {
        const line = el(
          "p",
          { class: "card-message card-message--note", dataset: { testid: "notify-unavailable" }, title: state.reason ?? "" },
          "Desktop notifications are not available on this system — the app keeps working, and its messages still show inside the window.",
        );
        replaceChildren(availability, line);
        testButton.disabled = true;
        testButton.title = state.reason || "No notification service";
      }
    })
    .catch((error) => setText(availability, `Could not check desktop notifications: ${error.message}`));
  return [
    section(
      "Desktop notifications",
      el("div", { class: "settings-stack" }, toggles.map((t) => t.element)),
      availability,
      el("div", { class: "settings-actions" }, testButton),
    ),
  ];
}
