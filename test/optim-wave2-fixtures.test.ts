// RAdam, Rprop, ASGD (with its averaged parameters) and Lion against test/fixtures/wave2/optimizer_trajectories2.json, at every step.

import { describe, expect, it } from "vitest";
import { ASGD, type Optimizer } from "../src/optim/index.ts";
import type { DType } from "../src/tensor/index.ts";
import { expectClose, loadFixture, type FixtureFile, type FixtureTensor, type Tolerance } from "./helpers/fixtures.ts";
import { replay, type TrajectoryCase } from "./helpers/trajectories.ts";

interface Wave2Case extends TrajectoryCase {
  /** ASGD only: θ̄ after each step, per parameter. */
  axTrajectory?: FixtureTensor[][];
}

const file = loadFixture<FixtureFile<Wave2Case>>("wave2/optimizer_trajectories2.json");
const { rtol, atol } = file.recommendedTolerance;
const FLOAT64: Tolerance = { rtol: 1e-9, atol: 1e-12 };

/** For ASGD, θ̄ after every step, both from the state's `ax` and from averagedParams(). */
function checkAverages(c: Wave2Case, tol: Tolerance) {
  if (c.axTrajectory === undefined) return undefined;
  return (opt: Optimizer, t: number, label: string) => {
    expect(opt).toBeInstanceOf(ASGD);
    const asgd = opt as ASGD;
    const params = asgd.paramGroups.flatMap((g) => g.params);
    const averaged = asgd.averagedParams();
    const order = c.paramGroups.flatMap((g) => g.params);
    order.forEach((i, k) => {
      expectClose(asgd.state.get(params[k])!.ax, c.axTrajectory![t][i], tol.rtol, tol.atol, `${label} state ax of param ${i}`);
      expectClose(averaged[k], c.axTrajectory![t][i], tol.rtol, tol.atol, `${label} averagedParams()[${k}]`);
      expect(averaged[k].shape).toEqual(c.axTrajectory![t][i].shape);
    });
  };
}

describe.each(file.cases)("$name", (c) => {
  const run = (how: "optionsGiven" | "options" | "groupOptions", dtype: DType, tol: Tolerance) => replay(c, how, dtype, tol, checkAverages(c, tol));
  it("matches the reference at every step, built from optionsGiven (float32)", () => run("optionsGiven", "float32", { rtol, atol }));
  it("matches the reference at every step, built from the resolved options (float32)", () => run("options", "float32", { rtol, atol }));
  it("matches the reference at every step, each group given its resolved options (float32)", () => run("groupOptions", "float32", { rtol, atol }));
  it("matches the reference to float64 precision in float64", () => run("optionsGiven", "float64", FLOAT64));
});
