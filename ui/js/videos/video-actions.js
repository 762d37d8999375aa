// A video row's actions: the favourite star and the "More actions" menu (Export…, Rename…,
// Copy path, Open location, Delete…). The menu is a menu button (WAI-ARIA pattern): Enter,
// Space or ↓ opens it on its first item, ↑ on its last; ↑ ↓ Home End or Tab move through the
// items, Escape closes it (and only it: not the dialog around it) and gives the focus back.
//
// The menu is `position: fixed` so the list's rounded, clipped box and the dialog's
// scrolling body never cut it; it closes on scroll and resize instead of drifting.

import { api } from "../shell/api.js";
import { copyTextNatively } from "../shell/desktop.js";
import { el, icon } from "../shell/dom.js";
import { showToast } from "../shell/toast.js";
import { openDeleteVideo } from "./delete-video-dialog.js";
import { openExportDialog } from "./export-dialog.js";
import { videoIcon } from "./icons.js";
import { openRename } from "./rename-dialog.js";

const MENU_GAP_PX = 4;
const VIEWPORT_MARGIN_PX = 8;

let openMenu = null; // {anchor, button, menu} of the one open menu
const itemActions = new WeakMap(); // menu item → what it does

/**
 * The star: a toggle button (aria-pressed) that PATCHes `favorite`; the row shows the saved
 * state (onSaved gets the server's record), never a guess. `label` names the video ("Milestone 50%").
 */
export function favoriteButton(video, { label, onSaved }) {
  const favorite = Boolean(video.metadata?.favorite);
  const button = el(
    "button",
    {
      type: "button",
      class: "icon-button video-item__favorite",
      "aria-pressed": String(favorite),
      "aria-label": `Favorite ${label}: ${video.name}`,
      title: favorite ? "Remove from favorites" : "Add to favorites",
      dataset: { focusKey: "favorite", field: "video-favorite" },
      onclick: async () => {
        if (button.getAttribute("aria-busy") === "true") return;
        button.setAttribute("aria-busy", "true");
        try {
          const { video: saved } = await api.updateVideo(video.id, { favorite: !favorite });
          onSaved(saved);
        } catch (error) {
          if (error.kind !== "auth") {
            showToast(favorite ? "Could not remove it from favorites" : "Could not add it to favorites", {
              kind: "error",
              detail: error.message,
            });
          }
        } finally {
          button.removeAttribute("aria-busy");
        }
      },
    },
    videoIcon("star"),
  );
  return button;
}

/**
 * The ⋯ button and its menu. `label` names the video for screen readers ("Milestone 50%");
 * `onSaved(video)` after a rename, `onRemoved(id)` after a delete; `focusAfter(id)` gives the
 * element to focus when a dialog it opened closes (the row may have been re-rendered or gone).
 */
export function actionsMenu(video, { label, onSaved, onRemoved, focusAfter }) {
  const menuId = `video-menu-${video.id}`;
  const button = el(
    "button",
    {
      type: "button",
      class: "icon-button video-item__menu-button",
      id: `${menuId}-button`,
      "aria-haspopup": "menu",
      "aria-expanded": "false",
      "aria-controls": menuId,
      "aria-label": `More actions for ${label}: ${video.name}`,
      title: "More actions",
      dataset: { focusKey: "menu", field: "video-menu-button" },
    },
    videoIcon("more"),
  );
  const returnFocus = () => focusAfter(video.id);
  const items = [
    menuItem("export", "Export…", () => openExportDialog({ video }, { returnFocus })),
    menuItem("rename", "Rename…", () => openRename(video, { onSaved, returnFocus })),
    menuItem("copy", "Copy path", () => copyPath(video)),
    menuItem("folder", "Open location", () => revealVideo(video)),
    el("div", { class: "menu__separator", role: "separator" }),
    menuItem("trash", "Delete…", () => openDeleteVideo(video, { label, onRemoved, returnFocus }), {
      danger: true,
    }),
  ];
  const menu = el(
    "div",
    {
      class: "menu",
      id: menuId,
      role: "menu",
      "aria-labelledby": button.id,
      hidden: true,
      dataset: { testid: "video-menu" },
    },
    items,
  );
  const anchor = el("div", { class: "menu-anchor" }, button, menu);
  const state = { anchor, button, menu };

  button.addEventListener("click", () => {
    if (openMenu === state) closeMenu({ focusButton: false });
    else showMenu(state, "first");
  });
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      showMenu(state, event.key === "ArrowDown" ? "first" : "last");
    }
  });
  menu.addEventListener("keydown", (event) => onMenuKey(event, state));
  menu.addEventListener("click", (event) => {
    const item = event.target.closest('[role="menuitem"]');
    if (!item) return;
    closeMenu({ focusButton: true });
    itemActions.get(item)?.();
  });
  // Tab out of the menu (or a click elsewhere that takes the focus) closes it.
  anchor.addEventListener("focusout", (event) => {
    if (openMenu === state && !anchor.contains(event.relatedTarget)) closeMenu({ focusButton: false });
  });
  return anchor;
}

function menuItem(iconName, text, action, { danger = false } = {}) {
  const item = el(
    "button",
    {
      type: "button",
      role: "menuitem",
      class: `menu__item${danger ? " menu__item--danger" : ""}`,
    },
    iconName === "trash" ? icon("trash", 14) : videoIcon(iconName, 14),
    el("span", {}, text),
  );
  itemActions.set(item, action);
  return item;
}

