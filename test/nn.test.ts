// nn: Module bookkeeping, Linear, activation layers, Dropout, Flatten, Sequential, init, state dicts, and XOR end to end.

import { describe, expect, it } from "vitest";
import { fromArray, noGrad, ones, randn, tensor, zeros, type Tensor } from "../src/tensor/index.ts";
import { gradcheck } from "../src/utils/gradcheck.ts";
import { defaultGenerator, Generator, manualSeed } from "../src/tensor/rng.ts";
import * as nn from "../src/nn/index.ts";

const F = nn.functional;

function f64(shape: number[], requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromArray(Float64Array.from({ length: n }, () => defaultGenerator.normal()), shape, requiresGrad);
}

function mlp(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(2, 8), new nn.ReLU(), new nn.Linear(8, 2));
}

describe("Module", () => {
  it("names parameters as PyTorch: Sequential children are 0, 1, 2 ...", () => {
    const model = mlp();
    expect([...model.namedParameters()].map(([n, p]) => [n, p.shape])).toEqual([
      ["0.weight", [8, 2]], ["0.bias", [8]], ["2.weight", [2, 8]], ["2.bias", [2]],
    ]);
    expect(model.parameters().map((p) => p.name)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(model.children().map((m) => m.constructor.name)).toEqual(["Linear", "ReLU", "Linear"]);
    expect(model[0]).toBeInstanceOf(nn.Linear);
    expect(model.at(-1)).toBe(model[2]);
    expect(model.length).toBe(3);
  });

  it("nests names through submodules, and picks up PyTorch-style fields in declaration order", () => {
    class Block extends nn.Module {
      fc1 = new nn.Linear(4, 3);
      act = new nn.Tanh();
      fc2 = new nn.Linear(3, 2, { bias: false });
      forward(x: Tensor) { return this.fc2.forward(this.act.forward(this.fc1.forward(x))); }
    }
    class Net extends nn.Module {
      scale = ones([2], { requiresGrad: true });
      encoder = new Block();
      head = new nn.Sequential(new nn.Linear(2, 2));
      forward(x: Tensor) { return this.head.forward(this.encoder.forward(x)).mul(this.scale); }
    }
    const net = new Net();
    expect([...net.namedParameters()].map(([n]) => n)).toEqual([
      "scale", "encoder.fc1.weight", "encoder.fc1.bias", "encoder.fc2.weight", "head.0.weight", "head.0.bias",
    ]);
    expect(net.forward(randn(5, 4)).shape).toEqual([5, 2]);
    expect(net.modules().length).toBe(7);
  });

  it("lists a shared tensor once, under its first name", () => {
    const a = new nn.Linear(3, 3);
    const b = new nn.Linear(3, 3);
    b.registerParameter("weight", a.weight);
    const model = new nn.Sequential(a, b);
    expect(model.parameters().length).toBe(3);
    expect(Object.keys(model.stateDict())).toEqual(["0.weight", "0.bias", "1.bias"]);
    const shared = new nn.Sequential(a, new nn.ReLU(), a);
    expect(shared.parameters()).toEqual([a.weight, a.bias]);
  });

  it("train() and eval() set the mode of every descendant", () => {
    const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.Dropout(0.5)));
    expect(model.training).toBe(true);
    model.eval();
    expect(model.modules().every((m) => !m.training)).toBe(true);
    model.train();
    expect(model.modules().every((m) => m.training)).toBe(true);
    model.train(false);
    expect(model.modules().every((m) => !m.training)).toBe(true);
  });

  it("zeroGrad clears every gradient", () => {
    const model = mlp();
    F.crossEntropy(model.forward(randn(4, 2)), [0, 1, 1, 0]).backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    model.zeroGrad();
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it("prints as PyTorch does", () => {
    expect(String(mlp())).toBe(
      "Sequential(\n  (0): Linear(in_features=2, out_features=8, bias=true)\n  (1): ReLU()\n  (2): Linear(in_features=8, out_features=2, bias=true)\n)",
    );
  });
});

describe("stateDict and loadStateDict", () => {
  it("stateDict maps names to views of the parameters' storage, in order", () => {
    const model = mlp();
    const sd = model.stateDict();
    expect(Object.keys(sd)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(sd["0.weight"].data.data).toBe(model[0].parameters()[0].data.data);
    expect(sd["0.weight"].requiresGrad).toBe(false);
  });

  it("loadStateDict copies values in place (the same tensors, so an optimizer keeps working)", () => {
    manualSeed(1);
    const a = mlp();
    manualSeed(2);
    const b = mlp();
    const before = b.parameters();
    const storage = before.map((p) => p.values());
    const x = randn(5, 2);
    b.loadStateDict(a.stateDict());
    expect(b.parameters()).toEqual(before);
    b.parameters().forEach((p, i) => expect(p.values()).toBe(storage[i]));
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
  });

  function snapshot(m: nn.Module): number[][] {
    return m.parameters().map((p) => Array.from(p.values()));
  }

  it("a shape mismatch names the parameter and both shapes, and changes nothing", () => {
    const model = mlp();
    const saved = snapshot(model);
    const sd = { ...mlp().stateDict(), "2.weight": zeros([3, 8]) };
    expect(() => model.loadStateDict(sd)).toThrow('size mismatch for "2.weight": the model has shape [2, 8], the state dict has [3, 8]');
    expect(snapshot(model)).toEqual(saved);
  });

  it("unknown and missing names throw, and nothing is changed", () => {
    const model = mlp();
    const saved = snapshot(model);
    const other = mlp().stateDict();
    expect(() => model.loadStateDict({ ...other, "3.weight": zeros([2]) })).toThrow('unexpected key "3.weight"');
    const { "0.bias": _dropped, ...missing } = other;
    expect(() => model.loadStateDict(missing)).toThrow('missing key "0.bias" (shape [8])');
    expect(snapshot(model)).toEqual(saved);
  });

  it("strict: false loads what matches and reports the rest", () => {
    const model = mlp();
    const source = mlp().stateDict();
    const { "2.bias": _dropped, ...partial } = source;
    const result = model.loadStateDict({ ...partial, extra: zeros([1]) }, { strict: false });
    expect(result).toEqual({ missingKeys: ["2.bias"], unexpectedKeys: ["extra"] });
    expect(Array.from(model.parameters()[0].values())).toEqual(Array.from(source["0.weight"].values()));
  });
});

describe("Linear", () => {
  it("has weight [out, in] and bias [out], U(−1/√in, 1/√in), the same for the same seed", () => {
    manualSeed(42);
    const a = new nn.Linear(16, 4);
    manualSeed(42);
    const b = new nn.Linear(16, 4);
    expect(a.weight.shape).toEqual([4, 16]);
    expect(a.bias!.shape).toEqual([4]);
    expect(Array.from(a.weight.values())).toEqual(Array.from(b.weight.values()));
    const all = [...a.weight.values(), ...a.bias!.values()];
    expect(all.every((v) => Math.abs(v) <= 0.25)).toBe(true);
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(0.2);
    expect(new nn.Linear(3, 2, { bias: false }).parameters().length).toBe(1);
  });

  it("computes x·Wᵀ + b as one op", () => {
    const layer = new nn.Linear(2, 3);
    noGrad(() => {
      layer.weight.values().set([1, 2, 3, 4, 5, 6]);
      layer.bias!.values().set([0.5, -1, 0]);
    });
    const y = layer.forward(tensor([[1, 1], [2, -1]], { requiresGrad: true }));
    expect(y.gradFn?.op).toBe("linear");
    expect(y.toArray()).toEqual([[3.5, 6, 11], [0.5, 1, 4]]);
  });

  it("agrees with matmul + add at sizes that exercise the gemm kernel's edges, forward and backward", () => {
    manualSeed(8);
    for (const [rows, inF, outF] of [[1, 1, 1], [37, 65, 33], [64, 128, 10], [5, 0, 3]]) {
      const x = randn(rows, inF, { requiresGrad: true });
      const layer = new nn.Linear(inF, outF);
      const fused = layer.forward(x);
      const reference = x.matmul(layer.weight.T).add(layer.bias!);
      const g = randn(rows, outF);
      fused.backward(g);
      const fusedGrads = [x, layer.weight, layer.bias!].map((t) => Array.from(t.grad?.values() ?? []));
      layer.zeroGrad();
      x.grad = null;
      reference.backward(g);
      const referenceGrads = [x, layer.weight, layer.bias!].map((t) => Array.from(t.grad?.values() ?? []));
      const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) <= 1e-5 + 1e-4 * Math.abs(b[i]));
      expect(close(Array.from(fused.values()), Array.from(reference.values())), `forward ${rows}x${inF}->${outF}`).toBe(true);
      fusedGrads.forEach((fg, i) => expect(close(fg, referenceGrads[i]), `grad ${i} ${rows}x${inF}->${outF}`).toBe(true));
    }
  });

  it("takes [..., in] inputs by flattening the leading dims", () => {
    const layer = new nn.Linear(3, 2);
    const x = randn(2, 4, 3);
    const y = layer.forward(x);
    expect(y.shape).toEqual([2, 4, 2]);
    expect(y.reshape(8, 2).toArray()).toEqual(layer.forward(x.reshape(8, 3)).toArray());
  });

  it("passes gradcheck (input, weight and bias; with and without bias; 3-D input)", () => {
    manualSeed(3);
    const layer = new nn.Linear(4, 3, { dtype: "float64" });
    gradcheck((x) => layer.forward(x), [f64([5, 4]), layer.weight, layer.bias!]);
    gradcheck((x, w) => F.linear(x, w), [f64([2, 3, 4]), f64([2, 4])]);
    gradcheck((x, w, b) => F.linear(x, w, b), [f64([1, 4]), f64([6, 4]), f64([6])]);
  });

  it("names the layer, the expected and the got features on a wrong input", () => {
    expect(() => new nn.Linear(784, 10).forward(zeros([32, 100]))).toThrow("Linear(784, 10): expected input with 784 features (last dim), got [32, 100]");
    expect(() => F.linear(zeros([2, 3]), zeros([4, 5]))).toThrow("linear: expected input with 5 features (last dim), got [2, 3]");
    expect(() => new nn.Linear(2, 2).forward(zeros([1, 2], { dtype: "float64" }))).toThrow("input is float64 but weight is float32");
    expect(() => new nn.Linear(-1, 2)).toThrow("inFeatures must be a non-negative integer, got -1");
  });
});

