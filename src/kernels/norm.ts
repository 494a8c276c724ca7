// Normalization kernels over a row-major [outer, channels, inner] layout: per-channel moments and the
// backward of x̂ = (x − μ)/σ. Batch norm uses it as [n, c, h·w]; layer norm as [1, rows, features].

import type { FloatArray } from "./float-array.ts";

/** mean[c] and the biased variance var[c] over every (outer, inner) element of channel c, two-pass in float64. */
export function channelMoments(x: FloatArray, outer: number, channels: number, inner: number, mean: Float64Array, variance: Float64Array): void {
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
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const a = invStd[c] * (scale === null ? 1 : scale[c]);
      const b = (shift === null ? 0 : shift[c]) - mean[c] * a;
      for (let i = (o * channels + c) * inner, end = i + inner; i < end; i++) y[i] = x[i] * a + b;
    }
  }
}

/**
 * Given dx̂ (the gradient with respect to x̂), the gradient with respect to x when μ and σ² are the
 * channel's own statistics over its m elements:
 *   dx = (σ⁻¹·scale[c]) · (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
 * `scale` multiplies dx̂ per channel (batch norm's weight), or is null when dx̂ is already scaled.
 * `sums` are Σ dx̂·x̂ and Σ dx̂ per channel (channelAffineGrads) when the caller has them already.
 */
export function normalizeBackward(
  dxhat: FloatArray, x: FloatArray, dx: FloatArray, outer: number, channels: number, inner: number, mean: Float64Array, invStd: Float64Array, scale: FloatArray | null,
  sums?: { sumGX: Float64Array; sumG: Float64Array },
): void {
  const count = outer * inner;
  const { sumGX, sumG } = sums ?? { sumGX: new Float64Array(channels), sumG: new Float64Array(channels) };
  if (sums === undefined) channelAffineGrads(dxhat, x, outer, channels, inner, mean, invStd, sumGX, sumG);
  for (let c = 0; c < channels; c++) {
    const mu = mean[c], r = invStd[c];
    const k = r * (scale === null ? 1 : scale[c]);
    const meanG = sumG[c] / count, meanGX = sumGX[c] / count;
    for (let o = 0; o < outer; o++) {
      for (let i = (o * channels + c) * inner, end = i + inner; i < end; i++) dx[i] = k * (dxhat[i] - meanG - (x[i] - mu) * r * meanGX);
    }
  }
}

/**
 * The affine parameters' gradients for a per-channel scale and shift: dScale[c] = Σ g·x̂, dShift[c] = Σ g
 * over the channel (either may be null when not wanted).
 */
export function channelAffineGrads(g: FloatArray, x: FloatArray, outer: number, channels: number, inner: number, mean: Float64Array, invStd: Float64Array, dScale: FloatArray | Float64Array | null, dShift: FloatArray | Float64Array | null): void {
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

