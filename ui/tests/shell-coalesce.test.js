import assert from "node:assert/strict";
import { test } from "node:test";

import { coalesced } from "../js/shell/coalesce.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

test("a burst of calls makes one run plus at most one more", async () => {
  let runs = 0;
  const refresh = coalesced(async () => {
    runs += 1;
    await tick();
  });
  const first = refresh();
  const others = [refresh(), refresh(), refresh()];
  assert.equal(others[0], first);
  await Promise.all([first, ...others]);
  assert.equal(runs, 2);
  await refresh();
  assert.equal(runs, 3);
});

test("false from the task or from keepGoing ends the burst", async () => {
  let runs = 0;
  const stopping = coalesced(async () => {
    runs += 1;
    await tick();
    return false;
  });
  const pending = stopping();
  stopping();
  await pending;
  assert.equal(runs, 1);

  let alive = true;
  let more = 0;
  const guarded = coalesced(
    async () => {
      more += 1;
      await tick();
    },
    { keepGoing: () => alive },
  );
  const call = guarded();
  guarded();
  alive = false;
  await call;
  assert.equal(more, 1);
});
