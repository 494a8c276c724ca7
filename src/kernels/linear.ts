// Fused fully-connected kernels over row-major typed arrays: y = x·Wᵀ + b and its three gradients.

import type { FloatArray } from "./float-array.ts";
import { gemm } from "./index.ts";

/**
 * y[rows×out] = x[rows×in]·Wᵀ + b, with W stored [out×in] as nn.Linear keeps it. The bias is
 * written into y first and the product accumulated onto it, so the sum is rounded once.
 */
export function linearForward(x: FloatArray, w: FloatArray, bias: FloatArray | null, y: FloatArray, rows: number, inF: number, outF: number): void {
  if (bias !== null) for (let r = 0; r < rows; r++) y.set(bias, r * outF);
  gemm({ m: rows, n: outF, k: inF, a: x, aOffset: 0, lda: inF, transA: false, b: w, bOffset: 0, ldb: inF, transB: true, c: y, cOffset: 0, ldc: outF, accumulate: bias !== null });
}

/** dx[rows×in] = g[rows×out]·W[out×in]. */
export function linearBackwardInput(g: FloatArray, w: FloatArray, dx: FloatArray, rows: number, inF: number, outF: number): void {
  gemm({ m: rows, n: inF, k: outF, a: g, aOffset: 0, lda: outF, transA: false, b: w, bOffset: 0, ldb: inF, transB: false, c: dx, cOffset: 0, ldc: inF, accumulate: false });
}

/** dW[out×in] = gᵀ·x: the batch is the contracted dimension, read through the transA flag (no transpose copy). */
export function linearBackwardWeight(g: FloatArray, x: FloatArray, dw: FloatArray, rows: number, inF: number, outF: number): void {
  gemm({ m: outF, n: inF, k: rows, a: g, aOffset: 0, lda: outF, transA: true, b: x, bOffset: 0, ldb: inF, transB: false, c: dw, cOffset: 0, ldc: inF, accumulate: false });
}

/** db[out] = column sums of g[rows×out], accumulated in float64. */
export function linearBackwardBias(g: FloatArray, db: FloatArray, rows: number, outF: number): void {
  const acc = new Float64Array(outF);
  for (let r = 0; r < rows; r++) {
    const base = r * outF;
    for (let j = 0; j < outF; j++) acc[j] += g[base + j];
  }
  db.set(acc);
}
