// Matrix product C = op(A)·op(B) (+ C) in WebAssembly SIMD (assembly/kernels.ts), on one or more threads.

import type { GemmArgs } from "./gemm-js.ts";
import { JOB, OP_GEMM, PHASE_COMPUTE, PHASE_PACK, align64, type WasmRuntime } from "./wasm/runtime.ts";
import { MAX_THREADS } from "./wasm/pool.ts";

export interface GemmF32Args extends GemmArgs {
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
}

/** Knobs measured on the MLP shapes (bench/gemm.ts); exported for benchmarks, not part of the API. */
export const gemmTuning = {
  /** k-block: a 16-wide panel slice of kc steps (kc·64 bytes) stays in L1 while the rows stream by. */
  kc: 256,
  /** Products with fewer multiply-adds (m·n·k) than this stay on the calling thread (a fork/join costs ~1 µs). */
  parallelMinMacs: 1 << 17,
  /** Up to this many row pairs, each compute chunk packs its own panel of B (FUSED in assembly/kernels.ts). */
  fusedMaxPairs: 16,
  /** Pack phases with fewer floats to pack than this run on the calling thread alone. */
  parallelMinPack: 1 << 15,
};

/**
 * Copies the operands into the wasm memory, packs and multiplies there (split across `threads`
 * when the product is big enough), and copies C back (adding to it with `accumulate`).
 *
 * The kernel works on 2-row × 16-column tiles, so a narrow C (n < 16, such as a 10-class output
 * layer) would be mostly padding: the product is then done as Cᵀ = op(B)ᵀ·op(A)ᵀ (the operands swap
 * roles and transpose flags, which packing makes free) with the tiles stored transposed into C.
 */
export function gemmWasm(rt: WasmRuntime, g: GemmF32Args, threads: number): void {
  const { m, n, k } = g;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!g.accumulate) for (let i = 0; i < m; i++) g.c.fill(0, g.cOffset + i * g.ldc, g.cOffset + i * g.ldc + n);
    return;
  }
  const aRows = g.transA ? k : m, aCols = g.transA ? m : k;
  const bRows = g.transB ? n : k, bCols = g.transB ? k : n;
  const lda = compactLd(aRows, aCols, g.lda), ldb = compactLd(bRows, bCols, g.ldb);
  // Tile area with padding, as computed and as transposed: the kernel's work either way. Transposed
  // tiles are stored element by element, so only a clear saving pays (n < 16 and m well above it).
  const swap = 4 * paddedArea(n, m) <= 3 * paddedArea(m, n);
  const km = swap ? n : m, kn = swap ? m : n;
  const pairs = (km + 1) >> 1, panels = (kn + 15) >> 4;
  let at = rt.dataOffset;
  const aPtr = at; at = align64(at + 4 * ((aRows - 1) * lda + aCols));
  const bPtr = at; at = align64(at + 4 * ((bRows - 1) * ldb + bCols));
  const apPtr = at; at = align64(at + 4 * pairs * 2 * k);
  const bpPtr = at; at = align64(at + 4 * panels * 16 * k);
  const cPtr = at; at = align64(at + 4 * m * n);
  rt.reserve(at);

  const mem = rt.f32;
  copyIn(mem, aPtr, g.a, g.aOffset, aRows, aCols, g.lda, lda);
  copyIn(mem, bPtr, g.b, g.bOffset, bRows, bCols, g.ldb, ldb);
  if (g.accumulate) copyIn(mem, cPtr, g.c, g.cOffset, m, n, g.ldc, n);

  const fused = pairs <= gemmTuning.fusedMaxPairs;
  const computeChunks = fused ? panels : Math.max(pairs, panels);
  const nt = m * n * k >= gemmTuning.parallelMinMacs ? Math.min(threads, MAX_THREADS, computeChunks) : 1;
  const job = rt.job;
  job[JOB.OP] = OP_GEMM;
  job[JOB.NT] = nt;
  job[JOB.M] = km; job[JOB.N] = kn; job[JOB.K] = k;
  if (swap) {
    // op(B)ᵀ is B read with the opposite flag, and likewise op(A)ᵀ.
    job[JOB.A] = bPtr; job[JOB.LDA] = ldb; job[JOB.TA] = g.transB ? 0 : 1;
    job[JOB.B] = aPtr; job[JOB.LDB] = lda; job[JOB.TB] = g.transA ? 0 : 1;
  } else {
    job[JOB.A] = aPtr; job[JOB.LDA] = lda; job[JOB.TA] = g.transA ? 1 : 0;
    job[JOB.B] = bPtr; job[JOB.LDB] = ldb; job[JOB.TB] = g.transB ? 1 : 0;
  }
  job[JOB.AP] = apPtr; job[JOB.BP] = bpPtr;
  job[JOB.C] = cPtr; job[JOB.LDC] = n; job[JOB.ACC] = g.accumulate ? 1 : 0;
  job[JOB.TC] = swap ? 1 : 0;
  job[JOB.FUSED] = fused ? 1 : 0;
  job[JOB.KC] = gemmTuning.kc;
  job[JOB.SCRATCH] = rt.scratchOffset;
  if (nt > 1 && rt.pool.wanted() && rt.pool.ensure(nt - 1)) {
    const packFloats = (2 * pairs + (fused ? 0 : 16 * panels)) * k;
    if (packFloats >= gemmTuning.parallelMinPack) {
      job[JOB.PHASE] = PHASE_PACK;
      rt.pool.run(nt);
    } else {
      rt.kernels.runPhase(rt.jobOffset, PHASE_PACK);
    }
    job[JOB.PHASE] = PHASE_COMPUTE;
    rt.pool.run(nt);
  } else {
    rt.kernels.gemm(rt.jobOffset);
  }
  copyOut(rt.f32, cPtr, g.c, g.cOffset, m, n, g.ldc);
}

/** Elements of an r × c product the kernel computes: whole row pairs times whole 16-wide panels. */
function paddedArea(r: number, c: number): number {
  return (((r + 1) >> 1) << 1) * (((c + 15) >> 4) << 4);
}

/** Keep the source's row stride when the gaps between rows are small (one bulk copy), else pack rows tightly. */
function compactLd(rows: number, cols: number, ld: number): number {
  if (rows <= 1) return cols;
  return ld - cols <= cols ? ld : cols;
}

function copyIn(mem: Float32Array, ptr: number, src: Float32Array, offset: number, rows: number, cols: number, ld: number, dstLd: number): void {
  const at = ptr >> 2;
  if (dstLd === ld || rows === 1) {
    mem.set(src.subarray(offset, offset + (rows - 1) * ld + cols), at);
    return;
  }
  for (let r = 0; r < rows; r++) mem.set(src.subarray(offset + r * ld, offset + r * ld + cols), at + r * dstLd);
}

function copyOut(mem: Float32Array, ptr: number, dst: Float32Array, offset: number, rows: number, cols: number, ld: number): void {
  const at = ptr >> 2;
  if (ld === cols) {
    dst.set(mem.subarray(at, at + rows * cols), offset);
    return;
  }
  for (let r = 0; r < rows; r++) dst.set(mem.subarray(at + r * cols, at + (r + 1) * cols), offset + r * ld);
}
