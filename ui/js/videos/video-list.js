// Video list: a run's videos (milestone clips, the "watch it learn" video or its parts, the
// evaluation), newest first, each with its thumbnail, figures, a favourite star, a Play
// button that opens the player and a "More actions" menu (video-actions.js: export, rename,
// copy path, open location, delete). Self-contained: give it a container and an experiment
// id; its owner forwards `video.generated` / `video.failed` for the run (handleEvent) and it
// fetches again.

import { api } from "../shell/api.js";
import { append, el, icon, replaceChildren, setText } from "../shell/dom.js";
import { formatWhen } from "../shell/format.js";
import * as state from "../shell/state.js";
import { videoIcon } from "./icons.js";
import { openPlayer } from "./player.js";
import { actionsMenu, favoriteButton } from "./video-actions.js";
import {
  emptyVideosText,
  formatClock,
  formatScore,
  formatScores,
  formatSizeMb,
  videoTypeLabel,
} from "./video-format.js";
import { coalesced } from "../shell/coalesce.js";

const thumbnailUrl = (video) => `/api/videos/${encodeURIComponent(video.id)}/thumbnail`;

/**
 * Renders into `container` (its children are replaced). Returns
 * {handleEvent(name, payload), refresh(), destroy()}.
 */
export function createVideoList(container, experimentId) {
  let videos = null; // null until the first answer
  let loadError = null;
  let destroyed = false;
  const rows = new Map(); // video id → {node, key}
  let focusAfterRemoval = null; // {id, videoId}: where the focus goes once a deleted row is gone

  // What the rows' actions report back: the server's record after a change, a deletion.
  const rowActions = {
    onSaved(saved) {
      if (destroyed || !videos) return;
      videos = videos.map((video) => (video.id === saved.id ? saved : video));
      render();
    },
    onRemoved(videoId) {
      if (destroyed || !videos) return;
      const index = videos.findIndex((video) => video.id === videoId);
      if (index < 0) return;
      const neighbour = videos[index + 1] ?? videos[index - 1] ?? null;
      focusAfterRemoval = { id: videoId, videoId: neighbour?.id ?? null };
      videos = videos.filter((video) => video.id !== videoId);
      render();
    },
    /** The row's menu button (or, once the row is gone, its neighbour's): for dialogs closing. */
    focusAfter(videoId) {
      const own = rowControl(videoId, "menu");
      if (own) return own;
      if (focusAfterRemoval?.id === videoId && focusAfterRemoval.videoId) {
        return rowControl(focusAfterRemoval.videoId, "menu");
      }
      return container.querySelector(".videos");
    },
  };

  function rowControl(videoId, focusKey) {
    const row = rows.get(videoId)?.node;
    return row?.isConnected ? row.querySelector(`[data-focus-key="${focusKey}"]`) : null;
  }

  const count = el("span", { class: "videos__count", dataset: { field: "video-count" } });
  const errorSlot = el("div", { class: "videos__error", hidden: true });
  const body = el("div", { class: "videos__body", "aria-busy": "true" });
  replaceChildren(
    container,
    el(
      "div",
      { class: "videos", tabindex: "-1", dataset: { testid: "video-list" } },
      el("div", { class: "videos-section__head" }, el("h3", { class: "section-title" }, "Videos"), count),
      errorSlot,
      body,
    ),
  );

  function render() {
    if (destroyed) return;
    body.setAttribute("aria-busy", String(videos === null && !loadError));
    renderError();
    if (videos === null) {
      setText(count, "");
      replaceChildren(body, loadError ? null : loadingRows());
      return;
    }
    setText(count, videos.length === 1 ? "1 video" : videos.length ? `${videos.length} videos` : "");
    if (!videos.length) {
      rows.clear();
      const text = emptyVideosText(state.getExperiment(experimentId));
      replaceChildren(
        body,
        el(
          "p",
          { class: "videos__empty", dataset: { field: "videos-empty" } },
          videoIcon("film"),
          el("span", {}, text),
        ),
      );
      return;
    }
    let list = body.querySelector(":scope > .video-list");
    if (!list) {
      list = el("ul", { class: "video-list", "aria-label": "Videos of this run" });
      replaceChildren(body, list);
    }
    renderRows(list);
  }

  /**
   * Keyed: rows that did not change stay (their loaded thumbnail, a focused Play button); a
   * re-built row (renamed, starred) gets the focus back on the same control.
   */
  function renderRows(list) {
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    const focusedRow = focused?.closest("[data-video-id]")?.dataset.videoId;
    const focusedKey = focused?.dataset.focusKey;
    const wanted = videos.map((video) => {
      const key = JSON.stringify([video.name, video.path, video.type, video.metadata, video.metrics]);
      const known = rows.get(video.id);
      if (known?.key === key) return known.node;
      const node = videoRow(video, rowActions);
      rows.set(video.id, { node, key });
      return node;
    });
    const ids = new Set(videos.map((video) => video.id));
    for (const videoId of [...rows.keys()]) if (!ids.has(videoId)) rows.delete(videoId);
    // Only rows out of place move (new videos come first), so the others keep focus.
    wanted.forEach((node, index) => {
      if (list.children[index] !== node) list.insertBefore(node, list.children[index] ?? null);
    });
    while (list.children.length > wanted.length) list.lastElementChild.remove();
    if (focused && document.activeElement !== focused) {
      const again = focused.isConnected ? focused : focusedKey && rowControl(focusedRow, focusedKey);
      (again || list.querySelector("button"))?.focus();
    }
  }

  function renderError() {
    errorSlot.hidden = !loadError;
    if (!loadError) return;
    replaceChildren(
      errorSlot,
      el(
        "p",
        { class: "card-message card-message--error", role: "alert", dataset: { field: "videos-error" } },
        icon("alert"),
        el("span", {}, `Could not load the videos: ${loadError}`),
        el(
          "button",
          {
            type: "button",
            class: "button button--small videos__retry",
            "aria-label": "Load the videos again",
            onclick: () => refresh(),
          },
          "Try again",
        ),
      ),
    );
  }

  /** Fetches the list; a burst of calls makes at most one extra fetch. */
  const refresh = coalesced(
    async () => {
      try {
        const answer = await api.videos({ experiment_id: experimentId });
        videos = answer.videos ?? [];
        loadError = null;
      } catch (error) {
        if (error.kind === "auth") return false; // the sign-in screen takes over
        loadError = error.message;
      }
      render();
      return true;
    },
    { keepGoing: () => !destroyed },
  );

  function handleEvent(name, payload) {
    if (destroyed) return;
    if (name === "connect") refresh(); // videos may have come while the connection was down
    else if (payload?.experiment_id !== experimentId) return;
    else if (name === "video.generated" || name === "video.failed") refresh();
  }

  // The empty text depends on the run's status (finished: "has no videos").
  const unsubscribe = state.on("experiments", () => {
    if (videos && !videos.length) render();
  });

  render();
  refresh();

  return {
    handleEvent,
    refresh,
    destroy() {
      destroyed = true;
      unsubscribe();
    },
  };
}

