// Matrix product C = op(A)·op(B) (+ C) by a native CBLAS library (cblas_sgemm / cblas_dgemm), on the typed arrays in place.

import type { FloatArray } from "./float-array.ts";
import { sharesMemory, zeroRows, type GemmArgs } from "./gemm-js.ts";
import { ThreadChoice } from "./thread-choice.ts";

/** cblas_?gemm's arguments in its own order (the enums as CBLAS numbers them), operands as typed arrays at their first element. */
export type CblasGemm<T extends FloatArray> = (
  order: number, transA: number, transB: number, m: number, n: number, k: number,
  alpha: number, a: T, lda: number, b: T, ldb: number, beta: number, c: T, ldc: number,
) => void;

/** A loaded CBLAS library (blas-node.ts opens it). */
export interface Blas {
  /** The file or name it was loaded from. */
  library: string;
  sgemm: CblasGemm<Float32Array>;
  dgemm: CblasGemm<Float64Array>;
  /** openblas_set_num_threads, or null for a CBLAS that sets its threads otherwise. */
  setThreads: ((n: number) => void) | null;
}

/**
 * Why no BLAS library is in use. `quiet`: only the optional FFI package is missing (or this is a
 * browser), so a user who never asked for the fast path gets no warning about it.
 */
export class BlasUnavailable extends Error {
  constructor(message: string, readonly quiet: boolean) {
    super(message);
  }
}

const CBLAS_ROW_MAJOR = 101;
const CBLAS_NO_TRANS = 111;
const CBLAS_TRANS = 112;

/** Which products run on several threads, learned shape by shape (exported for benchmarks and tests, not part of the API). */
export const blasThreads = new ThreadChoice();

let threadsSet = 0;

/**
 * Runs the product in the library on `threads` threads, when the three arrays have the same
 * float type; returns false (nothing done) otherwise. An output that shares memory with an input
 * (which BLAS forbids) is computed in a separate array and copied back.
 */
export function gemmBlas(blas: Blas, g: GemmArgs, threads: number): boolean {
  const gemm = g.a instanceof Float32Array && g.b instanceof Float32Array && g.c instanceof Float32Array ? blas.sgemm
    : g.a instanceof Float64Array && g.b instanceof Float64Array && g.c instanceof Float64Array ? blas.dgemm : null;
  if (gemm === null) return false;
  const { m, n, k } = g;
  if (m === 0 || n === 0) return true;
  if (k === 0) {
    if (!g.accumulate) zeroRows(g.c, g.cOffset, g.ldc, m, n);
    return true;
  }
  const choice = blas.setThreads ? blasThreads.choose(`${gemm === blas.sgemm ? "s" : "d"}${g.transA ? "T" : "N"}${g.transB ? "T" : "N"} ${m}×${n}×${k}`, threads) : null;
  const nt = choice?.threads ?? threads;
  const started = choice?.done ? performance.now() : 0;
  if (blas.setThreads && nt !== threadsSet) {
    blas.setThreads(nt);
    threadsSet = nt;
  }
  const aliased = sharesMemory(g.c, g.a) || sharesMemory(g.c, g.b);
  const c = aliased ? copyRows(g.c, g.cOffset, g.ldc, m, n, g.accumulate) : from(g.c, g.cOffset);
  const ldc = aliased ? n : g.ldc;
  (gemm as CblasGemm<FloatArray>)(
    CBLAS_ROW_MAJOR, g.transA ? CBLAS_TRANS : CBLAS_NO_TRANS, g.transB ? CBLAS_TRANS : CBLAS_NO_TRANS, m, n, k,
    1, from(g.a, g.aOffset), leading(g.lda, g.transA ? k : m, g.transA ? m : k),
    from(g.b, g.bOffset), leading(g.ldb, g.transB ? n : k, g.transB ? k : n),
    g.accumulate ? 1 : 0, c, ldc,
  );
  if (aliased) for (let i = 0; i < m; i++) g.c.set(c.subarray(i * n, i * n + n), g.cOffset + i * g.ldc);
  choice?.done?.(performance.now() - started);
  return true;
}

/** The row stride CBLAS accepts for a rows × cols matrix: any stride serves a single row, but CBLAS wants at least cols. */
function leading(ld: number, rows: number, cols: number): number {
  return rows <= 1 ? Math.max(1, cols, ld) : ld;
}

/** A tight m × n copy of C (its values only when they are added to). */
function copyRows(c: FloatArray, offset: number, ld: number, m: number, n: number, withValues: boolean): FloatArray {
  const copy = c instanceof Float32Array ? new Float32Array(m * n) : new Float64Array(m * n);
  if (withValues) for (let i = 0; i < m; i++) copy.set(c.subarray(offset + i * ld, offset + i * ld + n), i * n);
  return copy;
}

/** `x` from element `offset` on, for the library's pointer: the array itself when that is all of it (no view made per product). */
function from<T extends FloatArray>(x: T, offset: number): T {
  return offset === 0 ? x : (x.subarray(offset) as T);
}
