// WebAssembly SIMD kernels (AssemblyScript): a packed, register-tiled f32 GEMM split across threads,
// ReLU, and (re-exported from assembly/optim/, one file each) the optimizers' SIMD twins.
//
// Built by scripts/build-wasm.mjs into build/wasm/kernels.wasm. The memory is imported and shared:
// every thread instantiates this module on the same WebAssembly.Memory, and the TypeScript host
// (src/kernels/wasm/) lays out the operands and writes a job descriptor that all threads read.
//
// C = op(A)·op(B) (+ C) is done in two phases, each cut into chunks that threads claim in turn:
//   pack     A into row pairs  Ap[i/2][p][i%2]   (2 floats per k step: one load per row, splat)
//            B into panels     Bp[j/16][p][j%16] (16 floats per k step: four f32x4 loads)
//            reading either layout of each operand, so the transposes cost no more than a copy;
//   compute  a 2×16 register tile: 2 rows of A times 4 f32x4 of B into 8 f32x4 accumulators
//            (8 + 4 + 2 = 14 of the 16 SIMD registers). Unrolling the k loop was slower.
// With FUSED (few rows: every panel meets only a handful of tiles) the pack phase packs A alone and
// each compute chunk packs its own panel of B just before using it, while it is in L1. With TC the
// tiles are stored transposed (C[j][i] for tile element (i, j)): the host computes Cᵀ = op(B)ᵀ·op(A)ᵀ
// when that wastes less of the 16-wide panels (n < 16), and the tile's transpose lands in C.
// With BY_ROWS each compute chunk is a block of rows across every panel instead, so that the host
// can copy finished blocks of C out while the rest is computed.
// Any thread may take any chunk (see `run`), so a thread the OS deschedules delays no one.

import {
  A, ACC, AP, B, BP, BY_ROWS, C, CHUNKS, DONE, FINISHED, FUSED, GROUP, K, KC, LDA, LDB, LDC, M, N, NEXT, NT,
  PHASE, PHASE_COMPUTE, PHASE_PACK, READY, ROW_BLOCKS, SCRATCH, TA, TB, TC, TILE_BYTES, TILE_COLS, TILE_ROWS,
} from "./protocol";

/** Bytes per k step of a packed row pair of A and of a packed panel of B. */
const PAIR_STEP_BYTES: usize = TILE_ROWS * 4;
const PANEL_STEP_BYTES: usize = TILE_COLS * 4;
/** Bytes between the two rows of a tile in the edge-tile scratch. */
const TILE_ROW_BYTES: usize = TILE_COLS * 4;

/** Row pairs of A per pack chunk. */
const PACK_PAIRS: i32 = 16;

@inline function field(job: usize, f: i32): i32 {
  return load<i32>(job + (<usize>f << 2));
}

@inline function setField(job: usize, f: i32, value: i32): void {
  store<i32>(job + (<usize>f << 2), value);
}

/** Row pairs (tile rows) of an m-row operand, and 16-wide panels (tile columns) of an n-column one. */
@inline function pairsOf(m: i32): i32 {
  return <i32>(<u32>(m + TILE_ROWS - 1) / <u32>TILE_ROWS);
}

@inline function panelsOf(n: i32): i32 {
  return <i32>(<u32>(n + TILE_COLS - 1) / <u32>TILE_COLS);
}

/** Where the host may start laying out buffers (after this module's static data). */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * Splits the job's current phase into chunks (CHUNKS, GROUP) for `NT` threads and opens its work
 * queue under `tag`. Chunks are handed out dynamically, so a thread the OS has descheduled holds
 * up no one: the others take its share.
 */
export function prepare(job: usize, tag: i32): void {
  closeQueue(job);
  plan(job);
  setField(job, DONE, 0);
  setField(job, FINISHED, 0);
  atomic.store<i64>(job + (<usize>NEXT << 2), <i64>tag << 32);
}

/** Closes the work queue of the current phase: no thread claims a chunk of it after this (the host gives up on a failed job). */
export function cancel(job: usize): void {
  closeQueue(job);
}

