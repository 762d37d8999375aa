// One run's page (`#/experiments/<id>?tab=config`): its header (detail-header.js), then
// sub-tabs (detail-tabs.js) over a panel showing one section at a time (detail-panel.js).
// This module holds which run is shown, the loading and not-found states, the tab's
// address, and follows state.js live.

import { el, replaceChildren } from "../shell/dom.js";
import * as state from "../shell/state.js";
import { runHref, skeletonCard } from "../shell/widgets.js";
import { createDetailHeader } from "./detail-header.js";
import { createSectionPanel } from "./detail-panel.js";
import { createTabBar } from "./detail-tabs.js";
import { emptyMessage, replaceAddress } from "./parts.js";

const PANEL_ID = "experiment-panel";

/** What a run's page shows when the run is not there (deleted, or a wrong id). */
function notFoundMessage(id) {
  return emptyMessage(
    "Experiment not found.",
    `There is no run with id “${id}”: it may have been deleted.`,
    el(
      "a",
      { class: "button button--primary", href: "#/experiments", title: "Back to every experiment" },
      "Back to all experiments",
    ),
  );
}

export function createDetailPage(container, { backHref }) {
  let currentId = null;
  const header = createDetailHeader(() => currentId);
  const tabs = createTabBar(PANEL_ID, (name) => selectTab(name, { focus: true }));
  const panel = createSectionPanel(PANEL_ID, tabs);
  const page = el("div", { class: "experiment-page" }, header.element, tabs.element, panel.element);
  const notFound = el(
    "div",
    { class: "experiments-empty", hidden: true, dataset: { testid: "experiment-not-found" } },
  );
  const root = el("div", { class: "experiment" }, page, notFound);
  container.append(root);

  function selectTab(name, { focus = false, writeUrl = true } = {}) {
    const shown = panel.select(name, state.getExperiment(currentId), { focus });
    if (writeUrl) replaceAddress(`${runHref(currentId)}${shown === "overview" ? "" : `?tab=${shown}`}`);
  }

  function showPage(experiment) {
    page.hidden = false;
    notFound.hidden = true;
    header.render(experiment);
  }

  /** The not-found panel in place of the page, holding `children`. */
  function showInstead(...children) {
    page.hidden = true;
    notFound.hidden = false;
    replaceChildren(notFound, children);
  }

  function render() {
    if (root.hidden || !currentId) return;
    const experiment = state.getExperiment(currentId);
    if (!experiment) {
      if (!state.isLoaded()) showInstead(skeletonCard("Loading the experiment…", ["title", "line", "bar"]));
      else if (!page.hidden) {
        // Deleted while on screen (Delete… here, or elsewhere): back to the table.
        panel.destroyAll();
        currentId = null;
        location.hash = backHref();
      } else {
        panel.destroyAll();
        showInstead(notFoundMessage(currentId));
      }
      return;
    }
    const wasHidden = page.hidden;
    showPage(experiment);
    if (wasHidden) selectTab(panel.current, { writeUrl: false });
    else panel.update(experiment, { lineage: true });
  }

  state.on("experiments", () => render());
  state.on("progress", (experiment) => {
    if (root.hidden || experiment.id !== currentId) return;
    header.render(experiment);
    panel.update(experiment);
  });

  return {
    show(id, query) {
      root.hidden = false;
      header.back.href = backHref();
      if (id !== currentId) header.closeRename();
      // A route change (another run, or a ?tab= typed in): every section starts afresh.
      panel.destroyAll();
      currentId = id;
      panel.ask(query.get("tab") || "overview");
      if (!state.getExperiment(id)) {
        page.hidden = true; // not "deleted while on screen": never shown
        render();
        return;
      }
      showPage(state.getExperiment(id));
      selectTab(panel.current, { writeUrl: false });
    },
    hide() {
      root.hidden = true;
      panel.destroyAll();
      currentId = null;
    },
  };
}
