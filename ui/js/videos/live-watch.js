// The live view's conversation with the server: `live.watch` (acked or refused) and
// `live.unwatch` for one run, over the socket wrapper (socket.js). A generation counter
// bumps on every on/off so a late ack of an old request is ignored, and an unwatch waits
// for a watch still in flight, so the server never sees them out of order.

import { LIVE_FPS } from "./live-view-format.js";

/**
 * `onChange({reset})` after every change of what the view shows; `reset`: the frame shown
 * so far is stale (drop it). Returns {wanted, watching, error, start(), watch(), stop(),
 * setSocket(socket), close()}.
 */
export function createLiveWatch(experimentId, { socket = null, onChange }) {
  let live = socket;
  let wanted = false; // the toggle is on
  let watching = false; // the server acked the watch
  let pendingWatch = null; // the live.watch in flight
  let generation = 0;
  let error = null;
  let closed = false;

  async function start() {
    wanted = true;
    error = null;
    onChange({ reset: false });
    await watch();
  }

  /** Asks the server for frames (again, after a reconnect: a new connection has no watches). */
  async function watch() {
    const mine = ++generation;
    watching = false;
    if (!live) {
      fail(mine, "Live updates are still connecting: try again in a moment.");
      return;
    }
    const request = live.emit("live.watch", { experiment_id: experimentId, fps: LIVE_FPS });
    pendingWatch = request.catch(() => null);
    let ack;
    try {
      ack = await request;
    } catch (problem) {
      fail(mine, problem.message);
      return;
    } finally {
      if (mine === generation) pendingWatch = null;
    }
    if (mine !== generation || closed) return; // turned off (and unwatched) meanwhile
    if (ack?.ok) {
      watching = true;
      onChange({ reset: false });
    } else {
      fail(mine, ack?.error?.message ?? "The server refused to show this run's game screen.");
    }
  }

  function fail(mine, text) {
    if (mine !== generation || closed) return;
    wanted = false;
    watching = false;
    error = text;
    onChange({ reset: true });
  }

  /** Turns watching off; tells the server unless it was never asked. `quiet` keeps the error. */
  function stop({ quiet = false } = {}) {
    const asked = wanted || watching || pendingWatch;
    generation += 1;
    wanted = false;
    watching = false;
    if (!quiet) error = null;
    onChange({ reset: true });
    if (!asked || !live) return;
    // After a watch still in flight, so the server never sees unwatch before watch.
    const before = pendingWatch ?? Promise.resolve();
    pendingWatch = null;
    const target = live;
    before.then(() => target.emit("live.unwatch", { experiment_id: experimentId })).catch(() => {
      // Disconnected: the server ends a gone socket's watches by itself.
    });
  }

  return {
    get wanted() {
      return wanted;
    },
    get watching() {
      return watching;
    },
    get error() {
      return error;
    },
    start,
    watch,
    stop,
    setSocket(next) {
      live = next;
    },
    /** Stops watching for good (the view is destroyed). */
    close() {
      stop({ quiet: true });
      closed = true;
    },
  };
}
