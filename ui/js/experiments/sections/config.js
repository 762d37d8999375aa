// The Config section of a run's page: every setting it ran with, the ones that differ
// from the algorithm's defaults marked (GET /api/config-fields), optionally only those.

import { el, replaceChildren, setText } from "../../shell/dom.js";
import { algorithmLabel } from "../../shell/format.js";
import { configFields } from "../api.js";
import { configRows, configText } from "../experiments-format.js";
import { sectionHead, toggle } from "../parts.js";

function configRow(row) {
  return el(
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
  );
}

function configTable(rows) {
  return el(
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
    el("tbody", {}, rows.map(configRow)),
  );
}

export function createConfig() {
  const onlyChanged = el("input", { type: "checkbox", dataset: { field: "only-changed" } });
  const summary = el("p", { class: "empty-note", dataset: { field: "config-summary" } });
  const body = el("div", {});
  const element = el(
    "div",
    { class: "experiment-config" },
    sectionHead("Configuration", {
      before: [toggle(onlyChanged, "Only changed settings", "Hide the settings left at the algorithm's default")],
    }),
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
    if (!rows.length) {
      replaceChildren(body, el("p", { class: "empty-note" }, "No configuration recorded for this run."));
      return;
    }
    replaceChildren(body, configTable(onlyChanged.checked ? rows.filter((r) => r.changed) : rows));
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
