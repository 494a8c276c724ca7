// The lr schedulers against their closed forms (PyTorch's formulas), composition, ReduceLROnPlateau's rules, state dicts.

import { describe, expect, it } from "vitest";
import * as optim from "../src/optim/index.ts";
import { tensor } from "../src/tensor/index.ts";
import { expectClose } from "./helpers/fixtures.ts";

const { StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, SequentialLR, ReduceLROnPlateau } = optim.lrScheduler;

/** An SGD with two groups (lr 1 and 0.1), so every check covers per-group base rates. */
function twoGroups() {
  return new optim.SGD([{ params: [tensor([1])] }, { params: [tensor([2])], lr: 0.1 }], { lr: 1 });
}

const lrs = (opt: optim.Optimizer) => opt.paramGroups.map((g) => g.lr);

/** Steps the scheduler through `epochs` epochs, checking group.lr and getLastLr() against closedForm(epoch) at each. */
function followsClosedForm(opt: optim.Optimizer, s: optim.lrScheduler.LRScheduler, epochs: number, closed: (base: number, e: number) => number, rtol = 1e-12): void {
  const bases = [1, 0.1];
  for (let e = 0; e <= epochs; e++) {
    if (e > 0) s.step();
    const want = bases.map((b) => closed(b, e));
    expectClose(lrs(opt), want, rtol, 1e-15, `${s.constructor.name} epoch ${e}`);
    expectClose(s.getLastLr(), want, rtol, 1e-15, `${s.constructor.name} getLastLr epoch ${e}`);
    expectClose(s.closedForm(e), want, 1e-12, 1e-15, `${s.constructor.name} closedForm(${e})`);
  }
}

describe("closed forms", () => {
  it("StepLR: lr = base·γ^⌊e/stepSize⌋", () => {
    const opt = twoGroups();
    followsClosedForm(opt, new StepLR(opt, { stepSize: 3, gamma: 0.5 }), 20, (b, e) => b * 0.5 ** Math.floor(e / 3));
  });

  it("StepLR's gamma defaults to 0.1", () => {
    const opt = twoGroups();
    followsClosedForm(opt, new StepLR(opt, { stepSize: 2 }), 7, (b, e) => b * 0.1 ** Math.floor(e / 2));
  });

  it("MultiStepLR: lr = base·γ^(milestones ≤ e), a repeated milestone counting twice", () => {
    const opt = twoGroups();
    const milestones = [9, 2, 5, 5];
    followsClosedForm(opt, new MultiStepLR(opt, { milestones, gamma: 0.5 }), 12, (b, e) => b * 0.5 ** milestones.filter((m) => m <= e).length);
  });

  it("ExponentialLR: lr = base·γ^e", () => {
    const opt = twoGroups();
    followsClosedForm(opt, new ExponentialLR(opt, { gamma: 0.9 }), 30, (b, e) => b * 0.9 ** e, 1e-12);
  });

  it("CosineAnnealingLR: the recursive form follows η_min + (base − η_min)(1 + cos(πe/T))/2, past T_max too", () => {
    const opt = twoGroups();
    const T = 10, etaMin = 0.01;
    followsClosedForm(opt, new CosineAnnealingLR(opt, { tMax: T, etaMin }), 45, (b, e) => etaMin + ((b - etaMin) * (1 + Math.cos((Math.PI * e) / T))) / 2, 1e-9);
  });

  it("LinearLR: lr = base·(s + (e_f − s)·min(e, n)/n), warm-up and decay", () => {
    const opt = twoGroups();
    followsClosedForm(opt, new LinearLR(opt, { startFactor: 0.25, totalIters: 4 }), 10, (b, e) => b * (0.25 + (0.75 * Math.min(e, 4)) / 4));
    const dec = twoGroups();
    followsClosedForm(dec, new LinearLR(dec, { startFactor: 1, endFactor: 0.1, totalIters: 6 }), 10, (b, e) => b * (1 - (0.9 * Math.min(e, 6)) / 6));
    const defaults = twoGroups();
    followsClosedForm(defaults, new LinearLR(defaults), 8, (b, e) => b * (1 / 3 + ((2 / 3) * Math.min(e, 5)) / 5));
  });

  it("SequentialLR: LinearLR warm-up, then ExponentialLR restarted at the milestone", () => {
    const opt = twoGroups();
    const warm = new LinearLR(opt, { startFactor: 0.1, totalIters: 3 });
    const decay = new ExponentialLR(opt, { gamma: 0.9 });
    const s = new SequentialLR(opt, { schedulers: [warm, decay], milestones: [3] });
    followsClosedForm(opt, s, 15, (b, e) => (e < 3 ? b * (0.1 + (0.9 * e) / 3) : b * 0.9 ** (e - 3)));
  });

  it("SequentialLR with three phases", () => {
    const opt = twoGroups();
    const a = new ExponentialLR(opt, { gamma: 0.5 });
    const b = new StepLR(opt, { stepSize: 2, gamma: 0.1 });
    const c = new CosineAnnealingLR(opt, { tMax: 4 });
    const s = new SequentialLR(opt, { schedulers: [a, b, c], milestones: [2, 5] });
    followsClosedForm(opt, s, 12, (base, e) =>
      e < 2 ? base * 0.5 ** e : e < 5 ? base * 0.1 ** Math.floor((e - 2) / 2) : (base * (1 + Math.cos((Math.PI * (e - 5)) / 4))) / 2, 1e-9);
  });
});

