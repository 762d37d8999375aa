// Refreshes that coalesce: a burst of calls (live events, reconnects, clicks) makes at most
// one more run after the one in flight, never one request per call.

/**
 * Wraps the async `task`. While a run is in flight, further calls ask for one more run after
 * it and get the same promise, which settles once no run is wanted any more. `task` may
 * return `false` to end the burst (e.g. signed out); `keepGoing()` is asked before each extra
 * run (false: e.g. the view was destroyed).
 */
export function coalesced(task, { keepGoing = () => true } = {}) {
  let running = null;
  let again = false;
  return function run() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        if ((await task()) === false) break;
      } while (again && keepGoing());
    })().finally(() => {
      running = null;
    });
    return running;
  };
}
