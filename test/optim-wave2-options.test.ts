// RAdam, Rprop, ASGD, Lion, Adafactor, Muon and schedule-free AdamW beyond the fixtures: registry, defaults, option errors, exact resume from a state dict, train/eval.

import { describe, expect, it } from "vitest";
import * as optim from "../src/optim/index.ts";
import { tensor, type Tensor } from "../src/tensor/index.ts";

const NEW_NAMES = ["radam", "rprop", "asgd", "lbfgs", "lion", "adafactor", "muon", "adamw-schedulefree"];

/** Parameters of every kind the new optimizers treat differently: a matrix, a vector, a 3-D tensor, a tall matrix. */
const SHAPES = [[3, 4], [4], [2, 2, 3], [5, 3]];

function makeParams(): Tensor[] {
  return SHAPES.map((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return tensor(Float32Array.from({ length: n }, (_, k) => Math.cos(0.9 * k + i) * 0.5), { shape });
  });
}

/** A deterministic pseudo-gradient for step t and parameter i. */
function gradFor(t: number, i: number, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, (_, k) => Math.sin(1.3 * k + 0.7 * t + 2.1 * i) * (1 + ((k + t) % 3))), { shape });
}

function run(opt: optim.Optimizer, params: Tensor[], from: number, to: number): void {
  for (let t = from; t < to; t++) {
    params.forEach((p, i) => (p.grad = gradFor(t, i, p.shape)));
    opt.step();
  }
}

const snapshot = (params: Tensor[]) => params.map((p) => Array.from(p.values()));

const CONFIGS: [name: string, options: Record<string, unknown>][] = [
  ["radam", { lr: 0.01, weightDecay: 0.01 }],
  ["rprop", { lr: 0.02, maximize: true }],
  ["asgd", { lr: 0.05, t0: 3 }],
  ["lion", { lr: 0.01, weightDecay: 0.1 }],
  ["adafactor", { lr: 0.05, weightDecay: 0.01 }],
  ["muon", { weightDecay: 0.01 }],
  ["adamw-schedulefree", { lr: 0.01, warmupSteps: 3, weightDecay: 0.01 }],
];

describe("registry", () => {
  it("available() lists every new optimizer, and create() builds each", () => {
    expect(optim.available()).toEqual(expect.arrayContaining(NEW_NAMES));
    const classes = [optim.RAdam, optim.Rprop, optim.ASGD, optim.LBFGS, optim.Lion, optim.Adafactor, optim.Muon, optim.AdamWScheduleFree];
    NEW_NAMES.forEach((name, i) => expect(optim.create(name, [tensor([1, 2])])).toBeInstanceOf(classes[i]));
  });

  it.each([
    ["radam", { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }],
    ["rprop", { lr: 0.01, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false }],
    ["asgd", { lr: 0.01, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false }],
    ["lion", { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0 }],
    ["adafactor", { lr: 0.01, beta2Decay: -0.8, eps: [1e-30, 1e-3], d: 1, weightDecay: 0, maximize: false }],
    ["muon", { lr: 0.02, momentum: 0.95, nesterov: true, nsSteps: 5, nsCoefficients: [3.4445, -4.775, 2.0315], eps: 1e-7, weightDecay: 0, adamLr: 3e-4, adamBetas: [0.9, 0.95], adamEps: 1e-10 }],
    ["adamw-schedulefree", { lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, warmupSteps: 0 }],
  ])("%s has the documented defaults", (name, defaults) => {
    expect(optim.create(name, [tensor([1])]).defaults).toEqual(defaults);
  });
});

