// The wasm GEMM (1 and 2 threads) against the plain-TS kernel: odd sizes, every transpose, strided views, accumulate.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gemm, getBackend, getNumThreads, setBackend, setNumThreads, type GemmArgs } from "../src/kernels/index.ts";
import { gemmJs } from "../src/kernels/gemm-js.ts";
import { gemmTuning } from "../src/kernels/gemm-wasm.ts";
import { JOB } from "../src/kernels/wasm/protocol.mjs";
import { wasmRuntime } from "../src/kernels/wasm/runtime.ts";

// The wasm tests run whatever the default (NDGRAD_BACKEND=js forces the JS kernels elsewhere).
const defaults = { backend: getBackend(), threads: getNumThreads(), tuning: { ...gemmTuning } };
beforeEach(() => setBackend("wasm"));
afterEach(() => {
  setBackend(defaults.backend);
  setNumThreads(defaults.threads);
  Object.assign(gemmTuning, defaults.tuning);
});

function random(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

interface Case { m: number; n: number; k: number; transA: boolean; transB: boolean; accumulate: boolean; strided: boolean }

/** One product with its operands laid out as `c` says: strided views sit at an offset with padded rows. */
function makeArgs(c: Case, seed: number): GemmArgs & { a: Float32Array; b: Float32Array; c: Float32Array } {
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
function resident(values: Float32Array): Float32Array {
  const out = wasmRuntime()!.resident(values.length)!;
  out.set(values);
  return out;
}

/** Every element of C, padding included, matches the JS kernel within float32 rounding of the k-term sum. */
function expectMatchesJs(c: Case, seed: number, inWasm: { a?: boolean; b?: boolean; c?: boolean } = {}): void {
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

const SIZES: [string, number, number, number][] = [
  ["1x1", 1, 1, 1], ["1x7", 1, 7, 3], ["7x1", 7, 1, 5], ["2x16", 2, 16, 1], ["17x33x65", 17, 33, 65],
  ["tall", 301, 5, 17], ["wide", 3, 257, 19], ["k past a k-block", 33, 47, 600], ["MLP-ish", 129, 250, 100],
  // n < 16: computed as Cᵀ = op(B)ᵀ·op(A)ᵀ with transposed stores (the last one over several k-blocks).
  ["n < 16, as Cᵀ", 45, 10, 37], ["n = 10 like an output layer", 128, 10, 64], ["n < 16 past a k-block", 37, 11, 530],
  // m < 16: B packed panel by panel in the compute phase; k small: packing is next to nothing.
  ["m < 16, B packed per panel", 10, 70, 29], ["m = 10 over many panels", 10, 256, 40], ["k small", 40, 70, 3], ["k = 10", 64, 100, 10],
];
const LAYOUTS = [[false, false], [false, true], [true, false], [true, true]] as const;

describe.each([
  [1, "", false], [2, ", packing on the caller", false], [2, ", packing shared", true],
] as const)("wasm GEMM on %i thread(s)%s agrees with the JS kernel", (threads, _label, sharedPack) => {
  it.each(SIZES)("%s (%i×%i×%i), all transposes, strided or not, accumulate or not", (_, m, n, k) => {
    setNumThreads(threads);
    gemmTuning.parallelMinMacs = 0; // split even the tiny products, to test the split
    gemmTuning.parallelMinPack = sharedPack ? 0 : Infinity;
    let seed = m * 7 + n * 13 + k;
    for (const [transA, transB] of LAYOUTS) {
      for (const strided of [false, true]) {
        for (const accumulate of [false, true]) expectMatchesJs({ m, n, k, transA, transB, strided, accumulate }, seed++);
      }
    }
  });
});

describe("wasm GEMM", () => {
  it("is the default backend for float32 unless NDGRAD_BACKEND says otherwise", () => {
    expect(defaults.backend).toBe(process.env.NDGRAD_BACKEND === "js" ? "js" : "wasm");
  });

  it("uses the worker threads for a large product", () => {
    setNumThreads(2);
    const rt = wasmRuntime()!;
    const before = rt.pool.helped;
    const c: Case = { m: 128, n: 1000, k: 1000, transA: false, transB: true, accumulate: false, strided: false };
    const args = makeArgs(c, 1);
    // The worker joins whenever the OS runs it; on a busy machine it may miss the first calls.
    for (let tries = 0; tries < 50 && rt.pool.helped === before; tries++) {
      rt.pool.resetBackoff();
      gemm(args);
    }
    expect(rt.pool.helped).toBeGreaterThan(before);
  });

  it("computes a narrow C as Cᵀ, and packs B panel by panel when op(A) has few rows", () => {
    const job = wasmRuntime()!.job;
    const run = (m: number, n: number, k: number) => {
      expectMatchesJs({ m, n, k, transA: false, transB: true, accumulate: false, strided: false }, m + n + k);
      return { transposed: job[JOB.TC], fused: job[JOB.FUSED], rows: job[JOB.M], cols: job[JOB.N] };
    };
    expect(run(128, 10, 256)).toEqual({ transposed: 1, fused: 1, rows: 10, cols: 128 });
    expect(run(10, 256, 128)).toEqual({ transposed: 0, fused: 1, rows: 10, cols: 256 });
    expect(run(128, 256, 10)).toEqual({ transposed: 0, fused: 0, rows: 128, cols: 256 });
    expect(run(17, 33, 65)).toEqual({ transposed: 0, fused: 1, rows: 17, cols: 33 });
  });

  it.each([1, 2])("reads and writes operands that live in the wasm memory in place (%i thread(s))", (threads) => {
    setNumThreads(threads);
    gemmTuning.parallelMinMacs = 0;
    const rt = wasmRuntime()!;
    let seed = 11;
    for (const [, m, n, k] of SIZES.filter((_, i) => i % 2 === 0 || threads === 1)) {
      for (const [transA, transB] of LAYOUTS) {
        for (const where of [{ a: true }, { b: true }, { c: true }, { a: true, b: true, c: true }]) {
          expectMatchesJs({ m, n, k, transA, transB, strided: seed % 2 === 0, accumulate: seed % 3 === 0 }, seed++, where);
        }
      }
    }
    // In place means no copy: a C in the wasm memory is what the kernel wrote.
    const args = makeArgs({ m: 20, n: 40, k: 30, transA: false, transB: false, accumulate: false, strided: false }, 5);
    args.c = resident(args.c);
    gemm(args);
    expect(rt.addressOf(args.c)).toBe(rt.job[JOB.C]);
  });

  it("copies C when it shares memory with an input, so the input is read before C is written", () => {
    // C (+)= A·B with C the very array of A or of B (square, so the shapes agree). With few rows,
    // B is packed panel by panel while C is being written: in place, it would read its own output.
    const n = 24;
    for (const alias of ["a", "b"] as const) {
      for (const [[transA, transB], accumulate] of LAYOUTS.flatMap((t) => [[t, false], [t, true]] as const)) {
        const shared = resident(random(n * n, 9)), other = random(n * n, 10);
        const [a, b] = alias === "a" ? [shared, other] : [other, shared];
        const args = { m: n, n, k: n, a, aOffset: 0, lda: n, transA, b, bOffset: 0, ldb: n, transB, c: shared, cOffset: 0, ldc: n, accumulate };
        const expected = { ...args, a: a.slice(), b: b.slice(), c: shared.slice() };
        gemmJs(expected);
        gemm(args);
        for (let i = 0; i < n * n; i++) expect(shared[i]).toBeCloseTo(expected.c[i], 4);
      }
    }
  });

  it("handles k = 0 (C = 0, or C unchanged with accumulate) and empty C", () => {
    const c = new Float32Array([1, 2, 3, 4]);
    const base = { m: 2, n: 2, k: 0, a: new Float32Array(0), aOffset: 0, lda: 0, transA: false, b: new Float32Array(0), bOffset: 0, ldb: 2, transB: false, c, cOffset: 0, ldc: 2 };
    gemm({ ...base, accumulate: true });
    expect([...c]).toEqual([1, 2, 3, 4]);
    gemm({ ...base, accumulate: false });
    expect([...c]).toEqual([0, 0, 0, 0]);
    gemm({ ...base, m: 0, k: 3, accumulate: false });
  });

  it("grows its memory for a product larger than the initial 16 MiB", () => {
    const m = 600, n = 1100, k = 1500;
    const args = makeArgs({ m, n, k, transA: true, transB: false, accumulate: false, strided: false }, 3);
    gemm(args);
    for (let t = 0; t < 200; t++) {
      const i = (t * 7919) % m, j = (t * 104729) % n;
      let sum = 0, abs = 0;
      for (let p = 0; p < k; p++) {
        sum += args.a[p * args.lda + i] * args.b[p * args.ldb + j];
        abs += Math.abs(args.a[p * args.lda + i] * args.b[p * args.ldb + j]);
      }
      expect(Math.abs(args.c[i * args.ldc + j] - sum)).toBeLessThanOrEqual(1e-5 * abs);
    }
  });

  it("leaves float64 products to the exact JS kernel", () => {
    const args = makeArgs({ m: 9, n: 20, k: 11, transA: false, transB: true, accumulate: false, strided: true }, 4);
    const f64 = { ...args, a: Float64Array.from(args.a), b: Float64Array.from(args.b), c: Float64Array.from(args.c) };
    const expected = { ...f64, c: f64.c.slice() };
    gemm(f64);
    gemmJs(expected);
    expect([...f64.c]).toEqual([...expected.c]);
  });
});

describe("backend choice", () => {
  it('setBackend("js") runs the plain-TS kernel exactly', () => {
    setBackend("js");
    expect(getBackend()).toBe("js");
    const args = makeArgs({ m: 17, n: 33, k: 65, transA: true, transB: true, accumulate: true, strided: true }, 5);
    const expected = { ...args, c: args.c.slice() };
    gemm(args);
    gemmJs(expected);
    expect(Array.from(args.c)).toEqual(Array.from(expected.c));
  });

  it("rejects unknown backends and bad thread counts, naming the valid values", () => {
    expect(() => setBackend("gpu" as never)).toThrow('setBackend: unknown backend "gpu" (valid: "js", "wasm")');
    for (const bad of [0, -1, 1.5, Number.NaN, 65]) {
      expect(() => setNumThreads(bad)).toThrow(`setNumThreads: invalid thread count ${bad} (valid: an integer from 1 to 64)`);
    }
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
  });
});
