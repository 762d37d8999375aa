// Theme (dark/light) and accent colour: the server's settings (`theme`, `accent`) decide; a
// localStorage copy paints the first frame before the settings load.

import { icon, replaceChildren } from "./dom.js";
import { onSettings, saveSettings } from "./settings.js";
import { showToast } from "./toast.js";

const STORAGE_KEY = "retro-ml-theme";
const ACCENT_KEY = "retro-ml-accent";

/** Accent names the server accepts (services/settings/service.py ACCENTS) and their colours. */
export const ACCENT_COLORS = {
  blue: "#3b82f6",
  violet: "#8b5cf6",
  green: "#22a55a",
  orange: "#f97316",
  pink: "#ec4899",
  teal: "#14b8a6",
};

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage can be disabled (private windows, some webviews)
  }
}

function remember(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembered for the first paint; the server still has it.
  }
}

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  remember(STORAGE_KEY, theme);
  const button = document.getElementById("theme-toggle");
  if (!button) return;
  const next = theme === "dark" ? "light" : "dark";
  const label = `Switch to ${next} theme`;
  button.setAttribute("aria-label", label);
  button.title = label;
  replaceChildren(button, icon(next === "light" ? "sun" : "moon"));
}

/** Sets `--accent` (tokens.css derives every accent shade from it). */
export function applyAccent(accent) {
  const colour = ACCENT_COLORS[accent] ?? ACCENT_COLORS.blue;
  document.documentElement.style.setProperty("--accent", colour);
  document.documentElement.dataset.accent = ACCENT_COLORS[accent] ? accent : "blue";
  remember(ACCENT_KEY, document.documentElement.dataset.accent);
}

export function initTheme() {
  applyTheme(stored(STORAGE_KEY) === "light" ? "light" : "dark");
  applyAccent(stored(ACCENT_KEY) ?? "blue");
  onSettings((values) => {
    if (values.theme && values.theme !== document.documentElement.dataset.theme) applyTheme(values.theme);
    if (values.accent && values.accent !== document.documentElement.dataset.accent) applyAccent(values.accent);
  });
}

/** The header button: applied at once, then saved as the `theme` setting. */
export async function toggleTheme() {
  const theme = document.documentElement.dataset.theme === "light" ? "dark" : "light";
  applyTheme(theme);
  try {
    await saveSettings({ theme });
  } catch (error) {
    showToast("The theme was not saved", { kind: "error", detail: error.message });
  }
}
