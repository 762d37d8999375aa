// The detail page's sections: Overview (figures and charts), Config (marked against the
// defaults), Lineage (the whole family tree), Artifacts (files by group) and Logs (tail).
// Each is `{element, load(experiment), update(experiment), destroy()}`.

import { ApiError } from "../shell/api.js";
import { el, replaceChildren, setText, spinner } from "../shell/dom.js";
import {
  algorithmLabel,
  displayStatus,
  formatBytes,
  formatDuration,
  formatInt,
  formatPct,
  formatReward,
  formatWhen,
  lineageKind,
  statusLabel,
} from "../format.js";
import { createLineChart } from "../shell/line-chart.js";
import * as state from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { LOSS_KEYS, REWARD_KEYS, formatLoss, pickKey, seriesColumns } from "../training/training-format.js";
import { revealVideo } from "../videos/video-actions.js";
import { openPlayer } from "../videos/player.js";
import { configFields, revealRunFolder, runArtifacts, runLog, runMetrics, runVideos } from "./api.js";
import { ARTIFACT_GROUPS, configRows, configText, lineageTree, metricsOf, runSeconds } from "./experiments-format.js";

const errorText = (error) => (error instanceof ApiError ? error.message : String(error?.message ?? error));

function loading(label) {
  return el("p", { class: "experiment-loading" }, spinner(), el("span", {}, label));
}

function failure(message, retry) {
  return el(
    "div",
    { class: "card-message card-message--error experiment-error" },
    el("span", {}, message),
    retry
      ? el("button", { type: "button", class: "button button--small", onclick: retry, title: "Ask the server again" }, "Try again")
      : null,
  );
}

// ---------- Overview ----------

function overviewFacts(experiment) {
  const metrics = metricsOf(experiment);
  const progress = experiment.progress ?? {};
  const total = progress.total_timesteps || experiment.config?.total_timesteps;
  return [
    ["Steps", `${formatInt(progress.timestep ?? 0)} / ${formatInt(total)}`, "o-steps"],
    ["Progress", formatPct(progress.progress_pct), "o-pct"],
    ["Episodes", formatInt(metrics.episodes), "o-episodes"],
    ["Mean reward", formatReward(metrics.mean_reward), "o-mean-reward"],
    ["Best reward", formatReward(metrics.best_reward), "o-best-reward"],
    ["Loss", formatLoss(metrics.loss ?? metrics["train/loss"]), "o-loss"],
    ["Training time", formatDuration(runSeconds(experiment)), "o-elapsed"],
  ];
}

export function createOverview() {
  const figures = el("div", { class: "experiment-overview__figures" });
  const rewardSlot = el("div", { class: "experiment-chart", dataset: { chart: "reward" } });
  const lossSlot = el("div", { class: "experiment-chart", dataset: { chart: "loss" } });
  const rewardNote = el("p", { class: "empty-note", hidden: true });
  const lossNote = el("p", { class: "empty-note", hidden: true });
  const element = el(
    "div",
    { class: "experiment-overview" },
    el("h2", { class: "section-title" }, "Results"),
    figures,
    el(
      "div",
      { class: "experiment-overview__charts" },
      el(
        "section",
        { class: "card experiment-chart-card" },
        el("h3", { class: "card__title" }, "Reward"),
        rewardNote,
        rewardSlot,
      ),
      el(
        "section",
        { class: "card experiment-chart-card" },
        el("h3", { class: "card__title" }, "Loss"),
        lossNote,
        lossSlot,
      ),
    ),
  );
  let charts = null;
  let currentId = null;
  let lastFetch = 0;
  let fetching = false;

  async function fetchCharts(experiment) {
    if (fetching) return;
    fetching = true;
    lastFetch = Date.now();
    const id = experiment.id;
    try {
      const data = await runMetrics(id, { keys: [...REWARD_KEYS, ...LOSS_KEYS], downsample: 600 });
      if (id !== currentId) return;
      charts ??= {
        reward: await createLineChart(
          rewardSlot,
          { series: [{ label: "Mean episode reward" }], xLabel: "Steps", yLabel: "Reward", height: 220 },
        ),
        loss: await createLineChart(
          lossSlot,
          { series: [{ label: "Loss" }], xLabel: "Steps", yLabel: "Loss", height: 220 },
        ),
      };
      const rewardKey = pickKey(Object.keys(data.series ?? {}), REWARD_KEYS);
      const lossKey = pickKey(Object.keys(data.series ?? {}), LOSS_KEYS);
      charts.reward.setData(seriesColumns(data.series?.[rewardKey]));
      charts.loss.setData(seriesColumns(data.series?.[lossKey]));
      rewardNote.hidden = Boolean(rewardKey);
      setText(
        rewardNote,
        "No finished episode yet: the reward appears once the agent has played a whole game.",
      );
      lossNote.hidden = Boolean(lossKey);
      setText(lossNote, "No loss logged yet: it appears after the first update of the network.");
    } catch (error) {
      if (id === currentId) {
        rewardNote.hidden = false;
        setText(rewardNote, `Charts unavailable: ${errorText(error)}`);
      }
    } finally {
      fetching = false;
    }
  }

  return {
    element,
    load(experiment) {
      currentId = experiment.id;
      replaceChildren(
        figures,
        overviewFacts(experiment).map(([label, value, field]) =>
          el(
            "div",
            { class: "experiment-tile" },
            el("span", { class: "experiment-tile__label" }, label),
            el("span", { class: "experiment-tile__value", dataset: { field } }, value),
          ),
        ),
      );
      fetchCharts(experiment);
    },
    update(experiment) {
      for (const [, value, field] of overviewFacts(experiment)) setText(
        figures.querySelector(`[data-field="${field}"]`),
        value,
      );
      if (Date.now() - lastFetch > 5000) fetchCharts(experiment);
    },
    destroy() {
      currentId = null;
      charts?.reward.destroy();
      charts?.loss.destroy();
      charts = null;
    },
  };
}

