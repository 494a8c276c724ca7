// conv2d's column packing in WebAssembly SIMD: im2col and its adjoint col2im, twins of the reference
// loops in src/kernels/conv.ts (same walk, same order of additions), on float32 in the wasm memory.

import { ColumnArgs as A } from "../src/kernels/window-abi";
import { arg } from "./args";

/** cols ← the column matrix of group `group` of the image (padding taps zero); the args record is at `a`. */
export function im2col(a: usize): void {
  moveColumns(a, false);
}

/** image += every entry of cols, onto the element im2col copied it from. */
export function col2im(a: usize): void {
  moveColumns(a, true);
}

/** First output position whose tap at `start` + xo·s lies inside [0, size), and one past the last (see validRange in src/kernels/conv.ts). */
@inline function firstInside(start: i32, s: i32): i32 {
  return start >= 0 ? 0 : (-start + s - 1) / s;
}

@inline function endInside(size: i32, out: i32, start: i32, s: i32): i32 {
  return size - 1 - start < 0 ? 0 : min(out, (size - 1 - start) / s + 1);
}

@inline function moveColumns(a: usize, adjoint: bool): void {
  const image = <usize>arg(a, A.image), cols = <usize>arg(a, A.cols);
  const n = arg(a, A.n), c = arg(a, A.c), h = arg(a, A.h), w = arg(a, A.w), groups = arg(a, A.groups);
  const kh = arg(a, A.kh), kw = arg(a, A.kw), sh = arg(a, A.sh), sw = arg(a, A.sw);
  const ph = arg(a, A.ph), pw = arg(a, A.pw), dh = arg(a, A.dh), dw = arg(a, A.dw);
  const oh = arg(a, A.oh), ow = arg(a, A.ow), group = arg(a, A.group);
  const cg = c / groups, ohw = oh * ow, width = n * ohw;
  for (let ci = 0; ci < cg; ci++) {
    for (let i = 0; i < kh; i++) {
      const yStart = i * dh - ph;
      const yHi = endInside(h, oh, yStart, sh), yLo = min(firstInside(yStart, sh), yHi);
      for (let j = 0; j < kw; j++) {
        const ix0 = j * dw - pw;
        const hi = endInside(w, ow, ix0, sw), lo = min(firstInside(ix0, sw), hi);
        const row = ((ci * kh + i) * kw + j) * width;
        for (let b = 0; b < n; b++) {
          const plane = (b * c + group * cg + ci) * h * w;
          const base = cols + (<usize>(row + b * ohw) << 2);
          if (!adjoint) {
            memory.fill(base, 0, <usize>(yLo * ow) << 2);
            memory.fill(base + (<usize>(yHi * ow) << 2), 0, <usize>((oh - yHi) * ow) << 2);
          }
          for (let y = yLo; y < yHi; y++) {
            const seg = base + (<usize>(y * ow) << 2);
            const src = image + (<usize>(plane + (y * sh - ph + i * dh) * w + ix0) << 2);
            if (adjoint) addRun(src, sw, seg, lo, hi);
            else copyRun(src, sw, seg, lo, hi, ow);
          }
        }
      }
    }
  }
}

/** seg[xo] = src[xo·s] for xo in [lo, hi), zero for the rest of [0, ow). */
@inline function copyRun(src: usize, s: i32, seg: usize, lo: i32, hi: i32, ow: i32): void {
  for (let xo = 0; xo < lo; xo++) store<f32>(seg + (<usize>xo << 2), 0);
  let xo = lo;
  if (s == 1) {
    for (; xo + 4 <= hi; xo += 4) v128.store(seg + (<usize>xo << 2), v128.load(src + (<usize>xo << 2)));
  }
  for (; xo < hi; xo++) store<f32>(seg + (<usize>xo << 2), load<f32>(src + (<usize>(xo * s) << 2)));
  for (xo = hi; xo < ow; xo++) store<f32>(seg + (<usize>xo << 2), 0);
}

/** src[xo·s] += seg[xo] for xo in [lo, hi). */
@inline function addRun(src: usize, s: i32, seg: usize, lo: i32, hi: i32): void {
  let xo = lo;
  if (s == 1) {
    for (; xo + 4 <= hi; xo += 4) {
      const at = src + (<usize>xo << 2);
      v128.store(at, f32x4.add(v128.load(at), v128.load(seg + (<usize>xo << 2))));
    }
  }
  for (; xo < hi; xo++) {
    const at = src + (<usize>(xo * s) << 2);
    store<f32>(at, load<f32>(at) + load<f32>(seg + (<usize>xo << 2)));
  }
}
