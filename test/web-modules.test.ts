// The playground's modules in Node: the URL state (a link reproduces a view), typed-in formulas, and the race's noise and state records.

import { describe, expect, it } from "vitest";
import { optim, tensor } from "../src/index.ts";
import { parseFormula } from "../web/src/formula.ts";
import { Race } from "../web/src/race.ts";
import { makeSurface } from "../web/src/surfaces.ts";
import { DEFAULT_STATE, formatState, parseState } from "../web/src/url-state.ts";

const known = optim.available();

describe("the playground's URL", () => {
  it("reads the test contract's race", () => {
    const s = parseState("?surface=rosenbrock&optimizers=sgd,adam&lr=sgd:0.001,adam:0.1&start=-2,2&steps=300&autoplay=1", known);
    expect(s).toMatchObject({ view: "race", surface: "rosenbrock", optimizers: ["sgd", "adam"], start: [-2, 2], steps: 300, autoplay: true });
    expect(s.options).toEqual({ sgd: { lr: 0.001 }, adam: { lr: 0.1 } });
  });

  it("writes a state that reads back the same", () => {
    const s = { ...DEFAULT_STATE, surface: "quadratic", kappa: 25, angle: 30, optimizers: ["nag", "adam"], options: { nag: { lr: 0.01, momentum: 0.5 }, adam: { betas: [0.8, 0.99] as [number, number], eps: 1e-6 } }, start: [1.5, -2] as [number, number], steps: 120, step: 40, noise: 0.5, seed: 7, inspect: "adam", threads: 2 };
    const query = formatState(s);
    expect(query).toContain("lr=nag:0.01");
    expect(query).toContain("opt=nag.momentum:0.5,adam.beta1:0.8,adam.beta2:0.99,adam.eps:0.000001");
    expect(parseState(`?${query}`, known)).toEqual(s);
    expect(formatState(DEFAULT_STATE)).toBe("");
  });

  it("reads the MNIST demo", () => {
    expect(parseState("?demo=mnist&optimizers=adam&steps=200&autoplay=1", known)).toMatchObject({ view: "mnist", optimizers: ["adam"], steps: 200, autoplay: true });
  });

  it.each([
    ["?optimizers=adam,nope", /optimizers: unknown optimizer "nope" \(valid: sgd, momentum, nag, /],
    ["?surface=himmelblau", /surface=himmelblau: valid are saddle, rosenbrock, beale, quadratic, rastrigin, custom/],
    ["?start=1", /start=1: expected two numbers "x,y"/],
    ["?steps=-5", /steps=-5: must be a positive integer/],
    ["?lr=adam:fast", /lr \(adam:fast\): adam's lr must be a number, got "fast"/],
    ["?opt=adam.beta1", /opt \(adam.beta1; expected name.option:value\): adam's beta1 must be a number, got ""/],
    ["?demo=cifar", /demo=cifar: valid are race, mnist, graph/],
    ["?noise=-1", /noise=-1: must be a number >= 0/],
  ])("rejects %s", (query, message) => {
    expect(() => parseState(query, known)).toThrow(message);
  });
});

describe("a typed-in f(x, y)", () => {
  const at = (formula: string, x: number, y: number) => {
    const tx = tensor([x], { dtype: "float64", requiresGrad: true });
    const ty = tensor([y], { dtype: "float64", requiresGrad: true });
    const f = parseFormula(formula)(tx, ty);
    f.sum().backward();
    return { f: f.item(), gx: tx.grad?.item() ?? 0, gy: ty.grad?.item() ?? 0 }; // no grad: f does not depend on it
  };

  it.each([
    ["x^2 + 3*y^2", 1, 2, 13, 2, 12],
    ["-x^2 - y**2", 1, 2, -5, -2, -4],
    ["2^3^2 + x*y", 1, 2, 514, 2, 1],
    ["sin(x)*cos(y) + exp(0)", 0.5, 0.25, Math.sin(0.5) * Math.cos(0.25) + 1, Math.cos(0.5) * Math.cos(0.25), -Math.sin(0.5) * Math.sin(0.25)],
    ["sqrt(x^2 + y^2)", 3, 4, 5, 0.6, 0.8],
    ["1 / x + pi", 2, 0, 0.5 + Math.PI, -0.25, 0],
    ["7", 1, 1, 7, 0, 0],
  ])("%s at (%d, %d): its value and ndgrad's gradient", (formula, x, y, f, gx, gy) => {
    const got = at(formula, x, y);
    expect(got.f).toBeCloseTo(f, 12);
    expect(got.gx).toBeCloseTo(gx, 12);
    expect(got.gy).toBeCloseTo(gy, 12);
  });

  it.each([
    ["x^2 +", /f\(x, y\) = x\^2 \+: expected a number, x, y, a function or \( at the end/],
    ["z + 1", /unknown name \(valid: x, y, pi, e, sin, cos, exp, log, sqrt, abs, tanh\) at "z"/],
    ["(x + 1", /expected \) at the end/],
    ["x y", /expected an operator at "y" \(token 2\)/],
    ["", /empty formula/],
  ])("rejects %j", (formula, message) => {
    expect(() => parseFormula(formula)).toThrow(message);
  });
});

describe("the race", () => {
  const surface = (formula: string) => makeSurface("custom", { ...DEFAULT_STATE, formula });
  const run = (sigma: number, seed: number) => {
    const race = new Race(surface("x^2 + 3*y^2"), [{ name: "sgd", options: { lr: 0.1 } }, { name: "adam", options: { lr: 0.1 } }], [1, 1], { sigma, seed });
    race.advanceTo(20);
    return race.racers.map((r) => r.points.map((p) => [p.x, p.y]));
  };

  it("adds the same seeded noise for every optimizer: same seed, same paths; another seed, other paths", () => {
    expect(run(0.5, 3)).toEqual(run(0.5, 3));
    expect(run(0.5, 3)).not.toEqual(run(0.5, 4));
    const [sgd] = run(0.5, 3);
    const [exact] = run(0, 3);
    expect(sgd).not.toEqual(exact);
    // With σ = 0 the path is plain gradient descent: x ← (1 − 2η)·x.
    expect(exact[20][0]).toBeCloseTo(0.8 ** 20, 12);
  });

  it("steps a coordinate the typed-in f does not depend on with a zero gradient", () => {
    const race = new Race(surface("x^2"), [{ name: "adam", options: { lr: 0.1 } }], [1, 1], { sigma: 0, seed: 0 });
    race.advanceTo(5);
    const [adam] = race.racers;
    expect(adam.divergedAt).toBeNull();
    expect(adam.points[5].y).toBe(1);
    expect(adam.steps[4].g[1]).toBe(0);
    expect(adam.steps[4].state.step).toBe(5);
    expect(adam.steps[4].state.expAvgSq).toEqual([expect.any(Number), 0]);
  });

  it("stops a racer that diverges, and says at which step", () => {
    const race = new Race(surface("x^2"), [{ name: "sgd", options: { lr: 5 } }], [1, 1], { sigma: 0, seed: 0 });
    race.advanceTo(100);
    expect(race.racers[0].divergedAt).toBe(7); // x ← (1 − 2·5)·x = −9·x: |x| = 9⁷ > 1e6 at step 7
  });
});
