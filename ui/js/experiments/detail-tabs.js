// The sub-tabs of a run's page (Overview, Config, Lineage, Models, Artifacts, Logs): a tablist
// whose arrow, Home and End keys move between the tabs (the WAI-ARIA tabs pattern).

import { el, replaceChildren } from "../shell/dom.js";

export const TABS = [
  ["overview", "Overview", "Results and charts of reward and loss"],
  ["config", "Config", "Every setting of this run, changed ones marked"],
  ["lineage", "Lineage", "The runs this one continues and the runs continued from it"],
  ["models", "Models", "The run's final model and kept checkpoints: evaluate them, compare a step with the final"],
  ["artifacts", "Artifacts", "Model, checkpoints, videos, metrics and logs in the run folder"],
  ["logs", "Logs", "The end of the training worker's log"],
];

/**
 * `panelId`: the id of the panel the tabs control. `onPick(name)` when the user picks a
 * tab (click or keys). Returns {element, mark(name, {focus})}: mark shows `name` selected.
 */
export function createTabBar(panelId, onPick) {
  const element = el("div", { class: "experiment-tabs", role: "tablist", "aria-label": "Run details" });
  const buttons = TABS.map(([name, label, hint]) =>
    el(
      "button",
      {
        type: "button",
        role: "tab",
        class: "experiment-tab",
        id: `experiment-tab-${name}`,
        dataset: { tab: name },
        title: hint,
        "aria-controls": panelId,
      },
      label,
    ),
  );
  replaceChildren(element, buttons);
  element.addEventListener("click", (event) => {
    const button = event.target.closest("[data-tab]");
    if (button) onPick(button.dataset.tab);
  });
  element.addEventListener("keydown", (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    const move = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: buttons.length - 1 - index }[event.key];
    if (move === undefined) return;
    event.preventDefault();
    onPick(buttons[(index + move + buttons.length) % buttons.length].dataset.tab);
  });

  return {
    element,
    mark(name, { focus = false } = {}) {
      for (const button of buttons) {
        const on = button.dataset.tab === name;
        button.setAttribute("aria-selected", String(on));
        button.tabIndex = on ? 0 : -1;
        if (on && focus) button.focus();
      }
    },
  };
}
