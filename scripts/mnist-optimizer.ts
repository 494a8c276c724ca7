// Trains the MNIST MLP (784-256-10, batch 128) with optimizers from the registry and prints the test accuracy after each epoch.
//
//   npx tsx scripts/mnist-optimizer.ts adafactor muon adamw-schedulefree --epochs 5 --lr adafactor=0.01
//
// Unlike examples/mnist.ts it evaluates an optimizer that has eval()/train() (schedule-free AdamW)
// on its eval weights, as its authors do: opt.eval() before testing, opt.train() after.

import { parseArgs } from "node:util";
import { DataLoader, manualSeed, nn, noGrad, optim } from "../src/index.ts";
import { featureMeanStd, loadMnist, standardize } from "../datasets/index.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { epochs: { type: "string", default: "5" }, lr: { type: "string", default: "" }, seed: { type: "string", default: "0" } },
});
const epochs = Number(values.epochs);
const seed = Number(values.seed);
const lrs = Object.fromEntries(values.lr.split(",").filter(Boolean).map((kv) => [kv.split("=")[0], Number(kv.split("=")[1])]));

const data = loadMnist({ source: "mnist" });
const { mean, std } = featureMeanStd(data.train);
standardize(data.train, mean, std);
standardize(data.test, mean, std);
const testLoader = new DataLoader(data.test, { batchSize: 1000 });

/** The optimizer's eval()/train() switch, when it has one (schedule-free AdamW). */
type Switchable = optim.Optimizer & { eval?: () => void; train?: () => void };

function accuracy(model: nn.Module, opt: Switchable): number {
  opt.eval?.();
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (const { x, y } of testLoader) {
      const predicted = model.forward(x).argmax(1).values();
      for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) correct++;
    }
  });
  model.train();
  opt.train?.();
  return correct / data.test.length;
}

for (const name of positionals) {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const opt: Switchable = optim.create(name, model.parameters(), name in lrs ? { lr: lrs[name] } : {});
  const loader = new DataLoader(data.train, { batchSize: 128, shuffle: true, seed });
  const started = performance.now();
  const perEpoch: string[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const { x, y } of loader) {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
    }
    perEpoch.push((100 * accuracy(model, opt)).toFixed(2));
    console.log(`${name} lr ${opt.paramGroups[0].lr} epoch ${epoch}: test accuracy ${perEpoch.at(-1)}%`);
  }
  console.log(`RESULT ${name} lr=${opt.paramGroups[0].lr} epochs=${epochs} accuracy per epoch: ${perEpoch.join(", ")} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