function loadingRows() {
  const row = () =>
    el(
      "div",
      { class: "video-item video-item--skeleton", "aria-hidden": "true" },
      el("span", { class: "skeleton video-item__thumb" }),
      el(
        "span",
        { class: "video-item__main" },
        el("span", { class: "skeleton skeleton--title" }),
        el("span", { class: "skeleton skeleton--line" }),
      ),
    );
  return [row(), row(), el("p", { class: "visually-hidden" }, "Loading videos…")];
}

function thumbnail(video) {
  const metadata = video.metadata ?? {};
  const frame = el("span", { class: "video-item__thumb" });
  const duration = el(
    "span",
    { class: "video-item__duration", "aria-hidden": "true" },
    formatClock(metadata.duration),
  );
  const placeholder = () =>
    replaceChildren(frame, el("span", { class: "video-item__no-thumb" }, videoIcon("film", 20)), duration);
  if (!metadata.thumbnail_path) {
    placeholder();
    return frame;
  }
  const image = el("img", {
    src: thumbnailUrl(video),
    alt: "",
    loading: "lazy",
    decoding: "async",
    width: metadata.width || null,
    height: metadata.height || null,
    dataset: { field: "thumbnail" },
  });
  image.addEventListener("error", placeholder, { once: true });
  return append(frame, [image, duration]);
}

/** "Score 0" (one game), "Best score -19" (several), null when the video has no score. */
function scoreText(metrics) {
  if (typeof metrics.max_score !== "number") return null;
  const label = (metrics.episode_count ?? 0) > 1 ? "Best score" : "Score";
  return `${label} ${formatScore(metrics.max_score)}`;
}

/** "Game scores: -21, -19, -20 · average -20" for an evaluation; null otherwise. */
function evaluationScores(video) {
  const scores = video.metrics?.scores ?? [];
  if (video.type !== "evaluation" || !scores.length) return null;
  const average = video.metrics.avg_score;
  const text = `${scores.length === 1 ? "Game score" : "Game scores"}: ${formatScores(scores)}`;
  return scores.length > 1 && typeof average === "number"
    ? `${text} · average ${formatScore(Math.round(average * 10) / 10)}`
    : text;
}

function videoRow(video, rowActions) {
  const metadata = video.metadata ?? {};
  const label = videoTypeLabel(video);
  const score = scoreText(video.metrics ?? {});
  const facts = [
    el("span", { dataset: { field: "video-duration" } }, formatClock(metadata.duration)),
    el("span", { dataset: { field: "video-size" } }, formatSizeMb(metadata.size_mb)),
    score ? el("span", { dataset: { field: "video-score" } }, score) : null,
    el(
      "span",
      { dataset: { field: "video-created" } },
      el("time", { datetime: metadata.created ?? null }, formatWhen(metadata.created)),
    ),
  ].filter(Boolean);
  const separated = facts.flatMap((fact, index) =>
    index ? [el("span", { class: "video-item__sep", "aria-hidden": "true" }, "·"), fact] : [fact],
  );
  const scores = evaluationScores(video);
  return el(
    "li",
    { class: "video-item", dataset: { testid: "video-item", videoId: video.id, type: video.type } },
    thumbnail(video),
    el(
      "div",
      { class: "video-item__main" },
      el(
        "p",
        { class: "video-item__title" },
        el("span", { class: "video-type", dataset: { type: video.type, field: "video-type" } }, label),
        el("span", { class: "video-item__name", dataset: { field: "video-name" }, title: video.name }, video.name),
      ),
      el("p", { class: "video-item__meta figure" }, separated),
      scores ? el("p", { class: "video-item__scores figure", dataset: { field: "video-scores" } }, scores) : null,
    ),
    el(
      "div",
      { class: "video-item__actions" },
      favoriteButton(video, { label, ...rowActions }),
      el(
        "button",
        {
          type: "button",
          class: "button button--small video-item__play",
          "aria-label": `Play ${label}: ${video.name}`,
          title: `Play ${label}`,
          dataset: { focusKey: "play" },
          onclick: (event) => openPlayer(video, { returnFocus: event.currentTarget }),
        },
        icon("play", 14),
        el("span", { class: "button__label" }, "Play"),
      ),
      actionsMenu(video, { label, ...rowActions }),
    ),
  );
}
