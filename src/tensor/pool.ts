// maxPool2d and avgPool2d with PyTorch's defaults (stride = kernel size, floor mode, padding counted in the average).

import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward, type PoolGeometry } from "../kernels/pool.ts";
import { convOutputSize } from "../kernels/conv.ts";
import { checkOptions, type OptionKeys } from "./describe.ts";
import { allocate } from "./dtype.ts";
import { fromArray, fromOp, type Tensor } from "./tensor.ts";
import { checkFits, checkImages, pair, type Size2 } from "./window.ts";

export interface Pool2dOptions {
  /** Step between windows (default: the kernel size, so windows tile the input). */
  stride?: Size2 | null;
  /** Padding on each side, at most half the kernel (default 0): −∞ for max, zeros for the average. */
  padding?: Size2;
}

/** The keys of Pool2dOptions. */
export const POOL2D_OPTIONS: OptionKeys<Pool2dOptions> = { stride: true, padding: true };

/** The max of each window; the gradient goes to the element that was the max (summed where windows overlap). */
export function maxPool2d(x: Tensor, kernelSize: Size2, options: Pool2dOptions = {}): Tensor {
  const geo = poolGeometry("maxPool2d", x, kernelSize, options);
  const out = allocate(x.dtype, geo.planes * geo.oh * geo.ow);
  const argmax = new Int32Array(out.length);
  maxPoolForward(x.values(), out, argmax, geo);
  return fromOp("maxPool2d", out, outShape(x, geo), [x], (g) => {
    const dx = allocate(x.dtype, x.size);
    maxPoolBackward(g.values(), argmax, dx, geo);
    return [fromArray(dx, x.shape)];
  });
}

/** The mean of each window, always over kh·kw elements (padding zeros included, PyTorch's count_include_pad). */
export function avgPool2d(x: Tensor, kernelSize: Size2, options: Pool2dOptions = {}): Tensor {
  const geo = poolGeometry("avgPool2d", x, kernelSize, options);
  const out = allocate(x.dtype, geo.planes * geo.oh * geo.ow);
  avgPoolForward(x.values(), out, geo);
  return fromOp("avgPool2d", out, outShape(x, geo), [x], (g) => {
    const dx = allocate(x.dtype, x.size);
    avgPoolBackward(g.values(), dx, geo);
    return [fromArray(dx, x.shape)];
  });
}

function outShape(x: Tensor, geo: PoolGeometry): number[] {
  return [x.shape[0], x.shape[1], geo.oh, geo.ow];
}

function poolGeometry(op: string, x: Tensor, kernelSize: Size2, options: Pool2dOptions): PoolGeometry {
  checkImages(op, x);
  const { stride, padding = 0 } = checkOptions(op, options, POOL2D_OPTIONS);
  const [kh, kw] = pair(op, "kernelSize", kernelSize, 1);
  const [sh, sw] = stride === undefined || stride === null ? [kh, kw] : pair(op, "stride", stride, 1);
  const [ph, pw] = pair(op, "padding", padding, 0);
  if (2 * ph > kh || 2 * pw > kw) {
    throw new RangeError(`${op}: padding [${ph}, ${pw}] must be at most half the kernel size [${kh}, ${kw}] (as PyTorch), so that every window holds an input element`);
  }
  checkFits(op, x, [kh, kw], [ph, pw], `kernel ${kh}×${kw}`);
  const [n, c, h, w] = x.shape;
  return { planes: n * c, h, w, kh, kw, sh, sw, ph, pw, oh: convOutputSize(h, kh, sh, ph, 1), ow: convOutputSize(w, kw, sw, pw, 1) };
}