describe("bad options", () => {
  const p = () => [tensor([1, 2])];
  it.each([
    ["radam", { betas: [1, 0.999] }, "RAdam: Invalid beta parameter at index 0: 1 (must be in [0, 1))"],
    ["radam", { eps: -1 }, "RAdam: Invalid epsilon value: -1 (must be a finite number >= 0)"],
    ["radam", { weightDecay: -0.1 }, "RAdam: Invalid weightDecay value: -0.1 (must be a finite number >= 0)"],
    ["rprop", { etas: [1.5, 1.2] }, "Rprop: Invalid eta values: 1.5, 1.2 (must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)"],
    ["rprop", { etas: [0.5, 1] }, "Rprop: Invalid eta values: 0.5, 1 (must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)"],
    ["rprop", { etas: [0, 1.2] }, "Rprop: Invalid eta values: 0, 1.2 (must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)"],
    ["rprop", { etas: 0.5 }, "Rprop: Invalid eta values: 0.5 (must be [etaminus, etaplus] with 0 < etaminus < 1 < etaplus)"],
    ["rprop", { stepSizes: [1, 0.1] }, "Rprop: Invalid step size values: 1, 0.1 (must be [min, max] with 0 <= min <= max)"],
    ["rprop", { stepSizes: [-1, 50] }, "Rprop: Invalid step size values: -1, 50 (must be [min, max] with 0 <= min <= max)"],
    ["asgd", { lambd: -1 }, "ASGD: Invalid lambd value: -1 (must be a finite number >= 0)"],
    ["asgd", { alpha: Infinity }, "ASGD: Invalid alpha value: Infinity (must be a finite number)"],
    ["asgd", { t0: NaN }, "ASGD: Invalid t0 value: NaN (must be a finite number)"],
    ["lion", { betas: [0.9, 1] }, "Lion: Invalid beta parameter at index 1: 1 (must be in [0, 1))"],
    ["lion", { weightDecay: -1 }, "Lion: Invalid weightDecay value: -1 (must be a finite number >= 0)"],
    ["adafactor", { beta2Decay: 0.5 }, "Adafactor: Invalid beta2Decay value: 0.5 (must be a finite number <= 0)"],
    ["adafactor", { eps: [1e-30, -1] }, "Adafactor: Invalid eps2 value: -1 (must be a finite number >= 0)"],
    ["adafactor", { eps: 1e-30 }, "Adafactor: Invalid epsilon value: 1e-30 (must be a pair [eps1, eps2])"],
    ["adafactor", { d: 0 }, "Adafactor: Invalid d value: 0 (the clipping threshold must be a finite number > 0)"],
    ["muon", { momentum: 1 }, "Muon: Invalid momentum value: 1 (must be in [0, 1))"],
    ["muon", { nsSteps: 0 }, "Muon: Invalid nsSteps value: 0 (must be an integer >= 1)"],
    ["muon", { nsCoefficients: [3.4, -4.7] }, "Muon: Invalid nsCoefficients value: [3.4, -4.7] (must be a triple [a, b, c])"],
    ["muon", { adamBetas: [0.9, 1] }, "Muon: Invalid beta parameter at index 1 of adamBetas: 1 (must be in [0, 1))"],
    ["muon", { adamLr: -1 }, "Muon: Invalid adamLr value: -1 (must be a finite number >= 0)"],
    ["adamw-schedulefree", { warmupSteps: -1 }, "AdamWScheduleFree: Invalid warmupSteps value: -1 (must be an integer >= 0)"],
    ["adamw-schedulefree", { warmupSteps: 2.5 }, "AdamWScheduleFree: Invalid warmupSteps value: 2.5 (must be an integer >= 0)"],
    ["adamw-schedulefree", { betas: [0.9, -0.1] }, "AdamWScheduleFree: Invalid beta parameter at index 1: -0.1 (must be in [0, 1))"],
  ])("%s %j", (name, options, message) => {
    expect(() => optim.create(name, p(), options)).toThrow(message);
  });

  it("an option changed to a bad value mid-run is caught at the next step", () => {
    const params = p();
    const opt = new optim.Rprop(params);
    opt.paramGroups[0].stepSizes = [50, 1e-6];
    params[0].grad = tensor([1, 1]);
    expect(() => opt.step()).toThrow("Rprop: parameter group 0: Invalid step size values: 50, 0.000001 (must be [min, max] with 0 <= min <= max)");
  });
});

describe.each(CONFIGS)("%s state dict", (name, options) => {
  it("resumes exactly: 6 steps, save (through JSON), load into a fresh optimizer over a copy, 6 more = 12 uninterrupted", () => {
    const straight = makeParams();
    const straightOpt = optim.create(name, straight, options);
    run(straightOpt, straight, 0, 12);

    const first = makeParams();
    const firstOpt = optim.create(name, first, options);
    run(firstOpt, first, 0, 6);
    const saved = JSON.parse(JSON.stringify(firstOpt.stateDict()));
    const resumed = first.map((p) => tensor(p.values().slice(), { shape: p.shape }));
    const resumedOpt = optim.create(name, resumed, options);
    resumedOpt.loadStateDict(saved);
    run(resumedOpt, resumed, 6, 12);
    expect(snapshot(resumed)).toEqual(snapshot(straight));
    expect(resumedOpt.stateDict()).toEqual(straightOpt.stateDict());
  });
});

