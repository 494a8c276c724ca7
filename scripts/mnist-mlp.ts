// The MNIST MLP (784-256-10, batch 128) trained by a registry optimizer, with the test accuracy after each epoch; used by scripts/mnist-optimizer.ts and a test.

import { DataLoader, manualSeed, nn, noGrad, optim } from "../src/index.ts";
import { featureMeanStd, loadMnist, standardize, type MnistData } from "../datasets/index.ts";

/** The optimizer's eval()/train() switch, when it has one (schedule-free AdamW). */
type Switchable = optim.Optimizer & { eval?: () => void; train?: () => void };

/** MNIST (or the subset), standardized by the training set's mean and std. */
export function loadStandardized(source: "mnist" | "mnist-subset"): MnistData {
  const data = loadMnist({ source });
  const { mean, std } = featureMeanStd(data.train);
  standardize(data.train, mean, std);
  standardize(data.test, mean, std);
  return data;
}

/** Test accuracy, on the optimizer's eval weights when it has them (opt.eval() before, opt.train() after). */
function accuracy(model: nn.Module, opt: Switchable, data: MnistData): number {
  opt.eval?.();
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (const { x, y } of new DataLoader(data.test, { batchSize: 1000 })) {
      const predicted = model.forward(x).argmax(1).values();
      for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) correct++;
    }
  });
  model.train();
  opt.train?.();
  return correct / data.test.length;
}

/** Trains 784-256-10 with `name` for `epochs` epochs (seeded weights and batch order); returns the test accuracy after each epoch. */
export function trainMlp(data: MnistData, name: string, options: Record<string, unknown>, epochs: number, seed = 0, onEpoch?: (epoch: number, accuracy: number, lr: number) => void): number[] {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const opt: Switchable = optim.create(name, model.parameters(), options);
  const loader = new DataLoader(data.train, { batchSize: 128, shuffle: true, seed });
  const accuracies: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const { x, y } of loader) {
      opt.zeroGrad();
      nn.functional.crossEntropy(model.forward(x), y).backward();
      opt.step();
    }
    accuracies.push(accuracy(model, opt, data));
    onEpoch?.(epoch, accuracies[epoch - 1], opt.paramGroups[0].lr);
  }
  return accuracies;
}
