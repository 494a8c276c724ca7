// Optimizer paths over a contour map: a vega spec rendered to SVG, and a self-contained HTML page that animates the paths.

import type { Spec } from "vega";
import { SERIES_COLORS } from "./charts.ts";
import { checkOptions } from "./check.ts";
import { importPeer } from "./optional-peer.ts";

/** A function sampled on a grid, with the contour levels to draw. */
export interface ContourField {
  /** Values at the centres of a cols × rows grid over the window, row by row, row 0 at the top (largest y). */
  values: ArrayLike<number>;
  cols: number;
  rows: number;
  x: [number, number];
  y: [number, number];
  /** The contour thresholds, in the units of `values` (e.g. log10 of the gap to the minimum for log-spaced levels). */
  levels: number[];
}

/** One optimizer's path: the points it visited, start first. */
export interface TrajectoryPath {
  /** The legend entry, e.g. "adam · lr 0.316". */
  label: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
}

export interface TrajectoryChartOptions {
  title: string;
  subtitle?: string | string[];
  /** The shared start point (a white circle). */
  start?: [number, number];
  /** The minimum (a star); null or absent for functions without one. */
  minimum?: [number, number] | null;
  /** Longer side of the plot area in pixels (default 520); the other keeps x and y on one scale. */
  size?: number;
  /** Path colours in order (default SERIES_COLORS): pass paths in a fixed order so each optimizer keeps its colour. */
  colors?: readonly string[];
  /** Drop a point closer than this many pixels to the last one kept (default 0.75): bounds the SVG's size, invisibly. */
  minPixelStep?: number;
}

/** Where the plot area sits inside the SVG and what it shows: the animation overlays it. */
export interface PlotFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  x: [number, number];
  y: [number, number];
}

const PADDING = { left: 56, top: 74, right: 200, bottom: 46 };

/** The plot area of a chart: x and y share one scale, so a path's angles on screen are its angles in the plane. */
export function plotFrame(field: ContourField, size = 520): PlotFrame {
  const dx = field.x[1] - field.x[0];
  const dy = field.y[1] - field.y[0];
  if (!(dx > 0 && dy > 0)) throw new RangeError(`trajectoryChart: empty window x ${field.x}, y ${field.y}`);
  const scale = size / Math.max(dx, dy);
  return { left: PADDING.left, top: PADDING.top, width: Math.round(dx * scale), height: Math.round(dy * scale), x: field.x, y: field.y };
}

/**
 * The points of a path worth drawing, in data units: consecutive points closer than `minPixelStep`
 * pixels are merged, and the path ends at the first point far outside the window (a run that
 * escapes or diverges leaves the picture; its next thousand points would only inflate the file).
 */
export function visiblePoints(path: TrajectoryPath, frame: PlotFrame, minPixelStep = 0.75): { x: number; y: number }[] {
  const sx = frame.width / (frame.x[1] - frame.x[0]);
  const sy = frame.height / (frame.y[1] - frame.y[0]);
  const far = (x: number, y: number) => {
    const mx = frame.x[1] - frame.x[0];
    const my = frame.y[1] - frame.y[0];
    return x < frame.x[0] - mx || x > frame.x[1] + mx || y < frame.y[0] - my || y > frame.y[1] + my;
  };
  const out: { x: number; y: number }[] = [];
  const n = Math.min(path.xs.length, path.ys.length);
  for (let i = 0; i < n; i++) {
    const x = path.xs[i];
    const y = path.ys[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) break;
    const last = out[out.length - 1];
    const isEnd = i === n - 1 || far(x, y);
    if (last === undefined || isEnd || Math.hypot((x - last.x) * sx, (y - last.y) * sy) >= minPixelStep) out.push({ x, y });
    if (far(x, y)) break;
  }
  return out;
}

/**
 * The chart as a vega spec: filled contour bands (vega's isocontour transform over the raster, one
 * polygon per level) under the paths, each in its own colour with its end marked, the start and
 * the minimum marked, and a legend. With `drawPaths: false` only the background is drawn (the
 * animation draws the paths itself), but the legend still lists every path.
 */
