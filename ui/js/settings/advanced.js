// Advanced: resources for new runs, the doctor (CUDA, ROMs, encoder, OS integrations, disk),
// technical charts of every metric a run logged, and the speed calibration.

import { api } from "../shell/api.js";
import { el, replaceChildren, setText, spinner } from "../shell/dom.js";
import { statusLabel } from "../shell/format.js";
import { createLineChart } from "../shell/line-chart.js";
import { allExperiments, gameName, on as onState } from "../shell/state.js";
import { showToast } from "../shell/toast.js";
import { settingsApi } from "./api.js";
import { numberSetting, section, selectSetting } from "./fields.js";
import { autoMeaning, nativeHint } from "./resources-format.js";

const STATUS_TEXT = { ok: "OK", warning: "Warning", error: "Needs a fix" };

function doctorList(body) {
  return el(
    "ul",
    { class: "doctor", dataset: { testid: "doctor-checks" } },
    body.checks.map((check) =>
      el(
        "li",
        { class: `doctor__check doctor__check--${check.status}`, dataset: { check: check.id } },
        el("span", { class: `settings-badge doctor__status doctor__status--${check.status}` }, STATUS_TEXT[check.status] ?? check.status),
        el("div", { class: "doctor__text" }, el("strong", { class: "doctor__label" }, check.label), el("span", { class: "doctor__detail" }, check.detail), check.fix && check.status !== "ok" ? el("span", { class: "doctor__fix" }, `Fix: ${check.fix}`) : null),
      ),
    ),
  );
}

function doctorCard() {
  const body = el("div", { "aria-busy": "true" }, spinner(), " Checking (PyTorch is asked in a separate process; the first check takes a few seconds)…");
  const again = el("button", { type: "button", class: "button", title: "Check everything again" }, "Run again");
  const run = async (refresh) => {
    again.disabled = true;
    body.setAttribute("aria-busy", "true");
    if (refresh) replaceChildren(body, spinner(), " Checking…");
    try {
      replaceChildren(body, doctorList(await settingsApi.doctor(refresh)));
    } catch (error) {
      replaceChildren(body, el("p", { class: "form__error form__error--block" }, `The doctor could not run: ${error.message}`));
    } finally {
      body.removeAttribute("aria-busy");
      again.disabled = false;
    }
  };
  again.addEventListener("click", () => run(true));
  run(false);
  return section("Doctor: CUDA, ROMs, video encoder, desktop integration", el("p", { class: "settings-note" }, "The same checks as “retro-ml doctor” on the command line."), body, el("div", { class: "settings-actions" }, again));
}

function resourcesCard() {
  const runs = numberSetting("max_concurrent_runs", "Trainings at the same time");
  const envs = numberSetting("default_n_envs", "Parallel games per run");
  const threads = numberSetting("default_torch_threads", "CPU threads per run");
  const device = selectSetting("default_device", "Device for new runs", [
    { value: "auto", label: "Auto (GPU when available)" },
    { value: "cpu", label: "CPU" },
    { value: "cuda", label: "CUDA GPU" },
  ]);
  const auto = el("p", { class: "settings-note", dataset: { testid: "resources-auto" } });
  settingsApi
    .sizing()
    .then((sizing) => setText(auto, [autoMeaning(sizing), nativeHint(sizing)].filter(Boolean).join(" ")))
    .catch((error) => setText(auto, `What auto means here could not be read: ${error.message}`));
  return section(
    "Resources",
    el("p", { class: "settings-note" }, "Applied to runs started from now on, unless their own configuration sets the value."),
    auto,
    el("div", { class: "settings-grid settings-grid--four" }, runs.element, envs.element, threads.element, device.element),
  );
}

