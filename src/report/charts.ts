// SVG line charts: a vega-lite spec built from named series, compiled by vega-lite, drawn by vega.

import type { TopLevelSpec } from "vega-lite";
import { checkArray, checkNumber, checkOptions, checkString, type OptionKeys } from "./check.ts";
import { importPeer } from "./optional-peer.ts";

export interface Point {
  x: number;
  y: number;
}

export interface ChartSeries {
  name: string;
  points: Point[];
}

export interface LineChartOptions {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  series: ChartSeries[];
  /** Logarithmic y axis; points with y <= 0 are dropped, since a log scale cannot place them. */
  logY?: boolean;
  /**
   * Exponential-moving-average weight in [0, 1), as TensorBoard's smoothing slider (0 = none).
   * When set, the raw points stay visible as a faint line behind the smoothed one.
   */
  smoothing?: number;
  /** Draw the raw line behind the smoothed one (default true when smoothing > 0). */
  showRaw?: boolean;
  /** d3-format string for y tick labels, e.g. ".1%" for accuracies stored as fractions. */
  yFormat?: string;
  /** Fix the y range instead of fitting it to the data. */
  yDomain?: [number, number];
  /** Legend heading (default none: the series names speak for themselves). */
  legendTitle?: string;
  /** Mark each point; default when no series has more than 60 points (e.g. one point per epoch). */
  points?: boolean;
  /** Keep at most this many points per line (evenly spaced, last kept), to bound the SVG's size. */
  maxPoints?: number;
  /** Plot area in pixels (default 640 × 360). */
  width?: number;
  height?: number;
}

/**
 * Tableau 10 then its lighter twins: distinct colours for up to 20 series. The colour follows the
 * series' position, so passing series in the same order to several charts keeps each optimizer's colour.
 */
export const SERIES_COLORS = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
  "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2", "#d7b5a6", "#79706e",
];

/**
 * TensorBoard's smoothing: an exponential moving average divided by (1 − wⁿ), so the first values
 * are not pulled toward the zero the average starts from.
 *
 *   m ← w·m + (1 − w)·y,   ŷₙ = m / (1 − wⁿ)
 *
 * Non-finite values are passed through and do not enter the average.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  checkArray("emaSmooth", "values", values, "[2.3, 1.1, 0.7]");
  checkNumber("emaSmooth", "weight", weight);
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`emaSmooth: invalid smoothing weight ${weight} (must be in [0, 1))`);
  let m = 0;
  let n = 0;
  return values.map((y) => {
    if (!Number.isFinite(y)) return y;
    m = weight * m + (1 - weight) * y;
    n++;
    return m / (1 - weight ** n);
  });
}

/** Every k-th point so that at most `max` remain, always keeping the last. */
function thin<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const k = Math.ceil(items.length / max);
  const out = items.filter((_, i) => i % k === 0);
  if ((items.length - 1) % k !== 0) out.push(items[items.length - 1]);
  return out;
}

interface Row {
  series: string;
  x: number;
  y: number;
}

/** The keys of LineChartOptions, for the unknown-option check. */
const LINE_CHART_OPTIONS: OptionKeys<LineChartOptions> = {
  title: true, subtitle: true, xTitle: true, yTitle: true, series: true, logY: true, smoothing: true, showRaw: true,
  yFormat: true, yDomain: true, legendTitle: true, points: true, maxPoints: true, width: true, height: true,
};