export function trajectoryChartSpec(field: ContourField, paths: TrajectoryPath[], options: TrajectoryChartOptions, drawPaths = true): Spec {
  checkOptions("trajectoryChart", options, { title: true, subtitle: true, start: true, minimum: true, size: true, colors: true, minPixelStep: true });
  const frame = plotFrame(field, options.size);
  if (field.values.length !== field.cols * field.rows) {
    throw new RangeError(`trajectoryChart: ${field.values.length} values for a ${field.cols} × ${field.rows} grid`);
  }
  const colors = (options.colors ?? SERIES_COLORS).slice(0, Math.max(1, paths.length));
  const labels = paths.map((p) => p.label);
  // `order` puts the first path on top: the slow movers (SGD first) stay visible where paths overlap.
  const points = drawPaths ? paths.flatMap((p, order) => visiblePoints(p, frame, options.minPixelStep).map((pt, i) => ({ label: p.label, order, i, ...pt }))) : [];
  const ends = drawPaths ? paths.flatMap((p) => visiblePoints(p, frame, options.minPixelStep).slice(-1).map((pt) => ({ label: p.label, ...pt }))) : [];
  const levels = [...field.levels].sort((a, b) => a - b);
  const markers = [
    ...(options.start ? [{ kind: "start", x: options.start[0], y: options.start[1] }] : []),
    ...(options.minimum ? [{ kind: "minimum", x: options.minimum[0], y: options.minimum[1] }] : []),
  ];
  const markerKinds = ["start", ...(drawPaths ? ["end"] : []), ...(options.minimum ? ["minimum"] : [])];

  return {
    $schema: "https://vega.github.io/schema/vega/v5.json",
    width: frame.width,
    height: frame.height,
    padding: { left: PADDING.left, top: PADDING.top, right: PADDING.right, bottom: PADDING.bottom },
    // Fixed padding instead of autosize: the plot area must sit at a known place for the animation overlay.
    autosize: { type: "none" },
    background: "white",
    title: {
      text: options.title,
      subtitle: options.subtitle,
      anchor: "start",
      offset: 12,
      fontSize: 15,
      subtitleFontSize: 11,
      subtitleColor: "#555",
    },
    data: [
      {
        name: "field",
        // The grid datum carries its own pixel scale: isocontour places sample (i, j) at (i + ½, j + ½) grid units.
        values: [{ width: field.cols, height: field.rows, values: Array.from(field.values), scale: [frame.width / field.cols, frame.height / field.rows] }],
        transform: [{ type: "isocontour", thresholds: levels, smooth: true }],
      },
      { name: "points", values: points },
      { name: "ends", values: ends },
      { name: "markers", values: markers },
    ],
    scales: [
      { name: "x", type: "linear", domain: frame.x, range: [0, frame.width], zero: false, nice: false },
      { name: "y", type: "linear", domain: frame.y, range: [frame.height, 0], zero: false, nice: false },
      { name: "level", type: "linear", domain: [levels[0] ?? 0, levels[levels.length - 1] ?? 1], range: ["#fcfcf4", "#b9c8dc"], zero: false },
      { name: "color", type: "ordinal", domain: labels, range: colors },
      { name: "marker", type: "ordinal", domain: markerKinds, range: markerKinds.map((k) => (k === "start" ? "circle" : k === "end" ? "diamond" : "M0,-1L0.24,-0.33L0.95,-0.31L0.38,0.12L0.59,0.81L0,0.4L-0.59,0.81L-0.38,0.12L-0.95,-0.31L-0.24,-0.33Z")) },
    ],
    axes: [
      { orient: "bottom", scale: "x", title: "x", grid: false, tickCount: 6 },
      { orient: "left", scale: "y", title: "y", grid: false, tickCount: 6 },
    ],
    legends: [
      {
        fill: "color",
        title: "optimizer · lr",
        orient: "right",
        offset: 14,
        symbolType: "stroke",
        symbolStrokeWidth: 3,
        labelFontSize: 11,
        // Node has no canvas to measure text, and vega then overestimates widths (0.8 em per character).
        labelLimit: 300,
        encode: { symbols: { update: { stroke: { scale: "color", field: "value" }, strokeWidth: { value: 3 } } } },
      },
      {
        shape: "marker",
        title: "markers",
        orient: "right",
        offset: 14,
        labelFontSize: 11,
        encode: { symbols: { update: { fill: { value: "white" }, stroke: { value: "#222" }, strokeWidth: { value: 1.2 } } } },
      },
    ],
    marks: [
      {
        type: "path",
        from: { data: "field" },
        encode: {
          enter: {
            fill: { scale: "level", field: "contour.value" },
            stroke: { value: "#7d8ea6" },
            strokeWidth: { value: 0.5 },
            strokeOpacity: { value: 0.7 },
          },
        },
        transform: [{ type: "geopath", field: "datum.contour" }],
      },
      {
        type: "group",
        clip: true,
        encode: { enter: { width: { signal: "width" }, height: { signal: "height" } } },
        marks: [
          {
            type: "group",
            from: { facet: { name: "path", data: "points", groupby: "label", aggregate: { fields: ["order"], ops: ["min"], as: ["order"] } } },
            sort: { field: "datum.order", order: "descending" },
            marks: [
              {
                type: "line",
                from: { data: "path" },
                sort: { field: "datum.i" },
                encode: {
                  enter: {
                    x: { scale: "x", field: "x" },
                    y: { scale: "y", field: "y" },
                    stroke: { scale: "color", field: "label" },
                    strokeWidth: { value: 1.8 },
                    strokeOpacity: { value: 0.9 },
                    strokeJoin: { value: "round" },
                  },
                },
              },
            ],
          },
          {
            type: "symbol",
            from: { data: "ends" },
            encode: {
              enter: {
                x: { scale: "x", field: "x" },
                y: { scale: "y", field: "y" },
                shape: { value: "diamond" },
                size: { value: 70 },
                fill: { scale: "color", field: "label" },
                stroke: { value: "white" },
                strokeWidth: { value: 1 },
              },
            },
          },
          {
            type: "symbol",
            from: { data: "markers" },
            encode: {
              enter: {
                x: { scale: "x", field: "x" },
                y: { scale: "y", field: "y" },
                shape: { scale: "marker", field: "kind" },
                size: { signal: "datum.kind === 'minimum' ? 160 : 80" },
                fill: { signal: "datum.kind === 'minimum' ? '#ffd23f' : 'white'" },
                stroke: { value: "#222" },
                strokeWidth: { value: 1.3 },
              },
            },
          },
        ],
      },
    ],
  } as Spec;
}

