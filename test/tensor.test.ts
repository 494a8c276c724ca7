// Creating and reading tensors, views, dtypes, seeding, and the error messages of bad input.

import { describe, expect, it } from "vitest";
import { arange, full, manualSeed, ones, rand, randn, tensor, zeros, zerosLike } from "../src/index.ts";

describe("creation", () => {
  it("builds from nested arrays, numbers and typed arrays", () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(x.shape).toEqual([2, 2]);
    expect(x.dtype).toBe("float32");
    expect(x.size).toBe(4);
    expect(x.ndim).toBe(2);
    expect(x.toArray()).toEqual([[1, 2], [3, 4]]);
    const s = tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.toArray()).toBe(3.5);
    expect(s.item()).toBe(3.5);
    const storage = new Float32Array(6);
    const b = tensor(storage, { shape: [2, 3] });
    expect(b.data.data).toBe(storage);
    expect(tensor(new Float64Array([1, 2])).dtype).toBe("float64");
    expect(tensor([1, 2], { dtype: "float64" }).data.data).toBeInstanceOf(Float64Array);
  });

  it("takes shapes as an array or as separate numbers", () => {
    expect(zeros([3, 4]).shape).toEqual([3, 4]);
    expect(zeros(3, 4).shape).toEqual([3, 4]);
    expect(ones([2]).toArray()).toEqual([1, 1]);
    expect(full([2, 2], 7).toArray()).toEqual([[7, 7], [7, 7]]);
    expect(zeros(2, 2, { dtype: "float64" }).dtype).toBe("float64");
    expect(zerosLike(ones(2, 3)).shape).toEqual([2, 3]);
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
  });

  it("draws the same numbers for the same seed", () => {
    manualSeed(42);
    const a = randn(3, 3).toArray();
    const u = rand(4).toArray();
    manualSeed(42);
    expect(randn(3, 3).toArray()).toEqual(a);
    expect(rand(4).toArray()).toEqual(u);
    manualSeed(43);
    expect(randn(3, 3).toArray()).not.toEqual(a);
  });

  it("gives randn mean ≈ 0 and std ≈ 1, rand in [0, 1)", () => {
    manualSeed(0);
    const v = Array.from(randn(20000).values());
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(variance) - 1)).toBeLessThan(0.03);
    const u = Array.from(rand(5000).values());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
  });
});

describe("views", () => {
  it("transposes and reshapes without copying contiguous data", () => {
    const x = arange(6).reshape(2, 3);
    const t = x.T;
    expect(t.shape).toEqual([3, 2]);
    expect(t.data.data).toBe(x.data.data);
    expect(t.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.reshape([3, -1]).data.data).toBe(x.data.data);
    expect(t.reshape(6).toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(x.flatten().shape).toEqual([6]);
  });

  it("selects rows by an index array", () => {
    const x = arange(6).reshape(3, 2);
    expect(x.indexSelect(0, [2, 0]).toArray()).toEqual([[4, 5], [0, 1]]);
  });

  it("computes argmax and max along a dim", () => {
    const x = tensor([[1, 5, 2], [7, 0, 7]]);
    expect(x.argmax(1).toArray()).toEqual([1, 0]);
    expect(x.max(1).toArray()).toEqual([5, 7]);
    expect(x.max().item()).toBe(7);
    expect(x.argmax().item()).toBe(3);
  });

  it("keeps extreme logits finite in softmax and logSoftmax", () => {
    const x = tensor([[1e4, -1e4, 0]]);
    expect(x.softmax(-1).toArray()).toEqual([[1, 0, 0]]);
    expect(x.logSoftmax(-1).toArray()).toEqual([[0, -2e4, -1e4]]);
  });

  it("gives log(0) = -Infinity as PyTorch does", () => {
    expect(tensor([0]).log().toArray()).toEqual([-Infinity]);
  });
});

describe("errors name the op and the shapes", () => {
  it.each([
    ["matmul of mismatched inner dims", () => zeros(64, 784).matmul(zeros(100, 10)), "matmul: [64, 784] @ [100, 10]: inner dimensions 784 and 100 differ"],
    ["shapes that cannot broadcast", () => zeros(3, 4).add(zeros(2, 4)), "add: shapes [3, 4] and [2, 4] cannot be broadcast together (dim 0: 3 vs 2)"],
    ["a ragged nested array", () => tensor([[1, 2], [3]]), "tensor: ragged nested array: values[1] has length 1, expected 2"],
    ["an unknown dtype", () => zeros([2], { dtype: "int8" as never }), 'zeros: unknown dtype "int8" (valid: float32, float64)'],
    ["a reshape to a different size", () => zeros(2, 3).reshape(4, 2), "reshape: cannot reshape [2, 3] (6 elements) to [4, 2]"],
    ["two -1 in a reshape", () => zeros(2, 3).reshape(-1, -1), "reshape: only one dim may be -1, got [-1, -1]"],
    ["a dim out of range", () => zeros(2, 3).sum(2), "sum: dim 2 is out of range for a tensor of 2 dims (expected -2 to 1)"],
    ["a softmax dim out of range", () => zeros(2, 3).softmax(-3), "softmax: dim -3 is out of range for a tensor of 2 dims (expected -2 to 1)"],
    ["a negative size", () => zeros(2, -1), "zeros: invalid shape [2, -1]: sizes must be non-negative integers"],
    ["a typed array that does not fit the shape", () => tensor(new Float32Array(5), { shape: [2, 3] }), "tensor: shape [2, 3] holds 6 elements, but the array has 5"],
    ["item() of a tensor with many elements", () => zeros(2).item(), "item: only a one-element tensor converts to a number, this one has shape [2]"],
    ["mixed dtypes", () => zeros(2).add(zeros([2], { dtype: "float64" })), 'add: dtypes differ (float32 and float64); convert one with .to("float32")'],
    ["an index out of range", () => zeros(3, 2).indexSelect(0, [3]), "indexSelect: index 3 at position 0 is out of range for dim 0 of size 3 (valid: 0 to 2)"],
    ["a non-tensor operand", () => zeros(2).mul("2" as never), "mul: second operand must be a Tensor, got \"2\" (a string)"],
  ])("%s", (_name, fn, message) => {
    expect(fn).toThrow(message);
  });
});
