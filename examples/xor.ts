// XOR with a two-layer net: the smallest problem a straight line cannot solve, learned in a few lines.
//
//   npx tsx examples/xor.ts [--epochs 100] [--lr 0.5] [--seed 0]

import { tensor, nn, optim, manualSeed } from "../src/index.ts";
import { commandLine, integer, number } from "./lib/cli.ts";

const XOR_COMMAND = {
  usage: "npx tsx examples/xor.ts [flags]",
  about: "Trains a 2-8-2 tanh net on the four points of XOR with SGD and momentum, and prints its answers.",
  flags: {
    epochs: { type: "string", arg: "N", help: "full-batch steps (default 100)" },
    lr: { type: "string", arg: "LR", help: "SGD's learning rate (default 0.5)" },
    seed: { type: "string", arg: "N", help: "seed of the initial weights (default 0)" },
  },
} as const;
const config = commandLine(XOR_COMMAND, (v) => ({
  epochs: integer("epochs", v.epochs, 100),
  lr: number("lr", v.lr, 0.5, (x) => x > 0, "must be a number > 0"),
  seed: integer("seed", v.seed, 0, -Infinity),
}));

manualSeed(config.seed);

// The four points of XOR and their classes: 1 when exactly one input is 1.
const inputs = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const labels = [0, 1, 1, 0];

// A hidden layer of 8 units is what lets the net bend the decision boundary.
const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 2));
const lossFn = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: config.lr, momentum: 0.9 });

for (let epoch = 1; epoch <= config.epochs; epoch++) {
  optimizer.zeroGrad();
  const loss = lossFn.forward(model.forward(inputs), labels);
  loss.backward();
  optimizer.step();
  if (epoch % 20 === 0) console.log(`epoch ${epoch}: loss ${loss.item().toFixed(4)}`);
}

model.eval();
const predicted = Array.from(model.forward(inputs).argmax(1).values());
for (const [i, point] of (inputs.toArray() as number[][]).entries()) {
  console.log(`${point[0]} xor ${point[1]} = ${predicted[i]}`);
}
const correct = predicted.filter((p, i) => p === labels[i]).length;
console.log(`accuracy: ${correct}/${labels.length}`);
