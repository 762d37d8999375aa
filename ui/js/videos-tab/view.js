// The Videos tab ("My Videos"): every video of every run as a thumbnail grid or a dense
// list, newest first (or longest, best score, name); All / Favorites / By experiment; filters
// by game, type, run and tag kept in the address bar (`#/videos?game=pong&type=milestone`) so
// Back works; multi-select with a batch bar; "New" marks for what came since the last visit.
// The list is live: the new-videos watcher fetches it again on `video.generated`.

import { el, icon, replaceChildren, setText } from "../shell/dom.js";
import { gameName, getExperiment, on as onState } from "../shell/state.js";
import { runLink } from "../shell/widgets.js";
import { videoIcon } from "../videos/icons.js";
import { formatSizeMb } from "../videos/video-format.js";
import { createBatchBar } from "./batch.js";
import { skeletonCards, videoCard } from "./card.js";
import { allVideos, libraryError, loadVideos, onLibrary, removeVideos, upsertVideos } from "./library.js";
import {
  DEFAULT_SCOPE,
  countText,
  filterVideos,
  filtersToQuery,
  groupByExperiment,
  hasFilters,
  parseFilters,
  rangeBetween,
  sortVideos,
  totalSizeMb,
} from "./library-format.js";
import { enterVideosTab, isNewInVisit, leaveVideosTab, onNewMarks } from "./new-videos.js";
import { NO_FILTERS, createToolbar } from "./toolbar.js";

const LAYOUT_KEY = "retro-ml-videos-layout";

let root;
let tools; // toolbar.js: the header, scopes, filters and "Select all"
let errorSlot;
let body;
let batchBar;

let filters = parseFilters(new URLSearchParams());
let layout = readLayout();
let visible = []; // the videos on screen, in screen order
const selection = new Set();
let anchorId = null; // where a Shift-click range starts
const cards = new Map(); // video id → {node, key}
const groups = new Map(); // experiment id → {section, list}
let shown = false;

const gameOf = (experimentId) => getExperiment(experimentId)?.game ?? null;

function readLayout() {
  try {
    return sessionStorage.getItem(LAYOUT_KEY) === "list" ? "list" : "grid";
  } catch {
    return "grid";
  }
}

function setLayout(next) {
  layout = next;
  try {
    sessionStorage.setItem(LAYOUT_KEY, next);
  } catch {
    // Storage off: the choice lasts while the page does.
  }
  render();
}

/** Changes the filters through the address bar (a history entry: Back undoes it). */
function setFilters(changes) {
  const query = filtersToQuery({ ...filters, ...changes });
  location.hash = `#/videos${query ? `?${query}` : ""}`;
}

// ---------- the frame ----------

function build(container) {
  tools = createToolbar({
    filters: setFilters,
    layout: setLayout,
    refresh: () => refresh(),
    selectAll: () => toggleSelectAll(),
  });
  errorSlot = el("div", { class: "vt-error", hidden: true });
  body = el("div", { class: "vt-body", "aria-busy": "true", dataset: { testid: "videos-body" } });
  batchBar = createBatchBar({ selected: selectedVideos, clear: clearSelection });
  root = el(
    "div",
    { class: "vt", dataset: { layout } },
    tools.head,
    tools.toolbar,
    tools.selectBar,
    errorSlot,
    body,
    batchBar.node,
    tools.tagList,
  );
  replaceChildren(container, root);
}

// ---------- rendering ----------

function render() {
  if (!root) return;
  const all = allVideos();
  const error = libraryError();
  tools.sync(all, filters, layout, gameOf);
  root.dataset.layout = layout;
  body.setAttribute("aria-busy", String(all === null && !error));
  renderError(error);
  if (all === null) {
    visible = [];
    cards.clear();
    groups.clear();
    tools.setSummary("");
    if (error) replaceChildren(body);
    else {
      const loading = el("p", { class: "visually-hidden" }, "Loading videos…");
      replaceChildren(body, el("ul", { class: `vt-${layout}` }, skeletonCards(layout)), loading);
    }
    syncSelection();
    return;
  }
  visible = sortVideos(filterVideos(all, filters, gameOf), filters.sort);
  const size = formatSizeMb(totalSizeMb(all));
  tools.setSummary(
    !all.length
      ? ""
      : visible.length === all.length
        ? `${countText(all.length)} · ${size}`
        : `${visible.length} of ${countText(all.length)} · ${size} in all`,
  );
  for (const id of [...selection]) if (!visible.some((video) => video.id === id)) selection.delete(id);
  const focus = focusedControl();
  if (!all.length) {
    showMessage(emptyLibrary());
  } else if (!visible.length) {
    showMessage(emptyFilter());
  } else if (filters.scope === "experiments") {
    renderGroups();
  } else {
    groups.clear();
    let list = body.querySelector(":scope > ul.vt-items");
    if (!list || list.dataset.layout !== layout) {
      list = el("ul", { class: `vt-items vt-${layout}`, dataset: { layout }, "aria-label": "Videos" });
      replaceChildren(body, list);
    }
    fill(list, visible);
  }
  restoreFocus(focus);
  syncSelection();
}

