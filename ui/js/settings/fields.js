// Setting fields: a control bound to one server setting, saved on change, with a visible
// "Saved" confirmation and the API's message under the field when the value is refused.

import { el, setText } from "../shell/dom.js";
import { onSettings, saveSettings, settingsSchema } from "../shell/settings.js";

let nextId = 0;

/** Wraps `control` (an input/select with `.value` or `.checked`) as the setting `name`. */
export function settingField(name, control, { label, hint, read, write, inline = false } = {}) {
  const fieldId = `setting-${name}-${++nextId}`;
  control.id = fieldId;
  control.dataset.setting = name;
  const status = el("span", { class: "setting__saved", role: "status", "aria-live": "polite" });
  const error = el("p", { class: "form__error", id: `${fieldId}-error`, hidden: true, dataset: { errorFor: name } });
  const help = hint ?? settingsSchema()[name]?.help ?? "";
  const helpNode = el("p", { class: "form__hint" }, help); // the schema's help may arrive with the settings
  const labelNode = el("label", { class: "form__label", for: fieldId }, label);
  const wrapper = el(
    "div",
    { class: `form__field setting${inline ? " setting--inline" : ""}`, dataset: { settingField: name } },
    inline ? el("div", { class: "setting__row" }, control, labelNode, status) : [el("div", { class: "setting__row" }, labelNode, status), control],
    helpNode,
    error,
  );
  if (help) control.title ||= help;
  const readValue = read ?? (() => (control.type === "checkbox" ? control.checked : control.value));
  const writeValue = write ?? ((value) => (control.type === "checkbox" ? (control.checked = Boolean(value)) : (control.value = String(value ?? ""))));

  let timer = null;
  let dirty = false; // edited here and not saved yet: a settings reload must not overwrite it
  control.addEventListener("input", () => {
    if (control.type !== "checkbox" && control.tagName !== "SELECT") dirty = true;
  });
  onSettings((values) => {
    if (!helpNode.textContent && hint === undefined) {
      setText(helpNode, settingsSchema()[name]?.help ?? "");
      control.title ||= helpNode.textContent;
    }
    if (!dirty && name in values) writeValue(values[name]);
  });

  async function save(value = readValue()) {
    dirty = true;
    setText(status, "Saving…");
    status.className = "setting__saved setting__saved--busy";
    try {
      await saveSettings({ [name]: value });
      dirty = false;
      showError(null);
      setText(status, "✓ Saved");
      status.className = "setting__saved setting__saved--ok";
      clearTimeout(timer);
      timer = setTimeout(() => setText(status, ""), 2500);
      return true;
    } catch (err) {
      setText(status, "");
      showError(err.message);
      return false;
    }
  }

  function showError(message) {
    error.hidden = !message;
    setText(error, message ?? "");
    control.setAttribute("aria-invalid", message ? "true" : "false");
    if (message) control.setAttribute("aria-describedby", error.id);
    else control.removeAttribute("aria-describedby");
  }

  return { element: wrapper, control, save, showError };
}

/** A select of `options` ([{value, label}]) saved on change. */
export function selectSetting(name, label, options, extra = {}) {
  const select = el("select", { class: "select" }, options.map((o) => el("option", { value: o.value }, o.label)));
  const field = settingField(name, select, { label, ...extra });
  select.addEventListener("change", () => field.save());
  return field;
}

/** A checkbox saved on change. */
export function toggleSetting(name, label, extra = {}) {
  const box = el("input", { type: "checkbox", class: "setting__check" });
  const field = settingField(name, box, { label, inline: true, ...extra });
  box.addEventListener("change", () => field.save());
  return field;
}

/** A whole-number input saved on change (Enter or leaving the field). */
export function numberSetting(name, label, extra = {}) {
  const spec = settingsSchema()[name] ?? {};
  const input = el("input", { type: "number", class: "input setting__number", min: spec.min, max: spec.max, step: 1 });
  const field = settingField(name, input, {
    label,
    read: () => (input.value.trim() === "" ? input.value : Number(input.value)),
    ...extra,
  });
  input.addEventListener("change", () => field.save());
  return field;
}

/** A one-line text input saved on change (Enter or leaving the field); `placeholder` shows the default. */
export function textSetting(name, label, { placeholder = "", ...extra } = {}) {
  const input = el("input", { type: "text", class: "input", spellcheck: "false", autocomplete: "off", placeholder });
  const field = settingField(name, input, { label, read: () => input.value.trim(), ...extra });
  input.addEventListener("change", () => field.save());
  return field;
}

/** A card section with a heading. */
export function section(title, ...children) {
  return el("section", { class: "card settings-card" }, el("h2", { class: "card__title settings-card__title" }, title), children);
}
