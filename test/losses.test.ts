// Losses: PyTorch reference values (group B) in float32, gradcheck in float64, reductions, options and errors.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromArray, tensor, type Tensor } from "../src/tensor/index.ts";
import { gradcheck } from "../src/utils/gradcheck.ts";
import { manualSeed, defaultGenerator } from "../src/tensor/rng.ts";
import * as nn from "../src/nn/index.ts";

const F = nn.functional;

interface FixtureTensor { shape: number[]; data: number[] }
interface FixtureInput extends FixtureTensor { name: string; dtype: "float" | "int"; requiresGrad: boolean }
interface FixtureCase { name: string; op: string; inputs: FixtureInput[]; output: FixtureTensor; grads: Record<string, FixtureTensor> }

const fixture = JSON.parse(readFileSync(new URL("./fixtures/autograd_ops.json", import.meta.url), "utf8"));
const { rtol, atol } = fixture.recommendedTolerance as { rtol: number; atol: number };
const lossOps = ["cross_entropy", "mse_loss", "binary_cross_entropy_with_logits", "mlp_loss"];
const cases = (fixture.cases as FixtureCase[]).filter((c) => lossOps.includes(c.op));

function expectClose(what: string, got: ArrayLike<number>, want: FixtureTensor): void {
  expect(got.length, `${what}: element count`).toBe(want.data.length);
  for (let i = 0; i < want.data.length; i++) {
    const err = Math.abs(got[i] - want.data[i]);
    if (!(err <= atol + rtol * Math.abs(want.data[i]))) {
      throw new Error(`${what}: element ${i}: got ${got[i]}, want ${want.data[i]} (error ${err.toExponential(2)})`);
    }
  }
}

/** The case's op built from nn.functional, in float32. */
function run(c: FixtureCase, t: Record<string, Tensor>, labels: number[]): Tensor {
  switch (c.op) {
    case "cross_entropy": return F.crossEntropy(t.logits, labels);
    case "mse_loss": return F.mseLoss(t.input, t.target);
    case "binary_cross_entropy_with_logits": return F.binaryCrossEntropyWithLogits(t.logits, t.target);
    case "mlp_loss": return F.crossEntropy(F.linear(F.relu(F.linear(t.x, t.W1, t.b1)), t.W2, t.b2), labels);
    default: throw new Error(`no runner for ${c.op}`);
  }
}

describe("loss fixtures (PyTorch float64 reference, float32 at the recommended tolerance)", () => {
  it("covers the five loss cases", () => {
    expect(cases.map((c) => c.name).sort()).toEqual(["bce_with_logits", "cross_entropy", "cross_entropy_extreme_logits", "mlp_loss", "mse_loss"]);
  });

  describe.each(cases)("$name", (c) => {
    it("matches the forward value and every gradient", () => {
      const t: Record<string, Tensor> = {};
      let labels: number[] = [];
      for (const input of c.inputs) {
        if (input.dtype === "int") labels = input.data;
        else t[input.name] = tensor(Float32Array.from(input.data), { shape: input.shape, requiresGrad: input.requiresGrad });
      }
      const out = run(c, t, labels);
      expect(out.shape).toEqual(c.output.shape);
      expectClose(`${c.name} output`, out.values(), c.output);
      out.backward();
      for (const [name, want] of Object.entries(c.grads)) {
        expect(t[name].grad, `${c.name}: grad of ${name}`).not.toBeNull();
        expectClose(`${c.name} grad ${name}`, t[name].grad!.values(), want);
      }
    });
  });
});

function f64(shape: number[], scale = 1, requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromArray(Float64Array.from({ length: n }, () => scale * defaultGenerator.normal()), shape, requiresGrad);
}

