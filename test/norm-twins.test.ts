// Batch and layer norm's SIMD twins (assembly/norm.ts) against the reference loops in src/kernels/norm.ts,
// on random [outer, channels, inner] inputs with a channel of equal values and one far from zero:
// each kernel runs once on the "js" backend (the reference) and once on "wasm" (the twin, seen to run).

import { afterEach, describe, expect, it } from "vitest";
import { getBackend, setBackend } from "../src/kernels/index.ts";
import { channelAffineGrads, channelMoments, normalizeBackward, normalizeByMoments, normalizeChannels } from "../src/kernels/norm.ts";
import { TWIN_BLOCK } from "../src/kernels/twin-area.ts";
import { wasmRuntime } from "../src/kernels/wasm/runtime.ts";
import { randomFloat32 } from "./helpers/random.ts";

const initial = getBackend();
afterEach(() => setBackend(initial));

type Layout = [outer: number, channels: number, inner: number];
const cases: [string, Layout][] = [
  ["BatchNorm2d as LeNet's conv1 (runs of 784: whole vector steps)", [4, 6, 784]],
  ["odd runs of 13 (a step of four and a tail of one)", [3, 5, 13]],
  ["runs of 2 (tails only)", [5, 3, 2]],
  ["runs of 7", [2, 4, 7]],
  ["BatchNorm1d [N, C] with 7 channels (four a step, then three)", [9, 7, 1]],
  ["BatchNorm1d [N, C] with 8 channels", [6, 8, 1]],
  ["layer norm's [1, rows, features]", [1, 9, 37]],
  ["several blocks of whole samples", [3, 2, Math.ceil(0.3 * TWIN_BLOCK)]],
  ["a sample larger than a block (blocks of three channels and of two)", [2, 5, TWIN_BLOCK / 4 + 1]],
  ["a run larger than a block", [1, 2, TWIN_BLOCK + 13]],
];

/**
 * x in [outer, channels, inner]: channel 0 holds one value throughout, channel 1 is 1000 ± 0.01 (the
 * variance is a small difference of large numbers), the others are uniform around their own offset.
 */
function input([outer, channels, inner]: Layout, seed: number): Float32Array {
  const x = randomFloat32(outer * channels * inner, seed);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const run = x.subarray((o * channels + c) * inner, (o * channels + c + 1) * inner);
      if (c === 0) run.fill(0.75);
      else if (c === 1) run.forEach((v, i) => (run[i] = 1000 + 0.01 * v));
      else run.forEach((v, i) => (run[i] = v + c - 3));
    }
  }
  return x;
}

/** The names of the wasm kernels `run` calls (the runtime's exports wrapped meanwhile). */
function kernelsCalled(run: () => void): string[] {
  const rt = wasmRuntime()! as { kernels: object };
  const kernels = rt.kernels, called: string[] = [];
  rt.kernels = new Proxy(kernels, { get: (target, name) => (called.push(String(name)), Reflect.get(target, name)) });
  try {
    run();
  } finally {
    rt.kernels = kernels;
  }
  return called;
}

/** `run` on "js" (the reference) and on "wasm", where it must call `kernels`; the results, copied. */
function onBoth<T>(kernels: string[], run: () => T): [reference: T, twin: T] {
  setBackend("js");
  const reference = structuredClone(run());
  setBackend("wasm");
  let twin!: T;
  expect(new Set(kernelsCalled(() => (twin = structuredClone(run()))))).toEqual(new Set(kernels));
  return [reference, twin];
}

/** Each |actual − expected| ≤ tolerance(i), NaN where NaN, naming the first element that is not. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: (i: number) => number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (Number.isNaN(e) || !Number.isFinite(e)) expect(a, `element ${i}`).toBe(e);
    else if (!(Math.abs(a - e) <= tolerance(i))) expect.fail(`element ${i}: ${a} against the reference's ${e} (tolerance ${tolerance(i)})`);
  }
}

/** float32 closeness: within 1e-6 of the value and 1e-6 of the largest value. */
function expectCloseF32(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  let largest = 0;
  for (let i = 0; i < expected.length; i++) largest = Math.max(largest, Math.abs(expected[i]));
  expectClose(actual, expected, (i) => 1e-6 * (largest + Math.abs(expected[i])));
}

/** The reference's statistics of x (and σ⁻¹ with eps 1e-5), for the kernels that take them. */
function statistics(x: Float32Array, [outer, channels, inner]: Layout) {
  setBackend("js");
  const mean = new Float64Array(channels), variance = new Float64Array(channels);
  channelMoments(x, outer, channels, inner, mean, variance);
  return { mean, invStd: variance.map((v) => 1 / Math.sqrt(v + 1e-5)) };
}

