// The 2-D optimizer race: test functions and their gradients, determinism, the saddle and quadratic facts, the search, the chart and the CLI.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { optim, tensor } from "../src/index.ts";
import { trajectoryAnimationHtml, trajectoryChartSvg, visiblePoints, plotFrame } from "../src/report/trajectory-chart.ts";
import { contourField } from "../examples/optimizers-2d/contours.ts";
import { beale, quadratic, rastrigin, rosenbrock, saddle, testFunctions, type TestFunction } from "../examples/optimizers-2d/functions.ts";
import { BLOW_UP, outcome, runOptimizer, type Trajectory } from "../examples/optimizers-2d/race.ts";
import { candidateLrs, scoreRun, searchLr } from "../examples/optimizers-2d/search.ts";

/** f and ∇f through ndgrad: two one-element float64 leaves, forward, backward. */
function valueAndGrad(fn: TestFunction, px: number, py: number): [number, number, number] {
  const x = tensor([px], { dtype: "float64", requiresGrad: true });
  const y = tensor([py], { dtype: "float64", requiresGrad: true });
  const f = fn.f(x, y).sum();
  f.backward();
  return [f.item(), x.grad!.item(), y.grad!.item()];
}

describe("test functions", () => {
  const tau = 2 * Math.PI;
  const cases: [TestFunction, number, number, (x: number, y: number) => [number, number, number]][] = [
    [rosenbrock, -1.2, 0.7, (x, y) => [(1 - x) ** 2 + 100 * (y - x * x) ** 2, -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]],
    [beale, 0.4, -0.8, (x, y) => {
      const t = [1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y ** 3];
      return [
        t[0] ** 2 + t[1] ** 2 + t[2] ** 2,
        2 * t[0] * (y - 1) + 2 * t[1] * (y * y - 1) + 2 * t[2] * (y ** 3 - 1),
        2 * t[0] * x + 2 * t[1] * 2 * x * y + 2 * t[2] * 3 * x * y * y,
      ];
    }],
    [saddle, 0.3, -0.2, (x, y) => [x * x - y * y, 2 * x, -2 * y]],
    [quadratic(25), 0.3, -0.2, (x, y) => [x * x + 25 * y * y, 2 * x, 50 * y]],
    [rastrigin, 0.3, -1.2, (x, y) => [
      20 + x * x - 10 * Math.cos(tau * x) + y * y - 10 * Math.cos(tau * y),
      2 * x + 10 * tau * Math.sin(tau * x),
      2 * y + 10 * tau * Math.sin(tau * y),
    ]],
  ];

  it.each(cases)("%s: value and gradient from backward() match the formula", (fn, x, y, exact) => {
    const got = valueAndGrad(fn, x, y);
    const want = exact(x, y);
    for (let k = 0; k < 3; k++) expect(got[k]).toBeCloseTo(want[k], 10);
  });

  it.each(testFunctions().filter((f) => f.minimum !== null).map((f) => [f.name, f] as const))("%s: the minimum is stationary, with value fMin", (_, fn) => {
    const [f, gx, gy] = valueAndGrad(fn, fn.minimum![0], fn.minimum![1]);
    expect(f).toBeCloseTo(fn.fMin, 12);
    expect(Math.hypot(gx, gy)).toBeLessThan(1e-9);
  });

  it("the contour grid is f itself, sampled at cell centres, row 0 on top", () => {
    const field = contourField(quadratic(10), 4, 2);
    expect(field.values).toHaveLength(8);
    // Top-left cell centre: x = -3 + 0.75, y = 2 - 1; levels in log10(f − f*).
    expect(field.values[0]).toBeCloseTo(Math.log10(2.25 ** 2 + 10 * 1), 12);
    expect(field.levels.every((l, i) => i === 0 || l > field.levels[i - 1])).toBe(true);
  });
});