describe("gradcheck in float64", () => {
  manualSeed(11);
  const labels = [2, 0, 3, 3, 1];
  const logits = () => f64([5, 4]);
  const reductions = ["mean", "sum", "none"] as const;

  it.each(reductions)("crossEntropy, reduction %s", (reduction) => {
    gradcheck((z) => F.crossEntropy(z, labels, { reduction }), [logits()]);
  });
  it.each(reductions)("crossEntropy with labelSmoothing 0.1, reduction %s", (reduction) => {
    gradcheck((z) => F.crossEntropy(z, labels, { reduction, labelSmoothing: 0.1 }), [logits()]);
  });
  it.each(reductions)("crossEntropy with class weights and labelSmoothing, reduction %s", (reduction) => {
    gradcheck((z) => F.crossEntropy(z, labels, { reduction, labelSmoothing: 0.2, weight: [0.5, 1, 2, 1.5] }), [logits()]);
  });
  it.each(reductions)("nllLoss of logSoftmax, reduction %s", (reduction) => {
    gradcheck((z) => F.nllLoss(z.logSoftmax(1), labels, { reduction }), [logits()]);
  });
  it.each(reductions)("nllLoss with class weights, reduction %s", (reduction) => {
    gradcheck((z) => F.nllLoss(z, labels, { reduction, weight: [0.5, 1, 2, 1.5] }), [logits()]);
  });
  it.each(reductions)("mseLoss (input and target), reduction %s", (reduction) => {
    gradcheck((x, y) => F.mseLoss(x, y, { reduction }), [f64([3, 4]), f64([3, 4])]);
  });
  it.each(reductions)("binaryCrossEntropyWithLogits (input and target), reduction %s", (reduction) => {
    const target = fromArray(Float64Array.from({ length: 12 }, () => defaultGenerator.random()), [3, 4], true);
    gradcheck((x, y) => F.binaryCrossEntropyWithLogits(x, y, { reduction }), [f64([3, 4], 3), target]);
  });
  it("the loss modules", () => {
    gradcheck((z) => new nn.CrossEntropyLoss({ labelSmoothing: 0.05 }).forward(z, labels), [logits()]);
    gradcheck((z) => new nn.NLLLoss().forward(z, labels), [logits()]);
    gradcheck((x, y) => new nn.MSELoss({ reduction: "sum" }).forward(x, y), [f64([2, 3]), f64([2, 3])]);
    gradcheck((x) => new nn.BCEWithLogitsLoss().forward(x, tensor([[0, 1, 1], [1, 0, 0.5]], { dtype: "float64" })), [f64([2, 3])]);
  });
});

describe("crossEntropy values", () => {
  const z = tensor([[1, 2, 3], [1, -1, 0]], { dtype: "float64" });
  const lse = (row: number[]) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
  const per = [lse([1, 2, 3]) - 1, lse([1, -1, 0]) - 0];

  it("reduction none gives one loss per row, sum their sum, mean their mean", () => {
    const none = F.crossEntropy(z, [0, 2], { reduction: "none" });
    expect(none.shape).toEqual([2]);
    expect(none.toArray()).toEqual(per.map((v) => expect.closeTo(v, 12)));
    expect(F.crossEntropy(z, [0, 2], { reduction: "sum" }).item()).toBeCloseTo(per[0] + per[1], 12);
    expect(F.crossEntropy(z, [0, 2]).item()).toBeCloseTo((per[0] + per[1]) / 2, 12);
  });

  it("accepts labels as number[], Int32Array or a 1-D tensor", () => {
    const want = F.crossEntropy(z, [0, 2]).item();
    expect(F.crossEntropy(z, Int32Array.from([0, 2])).item()).toBe(want);
    expect(F.crossEntropy(z, tensor([0, 2])).item()).toBe(want);
  });

  it("labelSmoothing mixes in the uniform target as PyTorch: (1 − ε)·nll + ε/C·Σ −log p", () => {
    const eps = 0.3;
    const lp = z.logSoftmax(1).toArray() as number[][];
    const want = [0, 1].map((r) => (1 - eps) * -lp[r][[0, 2][r]] + (eps / 3) * -lp[r].reduce((a, b) => a + b, 0));
    expect(F.crossEntropy(z, [0, 2], { labelSmoothing: eps }).item()).toBeCloseTo((want[0] + want[1]) / 2, 12);
  });

  it("class weights: the mean divides by the summed weights of the targets (PyTorch's rule)", () => {
    const w = [2, 1, 0.5];
    expect(F.crossEntropy(z, [0, 2], { weight: w }).item()).toBeCloseTo((2 * per[0] + 0.5 * per[1]) / 2.5, 12);
  });

  it("is finite for logits of ±1e4 in float32, forward and backward", () => {
    const big = tensor([[1e4, -1e4, 0], [-1e4, -1e4, 1e4]], { requiresGrad: true });
    const loss = F.crossEntropy(big, [1, 2]);
    expect(loss.item()).toBeCloseTo(2e4 / 2, 0);
    loss.backward();
    expect(Array.from(big.grad!.values()).every(Number.isFinite)).toBe(true);
    expect(big.grad!.toArray()).toEqual([[0.5, -0.5, 0], [0, 0, 0]]);
  });

  it("matches nllLoss(logSoftmax(z))", () => {
    expect(F.crossEntropy(z, [1, 0]).item()).toBeCloseTo(F.nllLoss(z.logSoftmax(1), [1, 0]).item(), 12);
  });
});

