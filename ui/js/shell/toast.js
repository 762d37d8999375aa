// Short notices in the corner: training started, finished, failed, stopped, errors.
// Errors stay longer and can always be dismissed by hand.
//
// While a modal dialog is open everything outside it is inert and under its backdrop, so the
// notices move into the top open dialog (the one with the focus) and back out when it closes.

import { el, icon } from "./dom.js";

const DURATION_MS = { success: 6000, info: 6000, error: 12000 };
const ICON_FOR = { success: "check", info: "info", error: "alert" };

let region;

function ensureRegion() {
  region ??= document.getElementById("toasts");
  placeRegion();
  return region;
}

function openModals() {
  try {
    return [...document.querySelectorAll("dialog:modal")];
  } catch {
    return [...document.querySelectorAll("dialog[open]")]; // a browser without :modal
  }
}

/** Puts the region where it can be seen and used: the focused modal dialog, else the page. */
function placeRegion() {
  const modals = openModals();
  const host = modals.find((dialog) => dialog.contains(document.activeElement)) ?? modals.at(-1) ?? document.body;
  if (region.parentElement === host) return;
  host.append(region);
  if (host !== document.body) host.addEventListener("close", () => region.isConnected && placeRegion(), { once: true });
}

// A dialog opened over the one holding notices takes them along (it takes the focus).
document.addEventListener("focusin", () => {
  if (region?.childElementCount) placeRegion();
});

function dismiss(toast) {
  if (!toast.isConnected || toast.classList.contains("toast--leaving")) return;
  toast.classList.add("toast--leaving");
  const remove = () => toast.remove();
  toast.addEventListener("animationend", remove, { once: true });
  // Reduced motion has no animation to end.
  setTimeout(remove, 400);
}

/** showToast("Training started", {kind: "success", detail: "Pong #1"}) */
export function showToast(message, { kind = "info", detail = null } = {}) {
  const toast = el(
    "div",
    {
      class: `toast toast--${kind}`,
      role: kind === "error" ? "alert" : "status",
      dataset: { testid: "toast", kind },
    },
    el("span", { class: "toast__icon" }, icon(ICON_FOR[kind] ?? "info")),
    el(
      "div",
      { class: "toast__body" },
      el("p", { class: "toast__message" }, message),
      detail ? el("p", { class: "toast__detail" }, detail) : null,
    ),
    el(
      "button",
      {
        type: "button",
        class: "icon-button toast__close",
        "aria-label": "Dismiss notification",
        title: "Dismiss",
        onclick: () => dismiss(toast),
      },
      icon("close"),
    ),
  );
  ensureRegion().append(toast);
  const timer = setTimeout(() => dismiss(toast), DURATION_MS[kind] ?? 6000);
  // Keep it while someone is reading it.
  toast.addEventListener("mouseenter", () => clearTimeout(timer), { once: true });
  toast.addEventListener("focusin", () => clearTimeout(timer), { once: true });
  return toast;
}
