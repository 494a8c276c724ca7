// Matrix product C = op(A)·op(B) (+ C) in plain TypeScript, for any row-major layout and either transpose.

import type { FloatArray } from "./float-array.ts";

/** One operand: `rows × cols` of op(X) read from `data` at `offset` with leading dimension `ld`. */
export interface GemmArgs {
  m: number;
  n: number;
  k: number;
  a: FloatArray; aOffset: number; lda: number; transA: boolean;
  b: FloatArray; bOffset: number; ldb: number; transB: boolean;
  c: FloatArray; cOffset: number; ldc: number;
  /** Add into C instead of overwriting it. */
  accumulate: boolean;
}

/**
 * The reference kernel: loops ordered so that the innermost one walks contiguous memory for
 * each layout (i-k-j for A·B and Aᵀ·B, dot products for A·Bᵀ). Sums in float64.
 */
export function gemmJs(g: GemmArgs): void {
  const { m, n, k, a, aOffset, lda, transA, b, bOffset, ldb, transB, c, cOffset, ldc } = g;
  if (!g.accumulate) zeroRows(c, cOffset, ldc, m, n);
  if (m === 0 || n === 0 || k === 0) return;
  if (!transB) {
    const row = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      const ci = cOffset + i * ldc;
      for (let j = 0; j < n; j++) row[j] = c[ci + j];
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
        if (aip === 0) continue;
        const bp = bOffset + p * ldb;
        for (let j = 0; j < n; j++) row[j] += aip * b[bp + j];
      }
      for (let j = 0; j < n; j++) c[ci + j] = row[j];
    }
    return;
  }
  const arow = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) arow[p] = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
    const ci = cOffset + i * ldc;
    for (let j = 0; j < n; j++) {
      const bj = bOffset + j * ldb;
      let s = 0;
      for (let p = 0; p < k; p++) s += arow[p] * b[bj + p];
      c[ci + j] += s;
    }
  }
}

/** Sets the m × n matrix at c[offset] (rows `ld` apart) to zero: the product when k = 0. */
export function zeroRows(c: FloatArray, offset: number, ld: number, m: number, n: number): void {
  for (let i = 0; i < m; i++) c.fill(0, offset + i * ld, offset + i * ld + n);
}

/** Whether two arrays share any bytes (BLAS and the wasm kernel must not write C over an input they still read). */
export function sharesMemory(x: FloatArray, y: FloatArray): boolean {
  return x.buffer === y.buffer && x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}
