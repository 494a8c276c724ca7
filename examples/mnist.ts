// The optimizer race: the same MLP trained on MNIST by each optimizer, from the same weights and batch order.
//
//   npx tsx examples/mnist.ts                     # the seven optimizers of the notes, 5 epochs each
//   npx tsx examples/mnist.ts --help              # every flag
//   npx tsx examples/mnist.ts --preset adam-paper --epochs 2
//   npx tsx examples/mnist.ts --checkpoint ckpt       # then, after a crash: --resume ckpt

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DataLoader, defaultGenerator, manualSeed, nn, noGrad, optim, type Tensor } from "../src/index.ts";
import { loadCheckpoint, saveCheckpoint, type JsonValue } from "../src/io/index.ts";
import { featureMeanStd, loadMnist, standardize } from "../datasets/index.ts";
import { asciiLineChart, createRunDir, formatExp, formatFixed, formatPercent, formatTable, lineChartSvg, RunRecorder, TrainingProgress, type MetricRecord } from "../src/report/index.ts";
import { TrainingDiagnostics, diagnosticsSeries } from "../src/utils/diagnostics.ts";
import { parseMnistArgs, raceOptions, usage, UsageError, type MnistConfig } from "./mnist/cli.ts";

let config: MnistConfig;
try {
  const parsed = parseMnistArgs(process.argv.slice(2));
  if (parsed === "help") {
    console.log(usage());
    process.exit(0);
  }
  config = parsed;
  if (config.resume !== null && !existsSync(config.resume)) throw new UsageError(`--resume: there is no directory "${config.resume}"`);
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  console.error(`error: ${e.message}\n\n${usage()}`);
  process.exit(2);
}

// The data: images as float32 rows of 784 pixels, standardized by the training set's mean and std.
const data = loadMnist({ source: config.dataset, trainLimit: config.trainLimit ?? undefined });
const { mean, std } = featureMeanStd(data.train);
standardize(data.train, mean, std);
standardize(data.test, mean, std);

// The model: 784 → hidden … → 10 with ReLU (and dropout in the adam-paper preset).
function buildModel(): nn.Sequential {
  const layers: nn.Module[] = [];
  let width = data.train.featureShape[0];
  for (const h of config.hidden) {
    layers.push(new nn.Linear(width, h), new nn.ReLU());
    if (config.dropout > 0) layers.push(new nn.Dropout(config.dropout));
    width = h;
  }
  layers.push(new nn.Linear(width, data.classNames.length));
  return new nn.Sequential(...layers);
}

// One set of initial weights for every racer: a fair start.
manualSeed(config.seed);
const initialWeights = Object.fromEntries(Object.entries(buildModel().stateDict()).map(([k, t]) => [k, t.clone()]));

function evaluate(model: nn.Module, loader: DataLoader): number {
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (const { x, y } of loader) {
      const predicted = model.forward(x).argmax(1).values();
      for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) correct++;
    }
  });
  model.train();
  return correct / loader.dataset.length;
}

// Checkpoints: DIR/<optimizer>.safetensors holds the weights, the optimizer state, the RNG and the
// finished epoch; its `extra` keeps the racer's numbers and logged series, and the settings that
// must not change across a resume, so a resumed race ends with the metrics and table of one never stopped.
interface RacerProgress {
  step: number;
  seconds: number;
  epochLoss: number;
  best: number;
  accuracy: number;
}

/** What decides a racer's trajectory besides its checkpoint: resuming with other values would not continue the same run. */
function racerSetup(name: string) {
  const { dataset, trainLimit, batchSize, hidden, dropout, seed } = config;
  return { dataset, trainLimit, batchSize, hidden, dropout, seed, options: raceOptions(name, config) };
}

function checkpointRacer(name: string, model: nn.Module, optimizer: optim.Optimizer, epoch: number, progress: RacerProgress): void {
  mkdirSync(config.checkpoint!, { recursive: true });
  const series = Object.fromEntries(["train", "epoch", "diagnostics"].map((s) => [`${name}/${s}`, run.records(`${name}/${s}`)]));
  const extra = { setup: racerSetup(name), progress, series } as unknown as JsonValue;
  saveCheckpoint(join(config.checkpoint!, `${name}.safetensors`), { model, optimizer, epoch, step: progress.step, rng: defaultGenerator, extra });
}

