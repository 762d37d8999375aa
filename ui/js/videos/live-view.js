// Live game view: the screen of a training run's env 0, streamed as JPEG frames over the
// socket while the user watches (docs/CONTRACT.md, "Live view of a training run").
// Self-contained: give it a container, an experiment id and the socket wrapper (socket.js);
// its owner forwards `live.frame` and "connect" (after a reconnect) through handleEvent.
// Watching costs the worker rendering time, so it is off until asked for and ends with
// the dialog, with the run, or with the toggle.

import { el, icon, replaceChildren, setText, spinner } from "../shell/dom.js";
import { formatInt, formatReward } from "../format.js";
import * as state from "../shell/state.js";
import { videoIcon } from "./icons.js";
import { LIVE_STATUSES } from "./video-format.js";

export const LIVE_FPS = 8;
const STALL_MS = 6000;

/**
 * Renders into `container` (its children are replaced). Returns
 * {handleEvent(name, payload), setSocket(socket), destroy()}.
 */
export function createLiveView(container, experimentId, { socket = null } = {}) {
  let live = socket;
  let wanted = false; // the toggle is on
  let watching = false; // the server acked the watch
  let pendingWatch = null; // the live.watch in flight
  let generation = 0; // bumps on every on/off, so a late ack of an old request is ignored
  let error = null;
  let frameUrl = null;
  let lastFrameAt = 0;
  let lastStatus = null;
  let destroyed = false;

  const toggle = el(
    "button",
    {
      type: "button",
      class: "button button--small live-toggle",
      "aria-pressed": "false",
      dataset: { field: "live-toggle" },
      onclick: () => (wanted ? stop() : start()),
    },
    videoIcon("eye", 14),
    el("span", { class: "button__label" }, "Watch live"),
  );
  const image = el("img", {
    class: "live__frame",
    alt: "The game screen of the training run's first environment, live",
    width: "320",
    height: "420",
    dataset: { field: "live-frame" },
    hidden: true,
  });
  const badge = el(
    "span",
    { class: "live__badge", dataset: { field: "live-badge" }, hidden: true },
    el("span", { class: "live__dot", "aria-hidden": "true" }),
    "Live",
  );
  const step = el("dd", { class: "live__step figure", dataset: { field: "live-step" } }, "—");
  const figures = {
    episodes: el("dd", { class: "figure", dataset: { field: "live-episodes" } }),
    mean: el("dd", { class: "figure", dataset: { field: "live-mean-reward" } }),
    best: el("dd", { class: "figure", dataset: { field: "live-best-reward" } }),
  };
  const placeholder = el("div", { class: "live__placeholder", dataset: { field: "live-placeholder" } });
  const message = el("p", { class: "live__message", dataset: { field: "live-message" }, hidden: true });
  const errorSlot = el("p", {
    class: "card-message card-message--error",
    role: "alert",
    dataset: { field: "live-error" },
    hidden: true,
  });
  const overlay = el("div", { class: "live__overlay" }, badge);
  const stage = el("div", { class: "live__stage" }, image, placeholder, overlay);
  const side = el(
    "div",
    { class: "live__side" },
    el(
      "dl",
      { class: "live__facts" },
      el("div", { class: "live__fact live__fact--main" }, el("dt", {}, "Step"), step),
      el("div", { class: "live__fact" }, el("dt", {}, "Episodes"), figures.episodes),
      el("div", { class: "live__fact" }, el("dt", {}, "Mean reward"), figures.mean),
      el("div", { class: "live__fact" }, el("dt", {}, "Best reward"), figures.best),
    ),
    message,
    el(
      "p",
      { class: "live__hint" },
      "The screen of the run's first game environment, drawn with sharp pixels. " +
        "Only rendered while someone watches.",
    ),
  );
  const view = el("div", { class: "live__view" }, stage, side);
  const toggleHint = el("span", { class: "live__hint", dataset: { field: "live-toggle-hint" } });
  const controls = el("div", { class: "live__controls" }, toggle, toggleHint);
  const unavailable = el(
    "div",
    { class: "live__unavailable", dataset: { field: "live-unavailable" } },
    videoIcon("eye", 20),
    el(
      "div",
      {},
      el("p", {}, "Live view is available while the run trains."),
      el("p", { class: "live__why", dataset: { field: "live-why" } }),
    ),
  );
  replaceChildren(
    container,
    el(
      "div",
      { class: "live", dataset: { testid: "live-view" } },
      el("div", { class: "videos-section__head" }, el("h3", { class: "section-title" }, "Live game")),
      unavailable,
      controls,
      errorSlot,
      view,
    ),
  );

  const experiment = () => state.getExperiment(experimentId);
  const statusOf = () => experiment()?.metadata?.status ?? null;

  function render() {
    if (destroyed) return;
    const status = statusOf();
    const available = LIVE_STATUSES.has(status);
    unavailable.hidden = available;
    controls.hidden = !available;
    view.hidden = !available;
    if (!available) {
      setText(unavailable.querySelector('[data-field="live-why"]'), whyNot(status));
      message.hidden = true;
      showError(); // an error from the last attempt stays readable (e.g. "… is queued")
      return;
    }
    toggle.setAttribute("aria-pressed", String(wanted));
    toggle.classList.toggle("live-toggle--on", wanted);
    const connecting = wanted && !watching;
    if (connecting) toggle.setAttribute("aria-busy", "true");
    else toggle.removeAttribute("aria-busy");
    toggle.title = wanted ? "Stop watching the game screen" : "Watch the game screen while the agent trains";
    setText(
      toggleHint,
      wanted
        ? "Watching: press again to stop."
        : `The agent's game screen, about ${LIVE_FPS} frames a second.`,
    );

    showError();

    const showing = wanted && Boolean(frameUrl);
    image.hidden = !showing;
    badge.hidden = !showing;
    side.hidden = !wanted;
    placeholder.hidden = showing;
    view.dataset.state = showing ? "frames" : wanted ? "waiting" : "off";
    stage.dataset.state = view.dataset.state;
    updateFigures();
    if (!showing) {
      if (wanted) {
        const text = watching ? "Waiting for the first frame…" : "Connecting to the game screen…";
        replaceChildren(placeholder, spinner(), el("span", {}, text));
      } else {
        const text = "Press “Watch live” to see the agent play as it learns.";
        replaceChildren(placeholder, videoIcon("eye", 24), el("span", {}, text));
      }
    }
    const stalled = showing && status === "running" && Date.now() - lastFrameAt > STALL_MS;
    const note =
      wanted && status === "paused"
        ? "Paused: the picture moves again when the training resumes."
        : stalled
          ? "No new frame for a few seconds: the agent is updating its network, or the computer is busy."
          : "";
    message.hidden = !note;
    setText(message, note);
  }

  /** The run's figures beside the picture (from its progress reports). */
  function updateFigures() {
    const metrics = experiment()?.progress?.metrics ?? {};
    setText(figures.episodes, formatInt(metrics.episodes));
    setText(figures.mean, formatReward(metrics.mean_reward));
    setText(figures.best, formatReward(metrics.best_reward));
  }

  function showError() {
    errorSlot.hidden = !error;
    if (error) replaceChildren(errorSlot, icon("alert"), el("span", {}, error));
  }

  function whyNot(status) {
    switch (status) {
      case "queued":
        return "This run is queued: it starts when a training slot frees up.";
      case "completed":
        return "This run has finished: its videos below show how it played.";
      case "stopped":
        return "This run was stopped: its videos below show how it played.";
      case "failed":
      case "interrupted":
        return "This run has ended.";
      default:
        return "";
    }
  }

  async function start() {
    if (destroyed || !LIVE_STATUSES.has(statusOf())) return;
    wanted = true;
    error = null;
    render();
    await watch();
  }

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
    if (mine !== generation || destroyed) return; // turned off (and unwatched) meanwhile
    if (ack?.ok) {
      watching = true;
      render();
    } else {
      fail(mine, ack?.error?.message ?? "The server refused to show this run's game screen.");
    }
  }

  function fail(mine, text) {
    if (mine !== generation || destroyed) return;
    wanted = false;
    watching = false;
    error = text;
    clearFrame();
    render();
  }

  /** Turns watching off; tells the server unless it was never asked. */
  function stop({ quiet = false } = {}) {
    const asked = wanted || watching || pendingWatch;
    generation += 1;
    wanted = false;
    watching = false;
    if (!quiet) error = null;
    clearFrame();
    render();
    if (!asked || !live) return;
    // After a watch still in flight, so the server never sees unwatch before watch.
    const before = pendingWatch ?? Promise.resolve();
    pendingWatch = null;
    const target = live;
    before.then(() => target.emit("live.unwatch", { experiment_id: experimentId })).catch(() => {
      // Disconnected: the server ends a gone socket's watches by itself.
    });
  }

  function clearFrame() {
    if (frameUrl) URL.revokeObjectURL(frameUrl);
    frameUrl = null;
    image.removeAttribute("src");
    setText(step, "—");
  }

  function showFrame(payload) {
    if (!wanted || !payload?.jpeg) return;
    const url = URL.createObjectURL(new Blob([payload.jpeg], { type: "image/jpeg" }));
    const previous = frameUrl;
    frameUrl = url;
    image.src = url;
    if (previous) URL.revokeObjectURL(previous);
    lastFrameAt = Date.now();
    if (typeof payload.timestep === "number") setText(step, formatInt(payload.timestep));
    if (image.hidden || !message.hidden) render();
  }

  function handleEvent(name, payload) {
    if (destroyed) return;
    if (name === "live.frame") {
      if (payload?.experiment_id === experimentId) showFrame(payload);
    } else if (name === "connect") {
      // A new connection has no watches: ask again if the toggle is still on.
      if (wanted && LIVE_STATUSES.has(statusOf())) {
        clearFrame();
        render();
        watch();
      }
    }
  }

  function onExperiments() {
    const status = statusOf();
    if (status === lastStatus) return;
    lastStatus = status;
    if (!LIVE_STATUSES.has(status) && (wanted || watching)) stop({ quiet: true });
    else render();
  }

  const unsubscribe = [
    state.on("experiments", onExperiments),
    state.on("progress", (run) => run.id === experimentId && wanted && updateFigures()),
  ];
  const stallTimer = setInterval(() => wanted && frameUrl && render(), 1000);
  lastStatus = statusOf();
  render();

  return {
    handleEvent,
    setSocket(next) {
      live = next;
    },
    destroy() {
      if (destroyed) return;
      stop({ quiet: true });
      destroyed = true;
      clearInterval(stallTimer);
      unsubscribe.forEach((off) => off());
    },
  };
}
