// Normalization kernels over a row-major [outer, channels, inner] layout: per-channel moments and the
// backward of x̂ = (x − μ)/σ. Batch norm uses it as [n, c, h·w]; layer norm as [1, rows, features].
// The loops over every element have WebAssembly SIMD twins (assembly/norm.ts) for float32.

import type { FloatArray } from "./float-array.ts";
import { AffineArgs, GradSumArgs, MomentArgs, NormBackwardArgs } from "./norm-abi.ts";
import { twinArea, type TwinArea } from "./twin-area.ts";

/** mean[c] and the biased variance var[c] over every (outer, inner) element of channel c, two-pass in float64 (the twin: see momentsPass). */
export function channelMoments(x: FloatArray, outer: number, channels: number, inner: number, mean: Float64Array, variance: Float64Array): void {
  if (momentsTwin(x, outer, channels, inner, mean, variance)) return;
  const count = outer * inner;
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let o = 0; o < outer; o++) for (let i = (o * channels + c) * inner, end = i + inner; i < end; i++) s += x[i];
    const mu = s / count;
    let q = 0;
    for (let o = 0; o < outer; o++) {
      for (let i = (o * channels + c) * inner, end = i + inner; i < end; i++) {
        const d = x[i] - mu;
        q += d * d;
      }
    }
    mean[c] = mu;
    variance[c] = q / count;
  }
}

/** y = (x − mean[c])·invStd[c]·scale[c] + shift[c], with scale 1 and shift 0 where null. */
export function normalizeChannels(x: FloatArray, y: FloatArray, outer: number, channels: number, inner: number, mean: Float64Array, invStd: Float64Array, scale: FloatArray | null, shift: FloatArray | null): void {
  if (normalizeTwin(x, y, outer, channels, inner, mean, invStd, scale, shift)) return;
  const a = new Float64Array(channels), b = new Float64Array(channels);
  channelAffine(mean, invStd, scale, shift, a, b);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const ac = a[c], bc = b[c];
      for (let i = (o * channels + c) * inner, end = i + inner; i < end; i++) y[i] = x[i] * ac + bc;
    }
  }
}

/** normalizeChannels as y = x·a[c] + b[c]: a = invStd·scale, b = shift − mean·a (scale 1 and shift 0 where null). */
function channelAffine(mean: Float64Array, invStd: Float64Array, scale: FloatArray | null, shift: FloatArray | null, a: Float64Array, b: Float64Array): void {
  for (let c = 0; c < a.length; c++) {
    a[c] = invStd[c] * (scale === null ? 1 : scale[c]);
    b[c] = (shift === null ? 0 : shift[c]) - mean[c] * a[c];
  }
}

/**
 * A norm's forward on the input's own statistics: channelMoments into mean and variance, invStd from
 * them, then normalizeChannels into y (its twin copies x into the wasm memory once for both).
 */
export function normalizeByMoments(
  x: FloatArray, y: FloatArray, outer: number, channels: number, inner: number, eps: number,
  mean: Float64Array, variance: Float64Array, invStd: Float64Array, scale: FloatArray | null, shift: FloatArray | null,
): void {
  if (normalizeByMomentsTwin(x, y, outer, channels, inner, eps, mean, variance, invStd, scale, shift)) return;
  channelMoments(x, outer, channels, inner, mean, variance);
  inverseStd(variance, eps, invStd);
  normalizeChannels(x, y, outer, channels, inner, mean, invStd, scale, shift);
}

/** invStd[c] = 1/√(variance[c] + eps). */
export function inverseStd(variance: Float64Array, eps: number, invStd: Float64Array): void {
  for (let c = 0; c < variance.length; c++) invStd[c] = 1 / Math.sqrt(variance[c] + eps);
}

/** Per channel, Σ dx̂·x̂ and Σ dx̂: the scale's and the shift's gradients (channelAffineGrads). */
export interface AffineSums {
  sumGX: Float64Array;
  sumG: Float64Array;
}

