// A plain Node ESM script, as a user writes it: trains XOR with the installed package and says how it ran.
import { backendInfo, manualSeed, nn, optim, tensor } from "ndgrad";
import { load, save } from "ndgrad/io";
import { asciiLineChart } from "ndgrad/report";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

manualSeed(0);
const inputs = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const labels = [0, 1, 1, 0];
const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 2));
const optimizer = new optim.SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
for (let epoch = 0; epoch < 100; epoch++) {
  optimizer.zeroGrad();
  nn.functional.crossEntropy(model.forward(inputs), labels).backward();
  optimizer.step();
}
const predicted = Array.from(model.forward(inputs).argmax(1).values());
const correct = predicted.filter((p, i) => p === labels[i]).length;

// ndgrad/io from the same install: the weights go to disk and come back equal.
const file = join(mkdtempSync(join(tmpdir(), "ndgrad-consumer-")), "xor.safetensors");
save(file, model.stateDict());
const restored = load(file);
const same = Object.entries(model.stateDict()).every(([name, t]) => JSON.stringify(restored[name].toArray()) === JSON.stringify(t.toArray()));

// ndgrad/report imports without its optional peers; using one says which package to install.
let reportError = "";
try {
  asciiLineChart([{ name: "loss", values: [1, 0.5] }]);
} catch (error) {
  reportError = error.message;
}

console.log(JSON.stringify({ correct, backend: backendInfo().backend, same, reportError }));
