// batchNorm and layerNorm as PyTorch's: batch statistics in training (running ones updated in place), fused backward.

import { channelAffineGrads, featureAffineGrads, inverseStd, normalizeBackward, normalizeByMoments, normalizeChannels, scaleShiftFeatures } from "../kernels/norm.ts";
import { allocate } from "./dtype.ts";
import { checkOptions, given } from "./describe.ts";
import { checkTensor } from "./operand.ts";
import { fmt, sameShape, sizeOf } from "./shape.ts";
import { fromArray, fromOp, gradStorage, type Tensor } from "./tensor.ts";

export interface BatchNormOptions {
  /** Normalize by the batch's statistics and update the running ones (default false: use the running ones). */
  training?: boolean;
  /** running ← (1 − momentum)·running + momentum·batch statistic (default 0.1). */
  momentum?: number;
  /** Added to the variance inside the square root (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalization (Ioffe & Szegedy, 2015) of x [N, C] or [N, C, H, W] per channel c:
 *   y = (x − μ_c)/√(σ²_c + eps) · weight[c] + bias[c]
 * In training μ and σ² are the batch's mean and biased variance over the N·H·W values of the channel,
 * the gradient flows through them, and the running statistics (when given) are updated in place:
 *   runningMean ← (1 − momentum)·runningMean + momentum·μ
 *   runningVar  ← (1 − momentum)·runningVar  + momentum·σ²·m/(m − 1)   (the unbiased variance, as PyTorch)
 * Otherwise μ and σ² are runningMean and runningVar, which are constants.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null = null, bias: Tensor | null = null, options: BatchNormOptions = {}): Tensor {
  const op = "batchNorm";
  checkTensor(op, x);
  if (x.ndim < 2) throw new RangeError(`${op}: expected an input [N, C] or [N, C, H, W], got ${fmt(x.shape)}`);
  const { training = false, momentum = 0.1, eps = 1e-5 } = checkOptions(op, options, { training: true, momentum: true, eps: true });
  if (typeof training !== "boolean") throw new TypeError(`${op}: training must be a boolean, got ${given(training)}`);
  checkFinite(op, "momentum", momentum);
  checkNormEps(op, eps);
  const [n, channels] = x.shape;
  const inner = sizeOf(x.shape.slice(2));
  const count = n * inner;
  const perChannel = [channels];
  for (const [what, t] of [["runningMean", runningMean], ["runningVar", runningVar], ["weight", weight], ["bias", bias]] as const) {
    if (t === null) continue;
    checkParameter(op, what, t, x, perChannel, `one per channel of the input ${fmt(x.shape)}`);
  }
  if (training && count <= 1) throw new RangeError(`${op}: expected more than 1 value per channel when training, got input ${fmt(x.shape)} (use a batch of 2 or more, or eval mode)`);
  if (!training && (runningMean === null || runningVar === null)) throw new TypeError(`${op}: runningMean and runningVar are required when training is false (the input is normalized by them)`);

  const xv = x.values();
  const mean = new Float64Array(channels), variance = new Float64Array(channels), invStd = new Float64Array(channels);
  const wv = weight === null ? null : weight.values(), bv = bias === null ? null : bias.values();
  const y = allocate(x.dtype, x.size);
  if (training) {
    normalizeByMoments(xv, y, n, channels, inner, eps, mean, variance, invStd, wv, bv);
    const unbias = count / (count - 1);
    if (runningMean !== null) updateInPlace(runningMean, (i, r) => (1 - momentum) * r + momentum * mean[i]);
    if (runningVar !== null) updateInPlace(runningVar, (i, r) => (1 - momentum) * r + momentum * variance[i] * unbias);
  } else {
    mean.set(runningMean!.values());
    variance.set(runningVar!.values());
    inverseStd(variance, eps, invStd);
    normalizeChannels(xv, y, n, channels, inner, mean, invStd, wv, bv);
  }
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return fromOp(op, y, x.shape, inputs, (g) => {
    const gv = g.values();
    // Σ g·x̂ and Σ g per channel: the weight's and the bias's gradients, which dx in training takes on the way.
    const sums = { sumGX: new Float64Array(channels), sumG: new Float64Array(channels) };
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const a = allocate(x.dtype, x.size);
      if (training) normalizeBackward(gv, xv, a, n, channels, inner, mean, invStd, wv, sums);
      else normalizeChannels(gv, a, n, channels, inner, new Float64Array(channels), invStd, wv, null);
      dx = fromArray(a, x.shape);
    }
    if ((weight?.requiresGrad || bias?.requiresGrad) && !(training && x.requiresGrad)) channelAffineGrads(gv, xv, n, channels, inner, mean, invStd, sums.sumGX, sums.sumG);
    const dw = weight?.requiresGrad ? gradStorage(weight, channels) : null;
    const db = bias?.requiresGrad ? gradStorage(bias, channels) : null;
    dw?.set(sums.sumGX);
    db?.set(sums.sumG);
    const grads = [dx];
    if (weight !== null) grads.push(dw && fromArray(dw, perChannel));
    if (bias !== null) grads.push(db && fromArray(db, perChannel));
    return grads;
  });
}

export interface LayerNormOptions {
  /** Added to the variance inside the square root (default 1e-5). */
  eps?: number;
}

