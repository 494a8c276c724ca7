// Optimizer behaviour beyond the fixtures: registry, option errors, state dicts, option changes mid-run, layouts, convergence.

import ndarray from "ndarray";
import { describe, expect, it } from "vitest";
import * as optim from "../src/optim/index.ts";
// Registers "signum": every registry-wide test below runs on this user-written optimizer too.
import { Signum } from "../examples/custom-optimizer.ts";
import { Tensor, noGrad, tensor, type DType } from "../src/tensor/index.ts";

/** Every registered optimizer with lr 0.01, plus one configuration per switch that adds state or a code path. */
const CONFIGS: [label: string, name: string, options: Record<string, unknown>][] = [
  // L-BFGS steps only with a closure, over all its parameters at once: test/optim-lbfgs.test.ts.
  ...optim.available().filter((name) => name !== "lbfgs").map((name) => [name, name, { lr: 0.01 }] as [string, string, Record<string, unknown>]),
  ["sgd+momentum+wd", "sgd", { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }],
  ["adagrad lrDecay+initial", "adagrad", { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }],
  ["rmsprop centered+momentum", "rmsprop", { centered: true, momentum: 0.9 }],
  ["adam amsgrad", "adam", { lr: 0.01, amsgrad: true, weightDecay: 0.01 }],
];

/** A deterministic pseudo-gradient for step t and parameter i (no RNG needed). */
function gradFor(t: number, i: number, shape: number[], dtype: DType = "float32"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: n }, (_, k) => Math.sin(1.3 * k + 0.7 * t + 2.1 * i) * (1 + ((k + t) % 3)));
  return tensor(dtype === "float64" ? Float64Array.from(data) : Float32Array.from(data), { shape });
}

const SHAPES = [[3, 4], [4], [2, 2, 3]];

function makeParams(dtype: DType = "float32"): Tensor[] {
  return SHAPES.map((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Array.from({ length: n }, (_, k) => Math.cos(0.9 * k + i) * 0.5);
    return tensor(dtype === "float64" ? Float64Array.from(data) : Float32Array.from(data), { shape });
  });
}

function run(opt: optim.Optimizer, params: Tensor[], from: number, to: number, dtype: DType = "float32"): void {
  for (let t = from; t < to; t++) {
    params.forEach((p, i) => (p.grad = gradFor(t, i, p.shape, dtype)));
    opt.step();
  }
}

const snapshot = (params: Tensor[]) => params.map((p) => Array.from(p.values()));

describe("registry", () => {
  it("available() lists the optimizers of DESIGN.md's table, each built by create() as the class of that name", () => {
    const names = optim.available();
    expect(names).toEqual(expect.arrayContaining(["sgd", "momentum", "nag", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "adamax", "nadam"]));
    for (const name of names) {
      const opt = optim.create(name, [tensor([1, 2])], { lr: 0.1 });
      expect(opt).toBeInstanceOf(optim.Optimizer);
      expect(opt.name.toLowerCase()).toBe(name.replace(/[-_]/g, ""));
      expect(opt.paramGroups[0].lr).toBe(0.1);
    }
  });

  it("create is case-insensitive and names the valid ones for an unknown name", () => {
    expect(optim.create("NAG", [tensor([1])], { lr: 0.1 })).toBeInstanceOf(optim.NAG);
    expect(() => optim.create("adamm", [tensor([1])])).toThrow(`unknown optimizer "adamm" (valid: ${optim.available().join(", ")})`);
  });

  it("register adds a name, refuses duplicates and bad names", () => {
    class Halver extends optim.SGD {
      constructor(params: optim.ParamsInput<optim.SGDOptions>, options: Partial<optim.SGDOptions> = {}) {
        super(params, { lr: 0.5, ...options });
      }
    }
    const before = optim.available();
    optim.register("halver", Halver);
    expect(optim.available()).toEqual([...before, "halver"]);
    const p = tensor([2]);
    const opt = optim.create("halver", [p]);
    p.grad = tensor([2]);
    opt.step();
    expect(p.item()).toBe(1);
    expect(() => optim.register("halver", Halver)).toThrow(/"halver" is already registered/);
    expect(() => optim.register("adam", Halver)).toThrow(/"adam" is already registered/);
    expect(() => optim.register("My Opt", Halver)).toThrow(/invalid name "My Opt"/);
    expect(() => optim.register("", Halver)).toThrow(/invalid name/);
    expect(() => optim.register("ok", 3 as never)).toThrow(/needs an optimizer class/);
  });
});

