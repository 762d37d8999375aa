// Watching a model play (ui/js/models/watch.js): `npm test` in ui/ (Node's built-in runner).

import assert from "node:assert/strict";
import { test } from "node:test";

import { WATCH_SPEEDS, watchModel } from "../js/models/watch.js";

/** A socket wrapper like shell/socket.js's: records emits, answers with `answer(event, data)`. */
function fakeSocket(answer = () => ({ ok: true })) {
  const sent = [];
  return {
    sent,
    emit(event, data, options) {
      sent.push({ event, data, options });
      return Promise.resolve(answer(event, data));
    },
  };
}

/** onLive's shape: subscribe(name, handler) → unsubscribe; `fire(name, payload)` delivers. */
function fakeEvents() {
  const handlers = new Map();
  return {
    subscribe(name, handler) {
      if (!handlers.has(name)) handlers.set(name, new Set());
      handlers.get(name).add(handler);
      return () => handlers.get(name).delete(handler);
    },
    fire(name, payload) {
      for (const handler of handlers.get(name) ?? []) handler(payload);
    },
    count: (name) => handlers.get(name)?.size ?? 0,
  };
}

const frame = (modelId, step) => ({ model_id: modelId, jpeg: new ArrayBuffer(4), timestep: 1024, game_frame: step });

test("watching asks for the model at its speed and hands over only that model's frames", async () => {
  const socket = fakeSocket(() => ({ ok: true, model_id: "m1", speed: 2, fps: 12 }));
  const events = fakeEvents();
  const frames = [];
  const watch = watchModel(socket, "m1", { speed: 2, onFrame: (f) => frames.push(f), subscribe: events.subscribe });

  assert.deepEqual(await watch.ready, { ok: true, model_id: "m1", speed: 2, fps: 12 });
  assert.equal(socket.sent[0].event, "live.watch");
  assert.deepEqual(socket.sent[0].data, { model_id: "m1", fps: 12, speed: 2 });
  assert.ok(socket.sent[0].options.timeoutMs >= 30_000, "the first watch waits for the player to load");

  events.fire("live.frame", frame("m1", 40));
  events.fire("live.frame", frame("other", 80));
  events.fire("live.frame", { experiment_id: "run", jpeg: new ArrayBuffer(4) });
  assert.deepEqual(
    frames.map((f) => f.game_frame),
    [40],
  );
});

test("a speed change asks again; only 1, 2 and 4 are speeds", async () => {
  const socket = fakeSocket();
  const events = fakeEvents();
  const watch = watchModel(socket, "m1", { subscribe: events.subscribe });
  await watch.ready;
  await watch.setSpeed(4);
  assert.equal(watch.speed, 4);
  assert.deepEqual(
    socket.sent.map((s) => [s.event, s.data.speed]),
    [
      ["live.watch", 1],
      ["live.watch", 4],
    ],
  );
  assert.deepEqual(WATCH_SPEEDS, [1, 2, 4]);
  assert.throws(() => watch.setSpeed(3), RangeError);
  assert.throws(() => watchModel(socket, "m1", { speed: 8, subscribe: events.subscribe }), RangeError);
});

test("stop unwatches after the watch in flight and lets no frame through", async () => {
  let answerWatch;
  const sent = [];
  const socket = {
    emit(event, data) {
      sent.push(event);
      if (event === "live.watch") return new Promise((resolve) => (answerWatch = resolve));
      return Promise.resolve({ ok: true });
    },
  };
  const events = fakeEvents();
  const frames = [];
  const watch = watchModel(socket, "m1", { onFrame: (f) => frames.push(f), subscribe: events.subscribe });
  watch.stop();
  assert.deepEqual(sent, ["live.watch"], "no unwatch before the watch is answered");
  assert.equal(events.count("live.frame"), 0);
  answerWatch({ ok: true });
  assert.equal(await watch.ready, null);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sent, ["live.watch", "live.unwatch"]);
  events.fire("live.frame", frame("m1", 1));
  assert.deepEqual(frames, []);
});

test("a refused watch rejects with the server's message and says it ended", async () => {
  const message = "The model file model.zip is not a readable Stable-Baselines3 model: it cannot be watched.";
  const socket = fakeSocket(() => ({ ok: false, error: { code: "model_file_corrupt", message } }));
  const events = fakeEvents();
  const ended = [];
  const watch = watchModel(socket, "m1", { onEnded: (m) => ended.push(m), subscribe: events.subscribe });
  await assert.rejects(watch.ready, { message });
  assert.deepEqual(ended, [message]);
  assert.equal(events.count("live.frame"), 0);
  assert.deepEqual(
    socket.sent.map((s) => s.event),
    ["live.watch"],
  );
});

test("live.ended stops the watch and passes the reason on", async () => {
  const socket = fakeSocket();
  const events = fakeEvents();
  const ended = [];
  const watch = watchModel(socket, "m1", { onEnded: (m) => ended.push(m), subscribe: events.subscribe });
  await watch.ready;
  events.fire("live.ended", { model_id: "other", message: "not mine" });
  events.fire("live.ended", { model_id: "m1", message: "The player stopped unexpectedly (exit code -9)." });
  assert.deepEqual(ended, ["The player stopped unexpectedly (exit code -9)."]);
  assert.equal(events.count("live.frame"), 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(socket.sent.at(-1).event, "live.unwatch");
});
