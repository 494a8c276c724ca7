// `npm run bench`: what this machine does with ndgrad — GEMM GFLOP/s on the MLP products, training
// samples/s and seconds per epoch on real MNIST, peak memory, and how throughput scales with the
// hidden width and the batch, and a CNN (LeNet-5) section: samples/s and conv GFLOP/s. Writes bench/results/bench-<date>.json and compares with the last one.
//
//   npm run bench -- [--quick] [--only gemm|train|scaling|cnn]

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { getBackend, getNumThreads, setNumThreads } from "../src/kernels/index.ts";
import { formatTable, type Cell, type Column } from "../src/report/index.ts";
import { commandLine, oneOf } from "../examples/lib/cli.ts";
import { ADAM_NET, MLP, measureGemm, warmUpGemm } from "./lib/gemm.ts";
import { loadTrainingSet, rssMB, trainer, type Timing } from "./lib/train.ts";
import { lenetConvs, measureConv } from "./lib/cnn.ts";
import { lenet5 } from "../examples/mnist/models.ts";

const SECTIONS = ["gemm", "train", "scaling", "cnn"] as const;
type Section = (typeof SECTIONS)[number];

const { quick, only } = commandLine(
  {
    usage: "npm run bench -- [flags]",
    about: "Measures GEMM GFLOP/s, training samples/s and seconds per epoch on MNIST, peak memory, scaling with width and batch, and a CNN (LeNet-5): samples/s and conv GFLOP/s.",
    flags: {
      quick: { type: "boolean", help: "fewer steps and shorter timings (about a minute)" },
      only: { type: "string", arg: SECTIONS.join("|"), help: "run one section" },
    },
  },
  (v) => ({ quick: v.quick, only: v.only === undefined ? undefined : oneOf("only", v.only, SECTIONS, "section") }),
);
const runs = (section: Section) => only === undefined || only === section;

/** How long each part runs. W2 (784-1000-1000-10) trains whole epochs by default, a fixed number of steps with --quick. */
const plan = quick
  ? { gemmMs: 60, w1Epochs: 1, w2Steps: 100, w2Epochs: 0, scalingSteps: 60, warmupSteps: 10, cnnSteps: 40, convRepeats: 5 }
  : { gemmMs: 150, w1Epochs: 2, w2Steps: 0, w2Epochs: 3, scalingSteps: 300, warmupSteps: 20, cnnSteps: 150, convRepeats: 20 };
const BATCH = 128;
const W1 = [784, 256, 10];
const W2 = [784, 1000, 1000, 10];
const WIDTHS = [128, 256, 512, 1024, 2048];
const BATCHES = [32, 64, 128, 256, 512];

/** Every figure of this run under a flat key, as saved; the "vs prev" columns look keys up in the last run's. */
const metrics: Record<string, number> = {};
const previous = loadPrevious();

const threads = getNumThreads();
const started = performance.now();
console.log(`ndgrad bench${quick ? " --quick" : ""}: ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, node ${process.version}, backend ${getBackend()}, ${threads} threads`);
console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(" ")}${loadavg()[0] > availableParallelism() - 0.5 ? "  (busy machine: figures will be low and noisy)" : ""}`);
console.log(previous ? `comparing with ${previous.file}` : "no previous run in bench/results/ to compare with");

if (runs("gemm")) gemmSection();
if (runs("train") || runs("scaling") || runs("cnn")) {
  const t0 = performance.now();
  const train = loadTrainingSet();
  console.log(`\nMNIST loaded and standardized in ${((performance.now() - t0) / 1000).toFixed(1)} s (${train.length} training digits)`);
  if (runs("train")) trainSection(train);
  if (runs("scaling")) scalingSection(train);
  if (runs("cnn")) cnnSection(train);
}

metrics["peak RSS MB"] = process.resourceUsage().maxRSS / 1024;
console.log(`\npeak resident memory (maxRSS): ${metrics["peak RSS MB"].toFixed(0)} MB${compare("peak RSS MB", true)}`);
console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(" ")}; total ${((performance.now() - started) / 1000).toFixed(0)} s`);
save();

