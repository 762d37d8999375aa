// The New Training dialog's grouped settings (Videos / Performance / Advanced): one field
// per setting the server takes (`/api/config-fields`: type, range, choices, algorithms),
// labelled and explained in plain words (config-help.js), showing the value a run gets when
// it is left alone. Fields nobody touched follow the length and algorithm chosen. The
// Performance group says why its recommended values fit this machine (`/api/system/sizing`).

import { api, request } from "../shell/api.js";
import { el, icon, replaceChildren, setText, spinner } from "../shell/dom.js";
import { FIELD_HELP, GROUPS, helpFor } from "./config-help.js";
import { checkField, recommendedText, sameValue, sizedValue, sizingNote } from "./training-format.js";

// Not among the groups: the dialog's Basics show total_timesteps; a study's trials take the
// trial_eval_* settings (the Tune dialog's "Trial settings", ui/js/studies/), never a run started here.
const BASIC_FIELDS = new Set(["total_timesteps", "trial_eval_every_pct", "trial_eval_episodes", "trial_eval_max_seconds"]);

function infoMark(help) {
  return el("span", { class: "tfield__info", title: help, "aria-hidden": "true" }, icon("info", 14));
}

const valueText = (value) => (value === null || value === undefined ? "" : String(value));

/**
 * Renders into `slot`. `algorithm()` is the chosen algorithm; `recommended(name)` the value a
 * run gets when the field is left alone; `fromSettings(name)` whether that value is the
 * user's own default; `onEdit(name)` runs on every edit.
 */
