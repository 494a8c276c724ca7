// Soak run: trains the W1 MLP (784-256-10, Adam, batch 128) for many epochs and records resident memory after each one.
//
//   npx tsx scripts/soak.ts --epochs 20                   # real MNIST (60,000 images per epoch)
//   npx tsx scripts/soak.ts --epochs 20 --train-limit 10000
//   npx tsx scripts/soak.ts --epochs 20 --steps 200       # synthetic data, 200 steps per epoch (no dataset needed)
//
// Passes (exit 0) when resident memory after epoch 2 is within 5% of the last epoch's: the working
// set is built in the first epochs (buffers, kernel workspaces, JIT), and nothing grows after that.
// A checkpoint is saved after every epoch too (--no-checkpoint to skip), so save/load is soaked as well.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataLoader, TensorDataset, defaultGenerator, Generator, manualSeed, nn, optim, type Dataset } from "../src/index.ts";
import { saveCheckpoint } from "../src/io/index.ts";
import { featureMeanStd, loadMnist, standardize } from "../datasets/index.ts";
import { commandLine, integer } from "../examples/lib/cli.ts";

const { epochs, batchSize, steps, trainLimit, checkpoint } = commandLine(
  {
    usage: "npx tsx scripts/soak.ts [flags]",
    about: "Trains the W1 MLP for many epochs and checks that resident memory stays flat after epoch 2.",
    flags: {
      epochs: { type: "string", arg: "N", help: "epochs (default 20)" },
      "train-limit": { type: "string", arg: "N", help: "train on the first N MNIST samples only" },
      steps: { type: "string", arg: "N", help: "synthetic data instead of MNIST, N steps per epoch" },
      "batch-size": { type: "string", arg: "N", help: "mini-batch size (default 128)" },
      "no-checkpoint": { type: "boolean", help: "skip the checkpoint saved after every epoch" },
    },
  },
  (v) => ({
    epochs: integer("epochs", v.epochs, 20),
    batchSize: integer("batch-size", v["batch-size"], 128),
    steps: v.steps === undefined ? undefined : integer("steps", v.steps, 0),
    trainLimit: v["train-limit"] === undefined ? undefined : integer("train-limit", v["train-limit"], 0),
    checkpoint: !v["no-checkpoint"],
  }),
);

/** Real MNIST, standardized; or, with --steps, random images with random labels (memory does not care what it learns). */
function trainingData(): { name: string; train: Dataset } {
  if (steps !== undefined) {
    const n = steps * batchSize;
    const g = new Generator(1);
    const x = new Float32Array(n * 784);
    for (let i = 0; i < x.length; i++) x[i] = g.normal();
    const y = Int32Array.from({ length: n }, () => g.int(10));
    return { name: `synthetic (${n} samples)`, train: new TensorDataset(x, y, [784]) };
  }
  const data = loadMnist({ source: "mnist", trainLimit });
  const { mean, std } = featureMeanStd(data.train);
  standardize(data.train, mean, std);
  return { name: `${data.name} (${data.train.length} samples)`, train: data.train };
}

const { name, train } = trainingData();
manualSeed(0);
const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const loader = new DataLoader(train, { batchSize, shuffle: true, seed: 0 });
const checkpointDir = !checkpoint ? null : mkdtempSync(join(tmpdir(), "ndgrad-soak-"));

const mib = (bytes: number) => bytes / 2 ** 20;
const rows: { epoch: number; rss: number; heap: number; external: number; loss: number; seconds: number }[] = [];
console.log(`soak: ${name}, MLP 784-256-10, Adam, batch ${batchSize}, ${epochs} epochs, ${loader.length} steps per epoch${checkpointDir ? ", checkpoint every epoch" : ""}`);
console.log(`start: rss ${mib(process.memoryUsage().rss).toFixed(1)} MiB`);
console.log("epoch    rss MiB   heap MiB   external MiB   mean loss   seconds");
let step = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const started = performance.now();
  let lossSum = 0;
  for (const { x, y } of loader) {
    optimizer.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
    lossSum += loss.item();
    step++;
  }
  if (checkpointDir !== null) saveCheckpoint(join(checkpointDir, "soak.safetensors"), { model, optimizer, epoch, step, rng: defaultGenerator });
  const m = process.memoryUsage();
  const row = { epoch, rss: mib(m.rss), heap: mib(m.heapUsed), external: mib(m.external + m.arrayBuffers), loss: lossSum / loader.length, seconds: (performance.now() - started) / 1000 };
  rows.push(row);
  console.log(`${String(epoch).padStart(5)}  ${row.rss.toFixed(1).padStart(9)}  ${row.heap.toFixed(1).padStart(9)}  ${row.external.toFixed(1).padStart(13)}  ${row.loss.toFixed(4).padStart(10)}  ${row.seconds.toFixed(1).padStart(8)}`);
}
if (checkpointDir !== null) rmSync(checkpointDir, { recursive: true, force: true });

const last = rows[rows.length - 1].rss;
const after2 = rows.filter((r) => r.epoch >= 2);
const drift = (r: { rss: number }) => (r.rss - last) / last;
const worst = after2.reduce((a, b) => (Math.abs(drift(b)) > Math.abs(drift(a)) ? b : a), after2[0] ?? rows[0]);
const epoch2 = rows.find((r) => r.epoch === 2);
console.log(
  `\nrss after epoch 2: ${epoch2 ? epoch2.rss.toFixed(1) : "-"} MiB, last epoch: ${last.toFixed(1)} MiB (${epoch2 ? `${(drift(epoch2) * 100).toFixed(2)}%` : "-"}); ` +
    `largest difference from the last epoch over epochs 2-${epochs}: ${(drift(worst) * 100).toFixed(2)}% (epoch ${worst.epoch}); peak ${Math.max(...rows.map((r) => r.rss)).toFixed(1)} MiB`,
);
const ok = after2.every((r) => Math.abs(drift(r)) <= 0.05);
console.log(ok ? "PASS: resident memory from epoch 2 on stays within 5% of the last epoch's" : "FAIL: resident memory moves by more than 5% after epoch 2");
process.exit(ok ? 0 : 1);
