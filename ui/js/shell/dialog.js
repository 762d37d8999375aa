// The <dialog> wiring every modal shares: opened with showModal, closed by Escape, by a click
// on the backdrop or by its own buttons, except while its request is in flight; the focus goes
// back to what opened it; the server's refusals land under the field they are about.
//
//   const dialog = createDialog(node, { onClose: () => (current = null) });
//   dialog.open({ returnFocus: button });
//   dialog.setBusy(true, { button: save, label: "Save", busyLabel: "Saving…", block: [cancel] });
//   showFieldError(form, error.field ?? "form", error.message);

import { el, icon, setText, showButtonBusy } from "./dom.js";

const controllers = new WeakMap(); // <dialog> → its controller

/**
 * Wires the `<dialog>` element `node` and returns its controller:
 * - `open({returnFocus})`: shows it as a modal (once); `returnFocus` is an element, or a
 *   function giving one when it closes (the opener may have been re-rendered meanwhile);
 * - `close()`: closes it unless busy; `isBusy()`;
 * - `setBusy(value, {button, label, busyLabel, block})`: while busy, Escape, the backdrop and
 *   `close()` do nothing; `button` (whose request runs) spins with `busyLabel` and the buttons
 *   in `block` are aria-disabled (so a data-action handler ignores them too).
 * Options: `backdropCloses` (default true: a click on the backdrop closes it); `removeOnClose`
 * (a dialog built per use: removed once closed, after toast.js moved its notices out of it);
 * `onClose()` runs on every close, before the focus goes back.
 */
export function createDialog(node, { backdropCloses = true, removeOnClose = false, onClose = null } = {}) {
  let busy = false;
  let returnFocus = null;

  const controller = {
    node,
    open({ returnFocus: target = null } = {}) {
      returnFocus = target;
      if (!node.open) node.showModal();
    },
    close() {
      if (!busy && node.open) node.close();
    },
    isBusy: () => busy,
    setBusy(value, { button = null, label = "", busyLabel = "", block = [] } = {}) {
      busy = value;
      if (button) showButtonBusy(button, { blocked: value, mine: value, label, busyLabel });
      for (const other of block) {
        if (value) other.setAttribute("aria-disabled", "true");
        else other.removeAttribute("aria-disabled");
      }
    },
  };

  // A click on the backdrop lands on the <dialog> itself.
  node.addEventListener("click", (event) => {
    if (backdropCloses && event.target === node) controller.close();
  });
  node.addEventListener("cancel", (event) => {
    if (busy) event.preventDefault();
  });
  node.addEventListener("close", () => {
    const target = typeof returnFocus === "function" ? returnFocus() : returnFocus;
    returnFocus = null;
    onClose?.();
    // Later, not now: toasts shown meanwhile sit in the dialog until its "close" moves them out.
    if (removeOnClose) setTimeout(() => node.remove(), 0);
    if (target?.isConnected && !target.closest("[hidden]")) target.focus();
  });
  controllers.set(node, controller);
  return controller;
}

/** The `data-action="close-dialog"` buttons: closes the dialog around `target`, unless it is busy. */
export function closeDialogOf(target) {
  const node = target.closest("dialog");
  if (node) controllers.get(node)?.close();
}

/** The line for `field`'s errors in `root` (`data-error-for="<field>"`), else the form's own line. */
export function errorLineFor(root, field) {
  return (
    root.querySelector(`[data-error-for="${CSS.escape(String(field ?? "form"))}"]`) ??
    root.querySelector('[data-error-for="form"]')
  );
}

/** Shows `message` under `field` (else in the form's line); returns the line used. */
export function showFieldError(root, field, message) {
  const line = errorLineFor(root, field);
  setText(line, message);
  line.hidden = false;
  return line;
}

/** Hides and empties the error lines in `root`: all of them, or only `field`'s. */
export function clearFieldErrors(root, field = null) {
  const lines = field === null
    ? root.querySelectorAll("[data-error-for]")
    : root.querySelectorAll(`[data-error-for="${CSS.escape(field)}"]`);
  for (const line of lines) {
    line.hidden = true;
    setText(line, "");
  }
}

/**
 * The × in a dialog's head ("Close (Esc)"): it calls `onclick`, or without one it goes through
 * the page's `close-dialog` action (the dialog around it closes).
 */
export function closeIconButton(onclick = null) {
  const behaviour = onclick ? { onclick } : { dataset: { action: "close-dialog" } };
  return el(
    "button",
    { type: "button", class: "icon-button", ...behaviour, "aria-label": "Close", title: "Close (Esc)" },
    icon("close"),
  );
}