describe("a user's optimizer (examples/custom-optimizer.ts)", () => {
  it("is registered, and steps θ by −η·sign(m) with m ← β·m + (1 − β)·g", () => {
    expect(optim.available()).toContain("signum");
    const θ = tensor([1, 2, 3], { dtype: "float64" });
    const opt = optim.create("signum", [θ], { lr: 0.1, beta: 0.5 });
    expect(opt).toBeInstanceOf(Signum);
    θ.grad = tensor([2, -4, 0], { dtype: "float64" });
    opt.step(); // m = [1, -2, 0]
    θ.grad = tensor([-4, 2, 0], { dtype: "float64" });
    opt.step(); // m = [-1.5, 0, 0]
    expect(Array.from(θ.values())).toEqual([1 - 0.1 + 0.1, 2 + 0.1, 3]);
    expect(() => optim.create("signum", [θ], { beta: 1 })).toThrow(/^Signum: Invalid beta value: 1 \(must be in \[0, 1\)\)$/);
  });
});

describe("defaults", () => {
  it.each([
    [optim.SGD, { lr: 0.1 }, { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false }],
    [optim.Momentum, { lr: 0.1 }, { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, maximize: false }],
    [optim.NAG, { lr: 0.1 }, { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0, maximize: false }],
    [optim.Adagrad, {}, { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }],
    [optim.Adadelta, {}, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }],
    [optim.RMSprop, {}, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }],
    [optim.Adam, {}, { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }],
    [optim.AdamW, {}, { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false, maximize: false }],
    [optim.Adamax, {}, { lr: 0.002, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false }],
    [optim.NAdam, {}, { lr: 0.002, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 0.004, maximize: false }],
  ] as const)("%o has PyTorch's defaults", (Ctor, given, want) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const opt = new (Ctor as any)([tensor([1])], given) as optim.Optimizer;
    expect(opt.defaults).toEqual(want);
    const { params, ...group } = opt.paramGroups[0];
    expect(group).toEqual(want);
    expect(params).toHaveLength(1);
  });

  it("Momentum and NAG are SGD with their presets", () => {
    const a = makeParams(), b = makeParams(), c = makeParams(), d = makeParams();
    run(new optim.Momentum(a, { lr: 0.05 }), a, 0, 8);
    run(new optim.SGD(b, { lr: 0.05, momentum: 0.9 }), b, 0, 8);
    run(new optim.NAG(c, { lr: 0.05 }), c, 0, 8);
    run(new optim.SGD(d, { lr: 0.05, momentum: 0.9, nesterov: true }), d, 0, 8);
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(snapshot(c)).toEqual(snapshot(d));
    expect(snapshot(a)).not.toEqual(snapshot(c));
  });
});

