// LBFGS with a closure against PyTorch (test/fixtures/wave2/lbfgs.json): loss returned, closure evaluations and parameters after every call; options, errors, state dicts.

import { describe, expect, it } from "vitest";
import * as optim from "../src/optim/index.ts";
import { Tensor, noGrad, tensor, type DType } from "../src/tensor/index.ts";
import { expectClose, loadFixture, toTensor, type FixtureFile, type FixtureTensor, type Tolerance } from "./helpers/fixtures.ts";

interface LBFGSCase {
  name: string;
  function: "rosenbrock" | "quadratic";
  options: Record<string, unknown>;
  optionsGiven: Record<string, unknown>;
  initialParams: FixtureTensor[];
  A?: FixtureTensor;
  b?: FixtureTensor;
  calls: number;
  lossReturned: number[];
  funcEvals: number[];
  paramsAfterCall: FixtureTensor[][];
  nIterAfterCall: number[];
  finalLoss: number;
}

const file = loadFixture<FixtureFile<LBFGSCase>>("wave2/lbfgs.json");
const { rtol, atol } = file.recommendedTolerance;
const FLOAT64: Tolerance = { rtol: 1e-9, atol: 1e-12 };

/** f(x, y) = (1 − x)² + 100·(y − x²)² with params[0] = [x, y]. */
function rosenbrock([p]: Tensor[]): Tensor {
  const x = p.indexSelect(0, [0]);
  const y = p.indexSelect(0, [1]);
  return x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100)).sum();
}

/** f(θ) = ½·θᵀAθ − bᵀθ over θ = the parameters flattened and concatenated, written block by block (A_ij between parameters i and j). */
function quadratic(A: FixtureTensor, b: FixtureTensor, dtype: DType): (params: Tensor[]) => Tensor {
  const n = b.data.length;
  return (params) => {
    const starts = params.map((_, k) => params.slice(0, k).reduce((s, p) => s + p.size, 0));
    let f: Tensor | null = null;
    params.forEach((pi, i) => {
      const rowI = pi.reshape([1, pi.size]);
      const bi = tensor(b.data.slice(starts[i], starts[i] + pi.size), { dtype }).reshape([pi.size, 1]);
      let term = rowI.matmul(bi).neg();
      params.forEach((pj, j) => {
        const block = Array.from({ length: pi.size }, (_, r) => A.data.slice((starts[i] + r) * n + starts[j], (starts[i] + r) * n + starts[j] + pj.size));
        term = term.add(rowI.matmul(tensor(block, { dtype })).matmul(pj.reshape([pj.size, 1])).mul(0.5));
      });
      f = f === null ? term : f.add(term);
    });
    return f!.sum();
  };
}

function replay(c: LBFGSCase, dtype: DType, how: "optionsGiven" | "options", tol: Tolerance): optim.LBFGS {
  const params = c.initialParams.map((t) => toTensor(t, { dtype, requiresGrad: true }));
  const f = c.function === "rosenbrock" ? rosenbrock : quadratic(c.A!, c.b!, dtype);
  const opt = new optim.LBFGS(params, c[how]);
  let evals = 0;
  const closure = () => {
    evals++;
    opt.zeroGrad();
    const loss = f(params);
    loss.backward();
    return loss;
  };
  for (let call = 0; call < c.calls; call++) {
    evals = 0;
    const label = `${c.name} (${how}, ${dtype}) call ${call}`;
    const loss = opt.step(closure);
    expect(loss, label).toBeInstanceOf(Tensor);
    expectClose(loss.item(), c.lossReturned[call], tol.rtol, tol.atol, `${label} loss returned`);
    expect(evals, `${label} closure evaluations`).toBe(c.funcEvals[call]);
    expect(opt.state.get(params[0])!.nIter, `${label} nIter`).toBe(c.nIterAfterCall[call]);
    params.forEach((p, i) => expectClose(p, c.paramsAfterCall[call][i], tol.rtol, tol.atol, `${label} param ${i}`));
  }
  return opt;
}

describe.each(file.cases)("$name", (c) => {
  it("matches PyTorch after every call: loss, evaluations, parameters (float32)", () => replay(c, "float32", "optionsGiven", { rtol, atol }));
  it("matches PyTorch built from the resolved options (float32)", () => replay(c, "float32", "options", { rtol, atol }));
  it("matches PyTorch to float64 precision in float64", () => replay(c, "float64", "optionsGiven", FLOAT64));
});