/**
 * Given dx̂ (the gradient with respect to x̂), the gradient with respect to x when μ and σ² are the
 * channel's own statistics over its m elements:
 *   dx = (σ⁻¹·scale[c]) · (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
 * `scale` multiplies dx̂ per channel (batch norm's weight), or is null when dx̂ is already scaled.
 * The sums Σ dx̂·x̂ and Σ dx̂ per channel (channelAffineGrads) are taken on the way; given `sums`,
 * they are left there (batch norm's weight and bias gradients).
 */
export function normalizeBackward(
  dxhat: FloatArray, x: FloatArray, dx: FloatArray, outer: number, channels: number, inner: number, mean: Float64Array, invStd: Float64Array, scale: FloatArray | null,
  sums: AffineSums = { sumGX: new Float64Array(channels), sumG: new Float64Array(channels) },
): void {
  if (normalizeBackwardTwin(dxhat, x, dx, outer, channels, inner, mean, invStd, scale, sums)) return;
  channelAffineGrads(dxhat, x, outer, channels, inner, mean, invStd, sums.sumGX, sums.sumG);
  const k = new Float64Array(channels), meanG = new Float64Array(channels), meanGX = new Float64Array(channels);
  backwardTerms(outer * inner, invStd, scale, sums, k, meanG, meanGX);
  for (let c = 0; c < channels; c++) {
    const mu = mean[c], r = invStd[c], kc = k[c], mg = meanG[c], mgx = meanGX[c];
    for (let o = 0; o < outer; o++) {
      for (let i = (o * channels + c) * inner, end = i + inner; i < end; i++) dx[i] = kc * (dxhat[i] - mg - (x[i] - mu) * r * mgx);
    }
  }
}

/** normalizeBackward's per-channel terms from the sums over `count` elements: k = σ⁻¹·scale, mean(dx̂) and mean(dx̂·x̂). */
function backwardTerms(
  count: number, invStd: Float64Array, scale: FloatArray | null, sums: AffineSums,
  k: Float64Array, meanG: Float64Array, meanGX: Float64Array,
): void {
  for (let c = 0; c < k.length; c++) {
    k[c] = invStd[c] * (scale === null ? 1 : scale[c]);
    meanG[c] = sums.sumG[c] / count;
    meanGX[c] = sums.sumGX[c] / count;
  }
}

/**
 * The affine parameters' gradients for a per-channel scale and shift: dScale[c] = Σ g·x̂, dShift[c] = Σ g
 * over the channel (either may be null when not wanted).
 */
export function channelAffineGrads(g: FloatArray, x: FloatArray, outer: number, channels: number, inner: number, mean: Float64Array, invStd: Float64Array, dScale: FloatArray | Float64Array | null, dShift: FloatArray | Float64Array | null): void {
  if (affineGradsTwin(g, x, outer, channels, inner, mean, invStd, dScale, dShift)) return;
  for (let c = 0; c < channels; c++) {
    const mu = mean[c], r = invStd[c];
    let sg = 0, sgx = 0;
    for (let o = 0; o < outer; o++) {
      for (let i = (o * channels + c) * inner, end = i + inner; i < end; i++) {
        sg += g[i];
        sgx += g[i] * (x[i] - mu) * r;
      }
    }
    if (dScale !== null) dScale[c] = sgx;
    if (dShift !== null) dShift[c] = sg;
  }
}

function momentsTwin(x: FloatArray, outer: number, channels: number, inner: number, mean: Float64Array, variance: Float64Array): boolean {
  const area = twinArea([x], null, MomentArgs.count, 3, outer, channels, inner);
  if (area === null) return false;
  momentsPass(area, x, outer, inner, mean, variance);
  return true;
}