// ---------- Config ----------

export function createConfig() {
  const onlyChanged = el("input", { type: "checkbox", dataset: { field: "only-changed" } });
  const toggle = el(
    "label",
    { class: "experiment-toggle", title: "Hide the settings left at the algorithm's default" },
    onlyChanged,
    el("span", {}, "Only changed settings"),
  );
  const summary = el("p", { class: "empty-note", dataset: { field: "config-summary" } });
  const body = el("div", {});
  const element = el(
    "div",
    { class: "experiment-config" },
    el(
      "div",
      { class: "experiment-section-head" },
      el("h2", { class: "section-title" }, "Configuration"),
      toggle,
    ),
    summary,
    body,
  );
  let experiment = null;
  let fields = [];
  onlyChanged.addEventListener("change", () => render());

  function render() {
    if (!experiment) return;
    const rows = configRows(experiment.config ?? {}, experiment.algorithm, fields);
    const changed = rows.filter((r) => r.changed).length;
    setText(
      summary,
      fields.length
        ? `${rows.length} settings, ${changed} changed from the ${algorithmLabel(experiment.algorithm)} defaults (marked).`
        : `${rows.length} settings.`,
    );
    const shown = onlyChanged.checked ? rows.filter((r) => r.changed) : rows;
    if (!rows.length) {
      replaceChildren(body, el("p", { class: "empty-note" }, "No configuration recorded for this run."));
      return;
    }
    replaceChildren(
      body,
      el(
        "table",
        { class: "experiment-config-table", dataset: { testid: "config-table" } },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", { scope: "col" }, "Setting"),
            el("th", { scope: "col" }, "Value"),
            el("th", { scope: "col" }, "Default"),
          ),
        ),
        el(
          "tbody",
          {},
          shown.map((row) =>
            el(
              "tr",
              { class: row.changed ? "is-changed" : null, dataset: { key: row.key } },
              el("th", { scope: "row" }, row.key),
              el(
                "td",
                {},
                el("span", {}, configText(row.value)),
                row.changed
                  ? el("span", { class: "exp-badge exp-badge--changed", title: "Differs from the default" }, "changed")
                  : null,
              ),
              el(
                "td",
                { class: "experiment-config-table__default" },
                row.changed === null ? "" : configText(row.default),
              ),
            ),
          ),
        ),
      ),
    );
  }

  return {
    element,
    async load(next) {
      experiment = next;
      render();
      try {
        fields = (await configFields()).fields ?? [];
        render();
      } catch {
        /* the table stands without the defaults */
      }
    },
    update() {},
    destroy() {
      experiment = null;
    },
  };
}

// ---------- Lineage ----------

