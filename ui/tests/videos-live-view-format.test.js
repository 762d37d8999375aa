// What the live game view says: `npm test` in ui/ (Node's built-in runner, no deps).

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  LIVE_FPS,
  liveNote,
  placeholderText,
  toggleText,
  viewState,
  whyNotLive,
} from "../js/videos/live-view-format.js";

test("a run that is not training says why there is no live view", () => {
  assert.match(whyNotLive("queued"), /queued/);
  assert.match(whyNotLive("completed"), /finished/);
  assert.match(whyNotLive("stopped"), /stopped/);
  assert.equal(whyNotLive("failed"), "This run has ended.");
  assert.equal(whyNotLive("interrupted"), "This run has ended.");
  assert.equal(whyNotLive(null), "");
});

test("the toggle says what a press does", () => {
  assert.match(toggleText(false).title, /^Watch/);
  assert.match(toggleText(false).hint, new RegExp(`about ${LIVE_FPS} frames`));
  assert.match(toggleText(true).title, /^Stop watching/);
  assert.match(toggleText(true).hint, /press again to stop/);
});

test("the stage shows frames, waits for them, or is off", () => {
  assert.equal(viewState(true, true), "frames");
  assert.equal(viewState(true, false), "waiting");
  assert.equal(viewState(false, false), "off");
  assert.match(placeholderText(false, false), /Press “Watch live”/);
  assert.match(placeholderText(true, false), /Connecting/);
  assert.match(placeholderText(true, true), /first frame/);
});

test("the note explains a paused or stalled picture", () => {
  assert.match(liveNote({ wanted: true, status: "paused", stalled: false }), /Paused/);
  assert.equal(liveNote({ wanted: false, status: "paused", stalled: false }), "");
  assert.match(liveNote({ wanted: true, status: "running", stalled: true }), /No new frame/);
  assert.equal(liveNote({ wanted: true, status: "running", stalled: false }), "");
});