function menuItems(menu) {
  return [...menu.querySelectorAll('[role="menuitem"]')];
}

async function showMenu(state, focus) {
  if (openMenu && openMenu !== state) closeMenu({ focusButton: false });
  openMenu = state;
  state.button.setAttribute("aria-expanded", "true");
  // A dialog still sliding in (a transform) would be the fixed menu's frame: wait for it.
  const sliding = state.anchor.closest("dialog")?.getAnimations?.() ?? [];
  if (sliding.length) await Promise.allSettled(sliding.map((animation) => animation.finished));
  if (openMenu !== state) return;
  state.menu.hidden = false;
  place(state);
  const items = menuItems(state.menu);
  (focus === "last" ? items.at(-1) : items[0])?.focus();
  document.addEventListener("pointerdown", onOutsidePointer, true);
  window.addEventListener("scroll", onScroll, true);
  window.addEventListener("resize", onResize);
}

function closeMenu({ focusButton }) {
  const state = openMenu;
  if (!state) return;
  openMenu = null;
  state.menu.hidden = true;
  state.button.setAttribute("aria-expanded", "false");
  document.removeEventListener("pointerdown", onOutsidePointer, true);
  window.removeEventListener("scroll", onScroll, true);
  window.removeEventListener("resize", onResize);
  if (focusButton && state.button.isConnected) state.button.focus();
}

/** Below the button, right edges aligned; above it when there is no room below. */
function place(state) {
  const { button, menu } = state;
  const anchor = button.getBoundingClientRect();
  state.anchorAt = `${anchor.top},${anchor.left}`;
  const width = menu.offsetWidth;
  const height = menu.offsetHeight;
  const below = anchor.bottom + MENU_GAP_PX;
  const fitsBelow = below + height <= window.innerHeight - VIEWPORT_MARGIN_PX;
  const top = fitsBelow ? below : Math.max(VIEWPORT_MARGIN_PX, anchor.top - MENU_GAP_PX - height);
  const rightmost = window.innerWidth - width - VIEWPORT_MARGIN_PX;
  const left = Math.max(VIEWPORT_MARGIN_PX, Math.min(anchor.right - width, rightmost));
  menu.style.top = `${Math.round(top)}px`;
  menu.style.left = `${Math.round(left)}px`;
  menu.dataset.placement = fitsBelow ? "below" : "above";
}

function onMenuKey(event, state) {
  const items = menuItems(state.menu);
  const index = items.indexOf(document.activeElement);
  const move = (to) => {
    event.preventDefault();
    items[(to + items.length) % items.length]?.focus();
  };
  switch (event.key) {
    case "ArrowDown":
      move(index + 1);
      break;
    case "ArrowUp":
      move(index < 0 ? items.length - 1 : index - 1);
      break;
    case "Home":
      move(0);
      break;
    case "End":
      move(items.length - 1);
      break;
    case "Escape":
      // Only the menu closes: the keydown must not reach the dialog (its cancel closes it).
      event.preventDefault();
      event.stopPropagation();
      closeMenu({ focusButton: true });
      break;
    default:
      break;
  }
}

function onOutsidePointer(event) {
  if (openMenu && !openMenu.anchor.contains(event.target)) closeMenu({ focusButton: false });
}

/** A scroll that moved the button closes the menu (one that ended before it opened does not). */
function onScroll(event) {
  if (!openMenu || openMenu.menu.contains(event.target)) return;
  const anchor = openMenu.button.getBoundingClientRect();
  if (`${anchor.top},${anchor.left}` !== openMenu.anchorAt) closeMenu({ focusButton: false });
}

function onResize() {
  closeMenu({ focusButton: false });
}

/** The video's path on the clipboard: the desktop window's own bridge, else the server's. */
async function copyPath(video) {
  try {
    const native = copyTextNatively(video.path);
    if (native) {
      const answer = await native;
      if (!answer?.ok) throw new Error(answer?.error?.message || "The clipboard refused the path.");
      showToast("Path copied", { kind: "success", detail: video.path });
      return;
    }
    const { path } = await api.copyVideoPath(video.id);
    showToast("Path copied", { kind: "success", detail: path ?? video.path });
  } catch (error) {
    if (error.kind === "auth") return;
    // The message may say to copy it by hand: the path is right there to select.
    showToast("Could not copy the path", { kind: "error", detail: `${error.message} The path: ${video.path}` });
  }
}

/** Opens the file manager at the video (the file selected where the OS can). */
export async function revealVideo(video) {
  try {
    await api.revealVideo(video.id);
    showToast("Opened the folder", { kind: "success", detail: folderOf(video.path) });
  } catch (error) {
    if (error.kind === "auth") return;
    // When the OS cannot open folders at all, the toast says where the file is instead.
    const where = error.code === "integration_unavailable" ? ` The video is in ${folderOf(video.path)}.` : "";
    showToast("Could not open the folder", { kind: "error", detail: `${error.message}${where}` });
  }
}

function folderOf(path) {
  const text = String(path ?? "");
  const cut = Math.max(text.lastIndexOf("/"), text.lastIndexOf("\\"));
  return cut > 0 ? text.slice(0, cut) : text;
}