describe("option errors", () => {
  const p = () => tensor([1, 2, 3]);
  it.each<[string, () => unknown, RegExp]>([
    ["negative lr", () => new optim.SGD([p()], { lr: -1 }), /^SGD: Invalid learning rate: -1 \(must be a finite number >= 0\)$/],
    ["NaN lr", () => new optim.Adam([p()], { lr: NaN }), /Invalid learning rate: NaN/],
    ["infinite lr", () => new optim.Adam([p()], { lr: Infinity }), /Invalid learning rate: Infinity/],
    ["string lr", () => new optim.Adam([p()], { lr: "0.1" as never }), /Invalid learning rate: "0.1"/],
    ["SGD without lr", () => new optim.SGD([p()]), /didn't specify a value of required optimization parameter lr/],
    ["beta1 = 1", () => new optim.Adam([p()], { betas: [1, 0.999] }), /Invalid beta parameter at index 0: 1 \(must be in \[0, 1\)\)/],
    ["beta2 = 1.5", () => new optim.NAdam([p()], { betas: [0.9, 1.5] }), /Invalid beta parameter at index 1: 1.5/],
    ["beta NaN", () => new optim.Adamax([p()], { betas: [NaN, 0.9] }), /Invalid beta parameter at index 0: NaN/],
    ["betas not a pair", () => new optim.Adam([p()], { betas: [0.9] as never }), /Invalid betas value: \[0.9\]/],
    ["negative momentum", () => new optim.SGD([p()], { lr: 0.1, momentum: -0.5 }), /^SGD: Invalid momentum value: -0.5 \(must be in \[0, 1\]\)$/],
    ["RMSprop negative momentum", () => new optim.RMSprop([p()], { momentum: -1 }), /Invalid momentum value: -1/],
    ["Adadelta rho NaN", () => new optim.Adadelta([p()], { rho: NaN }), /^Adadelta: Invalid rho value: NaN \(must be in \[0, 1\]\)$/],
    ["negative eps", () => new optim.Adam([p()], { eps: -1 }), /Invalid epsilon value: -1/],
    ["infinite eps", () => new optim.Adagrad([p()], { eps: Infinity }), /Invalid epsilon value: Infinity/],
    ["negative weightDecay", () => new optim.Adam([p()], { weightDecay: -1 }), /Invalid weightDecay value: -1/],
    ["AdamW negative weightDecay", () => new optim.AdamW([p()], { weightDecay: -0.1 }), /^AdamW: Invalid weightDecay value: -0.1/],
    ["nesterov without momentum", () => new optim.SGD([p()], { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/],
    ["nesterov with dampening", () => new optim.NAG([p()], { lr: 0.1, dampening: 0.5 }), /^NAG: Nesterov momentum requires a momentum and zero dampening/],
    ["negative lrDecay", () => new optim.Adagrad([p()], { lrDecay: -1 }), /Invalid lrDecay value: -1/],
    ["negative initialAccumulatorValue", () => new optim.Adagrad([p()], { initialAccumulatorValue: -1 }), /Invalid initialAccumulatorValue value: -1/],
    ["rho > 1", () => new optim.Adadelta([p()], { rho: 1.5 }), /Invalid rho value: 1.5 \(must be in \[0, 1\]\)/],
    ["negative alpha", () => new optim.RMSprop([p()], { alpha: -1 }), /Invalid alpha value: -1/],
    ["RMSprop alpha above 1 (training turns NaN)", () => new optim.RMSprop([p()], { alpha: 1.5 }), /^RMSprop: Invalid alpha value: 1.5 \(must be in \[0, 1\)\)$/],
    ["RMSprop alpha = 1 (v stays 0: steps of g/ε)", () => new optim.RMSprop([p()], { alpha: 1 }), /^RMSprop: Invalid alpha value: 1 \(must be in \[0, 1\)\)$/],
    ["RMSprop momentum above 1", () => new optim.RMSprop([p()], { momentum: 1.5 }), /^RMSprop: Invalid momentum value: 1.5 \(must be in \[0, 1\]\)$/],
    ["SGD momentum above 1 (the buffer grows geometrically)", () => new optim.SGD([p()], { lr: 0.1, momentum: 2 }), /^SGD: Invalid momentum value: 2 \(must be in \[0, 1\]\)$/],
    ["Adamax beta2 = 1", () => new optim.Adamax([p()], { betas: [0.9, 1] }), /^Adamax: Invalid beta parameter at index 1: 1 \(must be in \[0, 1\)\)$/],
    ["AdamW beta1 above 1", () => new optim.AdamW([p()], { betas: [1.1, 0.999] }), /^AdamW: Invalid beta parameter at index 0: 1.1 \(must be in \[0, 1\)\)$/],
    ["a string alpha", () => new optim.RMSprop([p()], { alpha: "0.9" as never }), /^RMSprop: Invalid alpha value: "0.9" \(must be in \[0, 1\)\)$/],
    ["negative momentumDecay", () => new optim.NAdam([p()], { momentumDecay: -1 }), /Invalid momentumDecay value: -1/],
    ["non-boolean amsgrad", () => new optim.Adam([p()], { amsgrad: "yes" as never }), /Invalid amsgrad value: "yes" \(must be true or false\)/],
    ["snake_case option", () => new optim.Adam([p()], { weight_decay: 0.1 } as never), /^Adam: unknown option "weight_decay" \(valid: lr, betas, eps, weightDecay, amsgrad, maximize\)$/],
    ["unknown group option", () => new optim.SGD([{ params: [p()], lr: 0.1, nesterow: true } as never]), /^SGD: parameter group 0: unknown option "nesterow" \(valid: lr, /],
    ["bad group override", () => new optim.Adam([{ params: [p()] }, { params: [p()], lr: -1 }]), /^Adam: parameter group 1: Invalid learning rate: -1/],
    ["empty list", () => new optim.SGD([], { lr: 0.1 }), /optimizer got an empty parameter list/],
    ["empty iterable", () => new optim.Adam(new Map<string, Tensor>().values()), /optimizer got an empty parameter list/],
    ["shared parameter", () => { const q = p(); return new optim.SGD([{ params: [q] }, { params: [q] }], { lr: 0.1 }); }, /some parameters appear in more than one parameter group/],
    ["duplicate in a group", () => { const q = p(); return new optim.SGD([q, q], { lr: 0.1 }); }, /lists the same tensor twice/],
    ["a number as a parameter", () => new optim.SGD([p(), 3 as never], { lr: 0.1 }), /optimizer can only optimize Tensors, but parameter 1 of group 0 is 3/],
    ["a string as a parameter", () => new optim.SGD(["w" as never], { lr: 0.1 }), /optimizer can only optimize Tensors, but parameter 0 of group 0 is "w"/],
    ["an array as a parameter", () => new optim.SGD([[1, 2] as never], { lr: 0.1 }), /but parameter 0 of group 0 is \[1, 2\]/],
    ["a single tensor", () => new optim.SGD(p() as never, { lr: 0.1 }), /got a single Tensor \(wrap it: \[t\]\)/],
    ["a Set", () => new optim.SGD(new Set([p()]), { lr: 0.1 }), /not a Set/],
    ["params undefined", () => new optim.Adam(undefined as never), /params must be a list of tensors or of parameter groups, got undefined/],
    ["a non-leaf", () => new optim.SGD([tensor([1], { requiresGrad: true }).mul(2)], { lr: 0.1 }), /can't optimize a non-leaf Tensor/],
    ["a non-contiguous tensor", () => new optim.SGD([tensor([[1, 2], [3, 4]]).T], { lr: 0.1 }), /is not contiguous/],
    ["options not an object", () => new optim.Adam([p()], 0.1 as never), /options must be an object/],
  ])("%s", (_label, make, message) => {
    expect(make).toThrow(message);
  });

  it("value errors are RangeErrors and type errors TypeErrors", () => {
    expect(() => new optim.SGD([tensor([1])], { lr: -1 })).toThrow(RangeError);
    expect(() => new optim.SGD([3 as never], { lr: 1 })).toThrow(TypeError);
    expect(() => new optim.Adam([tensor([1])], { weight_decay: 1 } as never)).toThrow(TypeError);
  });

  it("an option made invalid between steps is reported at the next step", () => {
    const q = tensor([1, 2]);
    const opt = new optim.SGD([q], { lr: 0.1, momentum: 0.9 });
    q.grad = tensor([1, 1]);
    opt.paramGroups[0].momentum = -1;
    expect(() => opt.step()).toThrow(/^SGD: parameter group 0: Invalid momentum value: -1/);
    expect(Array.from(q.values())).toEqual([1, 2]);
  });

  it("a gradient of the wrong shape is named", () => {
    const q = tensor([1, 2]);
    const opt = new optim.Adam([q]);
    q.grad = tensor([1, 2, 3]);
    expect(() => opt.step()).toThrow(/parameter 0 of group 0 has shape \[2\] but its grad has shape \[3\]/);
  });
});

describe.each(CONFIGS)("%s", (_label, name, options) => {
  it("keeps parameters finite (and still, without weight decay) under zero gradients", () => {
    const params = makeParams();
    const before = snapshot(params);
    const opt = optim.create(name, params, options);
    for (let t = 0; t < 20; t++) {
      params.forEach((p) => (p.grad = tensor(new Float32Array(p.size), { shape: p.shape })));
      opt.step();
    }
    for (const p of params) for (const v of p.values()) expect(Number.isFinite(v)).toBe(true);
    // ASGD's decay term λ shrinks θ at every step, gradient or not (θ ← θ·(1 − λ·η)).
    const decays = (opt.paramGroups[0] as { weightDecay?: number }).weightDecay !== 0 || name === "asgd";
    if (!decays) expect(snapshot(params)).toEqual(before);
  });

  it("gives the same result whatever the order of the parameter list", () => {
    const a = makeParams(), b = makeParams();
    const optA = optim.create(name, a, options);
    const optB = optim.create(name, [b[2], b[0], b[1]], options);
    run(optA, a, 0, 10);
    run(optB, b, 0, 10);
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  it.each(["float32", "float64"] as const)("resumes bit-for-bit from stateDict() after step 4 (%s, also through JSON)", (dtype) => {
    const whole = makeParams(dtype);
    run(optim.create(name, whole, options), whole, 0, 10, dtype);

    const first = makeParams(dtype);
    const opt = optim.create(name, first, options);
    run(opt, first, 0, 4, dtype);
    const sd = opt.stateDict();
    for (const viaJson of [false, true]) {
      const loaded = viaJson ? JSON.parse(JSON.stringify(sd)) : sd;
      const resumed = first.map((p) => p.clone().detach());
      const fresh = optim.create(name, resumed, options);
      fresh.loadStateDict(loaded);
      run(fresh, resumed, 4, 10, dtype);
      expect(snapshot(resumed)).toEqual(snapshot(whole));
    }
  });

  it("keeps state buffers in the parameter's dtype", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const params = makeParams(dtype);
      const opt = optim.create(name, params, options);
      run(opt, params, 0, 2, dtype);
      for (const s of opt.state.values()) {
        for (const v of Object.values(s)) if (ArrayBuffer.isView(v)) expect(v).toBeInstanceOf(dtype === "float64" ? Float64Array : Float32Array);
      }
    }
  });

  it("maximize with g equals minimizing with −g", () => {
    if (name === "adamw" || (options.weightDecay ?? 0) !== 0) return; // decay pulls the same way in both, so they differ
    if (!("maximize" in optim.create(name, makeParams(), options).defaults)) return; // RAdam (as PyTorch 1.13), Lion, Muon, schedule-free AdamW have none
    const a = makeParams(), b = makeParams();
    const up = optim.create(name, a, { ...options, maximize: true });
    const down = optim.create(name, b, options);
    for (let t = 0; t < 6; t++) {
      a.forEach((p, i) => (p.grad = gradFor(t, i, p.shape)));
      b.forEach((p, i) => (p.grad = gradFor(t, i, p.shape).neg()));
      up.step();
      down.step();
    }
    expect(snapshot(a)).toEqual(snapshot(b));
  });
});

describe("options are read afresh at every step", () => {
  it("turning SGD momentum off makes the next step plain SGD", () => {
    const [a] = makeParams(), [b] = makeParams();
    const optA = new optim.SGD([a], { lr: 0.1, momentum: 0.9 });
    const optB = new optim.SGD([b], { lr: 0.1, momentum: 0.9 });
    run(optA, [a], 0, 3);
    run(optB, [b], 0, 3);
    optB.paramGroups[0].momentum = 0;
    const before = Array.from(b.values());
    run(optA, [a], 3, 4);
    run(optB, [b], 3, 4);
    const g = gradFor(3, 0, b.shape).values();
    // θ ← θ − η·g, to float32 rounding (the SIMD twin rounds η·g before subtracting).
    Array.from(b.values()).forEach((v, k) => expect(Math.abs(v - (before[k] - 0.1 * g[k]))).toBeLessThanOrEqual(2 ** -23 * (Math.abs(before[k]) + Math.abs(0.1 * g[k]))));
    expect(snapshot([a])).not.toEqual(snapshot([b]));
  });

  it("turning momentum on mid-run starts the buffer at the current gradient", () => {
    const [a] = makeParams(), [b] = makeParams();
    const optA = new optim.SGD([a], { lr: 0.1 });
    run(optA, [a], 0, 2);
    optA.paramGroups[0].momentum = 0.5;
    run(optA, [a], 2, 4);
    const optB = new optim.SGD([b], { lr: 0.1 });
    run(optB, [b], 0, 2);
    const fresh = new optim.SGD([b], { lr: 0.1, momentum: 0.5 });
    run(fresh, [b], 2, 4);
    expect(snapshot([a])).toEqual(snapshot([b]));
  });

  it.each<[string, string, Record<string, unknown>, Record<string, unknown>]>([
    ["adam betas", "adam", { lr: 0.01 }, { betas: [0.5, 0.9] }],
    ["adam amsgrad switched on", "adam", { lr: 0.01 }, { amsgrad: true }],
    ["rmsprop centered switched on", "rmsprop", {}, { centered: true }],
    ["rmsprop alpha", "rmsprop", {}, { alpha: 0.5 }],
    ["adagrad lrDecay", "adagrad", {}, { lrDecay: 0.5 }],
    ["adadelta rho", "adadelta", {}, { rho: 0.5 }],
    ["adamax eps", "adamax", {}, { eps: 0.5 }],
    ["nadam momentumDecay", "nadam", {}, { momentumDecay: 0.5 }],
    ["adamw weightDecay", "adamw", { lr: 0.01 }, { weightDecay: 0.5 }],
    ["sgd weightDecay", "sgd", { lr: 0.01 }, { weightDecay: 0.5 }],
  ])("changing %s after step 3 changes the trajectory", (_label, name, options, change) => {
    const a = makeParams(), b = makeParams();
    const optA = optim.create(name, a, options);
    const optB = optim.create(name, b, options);
    run(optA, a, 0, 3);
    run(optB, b, 0, 3);
    expect(snapshot(b)).toEqual(snapshot(a));
    Object.assign(optB.paramGroups[0], change);
    run(optA, a, 3, 6);
    run(optB, b, 3, 6);
    expect(snapshot(b)).not.toEqual(snapshot(a));
  });
});

describe("the base class", () => {
  it("skips parameters without a gradient and creates no state for them", () => {
    const [a, b] = makeParams();
    const opt = new optim.Adam([a, b]);
    const before = Array.from(b.values());
    a.grad = gradFor(0, 0, a.shape);
    opt.step();
    expect(Array.from(b.values())).toEqual(before);
    expect(opt.state.has(a)).toBe(true);
    expect(opt.state.has(b)).toBe(false);
  });

  it("updates a parameter that starts at an offset in its storage, and nothing outside it", () => {
    const storage = new Float32Array([9, 1, 2, 3, 9]);
    const p = new Tensor(ndarray(storage, [3], [1], 1));
    const opt = new optim.SGD([p], { lr: 0.5 });
    p.grad = tensor([2, 2, 2]);
    opt.step();
    expect(Array.from(storage)).toEqual([9, 0, 1, 2, 9]);
  });

  // L-BFGS calls its closure several times per step: test/optim-lbfgs.test.ts.
  describe.each(optim.available().filter((name) => name !== "lbfgs"))("%s.step(closure), PyTorch's contract", (name) => {
    /** f(θ) = Σ θ², with the closure counting its calls and recording whether the graph was on. */
    function setup() {
      const θ = tensor([1, -2, 3], { requiresGrad: true });
      const opt = optim.create(name, [θ], { lr: 0.01 });
      const seen = { calls: 0, recorded: [] as boolean[] };
      const closure = () => {
        seen.calls++;
        opt.zeroGrad();
        const loss = θ.pow(2).sum();
        seen.recorded.push(loss.gradFn !== null);
        loss.backward();
        return loss;
      };
      return { θ, opt, seen, closure };
    }

    it("calls the closure once, before the update, and returns its loss", () => {
      const { θ, opt, seen, closure } = setup();
      const loss = opt.step(closure);
      expect(seen.calls).toBe(1);
      expect(loss).toBeInstanceOf(Tensor);
      expect(loss!.item()).toBe(14); // the loss at θ before the update
      expect(Array.from(θ.values())).not.toEqual([1, -2, 3]); // the update used the closure's gradient
      expect(opt.step()).toBeUndefined();
      expect(seen.calls).toBe(1);
    });

    it("records the closure's graph even inside noGrad, and gives the same update as backward() then step()", () => {
      const { θ, opt, seen, closure } = setup();
      noGrad(() => opt.step(closure));
      expect(seen.recorded).toEqual([true]);
      const other = tensor([1, -2, 3], { requiresGrad: true });
      const plain = optim.create(name, [other], { lr: 0.01 });
      other.pow(2).sum().backward();
      plain.step();
      expect(Array.from(θ.values())).toEqual(Array.from(other.values()));
    });

    it("rejects a closure that is not a function", () => {
      const { opt } = setup();
      expect(() => opt.step(42 as never)).toThrow(new RegExp(`^${opt.name}\\.step: the closure must be a function that computes the loss, got 42$`));
    });
  });

  it("returns a closure's number as it is, and lets its error through without updating", () => {
    const p = tensor([1]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    expect(opt.step(() => {
      p.grad = tensor([1]);
      return 42;
    })).toBe(42);
    expect(p.item()).toBeCloseTo(0.9, 6);
    expect(() => opt.step(() => {
      throw new Error("no data");
    })).toThrow("no data");
    expect(p.item()).toBeCloseTo(0.9, 6);
  });

  it("state types name their entries: a misspelt one fails the type check", () => {
    const p = tensor([1, 2]);
    const opt = new optim.Adam([p], { amsgrad: true });
    p.grad = tensor([1, 1]);
    opt.step();
    const s = opt.state.get(p)!;
    // @ts-expect-error expAvgSQ is not an entry of AdamState (its entries have no index signature)
    s.expAvgSQ = null;
    // @ts-expect-error a state buffer is a typed array, not a number
    s.expAvg = 0;
    expect(Object.keys(s).sort()).toEqual(["expAvg", "expAvgSQ", "expAvgSq", "maxExpAvgSq", "step"]);
  });

  it("zeroGrad sets gradients to null, or zeroes them in place (any layout)", () => {
    const [a, b] = makeParams();
    const opt = new optim.SGD([a, b], { lr: 0.1 });
    a.grad = gradFor(0, 0, a.shape);
    const strided = tensor(Float32Array.from({ length: 12 }, (_, k) => k + 1), { shape: [4, 3] }).T; // [3, 4], not contiguous
    a.grad = strided;
    b.grad = gradFor(0, 1, b.shape);
    const bGrad = b.grad;
    opt.zeroGrad({ setToNone: false });
    expect(a.grad).toBe(strided);
    expect(Array.from(strided.data.data)).toEqual(new Array(12).fill(0));
    expect(b.grad).toBe(bGrad);
    expect(Array.from(bGrad.values())).toEqual([0, 0, 0, 0]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
  });

  it("addParamGroup adds a group with the defaults, and rejects a tensor already present", () => {
    const [a, b] = makeParams();
    const opt = new optim.Adam([a], { lr: 0.01 });
    opt.addParamGroup({ params: [b], betas: [0.5, 0.6] });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.01, betas: [0.5, 0.6], eps: 1e-8 });
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/some parameters appear in more than one parameter group/);
    expect(opt.paramGroups).toHaveLength(2);
  });

  it("groups do not share option arrays with the caller or each other", () => {
    const betas: [number, number] = [0.9, 0.99];
    const opt = new optim.Adam([{ params: [tensor([1])] }, { params: [tensor([2])] }], { betas });
    betas[0] = 0.1;
    opt.paramGroups[0].betas[0] = 0.2;
    expect(opt.paramGroups[1].betas).toEqual([0.9, 0.99]);
    expect(opt.defaults.betas).toEqual([0.9, 0.99]);
  });
});

describe("stateDict / loadStateDict", () => {
  function trained() {
    const params = makeParams();
    const opt = new optim.Adam([{ params: [params[0], params[2]] }, { params: [params[1]], lr: 0.05 }], { lr: 0.01, amsgrad: true });
    run(opt, params, 0, 3);
    return { params, opt };
  }

  it("is JSON-friendly: indices for parameters, number[] for buffers, the options of each group", () => {
    const { opt } = trained();
    const sd = opt.stateDict();
    expect(sd.paramGroups).toEqual([
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: true, maximize: false, params: [0, 1] },
      { lr: 0.05, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: true, maximize: false, params: [2] },
    ]);
    expect(Object.keys(sd.state).sort()).toEqual(["0", "1", "2"]);
    expect(sd.state["1"].step).toBe(3);
    expect(sd.state["1"].expAvg).toHaveLength(12);
    expect(Array.isArray(sd.state["2"].maxExpAvgSq)).toBe(true);
    expect(JSON.parse(JSON.stringify(sd))).toEqual(sd);
  });

  it("restores the group options too", () => {
    const { opt } = trained();
    opt.paramGroups[1].lr = 0.123;
    const sd = opt.stateDict();
    const { opt: other } = trained();
    other.loadStateDict(sd);
    expect(other.paramGroups[1].lr).toBe(0.123);
  });

  const broken: [string, (sd: optim.OptimizerStateDict) => unknown, RegExp][] = [
    ["a missing group", (sd) => ({ ...sd, paramGroups: sd.paramGroups.slice(0, 1) }), /has 1 parameter groups, this optimizer has 2/],
    ["a group of another size", (sd) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0], params: [0] }, sd.paramGroups[1]] }), /parameter group 0 has 1 parameters in the state dict, 2 in this optimizer/],
    ["a buffer of another size", (sd) => ({ ...sd, state: { ...sd.state, 1: { ...sd.state[1], expAvg: [1, 2] } } }), /state of parameter 1 \(shape \[2, 2, 3\]\): "expAvg" has 2 values, the parameter has 12/],
    ["an unknown state entry", (sd) => ({ ...sd, state: { ...sd.state, 0: { ...sd.state[0], velocity: [1] } } }), /unknown state entry "velocity"/],
    ["a missing state entry", (sd) => ({ ...sd, state: { ...sd.state, 0: { step: 3 } } }), /missing state entry "expAvg"/],
    ["a state for no parameter", (sd) => ({ ...sd, state: { ...sd.state, 7: sd.state[0] } }), /state for parameter index 7, which no parameter group lists/],
    ["a bad option", (sd) => ({ ...sd, paramGroups: [sd.paramGroups[0], { ...sd.paramGroups[1], lr: -1 }] }), /parameter group 1: Invalid learning rate: -1/],
    ["an unknown option", (sd) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0], momentum: 0.9 }, sd.paramGroups[1]] }), /unknown option "momentum"/],
    ["not a state dict", () => 42, /expected \{ state, paramGroups \}/],
  ];

  it.each(broken)("rejects %s and changes nothing", (_label, corrupt, message) => {
    const { params, opt } = trained();
    const good = opt.stateDict();
    const { opt: victim } = trained();
    victim.paramGroups[0].lr = 0.5;
    const before = victim.stateDict();
    expect(() => victim.loadStateDict(corrupt(good) as optim.OptimizerStateDict)).toThrow(message);
    expect(victim.stateDict()).toEqual(before);
    expect(params).toHaveLength(3);
  });

  it("rejects an Adam state in an SGD", () => {
    const { opt } = trained();
    const params = makeParams();
    const sgd = new optim.SGD([{ params: [params[0], params[2]] }, { params: [params[1]] }], { lr: 0.1, momentum: 0.9 });
    expect(() => sgd.loadStateDict(opt.stateDict())).toThrow(/^SGD.loadStateDict: parameter group 0: unknown option "betas" \(valid: lr, /);
  });
});

