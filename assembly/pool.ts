// Max pooling's forward pass in WebAssembly, twin of maxPoolForward in src/kernels/pool.ts (same
// windows, same tie and NaN rules), on float32 in the wasm memory.

import { MaxPoolArgs as A } from "../src/kernels/window-abi";
import { arg } from "./args";

/**
 * out = the max of each window, argmax = where it was (iy·w + ix within its plane); the args record
 * is at `a`. Padding is never chosen; ties keep the earliest element and the first NaN of a window
 * wins, as in the reference.
 */
export function maxPool(a: usize): void {
  const image = <usize>arg(a, A.image), out = <usize>arg(a, A.out), argmax = <usize>arg(a, A.argmax);
  const planes = arg(a, A.planes), h = arg(a, A.h), w = arg(a, A.w);
  const kh = arg(a, A.kh), kw = arg(a, A.kw), sh = arg(a, A.sh), sw = arg(a, A.sw);
  const ph = arg(a, A.ph), pw = arg(a, A.pw), oh = arg(a, A.oh), ow = arg(a, A.ow);
  // 2×2 windows side by side (LeNet's pooling): four outputs at a time in SIMD.
  const pairs = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = image + (<usize>(p * h * w) << 2);
    for (let y = 0; y < oh; y++) {
      const y0 = max(y * sh - ph, 0), y1 = min(y * sh - ph + kh, h);
      for (let x = 0; x < ow; x++, o++) {
        if (pairs && x + 4 <= ow) {
          maxPool2x2(plane + (<usize>(2 * y * w + 2 * x) << 2), w, 2 * y * w + 2 * x, out + (o << 2), argmax + (o << 2));
          x += 3;
          o += 3;
          continue;
        }
        const x0 = max(x * sw - pw, 0), x1 = min(x * sw - pw + kw, w);
        let best = -Infinity as f32;
        let at = y0 * w + x0;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const v = load<f32>(plane + (<usize>(iy * w + ix) << 2));
            // Without branches (random data mispredicts them): a larger value, or the first NaN, which then stays.
            const take = <bool>(<i32>(v > best) | (<i32>(v != v) & <i32>(best == best)));
            best = select<f32>(v, best, take);
            at = select<i32>(iy * w + ix, at, take);
          }
        }
        store<f32>(out + (o << 2), best);
        store<i32>(argmax + (o << 2), at);
      }
    }
  }
}

/**
 * Four 2×2 windows side by side: the window at column 2·k of rows `top` and the next (w floats
 * apart), whose first element is at index `at` of the plane. Taps are visited in the reference's
 * order (row by row), with its rule: a larger value, or the first NaN.
 */
@inline function maxPool2x2(top: usize, w: i32, at: i32, out: usize, argmax: usize): void {
  const bottom = top + (<usize>w << 2);
  const t0 = v128.load(top), t1 = v128.load(top, 16), b0 = v128.load(bottom), b1 = v128.load(bottom, 16);
  const first = i32x4.add(i32x4.splat(at), i32x4(0, 2, 4, 6));
  const one = i32x4.splat(1), below = i32x4.splat(w);
  let best = v128.shuffle<f32>(t0, t1, 0, 2, 4, 6), where = first;
  let v = v128.shuffle<f32>(t0, t1, 1, 3, 5, 7), take = takes(v, best);
  best = v128.bitselect(v, best, take);
  where = v128.bitselect(i32x4.add(first, one), where, take);
  v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
  take = takes(v, best);
  best = v128.bitselect(v, best, take);
  where = v128.bitselect(i32x4.add(first, below), where, take);
  v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
  take = takes(v, best);
  best = v128.bitselect(v, best, take);
  where = v128.bitselect(i32x4.add(first, i32x4.add(below, one)), where, take);
  v128.store(out, best);
  v128.store(argmax, where);
}

/** Lanes where v replaces the running max: v is larger, or v is the first NaN. */
@inline function takes(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
}
