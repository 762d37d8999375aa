// About: version, where the docs are, and the licences of the bundled packages.

import { el, replaceChildren, spinner } from "../shell/dom.js";
import { settingsApi } from "./api.js";
import { section } from "./fields.js";

function packageTable(packages, testid) {
  return el(
    "div",
    { class: "about__scroll" },
    el(
      "table",
      { class: "usage about__table", dataset: { testid } },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Package"), el("th", { scope: "col" }, "Version"), el("th", { scope: "col" }, "Licence"))),
      el("tbody", {}, packages.map((p) => el("tr", {}, el("th", { scope: "row" }, p.name), el("td", { class: "about__version" }, p.version), el("td", {}, p.license)))),
    ),
  );
}

export function renderAbout() {
  const head = el("div", { "aria-busy": "true" }, spinner(), " Loading…");
  const python = el("div", {}, el("div", { class: "skeleton skeleton--line" }));
  const npm = el("div", {}, el("div", { class: "skeleton skeleton--line" }));
  settingsApi
    .about()
    .then((body) => {
      replaceChildren(
        head,
        el("p", { class: "about__name" }, el("strong", {}, body.name), " ", el("span", { class: "settings-badge", dataset: { testid: "app-version" } }, `v${body.version}`), " · ", `${body.license} licence`),
        el("p", { class: "settings-note" }, "Pick an Atari game, press one button, watch a reinforcement-learning agent learn it."),
        el("dl", { class: "about__links" }, body.links.map((link) => [el("dt", {}, link.label), el("dd", {}, el("code", { class: "path" }, link.path))])),
      );
      head.removeAttribute("aria-busy");
      replaceChildren(python, el("p", { class: "settings-note" }, `${body.python_packages.length} Python packages in the app's environment.`), packageTable(body.python_packages, "python-packages"));
      replaceChildren(npm, packageTable(body.npm_packages, "npm-packages"));
    })
    .catch((error) => replaceChildren(head, el("p", { class: "form__error form__error--block" }, `Could not load: ${error.message}`)));
  return [section("About", head), section("Browser packages (npm)", npm), section("Python packages", python)];
}