describe("convergence on a convex quadratic", () => {
  // f(θ) = ½ Σ aᵢ·(θᵢ − cᵢ)², with curvatures a spanning a factor of 10; every optimizer starts at θ = 0.
  const a = [1, 3, 0.5, 5];
  const c = [1, -2, 3, 0.5];
  const f = (θ: ArrayLike<number>) => a.reduce((s, ai, i) => s + 0.5 * ai * (θ[i] - c[i]) ** 2, 0);
  // Adadelta's first steps are about √ε = 1e-3 in size whatever the gradient, so its lr scales them up here.
  const SETTINGS: [string, Record<string, unknown>, number][] = [
    ["sgd", { lr: 0.1 }, 300], ["momentum", { lr: 0.05 }, 300], ["nag", { lr: 0.05 }, 300],
    ["adagrad", { lr: 1 }, 500], ["adadelta", { lr: 50 }, 2000], ["rmsprop", { lr: 0.01 }, 2000],
    ["adam", { lr: 0.05 }, 1000], ["adamw", { lr: 0.05, weightDecay: 0 }, 1000], ["adamax", { lr: 0.05 }, 1000],
    ["nadam", { lr: 0.05 }, 1000],
  ];
  it.each(SETTINGS)("%s reaches the minimum", (name, options, steps) => {
    const θ = tensor([0, 0, 0, 0], { dtype: "float64", requiresGrad: true });
    const A = tensor(a, { dtype: "float64" });
    const C = tensor(c, { dtype: "float64" });
    const opt = optim.create(name, [θ], options);
    const start = f(θ.values());
    for (let t = 0; t < steps; t++) {
      opt.zeroGrad();
      θ.sub(C).pow(2).mul(A).sum().mul(0.5).backward();
      opt.step();
    }
    expect(f(θ.values())).toBeLessThan(start * 1e-4);
  });
});
