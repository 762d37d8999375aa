// What every tab shares, loaded once at start and again by the offline banner's Retry: the
// games, presets and runs (into state.js) and the settings; then the live connection. Also
// the two screens that replace the page: the offline banner and the sign-in notice.

import { api, onConnectivity } from "./api.js";
import { registerActions } from "./actions.js";
import { setText } from "./dom.js";
import { connectLive, disconnectLive, onReconnect } from "./live.js";
import { loadSettings } from "./settings.js";
import * as state from "./state.js";
import { showToast } from "./toast.js";

let loading = null;
let loadedOnce = false;
let signedOut = false;
const loadedHandlers = new Set();

/**
 * Calls `handler()` after every successful load (the first one and each Retry), and at once
 * when one already happened: the moment for a view to fetch what is only its own.
 */
export function onLoaded(handler) {
  loadedHandlers.add(handler);
  if (loadedOnce) handler();
  return () => loadedHandlers.delete(handler);
}

/** Loads (or reloads) what every tab shares; one load at a time. */
export function load() {
  loading ??= (async () => {
    const retry = document.querySelector('#offline-banner [data-action="reconnect"]');
    retry.disabled = true;
    setText(retry, "Retrying…");
    try {
      const [games, presets, list] = await Promise.all([
        api.games(),
        api.presets(),
        api.experiments(),
        loadSettings(),
      ]);
      state.setCatalog({
        games: games.games ?? [],
        presets: presets.presets ?? [],
        algorithms: presets.algorithms ?? [],
      });
      state.setExperiments(list.experiments ?? []);
      loadedOnce = true;
      for (const handler of loadedHandlers) handler();
      setOffline(false);
      connectLive();
    } catch (error) {
      // auth and offline have their own screens (see onConnectivity below).
      if (error.kind === "http" || error.kind === "server") {
        showToast("The dashboard could not load", { kind: "error", detail: error.message });
      }
    } finally {
      retry.disabled = false;
      setText(retry, "Retry");
      loading = null;
    }
  })();
  return loading;
}

registerActions({ reconnect: () => load() });

// A new connection may follow a server restart: its settings may have changed too.
onReconnect(() => loadSettings().catch(() => {})); // the banner says what is wrong

// ---------- connectivity: signed out, server unreachable ----------

function setOffline(offline) {
  if (signedOut) return;
  document.getElementById("offline-banner").hidden = !offline;
}

onConnectivity("offline", () => setOffline(true));
onConnectivity("online", () => setOffline(false));
onConnectivity("auth", () => {
  if (signedOut) return;
  signedOut = true;
  disconnectLive();
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
  document.getElementById("offline-banner").hidden = true;
  for (const view of document.querySelectorAll("[data-view]")) view.hidden = true;
  document.querySelector(".tabs").hidden = true;
  document.getElementById("connection").hidden = true;
  document.getElementById("auth-required").hidden = false;
  document.title = "Sign-in link needed · Retro ML Trainer";
});
