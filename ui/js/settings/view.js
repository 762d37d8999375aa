// The Settings tab: sub-tabs General, Storage, Notifications, Training, Advanced, About
// (`#/settings/<section>`; arrow keys move between them). Each section is built the first
// time it is shown; every change is saved at once with a visible "Saved".

import { el } from "../shell/dom.js";
import { navigate } from "../shell/router.js";
import { renderAbout } from "./about.js";
import { renderAdvanced } from "./advanced.js";
import { renderGeneral } from "./general.js";
import { renderNotifications } from "./notifications.js";
import { refreshUsage, renderStorage } from "./storage.js";
import { renderTraining } from "./training.js";

const SECTIONS = [
  { id: "general", label: "General", render: renderGeneral, hint: "Theme and accent colour" },
  { id: "storage", label: "Storage", render: renderStorage, hint: "Folders, disk usage and cleanup", onShow: refreshUsage },
  { id: "notifications", label: "Notifications", render: renderNotifications, hint: "Desktop notifications" },
  { id: "training", label: "Training", render: renderTraining, hint: "Quick Start defaults" },
  { id: "advanced", label: "Advanced", render: renderAdvanced, hint: "Resources, doctor, technical charts" },
  { id: "about", label: "About", render: renderAbout, hint: "Version and licences" },
];

const tabs = new Map();
const panels = new Map();
const built = new Set();
let current = "general";

function select(sectionId, { focus = false } = {}) {
  const section = SECTIONS.find((s) => s.id === sectionId) ?? SECTIONS[0];
  current = section.id;
  for (const s of SECTIONS) {
    const on = s.id === section.id;
    tabs.get(s.id).setAttribute("aria-selected", String(on));
    tabs.get(s.id).tabIndex = on ? 0 : -1;
    panels.get(s.id).hidden = !on;
  }
  const panel = panels.get(section.id);
  if (!built.has(section.id)) {
    built.add(section.id);
    panel.append(...section.render());
  } else {
    section.onShow?.();
  }
  if (focus) tabs.get(section.id).focus();
}

function onKey(event) {
  const index = SECTIONS.findIndex((s) => s.id === current);
  const moves = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1, Home: 0, End: SECTIONS.length - 1 };
  if (!(event.key in moves)) return;
  event.preventDefault();
  const next = SECTIONS[(moves[event.key] + SECTIONS.length) % SECTIONS.length];
  navigate("settings", next.id);
  select(next.id, { focus: true });
}

export default {
  title: "Settings",
  init(container) {
    const list = el("nav", { class: "settings-tabs", role: "tablist", "aria-label": "Settings sections", "aria-orientation": "vertical" });
    const body = el("div", { class: "settings-panels" });
    for (const section of SECTIONS) {
      const tab = el(
        "a",
        { class: "settings-tab", role: "tab", id: `settings-tab-${section.id}`, href: `#/settings/${section.id}`, "aria-controls": `settings-panel-${section.id}`, title: section.hint, dataset: { section: section.id } },
        section.label,
      );
      tabs.set(section.id, tab);
      list.append(tab);
      const panel = el("div", { class: "settings-panel", role: "tabpanel", id: `settings-panel-${section.id}`, "aria-labelledby": tab.id, hidden: true, dataset: { testid: `settings-${section.id}` } });
      panels.set(section.id, panel);
      body.append(panel);
    }
    list.addEventListener("keydown", onKey);
    container.append(
      el("div", { class: "view__head" }, el("h1", { class: "page-title" }, "Settings")),
      el("div", { class: "settings-layout" }, list, body),
    );
  },
  show(route) {
    select(route.parts?.[0] ?? current);
  },
  hide() {},
};
