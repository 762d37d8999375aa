// The one way to listen to live server events: `onLive(name, handler)` and `onReconnect(handler)`
// work before or after the socket exists. `connectLive()` opens the socket once (after the first
// load) and shows its state in the header's indicator; `onReconnect` handlers run after every
// (re)connection, the moment to fetch again what events may have missed.

import { setText } from "./dom.js";
import { connectSocket } from "./socket.js";

const handlers = new Map(); // event name → Set of handlers
const reconnectHandlers = new Set();
let socket = null;
let connecting = null; // the promise of the socket wrapper, once asked for
let ready;
const socketReady = new Promise((resolve) => {
  ready = resolve;
});

function subscribe(name) {
  socket.on(name, (payload) => {
    for (const handler of handlers.get(name) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        console.error(`A ${name} handler failed`, error);
      }
    }
  });
}

/** Calls `handler(payload)` for every `name` event; returns an unsubscribe function. */
export function onLive(name, handler) {
  if (!handlers.has(name)) {
    handlers.set(name, new Set());
    if (socket) subscribe(name);
  }
  handlers.get(name).add(handler);
  return () => handlers.get(name).delete(handler);
}

/** Calls `handler()` after every (re)connection; returns an unsubscribe function. */
export function onReconnect(handler) {
  reconnectHandlers.add(handler);
  return () => reconnectHandlers.delete(handler);
}

function notifyConnected() {
  for (const handler of reconnectHandlers) {
    try {
      handler();
    } catch (error) {
      console.error("A reconnect handler failed", error);
    }
  }
}

/** The socket wrapper (with `emit(event, data)` → ack), once connected the first time. */
export const liveSocket = () => socketReady;

const CONNECTION_LABELS = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  unavailable: "Not live",
};

const CONNECTION_TITLES = {
  connecting: "Connecting to the training server for live updates",
  live: "Live: progress updates arrive as they happen",
  reconnecting: "Lost the live connection; trying again. Figures may be behind.",
  unavailable: "Live updates could not start. Reload the page to try again.",
};

/** The header's indicator (`#connection`). */
function showConnection(connectionState) {
  const node = document.getElementById("connection");
  node.dataset.state = connectionState;
  node.title = CONNECTION_TITLES[connectionState];
  setText(node.querySelector("[data-field='connection-label']"), CONNECTION_LABELS[connectionState]);
}

/** Opens the live connection (once; later calls get the same promise). */
export function connectLive() {
  connecting ??= connectSocket({
    onState: showConnection,
    // Events sent while we were away are gone: the handlers fetch the truth again.
    onConnect: notifyConnected,
  }).then((live) => {
    socket = live;
    for (const name of handlers.keys()) subscribe(name);
    ready(live);
    return live;
  });
  return connecting;
}

/** Closes the live connection (signed out). */
export function disconnectLive() {
  connecting?.then((live) => live.close());
}
