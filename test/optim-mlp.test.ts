// End-to-end: the fixture's 4-16-3 MLP trained 20 full-batch steps with each optimizer, against PyTorch (test/fixtures/mlp_training.json).

import { describe, it } from "vitest";
import * as optim from "../src/optim/index.ts";
import { tensor, type Tensor } from "../src/tensor/index.ts";
import { expectClose, loadFixture, toTensor, type FixtureFile, type FixtureTensor } from "./helpers/fixtures.ts";

interface MlpCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  optionsGiven: Record<string, unknown>;
  losses: number[];
  finalLoss: number;
  finalParams: (FixtureTensor & { name: string })[];
  paramsAfterStep: FixtureTensor[][];
}

interface MlpFile extends FixtureFile<MlpCase> {
  initialParams: (FixtureTensor & { name: string })[];
  inputs: FixtureTensor;
  labels: FixtureTensor;
  steps: number;
}

const file = loadFixture<MlpFile>("mlp_training.json");
const { rtol, atol } = file.recommendedTolerance;

const x = toTensor(file.inputs);
const N = file.labels.data.length;
const C = 3;
const oneHot = tensor(Float32Array.from({ length: N * C }, (_, k) => (file.labels.data[Math.floor(k / C)] === k % C ? 1 : 0)), { shape: [N, C] });

/** Mean cross-entropy of relu(x·W1ᵀ + b1)·W2ᵀ + b2 against the labels, from raw tensor ops. */
function loss([w1, b1, w2, b2]: Tensor[]): Tensor {
  const logits = x.matmul(w1.T).add(b1).relu().matmul(w2.T).add(b2);
  return logits.logSoftmax(-1).mul(oneHot).sum().div(-N);
}

function train(c: MlpCase, options: Record<string, unknown>): void {
  const params = file.initialParams.map((p) => toTensor(p, { requiresGrad: true }));
  const opt = optim.create(c.optimizer.toLowerCase(), params, options);
  for (let t = 0; t < file.steps; t++) {
    opt.zeroGrad();
    const l = loss(params);
    expectClose(l.item(), c.losses[t], rtol, atol, `${c.name} loss at step ${t}`);
    l.backward();
    opt.step();
    params.forEach((p, i) => expectClose(p, c.paramsAfterStep[t][i], rtol, atol, `${c.name} step ${t} ${file.initialParams[i].name}`));
  }
  expectClose(loss(params).item(), c.finalLoss, rtol, atol, `${c.name} final loss`);
  params.forEach((p, i) => expectClose(p, c.finalParams[i], rtol, atol, `${c.name} final ${c.finalParams[i].name}`));
}

describe.each(file.cases)("$name", (c) => {
  it("matches PyTorch's losses and parameters at every step (optionsGiven)", () => train(c, c.optionsGiven));
  it("matches PyTorch's losses and parameters at every step (resolved options)", () => train(c, c.options));
});
