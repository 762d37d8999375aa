// Small pieces every tab shows the same way: a run's status badge, a progress bar, the link
// to a run's page, the loading skeleton. Builders with an updater let live views change
// them in place.

import { el, setText } from "./dom.js";
import { statusLabel } from "./format.js";

/**
 * A run's status badge: `<span class="status" data-status data-field="status-badge">` with
 * its dot and label. `status` null: an empty badge `setStatusBadge` fills later. `field` /
 * `labelField`: the badge's and the label's `data-field` (null: none).
 */
export function statusBadge(status = null, { field = "status-badge", labelField = "status" } = {}) {
  return el(
    "span",
    { class: "status", dataset: { ...(status ? { status } : {}), ...(field ? { field } : {}) } },
    el("span", { class: "status__dot", "aria-hidden": "true" }),
    el("span", { dataset: labelField ? { field: labelField } : {} }, status ? statusLabel(status) : null),
  );
}

/** Shows `status` on a badge from `statusBadge` (its colour and its label). */
export function setStatusBadge(badge, status) {
  if (badge.dataset.status !== status) badge.dataset.status = status;
  setText(badge.lastElementChild, statusLabel(status));
}

/**
 * A progress bar (`.progress` with its `.progress__fill`, role progressbar, 0–100).
 * `label`: its accessible name; `field`: its `data-field`; `value`: the first aria-valuenow
 * (null: none until `setProgress`); `large`: the Training monitor's taller bar.
 */
export function progressBar({ label, field = null, value = null, large = false }) {
  return el(
    "div",
    {
      class: large ? "progress progress--large" : "progress",
      role: "progressbar",
      "aria-label": label,
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      "aria-valuenow": value === null ? null : String(value),
      dataset: field ? { field } : {},
    },
    el("div", { class: "progress__fill" }),
  );
}

/**
 * Moves a bar from `progressBar` to `percent` (0–100; aria-valuenow rounded). Optional:
 * `valueText` (aria-valuetext), `tone` (data-tone: accent, success, danger…), `indeterminate`.
 */
export function setProgress(bar, percent, { valueText, tone, indeterminate } = {}) {
  bar.setAttribute("aria-valuenow", String(Math.round(percent)));
  if (valueText !== undefined) bar.setAttribute("aria-valuetext", valueText);
  if (indeterminate !== undefined) bar.dataset.indeterminate = String(indeterminate);
  if (tone !== undefined) bar.dataset.tone = tone;
  bar.firstElementChild.style.width = `${percent}%`;
}

/** The address of a run's page in the Experiments tab. */
export const runHref = (experimentId) => `#/experiments/${encodeURIComponent(experimentId)}`;

/**
 * A link to a run's page: `experiment` is the run (or `{id, name}`); its name is the text
 * unless `children` are given, and the title says "Open <name>" unless `title` is given.
 */
export function runLink(experiment, { class: className = null, title = null, dataset = {} } = {}, ...children) {
  return el(
    "a",
    {
      class: className,
      href: runHref(experiment.id),
      title: title ?? `Open ${experiment.name}`,
      dataset,
    },
    children.length ? children : experiment.name,
  );
}

/**
 * The grey placeholder of a card still loading: a `.skeleton-card` of `bars` (skeleton kinds:
 * title, bar, line), then `label` for screen readers (null: none). An array to append.
 */
export function skeletonCard(label = null, bars = ["title", "bar", "line"]) {
  return [
    el(
      "div",
      { class: "skeleton-card", "aria-hidden": "true" },
      bars.map((kind) => el("span", { class: `skeleton skeleton--${kind}` })),
    ),
    label ? el("p", { class: "visually-hidden" }, label) : null,
  ];
}
