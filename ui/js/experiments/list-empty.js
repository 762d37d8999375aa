// What the Experiments table shows instead of rows: a skeleton while the runs load, a
// welcome when there is no run yet, or "no match" with Clear filters.

import { el } from "../shell/dom.js";
import * as state from "../shell/state.js";
import { skeletonCard } from "../shell/widgets.js";
import { emptyMessage } from "./parts.js";

/** The children of the empty panel, `total` runs being hidden by the filters. */
export function emptyTable(total, clearFilters) {
  if (!state.isLoaded()) return skeletonCard("Loading experiments…", ["title", "line"]);
  if (!total) {
    return emptyMessage(
      "No experiments yet.",
      "Every training run you start is listed here, with its settings, results, files and logs.",
      el(
        "a",
        { class: "button button--primary", href: "#/training", title: "Go to the Training tab to start a run" },
        "Start a training",
      ),
    );
  }
  return emptyMessage(
    "No runs match your search or filters.",
    `${total} runs are hidden by them.`,
    el(
      "button",
      { type: "button", class: "button", onclick: () => clearFilters(), title: "Show every run again" },
      "Clear filters",
    ),
    { dataset: { field: "no-match" } },
  );
}