describe("the race", () => {
  it("is deterministic: the same seed gives the same candidates, the same chosen lr and the same path", () => {
    expect(candidateLrs("beale", "adam", { seed: 7 })).toEqual(candidateLrs("beale", "adam", { seed: 7 }));
    expect(candidateLrs("beale", "adam", { seed: 7 })).not.toEqual(candidateLrs("beale", "adam", { seed: 8 }));
    const a = searchLr(quadratic(10), "rmsprop", { seed: 3, run: { steps: 100 } });
    const b = searchLr(quadratic(10), "rmsprop", { seed: 3, run: { steps: 100 } });
    expect(b).toEqual(a);
    const p = runOptimizer(beale, "nadam", 0.05, { steps: 200 });
    const q = runOptimizer(beale, "nadam", 0.05, { steps: 200 });
    expect(q.xs).toEqual(p.xs);
    expect(q.ys).toEqual(p.ys);
  });

  it("the search's grid is shared and log-spaced; samples differ per (function, optimizer)", () => {
    const lrs = candidateLrs("rosenbrock", "sgd", { range: [-4, 1], perDecade: 2, samples: 3 });
    expect(lrs.slice(0, 11)).toEqual([1e-4, 3.16e-4, 1e-3, 3.16e-3, 1e-2, 3.16e-2, 0.1, 0.316, 1, 3.16, 10]);
    expect(lrs).toHaveLength(14);
    for (const lr of lrs.slice(11)) expect(lr).toBeGreaterThanOrEqual(1e-4), expect(lr).toBeLessThanOrEqual(10);
    expect(candidateLrs("rosenbrock", "adam").slice(11)).not.toEqual(lrs.slice(11));
  });

  it("scores a run by the worst gap still to come, and rejects a blow-up", () => {
    // A run that reaches 1e-8 and stays scores better than one that reaches it and jumps back to 1.
    const stays = Float64Array.from([1, 1e-4, 1e-8, 1e-8]);
    const jumps = Float64Array.from([1, 1e-4, 1e-8, 1]);
    expect(scoreRun(stays, false)).toBeCloseTo((0 - 4 - 8 - 8) / 4, 12);
    expect(scoreRun(jumps, false)).toBe(0);
    expect(scoreRun(stays, true)).toBe(Infinity);
  });

  it("counts steps to the tolerance and reports divergence", () => {
    const traj: Trajectory = { optimizer: "x", lr: 1, xs: [0, 0.9, 0.9995, 1], ys: [0, 0.9, 1, 1], values: [1, 0.1, 1e-6, 0], gaps: new Float64Array(4), steps: 3, blownUpAt: null };
    const r = outcome({ ...quadratic(), minimum: [1, 1] }, traj, 1e-3);
    expect(r.stepsToTarget).toBe(2);
    expect(r.finalDistance).toBe(0);
    const blown = runOptimizer(rosenbrock, "sgd", 1, { steps: 50 });
    expect(blown.blownUpAt).not.toBeNull();
    expect(outcome(rosenbrock, blown, 1e-3).divergedAt).toBe(blown.blownUpAt);
  });

  it("applies the races' divergence rule: f − f* above 10× its start for 20 steps, reported at the stretch's first step, long before the box", () => {
    // SGD at lr 0.11 on x² + 10·y²: y is multiplied by |1 − 2·10·0.11| = 1.2 per step, so f grows by 1.44 per step.
    const fn = quadratic(10);
    const traj = runOptimizer(fn, "sgd", 0.11, { steps: 200 });
    const firstAbove = traj.values.findIndex((v) => v - fn.fMin > 10 * (traj.values[0] - fn.fMin));
    expect(firstAbove).toBeGreaterThan(0);
    expect(traj.blownUpAt).toBe(firstAbove);
    expect(traj.steps).toBe(firstAbove + 19);
    expect(Math.max(...traj.xs.map(Math.abs), ...traj.ys.map(Math.abs))).toBeLessThan(BLOW_UP);
    expect(outcome(fn, traj, 1e-3).divergedAt).toBe(firstAbove);
  });
});

describe("the saddle x² − y², started on the ridge y = 1e-3", () => {
  // SGD's step along y is η·2y: y grows by (1 + 2η) per step, from 1e-3. Adam's and RMSprop's
  // steps divide the gradient by the root of its running mean square, so their first steps are
  // about η·sign(g) (or η/√(1 − α)) in every coordinate however small the gradient: they leave at once.
  it("at one lr for all (0.01, 100 steps), plain SGD is still within 1e-2 of the ridge while Adam and RMSprop have left it", () => {
    const lr = 0.01;
    const steps = 100;
    const sgd = runOptimizer(saddle, "sgd", lr, { steps });
    const yEnd = sgd.ys[steps];
    expect(Math.abs(yEnd)).toBeLessThan(1e-2);
    expect(yEnd).toBeCloseTo(1e-3 * (1 + 2 * lr) ** steps, 12);
    for (const name of ["adam", "rmsprop"]) {
      const t = runOptimizer(saddle, name, lr, { steps });
      expect(Math.abs(t.ys[steps]), name).toBeGreaterThan(0.5);
      expect(outcome(saddle, t, 0).stepsToTarget, name).toBeLessThan(20);
    }
  });

  it("at the lrs each won on the quadratic (as in the race), the same holds after 30 steps", () => {
    const steps = 30;
    const lrOf = (name: string) => searchLr(quadratic(10), name).lr;
    const sgd = runOptimizer(saddle, "sgd", lrOf("sgd"), { steps });
    expect(Math.abs(sgd.ys[steps])).toBeLessThan(1e-2);
    for (const name of ["adam", "rmsprop"]) {
      const t = runOptimizer(saddle, name, lrOf(name), { steps });
      expect(Math.abs(t.ys[steps]), name).toBeGreaterThan(0.1);
    }
  });
});

