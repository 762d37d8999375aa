// Dark (default) or light theme, remembered in this browser.

import { icon, replaceChildren } from "./dom.js";

const STORAGE_KEY = "retro-ml-theme";

function saved() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage can be disabled (private windows, some webviews)
  }
}

function apply(theme) {
  document.documentElement.dataset.theme = theme;
  const button = document.getElementById("theme-toggle");
  if (!button) return;
  const next = theme === "dark" ? "light" : "dark";
  const label = `Switch to ${next} theme`;
  button.setAttribute("aria-label", label);
  button.title = label;
  replaceChildren(button, icon(next === "light" ? "sun" : "moon"));
}

export function initTheme() {
  apply(saved() === "light" ? "light" : "dark");
}

export function toggleTheme() {
  const theme = document.documentElement.dataset.theme === "light" ? "dark" : "light";
  apply(theme);
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Not remembered, still applied.
  }
}
