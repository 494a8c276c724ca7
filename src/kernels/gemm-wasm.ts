// Matrix product C = op(A)·op(B) (+ C) in WebAssembly SIMD (assembly/kernels.ts), on one or more threads.

import { sharesMemory, zeroRows, type GemmArgs } from "./gemm-js.ts";
import { JOB, MAX_ROW_BLOCKS, MAX_THREADS, OP_GEMM, PHASE_COMPUTE, PHASE_PACK, TILE_COLS, TILE_ROWS } from "./wasm/protocol.mjs";
import { align64, type WasmRuntime } from "./wasm/runtime.ts";

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
  /**
   * Up to this many terms per element, copying C back is a large share of a product shared with
   * workers (at k = 10, a quarter of it): C is then computed in blocks of rows, and the caller
   * copies finished blocks back between its own (BY_ROWS in assembly/kernels.ts).
   */
  overlapCopyOutMaxK: 64,
  /** How many blocks of rows C is cut into then (at most MAX_ROW_BLOCKS). */
  rowBlocks: 8,
};

/**
 * Copies the operands into the wasm memory (unless they live there already), packs and multiplies
 * there (split across `threads` when the product is big enough), and copies C back (adding to it
 * with `accumulate`).
 *
 * The kernel works on 2-row × 16-column tiles, so a narrow C (n < 16, such as a 10-class output
 * layer) would be mostly padding: the product is then done as Cᵀ = op(B)ᵀ·op(A)ᵀ (the operands swap
 * roles and transpose flags, which packing makes free) with the tiles stored transposed into C.
 */
