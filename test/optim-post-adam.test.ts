// Adafactor, Muon and schedule-free AdamW against their papers' algorithms (test/fixtures/post_adam_trajectories.json, from test/fixtures/generator/post_adam.py), at every step.

import { describe, expect, it } from "vitest";
import { AdamWScheduleFree, type Optimizer } from "../src/optim/index.ts";
import type { DType } from "../src/tensor/index.ts";
import { expectClose, loadFixture, type FixtureFile, type FixtureTensor, type Tolerance } from "./helpers/fixtures.ts";
import { replay, type Construction, type TrajectoryCase } from "./helpers/trajectories.ts";

interface PostAdamCase extends TrajectoryCase {
  /** Schedule-free only: x, the averaged weights eval() puts into the parameters, after each step. */
  evalParamsAfterStep?: FixtureTensor[][];
}

const file = loadFixture<FixtureFile<PostAdamCase>>("post_adam_trajectories.json");
const { rtol, atol } = file.recommendedTolerance;
const FLOAT64: Tolerance = { rtol: 1e-9, atol: 1e-12 };

/** Schedule-free: after every step, eval() shows x and train() restores y. */
function checkEvalWeights(c: PostAdamCase, tol: Tolerance) {
  if (c.evalParamsAfterStep === undefined) return undefined;
  return (opt: Optimizer, t: number, label: string) => {
    expect(opt).toBeInstanceOf(AdamWScheduleFree);
    const sf = opt as AdamWScheduleFree;
    const params = sf.paramGroups.flatMap((g) => g.params);
    const order = c.paramGroups.flatMap((g) => g.params);
    sf.eval();
    order.forEach((i, k) => expectClose(params[k], c.evalParamsAfterStep![t][i], tol.rtol, tol.atol, `${label} after eval(), param ${i}`));
    sf.train();
    order.forEach((i, k) => expectClose(params[k], c.paramsAfterStep[t][i], tol.rtol, tol.atol, `${label} after train(), param ${i}`));
  };
}

describe.each(file.cases)("$name", (c) => {
  const run = (how: Construction, dtype: DType, tol: Tolerance) => replay(c, how, dtype, tol, checkEvalWeights(c, tol));
  it("matches the reference at every step, built from optionsGiven (float32)", () => run("optionsGiven", "float32", { rtol, atol }));
  it("matches the reference at every step, built from the resolved options (float32)", () => run("options", "float32", { rtol, atol }));
  it("matches the reference at every step, each group given its resolved options (float32)", () => run("groupOptions", "float32", { rtol, atol }));
  it("matches the reference to float64 precision in float64", () => run("optionsGiven", "float64", FLOAT64));
});
