// 2-D max and average pooling over row-major [planes, h, w] typed arrays, forward and backward.

import type { FloatArray } from "./float-array.ts";

/** One pooling call: `planes` = n·c input planes of h × w, windows kh × kw, output planes oh × ow. */
export interface PoolGeometry {
  planes: number;
  h: number; w: number;
  kh: number; kw: number;
  sh: number; sw: number;
  ph: number; pw: number;
  oh: number; ow: number;
}

/**
 * out = the max of each window; argmax = where it was, as the flat index iy·w + ix into its plane
 * (PyTorch's return_indices). Padding is −∞ (never chosen); a NaN wins, as in PyTorch.
 */
export function maxPoolForward(x: FloatArray, out: FloatArray, argmax: Int32Array, g: PoolGeometry): void {
  walkWindows(x, out, argmax, g, MAX);
}

/** dx[argmax] += g: each output's gradient goes to the element it took (summed where windows overlap). */
export function maxPoolBackward(grad: FloatArray, argmax: Int32Array, dx: FloatArray, g: PoolGeometry): void {
  const inPlane = g.h * g.w, outPlane = g.oh * g.ow;
  for (let p = 0; p < g.planes; p++) {
    const base = p * inPlane;
    for (let o = p * outPlane, end = o + outPlane; o < end; o++) dx[base + argmax[o]] += grad[o];
  }
}

/** out = the sum of each window / (kh·kw): padding counts as zeros in the average (count_include_pad). */
export function avgPoolForward(x: FloatArray, out: FloatArray, g: PoolGeometry): void {
  walkWindows(x, out, null, g, AVERAGE);
}

/** dx += g / (kh·kw) over each window's elements inside the input. */
export function avgPoolBackward(grad: FloatArray, dx: FloatArray, g: PoolGeometry): void {
  walkWindows(dx, grad, null, g, AVERAGE_ADJOINT);
}

const MAX = 0, AVERAGE = 1, AVERAGE_ADJOINT = 2;

/**
 * The one walk over the windows: the max (and where it was) or the mean of each window into
 * `pooled`, or (AVERAGE_ADJOINT) each pooled value's share added back onto its window in `image`.
 */
function walkWindows(image: FloatArray, pooled: FloatArray, argmax: Int32Array | null, g: PoolGeometry, mode: number): void {
  const { planes, h, w, oh, ow } = g;
  const [ys, xs] = windowBounds(g);
  const scale = 1 / (g.kh * g.kw);
  for (let p = 0, o = 0; p < planes; p++) {
    const plane = p * h * w;
    for (let y = 0; y < oh; y++) {
      const y0 = ys[2 * y], y1 = ys[2 * y + 1];
      for (let ox = 0; ox < ow; ox++, o++) {
        const x0 = xs[2 * ox], x1 = xs[2 * ox + 1];
        if (mode === MAX) {
          let best = -Infinity;
          let at = y0 * w + x0;
          window: for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const v = image[plane + iy * w + ix];
              if (v > best || Number.isNaN(v)) {
                best = v;
                at = iy * w + ix;
                if (Number.isNaN(v)) break window;
              }
            }
          }
          pooled[o] = best;
          argmax![o] = at;
        } else if (mode === AVERAGE) {
          let s = 0;
          for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += image[plane + iy * w + ix];
          pooled[o] = s * scale;
        } else {
          const share = pooled[o] * scale;
          for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) image[plane + iy * w + ix] += share;
        }
      }
    }
  }
}

/** [start, end) of every window's rows and of every window's columns, clipped to the input (the padding holds nothing to read or write). */
function windowBounds(g: PoolGeometry): [rows: Int32Array, cols: Int32Array] {
  const along = (size: number, out: number, k: number, s: number, p: number) => {
    const bounds = new Int32Array(2 * out);
    for (let i = 0; i < out; i++) {
      bounds[2 * i] = Math.max(i * s - p, 0);
      bounds[2 * i + 1] = Math.min(i * s - p + k, size);
    }
    return bounds;
  };
  return [along(g.h, g.oh, g.kh, g.sh, g.ph), along(g.w, g.ow, g.kw, g.sw, g.pw)];
}
