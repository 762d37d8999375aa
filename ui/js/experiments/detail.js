// One run's page (`#/experiments/<id>?tab=config`): its header (detail-header.js), then
// sub-tabs (detail-tabs.js) showing one section at a time (sections/). This module holds
// which run and tab are shown, the loading and not-found states, and follows state.js live.

import { el, replaceChildren } from "../shell/dom.js";
import * as state from "../shell/state.js";
import { runHref, skeletonCard } from "../shell/widgets.js";
import { createDetailHeader } from "./detail-header.js";
import { createTabBar } from "./detail-tabs.js";
import { emptyMessage } from "./parts.js";
import { createArtifacts } from "./sections/artifacts.js";
import { createConfig } from "./sections/config.js";
import { createLineage } from "./sections/lineage.js";
import { createLogs } from "./sections/logs.js";
import { createOverview } from "./sections/overview.js";

const PANEL_ID = "experiment-panel";

export function createDetailPage(container, { backHref }) {
  let currentId = null;
  let currentTab = "overview";
  const header = createDetailHeader(() => currentId);
  const tabs = createTabBar(PANEL_ID, (name) => selectTab(name, { focus: true }));
  const panel = el("div", { class: "experiment-panel", role: "tabpanel", tabindex: "-1", id: PANEL_ID });
  const page = el("div", { class: "experiment-page" }, header.element, tabs.element, panel);
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
  const destroySections = () => Object.values(sections).forEach((section) => section.destroy());

  function selectTab(name, { focus = false, writeUrl = true } = {}) {
    if (!sections[name]) name = "overview";
    const experiment = state.getExperiment(currentId);
    // The section left behind stops its timers and charts; it loads afresh when shown again.
    if (name !== currentTab || !panel.contains(sections[name].element)) sections[currentTab]?.destroy();
    currentTab = name;
    tabs.mark(name, { focus });
    panel.setAttribute("aria-labelledby", `experiment-tab-${name}`);
    replaceChildren(panel, sections[name].element);
    if (experiment) sections[name].load(experiment);
    if (writeUrl) {
      const target = `${runHref(currentId)}${name === "overview" ? "" : `?tab=${name}`}`;
      if (location.hash !== target) history.replaceState(history.state, "", target);
    }
  }

  /** The not-found panel in place of the page, holding `children`. */
  function showInstead(...children) {
    page.hidden = true;
    notFound.hidden = false;
    replaceChildren(notFound, children);
  }

  function showNotFound(id) {
    showInstead(
      emptyMessage(
        "Experiment not found.",
        `There is no run with id “${id}”: it may have been deleted.`,
        el(
          "a",
          { class: "button button--primary", href: "#/experiments", title: "Back to every experiment" },
          "Back to all experiments",
        ),
      ),
    );
  }

  function render() {
    if (root.hidden || !currentId) return;
    const experiment = state.getExperiment(currentId);
    if (!experiment) {
      if (!state.isLoaded()) showInstead(skeletonCard("Loading the experiment…", ["title", "line", "bar"]));
      else if (!page.hidden) {
        // Deleted while on screen (Delete… here, or elsewhere): back to the table.
        destroySections();
        currentId = null;
        location.hash = backHref();
      } else {
        destroySections();
        showNotFound(currentId);
      }
      return;
    }
    const wasHidden = page.hidden;
    page.hidden = false;
    notFound.hidden = true;
    header.render(experiment);
    if (wasHidden) selectTab(currentTab, { writeUrl: false });
    else {
      sections[currentTab].update(experiment);
      if (currentTab === "lineage") sections.lineage.refresh();
    }
  }

  state.on("experiments", () => render());
  state.on("progress", (experiment) => {
    if (root.hidden || experiment.id !== currentId) return;
    header.render(experiment);
    sections[currentTab].update(experiment);
  });

  return {
    show(id, query) {
      root.hidden = false;
      header.back.href = backHref();
      if (id !== currentId) header.closeRename();
      // A route change (another run, or a ?tab= typed in): every section starts afresh.
      destroySections();
      currentId = id;
      currentTab = query.get("tab") || "overview";
      if (!state.getExperiment(id)) {
        page.hidden = true; // not "deleted while on screen": never shown
        render();
        return;
      }
      page.hidden = false;
      notFound.hidden = true;
      header.render(state.getExperiment(id));
      selectTab(currentTab, { writeUrl: false });
    },
    hide() {
      root.hidden = true;
      destroySections();
      currentId = null;
    },
  };
}
