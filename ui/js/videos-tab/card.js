// One video in the Videos tab: a card (grid) or a row (list) with its thumbnail, figures,
// tags (add and remove in place), the run it came from, the favourite star, Play, Export
// and the "More actions" menu of video-actions.js (rename, copy path, open location, delete).
// Built with el(): names and tags from the server are always text.

import { api } from "../shell/api.js";
import { append, el, icon, replaceChildren } from "../shell/dom.js";
import { formatWhen } from "../shell/format.js";
import { gameName, getExperiment } from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { runLink } from "../shell/widgets.js";
import { openExportDialog } from "../videos/export-dialog.js";
import { videoIcon } from "../videos/icons.js";
import { openPlayer } from "../videos/player.js";
import { actionsMenu, favoriteButton } from "../videos/video-actions.js";
import { formatClock, formatScore, formatSizeMb, videoTypeLabel } from "../videos/video-format.js";
import { cleanTag, relativeDate } from "./library-format.js";

const thumbnailUrl = (video) => `/api/videos/${encodeURIComponent(video.id)}/thumbnail`;

/**
 * `actions`: {onSaved(video), onRemoved(id), focusAfter(id), onSelect(id, checked, event)}.
 * `options`: {layout: "grid"|"list", selected, isNew, tagChoices}.
 */
export function videoCard(video, actions, { layout, selected, isNew }) {
  const metadata = video.metadata ?? {};
  const label = videoTypeLabel(video);
  const play = (event) => openPlayer(video, { returnFocus: event.currentTarget });
  const checkbox = el("input", {
    type: "checkbox",
    class: "vt-check__input",
    checked: selected,
    "aria-label": `Select ${label}: ${video.name}`,
    title: "Select (Shift-click selects a range)",
    dataset: { focusKey: "select", field: "video-select" },
    onclick: (event) => actions.onSelect(video.id, event.currentTarget.checked, event),
  });
  const newPill = isNew
    ? el(
        "span",
        { class: "vt-new", dataset: { field: "new-pill" }, title: "Recorded since you last opened Videos" },
        "New",
      )
    : null;
  const typeBadge = el("span", { class: "video-type", dataset: { type: video.type, field: "video-type" } }, label);
  const name = el("span", { class: "vt-card__name", dataset: { field: "video-name" }, title: video.name }, video.name);
  const facts = factsLine(video);
  const experiment = experimentLink(video);
  const tags = tagEditor(video, actions);
  const buttons = el(
    "div",
    { class: "vt-card__actions" },
    el(
      "button",
      {
        type: "button",
        class: "button button--small vt-card__play",
        "aria-label": `Play ${label}: ${video.name}`,
        title: `Play ${label} (seek with the player's bar)`,
        dataset: { focusKey: "play", field: "video-play" },
        onclick: play,
      },
      icon("play", 14),
      el("span", { class: "button__label" }, "Play"),
    ),
    el(
      "button",
      {
        type: "button",
        class: "button button--small vt-card__export",
        "aria-label": `Export ${label}: ${video.name}`,
        title: "Export: a copy, a YouTube or an X version",
        dataset: { focusKey: "export", field: "video-export" },
        onclick: () => openExportDialog({ video }, { returnFocus: () => actions.focusAfter(video.id, "export") }),
      },
      videoIcon("export", 14),
      el("span", { class: "button__label" }, "Export"),
    ),
    favoriteButton(video, { label, onSaved: actions.onSaved }),
    actionsMenu(video, {
      label,
      onSaved: actions.onSaved,
      onRemoved: actions.onRemoved,
      focusAfter: (id) => actions.focusAfter(id, "menu"),
    }),
  );
  const attrs = {
    class: `vt-card vt-card--${layout}`,
    dataset: {
      testid: "videos-card",
      videoId: video.id,
      type: video.type,
      favorite: String(Boolean(metadata.favorite)),
      selected: String(selected),
    },
  };
  if (layout === "list") {
    return el(
      "li",
      attrs,
      el("span", { class: "vt-check" }, checkbox),
      thumbnail(video, play, label),
      el(
        "div",
        { class: "vt-card__main" },
        el("p", { class: "vt-card__title" }, typeBadge, newPill, name),
        el("div", { class: "vt-card__sub" }, experiment, tags),
      ),
      facts,
      buttons,
    );
  }
  return el(
    "li",
    attrs,
    el(
      "div",
      { class: "vt-card__media" },
      thumbnail(video, play, label),
      el("span", { class: "vt-check" }, checkbox),
      newPill,
    ),
    el(
      "div",
      { class: "vt-card__body" },
      el("p", { class: "vt-card__title" }, name),
      el("div", { class: "vt-card__kind" }, typeBadge, facts),
      experiment,
      tags,
    ),
    buttons,
  );
}

/** length · size · score · when, each in its own field. */
function factsLine(video) {
  const metadata = video.metadata ?? {};
  const score = video.metrics?.max_score;
  const items = [
    el("span", { dataset: { field: "video-duration" }, title: "Length" }, formatClock(metadata.duration)),
    el("span", { dataset: { field: "video-size" }, title: "File size" }, formatSizeMb(metadata.size_mb)),
    typeof score === "number"
      ? el(
          "span",
          {
            dataset: { field: "video-score" },
            title: (video.metrics?.episode_count ?? 0) > 1 ? "Best game's score" : "Score",
          },
          `Score ${formatScore(score)}`,
        )
      : null,
    el(
      "time",
      { datetime: metadata.created ?? null, title: formatWhen(metadata.created), dataset: { field: "video-created" } },
      relativeDate(metadata.created),
    ),
  ].filter(Boolean);
  return el(
    "p",
    { class: "vt-card__facts figure" },
    items.flatMap((item, index) => (index ? [separator(), item] : [item])),
  );
}

