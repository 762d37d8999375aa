// The desktop window's bridge (pywebview's `js_api`): what only the native side can do. In a
// browser there is none, and the callers fall back to a typed path or the server.

const bridge = () => window.pywebview?.api;

/** Whether the native folder picker is there (the bridge arrives a moment after the page). */
export const hasFolderPicker = () => typeof bridge()?.pick_folder === "function";

/** Opens the native folder picker at `start`; resolves with the chosen folder, or null. */
export const pickFolder = (start) => bridge().pick_folder(start);

/** The native clipboard, when the bridge has one: resolves with {ok, error?}; null without. */
export const copyTextNatively = (text) =>
  typeof bridge()?.copy_text === "function" ? bridge().copy_text(text) : null;