/**
 * channelMoments in one pass over x (slot 0), with tables 0 to 2: with d = x − K, μ = K + Σd/m and
 * σ² = Σd²/m − (Σd/m)². The shift K is the channel's first value, which keeps the two terms of σ²
 * from cancelling (with K = μ there is nothing to cancel; a value of the data is never more than
 * √m standard deviations from μ); 0 if that value is ±∞ or NaN, so that μ and σ² come out as the
 * reference's.
 */
function momentsPass(area: TwinArea, x: FloatArray, outer: number, inner: number, mean: Float64Array, variance: Float64Array): void {
  const [center, sum, squares] = area.tables;
  for (let c = 0; c < mean.length; c++) center[c] = Number.isFinite(x[c * inner]) ? x[c * inner] : 0;
  sum.fill(0);
  squares.fill(0);
  area.pass(area.rt.kernels.channelMoments, false, (args, b, [xs]) => {
    args[MomentArgs.x] = xs;
    args[MomentArgs.outer] = b.outer; args[MomentArgs.channels] = b.channels; args[MomentArgs.inner] = b.inner;
    args[MomentArgs.center] = area.table(0, b.c); args[MomentArgs.sum] = area.table(1, b.c); args[MomentArgs.squares] = area.table(2, b.c);
  });
  const count = outer * inner;
  for (let c = 0; c < mean.length; c++) {
    const d = sum[c] / count;
    mean[c] = center[c] + d;
    variance[c] = Math.max(0, squares[c] / count - d * d);
  }
}

function normalizeTwin(x: FloatArray, y: FloatArray, outer: number, channels: number, inner: number, mean: Float64Array, invStd: Float64Array, scale: FloatArray | null, shift: FloatArray | null): boolean {
  const area = twinArea([x], y, AffineArgs.count, 2, outer, channels, inner);
  if (area === null) return false;
  affinePass(area, mean, invStd, scale, shift);
  return true;
}

/** normalizeChannels from x in slot 0 into the output, with tables 0 and 1. */
function affinePass(area: TwinArea, mean: Float64Array, invStd: Float64Array, scale: FloatArray | null, shift: FloatArray | null): void {
  channelAffine(mean, invStd, scale, shift, area.tables[0], area.tables[1]);
  area.pass(area.rt.kernels.affineChannels, true, (args, b, [xs]) => {
    args[AffineArgs.x] = xs; args[AffineArgs.y] = xs;
    args[AffineArgs.outer] = b.outer; args[AffineArgs.channels] = b.channels; args[AffineArgs.inner] = b.inner;
    args[AffineArgs.a] = area.table(0, b.c); args[AffineArgs.b] = area.table(1, b.c);
  });
}

/** normalizeByMoments' twin: the moments' pass, then y from the same blocks of x (not copied again when there is one). */
function normalizeByMomentsTwin(
  x: FloatArray, y: FloatArray, outer: number, channels: number, inner: number, eps: number,
  mean: Float64Array, variance: Float64Array, invStd: Float64Array, scale: FloatArray | null, shift: FloatArray | null,
): boolean {
  const area = twinArea([x], y, Math.max(MomentArgs.count, AffineArgs.count), 3, outer, channels, inner);
  if (area === null) return false;
  momentsPass(area, x, outer, inner, mean, variance);
  inverseStd(variance, eps, invStd);
  affinePass(area, mean, invStd, scale, shift);
  return true;
}

/**
 * The pass of channelAffineGrads' twin over g and x (slots 0 and 1), leaving per channel Σ g in
 * table 1 and Σ g·(x − μ) in table 2 (table 0 holds μ); the caller scales the latter by σ⁻¹.
 */