describe("chainable form", () => {
  it("records initialLr once per group; a second scheduler keeps the first one's", () => {
    const opt = twoGroups();
    new ExponentialLR(opt, { gamma: 0.5 }).step();
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([1, 0.1]);
    const second = new StepLR(opt, { stepSize: 1 });
    expect(second.baseLrs).toEqual([1, 0.1]);
  });

  it("two schedulers on one optimizer multiply", () => {
    const opt = twoGroups();
    const a = new ExponentialLR(opt, { gamma: 0.9 });
    const b = new StepLR(opt, { stepSize: 3, gamma: 0.5 });
    for (let e = 1; e <= 12; e++) {
      a.step();
      b.step();
      expectClose(lrs(opt), [1, 0.1].map((base) => base * 0.9 ** e * 0.5 ** Math.floor(e / 3)), 1e-12, 0, `epoch ${e}`);
    }
  });

  it("a manual lr change persists through later steps", () => {
    const opt = twoGroups();
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    opt.paramGroups[0].lr = 10;
    s.step();
    s.step();
    expect(lrs(opt)[0]).toBe(2.5);
  });

  it("schedulers write only lr and initialLr", () => {
    const opt = twoGroups();
    const before = opt.paramGroups.map(({ params: _p, lr: _l, ...rest }) => rest);
    const s = new CosineAnnealingLR(opt, { tMax: 5 });
    for (let e = 0; e < 7; e++) s.step();
    expect(opt.paramGroups.map(({ params: _p, lr: _l, initialLr: _i, ...rest }) => rest)).toEqual(before);
  });
});

