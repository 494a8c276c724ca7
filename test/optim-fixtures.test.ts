// Every optimizer against PyTorch's trajectories (test/fixtures/optimizer_trajectories.json), at every step.

import { describe, it } from "vitest";
import * as optim from "../src/optim/index.ts";
import type { DType } from "../src/tensor/index.ts";
import { expectClose, loadFixture, toTensor, type FixtureFile, type FixtureTensor } from "./helpers/fixtures.ts";

interface TrajectoryCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  optionsGiven: Record<string, unknown>;
  paramGroups: { params: number[]; overrides: Record<string, unknown>; options: Record<string, unknown> }[];
  lrChanges: { afterSteps: number; group: number; lr: number }[];
  steps: number;
  initialParams: FixtureTensor[];
  grads: FixtureTensor[][];
  paramsAfterStep: FixtureTensor[][];
}

const file = loadFixture<FixtureFile<TrajectoryCase>>("optimizer_trajectories.json");
const { rtol, atol } = file.recommendedTolerance;

type Construction = "optionsGiven" | "options" | "groupOptions";

/** Replays a case: builds params and groups, applies the lr changes, feeds the recorded gradients, checks every step. */
function replay(c: TrajectoryCase, how: Construction, dtype: DType, tol: { rtol: number; atol: number }): void {
  const params = c.initialParams.map((t) => toTensor(t, { dtype }));
  const groups = c.paramGroups.map((g) => ({
    params: g.params.map((i) => params[i]),
    ...(how === "groupOptions" ? g.options : g.overrides),
  }));
  const opt = optim.create(c.optimizer.toLowerCase(), groups, how === "optionsGiven" ? c.optionsGiven : c.options);
  for (let t = 0; t < c.steps; t++) {
    for (const change of c.lrChanges) if (change.afterSteps === t) opt.paramGroups[change.group].lr = change.lr;
    params.forEach((p, i) => (p.grad = toTensor(c.grads[t][i], { dtype })));
    opt.step();
    params.forEach((p, i) => expectClose(p, c.paramsAfterStep[t][i], tol.rtol, tol.atol, `${c.name} (${how}, ${dtype}) step ${t} param ${i}`));
  }
}

describe.each(file.cases)("$name", (c) => {
  it("matches PyTorch at every step, built from optionsGiven (float32)", () => replay(c, "optionsGiven", "float32", { rtol, atol }));
  it("matches PyTorch at every step, built from the resolved options (float32)", () => replay(c, "options", "float32", { rtol, atol }));
  it("matches PyTorch at every step, each group given its resolved options (float32)", () => replay(c, "groupOptions", "float32", { rtol, atol }));
  it("matches PyTorch to float64 precision in float64", () => replay(c, "optionsGiven", "float64", { rtol: 1e-9, atol: 1e-12 }));
});
