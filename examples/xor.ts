// XOR with a two-layer net: the smallest problem a straight line cannot solve, learned in a few lines.
//
//   npx tsx examples/xor.ts

import { tensor, nn, optim, manualSeed } from "../src/index.ts";

manualSeed(0);

// The four points of XOR and their classes: 1 when exactly one input is 1.
const inputs = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const labels = [0, 1, 1, 0];

// A hidden layer of 8 units is what lets the net bend the decision boundary.
const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 2));
const lossFn = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });

for (let epoch = 1; epoch <= 100; epoch++) {
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
