// GEMM cases shared by the backends' tests: odd sizes, every layout, strided views, and a check against the JS kernel.

import { expect } from "vitest";
import { gemm, type GemmArgs } from "../../src/kernels/index.ts";
import { gemmJs } from "../../src/kernels/gemm-js.ts";
import { wasmRuntime } from "../../src/kernels/wasm/runtime.ts";

export function random(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export interface Case { m: number; n: number; k: number; transA: boolean; transB: boolean; accumulate: boolean; strided: boolean }

/** One product with its operands laid out as `c` says: strided views sit at an offset with padded rows. */
export function makeArgs(c: Case, seed: number): GemmArgs & { a: Float32Array; b: Float32Array; c: Float32Array } {
  const pad = c.strided ? 3 : 0, off = c.strided ? 5 : 0;
  const [aRows, aCols] = c.transA ? [c.k, c.m] : [c.m, c.k];
  const [bRows, bCols] = c.transB ? [c.n, c.k] : [c.k, c.n];
  const lda = aCols + pad, ldb = bCols + pad, ldc = c.n + pad;
  return {
    m: c.m, n: c.n, k: c.k,
    a: random(off + aRows * lda, seed), aOffset: off, lda, transA: c.transA,
    b: random(off + bRows * ldb, seed + 1), bOffset: off, ldb, transB: c.transB,
    c: random(off + c.m * ldc, seed + 2), cOffset: off, ldc, accumulate: c.accumulate,
  };
}

/** The same values in an array that lives in the wasm memory (the kernel then reads and writes it in place). */
export function resident(values: Float32Array): Float32Array {
  const out = wasmRuntime()!.resident(values.length)!;
  out.set(values);
  return out;
}

/** Every element of C, padding included, matches the JS kernel within float32 rounding of the k-term sum. */
export function expectMatchesJs(c: Case, seed: number, inWasm: { a?: boolean; b?: boolean; c?: boolean } = {}): void {
  const args = makeArgs(c, seed);
  if (inWasm.a) args.a = resident(args.a);
  if (inWasm.b) args.b = resident(args.b);
  if (inWasm.c) args.c = resident(args.c);
  const expected = { ...args, c: args.c.slice() };
  gemmJs(expected);
  const bound = { ...args, a: args.a.map(Math.abs), b: args.b.map(Math.abs), c: args.c.map(Math.abs) };
  gemmJs(bound);
  gemm(args);
  for (let i = 0; i < args.c.length; i++) {
    const tol = 1e-5 * bound.c[i] + 1e-7;
    if (!(Math.abs(args.c[i] - expected.c[i]) <= tol)) {
      expect.fail(`${JSON.stringify(c)}: c[${i}] = ${args.c[i]}, JS kernel gives ${expected.c[i]} (tolerance ${tol})`);
    }
  }
}

export const SIZES: [string, number, number, number][] = [
  ["1x1", 1, 1, 1], ["1x7", 1, 7, 3], ["7x1", 7, 1, 5], ["2x16", 2, 16, 1], ["17x33x65", 17, 33, 65],
  ["tall", 301, 5, 17], ["wide", 3, 257, 19], ["k past a k-block", 33, 47, 600], ["MLP-ish", 129, 250, 100],
  // n < 16: computed as Cᵀ = op(B)ᵀ·op(A)ᵀ with transposed stores (the last one over several k-blocks).
  ["n < 16, as Cᵀ", 45, 10, 37], ["n = 10 like an output layer", 128, 10, 64], ["n < 16 past a k-block", 37, 11, 530],
  // m < 16: B packed panel by panel in the compute phase; k small: packing is next to nothing.
  ["m < 16, B packed per panel", 10, 70, 29], ["m = 10 over many panels", 10, 256, 40], ["k small", 40, 70, 3], ["k = 10", 64, 100, 10],
];
export const LAYOUTS = [[false, false], [false, true], [true, false], [true, true]] as const;

/** expectMatchesJs for an m × n × k product in every layout, strided or not, accumulating or not. */
export function expectEveryLayoutMatchesJs(m: number, n: number, k: number): void {
  let seed = m * 7 + n * 13 + k;
  for (const [transA, transB] of LAYOUTS) {
    for (const strided of [false, true]) {
      for (const accumulate of [false, true]) expectMatchesJs({ m, n, k, transA, transB, strided, accumulate }, seed++);
    }
  }
}

type Float64GemmArgs = Omit<GemmArgs, "a" | "b" | "c"> & { a: Float64Array; b: Float64Array; c: Float64Array };

/** The same product in float64: the operands converted, and a copy of C for the reference kernel. */
export function asFloat64(args: GemmArgs): { f64: Float64GemmArgs; expected: Float64GemmArgs } {
  const f64 = { ...args, a: Float64Array.from(args.a), b: Float64Array.from(args.b), c: Float64Array.from(args.c) };
  return { f64, expected: { ...f64, c: f64.c.slice() } };
}
