// Every optimizer against PyTorch's trajectories (test/fixtures/optimizer_trajectories.json), at every step.

import { describe, it } from "vitest";
import { loadFixture, type FixtureFile } from "./helpers/fixtures.ts";
import { replay, type TrajectoryCase } from "./helpers/trajectories.ts";

const file = loadFixture<FixtureFile<TrajectoryCase>>("optimizer_trajectories.json");
const { rtol, atol } = file.recommendedTolerance;

describe.each(file.cases)("$name", (c) => {
  it("matches PyTorch at every step, built from optionsGiven (float32)", () => replay(c, "optionsGiven", "float32", { rtol, atol }));
  it("matches PyTorch at every step, built from the resolved options (float32)", () => replay(c, "options", "float32", { rtol, atol }));
  it("matches PyTorch at every step, each group given its resolved options (float32)", () => replay(c, "groupOptions", "float32", { rtol, atol }));
  it("matches PyTorch to float64 precision in float64", () => replay(c, "optionsGiven", "float64", { rtol: 1e-9, atol: 1e-12 }));
});
