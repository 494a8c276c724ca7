// GEMM timing shared by bench/gemm.ts and bench/run.ts: the products of an MLP training step, in each layout.

import { allocateLongLived, gemm } from "../../src/kernels/index.ts";

/** A product C[m×n] = op(A)·op(B) with k terms; `layout` is the one a training step uses for it. */
export interface Shape { name: string; m: number; n: number; k: number; layout: Layout }
export type Layout = "A·B" | "A·Bᵀ" | "Aᵀ·B";
export const LAYOUTS: Layout[] = ["A·B", "A·Bᵀ", "Aᵀ·B"];

/** The products of one training step, batch 128: forward x·Wᵀ (A·Bᵀ), backward dX = g·W (A·B), dW = gᵀ·x (Aᵀ·B). */
export const MLP: Shape[] = [
  { name: "mlp fc1 fwd x·W1ᵀ", m: 128, n: 256, k: 784, layout: "A·Bᵀ" },
  { name: "mlp fc2 fwd h·W2ᵀ", m: 128, n: 10, k: 256, layout: "A·Bᵀ" },
  { name: "mlp fc1 dX g·W1", m: 128, n: 784, k: 256, layout: "A·B" },
  { name: "mlp fc2 dH g·W2", m: 128, n: 256, k: 10, layout: "A·B" },
  { name: "mlp fc1 dW gᵀ·x", m: 256, n: 784, k: 128, layout: "Aᵀ·B" },
  { name: "mlp fc2 dW gᵀ·h", m: 10, n: 256, k: 128, layout: "Aᵀ·B" },
];
export const ADAM_NET: Shape[] = [
  { name: "adam-net fc1 fwd", m: 128, n: 1000, k: 784, layout: "A·Bᵀ" },
  { name: "adam-net fc2 fwd", m: 128, n: 1000, k: 1000, layout: "A·Bᵀ" },
  { name: "adam-net fc3 fwd", m: 128, n: 10, k: 1000, layout: "A·Bᵀ" },
  { name: "adam-net fc2 dX", m: 128, n: 1000, k: 1000, layout: "A·B" },
  { name: "adam-net fc1 dW", m: 1000, n: 784, k: 128, layout: "Aᵀ·B" },
  { name: "adam-net fc2 dW", m: 1000, n: 1000, k: 128, layout: "Aᵀ·B" },
];

export function random(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * GFLOP/s from the timings of single calls over `minTime` ms, on the current backend and thread
 * count: the best call (what the kernel does when the OS lets it run; this 2-core machine is often
 * shared) and the median call. The operands are ordinary arrays, copied in and out by every call,
 * or with `inWasm` arrays that live in the wasm memory (as parameters and optimizer state do), used in place.
 */
export function measureGemm(shape: Shape, layout: Layout, minTime: number, inWasm = false): { best: number; median: number } {
  const { m, n, k } = shape;
  const transA = layout === "Aᵀ·B", transB = layout === "A·Bᵀ";
  const place = (values: Float32Array) => {
    if (!inWasm) return values;
    const resident = allocateLongLived(values.length);
    resident.set(values);
    return resident;
  };
  const a = place(random(m * k, 1)), b = place(random(k * n, 2)), c = place(new Float32Array(m * n));
  const call = () => gemm({ m, n, k, a, aOffset: 0, lda: transA ? m : k, transA, b, bOffset: 0, ldb: transB ? k : n, transB, c, cOffset: 0, ldc: n, accumulate: false });
  const warm = performance.now();
  while (performance.now() - warm < minTime / 4) call();
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

/**
 * Runs the shapes on every thread count for about `ms` ms before anything is timed: the workers'
 * first few thousand calls are slower (their loops and the kernels are still being optimised).
 */
export function warmUpGemm(shapes: Shape[], threadCounts: number[], setThreads: (n: number) => void, ms: number): void {
  const per = ms / (shapes.length * threadCounts.length);
  for (const t of threadCounts) {
    setThreads(t);
    for (const shape of shapes) measureGemm(shape, shape.layout, per);
  }
}
