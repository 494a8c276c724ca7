// `npm run bench`: what this machine does with ndgrad — GEMM GFLOP/s on the MLP products and training
// samples/s on real MNIST for each backend side by side (blas, wasm; js with --js) at 1 and 2 threads, with
// where a step's time goes (its products, and the rest), peak memory,
// how throughput scales with the hidden width and the batch, and a CNN (LeNet-5) section: samples/s
// and conv GFLOP/s. Writes bench/results/bench-<date>.json and compares with the last one. PyTorch's
// figures for the same steps: scripts/bench-pytorch-mlp.py (and bench-pytorch-cnn.py).
//
//   npm run bench -- [--quick] [--only gemm|train|scaling|cnn] [--js]

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { BACKENDS, backendInfo, getBackend, getNumThreads, setBackend, setNumThreads, type Backend } from "../src/kernels/index.ts";
import { formatTable, type Cell, type Column } from "../src/report/index.ts";
import { commandLine, oneOf } from "../examples/lib/cli.ts";
import { ADAM_NET, BATCH, MLP, measureGemm, mlpProducts, W1, W2, warmUpGemm } from "./lib/gemm.ts";
import { loadTrainingSet, rssMB, trainer, warmUp, type Timing } from "./lib/train.ts";
import { lenetConvs, measureConv } from "./lib/cnn.ts";
import { lenet5, mlp } from "../examples/mnist/models.ts";

const SECTIONS = ["gemm", "train", "scaling", "cnn"] as const;
type Section = (typeof SECTIONS)[number];

const { quick, only, js } = commandLine(
  {
    usage: "npm run bench -- [flags]",
    about: "Measures GEMM GFLOP/s, training samples/s and seconds per epoch on MNIST, peak memory, scaling with width and batch, and a CNN (LeNet-5): samples/s and conv GFLOP/s.",
    flags: {
      quick: { type: "boolean", help: "fewer steps and shorter timings (about a minute)" },
      only: { type: "string", arg: SECTIONS.join("|"), help: "run one section" },
      js: { type: "boolean", help: "also time the js backend (plain TypeScript: slow, minutes more)" },
    },
  },
  (v) => ({ quick: v.quick, js: v.js, only: v.only === undefined ? undefined : oneOf("only", v.only, SECTIONS, "section") }),
);
const runs = (section: Section) => only === undefined || only === section;

/**
 * How long each part runs. Training is timed in rounds of a fixed number of steps, the backends
 * taking turns within each round, so that a change in the machine's load hits them alike.
 */
const plan = quick
  ? { gemmMs: 60, rounds: 3, w1Steps: 60, w2Steps: 10, scalingSteps: 60, warmupSeconds: 1, cnnSteps: 40, convRepeats: 5 }
  : { gemmMs: 150, rounds: 5, w1Steps: 200, w2Steps: 30, scalingSteps: 300, warmupSeconds: 2, cnnSteps: 150, convRepeats: 20 };
const WIDTHS = [128, 256, 512, 1024, 2048];
const BATCHES = [32, 64, 128, 256, 512];

/** Every figure of this run under a flat key, as saved; the "vs prev" columns look keys up in the last run's. */
const metrics: Record<string, number> = {};
const previous = loadPrevious();

const threads = getNumThreads();
/** The thread counts every backend is measured on. */
const THREADS = [...new Set([1, 2, threads])].sort((x, y) => x - y);
const defaultBackend = getBackend();
/** The backends this machine has; js only with --js (it is 40 times behind wasm). */
const backends = BACKENDS.filter((b) => (b !== "js" || js) && available(b));
/** A backend's name in the tables: "wasm-relaxed" when the wasm kernels are the relaxed-SIMD build (node --experimental-wasm-relaxed-simd on Node 20). */
const label = (backend: Backend): string => (backend === "wasm" && backendInfo().relaxedSimd ? "wasm-relaxed" : backend);
const started = performance.now();
console.log(`ndgrad bench${quick ? " --quick" : ""}: ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, node ${process.version}, backends ${backends.join(", ")} (default ${defaultBackend}${backendInfo().relaxedSimd ? ", wasm kernels with relaxed SIMD" : ""}), ${threads} threads`);
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
  const shapes = [...MLP, ...ADAM_NET];
  for (const backend of backends) {
    setBackend(backend);
    warmUpGemm(shapes, THREADS, setNumThreads, 1000);
  }
  const configs = backends.flatMap((backend) => THREADS.map((t) => ({ backend, threads: t })));
  const rows: Cell[][] = [];
  for (const shape of shapes) {
    const cells: Cell[] = [shape.name, `${shape.m}×${shape.n}×${shape.k}`, shape.layout];
    for (const { backend, threads: t } of configs) {
      setBackend(backend);
      setNumThreads(t);
      const { best, median } = measureGemm(shape, shape.layout, plan.gemmMs);
      const key = `gemm ${shape.name} ${label(backend)} ${t}T`;
      metrics[key] = best;
      metrics[`${key} median`] = median;
      cells.push(`${best.toFixed(1)} / ${median.toFixed(1)}${compare(key)}`);
    }
    rows.push(cells);
  }
  restoreDefaults();
  const columns: Column[] = [
    { header: "product" }, { header: "m×n×k" }, { header: "layout" },
    ...configs.map(({ backend, threads: t }) => ({ header: `${label(backend)} ${t}T`, align: "right" as const })),
  ];
  console.log("\n" + formatTable(columns, rows, { title: `GEMM GFLOP/s (float32), best call / median call over ${plan.gemmMs} ms (and vs prev); W1 = 784-256-10, W2 = 784-1000-1000-10 ("adam-net"), batch ${BATCH}` }));
  console.log("Operands are ordinary arrays: wasm copies them into its memory and C back out at each call; BLAS reads and writes them in place.");
}

