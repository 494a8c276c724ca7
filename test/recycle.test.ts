// Backward recycles the gradient arrays it made and consumed (src/tensor/recycle.ts): from the
// second step on, a step's backward makes no new arrays; the gradients are those fresh arrays give;
// and no array that anybody can still read is handed out again.

import { describe, expect, it } from "vitest";
import { add, fromOp, manualSeed, mul, nn, optim, randn, relu, reshape, sum, type Tensor } from "../src/index.ts";
import { recycleStats } from "../src/tensor/recycle.ts";
import { gradOf } from "../src/tensor/tensor.ts";

const F = nn.functional;

/** A small CNN with every op kind a step recycles through (conv, batch norm, ReLU, pooling, views, linear, cross-entropy). */
function setup(seed: number) {
  manualSeed(seed);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(4, 6, 3),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear(24, 10),
    new nn.ReLU(),
    new nn.Linear(10, 3),
  );
  const x = randn([5, 1, 8, 8]);
  const y = new Int32Array([0, 1, 2, 0, 1]);
  return { model, loss: () => F.crossEntropy(model.forward(x), y) };
}

const gradients = (model: nn.Module) => model.parameters().map((p) => [...gradOf(p)!.values()]);

describe("backward recycles its gradient arrays", () => {
  it("makes no new arrays from the second step on, and gives the gradients fresh arrays give", () => {
    const { model, loss } = setup(1);
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    const perStep: number[][][] = [];
    for (let step = 0; step < 4; step++) {
      opt.zeroGrad();
      const before = recycleStats();
      loss().backward();
      const after = recycleStats();
      if (step >= 1) expect(after.made - before.made, `new arrays in step ${step}'s backward`).toBe(0);
      if (step >= 1) expect(after.reused - before.reused, `recycled arrays in step ${step}'s backward`).toBeGreaterThan(5);
      perStep.push(gradients(model));
      opt.step();
    }
    // The same steps again on a fresh copy, each backward through a graph of its own: the recycled
    // arrays held the previous step's values, so a missing zero-fill would show here.
    const replay = setup(1);
    const opt2 = new optim.Adam(replay.model.parameters(), { lr: 0.01 });
    for (let step = 0; step < 4; step++) {
      opt2.zeroGrad();
      replay.loss().backward();
      expect(gradients(replay.model), `step ${step}`).toEqual(perStep[step]);
      opt2.step();
    }
  });

  it("keeps an array alive while a view of it or a second input still waits for it", () => {
    // z = y + (y + y) through reshapes, y = 2·relu(x): one gradient array reaches several pending
    // nodes (add passes it to both inputs, reshape to a view), and each must read it before it is
    // recycled. loss = Σ z·w = Σ 6·relu(x)·w, so dx = 6·w·[x > 0] and dw = Σ over rows of 6·relu(x).
    manualSeed(7);
    for (let round = 0; round < 3; round++) {
      const x = randn([4, 6], { requiresGrad: true });
      const w = randn([6], { requiresGrad: true });
      const y = mul(relu(x), 2);
      const z = add(reshape(y, [24]), reshape(add(y, y), [24]));
      sum(mul(reshape(z, [4, 6]), w)).backward();
      const xs = [...x.values()];
      const ws = [...w.values()];
      const dx = xs.map((v, i) => (v > 0 ? 6 * ws[i % 6] : 0));
      const dw = ws.map((_, j) => xs.filter((_, i) => i % 6 === j).reduce((s, v) => s + 6 * Math.max(v, 0), 0));
      [...gradOf(x)!.values()].forEach((v, i) => expect(v).toBeCloseTo(dx[i], 4));
      [...gradOf(w)!.values()].forEach((v, j) => expect(v).toBeCloseTo(dw[j], 4));
    }
  });

  it("never recycles what a custom op's backward was given or returned, nor a leaf's .grad", () => {
    // One custom op keeps the gradient it is given (and returns a new one); the other keeps the one it returns.
    const given: Tensor[] = [];
    const returned: Tensor[] = [];
    const keepsGiven = (t: Tensor) => fromOp("keepsGiven", t.values().slice(), t.shape, [t], (g) => (given.push(g), [mul(g, 1)]));
    const keepsReturned = (t: Tensor) => fromOp("keepsReturned", t.values().slice(), t.shape, [t], (g) => [returned[returned.push(mul(g, 2)) - 1]]);
    manualSeed(11);
    const x = randn([3, 5], { requiresGrad: true });
    sum(mul(keepsReturned(mul(keepsGiven(mul(x, 2)), 3)), 5)).backward();
    // d/d(keepsReturned's output) = 5, it returns 2·5; keepsGiven gets 3·10 and returns it; x gets 2·30.
    const snapshot = () => [given, returned, [gradOf(x)!]].map((ts) => ts.map((t) => [...t.values()]));
    const expected = [[30], [10], [60]].map(([v]) => [new Array<number>(15).fill(v)]);
    expect(snapshot()).toEqual(expected);
    // Twelve leaves of the same size, whose gradients take every array on the free lists: had any of
    // those arrays gone there, it would be overwritten.
    const leaves = Array.from({ length: 12 }, () => randn([3, 5], { requiresGrad: true }));
    sum(leaves.map((leaf) => mul(leaf, 2)).reduce((a, b) => add(a, b))).backward();
    expect(snapshot()).toEqual(expected);
  });
});
