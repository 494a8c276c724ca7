// conv2d: 2-D cross-correlation as PyTorch's, computed as GEMM on im2col columns, with its backward.

import { channelMajor, columnsAgain, convBackwardBias, convBackwardInput, convBackwardWeight, convForward, convOutputSize, packColumns, type ConvGeometry } from "../kernels/conv.ts";
import { checkOptions, type OptionKeys } from "./describe.ts";
import { allocate } from "./dtype.ts";
import { checkTensor } from "./operand.ts";
import { fmt } from "./shape.ts";
import { fromArray, fromOp, gradStorage, type Tensor } from "./tensor.ts";
import { checkFits, checkImages, pair, type Size2 } from "./window.ts";

export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Size2;
  /** Zeros added on each side (default 0). */
  padding?: Size2;
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2;
  /** Input and output channels split into this many blocks, each convolved separately (default 1; C for depthwise). */
  groups?: number;
}

/** The keys of Conv2dOptions (nn.Conv2d takes these and its own). */
export const CONV2D_OPTIONS: OptionKeys<Conv2dOptions> = { stride: true, padding: true, dilation: true, groups: true };

/**
 * out[n, o] = bias[o] + Σ_c weight[o, c] ⋆ x[n, c] (cross-correlation: the kernel is not flipped),
 * for x [N, C, H, W], weight [O, C/groups, kh, kw], bias [O] or null.
 *
 * Forward: cols = im2col(x), out = W·cols per group. Backward, with gᵀ the output gradient as [O, N·oh·ow]:
 * dW = gᵀ·colsᵀ, dx = col2im(Wᵀ·gᵀ), dbias = Σ gᵀ over the positions. dW uses the forward's columns
 * when their workspace still holds them (see packColumns), else packs them again: two workspaces
 * in turn rather than a large array per layer held for the whole step.
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const geo = conv2dGeometry(x, weight, bias, options);
  const xv = x.values();
  const wv = weight.values();
  const out = allocate(x.dtype, geo.n * geo.o * geo.oh * geo.ow);
  const packed = packColumns(xv, geo);
  convForward(packed.cols, wv, bias === null ? null : bias.values(), out, geo);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return fromOp("conv2d", out, [geo.n, geo.o, geo.oh, geo.ow], inputs, (g) => {
    const gT = channelMajor(g.values(), geo);
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (x.requiresGrad) {
      const a = allocate(x.dtype, x.size);
      convBackwardInput(gT, wv, a, geo);
      dx = fromArray(a, x.shape);
    }
    if (weight.requiresGrad) {
      const a = gradStorage(weight, weight.size);
      convBackwardWeight(gT, columnsAgain(xv, geo, packed), a, geo);
      dw = fromArray(a, weight.shape);
    }
    if (bias !== null && bias.requiresGrad) {
      const a = gradStorage(bias, geo.o);
      convBackwardBias(gT, a, geo);
      db = fromArray(a, bias.shape);
    }
    return bias === null ? [dx, dw] : [dx, dw, db];
  });
}

/** Checks conv2d's arguments (each error names the shapes and what would be valid) and returns its sizes. */
function conv2dGeometry(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions): ConvGeometry {
  checkImages("conv2d", x);
  checkTensor("conv2d", weight, "weight");
  if (weight.ndim !== 4) throw new RangeError(`conv2d: weight must be 4-D [outChannels, inChannels / groups, kh, kw], got ${fmt(weight.shape)}`);
  const { stride = 1, padding = 0, dilation = 1, groups = 1 } = checkOptions("conv2d", options, CONV2D_OPTIONS);
  const [sh, sw] = pair("conv2d", "stride", stride, 1);
  const [ph, pw] = pair("conv2d", "padding", padding, 0);
  const [dh, dw] = pair("conv2d", "dilation", dilation, 1);
  const [n, c, h, w] = x.shape;
  const [o, cg, kh, kw] = weight.shape;
  if (typeof groups !== "number" || !Number.isInteger(groups) || groups < 1) throw new RangeError(`conv2d: groups must be a positive integer, got ${String(groups)}`);
  if (c % groups !== 0 || o % groups !== 0) {
    throw new RangeError(`conv2d: groups ${groups} must divide both the input channels (${c}, input ${fmt(x.shape)}) and the output channels (${o}, weight ${fmt(weight.shape)})`);
  }
  if (cg * groups !== c) {
    throw new RangeError(`conv2d: input ${fmt(x.shape)} has ${c} channels, but weight ${fmt(weight.shape)} with groups ${groups} expects ${cg * groups} (weight.shape[1] · groups)`);
  }
  if (bias !== null) {
    checkTensor("conv2d", bias, "bias");
    if (bias.ndim !== 1 || bias.shape[0] !== o) throw new RangeError(`conv2d: bias must have shape [${o}] (one per output channel of weight ${fmt(weight.shape)}), got ${fmt(bias.shape)}`);
  }
  for (const [what, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t !== null && t.dtype !== x.dtype) throw new TypeError(`conv2d: input is ${x.dtype} but ${what} is ${t.dtype}; convert one with .to("${x.dtype}")`);
  }
  const span: [number, number] = [dh * (kh - 1) + 1, dw * (kw - 1) + 1];
  const dilated = dh === 1 && dw === 1 ? "" : ` (${span[0]}×${span[1]} with dilation [${dh}, ${dw}])`;
  checkFits("conv2d", x, span, [ph, pw], `kernel ${kh}×${kw}${dilated} of weight ${fmt(weight.shape)}`);
  return {
    n, c, h, w, o, groups, kh, kw, sh, sw, ph, pw, dh, dw,
    oh: convOutputSize(h, kh, sh, ph, dh),
    ow: convOutputSize(w, kw, sw, pw, dw),
  };
}
