// Max pooling's forward pass in WebAssembly, twin of maxPoolForward in src/kernels/pool.ts (same
// windows, same tie and NaN rules), on float32 in the wasm memory.

import { MaxPoolArgs as A } from "../src/kernels/window-abi";

@inline function arg(a: usize, f: i32): i32 {
  return load<i32>(a + (<usize>f << 2));
}

/**
 * out = the max of each window, argmax = where it was (iy·w + ix within its plane); the args record
 * is at `a`. Padding is never chosen; the first NaN of a window wins. The first element of a window
 * row is compared with the running max, so ties keep the earliest element, as the reference does.
 */
export function maxPool(a: usize): void {
  const image = <usize>arg(a, A.image), out = <usize>arg(a, A.out), argmax = <usize>arg(a, A.argmax);
  const planes = arg(a, A.planes), h = arg(a, A.h), w = arg(a, A.w);
  const kh = arg(a, A.kh), kw = arg(a, A.kw), sh = arg(a, A.sh), sw = arg(a, A.sw);
  const ph = arg(a, A.ph), pw = arg(a, A.pw), oh = arg(a, A.oh), ow = arg(a, A.ow);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = image + (<usize>(p * h * w) << 2);
    for (let y = 0; y < oh; y++) {
      const y0 = max(y * sh - ph, 0), y1 = min(y * sh - ph + kh, h);
      for (let x = 0; x < ow; x++, o++) {
        const x0 = max(x * sw - pw, 0), x1 = min(x * sw - pw + kw, w);
        let best = -Infinity as f32;
        let at = y0 * w + x0;
        for (let iy = y0; iy < y1; iy++) {
          let ix = x0;
          for (; ix < x1; ix++) {
            const v = load<f32>(plane + (<usize>(iy * w + ix) << 2));
            if (v > best || v != v) {
              best = v;
              at = iy * w + ix;
              if (v != v) break;
            }
          }
          if (ix < x1) break;
        }
        store<f32>(out + (o << 2), best);
        store<i32>(argmax + (o << 2), at);
      }
    }
  }
}
