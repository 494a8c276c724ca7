// Matrix product C = op(A)·op(B) (+ C) by a native CBLAS library (cblas_sgemm / cblas_dgemm), on the typed arrays in place.

import type { FloatArray } from "./float-array.ts";
import { sharesMemory, zeroRows, type GemmArgs } from "./gemm-js.ts";

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

/** Knobs measured with npm run bench (MLP and LeNet-5 steps). */
const blasTuning = {
  /**
   * A product runs on several threads only when it is large and compute-bound: at least this many
   * multiply-adds (m·n·k) ...
   */
  parallelMinMacs: 1 << 23,
  /**
   * ... and at least this many flops per byte of its operands, 2mnk / 4(mk + kn + mn). Below either,
   * one thread was faster in a training step: waking OpenBLAS's threads costs more than they save
   * on small products (a 128×10×256 ran at a third of its 1-thread speed on 2 threads), and after a
   * memory-bound product (LeNet-5's convolutions, 2–7 flops per byte) or a mid-sized one (its
   * 128×120×400 layer) the single-threaded ops that read what the second core wrote slowed the step
   * more than the product gained. The MLPs' products (25M–128M multiply-adds, 38–51 flops per byte)
   * ran up to 1.9× faster on two. A rule, not a choice timed while training: OpenBLAS's 1- and
   * 2-thread products differ in the last bits for most shapes, so a choice that depended on timing
   * would make two runs of the same seed, or a run and its resumption from a checkpoint, differ.
   */
  parallelMinFlopsPerByte: 10,
};

/** The threads a product m×n×k runs on, out of `threads`: see blasTuning. */
export function productThreads(m: number, n: number, k: number, threads: number): number {
  const macs = m * n * k;
  return macs >= blasTuning.parallelMinMacs && macs / (2 * (m * k + k * n + m * n)) >= blasTuning.parallelMinFlopsPerByte ? threads : 1;
}

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
  const nt = productThreads(m, n, k, threads);
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
