// GEMM timing shared by bench/gemm.ts and bench/run.ts: the products of an MLP training step, in each layout.

import { allocateLongLived, gemm } from "../../src/kernels/index.ts";

/** A product C[m×n] = op(A)·op(B) with k terms; `layout` is the one a training step uses for it. */
export interface Shape { name: string; m: number; n: number; k: number; layout: Layout }
export type Layout = "A·B" | "A·Bᵀ" | "Aᵀ·B";
export const LAYOUTS: Layout[] = ["A·B", "A·Bᵀ", "Aᵀ·B"];

/**
 * The products of one training step of an MLP with layer widths [in, hidden ..., out] at `batch`: per
 * layer the forward x·Wᵀ (A·Bᵀ) and dW = gᵀ·x (Aᵀ·B), and dX = g·W (A·B) for every layer but the
 * first (the input needs no gradient).
 */
export function mlpProducts(name: string, widths: readonly number[], batch: number): Shape[] {
  return widths.slice(1).flatMap((out, i) => {
    const inF = widths[i], layer = `${name} fc${i + 1}`;
    return [
      { name: `${layer} fwd x·Wᵀ`, m: batch, n: out, k: inF, layout: "A·Bᵀ" as const },
      ...(i > 0 ? [{ name: `${layer} dX g·W`, m: batch, n: inF, k: out, layout: "A·B" as const }] : []),
      { name: `${layer} dW gᵀ·x`, m: out, n: inF, k: batch, layout: "Aᵀ·B" as const },
    ];
  });
}

/** The MLPs `npm run bench` trains, batch 128: W1 (the race's) and W2 (the Adam paper's). */
export const BATCH = 128;
export const W1 = [784, 256, 10];
export const W2 = [784, 1000, 1000, 10];
export const MLP = mlpProducts("mlp", W1, BATCH);
export const ADAM_NET = mlpProducts("adam-net", W2, BATCH);

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
 * shared) and the median call (also in ms). The operands are ordinary arrays, copied in and out by every call,
 * or with `inWasm` arrays that live in the wasm memory (as parameters and optimizer state do), used in place.
 */
export function measureGemm(shape: Shape, layout: Layout, minTime: number, inWasm = false): { best: number; median: number; medianMs: number } {
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
  return { best: rate(times[0]), median: rate(times[times.length >> 1]), medianMs: times[times.length >> 1] };
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
