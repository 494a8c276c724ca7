// The optimizer race: the same model (the MLP, or LeNet-5) trained on MNIST by each optimizer, from the same weights and batch order.
//
//   npx tsx examples/mnist.ts                     # the seven optimizers of the notes, 5 epochs each
//   npx tsx examples/mnist.ts --help              # every flag
//   npx tsx examples/mnist.ts --preset adam-paper --epochs 2
//   npx tsx examples/mnist.ts --model cnn --batchnorm --optimizers adam --epochs 3
//   npx tsx examples/mnist.ts --checkpoint ckpt   # then, after a crash: --resume ckpt

import { backendInfo, DataLoader, manualSeed, nn, optim } from "../src/index.ts";
import { featureMeanStd, loadMnist, standardize } from "../datasets/index.ts";
import { createRunDir, DivergenceCheck, formatPercent, RunRecorder, TrainingProgress, type MetricRecord } from "../src/report/index.ts";
import { TrainingDiagnostics } from "../src/utils/diagnostics.ts";
import { accuracy } from "./lib/accuracy.ts";
import { Checkpoints } from "./lib/checkpoints.ts";
import { doing, exitStatus, explainCrashes, keepOnCrash, orExit, tryWrite } from "./lib/failures.ts";
import { parseMnistArgs, raceOptions, racerSettings } from "./mnist/cli.ts";
import { buildModel as buildRaceModel } from "./mnist/models.ts";
import { drawCharts, newRacer, printComparison, type RaceResult, type Racer } from "./mnist/report.ts";

explainCrashes("examples/mnist.ts");
const config = parseMnistArgs();
const F = nn.functional;

// The data: images as float32 rows of 784 pixels, standardized by the training set's mean and std.
const data = orExit(`load the data set "${config.dataset}"`, () => loadMnist({ source: config.dataset, trainLimit: config.trainLimit ?? undefined }));
const { mean, std } = featureMeanStd(data.train);
standardize(data.train, mean, std);
standardize(data.test, mean, std);

// The model: 784 → hidden … → 10 with ReLU (and dropout in the adam-paper preset), or LeNet-5 with --model cnn.
const buildModel = (): nn.Sequential => buildRaceModel(config.model, config, data.classNames.length);

// One set of initial weights for every racer: a fair start.
manualSeed(config.seed);
const initialWeights = Object.fromEntries(Object.entries(buildModel().stateDict()).map(([k, t]) => [k, t.clone()]));

const runDir = orExit(`create the run folder in "${config.out}"`, () => createRunDir(config.out, "mnist"), "--out");
const run = new RunRecorder(runDir, { ...config, dataset: data.name, trainSize: data.train.length, testSize: data.test.length, mean, std }, { seed: config.seed });
let keepMetrics = true; // until a write fails (a full disk): the race goes on and the table still shows; a crash keeps them too
const saveMetrics = keepOnCrash(() => (keepMetrics &&= tryWrite("the metrics", runDir, "--out", () => run.save())));
const checkpoints = new Checkpoints(config.checkpoint, config.resume);
const progress = new TrainingProgress({ quiet: config.quiet, epochs: config.epochs });
const testLoader = new DataLoader(data.test, { batchSize: 1000 });
const startInfo = backendInfo();
const ranOn = () => ({ backend: backendInfo().backend, threads: backendInfo().threads }); // threads that really ran, for metrics.json
if (!config.quiet) console.log(`${data.name}: ${data.train.length} training and ${data.test.length} test images; backend ${startInfo.backend}${startInfo.simd ? " (SIMD)" : ""}, ${startInfo.requestedThreads} threads requested`);
const results: RaceResult[] = [];

