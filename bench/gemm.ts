// GEMM benchmark: GFLOP/s of the JS kernel and the wasm SIMD kernel (1 thread and all threads) on the
// products of an MLP training step, in each layout (A·B, A·Bᵀ, Aᵀ·B). Writes bench/results/gemm-<date>.json.
//
//   npx tsx bench/gemm.ts [--quick] [--min-time 200] [--no-js]

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { getNumThreads, setBackend, setNumThreads } from "../src/kernels/index.ts";
import { ADAM_NET, LAYOUTS, MLP, measureGemm, warmUpGemm, type Layout } from "./lib/gemm.ts";
import { commandLine, integer } from "../examples/lib/cli.ts";

const { quick, minTime, withJs } = commandLine(
  {
    usage: "npx tsx bench/gemm.ts [flags]",
    about: "GFLOP/s of the GEMM kernels on the products of an MLP training step, in each layout.",
    flags: {
      quick: { type: "boolean", help: "only the MLP 784-256-10 shapes, shorter timing" },
      "min-time": { type: "string", arg: "MS", help: "time each case for MS milliseconds (default 300, quick 150)" },
      "no-js": { type: "boolean", help: "skip the (slow) plain-TS kernel" },
    },
  },
  (v) => ({ quick: v.quick, minTime: integer("min-time", v["min-time"], v.quick ? 150 : 300), withJs: !v["no-js"] }),
);
const shapes = quick ? MLP : [...MLP, ...ADAM_NET];

const threads = getNumThreads();
// "in mem": operands that live in the wasm memory (as parameters and optimizer state do), used in place; the others are copied in and out by each call.
const configs: { name: string; backend: "js" | "wasm"; threads: number; inWasm: boolean }[] = [
  ...(withJs ? [{ name: "js", backend: "js" as const, threads: 1, inWasm: false }] : []),
  { name: "wasm 1T", backend: "wasm", threads: 1, inWasm: false },
  ...(threads > 1 ? [{ name: `wasm ${threads}T`, backend: "wasm" as const, threads, inWasm: false }] : []),
  { name: `${threads}T in mem`, backend: "wasm", threads, inWasm: true },
];

setBackend("wasm");
warmUpGemm(shapes, [...new Set([1, threads])], setNumThreads, 1000);
console.log(`GEMM GFLOP/s (float32), best call / median call, ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores, node ${process.version}`);
const head = ["shape", "m×n×k", "layout", ...configs.map((c) => c.name)];
const widths = [20, 14, 6, ...configs.map(() => 12)];
const row = (cells: string[]) => console.log(cells.map((s, i) => (i < 3 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join("  "));
row(head);
const results: { shape: string; m: number; n: number; k: number; layout: Layout; gflops: Record<string, { best: number; median: number }> }[] = [];
for (const shape of shapes) {
  for (const layout of LAYOUTS) {
    const gflops: Record<string, { best: number; median: number }> = {};
    for (const config of configs) {
      setBackend(config.backend);
      setNumThreads(config.threads);
      gflops[config.name] = measureGemm(shape, layout, minTime, config.inWasm);
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
