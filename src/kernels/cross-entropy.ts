// Fused softmax cross-entropy over row-major [n×c] logits: max-shifted log-softmax, smoothed and weighted NLL, and its gradient.

import type { FloatArray } from "./float-array.ts";

/**
 * Per-sample loss, as PyTorch's cross_entropy with class weights w and label smoothing ε:
 *
 *   log p[i] = z[i] − max(z) − log Σⱼ exp(z[j] − max(z))       (no overflow for logits of ±1e4)
 *   loss     = (1 − ε)·w[y]·(−log p[y]) + (ε/c)·Σⱼ w[j]·(−log p[j])
 *
 * Fills `logProbs` (kept in float64 for the backward) and `losses`; w = null means all ones.
 */
export function crossEntropyForward(
  logits: FloatArray, n: number, c: number, targets: Int32Array, weight: Float64Array | null, smoothing: number,
  logProbs: Float64Array, losses: Float64Array,
): void {
  for (let r = 0; r < n; r++) {
    const base = r * c;
    let max = -Infinity;
    for (let j = 0; j < c; j++) if (logits[base + j] > max) max = logits[base + j];
    if (max === -Infinity) max = 0;
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(logits[base + j] - max);
    const logSum = Math.log(sum);
    let smooth = 0;
    for (let j = 0; j < c; j++) {
      const lp = logits[base + j] - max - logSum;
      logProbs[base + j] = lp;
      if (smoothing !== 0) smooth -= (weight === null ? 1 : weight[j]) * lp;
    }
    const y = targets[r];
    const wy = weight === null ? 1 : weight[y];
    losses[r] = -(1 - smoothing) * wy * logProbs[base + y] + (smoothing !== 0 ? (smoothing / c) * smooth : 0);
  }
}

/**
 * d loss / d z[j] = scale·(Q·p[j] − q[j]), where q[j] = (1 − ε)·w[y]·[j = y] + (ε/c)·w[j] is the
 * (weighted, smoothed) target distribution and Q = Σ q. Without weights Q = 1: softmax − one-hot.
 * `scales[r]` carries the upstream gradient and the reduction's 1/N.
 */
export function crossEntropyBackward(
  logProbs: Float64Array, n: number, c: number, targets: Int32Array, weight: Float64Array | null, smoothing: number,
  scales: Float64Array, grad: FloatArray,
): void {
  let weightSum = c;
  if (weight !== null) {
    weightSum = 0;
    for (let j = 0; j < c; j++) weightSum += weight[j];
  }
  for (let r = 0; r < n; r++) {
    const base = r * c;
    const y = targets[r];
    const wy = weight === null ? 1 : weight[y];
    const total = (1 - smoothing) * wy + (smoothing / c) * weightSum;
    const s = scales[r];
    for (let j = 0; j < c; j++) {
      const q = (smoothing / c) * (weight === null ? 1 : weight[j]) + (j === y ? (1 - smoothing) * wy : 0);
      grad[base + j] = s * (total * Math.exp(logProbs[base + j]) - q);
    }
  }
}
