// The low-disk banner: shown while the disk of a run or of the data folder is under Settings'
// warning threshold (amber) or pause threshold (red: trainings are paused). Fed by the server's
// `disk.space` events, and read again at start and after every reconnection (events sent while
// away are gone). A level that gets worse also says so in a toast.

import { request } from "./api.js";
import { el, setText } from "./dom.js";
import { formatBytes } from "./format.js";
import { onLive, onReconnect } from "./live.js";
import { showToast } from "./toast.js";

const RANK = { ok: 0, low: 1, critical: 2 };
const TITLES = { low: "Disk space is low", critical: "The disk is almost full: trainings are paused" };
const MB = 1024 * 1024;
let shown = "ok";

/** The banner's second line: how much is free where, and what to do (the title says the level). */
function detailOf(state, level) {
  const free = `${formatBytes(state.free_mb * MB)} free in ${state.folder}.`;
  if (level === "critical") return `${free} Free space (clean up old checkpoints and videos, delete runs you no longer need), then resume the paused trainings.`;
  const pause = state.pause_mb ? ` Running trainings pause under ${state.pause_mb} MB.` : "";
  return `${free}${pause} Free space soon: clean up old checkpoints and videos, or delete runs you no longer need.`;
}

function banner() {
  let node = document.getElementById("disk-banner");
  if (node) return node;
  node = el(
    "div",
    { class: "banner banner--warning", id: "disk-banner", role: "status", dataset: { testid: "disk-banner" }, hidden: true },
    el(
      "div",
      { class: "banner__inner" },
      el("p", { class: "banner__text" }, el("strong", { dataset: { field: "title" } }), el("span", { class: "banner__hint", dataset: { field: "detail" } })),
      el("a", { class: "button button--small", href: "#/settings/storage", title: "See what takes space and clean up old checkpoints and videos" }, "Free space…"),
    ),
  );
  document.getElementById("offline-banner").after(node);
  return node;
}

/** Shows `state` (the `disk.space` payload: level, free_mb, folder…); `toast`: a worse level also says so. */
export function showDiskSpace(state, { toast = true } = {}) {
  const level = RANK[state?.level] === undefined ? "ok" : state.level;
  const node = banner();
  node.hidden = level === "ok";
  node.dataset.level = level;
  node.classList.toggle("banner--warning", level === "low");
  setText(node.querySelector("[data-field='title']"), TITLES[level] ?? "");
  setText(node.querySelector("[data-field='detail']"), level === "ok" ? "" : detailOf(state, level));
  if (toast && RANK[level] > RANK[shown]) {
    showToast(TITLES[level], { kind: level === "critical" ? "error" : "info", detail: detailOf(state, level) });
  }
  shown = level;
}

async function refresh() {
  try {
    showDiskSpace(await request("GET", "/api/storage/space"), { toast: false }); // the banner is enough on (re)load
  } catch {
    // The offline banner or the sign-in screen says what is wrong.
  }
}

/** Subscribes the banner (once, at start). */
export function watchDiskSpace() {
  onLive("disk.space", (state) => showDiskSpace(state));
  onReconnect(refresh);
}