/**
 * Closes the work queue before the chunks are re-planned. A worker that just finished the last
 * chunk of the previous phase may still be reading NEXT and CHUNKS: with the old tag still in NEXT
 * and a larger CHUNKS, it would claim a chunk of a job half rewritten. Tag 0 is never a phase's.
 */
function closeQueue(job: usize): void {
  atomic.store<i64>(job + (<usize>NEXT << 2), 0);
}

function plan(job: usize): void {
  const m = field(job, M), n = field(job, N), nt = field(job, NT);
  const pairs = pairsOf(m), panels = panelsOf(n);
  const fused = field(job, FUSED) != 0;
  if (field(job, PHASE) == PHASE_PACK) {
    setField(job, CHUNKS, (pairs + PACK_PAIRS - 1) / PACK_PAIRS + (fused ? 0 : panels));
  } else if (fused) {
    // A panel per chunk, packed and then multiplied by all the rows.
    setField(job, GROUP, pairs);
    setField(job, CHUNKS, panels);
  } else if (field(job, BY_ROWS) != 0) {
    const group = (pairs + field(job, ROW_BLOCKS) - 1) / field(job, ROW_BLOCKS);
    setField(job, GROUP, group);
    setField(job, CHUNKS, (pairs + group - 1) / group);
  } else {
    // One 16-wide panel per chunk; split the rows too when there are few panels to go round.
    const groups = min(pairs, max(1, (4 * nt + panels - 1) / panels));
    const group = (pairs + groups - 1) / groups;
    setField(job, GROUP, group);
    setField(job, CHUNKS, panels * ((pairs + group - 1) / group));
  }
}

/**
 * Every thread's entry point (the caller is thread 0): claims chunks of the current phase until
 * none are left. `tag` is the phase's sequence number; a thread that wakes late, after the phase
 * it was called for has ended, finds another tag in NEXT and does nothing. Returns the chunks it did.
 */
export function run(job: usize, tid: i32, tag: i32): i32 {
  let claimed = 0;
  while (runOne(job, tid, tag) >= 0) claimed++;
  return claimed;
}

/** Claims one chunk of the current phase and does it, as `run` does; returns its index, or -1 if none was left. */
export function runOne(job: usize, tid: i32, tag: i32): i32 {
  const next = job + (<usize>NEXT << 2);
  let word = atomic.load<i64>(next);
  while (<i32>(word >>> 32) == tag && <i32>word < field(job, CHUNKS)) {
    if (atomic.cmpxchg<i64>(next, word, word + 1) == word) {
      runChunk(job, <i32>word, tid);
      atomic.add<i32>(job + (<usize>DONE << 2), 1);
      return <i32>word;
    }
    word = atomic.load<i64>(next);
  }
  return -1;
}

/** The whole GEMM on the calling thread. */
export function gemm(job: usize): void {
  setField(job, NT, 1);
  runPhase(job, PHASE_PACK);
  runPhase(job, PHASE_COMPUTE);
}

/** One phase of the job, all of it on the calling thread (for a pack phase too small to share). */
export function runPhase(job: usize, phase: i32): void {
  closeQueue(job);
  setField(job, PHASE, phase);
  plan(job);
  const chunks = field(job, CHUNKS);
  for (let chunk = 0; chunk < chunks; chunk++) runChunk(job, chunk, 0);
}