/** Restores a racer from --resume DIR (weights, optimizer, RNG, loader epoch, logged series); null when DIR has no checkpoint for it. */
function resumeRacer(name: string, model: nn.Module, optimizer: optim.Optimizer, loader: DataLoader): (RacerProgress & { epoch: number }) | null {
  const path = join(config.resume!, `${name}.safetensors`);
  if (!existsSync(path)) return null;
  const saved = loadCheckpoint(path, { model, optimizer, rng: defaultGenerator });
  const extra = saved.extra as unknown as { setup: ReturnType<typeof racerSetup>; progress: RacerProgress; series: Record<string, MetricRecord[]> };
  const now = racerSetup(name);
  const changed = (Object.keys(now) as (keyof typeof now)[]).filter((k) => JSON.stringify(extra.setup[k]) !== JSON.stringify(now[k]));
  if (changed.length > 0) {
    throw new Error(`${path} was saved with ${changed.map((k) => `${k} ${JSON.stringify(extra.setup[k])}`).join(", ")}, this run has ${changed.map((k) => `${k} ${JSON.stringify(now[k])}`).join(", ")}: resuming would not continue the same run`);
  }
  for (const [series, records] of Object.entries(extra.series)) for (const r of records) run.log(series, r);
  loader.setEpoch(saved.epoch!);
  return { epoch: saved.epoch!, ...extra.progress };
}

/** --stop-after-epoch: what a kill right after the checkpoint would leave, for testing --resume. */
function stopAsIfKilled(epoch: number): never {
  progress.stop();
  run.save();
  console.log(`stopped after epoch ${epoch} (--stop-after-epoch); continue with --resume ${config.checkpoint}`);
  process.exit(0);
}

const runDir = createRunDir(config.out, "mnist");
const run = new RunRecorder(runDir, { ...config, dataset: data.name, trainSize: data.train.length, testSize: data.test.length, mean, std }, { seed: config.seed });
const progress = new TrainingProgress({ quiet: config.quiet, epochs: config.epochs });
const testLoader = new DataLoader(data.test, { batchSize: 1000 });
const results: { name: string; lr: number; finalLoss: number; accuracy: number; best: number; seconds: number; samplesPerSec: number; diverged: string | null }[] = [];

for (const name of config.optimizers) {
  const model = buildModel();
  model.loadStateDict(initialWeights);
  manualSeed(config.seed + 1); // the same dropout masks for every racer
  const optimizer = optim.create(name, model.parameters(), raceOptions(name, config));
  const loader = new DataLoader(data.train, { batchSize: config.batchSize, shuffle: true, seed: config.seed });
  const diagnostics = config.diagnostics ? new TrainingDiagnostics(model.namedParameters()) : null;
  const bar = progress.bar(name, config.epochs * loader.length);
  const resumed = config.resume !== null ? resumeRacer(name, model, optimizer, loader) : null;

  let step = resumed?.step ?? 0;
  let seconds = resumed?.seconds ?? 0;
  let diverged: string | null = null;
  let epochLoss = resumed?.epochLoss ?? NaN;
  let best = resumed?.best ?? 0;
  let accuracy = resumed?.accuracy ?? 0;
  if (resumed !== null) bar.update(step, { epoch: resumed.epoch, loss: epochLoss, accuracy });
  for (let epoch = (resumed?.epoch ?? 0) + 1; epoch <= config.epochs && diverged === null; epoch++) {
    const started = performance.now();
    let lossSum = 0;
    for (const { x, y } of loader) {
      optimizer.zeroGrad();
      const logits: Tensor = model.forward(x);
      const loss = nn.functional.crossEntropy(logits, y);
      loss.backward();
      diagnostics?.beforeStep();
      optimizer.step();

      step++;
      const value = loss.item();
      if (!Number.isFinite(value)) {
        diverged = `diverged at step ${step}`;
        break;
      }
      lossSum += value;
      run.log(`${name}/train`, { step, epoch, loss: value });
      if (diagnostics) for (const d of diagnostics.afterStep()) run.log(`${name}/diagnostics`, { step, ...d });
      bar.update(step, { epoch, loss: value, samplesPerSec: (step * config.batchSize) / (seconds + (performance.now() - started) / 1000) });
    }
    seconds += (performance.now() - started) / 1000;
    if (diverged !== null) break;
    epochLoss = lossSum / loader.length;
    accuracy = evaluate(model, testLoader);
    best = Math.max(best, accuracy);
    run.log(`${name}/epoch`, { epoch, trainLoss: epochLoss, testAccuracy: accuracy, seconds });
    bar.update(step, { epoch, loss: epochLoss, accuracy, samplesPerSec: (step * config.batchSize) / seconds });
    if (config.checkpoint !== null) checkpointRacer(name, model, optimizer, epoch, { step, seconds, epochLoss, best, accuracy });
    if (epoch === config.stopAfterEpoch) stopAsIfKilled(epoch);
  }

  const samplesPerSec = (step * config.batchSize) / Math.max(seconds, 1e-9);
  if (diverged !== null) bar.fail(diverged);
  else bar.finish(`test accuracy ${formatPercent(accuracy)}`);
  const lr = optimizer.paramGroups[0].lr as number;
  results.push({ name, lr, finalLoss: epochLoss, accuracy, best, seconds, samplesPerSec, diverged });
  run.summary(name, { lr, finalTrainLoss: epochLoss, testAccuracy: accuracy, bestTestAccuracy: best, seconds, samplesPerSec, diverged });
  run.save();
}
progress.stop();