describe("Adafactor keeps factored statistics", () => {
  it("stores n + m numbers per matrix (per matrix of a batch), a full V only for vectors", () => {
    const params = makeParams();
    const opt = new optim.Adafactor(params);
    run(opt, params, 0, 1);
    const sizes = params.map((p) => {
      const s = opt.state.get(p)!;
      return [s.expAvgSqRow?.length ?? null, s.expAvgSqCol?.length ?? null, s.expAvgSq?.length ?? null];
    });
    expect(sizes).toEqual([[3, 4, null], [null, null, 4], [4, 6, null], [5, 3, null]]);
  });

  it("refuses a row factor of the wrong length and changes nothing", () => {
    const params = makeParams();
    const opt = new optim.Adafactor(params);
    run(opt, params, 0, 2);
    const bad = JSON.parse(JSON.stringify(opt.stateDict()));
    bad.state["0"].expAvgSqRow.push(1);
    const fresh = new optim.Adafactor(makeParams());
    expect(() => fresh.loadStateDict(bad)).toThrow('Adafactor.loadStateDict: state of parameter 0 (shape [3, 4]): "expAvgSqRow" has 4 values, expected 3');
    expect(fresh.state.size).toBe(0);
  });
});

describe("Muon", () => {
  it("orthogonalizes: the update of a matrix has singular values near 1 (U·Vᵀ of its momentum, roughly)", () => {
    const rows = 6;
    const cols = 10;
    const M = Float64Array.from({ length: rows * cols }, (_, k) => Math.sin(1.7 * k) + 0.3 * Math.cos(0.2 * k * k));
    const X = optim.newtonSchulz(M, rows, cols, 5, [3.4445, -4.775, 2.0315], 1e-7);
    // The eigenvalues of X·Xᵀ are the squared singular values; its trace / rows is their mean.
    let trace = 0;
    for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) trace += X[i * cols + k] ** 2;
    expect(trace / rows).toBeGreaterThan(0.5);
    expect(trace / rows).toBeLessThan(1.5);
    const tall = optim.newtonSchulz(M, cols, rows, 5, [3.4445, -4.775, 2.0315], 1e-7);
    expect(tall.length).toBe(rows * cols);
  });

  it("gives matrices a momentum buffer and other parameters AdamW moments", () => {
    const params = makeParams();
    const opt = new optim.Muon(params);
    run(opt, params, 0, 1);
    expect(params.map((p) => [opt.state.get(p)!.momentumBuffer !== null, opt.state.get(p)!.expAvg !== null])).toEqual([[true, false], [false, true], [true, false], [true, false]]);
  });
});

describe("AdamWScheduleFree train/eval", () => {
  it("eval() puts x in the parameters and train() puts y back; eval twice is eval once", () => {
    const params = makeParams();
    const opt = new optim.AdamWScheduleFree(params, { lr: 0.01 });
    run(opt, params, 0, 5);
    const y = snapshot(params);
    opt.eval();
    expect(opt.training).toBe(false);
    expect(snapshot(params)).toEqual(params.map((p) => Array.from(opt.state.get(p)!.x)));
    expect(snapshot(params)).not.toEqual(y);
    opt.eval();
    expect(snapshot(params)).toEqual(params.map((p) => Array.from(opt.state.get(p)!.x)));
    opt.train();
    expect(opt.training).toBe(true);
    snapshot(params).forEach((values, i) => values.forEach((v, k) => expect(v).toBeCloseTo(y[i][k], 6)));
  });

  it("refuses to step in eval mode", () => {
    const params = makeParams();
    const opt = new optim.AdamWScheduleFree(params);
    opt.eval();
    expect(() => opt.step()).toThrow("AdamWScheduleFree.step: the optimizer is in eval mode (the parameters hold the averaged x); call train() before training");
  });

  it("before any step, eval() and train() leave the parameters alone (x1 = y1 = z1)", () => {
    const params = makeParams();
    const before = snapshot(params);
    const opt = new optim.AdamWScheduleFree(params);
    opt.eval();
    expect(snapshot(params)).toEqual(before);
    opt.train();
    expect(snapshot(params)).toEqual(before);
  });
});

describe("ASGD averagedParams", () => {
  it("are copies of the parameters before a step, and the running average θ̄ after averaging starts", () => {
    const params = makeParams();
    const opt = new optim.ASGD(params, { t0: 2, lr: 0.05 });
    expect(opt.averagedParams().map((t) => Array.from(t.values()))).toEqual(snapshot(params));
    const trajectory: number[][][] = [];
    for (let t = 0; t < 8; t++) {
      run(opt, params, t, t + 1);
      trajectory.push(snapshot(params));
    }
    // μ = 1/max(1, t − t0) at step t + 1: averaging starts at step 5 (t − 1 − t0 > 1), from θ at step 4.
    const average = params.map((_, i) => trajectory[0][i].map((_, k) => [3, 4, 5, 6, 7].reduce((s, t) => s + trajectory[t][i][k], 0) / 5));
    opt.averagedParams().forEach((t, i) => Array.from(t.values()).forEach((v, k) => expect(v).toBeCloseTo(average[i][k], 5)));
  });
});
