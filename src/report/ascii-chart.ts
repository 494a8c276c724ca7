// Terminal line charts of one or more series (asciichart), with downsampling, log scale and a legend.

import { checkArray, checkOptions, checkString, given } from "./check.ts";
import { colorEnabled, formatNumber } from "./format.ts";
import { requirePeer } from "./optional-peer.ts";

export interface AsciiSeries {
  name: string;
  /** One value per step; NaN, ±Infinity (and, on a log scale, values <= 0) are not drawn. */
  values: ArrayLike<number>;
}

export interface AsciiChartOptions {
  /** Rows of the plot area, not counting title, x-axis and legend lines (default 15). */
  height?: number;
  /** Total width in columns including the y labels (default: the terminal's width up to 100, else 80). */
  width?: number;
  /** Plot log10 of the values; labels still show the values themselves. */
  logScale?: boolean;
  title?: string;
  /** Name of the x quantity shown under the plot, e.g. "iteration". */
  xTitle?: string;
  /** The x values of the first and last point (default: 0 and the longest series' length − 1). */
  xRange?: [number, number];
  /** ANSI colours per series; default when stdout is a TTY and NO_COLOR is unset. */
  color?: boolean;
}

const COLOR_NAMES = [
  "blue",
  "green",
  "red",
  "yellow",
  "magenta",
  "cyan",
  "lightblue",
  "lightgreen",
  "lightred",
  "lightmagenta",
] as const;

/**
 * Draws the series on shared axes, one line of text per row:
 * [title] · `height + 1` plot rows · an x-axis line · a legend line.
 *
 * A series longer than the plot is averaged over equal buckets of steps (the same buckets for every
 * series, so their x positions agree). A series that turns non-finite ends where it did, and its
 * legend entry says from which index; isolated non-finite gaps hold the previous value, since
 * asciichart draws only connected lines.
 */
export function asciiLineChart(series: AsciiSeries[], options: AsciiChartOptions = {}): string {
  checkArray<AsciiSeries>("asciiLineChart", "series", series, '[{ name: "adam", values: [2.3, 1.1] }]').forEach((s, i) => {
    checkString("asciiLineChart", `series[${i}].name`, s?.name);
    if (!Array.isArray(s.values) && !ArrayBuffer.isView(s.values)) throw new TypeError(`asciiLineChart: series[${i}].values must be an array of numbers, got ${given(s.values)}`);
  });
  checkOptions("asciiLineChart", options, { height: true, width: true, logScale: true, title: true, xTitle: true, xRange: true, color: true }, "an object such as { logScale: true }");
  const asciichart = requirePeer<typeof import("asciichart")>("asciichart", "asciiLineChart");
  const height = Math.max(1, Math.round(options.height ?? 15));
  const columns = process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : 80;
  const width = Math.max(30, options.width ?? Math.min(columns, 100));
  const log = options.logScale ?? false;
  const color = options.color ?? colorEnabled(process.stdout);
  const lines: string[] = [];
  if (options.title) lines.push(options.title);

  const maxLen = Math.max(0, ...series.map((s) => s.values.length));
  const transform = (v: number) => (log ? (v > 0 ? Math.log10(v) : NaN) : v);

  // Label width is not known before the range is; 9 columns fits "1.234e-5" and "-0.1235" and leaves
  // the rest to the plot.
  const labelWidth = 9;
  const plotWidth = Math.max(2, width - labelWidth - 2);
  const buckets = Math.min(maxLen, plotWidth);

  const prepared = series.map((s, k) => {
    let firstBad = -1;
    for (let i = 0; i < s.values.length; i++) {
      if (!Number.isFinite(transform(s.values[i]))) {
        firstBad = i;
        break;
      }
    }
    const n = s.values.length;
    const out: number[] = [];
    for (let b = 0; b < buckets; b++) {
      const lo = Math.floor((b * maxLen) / buckets);
      const hi = Math.floor(((b + 1) * maxLen) / buckets);
      if (lo >= n) break;
      let sum = 0;
      let count = 0;
      for (let i = lo; i < Math.min(hi, n); i++) {
        const v = transform(s.values[i]);
        if (Number.isFinite(v)) {
          sum += v;
          count++;
        }
      }
      out.push(count > 0 ? sum / count : NaN);
    }
    while (out.length > 0 && !Number.isFinite(out[out.length - 1])) out.pop();
    const firstGood = out.findIndex(Number.isFinite);
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i])) out[i] = i === 0 ? out[firstGood] : out[i - 1];
    }
    return { name: s.name, values: out, firstBad, color: asciichart[COLOR_NAMES[k % COLOR_NAMES.length]] };
  });
  const drawn = prepared.filter((p) => p.values.length > 0);

  let lo = Infinity;
  let hi = -Infinity;
  for (const p of drawn) for (const v of p.values) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  if (drawn.length === 0) {
    lines.push("(no finite values to plot)");
  } else {
    if (hi === lo) (lo -= 0.5), (hi += 0.5);
    // Rescale to [-height, 0] so asciichart draws exactly height + 1 rows whatever the data's range
    // (its own rounding of min·ratio can add or drop a row), and its "┼" for y = 0 lands on the
    // bottom row, where an axis origin belongs. The labels map back.
    const scale = (v: number) => ((v - lo) / (hi - lo)) * height - height;
    const label = (y: number) => {
      const v = lo + ((y + height) / height) * (hi - lo);
      return formatNumber(log ? 10 ** v : v, 3).padStart(labelWidth);
    };
    const plot = asciichart.plot(
      drawn.map((p) => p.values.map(scale)),
      {
        height,
        min: -height,
        max: 0,
        offset: 2,
        format: (y) => label(y),
        colors: color ? drawn.map((p) => p.color) : undefined,
      },
    );
    lines.push(...plot.split("\n").map((l) => l.trimEnd()));
    const [x0, x1] = options.xRange ?? [0, Math.max(0, maxLen - 1)];
    // The plot's points occupy columns 0 .. buckets − 2 after the axis: the x range's ends go
    // under the first and last, the x title in the middle if it fits.
    const span = Math.max(buckets - 1, 1);
    const axis = Array.from({ length: span }, () => " ");
    const put = (text: string, at: number) => [...text].forEach((c, i) => at + i < span && (axis[at + i] = c));
    const left = formatNumber(x0);
    const right = formatNumber(x1);
    const title = options.xTitle ?? "";
    if (title && left.length + right.length + title.length + 4 <= span) put(title, Math.floor((span - title.length) / 2));
    put(left, 0);
    if (left.length + right.length + 1 <= span) put(right, span - right.length);
    lines.push(`${" ".repeat(labelWidth + 1)}${axis.join("")}`.trimEnd());
  }

  const legend = prepared.map((p) => {
    const mark = color ? asciichart.colored("──", p.color) : "──";
    const note =
      p.values.length === 0 ? " (no finite values)" : p.firstBad >= 0 ? ` (non-finite from #${p.firstBad})` : "";
    return `${mark} ${p.name}${note}`;
  });
  lines.push(`${" ".repeat(labelWidth + 1)}${legend.join("   ")}`);
  return lines.join("\n");
}
