// conv2d, pooling and the norms against central finite differences in float64: stride, padding, dilation, groups, odd shapes, batch 1.

import { describe, expect, it } from "vitest";
import { gradcheck, manualSeed, nn, randn, tensor, type Tensor } from "../src/index.ts";

const F = nn.functional;

function leaf(shape: number[]): Tensor {
  const t = randn(shape, { dtype: "float64" });
  t.requiresGrad = true;
  return t;
}

/** Distinct values (a permutation of a spread-out grid, plus noise) so no max-pool window ties. */
function distinctLeaf(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
  return tensor(Float64Array.from(order, (k) => k * 0.1 - n * 0.05), { shape, requiresGrad: true });
}

type ConvCase = [name: string, x: number[], w: number[], options: nn.functional.Conv2dOptions, bias?: boolean];

const convCases: ConvCase[] = [
  ["plain 3×3", [2, 3, 5, 5], [4, 3, 3, 3], {}],
  ["stride 2", [2, 2, 7, 7], [3, 2, 3, 3], { stride: 2 }],
  ["stride [2, 1], padding [1, 2]", [1, 2, 6, 5], [2, 2, 3, 3], { stride: [2, 1], padding: [1, 2] }],
  ["padding 2 (larger than needed)", [1, 1, 3, 3], [2, 1, 3, 3], { padding: 2 }],
  ["dilation 2", [2, 2, 7, 7], [2, 2, 3, 3], { dilation: 2 }],
  ["dilation [1, 2], stride 2, padding 1", [1, 2, 6, 7], [3, 2, 2, 3], { dilation: [1, 2], stride: 2, padding: 1 }],
  ["groups 2", [2, 4, 5, 5], [6, 2, 3, 3], { groups: 2 }],
  ["depthwise (groups = C) with a multiplier of 2", [2, 3, 5, 5], [6, 1, 3, 3], { groups: 3, padding: 1 }],
  ["non-square kernel 2×4", [1, 2, 5, 6], [3, 2, 2, 4], {}],
  ["1×1 kernel", [2, 4, 3, 3], [2, 4, 1, 1], {}],
  ["batch 1, no bias", [1, 3, 4, 4], [2, 3, 3, 3], { padding: 1 }, false],
  ["kernel as large as the padded input", [1, 1, 3, 4], [1, 1, 5, 6], { padding: 1 }],
  ["stride leaves input columns unread", [1, 1, 6, 6], [1, 1, 2, 2], { stride: 3 }],
];

describe("conv2d gradcheck", () => {
  it.each(convCases)("%s", (_name, xs, ws, options, withBias = true) => {
    manualSeed(11);
    const inputs = [leaf(xs), leaf(ws), ...(withBias ? [leaf([ws[0]])] : [])];
    const fn = (x: Tensor, w: Tensor, b?: Tensor) => F.conv2d(x, w, b ?? null, options);
    expect(gradcheck(fn, inputs).maxError).toBeLessThan(1e-6);
  });
});

describe("conv2d gradcheck through chains (a backward reuses its forward's columns only while they are unchanged)", () => {
  it("three convs in a row: the last two find their columns, the first packs them again", () => {
    manualSeed(12);
    const inputs = [leaf([2, 2, 7, 7]), leaf([3, 2, 3, 3]), leaf([2, 3, 2, 2]), leaf([2, 2, 3, 3])];
    const fn = (x: Tensor, w1: Tensor, w2: Tensor, w3: Tensor) => F.conv2d(F.conv2d(F.conv2d(x, w1, null, { padding: 1 }).tanh(), w2).tanh(), w3, null, { stride: 2 });
    expect(gradcheck(fn, inputs).maxError).toBeLessThan(1e-6);
  });

  it("one weight used by two convs of different geometry, and one conv applied twice", () => {
    manualSeed(13);
    const inputs = [leaf([1, 2, 6, 6]), leaf([2, 2, 3, 3]), leaf([2, 2, 2, 2])];
    const fn = (x: Tensor, w: Tensor, v: Tensor) => {
      const a = F.conv2d(x, w, null, { padding: 1 }).tanh();
      const b = F.conv2d(a, w, null, { dilation: 2, padding: 2 }).tanh();
      return F.conv2d(F.conv2d(b, v, null, { padding: 1 }).tanh(), v).add(F.conv2d(x, w).sum());
    };
    expect(gradcheck(fn, inputs).maxError).toBeLessThan(1e-6);
  });
});