function runChunk(job: usize, chunk: i32, tid: i32): void {
  const m = field(job, M), n = field(job, N);
  const pairs = pairsOf(m), panels = panelsOf(n);
  if (field(job, PHASE) == PHASE_PACK) {
    const aChunks = (pairs + PACK_PAIRS - 1) / PACK_PAIRS;
    if (chunk < aChunks) packA(job, chunk * PACK_PAIRS, min(pairs, (chunk + 1) * PACK_PAIRS));
    else packB(job, chunk - aChunks, chunk - aChunks + 1);
  } else if (field(job, BY_ROWS) != 0) {
    const first = chunk * field(job, GROUP);
    compute(job, 0, panels, first, min(pairs, first + field(job, GROUP)), tid);
    atomic.or<i32>(job + (<usize>FINISHED << 2), 1 << chunk);
  } else {
    const group = field(job, GROUP);
    const groups = (pairs + group - 1) / group;
    const panel = chunk / groups, first = (chunk % groups) * group;
    if (field(job, FUSED) != 0) {
      awaitPanel(job, panel);
      packB(job, panel, panel + 1);
    }
    compute(job, panel, panel + 1, first, min(pairs, first + group), tid);
  }
}

/**
 * Waits until the host has copied in the rows of B that panel `jp` reads. With FUSED the host may
 * stream B in while the compute phase runs (other threads pack and multiply the first panels as
 * the rest is still being copied); READY counts the stored rows copied so far.
 */
function awaitPanel(job: usize, jp: i32): void {
  const need = field(job, TB) != 0 ? min(field(job, N), (jp + 1) * TILE_COLS) : field(job, K);
  while (atomic.load<i32>(job + (<usize>READY << 2)) < need) {}
}

/** Packs row pairs [pair0, pair1) of op(A). */
function packA(job: usize, pair0: i32, pair1: i32): void {
  const m = field(job, M), k = field(job, K);
  const a = <usize>field(job, A), lda = <usize>field(job, LDA), trans = field(job, TA) != 0;
  const ap = <usize>field(job, AP);
  for (let ip = pair0; ip < pair1; ip++) {
    const r0 = <usize>(ip * TILE_ROWS);
    const full = <i32>r0 + 1 < m;
    let dst = ap + <usize>ip * <usize>k * PAIR_STEP_BYTES;
    if (!trans) {
      // Row-major A: interleave rows r0 and r0+1, four k steps at a time.
      const s0 = a + (r0 * lda << 2);
      const s1 = s0 + (lda << 2);
      let p = 0;
      if (full) {
        for (; p + 4 <= k; p += 4) {
          const v0 = v128.load(s0 + (<usize>p << 2));
          const v1 = v128.load(s1 + (<usize>p << 2));
          v128.store(dst, i32x4.shuffle(v0, v1, 0, 4, 1, 5));
          v128.store(dst, i32x4.shuffle(v0, v1, 2, 6, 3, 7), 16);
          dst += 32;
        }
      }
      for (; p < k; p++) {
        store<f32>(dst, load<f32>(s0 + (<usize>p << 2)));
        store<f32>(dst, full ? load<f32>(s1 + (<usize>p << 2)) : 0, 4);
        dst += 8;
      }
    } else {
      // Aᵀ stored row-major (k × m): rows r0 and r0+1 of A are adjacent in each stored row.
      let src = a + (r0 << 2);
      const step = lda << 2;
      if (full) {
        for (let p = 0; p < k; p++) {
          store<u64>(dst, load<u64>(src));
          src += step;
          dst += 8;
        }
      } else {
        for (let p = 0; p < k; p++) {
          store<f32>(dst, load<f32>(src));
          store<f32>(dst, 0, 4);
          src += step;
          dst += 8;
        }
      }
    }
  }
}