/** The race's MLP with these layer widths [784, hidden ..., 10]. */
function mlpOf(widths: readonly number[]): () => ReturnType<typeof mlp> {
  return () => mlp({ hidden: widths.slice(1, -1), dropout: 0, batchnorm: false });
}

function trainSection(train: ReturnType<typeof loadTrainingSet>): void {
  const rows: Cell[][] = [];
  const splitRows: Cell[][] = [];
  const rss: number[] = [rssMB()];
  for (const [name, widths, steps] of [["W1 784-256-10", W1, plan.w1Steps], ["W2 784-1000-1000-10", W2, plan.w2Steps]] as const) {
    // One model per backend (its parameters are allocated as that backend wants), timed in alternation.
    const trainers = backends.map((backend) => {
      setBackend(backend);
      return trainer(train, mlpOf(widths), BATCH);
    });
    for (const t of THREADS) {
      setNumThreads(t);
      const rates: number[][] = backends.map(() => []);
      const newBytes: number[] = backends.map(() => 0);
      for (let round = 0; round <= plan.rounds; round++) {
        backends.forEach((backend, i) => {
          setBackend(backend);
          if (round === 0) return warmUp(trainers[i], plan.warmupSeconds);
          const timing = trainers[i].steps(steps);
          rates[i].push(rate(timing));
          newBytes[i] += timing.newBytes / (timing.steps * plan.rounds);
        });
      }
      const cells: Cell[] = [name, `${t}`];
      backends.forEach((backend, i) => {
        const key = `train ${name} ${label(backend)} ${t}T samples/s`;
        metrics[key] = median(rates[i]);
        cells.push(`${Math.min(...rates[i]).toFixed(0)}–${Math.max(...rates[i]).toFixed(0)}${compare(key)}`);
        setBackend(backend);
        metrics[`step ${name} ${label(backend)} ${t}T new KiB`] = newBytes[i] / 1024;
        splitRows.push([name, `${t}`, label(backend), ...stepSplit(`${name} ${label(backend)} ${t}T`, widths, metrics[key]), (newBytes[i] / 1024).toFixed(0)]);
      });
      rows.push(cells);
      rss.push(rssMB());
    }
  }
  restoreDefaults();
  metrics["train RSS growth MB"] = rss[rss.length - 1] - rss[1];
  const columns: Column[] = [{ header: "model" }, { header: "threads", align: "right" }, ...backends.map((b) => ({ header: label(b), align: "right" as const }))];
  console.log("\n" + formatTable(columns, rows, {
    title: `Training samples/s, Adam (lr 1e-3), batch ${BATCH}, real MNIST: range over ${plan.rounds} rounds (W1 ${plan.w1Steps} steps, W2 ${plan.w2Steps}) after ${plan.warmupSeconds} s of warm-up, backends taking turns (vs prev: the median)`,
  }));
  console.log(`Resident memory (MB), before, then after each row: ${rss.map((x) => x.toFixed(0)).join(" → ")}`);
  const splitColumns: Column[] = [{ header: "model" }, { header: "threads", align: "right" }, { header: "backend" }, ...["step", "products", "the rest", "rest share", "new KiB"].map((header) => ({ header, align: "right" as const }))];
  console.log("\n" + formatTable(splitColumns, splitRows, {
    title: "Where a step's time goes, µs: the whole step (at the median rate above), its matrix products each timed alone (median call), and the rest by difference; new KiB: arrays a step made anew rather than reused (allocate's free lists)",
  }));
  console.log("PyTorch on the same models and threads, with the same split: /usr/bin/python3 scripts/bench-pytorch-mlp.py");
}