function showMessage(node) {
  cards.clear();
  groups.clear();
  replaceChildren(body, node);
}

function renderGroups() {
  let holder = body.querySelector(":scope > .vt-groups");
  if (!holder) {
    holder = el("div", { class: "vt-groups" });
    replaceChildren(body, holder);
    groups.clear();
  }
  const wanted = groupByExperiment(visible).map(({ experimentId, videos }) => {
    let group = groups.get(experimentId);
    if (!group || group.layout !== layout) {
      const title = runLink(
        { id: experimentId },
        { class: "vt-group__title", title: "Open this training run", dataset: { field: "group-title" } },
      );
      const facts = el("span", { class: "vt-group__facts figure" });
      const list = el("ul", { class: `vt-items vt-${layout}`, "aria-label": "Videos of this run" });
      const section = el(
        "section",
        { class: "vt-group", dataset: { testid: "videos-group", experimentId } },
        el("h2", { class: "vt-group__head" }, title, facts),
        list,
      );
      group = { section, list, title, facts, layout };
      groups.set(experimentId, group);
    }
    const experiment = getExperiment(experimentId);
    setText(group.title, experiment?.name ?? `Run ${experimentId}`);
    const game = experiment ? gameName(experiment.game) : null;
    const facts = [game, countText(videos.length), formatSizeMb(totalSizeMb(videos))].filter(Boolean);
    setText(group.facts, facts.join(" · "));
    fill(group.list, videos);
    return group.section;
  });
  const ids = new Set(groupByExperiment(visible).map((g) => g.experimentId));
  for (const id of [...groups.keys()]) if (!ids.has(id)) groups.delete(id);
  wanted.forEach((node, index) => {
    if (holder.children[index] !== node) holder.insertBefore(node, holder.children[index] ?? null);
  });
  while (holder.children.length > wanted.length) holder.lastElementChild.remove();
}

/** Keyed: a card that did not change stays (its loaded thumbnail, its focus). */
function fill(list, videos) {
  const wanted = videos.map((video) => {
    const isNew = isNewInVisit(video.id);
    const experiment = getExperiment(video.experiment_id);
    const key = JSON.stringify([video, layout, isNew, experiment?.name, experiment?.game]);
    const known = cards.get(video.id);
    if (known?.key === key) return known.node;
    const node = videoCard(video, cardActions, { layout, selected: selection.has(video.id), isNew });
    cards.set(video.id, { node, key });
    return node;
  });
  const ids = new Set((allVideos() ?? []).map((video) => video.id));
  for (const id of [...cards.keys()]) if (!ids.has(id)) cards.delete(id);
  wanted.forEach((node, index) => {
    if (list.children[index] !== node) list.insertBefore(node, list.children[index] ?? null);
  });
  while (list.children.length > wanted.length) list.lastElementChild.remove();
}

function focusedControl() {
  const active = document.activeElement;
  if (!active || !body.contains(active)) return null;
  return { node: active, videoId: active.closest("[data-video-id]")?.dataset.videoId, key: active.dataset.focusKey };
}

function restoreFocus(focus) {
  if (!focus || focus.node.isConnected) return;
  const again = focus.videoId && focus.key && control(focus.videoId, focus.key);
  (again || body.querySelector("button, a"))?.focus();
}

function control(videoId, key) {
  const node = cards.get(videoId)?.node;
  return node?.isConnected ? node.querySelector(`[data-focus-key="${CSS.escape(key)}"]`) : null;
}

