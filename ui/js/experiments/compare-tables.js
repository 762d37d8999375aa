// Compare's two tables, one column per run in its colour: the settings that differ (or
// all of them) and the figures side by side with the best one marked; and the colour of
// a compared run (COMPARE_COLORS, in the order of the runs).

import { el } from "../shell/dom.js";
import { COMPARE_COLORS, configDiff, configText } from "./experiments-format.js";
import { FIGURE_ROWS, bestOf } from "./compare-format.js";

/** Gives `node` the colour of the `index`-th compared run (`--run-color`). */
export function withColor(node, index) {
  node.style.setProperty("--run-color", `var(${COMPARE_COLORS[index % COMPARE_COLORS.length]})`);
  return node;
}

function runHeaderCells(list) {
  return list.map((experiment, index) =>
    withColor(
      el(
        "th",
        { scope: "col", class: "compare-table__run" },
        el("span", { class: "compare-table__dot", "aria-hidden": "true" }),
        el("span", {}, experiment.name),
      ),
      index,
    ),
  );
}

function table(firstHead, list, attrs, rows) {
  return el(
    "div",
    { class: "compare-table__scroll" },
    el(
      "table",
      attrs,
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, firstHead), runHeaderCells(list))),
      el("tbody", {}, rows),
    ),
  );
}

/** The settings of the runs in `list`; `all` false: only the ones that differ. */
export function configDiffTable(list, { all }) {
  const rows = configDiff(list.map((e) => e.config ?? {}), { all });
  if (!rows.length) {
    return el(
      "p",
      { class: "empty-note", dataset: { field: "no-diff" } },
      "These runs use the same settings. Tick “Show all” to see them.",
    );
  }
  return table(
    "Setting",
    list,
    { class: "compare-table", dataset: { testid: "config-diff" } },
    rows.map((row) =>
      el(
        "tr",
        { class: row.differs ? "is-different" : null, dataset: { key: row.key } },
        el("th", { scope: "row" }, row.key),
        row.values.map((value) =>
          el(
            "td",
            {
              class: row.differs ? "is-different" : null,
              title: row.differs ? "Differs between the runs" : null,
            },
            configText(value),
          ),
        ),
      ),
    ),
  );
}

/** The runs' figures (status, steps, rewards, loss, time), the best of each marked. */
export function figuresTable(list) {
  return table(
    "Figure",
    list,
    { class: "compare-table compare-table--figures", dataset: { testid: "compare-metrics" } },
    FIGURE_ROWS.map(([label, text, raw]) => {
      const values = raw ? list.map(raw) : [];
      const best = bestOf(values);
      return el(
        "tr",
        {},
        el("th", { scope: "row" }, label),
        list.map((experiment, i) =>
          el(
            "td",
            {
              class: `figure${best !== null && values[i] === best ? " is-best" : ""}`,
              title: best !== null && values[i] === best ? "Best of the compared runs" : null,
            },
            text(experiment),
          ),
        ),
      );
    }),
  );
}
