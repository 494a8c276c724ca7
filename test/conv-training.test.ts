// A tiny CNN (Conv2d, ReLU, MaxPool2d, Flatten, Linear) trained 8 full-batch steps, against PyTorch (test/fixtures/wave2/cnn_training.json).

import { describe, expect, it } from "vitest";
import { nn, optim, type Tensor } from "../src/index.ts";
import { expectClose, loadFixture, toTensor, type FixtureFile, type FixtureTensor } from "./helpers/fixtures.ts";

interface CnnCase {
  name: string;
  optimizer: string;
  optionsGiven: Record<string, unknown>;
  losses: number[];
  finalLoss: number;
  finalParams: (FixtureTensor & { name: string })[];
  paramsAfterStep: FixtureTensor[][];
}

interface CnnFile extends FixtureFile<CnnCase> {
  paramOrder: string[];
  initialParams: (FixtureTensor & { name: string })[];
  inputs: FixtureTensor;
  labels: FixtureTensor;
  steps: number;
}

const file = loadFixture<CnnFile>("wave2/cnn_training.json");
const { rtol, atol } = file.recommendedTolerance;
const x = toTensor(file.inputs);
const labels = Int32Array.from(file.labels.data);

/** The fixture's model, written as its README writes it, with PyTorch's initial weights loaded by name. */
function model(): nn.Sequential {
  const net = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(4, 8, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(32, 3));
  net.loadStateDict(Object.fromEntries(file.initialParams.map((p) => [p.name, toTensor(p)])));
  return net;
}

describe.each(file.cases)("$name", (c) => {
  it("matches PyTorch's loss and parameters at every step", () => {
    const net = model();
    const params = net.parameters();
    const Ctor = (optim as unknown as Record<string, new (p: Tensor[], o: unknown) => optim.Optimizer>)[c.optimizer];
    const opt = new Ctor(params, c.optionsGiven);
    const loss = () => nn.functional.crossEntropy(net.forward(x), labels);
    for (let t = 0; t < file.steps; t++) {
      opt.zeroGrad();
      const l = loss();
      expectClose(l.item(), c.losses[t], rtol, atol, `${c.name} loss at step ${t}`);
      l.backward();
      opt.step();
      params.forEach((p, i) => expectClose(p, c.paramsAfterStep[t][i], rtol, atol, `${c.name} step ${t} ${file.paramOrder[i]}`));
    }
    expectClose(loss().item(), c.finalLoss, rtol, atol, `${c.name} final loss`);
    const sd = net.stateDict();
    for (const p of c.finalParams) expectClose(sd[p.name], p, rtol, atol, `${c.name} final ${p.name}`);
  });
});

it("names the model's parameters as PyTorch does, with its shapes", () => {
  const named = [...model().namedParameters()].map(([n, p]) => [n, p.shape]);
  expect(named).toEqual(file.initialParams.map((p) => [p.name, p.shape]));
  expect(named.map(([n]) => n)).toEqual(file.paramOrder);
});
