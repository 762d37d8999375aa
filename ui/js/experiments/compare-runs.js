// The compared runs at the top of Compare: a card per run in its colour (name linked to its
// page, game, algorithm, status, × to remove it while more than two are left) and the
// select that adds another run.

import { el, replaceChildren } from "../shell/dom.js";
import { algorithmLabel, displayStatus } from "../shell/format.js";
import * as state from "../shell/state.js";
import { runLink, statusBadge } from "../shell/widgets.js";
import { MAX_COMPARE, MIN_COMPARE } from "./experiments-format.js";
import { withColor } from "./compare-tables.js";

function removeButton(experiment, list, remove) {
  const last = list.length <= MIN_COMPARE;
  return el(
    "button",
    {
      type: "button",
      class: "icon-button compare-run__remove",
      title: last ? `A comparison needs at least ${MIN_COMPARE} runs` : `Remove ${experiment.name} from the comparison`,
      "aria-label": `Remove ${experiment.name} from the comparison`,
      "aria-disabled": last ? "true" : null,
      onclick: () => {
        if (!last) remove(experiment.id);
      },
    },
    "×",
  );
}

function runCard(experiment, index, list, remove) {
  return withColor(el(
    "article",
    { class: "compare-run card", dataset: { runId: experiment.id } },
    el("span", { class: "compare-run__swatch", "aria-hidden": "true" }),
    el(
      "div",
      { class: "compare-run__body" },
      runLink(experiment, { class: "compare-run__name" }),
      el(
        "span",
        { class: "compare-run__meta" },
        `${state.gameName(experiment.game)} · ${algorithmLabel(experiment.algorithm)} · `,
        statusBadge(displayStatus(experiment), { field: null, labelField: null }),
      ),
    ),
    removeButton(experiment, list, remove),
  ), index);
}

/** A card per run of `list`; `remove(id)` takes one out of the comparison. */
export function runCards(list, remove) {
  return list.map((experiment, index) => runCard(experiment, index, list, remove));
}

/** Offers every run not compared yet (none once `ids` holds MAX_COMPARE). */
export function fillAddSelect(select, ids) {
  const others = state.allExperiments().filter((e) => !ids.includes(e.id));
  replaceChildren(
    select,
    el("option", { value: "" }, ids.length >= MAX_COMPARE ? `At most ${MAX_COMPARE} runs` : "Add a run…"),
    others.map((e) => el("option", { value: e.id }, `${e.name} (${state.gameName(e.game)})`)),
  );
  select.value = "";
  select.disabled = ids.length >= MAX_COMPARE || !others.length;
}
