// The Experiments table itself: sortable column heads, one row per run (list-rows.js), and
// the keys of a focused row (Enter opens it, Space selects it for Compare, ↑/↓ move).

import { el, replaceChildren } from "../shell/dom.js";
import { COLUMNS, NUMERIC, sortLook } from "./list-format.js";
import { runRow, updateRow } from "./list-rows.js";

const rowOf = (tbody, id) => tbody.querySelector(`tr[data-run-id="${CSS.escape(id)}"]`);

/** `openRun(id)`, `toggleSelected(id, on?)` and `sortBy(column)` act on what the user does. */
export function createListTable({ openRun, toggleSelected, sortBy }) {
  const headRow = el("tr", {});
  const tbody = el("tbody", {});
  const table = el(
    "table",
    { class: "experiments-table", dataset: { testid: "experiments-table" } },
    el("caption", { class: "visually-hidden" }, "Experiments, newest first. Select rows to compare them."),
    el("thead", {}, headRow),
    tbody,
  );
  const element = el("div", { class: "experiments-table__scroll" }, table);

  tbody.addEventListener("click", (event) => {
    if (event.target.closest("input, a, button, label")) return;
    const row = event.target.closest("tr[data-run-id]");
    if (row) openRun(row.dataset.runId);
  });
  tbody.addEventListener("keydown", (event) => {
    const row = event.target.closest("tr[data-run-id]");
    if (!row || event.target !== row) return;
    if (event.key === "Enter") {
      event.preventDefault();
      openRun(row.dataset.runId);
    } else if (event.key === " ") {
      event.preventDefault();
      toggleSelected(row.dataset.runId);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
      next?.focus();
    }
  });
  tbody.addEventListener("change", (event) => {
    const box = event.target.closest("input[data-select]");
    if (box) toggleSelected(box.dataset.select, box.checked);
  });

  function renderHead(filters) {
    const boxHead = el(
      "th",
      { class: "experiments-table__check", scope: "col" },
      el("span", { class: "visually-hidden" }, "Select"),
    );
    replaceChildren(
      headRow,
      boxHead,
      COLUMNS.map(([key, label]) => {
        const look = sortLook(filters, key);
        return el(
          "th",
          { scope: "col", "aria-sort": look.ariaSort, class: NUMERIC.has(key) ? "is-number" : null },
          el(
            "button",
            {
              type: "button",
              class: "experiments-table__sort",
              dataset: { sort: key },
              title: `Sort by ${label.toLowerCase()}${look.hint}`,
              onclick: () => sortBy(key),
            },
            label,
            el("span", { class: "experiments-table__arrow", "aria-hidden": "true" }, look.arrow),
          ),
        );
      }),
    );
  }

  return {
    element,
    /** Heads for `filters`, then the rows of `shown`; the focused row keeps the focus. */
    render(shown, filters, selected) {
      renderHead(filters);
      const focusedId = document.activeElement?.closest?.("tr[data-run-id]")?.dataset.runId;
      replaceChildren(tbody, shown.map((experiment) => runRow(experiment, selected.has(experiment.id))));
      if (focusedId) rowOf(tbody, focusedId)?.focus();
    },
    markSelected(id, on) {
      const box = tbody.querySelector(`input[data-select="${CSS.escape(id)}"]`);
      if (box) box.checked = on;
      box?.closest("tr")?.classList.toggle("experiments-table__row--selected", on);
    },
    updateRow(experiment) {
      const row = rowOf(tbody, experiment.id);
      if (row) updateRow(row, experiment);
    },
    focusSort: (column) => headRow.querySelector(`button[data-sort="${column}"]`)?.focus(),
  };
}
