// New videos, app-wide (wired once by main.js): the count on the Videos tab of videos
// recorded since the user last opened it (the `videos_seen_at` setting), a notice for each
// video as it is recorded (whatever tab is open), and — while the Videos tab is open — the
// "New" marks of the videos that came since the last visit.
//
// Opening the tab saves `videos_seen_at` = now, so the count stays cleared after a reload.
// No notice for the long video's parts (the joined video gets one), nor while the run's own
// View Details is open (its video list shows the new video there and then).

import { setText } from "../shell/dom.js";
import { onLive, onReconnect } from "../shell/live.js";
import { onSettings, saveSettings, settings } from "../shell/settings.js";
import * as state from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { formatClock, formatScore, videoTypeLabel } from "../videos/video-format.js";
import { allVideos, loadVideos, onLibrary } from "./library.js";
import { countNewer, countText, isNewerThan, seenStamp } from "./library-format.js";

const SAVE_DELAY_MS = 800;

let badge = null;
let started = false;
let visiting = false; // the Videos tab is on screen
let visitReady = false; // the visit's "New" marks are known (settings and videos loaded)
const newInVisit = new Set(); // ids marked "New" during this visit
const listeners = new Set();
let saveTimer = null;
let savingSeenAt = ""; // the last `videos_seen_at` this page saved (or is saving)

/** The later of two ISO times ("" counts as never). */
const laterOf = (a, b) => ((Date.parse(b) || 0) > (Date.parse(a) || 0) ? b : a || "");

/** main.js, once: the badge, the notices and the live count. */
export function initNewVideos() {
  badge = document.querySelector('[data-testid="videos-badge"]');
  // The first settings answer means the API let us in: time to count.
  onSettings(() => {
    if (!started) {
      started = true;
      loadVideos();
    }
    if (visiting) startVisitIfReady();
    render();
  });
  onLibrary(({ added, initial }) => {
    if (!initial) for (const video of added) announce(video);
    if (visiting) {
      startVisitIfReady();
      for (const video of added) newInVisit.add(video.id);
      if (added.length) scheduleSave();
    }
    render();
    notify();
  });
  onLive("video.generated", () => loadVideos());
  // A deleted run takes its videos along: count again when a video's run is gone.
  state.on("experiments", () => {
    const runs = new Set(state.allExperiments().map((experiment) => experiment.id));
    if (runs.size && allVideos()?.some((video) => !runs.has(video.experiment_id))) loadVideos();
  });
  onReconnect(() => {
    if (started) loadVideos();
  });
}

/** The Videos tab opened: clear the count, remember what is new for this visit, save the time. */
export function enterVideosTab() {
  visiting = true;
  visitReady = false;
  newInVisit.clear();
  startVisitIfReady();
  render();
}

export function leaveVideosTab() {
  visiting = false;
  if (saveTimer) {
    clearTimeout(saveTimer);
    saveTimer = null;
    saveSeen();
  }
  newInVisit.clear();
  render();
}

/** True when `video` gets the "New" mark in this visit. */
export const isNewInVisit = (videoId) => newInVisit.has(videoId);

/** `listener()` when the "New" marks change. */
export function onNewMarks(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify() {
  for (const listener of listeners) listener();
}

/** Once the settings and the videos are in: the marks from the saved time, then a new save. */
function startVisitIfReady() {
  if (visitReady) return;
  const values = settings();
  const videos = allVideos();
  if (!values || !videos) return;
  visitReady = true;
  const seenAt = values.videos_seen_at ?? "";
  for (const video of videos) if (isNewerThan(video, seenAt)) newInVisit.add(video.id);
  saveSeen();
  notify();
}

function scheduleSave() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    saveTimer = null;
    saveSeen();
  }, SAVE_DELAY_MS);
}

async function saveSeen() {
  savingSeenAt = seenStamp(allVideos()); // counts at once, before the server has answered
  try {
    await saveSettings({ videos_seen_at: savingSeenAt });
  } catch (error) {
    if (error.kind === "auth" || error.kind === "offline") return; // their own screens say so
    showToast("Could not remember which videos you have seen", { kind: "error", detail: error.message });
  }
}

function render() {
  if (!badge) return;
  const videos = allVideos();
  const values = settings();
  const count = visiting || !videos || !values ? 0 : countNewer(videos, laterOf(values.videos_seen_at, savingSeenAt));
  badge.hidden = count === 0;
  setText(badge, count > 99 ? "99+" : String(count));
  const label = count ? `${countText(count, "new video")} since you last opened Videos` : "";
  badge.title = label;
  if (count) badge.setAttribute("aria-label", label);
  else badge.removeAttribute("aria-label");
}

/** A notice for a finished video (not for the long video's parts: the joined one gets one). */
function announce(video) {
  if (video.metadata?.segment !== null && video.metadata?.segment !== undefined) return;
  // Its run's View Details is open: the video shows up in its list right there.
  const details = document.getElementById("details-dialog");
  if (details?.open && details.dataset.experimentId === video.experiment_id) return;
  const experiment = state.getExperiment(video.experiment_id);
  const label = videoTypeLabel(video);
  const score = video.metrics?.max_score;
  const facts = [
    typeof score === "number" ? `Score ${formatScore(score)}` : null,
    `${formatClock(video.metadata?.duration)} long`,
    visiting ? null : "in the Videos tab",
  ].filter(Boolean);
  showToast(`New video: ${label} — ${experiment?.name ?? video.name}`, {
    kind: "info",
    detail: `${facts.join(" · ")}.`,
  });
}