describe("activation layers", () => {
  const layers: [string, () => nn.Module][] = [
    ["ReLU", () => new nn.ReLU()],
    ["LeakyReLU", () => new nn.LeakyReLU(0.1)],
    ["Sigmoid", () => new nn.Sigmoid()],
    ["Tanh", () => new nn.Tanh()],
    ["GELU", () => new nn.GELU()],
    ["Softmax(1)", () => new nn.Softmax(1)],
    ["Softmax(0)", () => new nn.Softmax(0)],
    ["LogSoftmax(1)", () => new nn.LogSoftmax(1)],
    ["LogSoftmax(-1)", () => new nn.LogSoftmax()],
    ["Flatten", () => new nn.Flatten()],
  ];
  it.each(layers)("%s passes gradcheck", (_, make) => {
    manualSeed(5);
    const m = make();
    // Keep away from ReLU's kink at 0, where finite differences are undefined.
    const x = f64([3, 4]);
    for (const v of x.values().keys()) if (Math.abs(x.values()[v]) < 0.05) x.values()[v] = 0.3;
    gradcheck((t) => m.forward(t), [x]);
  });

  it("compute what their names say", () => {
    const x = tensor([[-2, 0.5]]);
    expect(new nn.ReLU().forward(x).toArray()).toEqual([[0, 0.5]]);
    expect(new nn.LeakyReLU(0.1).forward(x).toArray()).toEqual([[expect.closeTo(-0.2, 6), 0.5]]);
    expect(new nn.LeakyReLU().negativeSlope).toBe(0.01);
    const s = new nn.Softmax(1).forward(x).toArray() as number[][];
    expect(s[0][0] + s[0][1]).toBeCloseTo(1, 6);
    expect(new nn.Flatten().forward(zeros([2, 3, 4])).shape).toEqual([2, 12]);
    expect(new nn.Flatten(0).forward(zeros([2, 3, 4])).shape).toEqual([24]);
  });
});