const separator = () => el("span", { class: "vt-sep", "aria-hidden": "true" }, "·");

function experimentLink(video) {
  const experiment = getExperiment(video.experiment_id);
  const game = experiment ? gameName(experiment.game) : null;
  const name = experiment?.name ?? "Its training run";
  return runLink(
    { id: video.experiment_id, name },
    {
      class: "vt-card__experiment",
      title: `Open the training run: ${name}`,
      dataset: { field: "experiment-link", focusKey: "experiment" },
    },
    videoIcon("film", 12),
    el("span", { class: "vt-card__experiment-text" }, game ? `${game} · ${name}` : name),
  );
}

function thumbnail(video, play, label) {
  const metadata = video.metadata ?? {};
  const frame = el("button", {
    type: "button",
    class: "vt-thumb",
    tabindex: "-1", // the Play button is the keyboard's way in
    "aria-label": `Play ${label}: ${video.name}`,
    title: "Play",
    onclick: play,
  });
  const duration = el(
    "span",
    { class: "vt-thumb__duration figure", "aria-hidden": "true" },
    formatClock(metadata.duration),
  );
  const overlay = el("span", { class: "vt-thumb__play", "aria-hidden": "true" }, icon("play", 20));
  const placeholder = () =>
    replaceChildren(frame, el("span", { class: "vt-thumb__none" }, videoIcon("film", 24)), duration, overlay);
  if (!metadata.thumbnail_path) {
    placeholder();
    return frame;
  }
  const image = el("img", {
    src: thumbnailUrl(video),
    alt: "",
    loading: "lazy",
    decoding: "async",
    dataset: { field: "thumbnail" },
  });
  image.addEventListener("error", placeholder, { once: true });
  return append(frame, [image, duration, overlay]);
}

/** The tags as chips (× removes one) and "+ Tag", which turns into a field: Enter adds, Esc cancels. */
function tagEditor(video, actions) {
  const tags = video.metadata?.tags ?? [];
  const list = el("ul", { class: "vt-tags", "aria-label": "Tags", dataset: { field: "video-tags" } });
  const save = async (next, { done, failed }) => {
    try {
      const { video: saved } = await api.updateVideo(video.id, { tags: next });
      actions.onSaved(saved);
      done?.(saved);
    } catch (error) {
      if (error.kind === "auth") return;
      failed?.(error);
      showToast("Could not change the tags", { kind: "error", detail: error.message });
    }
  };
  for (const tag of tags) {
    list.append(
      el(
        "li",
        { class: "vt-tag", dataset: { tag } },
        el("span", { class: "vt-tag__text", title: tag }, tag),
        el(
          "button",
          {
            type: "button",
            class: "vt-tag__remove",
            "aria-label": `Remove tag ${tag}`,
            title: `Remove tag “${tag}”`,
            dataset: { focusKey: `untag:${tag}` },
            onclick: (event) => {
              event.currentTarget.setAttribute("aria-busy", "true");
              save(
                tags.filter((t) => t !== tag),
                { done: () => actions.focusAfter(video.id, "add-tag", true) },
              );
            },
          },
          icon("close", 10),
        ),
      ),
    );
  }
  const addButton = el(
    "button",
    {
      type: "button",
      class: "vt-tag-add",
      title: "Add a tag (filter by it in Tag)",
      "aria-label": `Add a tag to ${video.name}`,
      dataset: { focusKey: "add-tag", field: "add-tag" },
    },
    "+ Tag",
  );
  const addItem = el("li", { class: "vt-tag-add-item" }, addButton);
  addButton.addEventListener("click", () => {
    const input = el("input", {
      type: "text",
      class: "input vt-tag-input",
      maxlength: "40",
      placeholder: "New tag",
      "aria-label": `New tag for ${video.name}`,
      list: "videos-tab-tags",
      dataset: { field: "tag-input" },
    });
    let busy = false;
    const cancel = ({ refocus = true } = {}) => {
      if (busy || !input.isConnected) return;
      replaceChildren(addItem, addButton);
      if (refocus) addButton.focus();
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        cancel();
      } else if (event.key === "Enter") {
        event.preventDefault();
        const tag = cleanTag(input.value);
        if (!tag) return cancel();
        if (tags.includes(tag)) return cancel();
        busy = true;
        input.setAttribute("aria-busy", "true");
        input.readOnly = true;
        save([...tags, tag], {
          done: () => actions.focusAfter(video.id, "add-tag", true),
          failed: () => {
            busy = false;
            input.readOnly = false;
            input.removeAttribute("aria-busy");
            input.setAttribute("aria-invalid", "true");
            input.focus();
          },
        });
      }
    });
    // Clicking elsewhere gives up the new tag; the focus stays where the click put it.
    input.addEventListener("blur", () => setTimeout(() => cancel({ refocus: false }), 0));
    replaceChildren(addItem, input);
    input.focus();
  });
  list.append(addItem);
  return list;
}

/** Placeholder cards while the first list loads. */
export function skeletonCards(layout, count = 6) {
  return Array.from({ length: count }, () =>
    el(
      "li",
      { class: `vt-card vt-card--${layout} vt-card--skeleton`, "aria-hidden": "true" },
      el("span", { class: "skeleton vt-thumb" }),
      el(
        "span",
        { class: "vt-card__body" },
        el("span", { class: "skeleton skeleton--title" }),
        el("span", { class: "skeleton skeleton--line" }),
        el("span", { class: "skeleton skeleton--line" }),
      ),
    ),
  );
}
