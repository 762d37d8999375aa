// The batch bar under a multi-selection: Export…, Add tag…, Favorite (or Unfavorite when all
// are), Delete…. Each runs through `POST /api/videos/batch` in small chunks so the bar can
// say how far it got; the result is a toast, and what failed is listed by name.

import { closeIconButton, createDialog } from "../shell/dialog.js";
import { el, icon, replaceChildren, setText, showButtonBusy } from "../shell/dom.js";
import { showToast } from "../shell/toast.js";
import { videoIcon } from "../videos/icons.js";
import { formatSizeMb } from "../videos/video-format.js";
import { libraryApi } from "./api.js";
import { openBatchExport } from "./batch-export-dialog.js";
import { removeVideos, upsertVideos } from "./library.js";
import { chunks, cleanTag, countText, totalSizeMb } from "./library-format.js";

const CHUNK = 10;
const LISTED_NAMES = 6;

/**
 * Runs `action` on `videos`, chunk by chunk; `progress(done, total)` after each.
 * Resolves {ok: [result], failed: [{video, message}]}; changed records go into the library.
 */
async function runBatch(action, videos, { tags, progress }) {
  const byId = new Map(videos.map((video) => [video.id, video]));
  const ok = [];
  const failed = [];
  let done = 0;
  for (const part of chunks(videos.map((video) => video.id), CHUNK)) {
    try {
      const body = { ids: part, action, ...(tags ? { tags } : {}) };
      const { results = [] } = await libraryApi.batch(body);
      for (const result of results) {
        if (result.ok) ok.push(result);
        else failed.push({ video: byId.get(result.id), message: result.error?.message ?? "It was refused." });
      }
    } catch (error) {
      if (error.kind === "auth") throw error;
      for (const id of part) failed.push({ video: byId.get(id), message: error.message });
    }
    done += part.length;
    progress?.(done, videos.length);
  }
  if (action === "delete") removeVideos(ok.map((result) => result.id));
  else upsertVideos(ok.map((result) => result.video).filter(Boolean));
  return { ok, failed };
}

/** "“Clip A”: it is being exported; “Clip B”: …" for a toast or a list. */
function failureText(failed) {
  const shown = failed.slice(0, LISTED_NAMES).map(({ video, message }) => `“${video?.name ?? "?"}”: ${message}`);
  const more = failed.length > LISTED_NAMES ? [`and ${failed.length - LISTED_NAMES} more`] : [];
  return [...shown, ...more].join(" · ");
}

const MESSAGES = {
  favorite: { done: (n) => `${n} added to favorites`, failed: "added to favorites" },
  unfavorite: { done: (n) => `${n} removed from favorites`, failed: "removed from favorites" },
  tag: { done: (n, tag) => `Tagged ${n} “${tag}”`, failed: "tagged" },
  delete: { done: (n) => `${n} moved to the trash`, failed: "moved to the trash" },
};

function reportResult({ ok, failed }, { action, tag, total }) {
  const words = MESSAGES[action];
  if (!failed.length) {
    showToast(words.done(countText(ok.length), tag), { kind: "success" });
    return;
  }
  showToast(`${failed.length} of ${countText(total)} could not be ${words.failed}`, {
    kind: "error",
    detail: `${ok.length ? `${ok.length} done. ` : ""}${failureText(failed)}`,
  });
}

/**
 * The sticky bar. `selected()` gives the selected videos (in screen order); `clear()` empties
 * the selection. Returns {node, update()}.
 */
