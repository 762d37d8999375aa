// What the live game view says, as pure functions (no DOM, no state) that `node --test`
// checks: why there is no picture, the toggle's hint, the note under the figures.

export const LIVE_FPS = 8;
/** No new frame for this long while the run trains: say why the picture stands still. */
export const STALL_MS = 6000;

/** Why a run that is not training shows no live view ("" when there is nothing to say). */
export function whyNotLive(status) {
  switch (status) {
    case "queued":
      return "This run is queued: it starts when a training slot frees up.";
    case "completed":
      return "This run has finished: its videos below show how it played.";
    case "stopped":
      return "This run was stopped: its videos below show how it played.";
    case "pruned":
      return "This run was a study's trial, pruned for scoring below the other trials.";
    case "failed":
    case "interrupted":
      return "This run has ended.";
    default:
      return "";
  }
}

/** The toggle's tooltip and the hint beside it, on (`wanted`) or off. */
export function toggleText(wanted) {
  return wanted
    ? { title: "Stop watching the game screen", hint: "Watching: press again to stop." }
    : {
      title: "Watch the game screen while the agent trains",
      hint: `The agent's game screen, about ${LIVE_FPS} frames a second.`,
    };
}

/** "frames" (a picture shows), "waiting" (asked, no picture yet) or "off". */
export const viewState = (wanted, showing) => (showing ? "frames" : wanted ? "waiting" : "off");

/** What the empty stage says: connecting, waiting for a frame, or how to start. */
export function placeholderText(wanted, watching) {
  if (!wanted) return "Press “Watch live” to see the agent play as it learns.";
  return watching ? "Waiting for the first frame…" : "Connecting to the game screen…";
}

/** The note under the figures while watching a paused or stalled run ("" for none). */
export function liveNote({ wanted, status, stalled }) {
  if (wanted && status === "paused") return "Paused: the picture moves again when the training resumes.";
  if (stalled) return "No new frame for a few seconds: the agent is updating its network, or the computer is busy.";
  return "";
}
