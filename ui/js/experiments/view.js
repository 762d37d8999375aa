// The Experiments tab: the table of every run (`#/experiments?q=…`), one run's page
// (`#/experiments/<id>?tab=…`) and the comparison of 2–5 runs
// (`#/experiments/compare?ids=a,b`). This module only switches between the three.

import { el } from "../shell/dom.js";
import { runHref } from "../shell/widgets.js";
import { createComparePage } from "./compare.js";
import { createDetailPage } from "./detail.js";
import { createExperimentsList } from "./list.js";

let list;
let detail;
let compare;
let screens;

const compareHash = (ids) => `#/experiments/compare?ids=${ids.map(encodeURIComponent).join(",")}`;

export default {
  title: "Experiments",
  init(container) {
    const listSlot = el("div", { class: "experiments-screen", dataset: { screen: "list" } });
    const detailSlot = el("div", { class: "experiments-screen", dataset: { screen: "detail" }, hidden: true });
    const compareSlot = el("div", { class: "experiments-screen", dataset: { screen: "compare" }, hidden: true });
    container.append(listSlot, detailSlot, compareSlot);
    screens = { list: listSlot, detail: detailSlot, compare: compareSlot };
    list = createExperimentsList(listSlot, {
      openRun: (id) => {
        location.hash = runHref(id);
      },
      openCompare: (ids) => {
        location.hash = compareHash(ids);
      },
    });
    detail = createDetailPage(detailSlot, { backHref: () => list.hash() });
    compare = createComparePage(compareSlot, {
      // Adding or removing a run replaces the address (Back still leaves the comparison).
      setIds: (ids) => {
        history.replaceState(history.state, "", compareHash(ids));
        window.dispatchEvent(new HashChangeEvent("hashchange"));
      },
    });
  },
  show(route) {
    const [first] = route.parts;
    const screen = !first ? "list" : first === "compare" ? "compare" : "detail";
    for (const [name, node] of Object.entries(screens)) node.hidden = name !== screen;
    if (screen !== "list") list.hide();
    if (screen !== "detail") detail.hide();
    if (screen !== "compare") compare.hide();
    if (screen === "list") {
      list.show(route.query);
    } else if (screen === "compare") {
      compare.show(route.query);
      list.select(compare.ids());
    } else {
      detail.show(first, route.query);
    }
  },
  hide() {
    list?.hide();
    detail?.hide();
    compare?.hide();
  },
};
