// General: theme and accent colour, applied at once (theme.js follows the settings).

import { el } from "../shell/dom.js";
import { ACCENT_COLORS } from "../shell/theme.js";
import { section, selectSetting } from "./fields.js";

const titleCase = (word) => word[0].toUpperCase() + word.slice(1);

export function renderGeneral() {
  const theme = selectSetting("theme", "Theme", [
    { value: "dark", label: "Dark" },
    { value: "light", label: "Light" },
  ]);
  const accent = selectSetting(
    "accent",
    "Accent colour",
    Object.keys(ACCENT_COLORS).map((name) => ({ value: name, label: titleCase(name) })),
  );
  const swatches = el(
    "div",
    { class: "accent-swatches", "aria-hidden": "true" },
    Object.entries(ACCENT_COLORS).map(([name, colour]) =>
      el("button", {
        type: "button",
        tabindex: "-1",
        class: "accent-swatch",
        title: titleCase(name),
        dataset: { accent: name },
        style: { background: colour },
        onclick: () => {
          accent.control.value = name;
          accent.save();
        },
      }),
    ),
  );
  accent.element.insertBefore(swatches, accent.element.querySelector(".form__hint"));
  return [
    section(
      "Appearance",
      el("div", { class: "settings-grid" }, theme.element, accent.element),
      el("p", { class: "settings-note" }, "The header's sun/moon button switches the theme too; both are remembered by the app."),
    ),
  ];
}
