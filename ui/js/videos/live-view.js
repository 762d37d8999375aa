// Live game view: the screen of a training run's env 0, streamed as JPEG frames over the
// socket while the user watches (docs/CONTRACT.md, "Live view of a training run").
// Self-contained: give it a container, an experiment id and the socket wrapper (socket.js);
// its owner forwards `live.frame` and "connect" (after a reconnect) through handleEvent.
// Watching costs the worker rendering time, so it is off until asked for and ends with
// the dialog, with the run, or with the toggle. This module shows the frames and the
// state; the DOM is live-view-layout.js, the watch requests live-watch.js.

import { el, icon, replaceChildren, setText, spinner } from "../shell/dom.js";
import { formatInt, formatReward } from "../shell/format.js";
import * as state from "../shell/state.js";
import { videoIcon } from "./icons.js";
import { STALL_MS, liveNote, placeholderText, toggleText, viewState, whyNotLive } from "./live-view-format.js";
import { liveViewLayout } from "./live-view-layout.js";
import { createLiveWatch } from "./live-watch.js";
import { LIVE_STATUSES } from "./video-format.js";

export { LIVE_FPS } from "./live-view-format.js";

/**
 * Renders into `container` (its children are replaced). Returns
 * {handleEvent(name, payload), setSocket(socket), destroy()}.
 */
export function createLiveView(container, experimentId, { socket = null } = {}) {
  let frameUrl = null;
  let lastFrameAt = 0;
  let lastStatus = null;
  let destroyed = false;

  const watch = createLiveWatch(experimentId, {
    socket,
    onChange: ({ reset }) => {
      if (reset) clearFrame();
      render();
    },
  });
  const { root, parts } = liveViewLayout(() => (watch.wanted ? watch.stop() : start()));
  const { toggle, image, badge, step, figures, placeholder, message, errorSlot } = parts;
  replaceChildren(container, root);

  const experiment = () => state.getExperiment(experimentId);
  const statusOf = () => experiment()?.metadata?.status ?? null;

  function renderToggle() {
    const { wanted, watching } = watch;
    toggle.setAttribute("aria-pressed", String(wanted));
    toggle.classList.toggle("live-toggle--on", wanted);
    if (wanted && !watching) toggle.setAttribute("aria-busy", "true");
    else toggle.removeAttribute("aria-busy");
    const text = toggleText(wanted);
    toggle.title = text.title;
    setText(parts.toggleHint, text.hint);
  }

  function renderStage(showing) {
    const { wanted, watching } = watch;
    image.hidden = !showing;
    badge.hidden = !showing;
    parts.side.hidden = !wanted;
    placeholder.hidden = showing;
    parts.view.dataset.state = viewState(wanted, showing);
    parts.stage.dataset.state = parts.view.dataset.state;
    if (showing) return;
    const text = placeholderText(wanted, watching);
    replaceChildren(placeholder, wanted ? spinner() : videoIcon("eye", 24), el("span", {}, text));
  }

  function render() {
    if (destroyed) return;
    const status = statusOf();
    const available = LIVE_STATUSES.has(status);
    parts.unavailable.hidden = available;
    parts.controls.hidden = !available;
    parts.view.hidden = !available;
    if (!available) {
      setText(parts.why, whyNotLive(status));
      message.hidden = true;
      showError(); // an error from the last attempt stays readable (e.g. "… is queued")
      return;
    }
    renderToggle();
    showError();
    const showing = watch.wanted && Boolean(frameUrl);
    renderStage(showing);
    updateFigures();
    const stalled = showing && status === "running" && Date.now() - lastFrameAt > STALL_MS;
    const note = liveNote({ wanted: watch.wanted, status, stalled });
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
    const error = watch.error;
    errorSlot.hidden = !error;
    if (error) replaceChildren(errorSlot, icon("alert"), el("span", {}, error));
  }

  async function start() {
    if (destroyed || !LIVE_STATUSES.has(statusOf())) return;
    await watch.start();
  }

  function clearFrame() {
    if (frameUrl) URL.revokeObjectURL(frameUrl);
    frameUrl = null;
    image.removeAttribute("src");
    setText(step, "—");
  }

  function showFrame(payload) {
    if (!watch.wanted || !payload?.jpeg) return;
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
      if (watch.wanted && LIVE_STATUSES.has(statusOf())) {
        clearFrame();
        render();
        watch.watch();
      }
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
    state.on("progress", (run) => run.id === experimentId && watch.wanted && updateFigures()),
  ];
  const stallTimer = setInterval(() => watch.wanted && frameUrl && render(), 1000);
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
