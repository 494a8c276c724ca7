// The contour field of a test function: f on a grid, through the same tensor code the optimizers differentiate.

import { noGrad, tensor } from "../../src/index.ts";
import type { ContourField } from "../../src/report/trajectory-chart.ts";
import type { TestFunction } from "./functions.ts";

/** Offsets |f| by this much before the symmetric log, so the saddle's levels are log-spaced away from f = 0. */
const SYMLOG_SCALE = 0.01;

/** How contour values are derived from f: log10(f − fMin), or the symmetric log for the saddle. */
export function levelValue(fn: TestFunction, f: number): number {
  if (fn.levels === "symlog") return Math.sign(f - fn.fMin) * Math.log10(1 + Math.abs(f - fn.fMin) / SYMLOG_SCALE);
  return Math.log10(Math.max(f - fn.fMin, 1e-12));
}

/**
 * f at the centres of a cols × rows grid over the function's window (one batched tensor call: x
 * and y hold every grid point), turned into level units, with `count` evenly spaced levels
 * between the grid's extremes. In log units, evenly spaced levels are log-spaced in f − f*, so the
 * floor of a valley gets as many contours as its walls.
 */
export function contourField(fn: TestFunction, cols = 110, rows = 110, count = 16): ContourField {
  const n = cols * rows;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const [x0, x1] = fn.domain.x;
  const [y0, y1] = fn.domain.y;
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      xs[j * cols + i] = x0 + ((i + 0.5) / cols) * (x1 - x0);
      ys[j * cols + i] = y1 - ((j + 0.5) / rows) * (y1 - y0);
    }
  }
  const f = noGrad(() => fn.f(tensor(xs, { dtype: "float64" }), tensor(ys, { dtype: "float64" }))).values();
  const values = new Float64Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < n; k++) {
    values[k] = levelValue(fn, f[k]);
    lo = Math.min(lo, values[k]);
    hi = Math.max(hi, values[k]);
  }
  // Log levels below 1e-6 of the top only crowd the minimum with rings no path can be told apart by.
  if (fn.levels === "log") lo = Math.max(lo, hi - 6);
  const levels: number[] = [];
  for (let k = 1; k <= count; k++) levels.push(lo + ((hi - lo) * k) / (count + 1));
  return { values, cols, rows, x: fn.domain.x, y: fn.domain.y, levels };
}