describe.each(cases)("%s", (_, layout) => {
  const [outer, channels, inner] = layout;
  const size = outer * channels * inner, count = outer * inner;
  const x = input(layout, 1);
  const g = randomFloat32(size, 2);
  const scale = randomFloat32(channels, 3, 2), shift = randomFloat32(channels, 4);

  it("channelMoments: the mean and the variance in float64 (to 1e-9 of the value, 0 for the equal channel)", () => {
    const [reference, twin] = onBoth(["channelMoments"], () => {
      const mean = new Float64Array(channels), variance = new Float64Array(channels);
      channelMoments(x, outer, channels, inner, mean, variance);
      return { mean, variance };
    });
    expectClose(twin.mean, reference.mean, (c) => 1e-9 * Math.abs(reference.mean[c]));
    expectClose(twin.variance, reference.variance, (c) => 1e-9 * reference.variance[c]);
    expect(twin.variance[0]).toBe(0);
    expect(reference.variance[1]).toBeGreaterThan(0);
  });

  it("normalizeChannels: y equals the reference, with and without scale and shift", () => {
    const { mean, invStd } = statistics(x, layout);
    for (const [w, b] of [[scale, shift], [null, null]]) {
      const [reference, twin] = onBoth(["affineChannels"], () => {
        const y = new Float32Array(size);
        normalizeChannels(x, y, outer, channels, inner, mean, invStd, w, b);
        return y;
      });
      expectClose(twin, reference, () => 0);
    }
  });

  it("normalizeByMoments: the statistics in float64 and y to float32 tolerance", () => {
    const [reference, twin] = onBoth(["channelMoments", "affineChannels"], () => {
      const y = new Float32Array(size), mean = new Float64Array(channels), variance = new Float64Array(channels), invStd = new Float64Array(channels);
      normalizeByMoments(x, y, outer, channels, inner, 1e-5, mean, variance, invStd, scale, shift);
      return { y, mean, variance, invStd };
    });
    expectClose(twin.mean, reference.mean, (c) => 1e-9 * Math.abs(reference.mean[c]));
    expectClose(twin.variance, reference.variance, (c) => 1e-9 * reference.variance[c]);
    expectClose(twin.invStd, reference.invStd, (c) => 1e-9 * reference.invStd[c]);
    expectCloseF32(twin.y, reference.y);
  });

  it("channelAffineGrads: Σ g·x̂ and Σ g per channel in float64 (to 1e-9 of the count: |g| ≤ 1 and |x̂| < 2)", () => {
    const { mean, invStd } = statistics(x, layout);
    const [reference, twin] = onBoth(["channelGradSums"], () => {
      const dScale = new Float64Array(channels), dShift = new Float32Array(channels);
      channelAffineGrads(g, x, outer, channels, inner, mean, invStd, dScale, dShift);
      return { dScale, dShift };
    });
    expectClose(twin.dScale, reference.dScale, () => 1e-9 * count);
    expectClose(twin.dShift, reference.dShift, (c) => 1e-6 * Math.abs(reference.dShift[c]) + 1e-9 * count);
  });

  it("normalizeBackward: dx to float32 tolerance, and the sums it leaves for the weight and bias", () => {
    const { mean, invStd } = statistics(x, layout);
    const [reference, twin] = onBoth(["channelGradSums", "normalizeBackward"], () => {
      const dx = new Float32Array(size);
      const sums = { sumGX: new Float64Array(channels), sumG: new Float64Array(channels) };
      normalizeBackward(g, x, dx, outer, channels, inner, mean, invStd, scale, sums);
      return { dx, sums };
    });
    expectCloseF32(twin.dx, reference.dx);
    expectClose(twin.sums.sumGX, reference.sums.sumGX, () => 1e-9 * count);
    expectClose(twin.sums.sumG, reference.sums.sumG, () => 1e-9 * count);
    expect(reference.dx.some((v) => Math.abs(v) > 0.1)).toBe(true);
  });
});

describe("the norm twins' edges", () => {
  const layout: Layout = [3, 4, 5];
  const [outer, channels, inner] = layout;

  it("a NaN makes its channel's moments NaN and an infinite first value gives the reference's ∞ and NaN", () => {
    const x = input(layout, 5);
    x[2 * inner + 3] = NaN; // channel 2
    x[3 * inner] = Infinity; // channel 3's first value
    const [reference, twin] = onBoth(["channelMoments"], () => {
      const mean = new Float64Array(channels), variance = new Float64Array(channels);
      channelMoments(x, outer, channels, inner, mean, variance);
      return { mean: Array.from(mean), variance: Array.from(variance) };
    });
    expect([reference.mean.slice(2), reference.variance.slice(2)]).toEqual([[NaN, Infinity], [NaN, NaN]]);
    expect(twin.mean.slice(2)).toEqual(reference.mean.slice(2));
    expect(twin.variance.slice(2)).toEqual(reference.variance.slice(2));
  });

  it("float64 arrays take the reference loops on the wasm backend", () => {
    const x = Float64Array.from(input(layout, 6)), g = Float64Array.from(randomFloat32(x.length, 7));
    const { mean, invStd } = statistics(Float32Array.from(x), layout);
    const [reference, twin] = onBoth([], () => {
      const dx = new Float64Array(x.length), y = new Float64Array(x.length);
      const m = new Float64Array(channels), v = new Float64Array(channels);
      channelMoments(x, outer, channels, inner, m, v);
      normalizeChannels(x, y, outer, channels, inner, mean, invStd, null, null);
      normalizeBackward(g, x, dx, outer, channels, inner, mean, invStd, null);
      return [m, v, y, dx];
    });
    expect(twin).toEqual(reference);
  });
});