/** Packs 16-column panels [panel0, panel1) of op(B). */
function packB(job: usize, panel0: i32, panel1: i32): void {
  const n = field(job, N), k = field(job, K);
  const b = <usize>field(job, B), ldb = <usize>field(job, LDB), trans = field(job, TB) != 0;
  const bp = <usize>field(job, BP);
  for (let jp = panel0; jp < panel1; jp++) {
    const c0 = <usize>(jp * TILE_COLS);
    const width = min(TILE_COLS, n - <i32>c0);
    const dst = bp + <usize>jp * <usize>k * PANEL_STEP_BYTES;
    if (!trans) {
      // Row-major B (k × n): each k step of the panel is 16 contiguous floats.
      let src = b + (c0 << 2);
      const step = ldb << 2;
      let d = dst;
      if (width == TILE_COLS) {
        for (let p = 0; p < k; p++) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          v128.store(d, v128.load(src, 32), 32);
          v128.store(d, v128.load(src, 48), 48);
          src += step;
          d += PANEL_STEP_BYTES;
        }
      } else {
        for (let p = 0; p < k; p++) {
          for (let c = 0; c < TILE_COLS; c++) store<f32>(d + (<usize>c << 2), c < width ? load<f32>(src + (<usize>c << 2)) : 0);
          src += step;
          d += PANEL_STEP_BYTES;
        }
      }
    } else {
      // Bᵀ stored row-major (n × k): gather 4×4 blocks and transpose them in registers.
      let p = 0;
      if (width == TILE_COLS) {
        for (; p + 4 <= k; p += 4) {
          const d = dst + <usize>p * PANEL_STEP_BYTES;
          for (let g: usize = 0; g < 4; g++) {
            const s = b + (((c0 + (g << 2)) * ldb + <usize>p) << 2);
            const r0 = v128.load(s);
            const r1 = v128.load(s + (ldb << 2));
            const r2 = v128.load(s + (ldb << 3));
            const r3 = v128.load(s + (ldb * 12));
            const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
            const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
            const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
            const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
            const o = d + (g << 4);
            v128.store(o, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
            v128.store(o, i32x4.shuffle(t0, t2, 2, 3, 6, 7), 64);
            v128.store(o, i32x4.shuffle(t1, t3, 0, 1, 4, 5), 128);
            v128.store(o, i32x4.shuffle(t1, t3, 2, 3, 6, 7), 192);
          }
        }
      }
      for (; p < k; p++) {
        const d = dst + <usize>p * PANEL_STEP_BYTES;
        for (let c = 0; c < TILE_COLS; c++) {
          store<f32>(d + (<usize>c << 2), c < width ? load<f32>(b + (((c0 + <usize>c) * ldb + <usize>p) << 2)) : 0);
        }
      }
    }
  }
}

/** C (+)= rows [2·pair0, 2·pair1) of op(A) times panels [jp0, jp1) of op(B), in k-blocks of KC. */
function compute(job: usize, jp0: i32, jp1: i32, pair0: i32, pair1: i32, tid: i32): void {
  const m = field(job, M), n = field(job, N), k = field(job, K);
  const ap = <usize>field(job, AP), bp = <usize>field(job, BP);
  const c = <usize>field(job, C), ldc = <usize>field(job, LDC);
  const accumulate = field(job, ACC) != 0;
  const kc = field(job, KC);
  const scratch = <usize>field(job, SCRATCH) + <usize>tid * TILE_BYTES;
  // Strides in floats of C between the tile's rows and between its columns.
  const transC = field(job, TC) != 0;
  const rs = transC ? 1 : ldc, cs = transC ? ldc : 1;
  for (let kb = 0; kb < k; kb += kc) {
    const kl = min(kc, k - kb);
    const addC = accumulate || kb > 0;
    for (let jp = jp0; jp < jp1; jp++) {
      const col = <usize>(jp * TILE_COLS);
      const width = min(TILE_COLS, n - <i32>col);
      const b = bp + (<usize>jp * <usize>k + <usize>kb) * PANEL_STEP_BYTES;
      for (let ip = pair0; ip < pair1; ip++) {
        const a = ap + (<usize>ip * <usize>k + <usize>kb) * PAIR_STEP_BYTES;
        const row = <usize>(ip * TILE_ROWS);
        const c0 = c + ((row * rs + col * cs) << 2);
        if (width == TILE_COLS && <i32>row + 1 < m && !transC) {
          tile(a, b, kl, c0, c0 + (ldc << 2), addC);
        } else {
          edgeTile(a, b, kl, c0, rs, cs, width, min(TILE_ROWS, m - <i32>row), addC, scratch);
        }
      }
    }
  }
}

