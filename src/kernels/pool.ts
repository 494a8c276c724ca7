// 2-D max and average pooling over row-major [planes, h, w] typed arrays, forward and backward.

import type { FloatArray } from "./float-array.ts";
import { activeWasm } from "./backend.ts";
import { align64 } from "./wasm/runtime.ts";
import { MaxPoolArgs } from "./window-abi.ts";

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
  if (!maxPoolTwin(x, out, argmax, g)) walkWindows(x, out, argmax, g, MAX);
}

/** Input floats per pass of the SIMD twin through the wasm memory (whole planes; at least one). */
const TWIN_BLOCK = 1 << 20;

/**
 * maxPoolForward by its wasm twin (assembly/pool.ts), a block of planes at a time copied through the
 * wasm memory: the reference loop's generic windows and NaN test cost more than the copies. False,
 * doing nothing, on the js backend or float64.
 */
function maxPoolTwin(x: FloatArray, out: FloatArray, argmax: Int32Array, g: PoolGeometry): boolean {
  const rt = activeWasm();
  if (!rt || !(x instanceof Float32Array) || !(out instanceof Float32Array)) return false;
  const inPlane = g.h * g.w, outPlane = g.oh * g.ow;
  const planes = Math.min(g.planes, Math.max(1, Math.floor(TWIN_BLOCK / inPlane)));
  const head = align64(4 * MaxPoolArgs.count), inBytes = align64(4 * planes * inPlane), outBytes = align64(4 * planes * outPlane);
  const at = rt.scratch(head + inBytes + 2 * outBytes, false);
  const image = at + head, pooled = image + inBytes, where = pooled + outBytes;
  for (let p0 = 0; p0 < g.planes; p0 += planes) {
    const count = Math.min(planes, g.planes - p0);
    const args = new Int32Array(rt.f32.buffer, at, MaxPoolArgs.count);
    args[MaxPoolArgs.image] = image; args[MaxPoolArgs.out] = pooled; args[MaxPoolArgs.argmax] = where;
    args[MaxPoolArgs.planes] = count; args[MaxPoolArgs.h] = g.h; args[MaxPoolArgs.w] = g.w;
    args[MaxPoolArgs.kh] = g.kh; args[MaxPoolArgs.kw] = g.kw; args[MaxPoolArgs.sh] = g.sh; args[MaxPoolArgs.sw] = g.sw;
    args[MaxPoolArgs.ph] = g.ph; args[MaxPoolArgs.pw] = g.pw; args[MaxPoolArgs.oh] = g.oh; args[MaxPoolArgs.ow] = g.ow;
    rt.f32.set(x.subarray(p0 * inPlane, (p0 + count) * inPlane), image >> 2);
    rt.kernels.maxPool(at);
    out.set(rt.f32.subarray(pooled >> 2, (pooled >> 2) + count * outPlane), p0 * outPlane);
    argmax.set(new Int32Array(rt.f32.buffer, where, count * outPlane), p0 * outPlane);
  }
  return true;
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
