// Live game view: the screen of a training run's env 0, streamed as JPEG frames over the
// socket while the user watches (docs/CONTRACT.md §3.8 and §6.2, the live view).
// Self-contained: give it a container, an experiment id and the socket wrapper (socket.js);
// its owner forwards `live.frame` and "connect" (after a reconnect) through handleEvent.
// Watching costs the worker rendering time, so it is off until asked for and ends with
// the dialog, with the run, or with the toggle. This module shows the state; the DOM is
// live-view-layout.js, the picture live-frames.js, the watch requests live-watch.js.

import { el, icon, replaceChildren, setText, spinner } from "../shell/dom.js";
import { formatInt, formatReward } from "../shell/format.js";
import * as state from "../shell/state.js";
import { videoIcon } from "./icons.js";
import { createFrames } from "./live-frames.js";
import { STALL_MS, liveNote, placeholderText, toggleText, viewState, whyNotLive } from "./live-view-format.js";
import { liveViewLayout } from "./live-view-layout.js";
import { createLiveWatch } from "./live-watch.js";
import { LIVE_STATUSES } from "./video-format.js";

export { LIVE_FPS } from "./live-view-format.js";

function showError(parts, error) {
  parts.errorSlot.hidden = !error;
  if (error) replaceChildren(parts.errorSlot, icon("alert"), el("span", {}, error));
}

/** The run's figures beside the picture (from its progress reports). */
function showFigures(parts, experiment) {
  const metrics = experiment?.progress?.metrics ?? {};
  setText(parts.figures.episodes, formatInt(metrics.episodes));
  setText(parts.figures.mean, formatReward(metrics.mean_reward));
  setText(parts.figures.best, formatReward(metrics.best_reward));
}

function showToggle(parts, { wanted, watching }) {
  const { toggle } = parts;
  toggle.setAttribute("aria-pressed", String(wanted));
  toggle.classList.toggle("live-toggle--on", wanted);
  if (wanted && !watching) toggle.setAttribute("aria-busy", "true");
  else toggle.removeAttribute("aria-busy");
  const text = toggleText(wanted);
  toggle.title = text.title;
  setText(parts.toggleHint, text.hint);
}

/** The frame, or the placeholder that says what happens (connecting, waiting, how to start). */
function showStage(parts, { wanted, watching }, showing) {
  parts.image.hidden = !showing;
  parts.badge.hidden = !showing;
  parts.side.hidden = !wanted;
  parts.placeholder.hidden = showing;
  parts.view.dataset.state = viewState(wanted, showing);
  parts.stage.dataset.state = parts.view.dataset.state;
  if (showing) return;
  const text = placeholderText(wanted, watching);
  replaceChildren(parts.placeholder, wanted ? spinner() : videoIcon("eye", 24), el("span", {}, text));
}

/**
 * Renders into `container` (its children are replaced). Returns
 * {handleEvent(name, payload), setSocket(socket), destroy()}.
 */
export function createLiveView(container, experimentId, { socket = null } = {}) {
  let lastStatus = null;
  let destroyed = false;
  const watch = createLiveWatch(experimentId, {
    socket,
    onChange: ({ reset }) => {
      if (reset) frames.clear();
      render();
    },
  });
  const { root, parts } = liveViewLayout(() => (watch.wanted ? watch.stop() : start()));
  const frames = createFrames(parts.image, parts.step);
  replaceChildren(container, root);

  const experiment = () => state.getExperiment(experimentId);
  const statusOf = () => experiment()?.metadata?.status ?? null;

  function render() {
    if (destroyed) return;
    const status = statusOf();
    const available = LIVE_STATUSES.has(status);
    parts.unavailable.hidden = available;
    parts.controls.hidden = !available;
    parts.view.hidden = !available;
    if (!available) setText(parts.why, whyNotLive(status));
    else showToggle(parts, watch);
    showError(parts, watch.error); // after a failed attempt it stays readable (e.g. "… is queued")
    if (!available) {
      parts.message.hidden = true;
      return;
    }
    const showing = watch.wanted && frames.showing;
    showStage(parts, watch, showing);
    showFigures(parts, experiment());
    const stalled = showing && status === "running" && frames.age() > STALL_MS;
    const note = liveNote({ wanted: watch.wanted, status, stalled });
    parts.message.hidden = !note;
    setText(parts.message, note);
  }

  async function start() {
    if (destroyed || !LIVE_STATUSES.has(statusOf())) return;
    await watch.start();
  }

  function handleEvent(name, payload) {
    if (destroyed) return;
    if (name === "live.frame") {
      if (payload?.experiment_id !== experimentId || !watch.wanted || !payload?.jpeg) return;
      frames.show(payload);
      if (parts.image.hidden || !parts.message.hidden) render();
    } else if (name === "connect" && watch.wanted && LIVE_STATUSES.has(statusOf())) {
      // A new connection has no watches: ask again as the toggle is still on.
      frames.clear();
      render();
      watch.watch();
    }
  }

  function onExperiments() {
    const status = statusOf();
    if (status === lastStatus) return;
    lastStatus = status;
    if (!LIVE_STATUSES.has(status) && (watch.wanted || watch.watching)) watch.stop({ quiet: true });
    else render();
  }

  const unsubscribe = [
    state.on("experiments", onExperiments),
    state.on("progress", (run) => run.id === experimentId && watch.wanted && showFigures(parts, experiment())),
  ];
  const stallTimer = setInterval(() => watch.wanted && frames.showing && render(), 1000);
  lastStatus = statusOf();
  render();

  return {
    handleEvent,
    setSocket: (next) => watch.setSocket(next),
    destroy() {
      if (destroyed) return;
      watch.close();
      destroyed = true;
      clearInterval(stallTimer);
      unsubscribe.forEach((off) => off());
    },
  };
}