export function createBatchBar({ selected, clear }) {
  let busy = null; // the button whose action runs
  const summary = el("span", { class: "vt-batch__summary figure", dataset: { field: "batch-summary" } });
  const status = el("span", { class: "vt-batch__status", role: "status", dataset: { field: "batch-status" } });
  const button = (iconNode, label, title, onclick, extra = "") =>
    el(
      "button",
      { type: "button", class: `button button--small${extra}`, title, onclick, dataset: { batchLabel: label } },
      iconNode,
      el("span", { class: "button__label" }, label),
    );
  const exportButton = button(videoIcon("export", 14), "Export…", "Export every selected video to a folder", () =>
    openBatchExport(selected(), { returnFocus: () => exportButton }),
  );
  const tagButton = button(videoIcon("rename", 14), "Add tag…", "Add one tag to every selected video", () =>
    openTagDialog(selected(), {
      run: (tag, videos) => run(tagButton, "tag", videos, { tags: [tag] }),
      returnFocus: () => tagButton,
    }),
  );
  const favoriteButton = button(videoIcon("star", 14), "Favorite", "Add every selected video to Favorites", () => {
    const videos = selected();
    const allFavorite = videos.every((video) => video.metadata?.favorite);
    run(favoriteButton, allFavorite ? "unfavorite" : "favorite", videos);
  });
  const deleteButton = button(icon("trash", 14), "Delete…", "Move every selected video to the trash", () =>
    openDeleteDialog(selected(), {
      run: (videos, progress) => run(deleteButton, "delete", videos, { progress }),
      returnFocus: () => deleteButton,
    }),
    " button--danger",
  );
  const clearButton = el(
    "button",
    {
      type: "button",
      class: "icon-button",
      "aria-label": "Clear the selection",
      title: "Clear the selection (Esc)",
      onclick: () => clear(),
    },
    icon("close"),
  );
  const node = el(
    "div",
    {
      class: "vt-batch",
      role: "region",
      "aria-label": "Selected videos",
      dataset: { testid: "videos-batch-bar" },
      hidden: true,
    },
    summary,
    status,
    el("div", { class: "vt-batch__actions" }, exportButton, tagButton, favoriteButton, deleteButton, clearButton),
  );
  const buttons = [exportButton, tagButton, favoriteButton, deleteButton];

  const PROGRESS = { favorite: "Starring", unfavorite: "Unstarring", tag: "Tagging", delete: "Deleting" };

  async function run(source, action, videos, { tags, progress } = {}) {
    if (busy || !videos.length) return { ok: [], failed: [] };
    busy = source;
    setBusy();
    const show = (done, total) => {
      setText(status, `${PROGRESS[action]} ${done} of ${total}…`);
      progress?.(done, total);
    };
    show(0, videos.length);
    try {
      const result = await runBatch(action, videos, { tags, progress: show });
      reportResult(result, { action, tag: tags?.[0], total: videos.length });
      return result;
    } catch (error) {
      return { ok: [], failed: videos.map((video) => ({ video, message: error.message })) };
    } finally {
      busy = null;
      setText(status, "");
      setBusy();
      update();
    }
  }

  function setBusy() {
    for (const b of buttons) {
      const label = b.dataset.batchLabel;
      const busyLabel = `${label.replace("…", "")}…`;
      showButtonBusy(b, { blocked: Boolean(busy), mine: busy === b, label, busyLabel });
    }
  }

  function update() {
    const videos = selected();
    node.hidden = !videos.length && !busy;
    setText(summary, `${countText(videos.length)} selected · ${formatSizeMb(totalSizeMb(videos))}`);
    const allFavorite = videos.length > 0 && videos.every((video) => video.metadata?.favorite);
    const label = allFavorite ? "Unfavorite" : "Favorite";
    favoriteButton.dataset.batchLabel = label;
    favoriteButton.title = allFavorite
      ? "Remove every selected video from Favorites"
      : "Add every selected video to Favorites";
    if (busy !== favoriteButton) setText(favoriteButton.querySelector(".button__label"), label);
  }

  return { node, update };
}

// ---------- Add tag ----------

let tagDialog = null;

function openTagDialog(videos, { run, returnFocus }) {
  if (!videos.length) return;
  const input = el("input", {
    class: "input input--text",
    id: "batch-tag-input",
    type: "text",
    maxlength: "40",
    autocomplete: "off",
    list: "videos-tab-tags",
    placeholder: "best",
    "aria-describedby": "batch-tag-error",
  });
  const error = el("p", { class: "form__error", id: "batch-tag-error", role: "alert", hidden: true });
  const submit = el(
    "button",
    { type: "submit", class: "button button--primary" },
    el("span", { class: "button__label" }, "Add tag"),
  );
  tagDialog?.node.remove();
  const close = () => tagDialog?.close();
  const form = el(
    "form",
    {
      class: "dialog__form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const tag = cleanTag(input.value);
        if (!tag) {
          error.hidden = false;
          setText(error, "Type a tag, e.g. best or highlights.");
          input.focus();
          return;
        }
        showButtonBusy(submit, { blocked: true, mine: true, label: "Add tag", busyLabel: "Tagging…" });
        close();
        await run(tag, videos);
      },
    },
    el(
      "div",
      { class: "dialog__head" },
      el("h2", { class: "dialog__title", id: "batch-tag-title" }, `Tag ${countText(videos.length)}`),
      closeIconButton(close),
    ),
    el(
      "div",
      { class: "dialog__body" },
      el(
        "div",
        { class: "form__field" },
        el("label", { class: "form__label", for: "batch-tag-input" }, "Tag"),
        input,
        el("p", { class: "form__hint" }, "Up to 40 characters. Filter by it with Tag above the videos."),
        error,
      ),
    ),
    el(
      "div",
      { class: "dialog__foot" },
      el("button", { type: "button", class: "button", onclick: close }, "Cancel"),
      submit,
    ),
  );
  const node = el(
    "dialog",
    { class: "dialog dialog--small", dataset: { testid: "batch-tag-dialog" }, "aria-labelledby": "batch-tag-title" },
    form,
  );
  tagDialog = createDialog(node, { backdropCloses: false, removeOnClose: true });
  document.body.append(node);
  tagDialog.open({ returnFocus });
  input.focus();
}