export function createLineage() {
  const body = el("div", {});
  const element = el(
    "div",
    { class: "experiment-lineage" },
    el("h2", { class: "section-title" }, "Lineage"),
    body,
  );
  let currentId = null;

  function node(tree) {
    const experiment = tree.experiment;
    const status = displayStatus(experiment);
    const parent = state.getExperiment(experiment.lineage?.parent_experiment_id);
    const kind = lineageKind(experiment, parent);
    const start = experiment.lineage?.start_timestep ?? 0;
    const isCurrent = experiment.id === currentId;
    const origin =
      kind === "continued"
        ? `continued from step ${formatInt(start)}`
        : kind === "retry"
          ? "retry"
          : "first run";
    return el(
      "li",
      { class: "lineage-tree__item" },
      el(
        "div",
        {
          class: `lineage-tree__node${isCurrent ? " is-current" : ""}`,
          dataset: { lineageId: experiment.id },
        },
        isCurrent
          ? el("strong", { class: "lineage-tree__name", "aria-current": "page" }, experiment.name)
          : el(
            "a",
            {
              class: "lineage-tree__name",
              href: `#/experiments/${encodeURIComponent(experiment.id)}`,
              title: `Open ${experiment.name}`,
            },
            experiment.name,
          ),
        el(
          "span",
          { class: "status", dataset: { status } },
          el("span", { class: "status__dot", "aria-hidden": "true" }),
          el("span", {}, statusLabel(status)),
        ),
        el(
          "span",
          { class: "lineage-tree__meta" },
          `${origin} · ${formatInt(experiment.progress?.timestep ?? 0)} steps · ${formatWhen(experiment.metadata?.created)}`,
        ),
        isCurrent ? el("span", { class: "exp-badge" }, "this run") : null,
      ),
      tree.children.length ? el("ul", { class: "lineage-tree" }, tree.children.map(node)) : null,
    );
  }

  function render() {
    const tree = lineageTree(currentId, (id) => state.getExperiment(id));
    if (!tree) return;
    const single = !tree.children.length;
    const missingParent = state.getExperiment(currentId)?.lineage?.parent_experiment_id && !state.getExperiment(
      state.getExperiment(currentId).lineage.parent_experiment_id,
    );
    replaceChildren(
      body,
      single
        ? el(
          "p",
          { class: "empty-note" },
          "This run has no parent and no continued runs. Continue it (once it has finished) to train its " +
            "model further: the new run appears here.",
        )
        : null,
      missingParent ? el("p", { class: "empty-note" }, "Its parent run was deleted.") : null,
      el("ul", { class: "lineage-tree lineage-tree--root", dataset: { testid: "lineage-tree" } }, node(tree)),
    );
  }

  return {
    element,
    load(experiment) {
      currentId = experiment.id;
      render();
    },
    update() {},
    refresh: () => currentId && render(),
    destroy() {
      currentId = null;
    },
  };
}

// ---------- Artifacts ----------

