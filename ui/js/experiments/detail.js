// One run's page (`#/experiments/<id>?tab=config`): a header with its facts and the actions
// its status allows (main.js's data-action buttons), rename, then sub-tabs: Overview,
// Config, Lineage, Artifacts, Logs. Live: status and progress follow state.js.

import { el, icon, replaceChildren, setText } from "../shell/dom.js";
import {
  CONTINUABLE_STATUSES,
  FINISHED_STATUSES,
  RETRYABLE_STATUSES,
  algorithmLabel,
  displayStatus,
  formatDuration,
  formatWhen,
  lineageText,
  statusLabel,
} from "../format.js";
import * as state from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { updateExperiment } from "./api.js";
import { runSeconds } from "./experiments-format.js";
import { createArtifacts } from "./sections/artifacts.js";
import { createConfig } from "./sections/config.js";
import { createLineage } from "./sections/lineage.js";
import { createLogs } from "./sections/logs.js";
import { createOverview } from "./sections/overview.js";

const TABS = [
  ["overview", "Overview", "Results and charts of reward and loss"],
  ["config", "Config", "Every setting of this run, changed ones marked"],
  ["lineage", "Lineage", "The runs this one continues and the runs continued from it"],
  ["artifacts", "Artifacts", "Model, checkpoints, videos, metrics and logs in the run folder"],
  ["logs", "Logs", "The end of the training worker's log"],
];

function actionButton(action, label, title, extra = "") {
  return el(
    "button",
    { type: "button", class: `button button--small ${extra}`.trim(), dataset: { action }, title },
    label,
  );
}

function actionsFor(experiment) {
  const status = experiment.metadata?.status;
  const buttons = [];
  if (status === "running") buttons.push(
    actionButton("pause", "Pause", "Pause training; Resume carries on where it stopped"),
  );
  if (status === "paused") buttons.push(
    actionButton("resume", "Resume", "Carry on training from where it paused"),
  );
  if (["running", "paused", "queued"].includes(status))
    buttons.push(
      actionButton("stop", "Stop", "Stop training and save the model so far", "button--quiet-danger"),
    );
  if (CONTINUABLE_STATUSES.has(status))
    buttons.push(
      actionButton(
        "continue",
        "Continue training",
        "Train this model further: a new run loads it and trains more steps",
        "button--primary",
      ),
    );
  if (RETRYABLE_STATUSES.has(status)) buttons.push(
    actionButton("retry", "Retry", "Start this run again from scratch with the same settings"),
  );
  buttons.push(
    actionButton("view-details", "Videos…", "Milestone clips, the live view and every video of this run"),
  );
  if (FINISHED_STATUSES.has(status))
    buttons.push(
      actionButton(
        "delete",
        "Delete…",
        "Delete this run, its model, checkpoints and logs",
        "button--quiet-danger",
      ),
    );
  return buttons;
}

