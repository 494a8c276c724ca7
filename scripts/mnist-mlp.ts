// The MNIST MLP (784-256-10, batch 128) trained by a registry optimizer, with the test accuracy after each epoch (test/mnist-post-adam.test.ts).

import { DataLoader, manualSeed, nn, optim } from "../src/index.ts";
import { featureMeanStd, loadMnist, standardize, type MnistData } from "../datasets/index.ts";
import { accuracy } from "../examples/lib/accuracy.ts";

/** MNIST (or the subset), standardized by the training set's mean and std. */
export function loadStandardized(source: "mnist" | "mnist-subset"): MnistData {
  const data = loadMnist({ source });
  const { mean, std } = featureMeanStd(data.train);
  standardize(data.train, mean, std);
  standardize(data.test, mean, std);
  return data;
}

/** Trains 784-256-10 with `name` for `epochs` epochs (seeded weights and batch order); returns the test accuracy after each epoch. */
export function trainMlp(data: MnistData, name: string, options: Record<string, unknown>, epochs: number, seed = 0): number[] {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const opt = optim.create(name, model.parameters(), options);
  const loader = new DataLoader(data.train, { batchSize: 128, shuffle: true, seed });
  const testLoader = new DataLoader(data.test, { batchSize: 1000 });
  const accuracies: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const { x, y } of loader) {
      opt.zeroGrad();
      nn.functional.crossEntropy(model.forward(x), y).backward();
      opt.step();
    }
    opt.eval(); // schedule-free AdamW is tested on its averaged weights
    accuracies.push(accuracy(model, testLoader));
    opt.train();
  }
  return accuracies;
}
