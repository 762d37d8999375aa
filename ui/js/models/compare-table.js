// The comparison's table: a row per version (steps, mean, std, max) with its difference from
// the first version and whether that is beyond noise, then a line naming the test and the
// seeds. The wording is models-format.js noiseWording.

import { el } from "../shell/dom.js";
import { algorithmLabel, formatInt, formatReward } from "../shell/format.js";
import { capNote, formatStepsShort, kindLabel, noiseWording } from "./models-format.js";

/** `result`: the comparison job's result; `modelOf(id)`: the version, for its run name. */
export function comparisonTable(result, modelOf = () => null) {
  const differences = new Map((result.differences ?? []).map((d) => [d.model_id, d]));
  const rows = (result.models ?? []).map((row, index) => {
    const wording = noiseWording(index === 0 ? null : differences.get(row.model_id), result.test);
    const name = row.name || modelOf(row.model_id)?.name || row.model_id;
    return el(
      "tr",
      { dataset: { modelId: row.model_id, testid: "compare-row" } },
      el(
        "th",
        { scope: "row" },
        el("span", { class: "models-compare__version" }, `step ${formatStepsShort(row.num_timesteps)}`),
        el("span", { class: "models-compare__run" }, `${kindLabel(row.kind)} · ${name} · ${algorithmLabel(row.algorithm)}`),
      ),
      el("td", { class: "is-number" }, formatInt(row.num_timesteps)),
      el("td", { class: "is-number", dataset: { field: "compare-mean" } }, formatReward(row.mean)),
      el("td", { class: "is-number" }, formatReward(row.std)),
      el("td", { class: "is-number" }, formatReward(row.max)),
      el("td", { class: "is-number", dataset: { field: "compare-difference" } }, wording.value),
      el(
        "td",
        { dataset: { field: "compare-verdict" } },
        el(
          "span",
          { class: `models-verdict models-verdict--${wording.verdict.replace(/\s+/g, "-")}`, title: wording.detail },
          wording.verdict,
        ),
        index === 0 ? null : el("span", { class: "models-compare__detail" }, wording.detail),
      ),
    );
  });
  const level = result.significance_level ?? 0.05;
  const seeds = result.seeds ?? [];
  const cap = capNote((result.models ?? []).map((row) => row.capped ?? []), result.max_seconds);
  const seedText = seeds.length ? `seeds ${seeds[0]}–${seeds.at(-1)}` : "the same seeds";
  return el(
    "div",
    { class: "models-compare" },
    el(
      "div",
      { class: "models-compare__scroll" },
      el(
        "table",
        { class: "models-compare__table", dataset: { testid: "compare-table" } },
        el("caption", { class: "visually-hidden" }, "Scores of each version on the same games"),
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            ["Version", "Steps", "Mean", "Std", "Max", "Difference vs first", "Beyond noise?"].map((label, i) =>
              el("th", { scope: "col", class: i >= 1 && i <= 5 ? "is-number" : null }, label),
            ),
          ),
        ),
        el("tbody", {}, rows),
      ),
    ),
    el(
      "p",
      { class: "form__hint", dataset: { field: "compare-test" } },
      `Each version played ${formatInt(seeds.length || null)} games on ${seedText}. A difference is beyond noise when `,
      `${result.test ?? "the test"} gives p < ${level}.`,
      cap ? ` ${cap}` : null,
    ),
  );
}