type PoolCase = [name: string, x: number[], kernel: number | [number, number], options: nn.functional.Pool2dOptions];

const poolCases: PoolCase[] = [
  ["kernel 2", [2, 2, 4, 4], 2, {}],
  ["kernel 3, stride 2 (floor mode drops the last row and column)", [1, 2, 6, 6], 3, { stride: 2 }],
  ["kernel 3, stride 1, padding 1 (overlapping windows)", [1, 1, 5, 5], 3, { stride: 1, padding: 1 }],
  ["kernel [2, 3], stride [1, 2]", [2, 1, 5, 7], [2, 3], { stride: [1, 2] }],
  ["batch 1, kernel 2, stride 1", [1, 3, 3, 3], 2, { stride: 1 }],
];

describe("pooling gradcheck", () => {
  it.each(poolCases)("maxPool2d %s", (_name, xs, k, options) => {
    expect(gradcheck((x) => F.maxPool2d(x, k, options), [distinctLeaf(xs)]).maxError).toBeLessThan(1e-6);
  });
  it.each(poolCases)("avgPool2d %s", (_name, xs, k, options) => {
    manualSeed(5);
    expect(gradcheck((x) => F.avgPool2d(x, k, options), [leaf(xs)]).maxError).toBeLessThan(1e-6);
  });
});

describe("batchNorm gradcheck", () => {
  it.each([
    ["[N, C] training", [5, 3], true],
    ["[N, C, H, W] training", [2, 3, 3, 2], true],
    ["batch 1 of [1, C, H, W] training", [1, 2, 3, 3], true],
    ["[N, C, H, W] eval", [2, 3, 2, 2], false],
  ] as const)("%s", (_name, xs, training) => {
    manualSeed(3);
    const c = xs[1];
    const runningMean = randn([c], { dtype: "float64" });
    const runningVar = randn([c], { dtype: "float64" }).abs().add(0.5);
    const fn = (x: Tensor, w: Tensor, b: Tensor) => F.batchNorm(x, runningMean.clone(), runningVar.clone(), w, b, { training });
    expect(gradcheck(fn, [leaf([...xs]), leaf([c]), leaf([c])]).maxError).toBeLessThan(1e-6);
  });

  it("without affine parameters", () => {
    manualSeed(4);
    expect(gradcheck((x) => F.batchNorm(x, null, null, null, null, { training: true }), [leaf([4, 3, 2, 2])]).maxError).toBeLessThan(1e-6);
  });
});

describe("layerNorm gradcheck", () => {
  it.each([
    ["last dim", [4, 5], [5]],
    ["last two dims", [2, 3, 4], [3, 4]],
    ["all dims of a 1-row input", [1, 6], [1, 6]],
  ] as const)("%s", (_name, xs, shape) => {
    manualSeed(9);
    const fn = (x: Tensor, w: Tensor, b: Tensor) => F.layerNorm(x, shape, w, b);
    expect(gradcheck(fn, [leaf([...xs]), leaf([...shape]), leaf([...shape])]).maxError).toBeLessThan(1e-6);
  });

  it("without affine parameters, eps 1e-3", () => {
    manualSeed(10);
    expect(gradcheck((x) => F.layerNorm(x, 4, null, null, { eps: 1e-3 }), [leaf([3, 4])]).maxError).toBeLessThan(1e-6);
  });
});
