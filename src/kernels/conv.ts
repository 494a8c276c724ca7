// 2-D convolution as GEMM over row-major typed arrays: im2col / col2im packing and the products around them.

import { activeWasm } from "./backend.ts";
import { ColumnArgs } from "./window-abi.ts";
import { allocateLongLived, gemm } from "./index.ts";
import type { FloatArray } from "./float-array.ts";
import type { WasmRuntime } from "./wasm/runtime.ts";

/** Workspaces larger than this are not kept between calls (an eval batch of 1000 images would pin ~80 MB). */
const MAX_KEPT_BYTES = 32 * 2 ** 20;
const kept32: Float32Array[] = [];
const kept64: Float64Array[] = [];

/**
 * Scratch of n elements for one call, reused by the next call that asks for the same slot (so its
 * contents do not survive the call). Reuse spares the garbage collector two large arrays per conv
 * and step; float32 workspaces live in the wasm memory, where GEMM reads and writes them in place.
 */
function workspace(slot: number, n: number, like: FloatArray): FloatArray {
  const f64 = like instanceof Float64Array;
  const bytes = n * (f64 ? 8 : 4);
  const kept = f64 ? kept64 : kept32;
  if (bytes > MAX_KEPT_BYTES) return f64 ? new Float64Array(n) : new Float32Array(n);
  // A float32 workspace made on the js backend is made again in the wasm memory once that is in use.
  const rt = f64 ? null : activeWasm();
  const misplaced = rt !== null && kept[slot] !== undefined && rt.addressOf(kept[slot] as Float32Array) < 0;
  if (misplaced || (kept[slot]?.length ?? -1) < n) kept[slot] = f64 ? new Float64Array(n) : allocateLongLived(n);
  return kept[slot].subarray(0, n);
}

/** Every size of one conv2d call: input [n, c, h, w], weight [o, c/groups, kh, kw], output [n, o, oh, ow]. */
export interface ConvGeometry {
  n: number; c: number; h: number; w: number;
  o: number; groups: number;
  kh: number; kw: number;
  sh: number; sw: number;
  ph: number; pw: number;
  dh: number; dw: number;
  oh: number; ow: number;
}

