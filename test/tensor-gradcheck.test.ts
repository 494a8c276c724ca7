// Every differentiable tensor op against central finite differences in float64, incl. broadcasting and transposed inputs.

import { describe, expect, it } from "vitest";
import { gradcheck, manualSeed, rand, randn, tensor, type Tensor } from "../src/index.ts";

const f64 = { dtype: "float64", requiresGrad: true } as const;

/** Random float64 leaves; `positive` keeps them in (0.5, 1.5) for log/sqrt/pow/div. */
function leaves(shapes: number[][], positive = false): Tensor[] {
  return shapes.map((s) => (positive ? rand(s, f64).add(0.5).detach() : randn(s, f64)).detach()).map((t) => {
    t.requiresGrad = true;
    return t;
  });
}

type Case = [name: string, fn: (...x: Tensor[]) => Tensor, shapes: number[][], positive?: boolean];

const cases: Case[] = [
  ["add", (a, b) => a.add(b), [[3, 4], [3, 4]]],
  ["add broadcast [3,1]+[1,4]", (a, b) => a.add(b), [[3, 1], [1, 4]]],
  ["add broadcast [2,3,4]+[4]", (a, b) => a.add(b), [[2, 3, 4], [4]]],
  ["add 0-d tensor", (a, b) => a.add(b), [[2, 3], []]],
  ["add number", (a) => a.add(1.5), [[2, 3]]],
  ["sub broadcast", (a, b) => a.sub(b), [[4], [2, 3, 4]]],
  ["mul broadcast", (a, b) => a.mul(b), [[3, 1], [1, 4]]],
  ["mul number", (a) => a.mul(-3), [[5]]],
  ["div broadcast", (a, b) => a.div(b), [[2, 3], [3]], true],
  ["neg", (a) => a.neg(), [[3, 4]]],
  ["pow 3", (a) => a.pow(3), [[3, 4]]],
  ["pow -0.5", (a) => a.pow(-0.5), [[3, 4]], true],
  ["exp", (a) => a.exp(), [[3, 4]]],
  ["log", (a) => a.log(), [[3, 4]], true],
  ["sqrt", (a) => a.sqrt(), [[3, 4]], true],
  ["abs", (a) => a.abs(), [[3, 4]]],
  ["clamp", (a) => a.clamp(-0.5, 0.5), [[4, 5]]],
  ["relu", (a) => a.relu(), [[3, 4]]],
  ["leakyRelu", (a) => a.leakyRelu(0.1), [[3, 4]]],
  ["sigmoid", (a) => a.sigmoid(), [[3, 4]]],
  ["tanh", (a) => a.tanh(), [[3, 4]]],
  ["gelu", (a) => a.gelu(), [[3, 4]]],
  ["softmax dim -1", (a) => a.softmax(-1), [[3, 5]]],
  ["softmax dim 0 of 3-d", (a) => a.softmax(0), [[2, 3, 4]]],
  ["logSoftmax dim 1", (a) => a.logSoftmax(1), [[2, 3, 4]]],
  ["sum all", (a) => a.sum(), [[2, 3, 4]]],
  ["sum dim 1 keepdim", (a) => a.sum(1, true), [[2, 3, 4]]],
  ["sum dims [0, 2]", (a) => a.sum([0, 2]), [[2, 3, 4]]],
  ["mean dim -1", (a) => a.mean(-1), [[2, 3, 4]]],
  ["mean all", (a) => a.mean(), [[3, 4]]],
  ["max all", (a) => a.max(), [[3, 4]]],
  ["max dim 0", (a) => a.max(0), [[3, 5]]],
  ["matmul 2-d", (a, b) => a.matmul(b), [[5, 3], [3, 4]]],
  ["matmul batched with broadcast", (a, b) => a.matmul(b), [[2, 5, 3], [3, 4]]],
  ["matmul batched both", (a, b) => a.matmul(b), [[2, 1, 2, 3], [3, 3, 2]]],
  ["matmul vector", (a, b) => a.matmul(b), [[3], [3, 4]]],
  ["matmul matrix-vector", (a, b) => a.matmul(b), [[4, 3], [3]]],
  ["reshape with -1", (a) => a.reshape(-1, 6).mul(a.reshape(4, 6)), [[2, 3, 4]]],
  ["transpose", (a) => a.transpose(0, 2).mul(2), [[2, 3, 4]]],
  ["permute", (a) => a.permute(2, 0, 1).exp(), [[2, 3, 4]]],
  ["T", (a) => a.T.matmul(a), [[3, 4]]],
  ["flatten", (a) => a.flatten(1).tanh(), [[2, 3, 4]]],
  ["unsqueeze and squeeze", (a) => a.unsqueeze(1).squeeze().sigmoid(), [[3, 4]]],
  ["indexSelect with repeats", (a) => a.indexSelect(0, [2, 0, 2]), [[3, 4]]],
  ["indexSelect dim 1", (a) => a.indexSelect(1, [3, 1]), [[2, 4, 2]]],
  ["clone", (a) => a.clone().mul(a), [[3]]],
  ["reused node: a = x + x; b = a * a", (x) => { const a = x.add(x); return a.mul(a); }, [[3]]],
];

describe("gradcheck in float64", () => {
  it.each(cases)("%s", (_name, fn, shapes, positive) => {
    manualSeed(7);
    const inputs = leaves(shapes, positive);
    expect(gradcheck(fn, inputs).maxError).toBeLessThan(1e-6);
  });

  it.each([
    ["add", (a: Tensor, b: Tensor) => a.add(b)],
    ["mul", (a: Tensor, b: Tensor) => a.mul(b)],
    ["matmul", (a: Tensor, b: Tensor) => a.matmul(b.T)],
    ["softmax", (a: Tensor) => a.softmax(0)],
    ["sum", (a: Tensor) => a.sum(0)],
    ["exp", (a: Tensor) => a.exp()],
  ] as const)("%s on transposed (non-contiguous) inputs", (_name, fn) => {
    manualSeed(3);
    // gradcheck perturbs its leaves in place, so the transposed views are made inside fn.
    const base = leaves([[4, 3], [4, 3]]);
    expect(base[0].T.isContiguous()).toBe(false);
    expect(gradcheck((p, q) => (fn as (a: Tensor, b: Tensor) => Tensor)(p.T, q.T), base).maxError).toBeLessThan(1e-6);
  });
});

it("gradcheck reports the op, the input and the element of a wrong gradient", () => {
  const x = tensor([0.3, -0.2], { dtype: "float64", requiresGrad: true });
  const wrong = (t: Tensor) => {
    const out = t.exp();
    if (out.gradFn) out.gradFn.backward = (g) => [g];
    return out;
  };
  expect(() => gradcheck(wrong, [x])).toThrow(/gradcheck: exp: input 0 \(shape \[2\]\) element 0: analytic/);
});

it("gradcheck refuses float32 inputs", () => {
  expect(() => gradcheck((t) => t.exp(), [tensor([1], { requiresGrad: true })])).toThrow(/input 0 is float32; finite differences need float64/);
});
