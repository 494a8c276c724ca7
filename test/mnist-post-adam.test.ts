// Adafactor, Muon and schedule-free AdamW train the MNIST MLP: one epoch on the 8,000-digit subset reaches 80%.
// Measured: 86.8%, 92.7%, 92.3% (the 5-epoch full-MNIST figures are in the README). Named outside test/optim* so
// CI's run on the plain-TypeScript kernels skips it: Muon's Newton–Schulz products take minutes there.

import { describe, expect, it } from "vitest";
import { loadStandardized, trainMlp } from "../scripts/mnist-mlp.ts";

const data = loadStandardized("mnist-subset");

describe.each(["adafactor", "muon", "adamw-schedulefree"])("%s on the MNIST subset", (name) => {
  it("reaches 80% test accuracy after one epoch (784-256-10, batch 128, default options)", () => {
    const [accuracy] = trainMlp(data, name, {}, 1);
    expect(accuracy).toBeGreaterThan(0.8);
  }, 300_000);
});
