// The two elementwise ops the surfaces need that ndgrad's core lacks, built on its public fromOp.

import { allocate, fromArray, fromOp, mul, type Tensor } from "../../src/browser.ts";

/** One elementwise function f with its derivative f′: out = f(x), d out/dx = f′(x). */
function unary(op: string, f: (v: number) => number, df: (v: number) => number) {
  return (x: Tensor): Tensor => {
    const src = x.values();
    const out = allocate(x.dtype, src.length);
    for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
    return fromOp(op, out, x.shape, [x], (g) => {
      const slope = allocate(x.dtype, src.length);
      for (let i = 0; i < src.length; i++) slope[i] = df(src[i]);
      return [mul(g, fromArray(slope, x.shape))];
    });
  };
}

/** sin(x); d sin(x)/dx = cos(x). */
export const sin = unary("sin", Math.sin, Math.cos);
/** cos(x); d cos(x)/dx = −sin(x). */
export const cos = unary("cos", Math.cos, (v) => -Math.sin(v));