function gemmSection(): void {
  const configs = [...new Set([1, threads])];
  const shapes = [...MLP, ...ADAM_NET];
  warmUpGemm(shapes, configs, setNumThreads, 1000);
  const rows: Cell[][] = [];
  for (const shape of shapes) {
    const cells: Cell[] = [shape.name, `${shape.m}×${shape.n}×${shape.k}`, shape.layout];
    for (const [t, inWasm] of [...configs.map((t) => [t, false] as const), [threads, true] as const]) {
      setNumThreads(t);
      const { best, median } = measureGemm(shape, shape.layout, plan.gemmMs, inWasm);
      const key = `gemm ${shape.name} ${t}T${inWasm ? " in wasm memory" : ""}`;
      metrics[key] = best;
      metrics[`${key} median`] = median;
      cells.push(`${best.toFixed(1)} / ${median.toFixed(1)}`);
    }
    cells.push(compare(`gemm ${shape.name} ${threads}T`).trim());
    rows.push(cells);
  }
  setNumThreads(threads);
  const columns: Column[] = [
    { header: "product" }, { header: "m×n×k" }, { header: "layout" },
    ...configs.map((t) => ({ header: `${t} thread${t > 1 ? "s" : ""}`, align: "right" as const })),
    { header: `${threads}T, in wasm memory`, align: "right" }, { header: `vs prev (${threads}T)`, align: "right" },
  ];
  console.log("\n" + formatTable(columns, rows, { title: `GEMM GFLOP/s (float32, wasm SIMD), best call / median call over ${plan.gemmMs} ms; W1 = 784-256-10, W2 = 784-1000-1000-10 ("adam-net"), batch ${BATCH}` }));
  console.log("Operands are ordinary arrays, copied into the wasm memory and C copied back by each call, except in the");
  console.log("\"in wasm memory\" column: arrays that live there, as parameters and optimizer state do, used in place.");
}

function trainSection(train: ReturnType<typeof loadTrainingSet>): void {
  const rows: Cell[][] = [];
  const w1 = trainer(train, W1, BATCH);
  const w1Runs = Array.from({ length: plan.w1Epochs }, () => w1.epoch());
  const w1Best = w1Runs.reduce((a, b) => (rate(b) > rate(a) ? b : a));
  rows.push(trainRow("W1 784-256-10", `best of ${plan.w1Epochs} full epoch${plan.w1Epochs > 1 ? "s" : ""} (${w1.stepsPerEpoch} steps)`, w1Best, w1.stepsPerEpoch));

  const w2 = trainer(train, W2, BATCH);
  const rss: number[] = [rssMB()];
  let w2Runs: Timing[];
  let how: string;
  if (plan.w2Epochs > 0) {
    w2Runs = Array.from({ length: plan.w2Epochs }, () => {
      const t = w2.epoch();
      rss.push(t.rssMB);
      return t;
    });
    how = `best of ${plan.w2Epochs} full epochs`;
  } else {
    w2Runs = [w2.steps(plan.w2Steps), w2.steps(plan.w2Steps)].map((t) => (rss.push(t.rssMB), t));
    how = `best of 2 × ${plan.w2Steps} steps, epoch extrapolated`;
  }
  const w2Best = w2Runs.reduce((a, b) => (rate(b) > rate(a) ? b : a));
  rows.push(trainRow("W2 784-1000-1000-10", how, w2Best, w2.stepsPerEpoch));

  const columns: Column[] = [{ header: "model" }, { header: "timed" }, { header: "samples/s", align: "right" }, { header: "s / epoch", align: "right" }, { header: "vs prev", align: "right" }];
  console.log("\n" + formatTable(columns, rows, { title: `Training, Adam (lr 1e-3), batch ${BATCH}, real MNIST (60,000 digits, standardized), ${threads} threads` }));
  const rssNote = plan.w2Epochs > 0 ? "before, then after each epoch" : `before, then after each ${plan.w2Steps} steps`;
  console.log(`W2 resident memory (MB), ${rssNote}: ${rss.map((x) => x.toFixed(0)).join(" → ")}`);
  metrics["train W2 RSS growth MB"] = rss[rss.length - 1] - rss[1];
}

function trainRow(name: string, how: string, t: Timing, stepsPerEpoch: number): Cell[] {
  const perSecond = rate(t);
  const epochSeconds = (t.seconds / t.steps) * stepsPerEpoch;
  metrics[`train ${name} samples/s`] = perSecond;
  metrics[`train ${name} s/epoch`] = epochSeconds;
  return [name, how, perSecond.toFixed(0), epochSeconds.toFixed(2), compare(`train ${name} samples/s`).trim()];
}

