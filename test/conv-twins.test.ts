// The sliding-window SIMD twins (assembly/conv.ts, assembly/pool.ts) against the reference loops in
// src/kernels/conv.ts and pool.ts: the same values bit for bit, on odd shapes, strides, padding,
// dilation, groups, ties and NaN. Each case runs once on the "js" backend (the reference) and once on "wasm".

import { afterEach, describe, expect, it } from "vitest";
import { getBackend, setBackend, type Backend } from "../src/index.ts";
import { convBackwardInput, convOutputSize, packColumns, type ConvGeometry } from "../src/kernels/conv.ts";
import { maxPoolForward, type PoolGeometry } from "../src/kernels/pool.ts";
import { wasmRuntime } from "../src/kernels/wasm/runtime.ts";

const initial = getBackend();
afterEach(() => setBackend(initial));

/** Small integers in [-4, 4] (sums of a few of them are exact in float32, whatever the order): f(i) fixes them. */
function integers(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((i * 7 + seed * 13 + ((i * i) % 5)) % 9) - 4);
}

type ConvCase = Omit<ConvGeometry, "oh" | "ow">;
const convCases: [string, ConvCase][] = [
  ["LeNet conv1: 5×5, padding 2", { n: 2, c: 1, h: 12, w: 12, o: 3, groups: 1, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2, dh: 1, dw: 1 }],
  ["odd sizes, 3×2 kernel, unequal padding", { n: 3, c: 2, h: 7, w: 9, o: 4, groups: 1, kh: 3, kw: 2, sh: 1, sw: 1, ph: 1, pw: 2, dh: 1, dw: 1 }],
  ["strides 2 and 3", { n: 2, c: 3, h: 11, w: 13, o: 2, groups: 1, kh: 3, kw: 3, sh: 2, sw: 3, ph: 1, pw: 0, dh: 1, dw: 1 }],
  ["dilation 2×3 with padding", { n: 1, c: 2, h: 10, w: 14, o: 2, groups: 1, kh: 2, kw: 3, sh: 1, sw: 1, ph: 2, pw: 3, dh: 2, dw: 3 }],
  ["groups 3, stride 2, dilation 2", { n: 2, c: 6, h: 9, w: 8, o: 3, groups: 3, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, dh: 2, dw: 1 }],
  ["depthwise, wide rows (vector runs and tails)", { n: 2, c: 4, h: 5, w: 27, o: 4, groups: 4, kh: 1, kw: 3, sh: 1, sw: 1, ph: 0, pw: 1, dh: 1, dw: 1 }],
  ["padding wider than the kernel", { n: 1, c: 1, h: 3, w: 4, o: 1, groups: 1, kh: 2, kw: 2, sh: 1, sw: 1, ph: 3, pw: 3, dh: 1, dw: 1 }],
];

function geometry(c: ConvCase): ConvGeometry {
  return { ...c, oh: convOutputSize(c.h, c.kh, c.sh, c.ph, c.dh), ow: convOutputSize(c.w, c.kw, c.sw, c.pw, c.dw) };
}

/** `run` on each backend, its result copied out (the kernels return views of reused workspaces). */
function onBoth<T>(run: () => T): [reference: T, twin: T] {
  const [twin, reference] = (["wasm", "js"] as Backend[]).map((backend) => {
    setBackend(backend);
    return structuredClone(run());
  });
  return [reference, twin];
}

describe("im2col and col2im twins", () => {
  it.each(convCases)("im2col equals the reference: %s", (_, c) => {
    const g = geometry(c);
    const x = integers(g.n * g.c * g.h * g.w, 1);
    setBackend("wasm");
    expect(wasmRuntime()!.addressOf(packColumns(x, g).cols as Float32Array)).toBeGreaterThanOrEqual(0);
    const [reference, twin] = onBoth(() => Array.from(packColumns(x, g).cols));
    expect(twin).toEqual(reference);
    expect(reference.some((v) => v !== 0)).toBe(true);
  });

  it.each(convCases)("col2im (dx = col2im(Wᵀ·gᵀ)) equals the reference: %s", (_, c) => {
    const g = geometry(c);
    const weight = integers(g.o * (g.c / g.groups) * g.kh * g.kw, 2);
    const gT = integers(g.o * g.n * g.oh * g.ow, 3);
    const [reference, twin] = onBoth(() => {
      const dx = new Float32Array(g.n * g.c * g.h * g.w);
      convBackwardInput(gT, weight, dx, g);
      return Array.from(dx);
    });
    expect(twin).toEqual(reference);
    expect(reference.some((v) => v !== 0)).toBe(true);
  });
});

type PoolCase = Omit<PoolGeometry, "oh" | "ow">;
const poolCases: [string, PoolCase][] = [
  ["2×2 on 28×28 (the SIMD path)", { planes: 3, h: 28, w: 28, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0 }],
  ["2×2 on odd 15×19 (SIMD and a tail, last row and column dropped)", { planes: 2, h: 15, w: 19, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0 }],
  ["2×2 stride 1 (overlapping)", { planes: 2, h: 6, w: 9, kh: 2, kw: 2, sh: 1, sw: 1, ph: 0, pw: 0 }],
  ["3×3 stride 2 padding 1", { planes: 2, h: 9, w: 10, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1 }],
  ["3×2 stride [1, 3] padding [1, 0]", { planes: 1, h: 7, w: 11, kh: 3, kw: 2, sh: 1, sw: 3, ph: 1, pw: 0 }],
];

describe("the max pooling twin", () => {
  it.each(poolCases)("values and argmax equal the reference, with ties, -∞ and NaN: %s", (_, c) => {
    const g: PoolGeometry = { ...c, oh: convOutputSize(c.h, c.kh, c.sh, c.ph, 1), ow: convOutputSize(c.w, c.kw, c.sw, c.pw, 1) };
    const x = integers(g.planes * g.h * g.w, 4).map((v) => Math.floor(v / 3));
    for (let i = 5; i < x.length; i += 17) x[i] = NaN;
    for (let i = 8; i < x.length; i += 23) x[i] = -Infinity;
    x.fill(-Infinity, 0, 4);
    const [reference, twin] = onBoth(() => {
      const out = new Float32Array(g.planes * g.oh * g.ow);
      const argmax = new Int32Array(out.length);
      maxPoolForward(x, out, argmax, g);
      return { out: Array.from(out), argmax: Array.from(argmax) };
    });
    expect(twin).toEqual(reference);
    expect(reference.out.some(Number.isNaN)).toBe(true);
  });
});
