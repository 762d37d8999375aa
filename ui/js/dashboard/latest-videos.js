// Latest Videos: the newest videos of every run, each with its size, length, date and
// score, [▶ Play] and [Open Folder]. Refreshed when a run films something new and after a
// reconnect; hidden until the first video exists.

import { api } from "../shell/api.js";
import { append, el, icon, replaceChildren } from "../shell/dom.js";
import { formatWhen } from "../shell/format.js";
import { onLive, onReconnect } from "../shell/live.js";
import { gameName, getExperiment } from "../shell/state.js";
import { videoIcon } from "../videos/icons.js";
import { openPlayer } from "../videos/player.js";
import { revealVideo } from "../videos/video-actions.js";
import { formatClock, formatScore, formatSizeMb, videoTypeLabel } from "../videos/video-format.js";
import { coalesced } from "../shell/coalesce.js";

const SHOWN = 3;

let card;
let list;
let videos = [];

/** The card (`#latest-videos`), hidden until the first video exists; live from then on. */
export function latestVideosCard() {
  list = el("ul", { class: "latest-videos", dataset: { slot: "list" } });
  card = el(
    "section",
    {
      class: "card",
      id: "latest-videos",
      dataset: { testid: "latest-videos" },
      hidden: true,
      "aria-labelledby": "latest-videos-title",
    },
    el(
      "div",
      { class: "card__head" },
      el("h2", { class: "card__title", id: "latest-videos-title" }, "Latest Videos"),
      el(
        "a",
        { class: "link-button", href: "#/videos", title: "Every video of every run, with filters and export" },
        "View all videos →",
      ),
    ),
    list,
  );
  list.addEventListener("click", onClick);
  onLive("video.generated", () => refreshLatestVideos());
  onReconnect(() => refreshLatestVideos());
  return card;
}

/** Fetches the newest videos (coalesced: a burst of events makes at most one more fetch). */
export const refreshLatestVideos = coalesced(async () => {
  try {
    const body = await api.videos();
    videos = (body.videos ?? []).slice(0, SHOWN);
    render();
  } catch (error) {
    if (error.kind === "http" || error.kind === "server") console.warn(error.message);
  }
});

/** Experiments were renamed or deleted: labels and rows follow. */
export function renderLatestVideos() {
  if (videos.some((video) => !getExperiment(video.experiment_id))) refreshLatestVideos();
  else render();
}

function render() {
  card.hidden = videos.length === 0;
  replaceChildren(list, videos.map(row));
}

function row(video) {
  const metadata = video.metadata ?? {};
  const metrics = video.metrics ?? {};
  const experiment = getExperiment(video.experiment_id);
  const label = videoTypeLabel(video);
  const facts = [formatSizeMb(metadata.size_mb), formatClock(metadata.duration), formatWhen(metadata.created)]
    .filter(Boolean)
    .join(" • ");
  const score = typeof metrics.max_score === "number" ? `Score: ${formatScore(metrics.max_score)}` : null;
  const title = `${label}: ${video.name}`;
  return el(
    "li",
    { class: "latest-video", dataset: { videoId: video.id, testid: "latest-video" } },
    thumbnail(video),
    el(
      "div",
      { class: "latest-video__main" },
      el("p", { class: "latest-video__name", title: video.name }, video.name),
      el(
        "p",
        { class: "latest-video__meta" },
        el("span", { class: "latest-video__kind" }, label),
        experiment ? ` · ${experiment.name} (${gameName(experiment.game)})` : "",
      ),
      el("p", { class: "latest-video__facts figure" }, facts),
      score ? el("p", { class: "latest-video__score figure", dataset: { field: "score" } }, score) : null,
    ),
    el(
      "div",
      { class: "latest-video__actions" },
      append(
        el("button", {
          type: "button",
          class: "button button--small button--primary",
          dataset: { latest: "play" },
          title: `Play ${title}`,
          "aria-label": `Play ${title}`,
        }),
        [icon("play", 14), el("span", { class: "button__label" }, "Play")],
      ),
      append(
        el("button", {
          type: "button",
          class: "button button--small",
          dataset: { latest: "folder" },
          title: "Open the folder with this video selected",
          "aria-label": `Open the folder of ${title}`,
        }),
        [videoIcon("folder", 14), el("span", { class: "button__label" }, "Open Folder")],
      ),
    ),
  );
}

function thumbnail(video) {
  const frame = el("span", { class: "latest-video__thumb", "aria-hidden": "true" });
  const placeholder = () => replaceChildren(frame, videoIcon("film", 20));
  if (!video.metadata?.thumbnail_path) {
    placeholder();
    return frame;
  }
  const image = el("img", {
    src: `/api/videos/${encodeURIComponent(video.id)}/thumbnail`,
    alt: "",
    loading: "lazy",
    decoding: "async",
  });
  image.addEventListener("error", placeholder, { once: true });
  frame.append(image);
  return frame;
}

function onClick(event) {
  const button = event.target.closest("[data-latest]");
  if (!button) return;
  const video = videos.find((item) => item.id === button.closest("[data-video-id]").dataset.videoId);
  if (!video) return;
  if (button.dataset.latest === "play") openPlayer(video, { returnFocus: button });
  else revealVideo(video);
}

export const latestVideosCount = () => videos.length;
