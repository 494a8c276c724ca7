// GEMM benchmark: GFLOP/s of the JS kernel and the wasm SIMD kernel (1 thread and all threads) on the
// products of an MLP training step, in each layout (A·B, A·Bᵀ, Aᵀ·B). Writes bench/results/gemm-<date>.json.
//
//   npx tsx bench/gemm.ts [--quick] [--min-time 200] [--no-js]

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { gemm, getNumThreads, setBackend, setNumThreads } from "../src/kernels/index.ts";

const HELP = `Usage: npx tsx bench/gemm.ts [options]
  --quick          only the MLP 784-256-10 shapes, shorter timing
  --min-time MS    time each case for MS milliseconds (default 300, quick 150)
  --no-js          skip the (slow) plain-TS kernel
  --help           this text`;

interface Shape { name: string; m: number; n: number; k: number }
type Layout = "A·B" | "A·Bᵀ" | "Aᵀ·B";
const LAYOUTS: Layout[] = ["A·B", "A·Bᵀ", "Aᵀ·B"];

/** The products of one training step, batch 128: forward x·Wᵀ, backward dX = g·W, dW = gᵀ·x. */
const MLP: Shape[] = [
  { name: "mlp fc1 fwd x·W1ᵀ", m: 128, n: 256, k: 784 },
  { name: "mlp fc2 fwd h·W2ᵀ", m: 128, n: 10, k: 256 },
  { name: "mlp fc1 dX g·W1", m: 128, n: 784, k: 256 },
  { name: "mlp fc2 dH g·W2", m: 128, n: 256, k: 10 },
  { name: "mlp fc1 dW gᵀ·x", m: 256, n: 784, k: 128 },
  { name: "mlp fc2 dW gᵀ·h", m: 10, n: 256, k: 128 },
];
const ADAM_NET: Shape[] = [
  { name: "adam-net fc1 fwd", m: 128, n: 1000, k: 784 },
  { name: "adam-net fc2 fwd", m: 128, n: 1000, k: 1000 },
  { name: "adam-net fc3 fwd", m: 128, n: 10, k: 1000 },
  { name: "adam-net fc2 dX", m: 128, n: 1000, k: 1000 },
  { name: "adam-net fc1 dW", m: 1000, n: 784, k: 128 },
  { name: "adam-net fc2 dW", m: 1000, n: 1000, k: 128 },
];

const args = process.argv.slice(2);
if (args.includes("--help")) {
  console.log(HELP);
  process.exit(0);
}
const quick = args.includes("--quick");
const minTimeArg = args.indexOf("--min-time");
const minTime = minTimeArg >= 0 ? Number(args[minTimeArg + 1]) : quick ? 150 : 300;
const withJs = !args.includes("--no-js");
const shapes = quick ? MLP : [...MLP, ...ADAM_NET];

function random(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * GFLOP/s from the timings of single calls over `minTime` ms: the best call (what the kernel does
 * when the OS lets it run; this 2-core machine is often shared) and the median call.
 */
function measure(shape: Shape, layout: Layout): { best: number; median: number } {
  const { m, n, k } = shape;
  const transA = layout === "Aᵀ·B", transB = layout === "A·Bᵀ";
  const a = random(m * k, 1), b = random(k * n, 2), c = new Float32Array(m * n);
  const call = () => gemm({ m, n, k, a, aOffset: 0, lda: transA ? m : k, transA, b, bOffset: 0, ldb: transB ? k : n, transB, c, cOffset: 0, ldc: n, accumulate: false });
  const warm = performance.now();
  while (performance.now() - warm < minTime / 10) call();
  const times: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minTime || times.length < 5) {
    const t = performance.now();
    call();
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  const rate = (ms: number) => (2 * m * n * k) / (ms * 1e6);
  return { best: rate(times[0]), median: rate(times[times.length >> 1]) };
}

const threads = getNumThreads();
const configs: { name: string; backend: "js" | "wasm"; threads: number }[] = [
  ...(withJs ? [{ name: "js", backend: "js" as const, threads: 1 }] : []),
  { name: "wasm 1T", backend: "wasm", threads: 1 },
  ...(threads > 1 ? [{ name: `wasm ${threads}T`, backend: "wasm" as const, threads }] : []),
];

console.log(`GEMM GFLOP/s (float32), best call / median call, ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, node ${process.version}`);
const head = ["shape", "m×n×k", "layout", ...configs.map((c) => c.name)];
const widths = [20, 14, 6, ...configs.map(() => 11)];
const row = (cells: string[]) => console.log(cells.map((s, i) => (i < 3 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join("  "));
row(head);
const results: { shape: string; m: number; n: number; k: number; layout: Layout; gflops: Record<string, { best: number; median: number }> }[] = [];
for (const shape of shapes) {
  for (const layout of LAYOUTS) {
    const gflops: Record<string, { best: number; median: number }> = {};
    for (const config of configs) {
      setBackend(config.backend);
      setNumThreads(config.threads);
      gflops[config.name] = measure(shape, layout);
    }
    results.push({ shape: shape.name, m: shape.m, n: shape.n, k: shape.k, layout, gflops });
    row([shape.name, `${shape.m}×${shape.n}×${shape.k}`, layout, ...configs.map((c) => `${gflops[c.name].best.toFixed(1)} / ${gflops[c.name].median.toFixed(1)}`)]);
  }
}
setNumThreads(threads);

const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL(`gemm-${new Date().toISOString().replace(/[:.]/g, "-")}.json`, dir);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: availableParallelism(), threads, minTimeMs: minTime, results }, null, 2) + "\n");
console.log(`wrote ${file.pathname}`);
