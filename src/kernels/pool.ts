// 2-D max and average pooling over row-major [planes, h, w] typed arrays, forward and backward.

type Floats = Float32Array | Float64Array;

/** One pooling call: `planes` = n·c input planes of h × w, windows kh × kw, output planes oh × ow. */
export interface PoolGeometry {
  planes: number;
  h: number; w: number;
  kh: number; kw: number;
  sh: number; sw: number;
  ph: number; pw: number;
  oh: number; ow: number;
}

/**
 * out = the max of each window; argmax = where it was, as the flat index iy·w + ix into its plane
 * (PyTorch's return_indices). Padding is −∞ (never chosen); a NaN wins, as in PyTorch.
 */
export function maxPoolForward(x: Floats, out: Floats, argmax: Int32Array, g: PoolGeometry): void {
  const w = g.w;
  forEachWindow(g, (plane, o, y0, y1, x0, x1) => {
    let best = -Infinity;
    let at = y0 * w + x0;
    window: for (let iy = y0; iy < y1; iy++) {
      for (let ix = x0; ix < x1; ix++) {
        const v = x[plane + iy * w + ix];
        if (v > best || Number.isNaN(v)) {
          best = v;
          at = iy * w + ix;
          if (Number.isNaN(v)) break window;
        }
      }
    }
    out[o] = best;
    argmax[o] = at;
  });
}

/** dx[argmax] += g: each output's gradient goes to the element it took (summed where windows overlap). */
export function maxPoolBackward(grad: Floats, argmax: Int32Array, dx: Floats, g: PoolGeometry): void {
  const inPlane = g.h * g.w, outPlane = g.oh * g.ow;
  for (let p = 0; p < g.planes; p++) {
    const base = p * inPlane;
    for (let o = p * outPlane, end = o + outPlane; o < end; o++) dx[base + argmax[o]] += grad[o];
  }
}

/** out = the sum of each window / (kh·kw): padding counts as zeros in the average (count_include_pad). */
export function avgPoolForward(x: Floats, out: Floats, g: PoolGeometry): void {
  averageWindows(x, out, g, false);
}

/** dx += g / (kh·kw) over each window's elements inside the input. */
export function avgPoolBackward(grad: Floats, dx: Floats, g: PoolGeometry): void {
  averageWindows(dx, grad, g, true);
}

/** The one walk behind both: each window's mean into `pooled`, or (adjoint) each pooled value's share back onto its window. */
function averageWindows(image: Floats, pooled: Floats, g: PoolGeometry, adjoint: boolean): void {
  const w = g.w;
  const scale = 1 / (g.kh * g.kw);
  forEachWindow(g, (plane, o, y0, y1, x0, x1) => {
    if (adjoint) {
      const share = pooled[o] * scale;
      for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) image[plane + iy * w + ix] += share;
    } else {
      let s = 0;
      for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += image[plane + iy * w + ix];
      pooled[o] = s * scale;
    }
  });
}

/**
 * Calls visit(start of the input plane, output index, rows [y0, y1), columns [x0, x1)) for every
 * window, clipped to the input (the padding holds nothing to read or write).
 */
function forEachWindow(g: PoolGeometry, visit: (plane: number, o: number, y0: number, y1: number, x0: number, x1: number) => void): void {
  const { planes, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  for (let p = 0; p < planes; p++) {
    const plane = p * h * w;
    for (let y = 0; y < oh; y++) {
      const y0 = Math.max(y * sh - ph, 0), y1 = Math.min(y * sh - ph + kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = Math.max(ox * sw - pw, 0), x1 = Math.min(ox * sw - pw + kw, w);
        visit(plane, (p * oh + y) * ow + ox, y0, y1, x0, x1);
      }
    }
  }
}