/** The vega-lite spec of a line chart: one coloured line per series, with legend and axis titles. */
export function lineChartSpec(options: LineChartOptions): TopLevelSpec {
  checkOptions("lineChartSpec", options, LINE_CHART_OPTIONS, 'an object such as { title, series: [{ name, points: [{ x, y }] }] }');
  checkArray<ChartSeries>("lineChartSpec", "options.series", options.series, '[{ name: "adam", points: [{ x: 1, y: 2.3 }] }]').forEach((s, i) => {
    checkString("lineChartSpec", `series[${i}].name`, s?.name);
    checkArray("lineChartSpec", `series[${i}].points`, s.points, "[{ x: 1, y: 2.3 }]");
  });
  const smoothing = options.smoothing ?? 0;
  const showRaw = smoothing > 0 && (options.showRaw ?? true);
  const maxPoints = options.maxPoints ?? 1000;
  const keep = (p: Point) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!options.logY || p.y > 0);

  const raw: Row[] = [];
  const smooth: Row[] = [];
  let longest = 0;
  for (const s of options.series) {
    const pts = s.points.filter(keep);
    longest = Math.max(longest, pts.length);
    if (showRaw) for (const p of thin(pts, maxPoints)) raw.push({ series: s.name, x: p.x, y: p.y });
    const ys = smoothing > 0 ? emaSmooth(pts.map((p) => p.y), smoothing) : pts.map((p) => p.y);
    const smoothed = pts.map((p, i) => ({ series: s.name, x: p.x, y: ys[i] }));
    smooth.push(...thin(smoothed, maxPoints));
  }

  const names = options.series.map((s) => s.name);
  const range = names.map((_, i) => SERIES_COLORS[i % SERIES_COLORS.length]);
  // A short integer x range (epochs) should be ticked at the integers, not at 1.4, 1.8 ...
  // (vega-lite 5 does not pass tickMinStep on to vega, so the values are listed).
  let [xMin, xMax, allIntegers] = [Infinity, -Infinity, true];
  for (const s of options.series) {
    for (const { x } of s.points) {
      if (!Number.isFinite(x)) continue;
      [xMin, xMax] = [Math.min(xMin, x), Math.max(xMax, x)];
      allIntegers &&= Number.isInteger(x);
    }
  }
  const integerTicks = xMin <= xMax && allIntegers && xMax - xMin <= 30;
  const encoding = {
    x: {
      field: "x",
      type: "quantitative" as const,
      title: options.xTitle,
      scale: { nice: false },
      ...(integerTicks ? { axis: { values: Array.from({ length: xMax - xMin + 1 }, (_, i) => xMin + i) } } : {}),
    },
    y: {
      field: "y",
      type: "quantitative" as const,
      title: options.yTitle,
      scale: {
        ...(options.logY ? { type: "log" as const } : { zero: false }),
        ...(options.yDomain ? { domain: options.yDomain } : {}),
      },
      ...(options.yFormat ? { axis: { format: options.yFormat } } : {}),
    },
    color: {
      field: "series",
      type: "nominal" as const,
      title: options.legendTitle ?? null,
      scale: { domain: names, range },
      sort: names,
      // The legend would otherwise copy the faint raw line's look.
      legend: { symbolType: "stroke", symbolStrokeWidth: 3, symbolOpacity: 1 },
    },
  };
  const points = options.points ?? longest <= 60;
  // Clipping only matters for a fixed y range; otherwise it would halve the points at the edges.
  const clip = options.yDomain !== undefined;
  const line = { type: "line" as const, strokeWidth: 2, clip, ...(points ? { point: true } : {}) };

  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.subtitle ? { text: options.title, subtitle: options.subtitle } : options.title,
    width: options.width ?? 640,
    height: options.height ?? 360,
    background: "white",
    padding: 12,
    encoding,
    layer: [
      ...(showRaw ? [{ data: { values: raw }, mark: { type: "line" as const, strokeWidth: 1, opacity: 0.25, clip } }] : []),
      { data: { values: smooth }, mark: line },
    ],
  } as TopLevelSpec;
}

/** Compiles a vega-lite spec and renders it to an SVG string, in Node, without a canvas. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use: vega is large, and a script that only wants progress bars should not pay for it.
  const [vega, vl] = await Promise.all([
    importPeer<typeof import("vega")>("vega", "renderSvg"),
    importPeer<typeof import("vega-lite")>("vega-lite", "renderSvg"),
  ]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A line chart as SVG text: `lineChartSpec` then `renderSvg`. */
export async function lineChartSvg(options: LineChartOptions): Promise<string> {
  return renderSvg(lineChartSpec(options));
}
