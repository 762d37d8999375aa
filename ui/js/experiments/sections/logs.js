// The Logs section of a run's page: the end of the training worker's log, more of it on
// request (up to MAX_TAIL lines), read again every 3 s while the run is active.

import { el, setText } from "../../shell/dom.js";
import { ACTIVE_STATUSES, formatBytes, formatInt } from "../../shell/format.js";
import { showToast } from "../../shell/toast.js";
import { runLog } from "../api.js";
import { errorText, sectionHead, smallButton, toggle } from "../parts.js";

const MAX_TAIL = 5000;

const isActive = (experiment) => ACTIVE_STATUSES.has(experiment?.metadata?.status);

function logsLayout() {
  const parts = {
    pre: el(
      "pre",
      { class: "experiment-log", tabindex: "0", "aria-label": "Worker log", dataset: { testid: "log" } },
    ),
    meta: el("span", { class: "experiments__count", dataset: { field: "log-meta" } }),
    refresh: smallButton("Refresh", "Read the log again", { dataset: { field: "log-refresh" } }),
    more: smallButton("Show more", "Show more of the older lines", { dataset: { field: "log-more" } }),
    auto: el("input", { type: "checkbox", dataset: { field: "log-auto" } }),
  };
  parts.autoLabel = toggle(parts.auto, "Auto-refresh", "Read the log again every 3 seconds while the run trains");
  parts.element = el(
    "div",
    { class: "experiment-logs" },
    sectionHead("Worker log", { before: [parts.meta], after: [parts.autoLabel, parts.more, parts.refresh] }),
    parts.pre,
  );
  return parts;
}

/** The lines read (`tail` asked for); a quiet re-read keeps the scroll unless at the bottom. */
function showLog({ pre, meta, more }, log, { quiet, tail }) {
  const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
  setText(
    pre,
    log.lines.length ? log.lines.join("\n") : "The log is empty: the worker has not written anything yet.",
  );
  pre.classList.toggle("is-empty", !log.lines.length);
  setText(
    meta,
    log.lines.length ? `last ${formatInt(log.lines.length)} lines · ${formatBytes(log.size)}` : "",
  );
  more.hidden = !log.truncated || tail >= MAX_TAIL;
  if (atBottom || !quiet) pre.scrollTop = pre.scrollHeight;
}

export function createLogs() {
  const parts = logsLayout();
  const { element, refresh, more, auto, autoLabel } = parts;
  let experiment = null;
  let tail = 200;
  let timer = null;
  let token = 0;

  async function load({ quiet = false } = {}) {
    if (!experiment) return;
    const mine = ++token;
    if (!quiet) refresh.setAttribute("aria-busy", "true");
    try {
      const log = await runLog(experiment.id, tail);
      if (mine === token) showLog(parts, log, { quiet, tail });
    } catch (error) {
      if (mine === token && !quiet) showToast(
        "Could not read the log",
        { kind: "error", detail: errorText(error) },
      );
    } finally {
      refresh.removeAttribute("aria-busy");
    }
  }

  function schedule() {
    clearInterval(timer);
    timer = null;
    const active = isActive(experiment);
    autoLabel.hidden = !active;
    if (active && auto.checked) timer = setInterval(() => load({ quiet: true }), 3000);
  }

  refresh.addEventListener("click", () => load());
  more.addEventListener("click", () => {
    tail = Math.min(MAX_TAIL, tail * 5);
    load();
  });
  auto.addEventListener("change", schedule);

  return {
    element,
    load(next) {
      const changed = experiment?.id !== next.id;
      experiment = next;
      if (changed) {
        tail = 200;
        auto.checked = true;
      }
      load();
      schedule();
    },
    update(next) {
      const wasActive = isActive(experiment);
      experiment = next;
      const active = isActive(next);
      if (wasActive !== active) {
        schedule();
        if (!active) load({ quiet: true }); // the last lines the worker wrote
      }
    },
    destroy() {
      clearInterval(timer);
      timer = null;
      token++;
      experiment = null;
    },
  };
}
