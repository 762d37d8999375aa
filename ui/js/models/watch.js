// Watch a model version play live (docs/CONTRACT.md, the live view of a model): `live.watch
// {model_id, fps, speed}` over the socket wrapper (shell/socket.js), `live.frame` and
// `live.ended` through shell/live.js's onLive, `live.unwatch` when done. The server starts the
// model's player on the first watch and stops it when the last watcher leaves, so a view that
// goes away must call stop(). Requests go out in order: an unwatch waits for a watch still in
// flight, a late answer after stop() is ignored.

import { onLive } from "../shell/live.js";

export const WATCH_SPEEDS = [1, 2, 4];
export const WATCH_FPS = 12;
// The first watch starts a process that loads the model: give it longer than a plain request.
export const WATCH_TIMEOUT_MS = 60_000;

function checkSpeed(speed) {
  if (!WATCH_SPEEDS.includes(speed)) throw new RangeError(`speed is 1, 2 or 4, not ${speed}`);
  return speed;
}

/**
 * Starts watching `modelId`. `onFrame(payload)` gets each frame ({model_id, jpeg, width, height,
 * timestep, score, game, game_frame}); `onEnded(message)` when the server could not start the
 * player or it stopped by itself. `subscribe(name, handler)` → unsubscribe (onLive by default).
 * Returns {ready, speed, setSpeed(speed), stop()}: `ready` resolves with the server's ack (or
 * null once stopped) and rejects with a readable Error when the watch was refused.
 */
export function watchModel(
  socket,
  modelId,
  { speed = 1, fps = WATCH_FPS, onFrame = () => {}, onEnded = () => {}, subscribe = onLive } = {},
) {
  let current = checkSpeed(speed);
  let stopped = false;
  let pending = Promise.resolve();

  function request(wanted) {
    const asked = socket
      .emit("live.watch", { model_id: modelId, fps, speed: wanted }, { timeoutMs: WATCH_TIMEOUT_MS })
      .then((ack) => {
        if (stopped) return null;
        if (!ack?.ok) throw new Error(ack?.error?.message ?? "The server refused to show this model playing.");
        return ack;
      });
    pending = asked.catch(() => null);
    return asked;
  }

  const unsubscribe = [
    subscribe("live.frame", (payload) => {
      if (!stopped && payload?.model_id === modelId && payload.jpeg) onFrame(payload);
    }),
    subscribe("live.ended", (payload) => {
      if (stopped || payload?.model_id !== modelId) return;
      stop();
      onEnded(payload.message ?? "The model stopped playing.");
    }),
  ];

  const ready = request(current).catch((error) => {
    if (stopped) return null;
    stop({ tell: false });
    onEnded(error.message);
    throw error;
  });

  /** Changes the speed of the game being watched (1, 2 or 4 × real time); resolves with the ack. */
  function setSpeed(next) {
    current = checkSpeed(next);
    if (stopped) return Promise.resolve(null);
    return pending.then(() => request(current));
  }

  /** Stops watching: no more frames, and the server may stop the player. */
  function stop({ tell = true } = {}) {
    if (stopped) return;
    stopped = true;
    unsubscribe.forEach((off) => off());
    if (!tell) return;
    pending
      .then(() => socket.emit("live.unwatch", { model_id: modelId }))
      .catch(() => {
        // Disconnected: the server ends a gone socket's watches by itself.
      });
  }

  return {
    ready,
    get speed() {
      return current;
    },
    setSpeed,
    stop: () => stop(),
  };
}
