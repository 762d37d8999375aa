// The video player: a modal dialog over whatever opened it (the details dialog), with the
// browser's own controls. The server answers HTTP range requests, so seeking works.
// Escape or the close button closes it, and the focus goes back to the Play button.

import { createDialog } from "../shell/dialog.js";
import { el, icon, setText } from "../shell/dom.js";
import { formatWhen } from "../shell/format.js";
import { formatClock, formatScore, formatScores, formatSizeMb, videoTypeLabel } from "./video-format.js";

let dialog = null; // createDialog's controller, once built
let video;
let title;
let typeBadge;
let meta;
let scoresLine;
let errorSlot;

const fileUrl = (item) => `/api/videos/${encodeURIComponent(item.id)}/file`;

const MEDIA_ERRORS = {
  1: "Loading the video was stopped.",
  2:
    "The video stopped loading: the connection to the Retro ML server was lost. " +
    "Close the player and try again.",
  3: "This video file is damaged and cannot be played. Its run folder still has the other videos.",
  4:
    "The video file could not be opened: it may have been deleted, or replaced when training ended " +
    "(the “Watch it learn” parts are joined into one video). Close the player: the list shows what exists now.",
};

function ensureDialog() {
  if (dialog) return;
  video = el("video", {
    class: "player__video",
    controls: true,
    preload: "metadata",
    playsinline: true,
    dataset: { field: "player-video" },
  });
  title = el("h2", { class: "dialog__title player__title", id: "video-player-title" });
  typeBadge = el("span", { class: "video-type", dataset: { field: "player-type" } });
  meta = el("p", { class: "player__meta figure", dataset: { field: "player-meta" } });
  scoresLine = el("p", { class: "player__meta figure", dataset: { field: "player-scores" }, hidden: true });
  errorSlot = el("p", {
    class: "card-message card-message--error",
    role: "alert",
    dataset: { field: "player-error" },
    hidden: true,
  });
  const node = el(
    "dialog",
    { class: "dialog player", dataset: { testid: "video-player" }, "aria-labelledby": "video-player-title" },
    el(
      "div",
      { class: "dialog__head" },
      el("div", { class: "player__heading" }, typeBadge, title),
      el(
        "button",
        {
          type: "button",
          class: "icon-button",
          "aria-label": "Close player",
          title: "Close (Esc)",
          onclick: closePlayer,
        },
        icon("close"),
      ),
    ),
    el(
      "div",
      { class: "player__body" },
      el("div", { class: "player__stage" }, video),
      errorSlot,
      meta,
      scoresLine,
    ),
  );
  dialog = createDialog(node, {
    onClose: () => {
      // Stop playing and downloading: the element stays for the next video.
      video.pause();
      video.removeAttribute("src");
      video.load();
    },
  });
  video.addEventListener("error", () => {
    if (!video.getAttribute("src")) return; // emptied on close
    setText(errorSlot, MEDIA_ERRORS[video.error?.code] ?? "This video could not be played.");
    errorSlot.hidden = false;
  });
  video.addEventListener("loadeddata", () => {
    errorSlot.hidden = true;
  });
  document.body.append(node);
}

/** "Score 0" for one game, "Best score -19" for several, null without a score. */
function scoreText(metrics) {
  if (typeof metrics.max_score !== "number") return null;
  const label = (metrics.episode_count ?? 0) > 1 ? "Best score" : "Score";
  return `${label} ${formatScore(metrics.max_score)}`;
}

/** Opens the player on one VideoArtifact; `returnFocus` gets the focus back on close. */
export function openPlayer(item, { returnFocus = null } = {}) {
  ensureDialog();
  const metadata = item.metadata ?? {};
  const metrics = item.metrics ?? {};
  const label = videoTypeLabel(item);
  setText(typeBadge, label);
  typeBadge.dataset.type = item.type;
  setText(title, item.name);
  title.title = item.name; // the heading is cut to one line
  video.setAttribute("aria-label", `${label}: ${item.name}`);
  dialog.node.dataset.videoId = item.id;
  const parts = [
    formatClock(metadata.duration),
    formatSizeMb(metadata.size_mb),
    metadata.width && metadata.height ? `${metadata.width}×${metadata.height}` : null,
    scoreText(metrics),
    `recorded ${formatWhen(metadata.created)}`,
  ].filter(Boolean);
  setText(meta, parts.join(" · "));
  const showScores = item.type === "evaluation" && metrics.scores?.length;
  scoresLine.hidden = !showScores;
  if (showScores) {
    const games = metrics.scores.length === 1 ? "Evaluation game" : "Evaluation games";
    setText(scoresLine, `${games}: ${formatScores(metrics.scores)}`);
  }
  errorSlot.hidden = true;
  video.src = fileUrl(item);
  dialog.open({ returnFocus });
  video.focus();
}

export function closePlayer() {
  dialog?.close();
}
