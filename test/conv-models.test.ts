// The race's CNN: LeNet-5's shapes and layers, the --model / --batchnorm flags, and a short training run that must learn MNIST digits.

import { describe, expect, it } from "vitest";
import { DataLoader, manualSeed, nn, noGrad, optim, randn } from "../src/index.ts";
import { featureMeanStd, loadMnist, standardize } from "../datasets/index.ts";
import { buildModel, lenet5 } from "../examples/mnist/models.ts";
import { parseFlags, UsageError } from "../examples/lib/cli.ts";
import { MNIST_COMMAND, mnistConfig } from "../examples/mnist/cli.ts";

/** The settings examples/mnist.ts would run with, or the UsageError it would print. */
const parse = (args: string[]) => mnistConfig(parseFlags(MNIST_COMMAND, args));

describe("LeNet-5", () => {
  it("maps rows of 784 pixels to 10 logits through the issue's layers", () => {
    manualSeed(0);
    const model = lenet5({ batchnorm: false });
    expect(model.forward(randn([3, 784])).shape).toEqual([3, 10]);
    expect(model.children().map((m) => m.constructor.name)).toEqual(["Unflatten", "Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear"]);
    expect(model.parameters().reduce((n, p) => n + p.size, 0)).toBe(61706);
  });

  it("with batchnorm puts a BatchNorm after each conv and hidden Linear, in both models", () => {
    const names = (m: nn.Module) => m.children().map((c) => c.constructor.name).filter((n) => n.startsWith("BatchNorm"));
    expect(names(buildModel("cnn", { hidden: [], dropout: 0, batchnorm: true }))).toEqual(["BatchNorm2d", "BatchNorm2d", "BatchNorm1d", "BatchNorm1d"]);
    expect(names(buildModel("mlp", { hidden: [64, 32], dropout: 0, batchnorm: true }))).toEqual(["BatchNorm1d", "BatchNorm1d"]);
    expect(names(buildModel("mlp", { hidden: [64], dropout: 0, batchnorm: false }))).toEqual([]);
  });
});

describe("the race's flags", () => {
  it("parse --model cnn and --batchnorm, with the MLP as the default", () => {
    const config = parse(["--model", "cnn", "--batchnorm"]);
    expect([config.model, config.batchnorm]).toEqual(["cnn", true]);
    const plain = parse([]);
    expect([plain.model, plain.batchnorm]).toEqual(["mlp", false]);
  });

  it("refuse an unknown model, naming the valid ones", () => {
    expect(() => parse(["--model", "resnet"])).toThrow(new UsageError('invalid --model "resnet": unknown model (valid: mlp, cnn)'));
  });
});

it("LeNet-5 with Adam learns MNIST: above 90% test accuracy after 80 steps of 64", { timeout: 300_000 }, () => {
  const data = loadMnist({ source: "mnist-subset", trainLimit: 5120, testLimit: 1000 });
  const { mean, std } = featureMeanStd(data.train);
  standardize(data.train, mean, std);
  standardize(data.test, mean, std);
  manualSeed(0);
  const model = lenet5({ batchnorm: true });
  const opt = new optim.Adam(model.parameters());
  for (const { x, y } of new DataLoader(data.train, { batchSize: 64, shuffle: true, seed: 0 })) {
    opt.zeroGrad();
    nn.functional.crossEntropy(model.forward(x), y).backward();
    opt.step();
  }
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (const { x, y } of new DataLoader(data.test, { batchSize: 500 })) {
      const predicted = model.forward(x).argmax(1).values();
      for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) correct++;
    }
  });
  expect(correct / data.test.length).toBeGreaterThan(0.9);
});
