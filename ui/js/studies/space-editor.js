// The Tune dialog's search space: one row per parameter the server lets a study search for the
// algorithm. RL Zoo's space (`GET /api/studies/search-spaces`) comes ticked; the others are
// offered unticked over their safe range. Each row: a tick (search it or not), a range (low,
// high, log scale) or a list of values, the safe range beside it, and its own error line where
// both the dialog's checks and the server's 400 (`params.<name>`) land.

import { el, replaceChildren, setText } from "../shell/dom.js";
import { formatParamValue, paramHelp, paramLabel, rowFromSpec } from "./studies-format.js";

const KIND_LABELS = { range: "Range", choices: "List" };

/**
 * `onEdit(name)`: a row changed (clear its error). `recommended(name)`: the value a trial gets
 * for a parameter it does not search. Returns {element, load, read, rowOf, wholeNames}.
 */
export function createSpaceEditor({ onEdit, recommended }) {
  const list = el("div", { class: "tune-space__rows", dataset: { field: "tune-space" } });
  const element = el("div", { class: "tune-space" }, list);
  let defaults = {}; // name → spec (RL Zoo's), for this algorithm
  let bounds = {};
  const rows = new Map(); // name → {node, parts}
  let whole = new Set();

  function buildRow(name, spec, search) {
    const start = rowFromSpec(name, spec, search);
    const id = `tune-param-${name}`;
    const label = paramLabel(name);
    const parts = {
      search: el("input", { type: "checkbox", id, checked: search, dataset: { field: `search-${name}` }, "aria-describedby": `${id}-hint` }),
      kind: el(
        "select",
        { class: "select tune-param__kind", "aria-label": `${label}: range or list of values`, dataset: { field: `kind-${name}` } },
        Object.entries(KIND_LABELS).map(([value, text]) => el("option", { value }, text)),
      ),
      low: textInput(`${label}: lowest value`, `low-${name}`, start.low, `${id}-hint`),
      high: textInput(`${label}: highest value`, `high-${name}`, start.high, `${id}-hint`),
      log: el("input", { type: "checkbox", checked: start.log, dataset: { field: `log-${name}` } }),
      choices: el("input", {
        type: "text",
        class: "input tune-param__choices",
        autocomplete: "off",
        spellcheck: "false",
        "aria-label": `${label}: values to try, separated by commas`,
        value: start.choices,
        dataset: { field: `choices-${name}` },
        "aria-describedby": `${id}-hint`,
      }),
      hint: el("p", { class: "form__hint tune-param__hint", id: `${id}-hint` }),
      error: el("p", { class: "form__error tune-param__error", dataset: { errorFor: `params.${name}` }, role: "alert", hidden: true }),
    };
    parts.kind.value = start.kind;
    const range = el(
      "span",
      { class: "tune-param__range", dataset: { slot: "range" } },
      parts.low,
      el("span", { class: "tune-param__dash", "aria-hidden": "true" }, "–"),
      parts.high,
      el("label", { class: "check tune-param__log", title: "Sample on a log scale: as many tries between 1e-5 and 1e-4 as between 1e-4 and 1e-3" }, parts.log, el("span", {}, "log")),
    );
    const choices = el("span", { class: "tune-param__list", dataset: { slot: "choices" } }, parts.choices);
    const node = el(
      "div",
      { class: "tune-param", dataset: { param: name } },
      el(
        "label",
        { class: "check tune-param__name", for: id, title: paramHelp(name) },
        parts.search,
        el("span", {}, label),
        el("code", { class: "tune-param__key" }, name),
      ),
      el("span", { class: "tune-param__values" }, parts.kind, range, choices),
      parts.hint,
      parts.error,
    );
    node.addEventListener("input", () => onEdit(name));
    node.addEventListener("change", () => {
      onEdit(name);
      sync(name);
    });
    rows.set(name, { node, parts, range, choices });
    sync(name);
    return node;
  }

  function textInput(ariaLabel, field, value, describedBy) {
    return el("input", {
      "aria-describedby": describedBy,
      type: "text",
      class: "input tune-param__bound",
      inputmode: "decimal",
      autocomplete: "off",
      spellcheck: "false",
      "aria-label": ariaLabel,
      value,
      dataset: { field },
    });
  }

  /** Shows the row's range or list, greyed while not searched, with its hint. */
  function sync(name) {
    const { node, parts, range, choices } = rows.get(name);
    const searched = parts.search.checked;
    const kind = parts.kind.value;
    node.dataset.searched = String(searched);
    range.hidden = kind !== "range";
    choices.hidden = kind !== "choices";
    for (const input of [parts.kind, parts.low, parts.high, parts.log, parts.choices]) input.disabled = !searched;
    const safe = bounds[name];
    const safeText = safe ? `Safe range ${formatParamValue(safe.low)} – ${formatParamValue(safe.high)}` : "";
    if (searched) {
      setText(parts.hint, whole.has(name) ? `${safeText} · whole numbers` : safeText);
    } else {
      const value = recommended(name);
      const fixed = value === undefined || value === null ? "its recommended value" : `the recommended ${formatParamValue(value)}`;
      setText(parts.hint, `Not searched: every trial uses ${fixed}.`);
    }
  }

  return {
    element,
    /**
     * Builds the rows of `algorithm`: `spaces` {ppo, dqn} (ticked), `safeBounds`, and `fields`
     * (config-fields: which algorithms take a parameter and whether it is a whole number).
     */
    load(algorithm, spaces, safeBounds, fields = []) {
      defaults = spaces?.[algorithm] ?? {};
      bounds = safeBounds ?? {};
      const byName = new Map(fields.map((field) => [field.name, field]));
      whole = new Set(fields.filter((field) => field.type === "int").map((field) => field.name));
      const extra = Object.keys(bounds).filter(
        (name) => !(name in defaults) && byName.get(name)?.algorithms?.includes(algorithm),
      );
      rows.clear();
      replaceChildren(
        list,
        Object.entries(defaults).map(([name, spec]) => buildRow(name, spec, true)),
        extra.sort().map((name) => buildRow(name, { low: bounds[name].low, high: bounds[name].high }, false)),
      );
    },
    /** The rows as typed: [{name, search, kind, low, high, log, choices}]. */
    read() {
      return [...rows].map(([name, { parts }]) => ({
        name,
        search: parts.search.checked,
        kind: parts.kind.value,
        low: parts.low.value,
        high: parts.high.value,
        log: parts.log.checked,
        choices: parts.choices.value,
      }));
    },
    /** The integer parameters (values checked as whole numbers). */
    wholeNames: () => whole,
    /** The row of `name` (for errors: its node and first input), or null. */
    rowOf(name) {
      const row = rows.get(name);
      if (!row) return null;
      const input = row.parts.search.checked
        ? row.parts.kind.value === "choices" ? row.parts.choices : row.parts.low
        : row.parts.search;
      return { node: row.node, input, error: row.parts.error };
    },
  };
}