describe("the ill-conditioned quadratic x² + 10·y²", () => {
  const fn = quadratic(10);
  const startGap = fn.f(tensor([fn.start[0]], { dtype: "float64" }), tensor([fn.start[1]], { dtype: "float64" })).item();

  // Muon orthogonalizes matrices only: the race's coordinates are scalars, which take its AdamW
  // steps at adamLr, an lr the search does not tune.
  it.each(optim.available().filter((name) => name !== "muon").map((name) => [name]))("%s converges at its chosen lr", (name) => {
    const { lr } = searchLr(fn, name);
    const traj = runOptimizer(fn, name, lr);
    const r = outcome(fn, traj, 1e-3);
    expect(traj.blownUpAt).toBeNull();
    expect(r.finalValue - fn.fMin).toBeLessThan(1e-3 * startGap);
    // Adadelta stalls near 1e-2: once E[g²] falls below its ε = 1e-6, its step is
    // lr·√(E[Δ²] + ε)/√ε·g, a plain gradient step too large for the stiff direction.
    // Lion's steps are ±lr in every coordinate: at a constant lr it circles the minimum at about lr.
    // L-BFGS stops a step(closure) call once f changes by less than toleranceChange (1e-9), at f − f* ≈ 1e-10.
    if (!["adadelta", "lion", "lbfgs"].includes(name)) expect(r.finalDistance).toBeLessThan(1e-6);
  });
});

describe("the trajectory chart", () => {
  const fn = saddle;
  const field = contourField(fn, 40, 40, 8);
  const paths = ["sgd", "adam"].map((name) => {
    const t = runOptimizer(fn, name, 0.05, { steps: 60 });
    return { label: `${name} · lr 5e-2`, xs: t.xs, ys: t.ys };
  });

  it("renders contours, one coloured path per optimizer, markers and a legend to SVG with vega", async () => {
    const svg = await trajectoryChartSvg(field, paths, { title: "Saddle", start: fn.start, minimum: null });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("sgd · lr 5e-2");
    expect(svg).toContain("adam · lr 5e-2");
    expect(svg).toContain('stroke="#4e79a7"');
    expect(svg).toContain('stroke="#f28e2b"');
    expect(svg).toContain('class="mark-path role-mark"');
    expect(svg.match(/class="mark-line role-mark"/g)).toHaveLength(2);
  });

  it("thins points closer than a pixel and ends a path that runs far off", () => {
    const frame = plotFrame(field, 300);
    const pts = visiblePoints({ label: "p", xs: [0, 1e-6, 0.5, 1e6, 2], ys: [0, 0, 0.5, 1e6, 2] }, frame);
    expect(pts).toEqual([{ x: 0, y: 0 }, { x: 0.5, y: 0.5 }, { x: 1e6, y: 1e6 }]);
  });

  it("writes a self-contained animated page: the data, the controls, no external resources", async () => {
    const html = await trajectoryAnimationHtml([{ field, paths, options: { title: "Saddle", start: fn.start } }]);
    expect(html).toContain("const PANELS =");
    for (const act of ["play", "step", "back", "reset", "seek"]) expect(html).toContain(`data-act="${act}"`);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import/);
  });
});

describe("examples/optimizers-2d.ts flags", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "examples/optimizers-2d.ts", ...args], { encoding: "utf8" });

  it("an unknown optimizer prints usage and the valid names, with status 2", () => {
    const r = run("--optimizers", "sgd,adamm");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error: invalid --optimizers "adamm": unknown optimizer (valid: ${optim.available().join(", ")})`);
  });

  it("an unknown flag exits with status 2; a negative number reaches the range check; --help exits with 0", () => {
    expect(run("--fast").status).toBe(2);
    const negative = run("--steps", "-5");
    expect(negative.status).toBe(2);
    expect(negative.stderr).toContain('error: invalid --steps "-5" (must be an integer >= 1)');
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--lr NAME=VALUE");
  });
});