/**
 * Layer normalization (Ba et al., 2016) over the last dims of x given by `normalizedShape`:
 *   y = (x − μ)/√(σ² + eps) · weight + bias
 * with μ and the biased σ² of each row of those dims; weight and bias (of shape normalizedShape) act elementwise.
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, options: LayerNormOptions = {}): Tensor {
  const op = "layerNorm";
  checkTensor(op, x);
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : Array.isArray(normalizedShape) ? normalizedShape.slice() : null;
  if (shape === null || shape.length === 0 || shape.length > x.ndim || !sameShape(shape, x.shape.slice(x.ndim - shape.length))) {
    const shown = shape === null ? given(normalizedShape) : fmt(shape);
    throw new RangeError(`${op}: normalizedShape ${shown} must be the last dims of the input ${fmt(x.shape)} (e.g. ${fmt(x.shape.slice(-1))})`);
  }
  const { eps = 1e-5 } = checkOptions(op, options, { eps: true });
  checkNormEps(op, eps);
  for (const [what, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t !== null) checkParameter(op, what, t, x, shape, "normalizedShape");
  }
  const features = sizeOf(shape);
  const rows = features === 0 ? 0 : x.size / features;
  const xv = x.values();
  const mean = new Float64Array(rows), variance = new Float64Array(rows), invStd = new Float64Array(rows);
  const xhat = allocate(x.dtype, x.size);
  normalizeByMoments(xv, xhat, 1, rows, features, eps, mean, variance, invStd, null, null);
  const wv = weight === null ? null : weight.values();
  const y = weight === null && bias === null ? xhat : allocate(x.dtype, x.size);
  if (y !== xhat) scaleShiftFeatures(xhat, y, rows, features, wv, bias === null ? null : bias.values());
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return fromOp(op, y, x.shape, inputs, (g) => {
    const gv = g.values();
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const dxhat = wv === null ? gv : allocate(x.dtype, x.size);
      if (wv !== null) scaleShiftFeatures(gv, dxhat, rows, features, wv, null);
      const a = allocate(x.dtype, x.size);
      normalizeBackward(dxhat, xv, a, 1, rows, features, mean, invStd, null);
      dx = fromArray(a, x.shape);
    }
    const dw = weight?.requiresGrad ? allocate(weight.dtype, features) : null;
    const db = bias?.requiresGrad ? allocate(bias.dtype, features) : null;
    if (dw !== null || db !== null) featureAffineGrads(gv, xhat, rows, features, dw, db);
    const grads = [dx];
    if (weight !== null) grads.push(dw && fromArray(dw, shape));
    if (bias !== null) grads.push(db && fromArray(db, shape));
    return grads;
  });
}

/** A per-channel or per-feature tensor of a norm op: a Tensor of the expected shape and the input's dtype. */
function checkParameter(op: string, what: string, t: Tensor, x: Tensor, shape: readonly number[], why: string): void {
  checkTensor(op, t, what);
  if (!sameShape(t.shape, shape)) throw new RangeError(`${op}: ${what} has shape ${fmt(t.shape)}, expected ${fmt(shape)} (${why})`);
  if (t.dtype !== x.dtype) throw new TypeError(`${op}: input is ${x.dtype} but ${what} is ${t.dtype}; convert one with .to("${x.dtype}")`);
}

function checkFinite(op: string, option: string, v: unknown): void {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`${op}: ${option} must be a finite number, got ${given(v)}`);
}

/** The eps of batch and layer norm (ops and layers): > 0, else a row of equal values divides 0 by 0. */
export function checkNormEps(op: string, eps: unknown): void {
  if (typeof eps !== "number" || !(eps > 0) || !Number.isFinite(eps)) throw new RangeError(`${op}: eps must be a finite number > 0, got ${given(eps)}`);
}

/** t[i] ← f(i, t[i]) in t's own storage (running statistics are state, updated in place as PyTorch's). */
function updateInPlace(t: Tensor, f: (i: number, old: number) => number): void {
  const nd = t.data;
  for (let i = 0; i < nd.shape[0]; i++) nd.set(i, f(i, nd.get(i)));
  t.bumpVersion();
}