describe("Dropout", () => {
  it("zeroes about p of the elements and scales the rest by 1/(1 − p) in training", () => {
    manualSeed(7);
    const d = new nn.Dropout(0.25);
    const y = Array.from(d.forward(ones([10000])).values());
    const zeroed = y.filter((v) => v === 0).length;
    expect(zeroed / 10000).toBeGreaterThan(0.23);
    expect(zeroed / 10000).toBeLessThan(0.27);
    expect(y.filter((v) => v !== 0).every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
  });

  it("is the identity in eval mode and with p = 0; p = 1 drops everything", () => {
    const x = randn(3, 3);
    const d = new nn.Dropout(0.5);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(F.dropout(x, 0.5, false)).toBe(x);
    expect(new nn.Dropout(0).forward(x)).toBe(x);
    expect(Array.from(new nn.Dropout(1).forward(x).values())).toEqual(new Array(9).fill(0));
  });

  it("draws its mask from the seeded generator", () => {
    manualSeed(9);
    const a = F.dropout(ones([50]), 0.5).toArray();
    manualSeed(9);
    expect(F.dropout(ones([50]), 0.5).toArray()).toEqual(a);
  });

  it("sends the gradient through the kept elements only, scaled", () => {
    manualSeed(4);
    const x = f64([4, 5]);
    const y = F.dropout(x, 0.4);
    y.sum().backward();
    const kept = Array.from(y.values()).map((v) => (v !== 0 ? 1 / 0.6 : 0));
    expect(Array.from(x.grad!.values())).toEqual(kept.map((v) => expect.closeTo(v, 12)));
  });

  it("passes gradcheck with a fixed mask (a generator reseeded on every call)", () => {
    gradcheck((x) => F.dropout(x, 0.3, true, new Generator(1)), [f64([4, 6])]);
  });

  it("refuses p outside [0, 1] with the valid range", () => {
    expect(() => new nn.Dropout(1.5)).toThrow("Dropout: p must be in [0, 1], got 1.5");
    expect(() => new nn.Dropout(-0.1)).toThrow("Dropout: p must be in [0, 1], got -0.1");
    expect(() => new nn.Dropout(NaN)).toThrow("Dropout: p must be in [0, 1], got NaN");
    expect(() => F.dropout(ones([2]), 2)).toThrow("dropout: p must be in [0, 1], got 2");
  });
});

describe("init", () => {
  const big = () => zeros([200, 300]);
  const stats = (t: Tensor) => {
    const v = Array.from(t.values());
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    return { mean, std, maxAbs: Math.max(...v.map(Math.abs)) };
  };

  it("kaimingUniform: bound = gain·√(3/fan), leakyRelu with a = 0 by default (gain √2), fanIn", () => {
    manualSeed(0);
    const t = big();
    expect(nn.init.kaimingUniform(t)).toBe(t);
    const bound = Math.SQRT2 * Math.sqrt(3 / 300);
    expect(stats(t).maxAbs).toBeLessThanOrEqual(bound);
    expect(stats(t).maxAbs).toBeGreaterThan(0.99 * bound);
    const out = nn.init.kaimingUniform(big(), { mode: "fanOut", nonlinearity: "relu" });
    expect(stats(out).maxAbs).toBeLessThanOrEqual(Math.SQRT2 * Math.sqrt(3 / 200));
    expect(stats(out).maxAbs).toBeGreaterThan(Math.SQRT2 * Math.sqrt(3 / 300));
  });

  it("kaiming with a = √5 (PyTorch's Linear default) gives the bound 1/√fanIn", () => {
    const t = nn.init.kaimingUniform(big(), { a: Math.sqrt(5) });
    expect(stats(t).maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(300) + 1e-7);
    expect(stats(t).maxAbs).toBeGreaterThan(0.99 / Math.sqrt(300));
  });

  it("kaimingNormal, xavierUniform, xavierNormal follow PyTorch's formulas", () => {
    manualSeed(1);
    expect(stats(nn.init.kaimingNormal(big(), { nonlinearity: "relu" })).std).toBeCloseTo(Math.SQRT2 / Math.sqrt(300), 2);
    const xu = nn.init.xavierUniform(big(), { gain: 2 });
    const a = 2 * Math.sqrt(6 / 500);
    expect(stats(xu).maxAbs).toBeLessThanOrEqual(a);
    expect(stats(xu).maxAbs).toBeGreaterThan(0.99 * a);
    expect(stats(nn.init.xavierNormal(big())).std).toBeCloseTo(Math.sqrt(2 / 500), 3);
    expect(nn.init.calculateGain("tanh")).toBeCloseTo(5 / 3, 12);
    expect(nn.init.calculateGain("leaky_relu", 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
  });

  it("uniform, normal, zeros, ones write in place, seeded", () => {
    const t = zeros([1000]);
    const storage = t.values();
    nn.init.uniform(t, -2, -1);
    expect(t.values()).toBe(storage);
    expect(Array.from(storage).every((v) => v >= -2 && v < -1)).toBe(true);
    manualSeed(3);
    const n1 = Array.from(nn.init.normal(zeros([5]), 10, 0.1).values());
    manualSeed(3);
    expect(Array.from(nn.init.normal(zeros([5]), 10, 0.1).values())).toEqual(n1);
    expect(Array.from(nn.init.ones(zeros([3])).values())).toEqual([1, 1, 1]);
    expect(Array.from(nn.init.zeros(ones([3])).values())).toEqual([0, 0, 0]);
    const g = new Generator(5);
    expect(Array.from(nn.init.uniform(zeros([3]), 0, 1, g).values())).toEqual(Array.from(nn.init.uniform(zeros([3]), 0, 1, new Generator(5)).values()));
  });

  it("writes through a transposed view into the underlying storage", () => {
    const t = zeros([2, 3]);
    nn.init.ones(t.T);
    expect(Array.from(t.values())).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("refuses what PyTorch refuses", () => {
    expect(() => nn.init.kaimingUniform(zeros([5]))).toThrow("fewer than 2 dims (got [5])");
    expect(() => nn.init.kaimingUniform(zeros([2, 2]), { nonlinearity: "swish" as "relu" })).toThrow('unsupported nonlinearity "swish"');
    expect(() => nn.init.kaimingUniform(zeros([2, 2]), { mode: "fan_in" as "fanIn" })).toThrow('mode must be "fanIn" or "fanOut"');
  });
});

describe("XOR end to end", () => {
  it("a 2-16-2 net trained with plain SGD reaches 100% training accuracy", () => {
    manualSeed(0);
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = [0, 1, 1, 0];
    const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 2));
    const lossFn = new nn.CrossEntropyLoss();
    const lr = 0.5;
    let loss = Infinity;
    for (let step = 0; step < 500; step++) {
      model.zeroGrad();
      const out = lossFn.forward(model.forward(x), y);
      out.backward();
      loss = out.item();
      noGrad(() => {
        for (const p of model.parameters()) {
          const v = p.values();
          const g = p.grad!.values();
          for (let i = 0; i < v.length; i++) v[i] -= lr * g[i];
        }
      });
    }
    const predicted = Array.from(model.forward(x).argmax(1).values());
    expect(predicted).toEqual(y);
    expect(loss).toBeLessThan(0.05);
  });
});