export function createDetailPage(container, { backHref }) {
  const back = el(
    "a",
    {
      class: "link-button experiment-back",
      href: "#/experiments",
      title: "Back to every experiment, with the search and filters you had",
    },
    "← All experiments",
  );
  const title = el("h1", { class: "page-title experiment-title", dataset: { field: "detail-name" } });
  const renameButton = el(
    "button",
    { type: "button", class: "button button--small", title: "Rename this run", dataset: { field: "rename" } },
    "Rename",
  );
  const renameForm = el("form", { class: "experiment-rename", hidden: true });
  const renameInput = el(
    "input",
    { class: "input", maxlength: "100", "aria-label": "New name", dataset: { field: "rename-input" } },
  );
  const renameError = el("p", { class: "form__error", role: "alert", hidden: true });
  renameForm.append(
    renameInput,
    el("button", { type: "submit", class: "button button--small button--primary", title: "Save the new name" }, "Save"),
    el(
      "button",
      { type: "button", class: "button button--small", title: "Keep the old name (Escape)", onclick: () => closeRename() },
      "Cancel",
    ),
    renameError,
  );
  const status = el(
    "span",
    { class: "status", dataset: { field: "detail-status" } },
    el("span", { class: "status__dot", "aria-hidden": "true" }),
    el("span", {}),
  );
  const badges = el("div", { class: "experiment-badges" });
  const actions = el("div", { class: "experiment-actions" });
  const message = el(
    "p",
    { class: "experiment-status-message", hidden: true, dataset: { field: "status-message" } },
  );
  const meta = el("dl", { class: "experiment-meta" });
  const header = el(
    "header",
    { class: "experiment-header card" },
    back,
    el(
      "div",
      { class: "experiment-header__top" },
      el("div", { class: "experiment-header__name" }, title, renameButton),
      actions,
    ),
    renameForm,
    el("div", { class: "experiment-header__line" }, status, badges),
    message,
    meta,
  );
  const tabList = el("div", { class: "experiment-tabs", role: "tablist", "aria-label": "Run details" });
  const panel = el("div", { class: "experiment-panel", role: "tabpanel", tabindex: "-1" });
  const page = el("div", { class: "experiment-page" }, header, tabList, panel);
  const notFound = el(
    "div",
    { class: "experiments-empty", hidden: true, dataset: { testid: "experiment-not-found" } },
  );
  const root = el("div", { class: "experiment" }, page, notFound);
  container.append(root);

  const sections = {
    overview: createOverview(),
    config: createConfig(),
    lineage: createLineage(),
    artifacts: createArtifacts(),
    logs: createLogs(),
  };
  let currentId = null;
  let currentTab = "overview";

  const tabButtons = TABS.map(([name, label, hint]) =>
    el(
      "button",
      {
        type: "button",
        role: "tab",
        class: "experiment-tab",
        id: `experiment-tab-${name}`,
        dataset: { tab: name },
        title: hint,
        "aria-controls": "experiment-panel",
      },
      label,
    ),
  );
  panel.id = "experiment-panel";
  replaceChildren(tabList, tabButtons);
  tabList.addEventListener("click", (event) => {
    const button = event.target.closest("[data-tab]");
    if (button) selectTab(button.dataset.tab, { focus: true });
  });
  tabList.addEventListener("keydown", (event) => {
    const index = tabButtons.indexOf(document.activeElement);
    if (index < 0) return;
    const move = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: tabButtons.length - 1 - index }[event.key];
    if (move === undefined) return;
    event.preventDefault();
    const next = tabButtons[(index + move + tabButtons.length) % tabButtons.length];
    selectTab(next.dataset.tab, { focus: true });
  });

  renameButton.addEventListener("click", () => openRename());
  renameForm.addEventListener("submit", (event) => {
    event.preventDefault();
    saveRename();
  });
  renameForm.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      closeRename();
    }
  });

  function openRename() {
    const experiment = state.getExperiment(currentId);
    if (!experiment) return;
    renameInput.value = experiment.name;
    renameError.hidden = true;
    renameForm.hidden = false;
    renameButton.hidden = true;
    renameInput.focus();
    renameInput.select();
  }

  function closeRename() {
    renameForm.hidden = true;
    renameButton.hidden = false;
    renameButton.focus();
  }

  async function saveRename() {
    const name = renameInput.value.trim();
    if (!name) {
      renameError.hidden = false;
      setText(renameError, "The name cannot be empty.");
      renameInput.focus();
      return;
    }
    try {
      const { experiment } = await updateExperiment(currentId, { name });
      state.upsertExperiment(experiment);
      closeRename();
      showToast("Renamed", { kind: "success", detail: experiment.name });
    } catch (error) {
      if (error.kind === "auth") return;
      renameError.hidden = false;
      setText(renameError, error.message);
      renameInput.focus();
    }
  }

  function selectTab(name, { focus = false, writeUrl = true } = {}) {
    if (!sections[name]) name = "overview";
    const experiment = state.getExperiment(currentId);
    // The section left behind stops its timers and charts; it loads afresh when shown again.
    if (name !== currentTab || !panel.contains(sections[name].element)) sections[currentTab]?.destroy();
    currentTab = name;
    for (const button of tabButtons) {
      const on = button.dataset.tab === name;
      button.setAttribute("aria-selected", String(on));
      button.tabIndex = on ? 0 : -1;
      if (on && focus) button.focus();
    }
    panel.setAttribute("aria-labelledby", `experiment-tab-${name}`);
    replaceChildren(panel, sections[name].element);
    if (experiment) sections[name].load(experiment);
    if (writeUrl) {
      const target = `#/experiments/${encodeURIComponent(currentId)}${name === "overview" ? "" : `?tab=${name}`}`;
      if (location.hash !== target) history.replaceState(history.state, "", target);
    }
  }

  function renderHeader(experiment) {
    const shown = displayStatus(experiment);
    setText(title, experiment.name);
    title.title = experiment.name;
    status.dataset.status = shown;
    setText(status.lastChild, statusLabel(shown));
    const parent = state.getExperiment(experiment.lineage?.parent_experiment_id);
    const origin = lineageText(experiment, parent);
    replaceChildren(
      badges,
      el("span", { class: "exp-badge", title: experiment.env_id }, state.gameName(experiment.game)),
      el("span", { class: "exp-badge" }, algorithmLabel(experiment.algorithm)),
      experiment.preset ? el("span", { class: "exp-badge", title: "Preset" }, experiment.preset) : null,
      (experiment.metadata?.tags ?? []).map((tag) => el("span", { class: "exp-badge exp-badge--tag" }, tag)),
      origin ? el("span", { class: "lineage" }, icon("lineage", 14), el("span", {}, origin)) : null,
    );
    const statusMessage = experiment.metadata?.status_message;
    message.hidden = !statusMessage;
    message.className = shown === "failed" ? "card-message card-message--error" : "experiment-status-message";
    setText(message, statusMessage ?? "");
    renderMeta(experiment);
    actions.dataset.experimentId = experiment.id;
    const wanted = actionsFor(experiment);
    const same =
      wanted.length === actions.children.length &&
      wanted.every((button, i) => actions.children[i].dataset.action === button.dataset.action);
    if (!same) replaceChildren(actions, wanted);
  }

  function renderMeta(experiment) {
    const metadata = experiment.metadata ?? {};
    const rows = [
      ["Session", experiment.session_id, "detail-session"],
      ["Created", formatWhen(metadata.created), "detail-created"],
      ["Finished", metadata.finished ? formatWhen(metadata.finished) : "—", "detail-finished"],
      ["Duration", formatDuration(runSeconds(experiment)), "detail-duration"],
      ["Id", experiment.id, "detail-id"],
    ];
    if (meta.childElementCount !== rows.length * 2) {
      replaceChildren(
        meta,
        rows.map(([label, , field]) => [el("dt", {}, label), el("dd", { dataset: { field } })]),
      );
    }
    for (const [, value, field] of rows) setText(meta.querySelector(`[data-field="${field}"]`), value ?? "—");
  }

  function showNotFound(id) {
    page.hidden = true;
    notFound.hidden = false;
    replaceChildren(
      notFound,
      el("p", { class: "experiments-empty__title" }, "Experiment not found."),
      el(
        "p",
        { class: "experiments-empty__text" },
        `There is no run with id “${id}”: it may have been deleted.`,
      ),
      el(
        "a",
        { class: "button button--primary", href: "#/experiments", title: "Back to every experiment" },
        "Back to all experiments",
      ),
    );
  }

  function showLoading() {
    page.hidden = true;
    notFound.hidden = false;
    replaceChildren(
      notFound,
      el(
        "div",
        { class: "skeleton-card", "aria-hidden": "true" },
        el("span", { class: "skeleton skeleton--title" }),
        el("span", { class: "skeleton skeleton--line" }),
        el("span", { class: "skeleton skeleton--bar" }),
      ),
      el("p", { class: "visually-hidden" }, "Loading the experiment…"),
    );
  }

  function render() {
    if (root.hidden || !currentId) return;
    const experiment = state.getExperiment(currentId);
    if (!experiment) {
      if (!state.isLoaded()) showLoading();
      else if (!page.hidden) {
        // Deleted while on screen (Delete… here, or elsewhere): back to the table.
        for (const section of Object.values(sections)) section.destroy();
        currentId = null;
        location.hash = backHref();
      } else {
        for (const section of Object.values(sections)) section.destroy();
        showNotFound(currentId);
      }
      return;
    }
    const wasHidden = page.hidden;
    page.hidden = false;
    notFound.hidden = true;
    renderHeader(experiment);
    if (wasHidden) selectTab(currentTab, { writeUrl: false });
    else {
      sections[currentTab].update(experiment);
      if (currentTab === "lineage") sections.lineage.refresh();
    }
  }

  state.on("experiments", () => render());
  state.on("progress", (experiment) => {
    if (root.hidden || experiment.id !== currentId) return;
    renderHeader(experiment);
    sections[currentTab].update(experiment);
  });

  return {
    show(id, query) {
      root.hidden = false;
      back.href = backHref();
      if (id !== currentId) closeRenameQuietly();
      // A route change (another run, or a ?tab= typed in): every section starts afresh.
      for (const section of Object.values(sections)) section.destroy();
      currentId = id;
      currentTab = query.get("tab") || "overview";
      if (!state.getExperiment(id)) {
        page.hidden = true; // not "deleted while on screen": never shown
        render();
        return;
      }
      page.hidden = false;
      notFound.hidden = true;
      renderHeader(state.getExperiment(id));
      selectTab(currentTab, { writeUrl: false });
    },
    hide() {
      root.hidden = true;
      for (const section of Object.values(sections)) section.destroy();
      currentId = null;
    },
  };

  function closeRenameQuietly() {
    renameForm.hidden = true;
    renameButton.hidden = false;
  }
}