/** A step's µs, its products' (each timed alone, the step's layout and threads) and the rest by difference, as table cells. */
function stepSplit(key: string, widths: readonly number[], samplesPerSecond: number): Cell[] {
  const stepUs = (BATCH / samplesPerSecond) * 1e6;
  const productsUs = mlpProducts(key, widths, BATCH).reduce((sum, shape) => sum + measureGemm(shape, shape.layout, plan.gemmMs / 2).medianMs * 1000, 0);
  metrics[`step ${key} products µs`] = productsUs;
  metrics[`step ${key} rest µs`] = stepUs - productsUs;
  return [stepUs.toFixed(0), productsUs.toFixed(0), (stepUs - productsUs).toFixed(0), `${((100 * (stepUs - productsUs)) / stepUs).toFixed(0)}%`];
}

/** Whether setBackend accepts `backend` here. */
function available(backend: Backend): boolean {
  try {
    setBackend(backend);
    return true;
  } catch {
    return false;
  } finally {
    restoreDefaults();
  }
}

function restoreDefaults(): void {
  setBackend(defaultBackend);
  setNumThreads(threads);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((x, y) => x - y);
  return sorted[sorted.length >> 1];
}

function trainRow(name: string, how: string, t: Timing, stepsPerEpoch: number): Cell[] {
  const perSecond = rate(t);
  const epochSeconds = (t.seconds / t.steps) * stepsPerEpoch;
  metrics[`train ${name} samples/s`] = perSecond;
  metrics[`train ${name} s/epoch`] = epochSeconds;
  metrics[`train ${name} new KiB/step`] = t.newBytes / t.steps / 1024;
  return [name, how, perSecond.toFixed(0), epochSeconds.toFixed(2), (t.newBytes / t.steps / 1024).toFixed(0), compare(`train ${name} samples/s`).trim()];
}

function scalingSection(train: ReturnType<typeof loadTrainingSet>): void {
  const measure = (widths: number[], batch: number, key: string): Cell[] => {
    const t = trainer(train, mlpOf(widths), batch);
    warmUp(t, plan.warmupSeconds);
    const timing = t.steps(plan.scalingSteps);
    metrics[key] = rate(timing);
    return [rate(timing).toFixed(0), ((timing.seconds / timing.steps) * 1000).toFixed(2), compare(key).trim()];
  };
  const columns = (first: string): Column[] => [{ header: first, align: "right" }, { header: "samples/s", align: "right" }, { header: "ms / step", align: "right" }, { header: "vs prev", align: "right" }];
  const byWidth = WIDTHS.map((h) => [String(h), ...measure([784, h, 10], BATCH, `scaling width ${h}`)]);
  console.log("\n" + formatTable(columns("hidden h"), byWidth, { title: `Scaling with the hidden width: 784-h-10, batch ${BATCH}, Adam, ${plan.scalingSteps} steps after ${plan.warmupSeconds} s of warm-up` }));
  const byBatch = BATCHES.map((b) => [String(b), ...measure(W1, b, `scaling batch ${b}`)]);
  console.log("\n" + formatTable(columns("batch"), byBatch, { title: `Scaling with the batch: 784-256-10, Adam, ${plan.scalingSteps} steps after ${plan.warmupSeconds} s of warm-up` }));
}

function cnnSection(train: ReturnType<typeof loadTrainingSet>): void {
  const rows: Cell[][] = [];
  for (const batchnorm of [false, true]) {
    const name = `LeNet-5${batchnorm ? " + BatchNorm" : ""}`;
    const t = trainer(train, () => lenet5({ batchnorm }), BATCH);
    warmUp(t, plan.warmupSeconds);
    const best = [t.steps(plan.cnnSteps), t.steps(plan.cnnSteps)].reduce((a, b) => (rate(b) > rate(a) ? b : a));
    rows.push(trainRow(name, `best of 2 × ${plan.cnnSteps} steps after ${plan.warmupSeconds} s of warm-up`, best, t.stepsPerEpoch));
  }
  const columns: Column[] = [{ header: "model" }, { header: "timed" }, { header: "samples/s", align: "right" }, { header: "s / epoch", align: "right" }, { header: "new KiB / step", align: "right" }, { header: "vs prev", align: "right" }];
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
  const machine = { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version, backends, defaultBackend, threads, loadavgAtEnd: loadavg() };
  writeFileSync(file, JSON.stringify({ date, quick, only: only ?? null, machine, plan, metrics }, null, 2) + "\n");
  console.log(`wrote bench/results/${file.pathname.split("/").pop()}`);
}
