// The Artifacts section of a run's page: the files of its run folder by group (model,
// checkpoints, videos, metrics, logs…) with their sizes; videos can be played or shown in
// the file manager, and the whole folder opened.

import { el, replaceChildren, setText } from "../../shell/dom.js";
import { formatBytes, formatInt, formatWhen } from "../../shell/format.js";
import { showToast } from "../../shell/toast.js";
import { revealVideo } from "../../videos/video-actions.js";
import { openPlayer } from "../../videos/player.js";
import { revealRunFolder, runArtifacts, runVideos } from "../api.js";
import { ARTIFACT_GROUPS } from "../experiments-format.js";
import { errorText, failure, loading, sectionHead, smallButton } from "../parts.js";

/** The Play and Open location buttons of a file that is one of the run's videos. */
function videoActions(video) {
  if (!video) return [];
  return [
    smallButton("Play", `Play ${video.name}`, {
      dataset: { field: "play" },
      onclick: (event) => openPlayer(video, { returnFocus: event.currentTarget }),
    }),
    smallButton("Open location", "Show this video in your file manager", { onclick: () => revealVideo(video) }),
  ];
}

function fileRow(entry, video) {
  return el(
    "li",
    { class: "artifact", dataset: { path: entry.path } },
    el("span", { class: "artifact__name", title: entry.path }, entry.name),
    el(
      "span",
      { class: "artifact__path" },
      entry.path.includes("/") ? entry.path.slice(0, entry.path.lastIndexOf("/") + 1) : "",
    ),
    el(
      "span",
      { class: "artifact__size figure", dataset: { field: "size" } },
      formatBytes(entry.size_bytes),
    ),
    el("span", { class: "artifact__when", title: entry.modified }, formatWhen(entry.modified)),
    el("span", { class: "artifact__actions" }, videoActions(video)),
  );
}

/** One group's heading (count and size) and its files; `videoFor` finds a file's video. */
function fileGroup(name, label, entries, videoFor) {
  const size = entries.reduce((sum, entry) => sum + entry.size_bytes, 0);
  return el(
    "section",
    { class: "artifact-group", dataset: { group: name } },
    el(
      "h3",
      { class: "artifact-group__title" },
      label,
      el("span", { class: "artifact-group__meta" }, `${entries.length} · ${formatBytes(size)}`),
    ),
    el(
      "ul",
      { class: "artifact-list" },
      entries.map((entry) => fileRow(entry, name === "videos" && entry.kind === "video" ? videoFor(entry) : null)),
    ),
  );
}

export function createArtifacts() {
  const total = el("span", { class: "experiments__count", dataset: { field: "artifacts-total" } });
  const openFolder = smallButton("Open run folder", "Open the run folder in your file manager", {
    dataset: { field: "open-run-folder" },
  });
  const refresh = smallButton("Refresh", "List the files again");
  const body = el("div", {});
  const element = el(
    "div",
    { class: "experiment-artifacts" },
    sectionHead("Files", { before: [total], after: [refresh, openFolder] }),
    body,
  );
  let experiment = null;
  let videos = [];
  let token = 0;

  openFolder.addEventListener("click", async () => {
    if (!experiment) return;
    try {
      await revealRunFolder(experiment.id);
      showToast("Opened the run folder", { kind: "success", detail: experiment.run_dir });
    } catch (error) {
      if (error.kind === "auth") return;
      const where = error.code === "integration_unavailable" ? ` The run folder is ${experiment.run_dir}.` : "";
      showToast("Could not open the run folder", { kind: "error", detail: `${errorText(error)}${where}` });
    }
  });
  refresh.addEventListener("click", () => experiment && load());

  const videoFor = (entry) => videos.find(
    (video) => String(video.path ?? "").replace(/\\/g, "/").endsWith(`/${entry.path}`),
  );

  async function load() {
    const mine = ++token;
    replaceChildren(body, loading("Listing the run's files…"));
    try {
      const [listing, videoList] = await Promise.all([
        runArtifacts(experiment.id),
        runVideos(experiment.id).catch(() => ({ videos: [] })),
      ]);
      if (mine !== token) return;
      videos = videoList.videos ?? [];
      setText(total, `${formatInt(listing.file_count)} files · ${formatBytes(listing.total_bytes)}`);
      const groups = ARTIFACT_GROUPS.filter(([name]) => (listing.groups?.[name] ?? []).length);
      replaceChildren(
        body,
        groups.length
          ? groups.map(([name, label]) => fileGroup(name, label, listing.groups[name], videoFor))
          : el(
            "p",
            { class: "empty-note" },
            "No files yet: the worker writes its log, metrics, checkpoints and model here as it trains.",
          ),
      );
    } catch (error) {
      if (mine === token) replaceChildren(
        body,
        failure(`Could not list the files: ${errorText(error)}`, load),
      );
    }
  }

  return {
    element,
    load(next) {
      const changed = experiment?.id !== next.id;
      experiment = next;
      if (changed || !body.childElementCount) load();
    },
    update(next) {
      experiment = next;
    },
    reload: () => experiment && load(),
    destroy() {
      token++;
      experiment = null;
    },
  };
}