function chartsCard() {
  const select = el("select", { class: "select", id: "tech-run", title: "The run whose metrics to chart" });
  const grid = el("div", { class: "tech-charts", dataset: { testid: "tech-charts" } });
  let charts = [];
  const fill = () => {
    const current = select.value;
    const runs = allExperiments().filter((e) => e.metadata?.status !== "queued");
    select.replaceChildren(el("option", { value: "" }, runs.length ? "Choose a run…" : "No runs yet"), ...runs.map((e) => el("option", { value: e.id }, `${e.name} · ${gameName(e.game)} · ${statusLabel(e.metadata?.status)}`)));
    select.value = runs.some((e) => e.id === current) ? current : "";
  };
  const show = async () => {
    charts.forEach((c) => c.destroy());
    charts = [];
    if (!select.value) {
      replaceChildren(grid, el("p", { class: "empty-note" }, "Pick a run to see a small chart of every metric it logged (losses, entropy, learning rate, episode reward…)."));
      return;
    }
    replaceChildren(grid, spinner(), " Loading metrics…");
    try {
      const first = await api.runMetrics(select.value, { downsample: 200 });
      const keys = first.keys_available ?? [];
      const body = { series: {} };
      for (let i = 0; i < keys.length; i += 64) {
        Object.assign(body.series, (await api.runMetrics(select.value, { keys: keys.slice(i, i + 64), downsample: 200 })).series);
      }
      if (!keys.length) {
        replaceChildren(grid, el("p", { class: "empty-note" }, "This run has not logged any metrics yet."));
        return;
      }
      grid.replaceChildren();
      for (const key of keys) {
        const series = body.series?.[key] ?? { steps: [], values: [] };
        const box = el("div", { class: "tech-chart" });
        grid.append(el("figure", { class: "tech-chart__figure", dataset: { metric: key } }, el("figcaption", { class: "tech-chart__title", title: key }, key), box));
        const chart = await createLineChart(box, { series: [{ label: key }], xLabel: "", height: 140 });
        chart.setData([series.steps, series.values]);
        charts.push(chart);
      }
    } catch (error) {
      replaceChildren(grid, el("p", { class: "form__error form__error--block" }, `Could not load the metrics: ${error.message}`));
    }
  };
  select.addEventListener("change", show);
  fill();
  onState("experiments", fill);
  show();
  return section("Technical charts", el("div", { class: "form__field" }, el("label", { class: "form__label", for: "tech-run" }, "Run"), select), grid);
}

function calibrationCard() {
  const status = el("p", { class: "settings-note", dataset: { testid: "calibration-status" } }, "…");
  const button = el("button", { type: "button", class: "button", title: "Train briefly to measure this computer's speed (better time estimates)" }, "Measure speed");
  const load = async () => {
    try {
      const body = await settingsApi.calibration();
      const running = body.state === "running";
      const estimates = Object.entries(body.estimates ?? {});
      button.disabled = running;
      const speeds = estimates.map(([algo, e]) => `${algo.toUpperCase()} ≈ ${Math.round(e.steps_per_second).toLocaleString("en-US")} steps/s (${e.source === "measured" ? "measured here" : "typical CPU"})`);
      if (running) setText(status, "Measuring… (about a minute; keep other trainings stopped)");
      else if (body.state === "failed") setText(status, `The last measurement failed: ${body.message ?? "unknown error"}. ${speeds.join(", ")}`);
      else setText(status, `${speeds.join(", ")}. Time estimates use these speeds.`);
      if (running) setTimeout(load, 3000);
    } catch (error) {
      setText(status, `Could not read the calibration: ${error.message}`);
    }
  };
  button.addEventListener("click", async () => {
    try {
      await settingsApi.calibrate();
      load();
    } catch (error) {
      showToast("Could not measure the speed", { kind: "error", detail: error.message });
    }
  });
  load();
  return section("Speed calibration", status, el("div", { class: "settings-actions" }, button));
}

export function renderAdvanced() {
  return [resourcesCard(), doctorCard(), chartsCard(), calibrationCard()];
}