function scalingSection(train: ReturnType<typeof loadTrainingSet>): void {
  const measure = (widths: number[], batch: number, key: string): Cell[] => {
    const t = trainer(train, widths, batch);
    t.steps(plan.warmupSteps);
    const timing = t.steps(plan.scalingSteps);
    metrics[key] = rate(timing);
    return [rate(timing).toFixed(0), ((timing.seconds / timing.steps) * 1000).toFixed(2), compare(key).trim()];
  };
  const columns = (first: string): Column[] => [{ header: first, align: "right" }, { header: "samples/s", align: "right" }, { header: "ms / step", align: "right" }, { header: "vs prev", align: "right" }];
  const byWidth = WIDTHS.map((h) => [String(h), ...measure([784, h, 10], BATCH, `scaling width ${h}`)]);
  console.log("\n" + formatTable(columns("hidden h"), byWidth, { title: `Scaling with the hidden width: 784-h-10, batch ${BATCH}, Adam, ${plan.scalingSteps} steps after ${plan.warmupSteps} warm-up` }));
  const byBatch = BATCHES.map((b) => [String(b), ...measure(W1, b, `scaling batch ${b}`)]);
  console.log("\n" + formatTable(columns("batch"), byBatch, { title: `Scaling with the batch: 784-256-10, Adam, ${plan.scalingSteps} steps after ${plan.warmupSteps} warm-up` }));
}

function cnnSection(train: ReturnType<typeof loadTrainingSet>): void {
  const rows: Cell[][] = [];
  for (const batchnorm of [false, true]) {
    const name = `LeNet-5${batchnorm ? " + BatchNorm" : ""}`;
    const t = trainer(train, () => lenet5({ batchnorm }), BATCH);
    t.steps(plan.warmupSteps);
    const best = [t.steps(plan.cnnSteps), t.steps(plan.cnnSteps)].reduce((a, b) => (rate(b) > rate(a) ? b : a));
    rows.push(trainRow(name, `best of 2 × ${plan.cnnSteps} steps after ${plan.warmupSteps} warm-up`, best, t.stepsPerEpoch));
  }
  const columns: Column[] = [{ header: "model" }, { header: "timed" }, { header: "samples/s", align: "right" }, { header: "s / epoch", align: "right" }, { header: "vs prev", align: "right" }];
  console.log("\n" + formatTable(columns, rows, { title: `CNN training, Adam (lr 1e-3), batch ${BATCH}, real MNIST, ${threads} threads` }));
  const convRows = lenetConvs(BATCH).map((layer) => {
    const r = measureConv(layer, plan.convRepeats);
    metrics[`cnn ${layer.name} forward GFLOP/s`] = r.forward;
    metrics[`cnn ${layer.name} forward+backward GFLOP/s`] = r.forwardBackward;
    return [layer.name, `[${layer.input.join(", ")}]`, r.forward.toFixed(2), r.forwardBackward.toFixed(2), compare(`cnn ${layer.name} forward+backward GFLOP/s`).trim()];
  });
  const convColumns: Column[] = [{ header: "layer" }, { header: "input" }, { header: "forward", align: "right" }, { header: "forward+backward", align: "right" }, { header: "vs prev", align: "right" }];
  console.log("\n" + formatTable(convColumns, convRows, { title: `LeNet-5 conv layers, GFLOP/s (im2col + GEMM), best of 3 × ${plan.convRepeats} calls, ${threads} threads` }));
  console.log("PyTorch on the same model, batch and threads: /usr/bin/python3 scripts/bench-pytorch-cnn.py --threads " + threads);
}

function rate(t: Timing): number {
  return t.samples / t.seconds;
}

/** " (+4.1% vs prev)"-style text for a metric, or "" when the last run did not have it. Lower is better for memory. */
function compare(key: string, lowerIsBetter = false): string {
  const before = previous?.metrics[key];
  const now = metrics[key];
  if (before === undefined || now === undefined || !(before > 0)) return "";
  const change = (now / before - 1) * 100;
  const text = `${change >= 0 ? "+" : ""}${change.toFixed(1)}%`;
  return lowerIsBetter ? `  (${text} vs prev)` : ` ${text}`;
}

function resultsDir(): URL {
  return new URL("./results/", import.meta.url);
}

/** The newest bench-*.json in bench/results/ made with the same --quick and --only, if any. */
function loadPrevious(): { file: string; metrics: Record<string, number> } | null {
  const dir = resultsDir();
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir).filter((f) => /^bench-.*\.json$/.test(f)).sort();
  for (const file of files.reverse()) {
    try {
      const saved = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as { quick?: boolean; only?: string | null; metrics?: Record<string, number> };
      if (saved.quick === quick && saved.only === (only ?? null) && saved.metrics && typeof saved.metrics === "object") return { file: `bench/results/${file}`, metrics: saved.metrics };
    } catch {
      // A file cut short by an interrupted run: try the one before.
    }
  }
  return null;
}

function save(): void {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const date = new Date().toISOString();
  const file = new URL(`bench-${date.replace(/[:.]/g, "-")}.json`, dir);
  const machine = { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version, backend: getBackend(), threads, loadavgAtEnd: loadavg() };
  writeFileSync(file, JSON.stringify({ date, quick, only: only ?? null, machine, plan, metrics }, null, 2) + "\n");
  console.log(`wrote bench/results/${file.pathname.split("/").pop()}`);
}
