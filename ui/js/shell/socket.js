// Live events from the server over Socket.IO. The session cookie authenticates the
// websocket handshake, so there is nothing to send but the connection itself.
//
// The client library is loaded on demand: if it cannot load, the dashboard still works
// (it just is not live) instead of failing as a whole.

const CLIENT_URL = "/vendor/socket.io.esm.min.js";
const EMIT_TIMEOUT_MS = 10_000;

/**
 * Connects and reports the connection as "connecting" | "live" | "reconnecting" |
 * "unavailable". `onConnect(isReconnect)` runs after every successful (re)connection,
 * the moment to resync state that events may have missed.
 */
export async function connectSocket({ onState, onConnect }) {
  onState("connecting");
  let io;
  try {
    ({ io } = await import(CLIENT_URL));
  } catch (error) {
    console.error("Socket.IO client failed to load", error);
    onState("unavailable");
    return {
      on() {},
      emit: () =>
        Promise.reject(new Error("Live updates could not start in this window: reload the page to try again.")),
      close() {},
    };
  }

  const socket = io({
    transports: ["websocket"],
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
  });
  let connectedBefore = false;

  socket.on("connect", () => {
    onState("live");
    onConnect(connectedBefore);
    connectedBefore = true;
  });
  socket.on("disconnect", (reason) => {
    // The server dropped us on purpose: socket.io does not retry that by itself.
    if (reason === "io server disconnect") socket.connect();
    onState("reconnecting");
  });
  socket.on("connect_error", () => onState(connectedBefore ? "reconnecting" : "connecting"));

  return {
    on(event, handler) {
      socket.on(event, handler);
    },
    /**
     * Sends `event` and resolves with the server's ack; rejects with a readable Error when
     * not connected or when no ack comes within `timeoutMs`.
     */
    emit(event, data, { timeoutMs = EMIT_TIMEOUT_MS } = {}) {
      if (!socket.connected) {
        const message =
          "Not connected to the training server right now: wait for “Live” in the top bar, then try again.";
        return Promise.reject(new Error(message));
      }
      return socket
        .timeout(timeoutMs)
        .emitWithAck(event, data)
        .catch(() => {
          const seconds = Math.round(timeoutMs / 1000);
          throw new Error(
            `The training server did not answer within ${seconds} s. Check that it is still running, then try again.`,
          );
        });
    },
    close() {
      socket.close();
    },
  };
}