/**
 * x + a·b, lane by lane: one fused multiply-add in the relaxed-SIMD build (kernels-relaxed.wasm, for
 * runtimes that validate f32x4.relaxed_madd), a multiply then an add in the portable build.
 */
@inline function madd(x: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, x);
  return f32x4.add(x, f32x4.mul(a, b));
}

/** The micro-kernel: c0[0..16) and c1[0..16) (+)= two rows of A times a 16-wide panel of B. */
@inline function tile(a: usize, b: usize, kc: i32, c0: usize, c1: usize, addC: bool): void {
  let x0 = f32x4.splat(0), x1 = x0, x2 = x0, x3 = x0;
  let y0 = x0, y1 = x0, y2 = x0, y3 = x0;
  if (addC) {
    x0 = v128.load(c0); x1 = v128.load(c0, 16); x2 = v128.load(c0, 32); x3 = v128.load(c0, 48);
    y0 = v128.load(c1); y1 = v128.load(c1, 16); y2 = v128.load(c1, 32); y3 = v128.load(c1, 48);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
    const a0 = v128.load32_splat(a), a1 = v128.load32_splat(a, 4);
    x0 = madd(x0, a0, b0); x1 = madd(x1, a0, b1); x2 = madd(x2, a0, b2); x3 = madd(x3, a0, b3);
    y0 = madd(y0, a1, b0); y1 = madd(y1, a1, b1); y2 = madd(y2, a1, b2); y3 = madd(y3, a1, b3);
    a += PAIR_STEP_BYTES;
    b += PANEL_STEP_BYTES;
  }
  v128.store(c0, x0); v128.store(c0, x1, 16); v128.store(c0, x2, 32); v128.store(c0, x3, 48);
  v128.store(c1, y0); v128.store(c1, y1, 16); v128.store(c1, y2, 32); v128.store(c1, y3, 48);
}

/**
 * A tile at the right or bottom edge, or stored transposed: run the full tile on a 2×16 scratch and
 * copy back the part inside C, tile element (r, j) at c0 + r·rs + j·cs floats.
 */
function edgeTile(a: usize, b: usize, kc: i32, c0: usize, rs: usize, cs: usize, width: i32, rows: i32, addC: bool, scratch: usize): void {
  if (addC) {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++) store<f32>(scratch + (<usize>(r * TILE_COLS + j) << 2), load<f32>(c0 + ((<usize>r * rs + <usize>j * cs) << 2)));
    }
  }
  tile(a, b, kc, scratch, scratch + TILE_ROW_BYTES, addC);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) store<f32>(c0 + ((<usize>r * rs + <usize>j * cs) << 2), load<f32>(scratch + (<usize>(r * TILE_COLS + j) << 2)));
  }
}

/** out = x > 0 ? x : 0 (NaN gives 0, as the JS loop), four lanes at a time. */
export function relu(x: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    v128.store(out + o, v128.and(v, f32x4.gt(v, zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(out + o, v > 0 ? v : 0);
  }
}

/** gx = y > 0 ? g : 0, the gradient of relu given its output y. */
export function reluBackward(y: usize, g: usize, gx: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(gx + o, v128.and(v128.load(g + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(gx + o, load<f32>(y + o) > 0 ? load<f32>(g + o) : 0);
  }
}

// The optimizers' SIMD twins, one file each (their args records: src/optim/simd-abi.ts).
export { sgdStep } from "./optim/sgd";
export { adagradStep } from "./optim/adagrad";
export { adadeltaStep } from "./optim/adadelta";
export { rmspropStep } from "./optim/rmsprop";
export { adamStep } from "./optim/adam";
export { adamaxStep } from "./optim/adamax";
export { nadamStep } from "./optim/nadam";

// The sliding-window twins: conv2d's column packing and max pooling (args records: src/kernels/window-abi.ts).
export { im2col, col2im } from "./conv";
export { maxPool } from "./pool";

// Batch and layer norm's per-channel loops (args records: src/kernels/norm-abi.ts).
export { channelMoments, channelGradSums, affineChannels, normalizeBackward } from "./norm";