function gradSumsPass(area: TwinArea, mean: Float64Array): void {
  area.tables[0].set(mean);
  area.tables[1].fill(0);
  area.tables[2].fill(0);
  area.pass(area.rt.kernels.channelGradSums, false, (args, b, [gs, xs]) => {
    args[GradSumArgs.g] = gs; args[GradSumArgs.x] = xs;
    args[GradSumArgs.outer] = b.outer; args[GradSumArgs.channels] = b.channels; args[GradSumArgs.inner] = b.inner;
    args[GradSumArgs.mean] = area.table(0, b.c); args[GradSumArgs.sumG] = area.table(1, b.c); args[GradSumArgs.sumGD] = area.table(2, b.c);
  });
}

function affineGradsTwin(g: FloatArray, x: FloatArray, outer: number, channels: number, inner: number, mean: Float64Array, invStd: Float64Array, dScale: FloatArray | Float64Array | null, dShift: FloatArray | Float64Array | null): boolean {
  const area = twinArea([g, x], null, GradSumArgs.count, 3, outer, channels, inner);
  if (area === null) return false;
  gradSumsPass(area, mean);
  const [, sumG, sumGD] = area.tables;
  for (let c = 0; c < channels; c++) {
    if (dScale !== null) dScale[c] = sumGD[c] * invStd[c];
    if (dShift !== null) dShift[c] = sumG[c];
  }
  return true;
}

/** normalizeBackward's twin: the sums' pass, then dx from the same blocks (not copied again when there is one). */
function normalizeBackwardTwin(
  dxhat: FloatArray, x: FloatArray, dx: FloatArray, outer: number, channels: number, inner: number, mean: Float64Array, invStd: Float64Array, scale: FloatArray | null,
  sums: AffineSums,
): boolean {
  const area = twinArea([dxhat, x], dx, NormBackwardArgs.count, 5, outer, channels, inner);
  if (area === null) return false;
  gradSumsPass(area, mean);
  const [, sumG, sumGD, invStdTable, k] = area.tables;
  for (let c = 0; c < channels; c++) {
    sums.sumG[c] = sumG[c];
    sums.sumGX[c] = sumGD[c] * invStd[c];
  }
  invStdTable.set(invStd);
  backwardTerms(outer * inner, invStd, scale, sums, k, area.tables[1], area.tables[2]);
  area.pass(area.rt.kernels.normalizeBackward, true, (args, b, [gs, xs]) => {
    args[NormBackwardArgs.g] = gs; args[NormBackwardArgs.x] = xs; args[NormBackwardArgs.dx] = gs;
    args[NormBackwardArgs.outer] = b.outer; args[NormBackwardArgs.channels] = b.channels; args[NormBackwardArgs.inner] = b.inner;
    args[NormBackwardArgs.mean] = area.table(0, b.c); args[NormBackwardArgs.invStd] = area.table(3, b.c); args[NormBackwardArgs.k] = area.table(4, b.c);
    args[NormBackwardArgs.meanG] = area.table(1, b.c); args[NormBackwardArgs.meanGX] = area.table(2, b.c);
  });
  return true;
}

/** y[r, j] = x̂[r, j]·scale[j] + shift[j] for [rows, features] (layer norm's elementwise affine; null = 1 or 0). */
export function scaleShiftFeatures(xhat: FloatArray, y: FloatArray, rows: number, features: number, scale: FloatArray | null, shift: FloatArray | null): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0, i = r * features; j < features; j++, i++) y[i] = xhat[i] * (scale === null ? 1 : scale[j]) + (shift === null ? 0 : shift[j]);
  }
}

/** dScale[j] = Σ_r g·x̂, dShift[j] = Σ_r g over the rows of [rows, features] (either may be null). */
export function featureAffineGrads(g: FloatArray, xhat: FloatArray, rows: number, features: number, dScale: FloatArray | null, dShift: FloatArray | null): void {
  const sgx = new Float64Array(features), sg = new Float64Array(features);
  for (let r = 0; r < rows; r++) {
    for (let j = 0, i = r * features; j < features; j++, i++) {
      sg[j] += g[i];
      sgx[j] += g[i] * xhat[i];
    }
  }
  dScale?.set(sgx);
  dShift?.set(sg);
}

