// Watch a version play live, at 1×, 2× or 4×: a dialog around the live-watch client
// (watch.js watchModel, loaded by availability.js). Frames only flow while the dialog is open:
// closing it stops the watch, so the player stops when nobody looks.

import { closeIconButton, createDialog } from "../shell/dialog.js";
import { el, setText, spinner } from "../shell/dom.js";
import { formatInt, formatReward } from "../shell/format.js";
import { liveSocket } from "../shell/live.js";
import * as state from "../shell/state.js";
import { createFrames } from "../videos/live-frames.js";
import { watchClient } from "./availability.js";
import { versionLabel } from "./models-format.js";

const SPEEDS = [1, 2, 4];

let dialog = null;
let parts;
let session = null; // watchModel's handle while the dialog is open
let frames = null;
let speed = 1;

function ensureDialog() {
  if (dialog) return;
  const title = el("h2", { class: "dialog__title", id: "model-watch-title" });
  const speeds = el(
    "div",
    { class: "models-speeds", role: "group", "aria-label": "Speed" },
    SPEEDS.map((value) =>
      el(
        "button",
        { type: "button", class: "button button--small", dataset: { speed: String(value) }, title: `Play at ${value}× real time`, onclick: () => setSpeed(value) },
        `${value}×`,
      ),
    ),
  );
  const image = el("img", { class: "models-watch__image", alt: "The game as the model plays it", dataset: { field: "model-watch-frame" }, hidden: true });
  const waiting = el("p", { class: "models-watch__waiting" }, spinner(), el("span", { dataset: { field: "model-watch-waiting" } }, "Loading the model and starting the game…"));
  const step = el("span", { class: "figure" });
  const score = el("span", { class: "figure", dataset: { field: "model-watch-score" } }, "—");
  const game = el("span", { class: "figure" }, "—");
  const ended = el("p", { class: "card-message card-message--error", role: "alert", hidden: true, dataset: { field: "model-watch-error" } });
  const node = el(
    "dialog",
    { class: "dialog models-dialog models-dialog--wide", dataset: { testid: "model-watch-dialog" }, "aria-labelledby": "model-watch-title" },
    el("div", { class: "dialog__head" }, title, speeds, closeIconButton()),
    el(
      "div",
      { class: "dialog__body models-dialog__body" },
      el("div", { class: "models-watch__stage" }, image, waiting),
      el(
        "p",
        { class: "models-watch__facts" },
        "Game ",
        game,
        " · score ",
        score,
        " · the model was trained for ",
        step,
        " steps",
      ),
      ended,
    ),
  );
  parts = { title, speeds, image, waiting, step, score, game, ended };
  frames = createFrames(image, el("span"));
  dialog = createDialog(node, { onClose: stopWatching });
  document.body.append(node);
}

function stopWatching() {
  session?.stop();
  session = null;
  frames?.clear();
}

function markSpeed() {
  for (const button of parts.speeds.querySelectorAll("[data-speed]")) {
    button.setAttribute("aria-pressed", String(Number(button.dataset.speed) === speed));
  }
}

async function setSpeed(value) {
  speed = value;
  markSpeed();
  try {
    await session?.setSpeed(value);
  } catch (error) {
    showEnded(error.message);
  }
}

function showFrame(payload) {
  parts.image.hidden = false;
  parts.waiting.hidden = true;
  frames.show(payload);
  setText(parts.score, formatReward(payload.score));
  setText(parts.game, formatInt(payload.game));
}

function showEnded(message) {
  parts.waiting.hidden = true;
  parts.ended.hidden = false;
  setText(parts.ended, message);
}

export async function openWatch(model, { returnFocus = null } = {}) {
  const client = watchClient();
  if (!client) return; // the button says why (availability.js)
  ensureDialog();
  stopWatching();
  setText(parts.title, `Watch ${versionLabel(model, state.gameName)}`);
  setText(parts.step, formatInt(model.num_timesteps));
  setText(parts.score, "—");
  setText(parts.game, "—");
  parts.image.hidden = true;
  parts.waiting.hidden = false;
  parts.ended.hidden = true;
  markSpeed();
  dialog.open({ returnFocus });
  parts.speeds.querySelector(`[data-speed="${speed}"]`)?.focus();
  const socket = await liveSocket();
  if (!dialog.node.open || session) return;
  session = client.watchModel(socket, model.id, { speed, onFrame: showFrame, onEnded: showEnded });
  session.ready.catch(() => {}); // onEnded shows why
}
