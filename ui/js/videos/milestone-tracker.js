// Milestone tracker: one chip per milestone clip of a run (10% ✓, 20% ✓, 30% ⏳, 40% ○ …).
// Self-contained: give it a container and an experiment id; it fetches the run's milestone
// videos, follows the run's status in state.js, and re-fetches when its owner forwards a
// `video.generated` / `video.failed` socket event for the run (handleEvent).

import { api } from "../shell/api.js";
import { el, replaceChildren, setText } from "../shell/dom.js";
import { FINISHED_STATUSES } from "../shell/format.js";
import * as state from "../shell/state.js";
import { videoIcon } from "./icons.js";
import {
  LIVE_STATUSES,
  milestoneAtTimestep,
  milestonePcts,
  milestoneStates,
  pctLabel,
} from "./video-format.js";
import { coalesced } from "../shell/coalesce.js";

const STATE_WORDS = {
  done: "clip recorded",
  next: "next clip",
  recording: "recording now",
  pending: "not reached yet",
  missed: "no clip",
  unknown: "checking…",
};

/**
 * Renders into `container` (its children are replaced). Returns
 * {handleEvent(name, payload), refresh(), destroy()}.
 */
export function createMilestoneTracker(container, experimentId) {
  let recorded = [];
  const failed = new Map(); // pct → why its clip failed (from video.failed, this session)
  let loadError = null;
  let loaded = false;
  let destroyed = false;
  let signature = "";

  const summary = el("span", { class: "milestones__summary", dataset: { field: "milestone-summary" } });
  const list = el("ol", { class: "milestones__list", "aria-label": "Milestone clips" });
  const note = el("p", { class: "milestones__note", role: "status", hidden: true });
  replaceChildren(
    container,
    el(
      "div",
      { class: "milestones", dataset: { testid: "milestone-tracker" } },
      el(
        "div",
        { class: "videos-section__head" },
        el("h3", { class: "section-title" }, "Milestone clips"),
        summary,
      ),
      list,
      note,
    ),
  );

  const experiment = () => state.getExperiment(experimentId);

  function pcts() {
    return milestonePcts(experiment()?.config?.milestone_every_pct);
  }

  function render() {
    if (destroyed) return;
    const run = experiment();
    const all = pcts();
    const status = run?.metadata?.status;
    // An imported run, or one that failed before it started, never had a chance at clips.
    const neverTrained = FINISHED_STATUSES.has(status) && !run?.metadata?.started;
    container.hidden = !run || all.length === 0 || neverTrained;
    if (container.hidden) return;
    const progressPct = run.progress?.progress_pct ?? 0;
    // The next clip is being recorded once the run has reached it.
    const recording = (item) => item.state === "next" && status === "running" && progressPct >= item.pct;
    const states = loaded
      ? milestoneStates({ pcts: all, recorded, failed: [...failed.keys()], status }).map((item) =>
          recording(item) ? { ...item, state: "recording" } : item,
        )
      : all.map((pct) => ({ pct, state: "unknown" })); // not fetched yet: no ✓ or ✕ to show
    const next = JSON.stringify([status, states, loaded, loadError, [...failed]]);
    if (next === signature) return;
    signature = next;

    replaceChildren(list, states.map((item) => chip(item, failed.get(item.pct))));
    const done = states.filter((item) => item.state === "done").length;
    setText(summary, loaded ? `${done} of ${states.length} recorded` : loadError ? "" : "Checking…");
    note.hidden = !loadError;
    if (loadError) {
      replaceChildren(
        note,
        `Could not check which clips exist: ${loadError}`,
        " ",
        el(
          "button",
          {
            type: "button",
            class: "link-button",
            "aria-label": "Check the milestone clips again",
            onclick: () => refresh(),
          },
          "Try again",
        ),
      );
    } else if (!LIVE_STATUSES.has(status) && status !== "queued" && done < states.length) {
      // Finished without every clip: say why once, not on every chip.
      note.hidden = false;
      replaceChildren(
        note,
        status === "completed"
          ? "Milestones with a cross have no clip: it was skipped or could not be recorded " +
              "(worker.log in the run folder says why)."
          : "Milestones with a cross have no clip: the run ended before reaching them.",
      );
    }
  }

  function chip({ pct, state: chipState }, reason) {
    const words = reason ? `no clip: ${reason}` : STATE_WORDS[chipState];
    const iconName = { recording: "next", unknown: "pending" }[chipState] ?? chipState;
    return el(
      "li",
      {
        class: "milestone",
        dataset: { state: chipState, pct: String(pct) },
        title: `${pctLabel(pct)}: ${words}`,
      },
      el("span", { class: "milestone__mark" }, videoIcon(iconName, 14)),
      el("span", { class: "milestone__pct" }, pctLabel(pct)),
      el("span", { class: "visually-hidden" }, `: ${words}`),
    );
  }

  /** Fetches the run's milestone clips; a burst of calls makes at most one extra fetch. */
  const refresh = coalesced(
    async () => {
      try {
        const { videos } = await api.videos({ experiment_id: experimentId, type: "milestone" });
        recorded = (videos ?? []).map((video) => video.metadata?.milestone_pct).filter((pct) => typeof pct === "number");
        loadError = null;
        loaded = true;
      } catch (error) {
        if (error.kind === "auth") return false;
        loadError = error.message;
      }
      render();
      return true;
    },
    { keepGoing: () => !destroyed },
  );

  function handleEvent(name, payload) {
    if (destroyed) return;
    if (name === "connect") {
      refresh(); // clips may have come while the connection was down
      return;
    }
    if (payload?.experiment_id !== experimentId) return;
    if (name === "video.generated" && payload.video_type === "milestone") refresh();
    if (name === "video.failed" && payload.video_type === "milestone") {
      const run = experiment();
      const start = run?.lineage?.start_timestep ?? 0;
      const pct = milestoneAtTimestep(pcts(), payload.timestep, {
        startTimestep: start,
        totalTimesteps: run?.progress?.total_timesteps ?? start + (run?.config?.total_timesteps ?? 0),
      });
      if (pct !== null && !recorded.includes(pct)) {
        failed.set(pct, payload.message || "the recording failed");
      }
      render();
    }
  }

  const unsubscribe = [
    state.on("experiments", render),
    state.on("progress", (run) => run.id === experimentId && render()),
  ];

  render();
  refresh();

  return {
    handleEvent,
    refresh,
    destroy() {
      destroyed = true;
      unsubscribe.forEach((off) => off());
    },
  };
}