describe("LBFGS options and errors", () => {
  const x = () => tensor([1, 2], { requiresGrad: true });

  it("has PyTorch's defaults, maxEval derived from the maxIter given", () => {
    expect(new optim.LBFGS([x()]).defaults).toEqual({ lr: 1, maxIter: 20, maxEval: 25, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null });
    expect(new optim.LBFGS([x()], { maxIter: 7 }).defaults.maxEval).toBe(8);
    expect(new optim.LBFGS([x()], { maxIter: 7, maxEval: 3 }).defaults.maxEval).toBe(3);
    expect(optim.create("lbfgs", [x()])).toBeInstanceOf(optim.LBFGS);
  });

  it.each([
    ["two parameter groups", () => new optim.LBFGS([{ params: [x()] }, { params: [x()] }]), "LBFGS: LBFGS doesn't support per-parameter options (parameter groups); give one list of tensors"],
    ["an unknown line search", () => new optim.LBFGS([x()], { lineSearchFn: "backtracking" as never }), 'LBFGS: Invalid lineSearchFn value: "backtracking" (only "strong_wolfe" or null is supported)'],
    ["maxIter 0", () => new optim.LBFGS([x()], { maxIter: 0 }), "LBFGS: Invalid maxIter value: 0 (must be an integer >= 1)"],
    ["a fractional historySize", () => new optim.LBFGS([x()], { historySize: 2.5 }), "LBFGS: Invalid historySize value: 2.5 (must be an integer >= 1)"],
    ["a negative toleranceGrad", () => new optim.LBFGS([x()], { toleranceGrad: -1 }), "LBFGS: Invalid toleranceGrad value: -1 (must be a finite number >= 0)"],
    ["a negative lr", () => new optim.LBFGS([x()], { lr: -1 }), "LBFGS: Invalid learning rate: -1 (must be a finite number >= 0)"],
  ])("rejects %s", (_, make, message) => {
    expect(make).toThrow(message);
  });

  it("rejects a missing closure, a closure that returns no loss, or a loss with many elements", () => {
    const p = x();
    const opt = new optim.LBFGS([p]);
    expect(() => (opt.step as () => unknown)()).toThrow("LBFGS.step: needs a closure that zeroes the gradients, computes the loss, calls backward() and returns the loss, got undefined");
    const forgot = () => {
      opt.zeroGrad();
      p.pow(2).sum().backward();
    };
    expect(() => opt.step(forgot as never)).toThrow("LBFGS.step: the closure must return the loss (a one-element Tensor or a number), got undefined");
    expect(() => opt.step(() => p.pow(2))).toThrow("LBFGS.step: the closure must return the loss (a one-element Tensor or a number), got a tensor of shape [2]");
  });

  it("checks an option changed mid-run at the next step", () => {
    const p = x();
    const opt = new optim.LBFGS([p]);
    opt.paramGroups[0].maxEval = 0;
    expect(() => opt.step(() => p.sum())).toThrow("LBFGS: parameter group 0: Invalid maxEval value: 0 (must be an integer >= 1)");
  });

  it("runs the closure with the graph on even inside noGrad", () => {
    const p = x();
    const opt = new optim.LBFGS([p], { maxIter: 2 });
    const loss = noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = p.sub(3).pow(2).sum();
        l.backward();
        return l;
      }),
    );
    expect(loss.item()).toBe(5);
    expect(Array.from(p.values())).not.toEqual([1, 2]);
  });

  it("accepts a closure that returns a number, and returns it", () => {
    const p = x();
    const opt = new optim.LBFGS([p], { maxIter: 3 });
    const value = opt.step(() => {
      opt.zeroGrad();
      const loss = p.sub(3).pow(2).sum();
      loss.backward();
      return loss.item();
    });
    expect(value).toBe(5);
  });
});

describe("LBFGS state dict", () => {
  const c = file.cases.find((k) => k.name === "lbfgs_quadratic_two_tensors_max_eval")!;
  const f = quadratic(c.A!, c.b!, "float64");
  const make = () => {
    const params = c.initialParams.map((t) => toTensor(t, { dtype: "float64", requiresGrad: true }));
    const opt = new optim.LBFGS(params, c.optionsGiven);
    const closure = () => {
      opt.zeroGrad();
      const loss = f(params);
      loss.backward();
      return loss;
    };
    return { params, opt, closure };
  };

  it("resumes exactly: 2 calls, save (through JSON), load into a fresh optimizer, 3 more calls = 5 calls uninterrupted", () => {
    const straight = make();
    for (let k = 0; k < 5; k++) straight.opt.step(straight.closure);
    const first = make();
    for (let k = 0; k < 2; k++) first.opt.step(first.closure);
    const saved = JSON.parse(JSON.stringify(first.opt.stateDict()));
    expect(Object.keys(saved.state)).toEqual(["0"]);
    expect(saved.state["0"].ro.length).toBeGreaterThan(0);
    const resumed = make();
    resumed.params.forEach((p, i) => p.values().set(first.params[i].values()));
    resumed.opt.loadStateDict(saved);
    for (let k = 0; k < 3; k++) resumed.opt.step(resumed.closure);
    resumed.params.forEach((p, i) => expect(Array.from(p.values())).toEqual(Array.from(straight.params[i].values())));
    expect(resumed.opt.stateDict()).toEqual(straight.opt.stateDict());
  });

  it("refuses a history of the wrong length and changes nothing", () => {
    const run = make();
    run.opt.step(run.closure);
    const bad = JSON.parse(JSON.stringify(run.opt.stateDict()));
    const n = bad.state["0"].oldDirs.length;
    bad.state["0"].oldDirs.pop();
    const fresh = make();
    expect(() => fresh.opt.loadStateDict(bad)).toThrow(`LBFGS.loadStateDict: state: "oldDirs" has ${n - 1} values, expected ${n}`);
    expect(fresh.opt.state.size).toBe(0);
  });
});
