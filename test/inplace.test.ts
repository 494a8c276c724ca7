// In-place safety: every in-place write bumps the version counter (PyTorch's _version), and backward refuses a graph whose saved inputs changed since the forward.

import { describe, expect, it } from "vitest";
import { DataLoader, manualSeed, nn, ones, optim, randn, tensor, TensorDataset, zeros, type Tensor } from "../src/index.ts";

const leaf = (values: number[]) => tensor(values, { requiresGrad: true });

/** One SGD step on w with the gradient `grad` (as a training loop would leave it). */
function stepOnce(w: Tensor, grad = ones(w.shape)): void {
  w.grad = grad;
  new optim.SGD([w], { lr: 0.1 }).step();
}

describe("version counter", () => {
  it("starts at 0 and counts in-place writes: optimizer steps, zeroGrad fills, loadStateDict, nn.init", () => {
    const w = leaf([1, 2, 3]);
    expect(w.version).toBe(0);
    const opt = new optim.Adam([w], { lr: 0.1 });
    w.grad = ones([3]);
    opt.step();
    opt.step();
    expect(w.version).toBe(2);
    const grad = w.grad;
    opt.zeroGrad({ setToNone: false });
    expect(grad.version).toBe(1);
    const model = new nn.Linear(2, 2);
    const before = model.weight.version;
    model.loadStateDict(new nn.Linear(2, 2).stateDict());
    expect(model.weight.version).toBe(before + 1);
    const bias = model.bias!.version;
    nn.init.zeros(model.bias!);
    expect(model.bias!.version).toBe(bias + 1);
  });

  it("counts the writes of L-BFGS and of schedule-free AdamW's eval()/train() swap", () => {
    const w = leaf([1, 2]);
    const lbfgs = new optim.LBFGS([w], { maxIter: 3 });
    lbfgs.step(() => {
      lbfgs.zeroGrad();
      const loss = w.mul(w).sum();
      loss.backward();
      return loss;
    });
    expect(w.version).toBeGreaterThan(0);
    const v = leaf([1, 2]);
    const sf = optim.create("adamw-schedulefree", [v], { lr: 0.1 });
    v.grad = ones([2]);
    sf.step();
    const stepped = v.version;
    sf.eval();
    sf.train();
    expect(v.version).toBe(stepped + 2);
  });

  it("counts batch norm's running statistics, updated in place by each training forward", () => {
    const bn = new nn.BatchNorm1d(2);
    bn.forward(randn([4, 2]));
    bn.forward(randn([4, 2]));
    expect([bn.running_mean!.version, bn.running_var!.version]).toEqual([2, 2]);
  });

  it("is shared by views of the same storage (detach, reshape, transpose, T, stateDict), not by copies", () => {
    const w = leaf([1, 2, 3, 4]);
    const views = [w.detach(), w.reshape(2, 2), w.reshape(2, 2).transpose(0, 1), w.reshape(2, 2).T];
    const copies = [w.clone(), w.mul(1), w.to("float64")];
    w.bumpVersion();
    expect(views.map((v) => v.version)).toEqual([1, 1, 1, 1]);
    expect(copies.map((c) => c.version)).toEqual([0, 0, 0]);
    const model = new nn.Linear(2, 2);
    stepOnce(model.weight);
    expect(model.stateDict().weight.version).toBe(model.weight.version);
  });
});

describe("backward after an in-place write", () => {
  it("y = w·w, opt.step(), y.backward() throws, naming the op and the tensor (PyTorch raises here)", () => {
    const w = leaf([1, 2, 3]);
    const y = w.mul(w).sum();
    stepOnce(w);
    expect(() => y.backward()).toThrow(
      "backward: one of the variables needed for gradient computation has been modified by an inplace operation: input 0 of mul, a tensor of shape [3] (float32), is at version 1; expected version 0 instead. " +
        "It was written in place after the forward (by optimizer.step(), loadStateDict, zeroGrad, nn.init or a DataLoader refilling its batch buffer); run the forward again after such a write, or call backward before it",
    );
  });

  it("names a module's parameter, and sees a write through a view (x @ W.T)", () => {
    const model = new nn.Sequential(new nn.Linear(3, 2));
    const w = model.parameters()[0];
    const y = model.forward(randn([4, 3])).sum();
    const z = randn([4, 3]).matmul(w.T).sum();
    const at = w.version;
    stepOnce(w);
    expect(() => y.backward()).toThrow(`input 1 of linear, the tensor "0.weight" of shape [2, 3] (float32), is at version ${at + 1}; expected version ${at} instead`);
    expect(() => z.backward()).toThrow(`input 1 of matmul, a tensor of shape [3, 2] (float32), is at version ${at + 1}; expected version ${at} instead`);
  });

  it("catches a loadStateDict between forward and backward, and a second backward through a retained graph after a step", () => {
    const model = new nn.Linear(3, 2);
    const loss = model.forward(ones([1, 3])).sum();
    model.loadStateDict(new nn.Linear(3, 2).stateDict());
    expect(() => loss.backward()).toThrow(/modified by an inplace operation: input 1 of linear, the tensor "weight"/);

    const w = leaf([1, 2]);
    const y = w.exp().mul(w).sum();
    y.backward(undefined, { retainGraph: true });
    stepOnce(w);
    expect(() => y.backward()).toThrow(/input 1 of mul, a tensor of shape \[2\]/);
  });

  it("catches a DataLoader batch whose reused buffer was refilled before its backward (not with copy: true)", () => {
    const data = new TensorDataset(Float32Array.from({ length: 8 }, (_, i) => i), new Int32Array(4), [2]);
    for (const copy of [false, true]) {
      const w = leaf([1, 1]);
      const batches = new DataLoader(data, { batchSize: 2, copy })[Symbol.iterator]();
      const first = batches.next().value!.x;
      const loss = first.mul(w).sum();
      batches.next();
      if (copy) {
        loss.backward();
        expect(w.grad!.toArray()).toEqual([2, 4]);
      } else {
        expect(() => loss.backward()).toThrow("input 0 of mul, a tensor of shape [2, 2] (float32), is at version 1; expected version 0 instead");
      }
    }
  });

  it("lets through an op whose backward does not read the changed values (as PyTorch: add, sum, reshape)", () => {
    const w = leaf([1, 2, 3]);
    const y = w.add(1).reshape(3, 1).sum();
    stepOnce(w);
    w.grad = null;
    y.backward();
    expect(w.grad!.toArray()).toEqual([1, 1, 1]);
  });

  it("leaves the ordinary loop (zeroGrad, forward, backward, step) alone", () => {
    manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 1));
    const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
    const x = randn([16, 4]);
    const target = x.sum(1, true);
    const initialized = model.parameters()[0].version;
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      opt.zeroGrad();
      const loss = nn.functional.mseLoss(model.forward(x), target);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    expect(losses[29]).toBeLessThan(losses[0] / 4);
    expect(model.parameters()[0].version).toBe(initialized + 30);
    expect(zeros([1]).version).toBe(0);
  });
});
