// What Compare shows of each run, as pure functions (no DOM, no state) that `node --test`
// checks: the rows of the figures table and which value is the best of a row.

import { displayStatus, formatDuration, formatInt, formatReward, statusLabel } from "../shell/format.js";
import { formatLoss } from "../training/training-format.js";
import { metricsOf, runSeconds } from "./experiments-format.js";

/** [label, text(run), raw number(run) for rows where the biggest is the best]. */
export const FIGURE_ROWS = [
  ["Status", (e) => statusLabel(displayStatus(e))],
  ["Steps", (e) => formatInt(e.progress?.timestep ?? 0)],
  ["Episodes", (e) => formatInt(metricsOf(e).episodes)],
  ["Mean reward", (e) => formatReward(metricsOf(e).mean_reward), (e) => metricsOf(e).mean_reward],
  ["Best reward", (e) => formatReward(metricsOf(e).best_reward), (e) => metricsOf(e).best_reward],
  ["Loss", (e) => formatLoss(metricsOf(e).loss)],
  ["Training time", (e) => formatDuration(runSeconds(e))],
];

/** The biggest finite number of `values`, or null unless at least two runs have one. */
export function bestOf(values) {
  const numbers = values.filter((v) => typeof v === "number" && Number.isFinite(v));
  return numbers.length > 1 ? Math.max(...numbers) : null;
}

/** Which runs are compared, in which status: the charts load again when it changes. */
export const statusKey = (runs) => runs.map((e) => `${e.id}:${e.metadata?.status}`).join(",");
