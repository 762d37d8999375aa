// A histogram of game scores: one bar per bin (models-format.js histogramBins), its height the
// number of games, its label the score range. Plain elements sized in %, so it scales with
// the dialog and both themes colour it from tokens; screen readers get the counts as text.

import { el } from "../shell/dom.js";
import { formatInt } from "../shell/format.js";
import { binLabel, histogramBins } from "./models-format.js";

export function scoreHistogram(scores, { label = "Scores of the games" } = {}) {
  const bins = histogramBins(scores);
  if (!bins.length) return el("p", { class: "empty-note" }, "No games to show.");
  const tallest = Math.max(...bins.map((bin) => bin.count));
  const games = (n) => `${formatInt(n)} game${n === 1 ? "" : "s"}`;
  const summary = bins.map((bin) => `${binLabel(bin)}: ${games(bin.count)}`).join("; ");
  return el(
    "figure",
    { class: "score-histogram", dataset: { testid: "score-histogram" } },
    el(
      "div",
      { class: "score-histogram__bars", role: "img", "aria-label": `${label}. ${summary}.` },
      bins.map((bin) =>
        el(
          "div",
          { class: "score-histogram__column", title: `${games(bin.count)} scored ${binLabel(bin)}` },
          el("span", { class: "score-histogram__count" }, bin.count ? formatInt(bin.count) : ""),
          el("span", {
            class: "score-histogram__bar",
            style: { height: `${Math.max(bin.count ? 4 : 0, (100 * bin.count) / tallest)}%` },
            dataset: { count: String(bin.count) },
          }),
        ),
      ),
    ),
    el(
      "div",
      { class: "score-histogram__labels", "aria-hidden": "true" },
      bins.map((bin) => el("span", { class: "score-histogram__label" }, binLabel(bin))),
    ),
    el("figcaption", { class: "score-histogram__caption" }, `${label} (${games(scores.length)})`),
  );
}
