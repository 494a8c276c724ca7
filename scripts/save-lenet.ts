// Saves a LeNet-5 trained a few steps by ndgrad, for scripts/load-in-pytorch.py: DIR/lenet.safetensors holds
// model.stateDict() as `save` writes it; DIR/lenet-check.safetensors a batch of inputs and ndgrad's logits for them.
//
//   npx tsx scripts/save-lenet.ts DIR [--batchnorm]

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { manualSeed, nn, noGrad, optim, randn } from "../src/index.ts";
import { save } from "../src/io/index.ts";
import { lenet5 } from "../examples/mnist/models.ts";

const dir = process.argv[2];
if (dir === undefined || dir.startsWith("--")) {
  console.error("usage: npx tsx scripts/save-lenet.ts DIR [--batchnorm]");
  process.exit(2);
}
const batchnorm = process.argv.includes("--batchnorm");
manualSeed(0);
const model = lenet5({ batchnorm });
// A few Adam steps on random data, so the weights (and batch norm's running statistics) are no longer the initial ones.
const opt = new optim.Adam(model.parameters());
for (let step = 0; step < 5; step++) {
  const x = randn([16, 784]);
  const y = Int32Array.from({ length: 16 }, (_, i) => (i * 7 + step) % 10);
  opt.zeroGrad();
  nn.functional.crossEntropy(model.forward(x), y).backward();
  opt.step();
}
model.eval();
const inputs = randn([8, 784]);
const logits = noGrad(() => model.forward(inputs));
mkdirSync(dir, { recursive: true });
save(join(dir, "lenet.safetensors"), model.stateDict(), { model: `lenet5${batchnorm ? "+batchnorm" : ""}` });
save(join(dir, "lenet-check.safetensors"), { inputs, logits });
console.log(`wrote ${join(dir, "lenet.safetensors")} (${Object.keys(model.stateDict()).join(", ")}) and lenet-check.safetensors`);
