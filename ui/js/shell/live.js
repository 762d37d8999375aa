// One place where any view subscribes to live server events, before or after the socket
// exists: main.js hands the socket over with `attachSocket`; `onLive` handlers registered
// earlier or later all receive events; `onReconnect` handlers run after every
// (re)connection, the moment to fetch again what events may have missed.

const handlers = new Map(); // event name → Set of handlers
const reconnectHandlers = new Set();
let socket = null;
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

export function onReconnect(handler) {
  reconnectHandlers.add(handler);
  return () => reconnectHandlers.delete(handler);
}

/** main.js: the socket wrapper from socket.js, once. */
export function attachSocket(live) {
  socket = live;
  for (const name of handlers.keys()) subscribe(name);
  ready(live);
}

/** main.js: after every (re)connection. */
export function notifyConnected() {
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