/** Renders a vega spec to SVG text in Node (no canvas needed). */
export async function renderVegaSvg(spec: Spec): Promise<string> {
  // Loaded on first use: vega is large, and a script that only wants tables should not pay for it.
  const vega = await importPeer<typeof import("vega")>("vega", "renderVegaSvg");
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The chart as SVG text: `trajectoryChartSpec` then `renderVegaSvg`. */
export async function trajectoryChartSvg(field: ContourField, paths: TrajectoryPath[], options: TrajectoryChartOptions): Promise<string> {
  return renderVegaSvg(trajectoryChartSpec(field, paths, options));
}

export interface AnimationPanel {
  field: ContourField;
  paths: TrajectoryPath[];
  options: TrajectoryChartOptions;
  /** Lines shown under the chart (e.g. the table of results). */
  notes?: string;
}

/**
 * A self-contained HTML page (no network, no external script) with one animated chart per panel:
 * vega draws the background (contours, axes, legend, start and minimum), and a small script
 * draws each path up to the current step, with play/pause, single steps and a slider.
 */
export async function trajectoryAnimationHtml(panels: AnimationPanel[], title = "Optimizer paths"): Promise<string> {
  const sections: string[] = [];
  const payload: unknown[] = [];
  for (const [k, panel] of panels.entries()) {
    const frame = plotFrame(panel.field, panel.options.size);
    const svg = await renderVegaSvg(trajectoryChartSpec(panel.field, panel.paths, panel.options, false));
    const colors = panel.options.colors ?? SERIES_COLORS;
    payload.push({
      frame,
      paths: panel.paths.map((p, i) => ({ label: p.label, color: colors[i % colors.length], px: pixelPath(p, frame) })),
    });
    // The overlay is an empty group in the plot area's coordinates: the page's script fills it.
    const overlay = `<g transform="translate(${frame.left},${frame.top})"><clipPath id="clip-${k}"><rect width="${frame.width}" height="${frame.height}"/></clipPath><g class="anim" clip-path="url(#clip-${k})"></g></g></svg>`;
    const steps = Math.max(0, ...panel.paths.map((p) => p.xs.length - 1));
    sections.push(`<section data-panel="${k}">
<div class="chart">${svg.replace(/<\/svg>\s*$/, overlay)}</div>
<div class="controls">
  <button data-act="reset" title="back to the start">⏮</button>
  <button data-act="back" title="one step back">◀</button>
  <button data-act="play" title="play / pause">▶ play</button>
  <button data-act="step" title="one step forward">▶|</button>
  <input type="range" min="0" max="${steps}" value="0" data-act="seek">
  <span class="step">step 0 / ${steps}</span>
  <label>speed <select data-act="speed"><option value="1">1</option><option value="2">2</option><option value="5" selected>5</option><option value="10">10</option><option value="25">25</option></select> steps/frame</label>
</div>
${panel.notes ? `<pre>${escapeHtml(panel.notes)}</pre>` : ""}
</section>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; }
section { margin-bottom: 40px; }
.controls { display: flex; gap: 8px; align-items: center; margin: 6px 0 0 56px; font-size: 13px; }
.controls input[type=range] { width: 260px; }
.step { font-variant-numeric: tabular-nums; min-width: 120px; }
pre { font-size: 12px; background: #f6f6f6; padding: 8px; overflow-x: auto; }
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
${sections.join("\n")}
<script>
const PANELS = ${JSON.stringify(payload)};
${ANIMATION_SCRIPT}
</script>
</body></html>
`;
}

/**
 * Pixel coordinates in the plot area (one decimal), one pair per step. A path that runs far
 * outside (more than one plot size beyond an edge) ends where it crosses that margin, in the
 * direction it was going, so the animation's line leaves the frame the way the run did.
 */
function pixelPath(path: TrajectoryPath, frame: PlotFrame): number[] {
  const out: number[] = [];
  const n = Math.min(path.xs.length, path.ys.length);
  const W = frame.width;
  const H = frame.height;
  const inside = (u: number, v: number) => u >= -W && u <= 2 * W && v >= -H && v <= 2 * H;
  const round = (v: number) => Math.round(v * 10) / 10;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(path.xs[i]) || !Number.isFinite(path.ys[i])) break;
    const u = ((path.xs[i] - frame.x[0]) / (frame.x[1] - frame.x[0])) * W;
    const v = (1 - (path.ys[i] - frame.y[0]) / (frame.y[1] - frame.y[0])) * H;
    if (inside(u, v)) {
      out.push(round(u), round(v));
      continue;
    }
    if (out.length >= 2) {
      // Walk from the last point toward this one and stop at the margin (bisection: the box is convex).
      const u0 = out[out.length - 2];
      const v0 = out[out.length - 1];
      let lo = 0;
      let hi = 1;
      for (let k = 0; k < 40; k++) {
        const mid = (lo + hi) / 2;
        if (inside(u0 + mid * (u - u0), v0 + mid * (v - v0))) lo = mid;
        else hi = mid;
      }
      out.push(round(u0 + lo * (u - u0)), round(v0 + lo * (v - v0)));
    }
    break;
  }
  return out;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The page's script (plain browser JavaScript): one player per panel. */
const ANIMATION_SCRIPT = String.raw`
const NS = "http://www.w3.org/2000/svg";
document.querySelectorAll("section[data-panel]").forEach((section) => {
  const data = PANELS[Number(section.dataset.panel)];
  const layer = section.querySelector("g.anim");
  const lines = data.paths.map((p) => {
    const line = document.createElementNS(NS, "polyline");
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", p.color);
    line.setAttribute("stroke-width", "1.8");
    line.setAttribute("stroke-linejoin", "round");
    const dot = document.createElementNS(NS, "circle");
    dot.setAttribute("r", "4");
    dot.setAttribute("fill", p.color);
    dot.setAttribute("stroke", "white");
    layer.appendChild(line);
    layer.appendChild(dot);
    return { p, line, dot };
  });
  const last = Math.max(0, ...data.paths.map((p) => p.px.length / 2 - 1));
  const slider = section.querySelector("[data-act=seek]");
  const label = section.querySelector(".step");
  const playButton = section.querySelector("[data-act=play]");
  let step = 0;
  let timer = null;
  const draw = () => {
    for (const { p, line, dot } of lines) {
      const k = Math.min(step, p.px.length / 2 - 1);
      line.setAttribute("points", p.px.slice(0, 2 * k + 2).join(" "));
      dot.setAttribute("cx", p.px[2 * k]);
      dot.setAttribute("cy", p.px[2 * k + 1]);
    }
    slider.value = String(step);
    label.textContent = "step " + step + " / " + last;
  };
  const go = (s) => { step = Math.max(0, Math.min(last, s)); draw(); };
  const pause = () => { if (timer !== null) cancelAnimationFrame(timer); timer = null; playButton.textContent = "▶ play"; };
  const tick = () => {
    go(step + Number(section.querySelector("[data-act=speed]").value));
    if (step >= last) pause(); else timer = requestAnimationFrame(tick);
  };
  section.querySelector("[data-act=reset]").onclick = () => { pause(); go(0); };
  section.querySelector("[data-act=back]").onclick = () => { pause(); go(step - 1); };
  section.querySelector("[data-act=step]").onclick = () => { pause(); go(step + 1); };
  playButton.onclick = () => {
    if (timer !== null) return pause();
    if (step >= last) go(0);
    playButton.textContent = "⏸ pause";
    timer = requestAnimationFrame(tick);
  };
  slider.oninput = () => { pause(); go(Number(slider.value)); };
  draw();
});
`;
