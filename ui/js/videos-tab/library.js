// Every video of the app (`GET /api/videos`), shared by the Videos tab and the new-videos
// watcher so one fetch serves both. A burst of `load()` calls makes at most one extra fetch.
// Changes made here (a rename, a star, a delete) go in with `upsertVideo` / `removeVideo`.

import { api } from "../shell/api.js";
import { coalesced } from "../shell/coalesce.js";

let videos = null; // null until the first answer
let loadError = null;
const listeners = new Set();

/** The videos, newest first as the server sends them; null before the first load. */
export const allVideos = () => videos;

/** The message of the last failed load, or null. */
export const libraryError = () => loadError;

/**
 * `listener({videos, added, initial})` after every load or change: `added` are the videos a
 * load found that the previous list did not have (empty on the first load: `initial`).
 */
export function onLibrary(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function publish(added = [], initial = false) {
  for (const listener of listeners) {
    try {
      listener({ videos, added, initial });
    } catch (error) {
      console.error("A video library listener failed", error);
    }
  }
}

/** Fetches the list (again); resolves when the list on hand is fresh. */
export const loadVideos = coalesced(async () => {
  try {
    const answer = await api.videos();
    const next = answer.videos ?? [];
    const initial = videos === null;
    const known = new Set((videos ?? []).map((video) => video.id));
    videos = next;
    loadError = null;
    publish(initial ? [] : next.filter((video) => !known.has(video.id)), initial);
  } catch (error) {
    if (error.kind === "auth") return false; // the sign-in screen takes over
    loadError = error.message;
    publish();
  }
  return true;
});

/** The server's records (one or a list) after changes made here. */
export function upsertVideos(saved) {
  const list = [saved].flat().filter((video) => video?.id);
  if (!videos || !list.length) return;
  const byId = new Map(list.map((video) => [video.id, video]));
  const fresh = list.filter((video) => !videos.some((known) => known.id === video.id));
  videos = [...fresh, ...videos.map((video) => byId.get(video.id) ?? video)];
  publish();
}

/** Videos deleted here. */
export function removeVideos(ids) {
  if (!videos) return;
  const gone = new Set(ids);
  const next = videos.filter((video) => !gone.has(video.id));
  if (next.length === videos.length) return;
  videos = next;
  publish();
}
