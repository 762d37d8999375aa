// Line charts on uPlot (npm `uplot`, served at /vendor/uPlot.esm.js): many thousands of
// points stay fast. Colours come from the theme's CSS variables and follow theme changes.
//
//   const chart = await createLineChart(node, { series: [{ label: "Reward" }], xLabel: "Steps" });
//   chart.setData([xs, ys]);             // whole series
//   chart.append(x, [y]);                // one new point per series (live updates)

const PALETTE = ["--accent", "--success", "--warning", "--paused", "--danger", "--neutral"];
let uplotModule = null;

async function loadUplot() {
  uplotModule ??= import("/vendor/uPlot.esm.js").then((module) => module.default);
  return uplotModule;
}

const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";

/** The nth colour of the chart palette (series without their own colour get these). */
export const seriesColor = (index) => cssVar(PALETTE[index % PALETTE.length]);

/**
 * Tick labels with as many decimals as the tick spacing needs, so close ticks never read
 * alike ("2.05K 2.1K", not "2K 2K"); thousands and up in compact notation.
 */
export function axisLabels(values) {
  const shown = values.filter((v) => v != null);
  const spacing = shown.length > 1 ? Math.abs(shown[1] - shown[0]) : 0;
  const largest = Math.max(0, ...shown.map((v) => Math.abs(v)));
  const unit = largest >= 1e9 ? 1e9 : largest >= 1e6 ? 1e6 : largest >= 1e3 ? 1e3 : 1;
  const step = spacing > 0 ? spacing / unit : 1;
  const decimals = Math.min(6, Math.max(0, Math.ceil(-Math.log10(step) + 1e-9)));
  const format = new Intl.NumberFormat("en-US", {
    notation: unit > 1 ? "compact" : "standard",
    minimumFractionDigits: 0,
    maximumFractionDigits: decimals,
    useGrouping: unit === 1 && largest >= 10_000,
  });
  return values.map((v) => (v == null ? "" : format.format(v)));
}

const axisValue = (_u, values) => axisLabels(values);

/** A series colour: a CSS variable name ("--success") follows the theme; else as given. */
const resolveColor = (color, index) => (color?.startsWith("--") ? cssVar(color) : color ?? seriesColor(index));

// Tick steps for a count (trials, games): whole numbers only.
const WHOLE_INCREMENTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

function axes(xLabel, yLabel, xWhole) {
  const stroke = cssVar("--text-muted");
  const grid = { stroke: cssVar("--border-muted"), width: 1 };
  const ticks = { stroke: cssVar("--border"), width: 1 };
  return [
    {
      stroke,
      grid,
      ticks,
      label: xLabel,
      values: axisValue,
      font: "12px system-ui",
      labelFont: "12px system-ui",
      ...(xWhole ? { incrs: WHOLE_INCREMENTS } : {}),
    },
    { stroke, grid, ticks, label: yLabel, values: axisValue, font: "12px system-ui", labelFont: "12px system-ui", size: 56 },
  ];
}

/**
 * `options.series`: [{ label, color? }] (y series; x is the first data array; `color` a CSS
 * colour or a theme variable name such as "--success").
 * `options.height` (px, default 220); `options.xWhole`: x counts things (trials), ticks on whole numbers. Resolves with { setData, append, destroy, element }.
 * The chart fills its container's width and follows it when resized.
 */
export async function createLineChart(container, { series, xLabel = "", yLabel = "", height = 220, xWhole = false } = {}) {
  const uPlot = await loadUplot();
  let data = [[], ...series.map(() => [])];
  const build = () => ({
    width: Math.max(container.clientWidth, 200),
    height,
    legend: { show: series.length > 1 },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: false } },
    axes: axes(xLabel, yLabel, xWhole),
    series: [
      { label: xLabel || "x", value: (_u, v) => (v == null ? "–" : v.toLocaleString("en-US")) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: resolveColor(s.color, i),
        width: 2,
        spanGaps: true,
        points: { show: false },
        value: (_u, v) => (v == null ? "–" : +v.toPrecision(4)),
      })),
    ],
  });
  let plot = new uPlot(build(), data, container);

  const resize = new ResizeObserver(() => {
    const width = Math.max(container.clientWidth, 200);
    if (width !== plot.width) plot.setSize({ width, height });
  });
  resize.observe(container);

  // A theme or accent change: rebuild with the new colours, same data.
  const themeWatch = new MutationObserver(() => {
    plot.destroy();
    plot = new uPlot(build(), data, container);
  });
  themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "style", "data-accent"] });

  return {
    element: container,
    /** `columns`: [xs, ys1, ys2, …] (equal lengths; null for a missing value). */
    setData(columns) {
      data = columns.map((column) => Array.from(column));
      plot.setData(data);
    },
    /** Adds one point per series at `x` (ignored when not after the last x). */
    append(x, values) {
      const xs = data[0];
      if (xs.length && x <= xs[xs.length - 1]) return;
      xs.push(x);
      values.forEach((value, i) => data[i + 1].push(value ?? null));
      plot.setData(data);
    },
    pointCount: () => data[0].length,
    destroy() {
      resize.disconnect();
      themeWatch.disconnect();
      plot.destroy();
    },
  };
}
