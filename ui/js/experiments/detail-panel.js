// The panel under a run's sub-tabs: the six sections (sections/, and the Models tab's run-models.js), one shown at a time.
// The one left behind stops its timers and charts; it loads afresh when shown again.

import { el, replaceChildren } from "../shell/dom.js";
import { createArtifacts } from "./sections/artifacts.js";
import { createConfig } from "./sections/config.js";
import { createLineage } from "./sections/lineage.js";
import { createLogs } from "./sections/logs.js";
import { createOverview } from "./sections/overview.js";
import { createRunModels } from "../models/run-models.js";

/** `tabs`: the tab bar (detail-tabs.js) the panel belongs to, its id `panelId`. */
export function createSectionPanel(panelId, tabs) {
  const element = el("div", { class: "experiment-panel", role: "tabpanel", tabindex: "-1", id: panelId });
  const sections = {
    overview: createOverview(),
    config: createConfig(),
    lineage: createLineage(),
    models: createRunModels(),
    artifacts: createArtifacts(),
    logs: createLogs(),
  }; // by tab name (detail-tabs.js TABS)
  let current = "overview";

  return {
    element,
    /** The tab shown, or asked for by the address until the run is there. */
    get current() {
      return current;
    },
    /** A route asks for tab `name` (shown by the next `select`). */
    ask(name) {
      current = name;
    },
    /** Shows section `name` (overview if there is none) with `experiment` (null: empty); returns its name. */
    select(name, experiment, { focus = false } = {}) {
      if (!sections[name]) name = "overview";
      if (name !== current || !element.contains(sections[name].element)) sections[current]?.destroy();
      current = name;
      tabs.mark(name, { focus });
      element.setAttribute("aria-labelledby", `experiment-tab-${name}`);
      replaceChildren(element, sections[name].element);
      if (experiment) sections[name].load(experiment);
      return name;
    },
    /** The run changed: the section shown follows (the lineage tree is drawn again). */
    update(experiment, { lineage = false } = {}) {
      sections[current].update(experiment);
      if (lineage && current === "lineage") sections.lineage.refresh();
    },
    destroyAll() {
      Object.values(sections).forEach((section) => section.destroy());
    },
  };
}
