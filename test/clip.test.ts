// Gradient clipping: clipGradNorm (2-norm, inf-norm, p-norm, errorIfNonfinite) and clipGradValue against hand computations.

import { describe, expect, it } from "vitest";
import { tensor, zeros, type Tensor } from "../src/tensor/index.ts";
import * as nn from "../src/nn/index.ts";

const { clipGradNorm, clipGradValue } = nn.utils;

/** Two parameters with gradients [3, 4] and [[12]]: total 2-norm 13, inf-norm 12, 1-norm 19. */
function params(): Tensor[] {
  const a = zeros([2], { requiresGrad: true });
  const b = zeros([1, 1], { requiresGrad: true });
  a.grad = tensor([3, -4]);
  b.grad = tensor([[12]]);
  return [a, b];
}

const grads = (ps: Tensor[]) => ps.flatMap((p) => Array.from(p.grad!.values()));

describe("clipGradNorm", () => {
  it("returns the total 2-norm and scales every gradient by maxNorm / (norm + 1e-6)", () => {
    const ps = params();
    expect(clipGradNorm(ps, 6.5)).toBeCloseTo(13, 6);
    const c = 6.5 / (13 + 1e-6);
    expect(grads(ps)).toEqual([3 * c, -4 * c, 12 * c].map((v) => expect.closeTo(v, 5)));
  });

  it("leaves gradients alone when the norm is already within maxNorm", () => {
    const ps = params();
    expect(clipGradNorm(ps, 100)).toBeCloseTo(13, 6);
    expect(grads(ps)).toEqual([3, -4, 12]);
  });

  it("normType Infinity uses the largest absolute entry", () => {
    const ps = params();
    expect(clipGradNorm(ps, 3, { normType: Infinity })).toBe(12);
    expect(grads(ps)).toEqual([0.75, -1, 3].map((v) => expect.closeTo(v, 5)));
  });

  it("normType 1 sums absolute values", () => {
    expect(clipGradNorm(params(), 100, { normType: 1 })).toBeCloseTo(19, 6);
  });

  it("skips parameters without a gradient and accepts a single tensor", () => {
    const [a, b] = params();
    const none = zeros([3], { requiresGrad: true });
    expect(clipGradNorm([a, none, b], 100)).toBeCloseTo(13, 6);
    expect(clipGradNorm(b, 100)).toBe(12);
    expect(clipGradNorm([], 1)).toBe(0);
  });

  it("errorIfNonfinite throws on a NaN or infinite norm; without it the norm is returned", () => {
    const ps = params();
    ps[0].grad = tensor([NaN, 1]);
    expect(() => clipGradNorm(ps, 1, { errorIfNonfinite: true })).toThrow("clipGradNorm: the total norm of order 2 of the gradients is NaN");
    ps[0].grad = tensor([Infinity, 1]);
    expect(() => clipGradNorm(ps, 1, { normType: Infinity, errorIfNonfinite: true })).toThrow("is Infinity");
    expect(clipGradNorm(params().map((p, i) => (i === 0 ? Object.assign(p, { grad: tensor([NaN, 0]) }) : p)), 1, { normType: Infinity })).toBeNaN();
  });

  it("validates its arguments", () => {
    expect(() => clipGradNorm(params(), 1, { normType: 0 })).toThrow("normType must be a positive number or Infinity, got 0");
    expect(() => clipGradNorm(params(), NaN)).toThrow("maxNorm must be a number");
  });

  it("clips a model's gradients after backward", () => {
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    nn.functional.crossEntropy(model.forward(tensor([[1, 2, 3], [-1, 0, 5]]).mul(100)), [0, 1]).backward();
    clipGradNorm(model.parameters(), 0.5);
    expect(clipGradNorm(model.parameters(), 1e9)).toBeLessThanOrEqual(0.5 + 1e-5);
  });
});

describe("clipGradValue", () => {
  it("clamps every entry to [−clipValue, clipValue] in place", () => {
    const ps = params();
    const storage = ps[0].grad!.values();
    clipGradValue(ps, 3.5);
    expect(grads(ps)).toEqual([3, -3.5, 3.5]);
    expect(ps[0].grad!.values()).toBe(storage);
  });

  it("writes through a non-contiguous gradient", () => {
    const p = zeros([2, 2], { requiresGrad: true });
    p.grad = tensor([[1, -5], [7, 0]]).T;
    clipGradValue([p], 2);
    expect(p.grad.toArray()).toEqual([[1, 2], [-2, 0]]);
  });

  it("refuses a negative clipValue", () => {
    expect(() => clipGradValue(params(), -1)).toThrow("clipGradValue: clipValue must be >= 0, got -1");
  });
});
