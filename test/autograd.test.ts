// The backward engine: deep chains, reused nodes, accumulation, graph release, noGrad, detach, requiresGrad propagation.

import { describe, expect, it } from "vitest";
import { noGrad, ones, onesLike, tensor, zeros } from "../src/index.ts";

describe("backward", () => {
  it("runs a 10,000-op chain without overflowing the stack", () => {
    const x = tensor([1.0], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 10_000; i++) y = y.mul(1.0001);
    y.sum().backward();
    expect(x.grad!.item()).toBeCloseTo(1.0001 ** 10_000, 0);
  });

  it("sums gradients where paths meet: a = x + x; b = a * a gives db/dx = 8x", () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    const a = x.add(x);
    a.mul(a).sum().backward();
    expect(x.grad!.toArray()).toEqual([8, -16, 24]);
  });

  it("accumulates into .grad across calls, in place, as PyTorch", () => {
    const x = tensor([2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    const kept = x.grad!;
    x.mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([8, 12]);
    // PyTorch adds into the same tensor: `g = w.grad; ...backward(); g is w.grad` holds, and g shows the sum.
    expect(x.grad).toBe(kept);
    expect(kept.toArray()).toEqual([8, 12]);
    x.grad = null;
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([3, 3]);
  });

  it("releases the graph after backward unless retainGraph is set", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad!.toArray()).toEqual([2 * Math.E, 2 * Math.exp(2)].map((v) => Math.fround(v)));
    expect(y.gradFn!.backward).toBeNull();
    expect(y.gradFn!.inputs).toEqual([]);
    expect(() => y.backward()).toThrow(/already released by an earlier backward.*retainGraph: true/);
  });

  it("takes an upstream gradient of the output's shape for a non-scalar output", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const z = x.mul(2);
    z.backward(tensor([[1, 0], [0, 10]]));
    expect(x.grad!.toArray()).toEqual([[2, 0], [0, 20]]);
    expect(() => x.mul(2).backward()).toThrow("backward: a gradient is needed for a non-scalar output of shape [2, 2]");
    expect(() => x.mul(2).backward(ones(3))).toThrow(/must match the output \(\[2, 2\] float32\), got \[3\] float32/);
  });

  it("gives leaves a gradient that does not alias the incoming one", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.add(b).backward(onesLike(a));
    a.grad!.values()[0] = 99;
    expect(b.grad!.toArray()).toEqual([1, 1]);
  });

  it("propagates requiresGrad and skips constants", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const c = tensor([5, 6]);
    const y = w.mul(c);
    expect(y.requiresGrad).toBe(true);
    expect(c.mul(c).requiresGrad).toBe(false);
    y.sum().backward();
    expect(c.grad).toBeNull();
    expect(w.grad!.toArray()).toEqual([5, 6]);
  });

  it("records nothing inside noGrad, and detach cuts a tensor from its graph", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => w.mul(3));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const d = w.mul(3).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.toArray()).toEqual([3, 6]);
    expect(() => y.sum().backward()).toThrow(/does not require grad/);
  });

  it("lets .grad be assigned directly", () => {
    const w = zeros(2, { requiresGrad: true });
    w.grad = tensor([0.5, 0.25]);
    w.sum().backward();
    expect(w.grad!.toArray()).toEqual([1.5, 1.25]);
  });
});