export function createSettingsGroups(slot, { algorithm, recommended, fromSettings, onEdit }) {
  let specs = null; // name → field spec, once loaded
  let loading = null;
  const fields = new Map(); // name → {wrapper, input, hint, spec, group, edited}
  const groups = new Map(); // group id → {details, count}
  let sizing = null; // how the server sized runs for this machine, once loaded (null: not known)
  const sizingLine = el("p", { class: "nt-group__lead", dataset: { field: "sizing-note" } });

  function showLoading() {
    replaceChildren(slot, el("p", { class: "nt-loading" }, spinner(), "Loading the settings…"));
  }

  function load() {
    if (specs) return Promise.resolve();
    if (!loading) showLoading();
    // The sizing only explains the values: the form works without it.
    loading ??= Promise.all([api.configFields(), request("GET", "/api/system/sizing").catch(() => null)])
      .then(([body, sized]) => {
        specs = new Map((body.fields ?? []).map((spec) => [spec.name, spec]));
        sizing = sized;
        build();
      })
      .catch((error) => {
        loading = null;
        if (error.kind === "auth") return;
        replaceChildren(
          slot,
          el(
            "p",
            { class: "card-message card-message--error", role: "alert" },
            icon("alert"),
            el(
              "span",
              {},
              `The other settings could not load: ${error.message} The run can still start with the recommended values. `,
              el("button", { type: "button", class: "link-button", onclick: () => load() }, "Try again"),
            ),
          ),
        );
      });
    return loading;
  }

  function build() {
    fields.clear();
    groups.clear();
    const byGroup = new Map(GROUPS.map((group) => [group.id, []]));
    // In config-help.js's order (related settings together); fields only the server knows go last.
    const order = Object.keys(FIELD_HELP);
    const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
    const sorted = [...specs.values()].sort((a, b) => rank(a.name) - rank(b.name));
    for (const spec of sorted) {
      if (BASIC_FIELDS.has(spec.name)) continue;
      const help = helpFor(spec.name, spec.help);
      (byGroup.get(help.group) ?? byGroup.get("advanced")).push(buildField(spec, help));
    }
    replaceChildren(
      slot,
      GROUPS.map((group) => {
        const count = el("span", { class: "nt-group__count", dataset: { field: `${group.id}-changed` } });
        const details = el(
          "details",
          { class: "nt-group", dataset: { group: group.id } },
          el(
            "summary",
            { class: "nt-group__summary", title: group.lead },
            el("span", { class: "nt-group__title" }, group.title),
            count,
          ),
          el("p", { class: "nt-group__lead" }, group.lead),
          group.id === "performance" ? sizingLine : null,
          el("div", { class: "nt-grid" }, byGroup.get(group.id)),
        );
        groups.set(group.id, { details, count });
        return details;
      }),
    );
    apply({ all: true });
  }

  function buildField(spec, help) {
    const id = `nt-f-${spec.name}`;
    const tip = `${help.help} (${spec.name})`;
    const described = `${id}-help ${id}-hint ${id}-error`;
    let input;
    if (spec.type === "choice") {
      input = el(
        "select",
        { class: "select", id, name: spec.name, title: tip, "aria-describedby": described },
        spec.choices.map((choice) => el("option", { value: choice }, choice)),
      );
    } else {
      input = el("input", {
        class: "input",
        id,
        name: spec.name,
        type: "number",
        step: spec.type === "int" ? "1" : "any",
        min: spec.min ?? null,
        max: spec.max ?? null,
        inputmode: spec.type === "int" ? "numeric" : "decimal",
        placeholder: spec.nullable ? "random" : null,
        title: tip,
        "aria-describedby": described,
      });
    }
    const hint = el("p", { class: "form__hint tfield__hint", id: `${id}-hint` });
    const wrapper = el(
      "div",
      { class: "form__field tfield", dataset: { configField: spec.name } },
      el(
        "label",
        { class: "form__label", for: id, title: tip },
        help.label,
        help.unit ? el("span", { class: "tfield__unit" }, ` (${help.unit})`) : null,
        infoMark(tip),
      ),
      input,
      el("span", { class: "visually-hidden", id: `${id}-help` }, help.help),
      hint,
      el("p", { class: "form__error", id: `${id}-error`, dataset: { errorFor: spec.name }, role: "alert", hidden: true }),
    );
    const node = { wrapper, input, hint, spec, group: help.group, edited: false };
    const edited = () => {
      node.edited = true;
      onEdit(spec.name);
      if (spec.name === "env_backend") apply(); // the untouched sized fields follow the engine
      else updateChanged();
    };
    input.addEventListener("input", edited);
    input.addEventListener("change", edited);
    fields.set(spec.name, node);
    return wrapper;
  }

  const applies = (node) => node.spec.algorithms.includes(algorithm());

  /**
   * The value a field gets when left alone. Picking the other game engine re-sizes the games,
   * rollout and threads as the server will (its sizing for that engine), unless Settings set them.
   */
  function recommendedFor(name) {
    const engine = fields.get("env_backend")?.input.value;
    if (engine && engine !== recommended("env_backend") && !fromSettings(name)) {
      const sized = sizedValue(sizing, algorithm(), engine, name);
      if (sized !== undefined) return sized;
    }
    return recommended(name);
  }

  /** Shows the chosen algorithm's fields; untouched ones (all with `all`) take the recommended value. */
  function apply({ all = false } = {}) {
    const note = sizingNote(sizing, algorithm());
    setText(sizingLine, note);
    sizingLine.hidden = !note;
    // The game engine first: the sized fields' values depend on it (recommendedFor).
    const ordered = [...fields].sort(([a], [b]) => Number(b === "env_backend") - Number(a === "env_backend"));
    for (const [name, node] of ordered) {
      node.wrapper.hidden = !applies(node);
      node.input.disabled = !applies(node);
      const value = recommendedFor(name);
      const text = recommendedText(value);
      setText(node.hint, fromSettings(name) ? `Your default (Settings): ${text}` : `Recommended: ${text}`);
      if (all || !node.edited) {
        node.input.value = valueText(value);
        node.edited = false;
      }
    }
    updateChanged();
  }

  /** The settings that differ from the recommended ones: {overrides: {name: value}, errors: [{field, message}]}. */
  function read() {
    const overrides = {};
    const errors = [];
    for (const [name, node] of fields) {
      if (!applies(node)) continue;
      const checked = checkField(node.spec, node.input.value);
      if (checked.error) errors.push({ field: name, message: checked.error });
      else if (!sameValue(checked.value, recommendedFor(name))) overrides[name] = checked.value;
    }
    return { overrides, errors };
  }

  /** Marks changed fields and counts them on each group's summary. */
  function updateChanged() {
    const counts = new Map();
    for (const [name, node] of fields) {
      if (!applies(node)) continue;
      const checked = checkField(node.spec, node.input.value);
      const changed = Boolean(checked.error) || !sameValue(checked.value, recommendedFor(name));
      node.wrapper.classList.toggle("tfield--changed", changed);
      if (changed) counts.set(node.group, (counts.get(node.group) ?? 0) + 1);
    }
    for (const [id, group] of groups) {
      const count = counts.get(id) ?? 0;
      setText(group.count, count ? `${count} changed` : "recommended");
      group.count.dataset.changed = String(count > 0);
    }
  }

  return {
    load,
    apply,
    read,
    isLoaded: () => Boolean(specs),
    /** The input of a setting, or null. */
    input: (name) => fields.get(name)?.input ?? null,
    /** Opens the group a setting is in (to show its error). */
    reveal(name) {
      const node = fields.get(name);
      if (node) groups.get(node.group).details.open = true;
    },
    collapse() {
      for (const group of groups.values()) group.details.open = false;
    },
  };
}