export function gemmWasm(rt: WasmRuntime, g: GemmF32Args, threads: number): void {
  const { m, n, k } = g;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!g.accumulate) zeroRows(g.c, g.cOffset, g.ldc, m, n);
    return;
  }
  // Tile area with padding, as computed and as transposed: the kernel's work either way. Transposed
  // tiles are stored element by element, so only a clear saving pays (n < 16 and m well above it).
  const swap = 4 * paddedArea(n, m) <= 3 * paddedArea(m, n);
  const km = swap ? n : m, kn = swap ? m : n;
  const pairs = Math.ceil(km / TILE_ROWS), panels = Math.ceil(kn / TILE_COLS);
  const fused = pairs <= gemmTuning.fusedMaxPairs;
  const computeChunks = fused ? panels : Math.max(pairs, panels);
  const nt = m * n * k >= gemmTuning.parallelMinMacs ? Math.min(threads, MAX_THREADS, computeChunks) : 1;
  const threaded = nt > 1 && rt.pool.wanted() && rt.pool.ensure(nt - 1);

  // The kernel's operands: op(A) and op(B), or with `swap` op(B)ᵀ and op(A)ᵀ (each the caller's
  // array read with the opposite flag), as stored: rows × cols with a row stride.
  const callerA: Stored = { array: g.a, offset: g.aOffset, rows: g.transA ? k : m, cols: g.transA ? m : k, ld: g.lda };
  const callerB: Stored = { array: g.b, offset: g.bOffset, rows: g.transB ? n : k, cols: g.transB ? k : n, ld: g.ldb };
  const [kernelA, kernelB] = swap ? [callerB, callerA] : [callerA, callerB];
  const ta = swap ? !g.transB : g.transA, tb = swap ? !g.transA : g.transB;
  // With FUSED, a panel of the kernel's B is read only by the chunk that packs it; stored
  // transposed, the panel is TILE_COLS consecutive rows. Then the B copy can be streamed in while the
  // workers already pack and multiply the panels copied so far.
  const streamable = threaded && fused && tb;

  // An operand that already lives in the wasm memory (see WasmRuntime.resident) is read, or for C
  // written, where it is; the others are copied into this call's area of the memory.
  const space = new Layout(rt, threaded);
  const a = space.operand(kernelA, "copy");
  const b = space.operand(kernelB, streamable ? "stream" : "copy");
  const stream = streamable && !b.inPlace;
  const aPacked = space.take(pairs * TILE_ROWS * k);
  const bPacked = space.take(panels * TILE_COLS * k);
  // C is written in place only if that cannot overwrite an input before the kernel has read it.
  const cAliases = sharesMemory(g.c, g.a) || sharesMemory(g.c, g.b);
  const cStored: Stored = { array: g.c, offset: g.cOffset, rows: m, cols: n, ld: g.ldc };
  const c = space.operand(cStored, g.accumulate ? "copy" : "none", !cAliases);
  space.commit();
  const overlapCopyOut = threaded && !fused && !swap && !c.inPlace && k <= gemmTuning.overlapCopyOutMaxK;

  const job = rt.job;
  job[JOB.OP] = OP_GEMM;
  job[JOB.NT] = threaded ? nt : 1;
  job[JOB.M] = km; job[JOB.N] = kn; job[JOB.K] = k;
  job[JOB.A] = a.ptr; job[JOB.LDA] = a.ld; job[JOB.TA] = ta ? 1 : 0;
  job[JOB.B] = b.ptr; job[JOB.LDB] = b.ld; job[JOB.TB] = tb ? 1 : 0;
  job[JOB.AP] = aPacked.ptr; job[JOB.BP] = bPacked.ptr;
  job[JOB.C] = c.ptr; job[JOB.LDC] = c.ld; job[JOB.ACC] = g.accumulate ? 1 : 0;
  job[JOB.TC] = swap ? 1 : 0;
  job[JOB.FUSED] = fused ? 1 : 0;
  job[JOB.KC] = gemmTuning.kc;
  job[JOB.SCRATCH] = rt.scratchOffset;
  job[JOB.READY] = stream ? 0 : kernelB.rows;
  job[JOB.BY_ROWS] = overlapCopyOut ? 1 : 0;
  job[JOB.ROW_BLOCKS] = Math.min(MAX_ROW_BLOCKS, gemmTuning.rowBlocks);
  if (threaded) {
    const packFloats = (TILE_ROWS * pairs + (fused ? 0 : TILE_COLS * panels)) * k;
    if (packFloats >= gemmTuning.parallelMinPack) {
      job[JOB.PHASE] = PHASE_PACK;
      rt.pool.run(nt);
    } else {
      rt.kernels.runPhase(rt.jobOffset, PHASE_PACK);
    }
    job[JOB.PHASE] = PHASE_COMPUTE;
    if (overlapCopyOut) {
      const out = new FinishedBlocks(rt, c, cStored);
      rt.pool.run(nt, undefined, () => out.copy());
      out.copy();
      return;
    }
    rt.pool.run(nt, stream ? () => streamIn(rt, b, kernelB) : undefined);
  } else {
    rt.kernels.gemm(rt.jobOffset);
  }
  if (!c.inPlace) copyOut(rt.f32, c, cStored, 0, m);
}

/** Copies `from` into its place panel by panel (TILE_COLS stored rows), publishing in JOB.READY how many rows are in. */
function streamIn(rt: WasmRuntime, to: Placed, from: Stored): void {
  for (let r0 = 0; r0 < from.rows; r0 += TILE_COLS) {
    const r1 = Math.min(from.rows, r0 + TILE_COLS);
    copyIn(rt.f32, to, from, r0, r1);
    Atomics.store(rt.job, JOB.READY, r1);
  }
}

/** Copies the row blocks of C that BY_ROWS compute chunks have finished (JOB.FINISHED) back to the caller, each once. */
class FinishedBlocks {
  private copied = 0;

  constructor(private readonly rt: WasmRuntime, private readonly from: Placed, private readonly to: Stored) {}

  copy(): void {
    const job = this.rt.job;
    const fresh = Atomics.load(job, JOB.FINISHED) & ~this.copied;
    if (fresh === 0) return;
    this.copied |= fresh;
    const rows = TILE_ROWS * job[JOB.GROUP];
    for (let block = 0; block < MAX_ROW_BLOCKS; block++) {
      if (fresh & (1 << block)) copyOut(this.rt.f32, this.from, this.to, block * rows, Math.min(this.to.rows, (block + 1) * rows));
    }
  }
}