describe("ReduceLROnPlateau", () => {
  const single = (lr = 1) => new optim.SGD([tensor([1])], { lr });
  const trace = (opt: optim.Optimizer, s: InstanceType<typeof ReduceLROnPlateau>, metrics: number[]) =>
    metrics.map((m) => {
      s.step(m);
      expect(s.getLastLr()).toEqual(lrs(opt));
      return opt.paramGroups[0].lr;
    });

  it.each<[string, ConstructorParameters<typeof ReduceLROnPlateau>[1], number[], number[]]>([
    ["min mode: reduce after more than `patience` bad epochs", { patience: 2, factor: 0.5 }, [10, 9, 9, 9, 9, 9, 9, 9], [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25]],
    ["max mode", { mode: "max", patience: 1, factor: 0.5 }, [1, 2, 2, 2, 3, 3, 3], [1, 1, 1, 0.5, 0.5, 0.5, 0.25]],
    ["rel threshold: 9.5 is not 10% better than 10", { patience: 0, factor: 0.5, threshold: 0.1 }, [10, 9.5, 8.9], [1, 0.5, 0.5]],
    ["abs threshold: 9.5 is not 0.6 better than 10, 9.3 is", { patience: 0, factor: 0.5, threshold: 0.6, thresholdMode: "abs" }, [10, 9.5, 9.3, 9], [1, 0.5, 0.5, 0.25]],
    ["max mode, abs threshold", { mode: "max", patience: 0, factor: 0.5, threshold: 1, thresholdMode: "abs" }, [0, 0.5, 2], [1, 0.5, 0.5]],
    ["cooldown: bad epochs are not counted for `cooldown` epochs after a cut", { patience: 0, cooldown: 2, factor: 0.5 }, [5, 5, 5, 5, 5, 5, 5, 5], [1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]],
    ["minLr floors the rate, then cuts stop", { patience: 0, factor: 0.1, minLr: 0.05 }, [1, 1, 1, 1], [1, 0.1, 0.05, 0.05]],
    ["defaults: patience 10, factor 0.1", {}, new Array(13).fill(1), [...new Array(11).fill(1), 0.1, 0.1]],
  ])("%s", (_label, options, metrics, want) => {
    const opt = single();
    const got = trace(opt, new ReduceLROnPlateau(opt, options), metrics);
    expectClose(got, want, 1e-12, 0, "lr after each epoch");
  });

  it("skips cuts smaller than eps", () => {
    const opt = single(1e-8);
    const s = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
    s.step(1);
    s.step(1);
    expect(opt.paramGroups[0].lr).toBe(1e-8);
  });

  it("takes one minLr per group", () => {
    const opt = twoGroups();
    const s = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.1, minLr: [0.5, 0] });
    for (const m of [1, 1, 1]) s.step(m);
    expectClose(lrs(opt), [0.5, 0.001], 1e-12, 0, "lrs");
    expect(() => new ReduceLROnPlateau(opt, { minLr: [0.1] })).toThrow(/expected 2 minLr values \(one per parameter group\), got 1/);
  });

  it("resumes from a JSON-round-tripped stateDict (best = Infinity survives as null)", () => {
    const metrics = [3, 2, 2, 2, 1.5, 1.5, 1.5, 1.5, 1, 1];
    const optA = single();
    const a = new ReduceLROnPlateau(optA, { patience: 1, factor: 0.5, cooldown: 1 });
    const whole = trace(optA, a, metrics);

    const optB = single();
    const b = new ReduceLROnPlateau(optB, { patience: 1, factor: 0.5, cooldown: 1 });
    const fresh = new ReduceLROnPlateau(single(), { patience: 1, factor: 0.5, cooldown: 1 });
    fresh.loadStateDict(JSON.parse(JSON.stringify(fresh.stateDict())));
    expect(fresh.best).toBe(Infinity);
    const head = trace(optB, b, metrics.slice(0, 4));
    const optC = single(optB.paramGroups[0].lr);
    const c = new ReduceLROnPlateau(optC, {});
    c.loadStateDict(JSON.parse(JSON.stringify(b.stateDict())));
    expect([...head, ...trace(optC, c, metrics.slice(4))]).toEqual(whole);
  });
});

