// Trains the MNIST MLP (784-256-10, batch 128) with optimizers from the registry and prints the test accuracy after each epoch.
//
//   npx tsx scripts/mnist-optimizer.ts adafactor muon adamw-schedulefree --epochs 5 --lr adafactor=0.01
//
// Unlike examples/mnist.ts it evaluates an optimizer that has eval()/train() (schedule-free AdamW)
// on its eval weights, as its authors do.

import { parseArgs } from "node:util";
import { loadStandardized, trainMlp } from "./mnist-mlp.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { epochs: { type: "string", default: "5" }, lr: { type: "string", default: "" }, seed: { type: "string", default: "0" } },
});
const lrs = Object.fromEntries(values.lr.split(",").filter(Boolean).map((kv) => [kv.split("=")[0], Number(kv.split("=")[1])]));
const data = loadStandardized("mnist");

for (const name of positionals) {
  const started = performance.now();
  const accuracies = trainMlp(data, name, name in lrs ? { lr: lrs[name] } : {}, Number(values.epochs), Number(values.seed), (epoch, accuracy, lr) => {
    console.log(`${name} lr ${lr} epoch ${epoch}: test accuracy ${(100 * accuracy).toFixed(2)}%`);
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`RESULT ${name} epochs=${values.epochs}: ${accuracies.map((a) => (100 * a).toFixed(2)).join(", ")} (% test accuracy per epoch, ${seconds} s)`);
}