function renderError(error) {
  errorSlot.hidden = !error;
  if (!error) return;
  replaceChildren(
    errorSlot,
    el(
      "p",
      { class: "card-message card-message--error", role: "alert", dataset: { field: "videos-error" } },
      icon("alert"),
      el("span", { class: "card-message__text" }, `Could not load the videos: ${error}`),
      el("button", { type: "button", class: "button button--small", onclick: () => refresh() }, "Try again"),
    ),
  );
}

function emptyLibrary() {
  return el(
    "div",
    { class: "vt-empty", dataset: { testid: "videos-empty" } },
    el("span", { class: "vt-empty__icon" }, videoIcon("film", 32)),
    el("h2", { class: "vt-empty__title" }, "No videos yet"),
    el(
      "p",
      { class: "vt-empty__text" },
      "Start a training on the Dashboard; milestone clips appear here as the agent learns.",
    ),
    el(
      "a",
      { class: "button button--primary", href: "#/", title: "Pick a game and start training" },
      "Go to the Dashboard",
    ),
  );
}

function emptyFilter() {
  const favorites = filters.scope === "favorites";
  const text = hasFilters(filters)
    ? "No videos match these filters."
    : favorites
      ? "No favorites yet: star a video (☆) to keep it here."
      : "No videos here.";
  return el(
    "div",
    { class: "vt-empty vt-empty--filter", dataset: { testid: "videos-empty-filter" } },
    el("span", { class: "vt-empty__icon" }, videoIcon("film", 32)),
    el("p", { class: "vt-empty__text" }, text),
    hasFilters(filters)
      ? el(
          "button",
          { type: "button", class: "button", onclick: () => setFilters(NO_FILTERS) },
          "Clear filters",
        )
      : favorites
        ? el(
            "a",
            { class: "button", href: `#/videos?${filtersToQuery({ ...filters, scope: DEFAULT_SCOPE })}` },
            "Show all videos",
          )
        : null,
  );
}

// ---------- actions and selection ----------

const cardActions = {
  onSaved: (saved) => upsertVideos(saved),
  onRemoved: (videoId) => removeVideos([videoId]),
  /** Where the focus goes when a dialog closes or a card was re-built; `now`: focus it now. */
  focusAfter(videoId, key = "menu", now = false) {
    const target = control(videoId, key) ?? body.querySelector("button, a");
    if (now) target?.focus();
    return target;
  },
  onSelect(videoId, checked, event) {
    const ids = event.shiftKey && anchorId ? rangeBetween(visible.map((v) => v.id), anchorId, videoId) : [videoId];
    for (const id of ids) {
      if (checked) selection.add(id);
      else selection.delete(id);
    }
    anchorId = videoId;
    syncSelection();
  },
};

function selectedVideos() {
  return visible.filter((video) => selection.has(video.id));
}

function clearSelection() {
  selection.clear();
  anchorId = null;
  syncSelection();
}

function toggleSelectAll() {
  const all = visible.length > 0 && visible.every((video) => selection.has(video.id));
  if (all) selection.clear();
  else for (const video of visible) selection.add(video.id);
  syncSelection();
}

function syncSelection() {
  for (const [id, { node }] of cards) {
    const on = selection.has(id);
    node.dataset.selected = String(on);
    const box = node.querySelector('[data-field="video-select"]');
    if (box && box.checked !== on) box.checked = on;
  }
  root.dataset.selecting = String(selection.size > 0);
  const all = visible.length > 0 && visible.every((video) => selection.has(video.id));
  tools.setSelectAll(all ? "Select none" : `Select all ${visible.length}`, !visible.length);
  batchBar.update();
}

function onKey(event) {
  if (event.key !== "Escape" || !selection.size || event.defaultPrevented) return;
  if (document.querySelector("dialog[open]")) return;
  if (event.target.closest?.("input[type=text], select, .menu")) return;
  clearSelection();
}

async function refresh() {
  tools.setBusy(true);
  try {
    await loadVideos();
  } finally {
    tools.setBusy(false);
  }
}

export default {
  title: "Videos",
  init(container) {
    build(container);
    onLibrary(() => shown && render());
    onNewMarks(() => shown && render());
    onState("experiments", () => shown && render());
  },
  show(route) {
    const first = !shown;
    shown = true;
    filters = parseFilters(route.query);
    if (first) {
      document.addEventListener("keydown", onKey);
      enterVideosTab();
      loadVideos();
    }
    render();
  },
  hide() {
    shown = false;
    document.removeEventListener("keydown", onKey);
    leaveVideosTab();
  },
};