/** A matrix as the caller stores it: rows × cols floats at array[offset], rows `ld` floats apart. */
interface Stored { array: Float32Array; offset: number; rows: number; cols: number; ld: number }

/** Where an operand is for the kernel: its byte address, its row stride in floats, and whether that is the caller's own array. */
interface Placed { ptr: number; ld: number; inPlace: boolean }

/** How an operand's values get into the wasm memory: copied now, streamed in later (streamIn), or not at all (an output). */
type Fill = "copy" | "stream" | "none";

/**
 * One call's area of the wasm memory (WasmRuntime.scratch), laid out block by block: pointers are
 * relative until `commit` places the area, grows the memory and copies the operands in.
 */
class Layout {
  private bytes = 0;
  private readonly relative: Placed[] = [];
  private readonly copies: (() => void)[] = [];

  constructor(private readonly rt: WasmRuntime, private readonly shared: boolean) {}

  /** Room for `matrix`, filled as `fill` says; if it lives in the wasm memory (and `inPlaceOk`), its own place instead. */
  operand(matrix: Stored, fill: Fill, inPlaceOk = true): Placed {
    const home = this.rt.addressOf(matrix.array);
    if (home >= 0 && inPlaceOk) return { ptr: home + 4 * matrix.offset, ld: matrix.ld, inPlace: true };
    const ld = compactLd(matrix.rows, matrix.cols, matrix.ld);
    const placed = this.take((matrix.rows - 1) * ld + matrix.cols);
    placed.ld = ld;
    if (fill === "copy") this.copies.push(() => copyIn(this.rt.f32, placed, matrix, 0, matrix.rows));
    return placed;
  }

  /** A block of `floats` floats, 64-byte aligned (its ptr is final after `commit`). */
  take(floats: number): Placed {
    const placed = { ptr: this.bytes, ld: 0, inPlace: false };
    this.bytes = align64(this.bytes + 4 * floats);
    this.relative.push(placed);
    return placed;
  }

  commit(): void {
    const base = this.rt.scratch(this.bytes, this.shared);
    for (const placed of this.relative) placed.ptr += base;
    for (const copy of this.copies) copy();
  }
}

/** Elements of an r × c product the kernel computes: whole tiles (row pairs times 16-wide panels). */
function paddedArea(r: number, c: number): number {
  return Math.ceil(r / TILE_ROWS) * TILE_ROWS * Math.ceil(c / TILE_COLS) * TILE_COLS;
}

/** Keep the source's row stride when the gaps between rows are small (one bulk copy), else pack rows tightly. */
function compactLd(rows: number, cols: number, ld: number): number {
  if (rows <= 1) return cols;
  return ld - cols <= cols ? ld : cols;
}

/** Copies rows [r0, r1) of `from` into the wasm memory at `to`. */
function copyIn(mem: Float32Array, to: Placed, from: Stored, r0: number, r1: number): void {
  const at = to.ptr >> 2, { array, offset, cols, ld } = from;
  if (to.ld === ld || r1 - r0 === 1) {
    mem.set(array.subarray(offset + r0 * ld, offset + (r1 - 1) * ld + cols), at + r0 * to.ld);
    return;
  }
  for (let r = r0; r < r1; r++) mem.set(array.subarray(offset + r * ld, offset + r * ld + cols), at + r * to.ld);
}

/** Copies rows [r0, r1) of C from the wasm memory at `from` back to the caller's array. */
function copyOut(mem: Float32Array, from: Placed, to: Stored, r0: number, r1: number): void {
  const at = from.ptr >> 2, { array, offset, cols, ld } = to;
  // One bulk copy only when there are no gaps between rows: a gap in the caller's array may belong to another view.
  if ((ld === cols && from.ld === cols) || r1 - r0 === 1) {
    array.set(mem.subarray(at + r0 * from.ld, at + (r1 - 1) * from.ld + cols), offset + r0 * ld);
    return;
  }
  for (let r = r0; r < r1; r++) array.set(mem.subarray(at + r * from.ld, at + r * from.ld + cols), offset + r * ld);
}
