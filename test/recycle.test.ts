// Backward gives back the arrays it is done with (src/tensor/recycle.ts) and allocate hands them
// out again (src/tensor/dtype.ts): from the second step on, a Sequential's step makes almost no new
// arrays; the results are bit for bit those of fresh arrays; and no array that anybody can still
// read is handed out again.

import { describe, expect, it } from "vitest";
import { add, fromOp, manualSeed, mul, nn, opHooks, optim, randn, relu, reshape, sum, type Tensor } from "../src/index.ts";
import { allocationCounts } from "../src/tensor/dtype.ts";
import { gradOf } from "../src/tensor/tensor.ts";

const F = nn.functional;

/** The layers of a small CNN with every layer kind a step recycles through (conv, batch norm, ReLU, pooling, linear). */
function layers(seed: number): nn.Module[] {
  manualSeed(seed);
  return [
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
  ];
}

/** A training step of `forward` on a fixed batch; returns the loss. */
function stepper(forward: (x: Tensor) => Tensor, parameters: Tensor[]) {
  manualSeed(5);
  const x = randn([5, 1, 8, 8]);
  const y = new Int32Array([0, 1, 2, 0, 1]);
  const opt = new optim.Adam(parameters, { lr: 0.01 });
  return () => {
    opt.zeroGrad();
    const loss = F.crossEntropy(forward(x), y);
    loss.backward();
    opt.step();
    return loss.item();
  };
}

describe("backward gives back the arrays it is done with", () => {
  it("a Sequential's step takes its activations and gradients from the free lists from the second step on", () => {
    const model = new nn.Sequential(...layers(1));
    const step = stepper((x) => model.forward(x), model.parameters());
    step();
    step();
    for (let i = 0; i < 3; i++) {
      const before = allocationCounts();
      step();
      const after = allocationCounts();
      const made = after.madeBytes - before.madeBytes;
      const reused = after.reusedBytes - before.reusedBytes;
      // Reused: the activations between layers (18,000 bytes) and the gradients between layers.
      // Made: only what leaves the model (the logits) and the loss's own arrays.
      expect(reused).toBeGreaterThan(2 * 18_000);
      expect(made, `${made} bytes made, ${reused} reused`).toBeLessThan(reused / 10);
    }
  });

  it("gives the same losses and weights, bit for bit, as the same layers called one by one (nothing recycled between them)", () => {
    const model = new nn.Sequential(...layers(1));
    const plain = layers(1);
    const steps = [stepper((x) => model.forward(x), model.parameters()), stepper((x) => plain.reduce((h, m) => m.forward(h), x), plain.flatMap((m) => m.parameters()))];
    const losses = steps.map((step) => Array.from({ length: 5 }, step));
    expect(losses[1]).toEqual(losses[0]);
    expect(plain.flatMap((m) => m.parameters().map((p) => [...p.values()]))).toEqual(model.parameters().map((p) => [...p.values()]));
  });

  it("never gives back what the caller or a layer can still read", () => {
    /** A layer that keeps its input (as a user's layer may). */
    class Keeper extends nn.Module {
      kept: Tensor[] = [];
      forward(x: Tensor): Tensor {
        this.kept.push(x);
        return mul(x, 1);
      }
    }
    const keeper = new Keeper();
    const hooked: Tensor[] = [];
    const hook = (_op: string, out: Tensor) => void hooked.push(out);
    manualSeed(2);
    /** An input with a graph of its own, as a model's input can be. */
    const input = () => mul(randn([4, 6], { requiresGrad: true }), 1);
    const passesInputOn = new nn.Sequential(new nn.Dropout(0.5), new nn.Linear(6, 6), new nn.ReLU(), new nn.Linear(6, 6));
    const passesResultOn = new nn.Sequential(new nn.Linear(6, 6), new nn.Dropout(0.5));
    passesInputOn.eval(); // Dropout in eval mode returns its input itself
    passesResultOn.eval();
    const cases: [string, nn.Module, Tensor[]][] = [
      ["the result, a view of the last ReLU's output", new nn.Sequential(new nn.Linear(6, 6), new nn.ReLU(), new nn.Flatten()), []],
      ["the result, passed on by Dropout", passesResultOn, []],
      ["an input a user's layer keeps", new nn.Sequential(new nn.Linear(6, 6), keeper, new nn.Linear(6, 6)), keeper.kept],
      ["the caller's input, passed on by Dropout", passesInputOn, []],
      ["what an operation hook keeps", new nn.Sequential(new nn.Linear(6, 6), new nn.ReLU(), new nn.Linear(6, 6)), hooked],
    ];
    for (const [what, model, kept] of cases) {
      const x = input();
      if (kept === hooked) opHooks.push(hook);
      const out = model.forward(x);
      if (kept === hooked) opHooks.pop();
      const watched = [x, out, ...kept];
      const values = watched.map((t) => [...t.values()]);
      sum(out).backward();
      // Later steps of the same sizes: had any watched array gone to the free lists, one of them would overwrite it.
      for (let i = 0; i < 3; i++) sum(model.forward(input())).backward();
      expect(watched.map((t) => [...t.values()]), what).toEqual(values);
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