export function createArtifacts() {
  const total = el("span", { class: "experiments__count", dataset: { field: "artifacts-total" } });
  const openFolder = el(
    "button",
    {
      type: "button",
      class: "button button--small",
      title: "Open the run folder in your file manager",
      dataset: { field: "open-run-folder" },
    },
    "Open run folder",
  );
  const refresh = el(
    "button",
    { type: "button", class: "button button--small", title: "List the files again" },
    "Refresh",
  );
  const body = el("div", {});
  const element = el(
    "div",
    { class: "experiment-artifacts" },
    el(
      "div",
      { class: "experiment-section-head" },
      el("h2", { class: "section-title" }, "Files"),
      total,
      el("span", { class: "experiment-section-head__spacer" }),
      refresh,
      openFolder,
    ),
    body,
  );
  let experiment = null;
  let videos = [];
  let token = 0;

  openFolder.addEventListener("click", async () => {
    if (!experiment) return;
    try {
      await revealRunFolder(experiment.id);
      showToast("Opened the run folder", { kind: "success", detail: experiment.run_dir });
    } catch (error) {
      if (error.kind === "auth") return;
      showToast("Could not open the run folder", { kind: "error", detail: errorText(error) });
    }
  });
  refresh.addEventListener("click", () => experiment && load());

  const videoFor = (entry) => videos.find(
    (video) => String(video.path ?? "").replace(/\\/g, "/").endsWith(`/${entry.path}`),
  );

  function fileRow(entry, group) {
    const video = group === "videos" && entry.kind === "video" ? videoFor(entry) : null;
    const actions = [];
    if (video) {
      actions.push(
        el(
          "button",
          {
            type: "button",
            class: "button button--small",
            title: `Play ${video.name}`,
            dataset: { field: "play" },
            onclick: (event) => openPlayer(video, { returnFocus: event.currentTarget }),
          },
          "Play",
        ),
        el(
          "button",
          {
            type: "button",
            class: "button button--small",
            title: "Show this video in your file manager",
            onclick: () => revealVideo(video),
          },
          "Open location",
        ),
      );
    }
    return el(
      "li",
      { class: "artifact", dataset: { path: entry.path } },
      el("span", { class: "artifact__name", title: entry.path }, entry.name),
      el(
        "span",
        { class: "artifact__path" },
        entry.path.includes("/") ? entry.path.slice(0, entry.path.lastIndexOf("/") + 1) : "",
      ),
      el(
        "span",
        { class: "artifact__size figure", dataset: { field: "size" } },
        formatBytes(entry.size_bytes),
      ),
      el("span", { class: "artifact__when", title: entry.modified }, formatWhen(entry.modified)),
      el("span", { class: "artifact__actions" }, actions),
    );
  }

  async function load() {
    const mine = ++token;
    replaceChildren(body, loading("Listing the run's files…"));
    try {
      const [listing, videoList] = await Promise.all([
        runArtifacts(experiment.id),
        runVideos(experiment.id).catch(() => ({ videos: [] })),
      ]);
      if (mine !== token) return;
      videos = videoList.videos ?? [];
      setText(total, `${formatInt(listing.file_count)} files · ${formatBytes(listing.total_bytes)}`);
      const groups = ARTIFACT_GROUPS.filter(([name]) => (listing.groups?.[name] ?? []).length);
      if (!groups.length) {
        replaceChildren(
          body,
          el(
            "p",
            { class: "empty-note" },
            "No files yet: the worker writes its log, metrics, checkpoints and model here as it trains.",
          ),
        );
        return;
      }
      replaceChildren(
        body,
        groups.map(([name, label]) => {
          const entries = listing.groups[name];
          const size = entries.reduce((sum, entry) => sum + entry.size_bytes, 0);
          return el(
            "section",
            { class: "artifact-group", dataset: { group: name } },
            el(
              "h3",
              { class: "artifact-group__title" },
              label,
              el("span", { class: "artifact-group__meta" }, `${entries.length} · ${formatBytes(size)}`),
            ),
            el("ul", { class: "artifact-list" }, entries.map((entry) => fileRow(entry, name))),
          );
        }),
      );
    } catch (error) {
      if (mine === token) replaceChildren(
        body,
        failure(`Could not list the files: ${errorText(error)}`, load),
      );
    }
  }

  return {
    element,
    load(next) {
      const changed = experiment?.id !== next.id;
      experiment = next;
      if (changed || !body.childElementCount) load();
    },
    update(next) {
      experiment = next;
    },
    reload: () => experiment && load(),
    destroy() {
      token++;
      experiment = null;
    },
  };
}

// ---------- Logs ----------

const MAX_TAIL = 5000;

export function createLogs() {
  const pre = el(
    "pre",
    { class: "experiment-log", tabindex: "0", "aria-label": "Worker log", dataset: { testid: "log" } },
  );
  const meta = el("span", { class: "experiments__count", dataset: { field: "log-meta" } });
  const refresh = el(
    "button",
    {
      type: "button",
      class: "button button--small",
      title: "Read the log again",
      dataset: { field: "log-refresh" },
    },
    "Refresh",
  );
  const more = el(
    "button",
    {
      type: "button",
      class: "button button--small",
      title: "Show more of the older lines",
      dataset: { field: "log-more" },
    },
    "Show more",
  );
  const auto = el("input", { type: "checkbox", dataset: { field: "log-auto" } });
  const autoLabel = el(
    "label",
    { class: "experiment-toggle", title: "Read the log again every 3 seconds while the run trains" },
    auto,
    el("span", {}, "Auto-refresh"),
  );
  const element = el(
    "div",
    { class: "experiment-logs" },
    el(
      "div",
      { class: "experiment-section-head" },
      el("h2", { class: "section-title" }, "Worker log"),
      meta,
      el("span", { class: "experiment-section-head__spacer" }),
      autoLabel,
      more,
      refresh,
    ),
    pre,
  );
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
      if (mine !== token) return;
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
    const active = ["running", "queued", "paused"].includes(experiment?.metadata?.status);
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
      const wasActive = ["running", "queued", "paused"].includes(experiment?.metadata?.status);
      experiment = next;
      const active = ["running", "queued", "paused"].includes(next.metadata?.status);
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