describe("scheduler state dicts", () => {
  it.each<[string, (opt: optim.Optimizer) => optim.lrScheduler.LRScheduler]>([
    ["StepLR", (o) => new StepLR(o, { stepSize: 2, gamma: 0.5 })],
    ["MultiStepLR", (o) => new MultiStepLR(o, { milestones: [1, 4, 6] })],
    ["CosineAnnealingLR", (o) => new CosineAnnealingLR(o, { tMax: 3, etaMin: 0.001 })],
    ["LinearLR", (o) => new LinearLR(o, { startFactor: 0.5, totalIters: 4 })],
    ["SequentialLR", (o) => new SequentialLR(o, { schedulers: [new LinearLR(o, { totalIters: 2 }), new ExponentialLR(o, { gamma: 0.8 })], milestones: [2] })],
  ])("%s resumes from a JSON-round-tripped stateDict", (_label, make) => {
    const optA = twoGroups();
    const a = make(optA);
    const whole: number[][] = [];
    for (let e = 0; e < 10; e++) {
      a.step();
      whole.push(lrs(optA));
    }

    const optB = twoGroups();
    const b = make(optB);
    for (let e = 0; e < 4; e++) b.step();
    const saved = JSON.parse(JSON.stringify({ opt: optB.stateDict(), sched: b.stateDict() }));
    const optC = twoGroups();
    const c = make(optC);
    optC.loadStateDict(saved.opt);
    c.loadStateDict(saved.sched);
    const rest: number[][] = [];
    for (let e = 4; e < 10; e++) {
      c.step();
      rest.push(lrs(optC));
    }
    expect(rest).toEqual(whole.slice(4));
  });

  it("rejects an unknown entry or a wrong type and changes nothing", () => {
    const opt = twoGroups();
    const s = new StepLR(opt, { stepSize: 2 });
    const before = s.stateDict();
    expect(() => s.loadStateDict({ ...before, lastEpoch: 7, bogus: 1 })).toThrow(/unknown entry "bogus"/);
    expect(() => s.loadStateDict({ ...before, lastEpoch: 7, gamma: "big" })).toThrow(/"gamma" should be a number/);
    expect(() => s.loadStateDict({ ...before, baseLrs: [1] })).toThrow(/"baseLrs" has 1 entries, the optimizer has 2 parameter groups/);
    expect(s.stateDict()).toEqual(before);
  });
});

describe("scheduler option errors", () => {
  const opt = () => new optim.SGD([tensor([1])], { lr: 1 });
  it.each<[string, () => unknown, RegExp]>([
    ["StepLR without stepSize", () => new StepLR(opt(), {} as never), /StepLR: stepSize must be a positive integer, got undefined/],
    ["StepLR snake_case", () => new StepLR(opt(), { step_size: 2 } as never), /StepLR: unknown option "step_size" \(valid: stepSize, gamma\)/],
    ["MultiStepLR bad milestones", () => new MultiStepLR(opt(), { milestones: [1, -2] }), /milestones must be an array of integers >= 0/],
    ["ExponentialLR NaN gamma", () => new ExponentialLR(opt(), { gamma: NaN }), /gamma must be a finite number, got NaN/],
    ["CosineAnnealingLR tMax 0", () => new CosineAnnealingLR(opt(), { tMax: 0 }), /tMax must be a positive integer/],
    ["LinearLR startFactor 0", () => new LinearLR(opt(), { startFactor: 0 }), /startFactor must be a finite number in \(0, 1\]/],
    ["LinearLR endFactor 2", () => new LinearLR(opt(), { endFactor: 2 }), /endFactor must be a finite number in \[0, 1\]/],
    ["SequentialLR milestone count", () => { const o = opt(); return new SequentialLR(o, { schedulers: [new StepLR(o, { stepSize: 1 })], milestones: [3] }); }, /expects 0 milestones for 1 schedulers/],
    ["SequentialLR other optimizer", () => { const o = opt(); return new SequentialLR(o, { schedulers: [new StepLR(o, { stepSize: 1 }), new StepLR(opt(), { stepSize: 1 })], milestones: [3] }); }, /scheduler 1 \(StepLR\) is attached to a different optimizer/],
    ["ReduceLROnPlateau factor 1", () => new ReduceLROnPlateau(opt(), { factor: 1 }), /Factor should be < 1.0/],
    ["ReduceLROnPlateau bad mode", () => new ReduceLROnPlateau(opt(), { mode: "up" as never }), /mode "up" is unknown \(valid: min, max\)/],
    ["ReduceLROnPlateau bad thresholdMode", () => new ReduceLROnPlateau(opt(), { thresholdMode: "pct" as never }), /thresholdMode "pct" is unknown/],
    ["ReduceLROnPlateau NaN metric", () => new ReduceLROnPlateau(opt()).step(NaN), /the metric must be a number, got NaN/],
    ["not an optimizer", () => new StepLR({} as never, { stepSize: 1 }), /StepLR: the first argument must be an Optimizer/],
  ])("%s", (_label, make, message) => {
    expect(make).toThrow(message);
  });
});