// ---------- Delete ----------

function openDeleteDialog(videos, { run, returnFocus }) {
  if (!videos.length) return;
  const size = formatSizeMb(totalSizeMb(videos));
  const names = el(
    "ul",
    { class: "vt-delete__names", dataset: { field: "batch-delete-names" } },
    videos.slice(0, LISTED_NAMES).map((video) => el("li", { title: video.name }, video.name)),
    videos.length > LISTED_NAMES
      ? el("li", { class: "vt-delete__more" }, `and ${videos.length - LISTED_NAMES} more`)
      : null,
  );
  const progressLine = el("p", {
    class: "vt-delete__progress figure",
    role: "status",
    dataset: { field: "batch-delete-progress" },
  });
  const failures = el("div", { class: "vt-delete__failures", hidden: true });
  const confirm = el(
    "button",
    { type: "button", class: "button button--danger-solid", dataset: { field: "batch-delete-confirm" } },
    icon("trash", 14),
    el("span", { class: "button__label" }, `Move ${countText(videos.length)} to the trash`),
  );
  const cancel = el("button", { type: "button", class: "button" }, "Cancel");
  const node = el(
    "dialog",
    {
      class: "dialog dialog--small",
      role: "alertdialog",
      dataset: { testid: "batch-delete-dialog" },
      "aria-labelledby": "batch-delete-title",
      "aria-describedby": "batch-delete-lead",
    },
    el(
      "div",
      { class: "dialog__head" },
      el("h2", { class: "dialog__title", id: "batch-delete-title" }, `Move ${countText(videos.length)} to the trash?`),
    ),
    el(
      "div",
      { class: "dialog__body" },
      el(
        "p",
        { class: "dialog__lead", id: "batch-delete-lead", dataset: { field: "batch-delete-lead" } },
        `${countText(videos.length)}, ${size} in all, and their thumbnails go to the trash; ` +
          "you can restore them from there. Their training runs stay.",
      ),
      names,
      progressLine,
      failures,
    ),
    el("div", { class: "dialog__foot" }, cancel, confirm),
  );
  const dialog = createDialog(node, { backdropCloses: false, removeOnClose: true });
  cancel.addEventListener("click", () => dialog.close());
  confirm.addEventListener("click", async () => {
    if (dialog.isBusy()) return;
    dialog.setBusy(true, { button: confirm, label: "", busyLabel: "Moving…", block: [cancel] });
    const result = await run(videos, (done, total) => setText(progressLine, `Moved ${done} of ${total}…`));
    dialog.setBusy(false, { block: [cancel] });
    if (!result.failed.length) {
      dialog.close();
      return;
    }
    confirm.hidden = true;
    setText(cancel, "Close");
    setText(progressLine, `${result.ok.length} moved to the trash; ${result.failed.length} could not be:`);
    failures.hidden = false;
    replaceChildren(
      failures,
      el(
        "ul",
        { class: "vt-delete__names vt-delete__names--failed", dataset: { field: "batch-delete-failures" } },
        result.failed.map(({ video, message }) => el("li", {}, el("strong", {}, video?.name ?? "?"), `: ${message}`)),
      ),
    );
    cancel.focus();
  });
  document.body.append(node);
  dialog.open({ returnFocus });
  cancel.focus();
}
