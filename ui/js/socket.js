// Live events from the server over Socket.IO. The session cookie authenticates the
// websocket handshake, so there is nothing to send but the connection itself.
//
// The client library is loaded on demand: if it cannot load, the dashboard still works
// (it just is not live) instead of failing as a whole.

const CLIENT_URL = "/vendor/socket.io.esm.min.js";

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
    return { on() {}, close() {} };
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
    close() {
      socket.close();
    },
  };
}
