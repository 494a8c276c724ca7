// Training throughput: an MLP (or any model), Adam (lr 1e-3) and a shuffling DataLoader on MNIST, the loop of examples/mnist.ts, timed.

import { DataLoader, manualSeed, nn, optim } from "../../src/index.ts";
import type { TensorDataset } from "../../src/data/index.ts";
import { featureMeanStd, loadMnist, standardize } from "../../datasets/index.ts";
import { allocationCounts } from "../../src/tensor/dtype.ts";

/** The full MNIST training set (60,000 digits), standardized by its own mean and std as examples/mnist.ts does. */
export function loadTrainingSet(): TensorDataset {
  const data = loadMnist({ source: "mnist" });
  const { mean, std } = featureMeanStd(data.train);
  return standardize(data.train, mean, std);
}

export interface Timing {
  steps: number;
  samples: number;
  /** From the first step to the last loss read back. */
  seconds: number;
  /** Resident set size (MB) at the end. */
  rssMB: number;
  /** Bytes of arrays that allocate made anew (not taken from its free lists) during these steps. */
  newBytes: number;
}

export interface Trainer {
  /** One full epoch. */
  epoch(): Timing;
  /** `steps` training steps, across epoch boundaries if need be. */
  steps(steps: number): Timing;
  readonly stepsPerEpoch: number;
}

export const rssMB = (): number => process.memoryUsage.rss() / 2 ** 20;

/** A fresh model (what `build` makes, after seeding), optimizer and loader over `train`, ready to be timed. */
export function trainer(train: TensorDataset, build: () => nn.Module, batchSize: number, seed = 0): Trainer {
  manualSeed(seed);
  const model = build();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new DataLoader(train, { batchSize, shuffle: true, seed });
  const run = (limit: number): Timing => {
    let steps = 0, samples = 0, lossSum = 0;
    const made0 = allocationCounts().madeBytes;
    const t0 = performance.now();
    while (steps < limit) {
      for (const { x, y } of loader) {
        optimizer.zeroGrad();
        const loss = nn.functional.crossEntropy(model.forward(x), y);
        loss.backward();
        optimizer.step();
        lossSum += loss.item();
        samples += y.length;
        if (++steps >= limit) break;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    if (!Number.isFinite(lossSum)) throw new Error(`bench: training ${model.constructor.name} diverged`);
    return { steps, samples, seconds, rssMB: rssMB(), newBytes: allocationCounts().madeBytes - made0 };
  };
  return { epoch: () => run(loader.length), steps: run, stepsPerEpoch: loader.length };
}

/**
 * Trains until `seconds` have passed, 10 steps at a time. V8 compiles a step's code in tiers over
 * its first few hundred steps (timed 100 steps at a time, W1 trained at 56–65k samples/s at first on
 * 2 threads and at 90–99k after 1,200), and a training run spends nearly all its time past that point.
 */
export function warmUp(t: Trainer, seconds: number): void {
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) t.steps(10);
}