for (const name of config.optimizers) {
  const model = buildModel();
  model.loadStateDict(initialWeights);
  manualSeed(config.seed + 1); // the same dropout masks for every racer
  const optimizer = optim.create(name, model.parameters(), raceOptions(name, config));
  const loader = new DataLoader(data.train, { batchSize: config.batchSize, shuffle: true, seed: config.seed });
  const diagnostics = config.diagnostics ? new TrainingDiagnostics(model.namedParameters()) : null;
  const resumed = orExit(`resume ${name}`, () => checkpoints.resume<{ racer: Racer; series: Record<string, MetricRecord[]> }>(name, racerSettings(name, config), { model, optimizer, loader }));
  for (const [series, records] of Object.entries(resumed?.extra.series ?? {})) for (const record of records) run.log(series, record);
  const racer = resumed?.extra.racer ?? newRacer();
  const divergence = new DivergenceCheck({}, racer.divergence);
  const bar = progress.bar(name, config.epochs * loader.length);
  if (resumed) bar.update(racer.step, { epoch: resumed.epoch, loss: racer.finalLoss ?? NaN, accuracy: racer.accuracy ?? undefined });

  for (let epoch = (resumed?.epoch ?? 0) + 1; epoch <= config.epochs && racer.diverged === null; epoch++) {
    const started = performance.now();
    let lossSum = 0;
    for (const { x, y } of loader) {
      doing({ optimizer: name, epoch, step: racer.step + 1 });
      // PyTorch's closure form: optimizers that evaluate the loss several times per step (L-BFGS) call it again.
      const loss = optimizer.step(() => {
        optimizer.zeroGrad();
        const l = F.crossEntropy(model.forward(x), y);
        l.backward();
        diagnostics?.beforeStep();
        return l;
      })!.item();
      racer.step++;
      const divergedAt = divergence.observe(racer.step, loss);
      if (divergedAt !== null) racer.diverged = `diverged at step ${divergedAt}`;
      if (racer.diverged) break;
      lossSum += loss;
      run.log(`${name}/train`, { step: racer.step, epoch, loss });
      if (diagnostics) for (const d of diagnostics.afterStep()) run.log(`${name}/diagnostics`, { step: racer.step, ...d });
      bar.update(racer.step, { epoch, loss, samplesPerSec: (racer.step * config.batchSize) / (racer.seconds + (performance.now() - started) / 1000) });
    }
    racer.seconds += (performance.now() - started) / 1000;
    if (racer.diverged) break;
    doing({ step: null, evaluating: "the test set" });
    racer.finalLoss = lossSum / loader.length;
    optimizer.eval(); // schedule-free AdamW tests its averaged weights; the others have one set
    racer.accuracy = accuracy(model, testLoader);
    optimizer.train();
    racer.best = Math.max(racer.best ?? 0, racer.accuracy);
    doing({ evaluating: null });
    run.log(`${name}/epoch`, { epoch, trainLoss: racer.finalLoss, testAccuracy: racer.accuracy, seconds: racer.seconds });
    bar.update(racer.step, { epoch, loss: racer.finalLoss, accuracy: racer.accuracy, samplesPerSec: (racer.step * config.batchSize) / racer.seconds });
    const series = Object.fromEntries(["train", "epoch", "diagnostics"].map((s) => [`${name}/${s}`, [...run.records(`${name}/${s}`)]]));
    checkpoints.save(name, racerSettings(name, config), { model, optimizer, epoch, step: racer.step, extra: { racer: { ...racer, divergence: divergence.toJSON() }, series } });
  }

  if (racer.diverged) bar.fail(racer.diverged);
  else bar.finish(`test accuracy ${racer.accuracy === null ? "-" : formatPercent(racer.accuracy)}`);
  const result: RaceResult = { name, lr: optimizer.paramGroups[0].lr as number, ...racer, samplesPerSec: (racer.step * config.batchSize) / Math.max(racer.seconds, 1e-9) };
  results.push(result);
  run.summary(name, { lr: result.lr, finalTrainLoss: racer.diverged ? null : racer.finalLoss, testAccuracy: racer.diverged ? null : racer.accuracy, bestTestAccuracy: racer.best, seconds: racer.seconds, samplesPerSec: result.samplesPerSec, diverged: racer.diverged, ...ranOn() });
  saveMetrics();
}
progress.stop();
doing({ optimizer: null, epoch: null, step: null });

// The comparison: a table, the loss curves in the terminal, and the run folder with metrics and charts.
if (!config.quiet) printComparison(results, run, config, data.name, new DivergenceCheck().describe());
const charts = config.plots && keepMetrics ? await drawCharts(run, config) : new Map<string, string>();
if (charts.size > 0) keepMetrics = tryWrite("the charts", runDir, "--out", () => charts.forEach((svg, file) => run.writeFile(file, svg)));
if (keepMetrics) tryWrite("the metrics", runDir, "--out", () => run.finish());
if (!config.quiet && exitStatus() === 0) console.log(`\nmetrics and charts: ${runDir}/ (metrics.json, metrics.csv${config.plots ? ", loss.svg, accuracy.svg, epoch-loss.svg" : ""})`);
process.exitCode = exitStatus();