describe("mseLoss and binaryCrossEntropyWithLogits values", () => {
  it("mseLoss is mean((x − t)²), with sum and none", () => {
    const x = tensor([1, 2, 3]);
    const t = tensor([0, 2, 5]);
    expect(F.mseLoss(x, t).item()).toBeCloseTo(5 / 3, 6);
    expect(F.mseLoss(x, t, { reduction: "sum" }).item()).toBe(5);
    expect(F.mseLoss(x, t, { reduction: "none" }).toArray()).toEqual([1, 0, 4]);
  });

  it("BCE with logits stays finite at ±30 with the wrong target in float32", () => {
    const x = tensor([30, -30], { requiresGrad: true });
    const loss = F.binaryCrossEntropyWithLogits(x, tensor([0, 1]), { reduction: "none" });
    expect(loss.toArray()).toEqual([30, 30]);
    loss.sum().backward();
    expect(x.grad!.toArray()).toEqual([1, -1]);
  });
});

describe("loss errors", () => {
  const logits = tensor([[0, 1, 2], [2, 1, 0]]);

  it("a label outside [0, classes) names the label, its position and the class count", () => {
    expect(() => F.crossEntropy(logits, [0, 3])).toThrow("crossEntropy: target 3 at position 1 is out of range for 3 classes (valid: 0 to 2)");
    expect(() => F.crossEntropy(logits, [-1, 0])).toThrow("target -1 at position 0 is out of range for 3 classes");
    expect(() => F.nllLoss(logits, [0, 7])).toThrow("nllLoss: target 7 at position 1 is out of range for 3 classes");
  });

  it("a batch-size mismatch names both sizes", () => {
    expect(() => F.crossEntropy(logits, [0, 1, 2])).toThrow("crossEntropy: batch sizes differ: logits has 2 rows but target has 3 labels");
    expect(() => new nn.CrossEntropyLoss().forward(logits, [0])).toThrow(/2 rows but target has 1 labels/);
  });

  it("non-integer labels are refused", () => {
    expect(() => F.crossEntropy(logits, [0, 1.5])).toThrow("crossEntropy: target 1.5 at position 1 is not an integer class index");
    expect(() => F.crossEntropy(logits, [0, NaN])).toThrow("target NaN at position 1 is not an integer class index");
  });

  it("logits must be 2-D [batch, classes]", () => {
    expect(() => F.crossEntropy(tensor([1, 2, 3]), [0])).toThrow("crossEntropy: logits must be 2-D [batch, classes], got [3]");
    expect(() => F.crossEntropy(tensor([[[1, 2]]]), [0])).toThrow("got [1, 1, 2]");
  });

  it("options are validated", () => {
    expect(() => F.crossEntropy(logits, [0, 1], { labelSmoothing: 1.5 })).toThrow("labelSmoothing must be in [0, 1], got 1.5");
    expect(() => F.crossEntropy(logits, [0, 1], { reduction: "avg" as "mean" })).toThrow('reduction must be "mean", "sum" or "none", got "avg"');
    expect(() => F.crossEntropy(logits, [0, 1], { weight: [1, 2] })).toThrow("weight must have one entry per class ([3])");
  });

  it("mseLoss and BCE need equal shapes and dtypes", () => {
    expect(() => F.mseLoss(tensor([[1], [2]]), tensor([1, 2]))).toThrow("mseLoss: input [2, 1] and target [2] must have the same shape");
    expect(() => F.binaryCrossEntropyWithLogits(tensor([1]), tensor([1], { dtype: "float64" }))).toThrow("input is float32 but target is float64");
  });
});