/** Output positions along one axis: floor((size + 2p − d·(k − 1) − 1) / s) + 1 (PyTorch's formula). */
export function convOutputSize(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/** Rows of one group's column matrix: (c/groups)·kh·kw, the length of one dot product. */
function columnRows(g: ConvGeometry): number {
  return (g.c / g.groups) * g.kh * g.kw;
}

/** Columns of the column matrix: one per output position of the whole batch, n·oh·ow. */
function columnCount(g: ConvGeometry): number {
  return g.n * g.oh * g.ow;
}

/**
 * The output positions xo in [lo, hi) whose input column xo·s − p + j·d lies inside [0, size):
 * outside them the window reads zero padding.
 */
function validRange(size: number, out: number, s: number, start: number): [lo: number, hi: number] {
  const lo = start >= 0 ? 0 : Math.ceil(-start / s);
  const hi = size - 1 - start < 0 ? 0 : Math.min(out, Math.floor((size - 1 - start) / s) + 1);
  return [Math.min(lo, hi), hi];
}

/**
 * Copies group `group` of x into cols [(c/groups)·kh·kw, n·oh·ow]: row (ci·kh + i)·kw + j holds, for
 * every output position, the input element that kernel tap (i, j) of channel ci multiplies
 * (zero where the tap falls in the padding). Then out = W·cols is the convolution.
 */
export function im2col(x: FloatArray, g: ConvGeometry, group: number, cols: FloatArray): void {
  moveColumns(x, cols, g, group, false);
}

/** The adjoint of im2col: adds every entry of cols back onto the input element it was copied from. */
export function col2im(cols: FloatArray, g: ConvGeometry, group: number, dx: FloatArray): void {
  moveColumns(dx, cols, g, group, true);
}

/**
 * The one walk behind im2col (cols ← image, padding zeroed) and col2im (image += cols): for every
 * kernel tap and output row, the run of output columns whose input lies inside the image.
 */
function moveColumns(image: FloatArray, cols: FloatArray, g: ConvGeometry, group: number, adjoint: boolean): void {
  const { n, c, h, w, groups, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const cg = c / groups;
  const ohw = oh * ow;
  const width = n * ohw;
  for (let ci = 0; ci < cg; ci++) {
    for (let i = 0; i < kh; i++) {
      const [yLo, yHi] = validRange(h, oh, sh, i * dh - ph);
      for (let j = 0; j < kw; j++) {
        const ix0 = j * dw - pw;
        const [lo, hi] = validRange(w, ow, sw, ix0);
        const row = ((ci * kh + i) * kw + j) * width;
        for (let b = 0; b < n; b++) {
          const plane = (b * c + group * cg + ci) * h * w;
          const base = row + b * ohw;
          if (!adjoint) {
            cols.fill(0, base, base + yLo * ow);
            cols.fill(0, base + yHi * ow, base + ohw);
          }
          for (let y = yLo; y < yHi; y++) {
            const seg = base + y * ow;
            const src = plane + (y * sh - ph + i * dh) * w + ix0;
            if (adjoint) {
              for (let xo = lo; xo < hi; xo++) image[src + xo * sw] += cols[seg + xo];
            } else {
              for (let xo = 0; xo < lo; xo++) cols[seg + xo] = 0;
              for (let xo = lo; xo < hi; xo++) cols[seg + xo] = image[src + xo * sw];
              for (let xo = hi; xo < ow; xo++) cols[seg + xo] = 0;
            }
          }
        }
      }
    }
  }
}

/**
 * Workspace slots: two for column matrices (used in turn, see packColumns), the product W·cols (or
 * the gradient gᵀ), the gradient of the columns, and an image copied into the wasm memory for the SIMD twins.
 */
const SLOT_COLUMNS = [0, 4] as const, SLOT_PRODUCT = 1, SLOT_COLUMN_GRAD = 2, SLOT_IMAGE = 3;

/** An image where the SIMD twins of im2col and col2im (assembly/conv.ts) reach it: in the wasm memory. */
interface StagedImage {
  rt: WasmRuntime;
  /** The image itself if it lives in the wasm memory, else a copy in a workspace there. */
  home: Float32Array;
}

/**
 * `image` staged for the twins moving columns to or from `cols` (copied in, when it is not in the
 * wasm memory already), or null where they cannot run: the js backend, float64, or a workspace too
 * large to keep in the wasm memory. The reference loops above then do the work.
 */
function stageImage(image: FloatArray, cols: FloatArray): StagedImage | null {
  const rt = activeWasm();
  if (!rt || !(image instanceof Float32Array) || !(cols instanceof Float32Array) || rt.addressOf(cols) < 0) return null;
  if (rt.addressOf(image) >= 0) return { rt, home: image };
  const home = workspace(SLOT_IMAGE, image.length, image) as Float32Array;
  if (rt.addressOf(home) < 0) return null;
  home.set(image);
  return { rt, home };
}

/** im2col (or with `adjoint`, col2im) of one group by the SIMD twin, between the staged image and cols (in the wasm memory). */
function moveColumnsTwin(staged: StagedImage, cols: Float32Array, g: ConvGeometry, group: number, adjoint: boolean): void {
  const { rt, home } = staged;
  const at = rt.scratch(4 * ColumnArgs.count, false);
  const args = new Int32Array(rt.f32.buffer, at, ColumnArgs.count);
  args[ColumnArgs.image] = rt.addressOf(home);
  args[ColumnArgs.cols] = rt.addressOf(cols);
  args[ColumnArgs.n] = g.n; args[ColumnArgs.c] = g.c; args[ColumnArgs.h] = g.h; args[ColumnArgs.w] = g.w;
  args[ColumnArgs.groups] = g.groups; args[ColumnArgs.kh] = g.kh; args[ColumnArgs.kw] = g.kw;
  args[ColumnArgs.sh] = g.sh; args[ColumnArgs.sw] = g.sw; args[ColumnArgs.ph] = g.ph; args[ColumnArgs.pw] = g.pw;
  args[ColumnArgs.dh] = g.dh; args[ColumnArgs.dw] = g.dw; args[ColumnArgs.oh] = g.oh; args[ColumnArgs.ow] = g.ow;
  args[ColumnArgs.group] = group;
  if (adjoint) rt.kernels.col2im(at);
  else rt.kernels.im2col(at);
}

/** Column matrices as packColumns left them, for the backward of the same conv to ask for again (columnsAgain). */
export interface PackedColumns {
  cols: FloatArray;
}

let columnTurn = 0;
/** What each of the two column workspaces holds now (null: nothing a backward may reuse). */
const columnsHeld: (PackedColumns | null)[] = [null, null];

/**
 * The column matrices of every group, one after another (groups · rows · columns), in a workspace.
 * Two workspaces take turns, and each remembers the packing it holds, so that a conv's backward
 * finds its forward's columns unchanged while at most one other conv ran in between (both of
 * LeNet-5's, in a training step) instead of packing them again.
 */
export function packColumns(x: FloatArray, g: ConvGeometry): PackedColumns {
  const size = columnRows(g) * columnCount(g);
  const turn = columnTurn;
  columnTurn ^= 1;
  const cols = workspace(SLOT_COLUMNS[turn], g.groups * size, x);
  const staged = stageImage(x, cols);
  for (let group = 0; group < g.groups; group++) {
    const block = cols.subarray(group * size, (group + 1) * size);
    if (staged) moveColumnsTwin(staged, block as Float32Array, g, group, false);
    else im2col(x, g, group, block);
  }
  const packed = { cols };
  // A workspace too large to keep is a fresh array each time: holding it would pin it, so it is packed again.
  columnsHeld[turn] = cols.byteLength <= MAX_KEPT_BYTES ? packed : null;
  return packed;
}

/** The columns `packed` holds if no packing has overwritten them since, else x's columns packed again. */
export function columnsAgain(x: FloatArray, g: ConvGeometry, packed: PackedColumns): FloatArray {
  return columnsHeld.includes(packed) ? packed.cols : packColumns(x, g).cols;
}

/**
 * out [n, o, oh·ow] = W·cols + bias, one product per group: W's group block [o/groups, rows] times
 * that group's columns gives [o/groups, n·oh·ow] in a workspace, which is then laid out batch-major.
 * The bias is written into the workspace first and the product accumulated onto it (rounded once,
 * as linearForward), so that laying out is a plain copy of each plane.
 */
export function convForward(cols: FloatArray, weight: FloatArray, bias: FloatArray | null, out: FloatArray, g: ConvGeometry): void {
  const rows = columnRows(g), width = columnCount(g), og = g.o / g.groups;
  const scratch = workspace(SLOT_PRODUCT, g.o * width, out);
  if (bias !== null) for (let oc = 0; oc < g.o; oc++) scratch.fill(bias[oc], oc * width, (oc + 1) * width);
  for (let group = 0; group < g.groups; group++) {
    gemm({ m: og, n: width, k: rows, a: weight, aOffset: group * og * rows, lda: rows, transA: false, b: cols, bOffset: group * rows * width, ldb: width, transB: false, c: scratch, cOffset: group * og * width, ldc: width, accumulate: bias !== null });
  }
  const ohw = g.oh * g.ow;
  for (let b = 0; b < g.n; b++) {
    for (let oc = 0; oc < g.o; oc++) out.set(scratch.subarray(oc * width + b * ohw, oc * width + (b + 1) * ohw), (b * g.o + oc) * ohw);
  }
}

/** The output gradient [n, o, oh·ow] laid out channel-major [o, n·oh·ow] in a workspace, as the products want it. */
export function channelMajor(grad: FloatArray, g: ConvGeometry): FloatArray {
  const ohw = g.oh * g.ow, width = columnCount(g);
  const gT = workspace(SLOT_PRODUCT, g.o * width, grad);
  for (let b = 0; b < g.n; b++) {
    for (let oc = 0; oc < g.o; oc++) gT.set(grad.subarray((b * g.o + oc) * ohw, (b * g.o + oc + 1) * ohw), oc * width + b * ohw);
  }
  return gT;
}

/** dW [o, rows] = gT·colsᵀ, per group (the batch and positions are the contracted dimension). */
export function convBackwardWeight(gT: FloatArray, cols: FloatArray, dw: FloatArray, g: ConvGeometry): void {
  const rows = columnRows(g), width = columnCount(g), og = g.o / g.groups;
  for (let group = 0; group < g.groups; group++) {
    gemm({ m: og, n: rows, k: width, a: gT, aOffset: group * og * width, lda: width, transA: false, b: cols, bOffset: group * rows * width, ldb: width, transB: true, c: dw, cOffset: group * og * rows, ldc: rows, accumulate: false });
  }
}

/** dx = col2im(Wᵀ·gT), per group. */
export function convBackwardInput(gT: FloatArray, weight: FloatArray, dx: FloatArray, g: ConvGeometry): void {
  const rows = columnRows(g), width = columnCount(g), og = g.o / g.groups;
  const dcols = workspace(SLOT_COLUMN_GRAD, rows * width, dx);
  const staged = stageImage(dx, dcols);
  for (let group = 0; group < g.groups; group++) {
    gemm({ m: rows, n: width, k: og, a: weight, aOffset: group * og * rows, lda: rows, transA: true, b: gT, bOffset: group * og * width, ldb: width, transB: false, c: dcols, cOffset: 0, ldc: width, accumulate: false });
    if (staged) moveColumnsTwin(staged, dcols as Float32Array, g, group, true);
    else col2im(dcols, g, group, dx);
  }
  if (staged && staged.home !== dx) dx.set(staged.home);
}

/**
 * db [o] = the sum of each row of gT [o, n·oh·ow], in float64: four partial sums, so that the
 * additions do not wait on one another (one running sum is bound by the latency of an add).
 */
export function convBackwardBias(gT: FloatArray, db: FloatArray, g: ConvGeometry): void {
  const width = columnCount(g);
  for (let oc = 0; oc < g.o; oc++) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let p = oc * width;
    const end = p + width;
    for (; p + 3 < end; p += 4) {
      s0 += gT[p];
      s1 += gT[p + 1];
      s2 += gT[p + 2];
      s3 += gT[p + 3];
    }
    for (; p < end; p++) s0 += gT[p];
    db[oc] = s0 + s1 + (s2 + s3);
  }
}
