// Gradient storage reuse: zeroGrad keeps a weight's gradient array for the next backward only when
// nobody outside ndgrad has seen it, so a step allocates no weight gradients and a kept .grad keeps its values.

import { describe, expect, it } from "vitest";
import { manualSeed, nn, optim, randn, type Tensor } from "../src/index.ts";
import { gradOf } from "../src/tensor/tensor.ts";

const F = nn.functional;

/** A small conv + linear net, a batch, and its loss. */
function setup() {
  manualSeed(3);
  const model = new nn.Sequential(new nn.Conv2d(2, 3, 3, { padding: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(3 * 5 * 5, 4));
  const x = randn([6, 2, 5, 5]);
  const y = new Int32Array([0, 1, 2, 3, 0, 1]);
  const loss = () => F.crossEntropy(model.forward(x), y);
  return { model, loss };
}

/** Each parameter's gradient array as backward left it (without handing it out). */
const arrays = (model: nn.Module) => model.parameters().map((p) => gradOf(p)!.data.data);
const values = (model: nn.Module) => model.parameters().map((p) => [...gradOf(p)!.values()]);

describe("gradient storage reuse", () => {
  it("writes the next gradients into the arrays zeroGrad released, with the values a fresh array gets", () => {
    const { model, loss } = setup();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    loss().backward();
    const first = arrays(model);
    opt.step();
    opt.zeroGrad();
    loss().backward();
    arrays(model).forEach((a, i) => expect(a).toBe(first[i]));

    // The same step from scratch (fresh gradient arrays) gives the same gradients.
    const fresh = setup();
    fresh.model.loadStateDict(model.stateDict());
    fresh.loss().backward();
    expect(values(model)).toEqual(values(fresh.model));
  });

  it("works through Module.zeroGrad too", () => {
    const { model, loss } = setup();
    loss().backward();
    const first = arrays(model);
    model.zeroGrad();
    loss().backward();
    arrays(model).forEach((a, i) => expect(a).toBe(first[i]));
  });

  it("never reuses a gradient that was read: a kept .grad keeps its values after zeroGrad and the next backward", () => {
    const { model, loss } = setup();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    loss().backward();
    const kept: Tensor[] = model.parameters().map((p) => p.grad!);
    const keptValues = kept.map((g) => [...g.values()]);
    opt.step();
    opt.zeroGrad();
    loss().backward();
    kept.forEach((g, i) => {
      expect([...g.values()]).toEqual(keptValues[i]);
      expect(gradOf(model.parameters()[i])!.data.data).not.toBe(g.data.data);
    });
  });

  it("never reuses a gradient the user assigned", () => {
    const { model, loss } = setup();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const mine = model.parameters().map((p) => randn(p.shape));
    const mineValues = mine.map((g) => [...g.values()]);
    model.parameters().forEach((p, i) => (p.grad = mine[i]));
    opt.step();
    opt.zeroGrad();
    loss().backward();
    mine.forEach((g, i) => expect([...g.values()]).toEqual(mineValues[i]));
  });

  it("sums correctly when one weight is used twice (the second use gets a fresh array)", () => {
    manualSeed(5);
    const layer = new nn.Linear(4, 4);
    const x = randn([3, 4]);
    const run = () => layer.forward(layer.forward(x)).sum().backward();
    run();
    const expected = [...gradOf(layer.weight)!.values()];
    layer.zeroGrad();
    run();
    expect([...gradOf(layer.weight)!.values()]).toEqual(expected);
  });

  it("adds to a gradient that is still there (no zeroGrad between two backward calls) as before", () => {
    const { model, loss } = setup();
    loss().backward();
    const once = values(model);
    loss().backward();
    values(model).forEach((v, i) => v.forEach((g, k) => expect(g).toBeCloseTo(2 * once[i][k], 5)));
  });
});