// The comparison: a table, the loss curves in the terminal, and the run folder with metrics and charts.
if (!config.quiet) {
  console.log(
    formatTable(
      [{ header: "optimizer" }, { header: "lr", align: "right" }, { header: "final train loss", align: "right" }, { header: "test accuracy", align: "right" }, { header: "best test accuracy", align: "right" }, { header: "seconds", align: "right" }, { header: "samples/s", align: "right" }],
      results.map((r) => [r.name, formatExp(r.lr), r.diverged ?? formatFixed(r.finalLoss, 4), r.diverged ? "-" : formatPercent(r.accuracy), formatPercent(r.best), formatFixed(r.seconds, 1), Math.round(r.samplesPerSec)]),
      { title: `${data.name}: MLP ${[784, ...config.hidden, 10].join("-")}, batch ${config.batchSize}, ${config.epochs} epochs, seed ${config.seed}` },
    ),
  );
  console.log(asciiLineChart(config.optimizers.map((n) => ({ name: n, values: run.records(`${n}/train`).map((r) => r.loss as number) })), { logScale: true, title: "training loss per iteration (log scale)", xTitle: "iteration" }));
}

if (config.plots) {
  const series = (suffix: string, x: string, y: string) => config.optimizers.map((n) => ({ name: n, points: run.points(`${n}/${suffix}`, x, y) }));
  run.writeFile("loss.svg", await lineChartSvg({ title: "Training loss per iteration", xTitle: "iteration", yTitle: "cross-entropy loss (smoothed)", logY: true, smoothing: 0.95, series: series("train", "step", "loss") }));
  run.writeFile("accuracy.svg", await lineChartSvg({ title: "Test accuracy per epoch", xTitle: "epoch", yTitle: "test accuracy", yFormat: ".1%", points: true, series: series("epoch", "epoch", "testAccuracy") }));
  run.writeFile("epoch-loss.svg", await lineChartSvg({ title: "Training cost per epoch", xTitle: "epoch", yTitle: "mean training loss", logY: true, points: true, series: series("epoch", "epoch", "trainLoss") }));
  if (config.diagnostics) {
    for (const chart of diagnosticsSeries(config.optimizers.map((n) => [n, run.records(`${n}/diagnostics`)] as const))) {
      run.writeFile(chart.file, await lineChartSvg(chart.spec));
    }
  }
}
run.finish();
if (!config.quiet) console.log(`\nmetrics and charts: ${runDir}/ (metrics.json, metrics.csv${config.plots ? ", loss.svg, accuracy.svg, epoch-loss.svg" : ""})`);
