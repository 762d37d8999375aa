// System Status strip: CPU, memory and GPU, refreshed every few seconds while visible.

import { api } from "../shell/api.js";
import { el, field, replaceChildren } from "../shell/dom.js";
import { DASH, formatMemory } from "../shell/format.js";

const REFRESH_MS = 5000;

let strip;
let timer = null;
let running = false;

/** The strip (`#system-status`), with skeletons until `startSystemStatus` fills it. */
export function systemStatusStrip() {
  const item = (label, name, attrs = {}) =>
    el(
      "div",
      { class: "system-status__item" },
      el("dt", {}, label),
      el("dd", { ...attrs, dataset: { field: name } }, el("span", { class: "skeleton skeleton--inline" })),
    );
  strip = el(
    "section",
    {
      class: "system-status",
      id: "system-status",
      dataset: { testid: "system-status" },
      "aria-labelledby": "system-status-title",
    },
    el("h2", { class: "system-status__title", id: "system-status-title" }, "System Status"),
    el(
      "dl",
      { class: "system-status__items" },
      item("CPU", "cpu", { class: "figure" }),
      item("Memory", "memory", { class: "figure" }),
      item("GPU", "gpu"),
    ),
  );
  document.addEventListener("visibilitychange", () => {
    if (!running) return;
    if (document.hidden) clearTimeout(timer);
    else refresh();
  });
  return strip;
}

export function startSystemStatus() {
  if (running) return;
  running = true;
  refresh();
}

export function stopSystemStatus() {
  running = false;
  clearTimeout(timer);
}

async function refresh() {
  clearTimeout(timer);
  try {
    render(await api.system());
  } catch (error) {
    if (error.kind === "auth") return stopSystemStatus();
    render(null);
  }
  if (running && !document.hidden) timer = setTimeout(refresh, REFRESH_MS);
}

function meter(percent) {
  const level = percent >= 85 ? "high" : "normal";
  return el(
    "span",
    { class: "meter", dataset: { level }, "aria-hidden": "true" },
    el("span", { class: "meter__fill", style: { width: `${Math.min(100, percent)}%` } }),
  );
}

function render(system) {
  const cpu = field(strip, "cpu");
  const memory = field(strip, "memory");
  const gpu = field(strip, "gpu");
  if (!system) {
    for (const node of [cpu, memory, gpu]) replaceChildren(node, DASH);
    return;
  }

  const cpuPercent = Number(system.cpu_percent);
  if (Number.isFinite(cpuPercent)) {
    const cores = system.cpu_count ? ` of ${system.cpu_count} cores` : "";
    updateMeter(cpu, cpuPercent, `${Math.round(cpuPercent)}%`, cores);
  } else replaceChildren(cpu, DASH);

  const { used_bytes: used, total_bytes: total } = system.memory ?? {};
  if (used && total) updateMeter(memory, (used / total) * 100, formatMemory(used, total), "");
  else replaceChildren(memory, DASH);

  const cuda = system.gpu?.cuda_available;
  const name = system.gpu?.name;
  const text =
    cuda === true
      ? `CUDA available${name ? ` · ${name}` : ""}`
      : cuda === false
        ? "No CUDA GPU — training uses the CPU"
        : "Not checked yet";
  replaceChildren(
    gpu,
    el("span", { class: "gpu-dot", dataset: { ok: String(cuda === true) }, "aria-hidden": "true" }),
    el("span", {}, text),
  );
}

/** Updates a meter in place when it is there, so its width can glide. */
function updateMeter(node, percent, text, suffix) {
  const fill = node.querySelector(".meter__fill");
  const label = node.querySelector("[data-label]");
  if (fill && label) {
    fill.style.width = `${Math.min(100, percent)}%`;
    fill.parentElement.dataset.level = percent >= 85 ? "high" : "normal";
    label.textContent = text;
    node.querySelector("[data-suffix]").textContent = suffix;
    return;
  }
  replaceChildren(
    node,
    meter(percent),
    el("span", { dataset: { label: "" } }, text),
    el("span", { class: "system-status__suffix", dataset: { suffix: "" } }, suffix),
  );
}
