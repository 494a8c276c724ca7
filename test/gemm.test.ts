// The wasm GEMM (1 and 2 threads) against the plain-TS kernel: odd sizes, every transpose, strided views, accumulate.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gemm, getBackend, getNumThreads, setBackend, setNumThreads } from "../src/kernels/index.ts";
import { gemmJs } from "../src/kernels/gemm-js.ts";
import { gemmTuning } from "../src/kernels/gemm-wasm.ts";
import { JOB } from "../src/kernels/wasm/protocol.mjs";
import { wasmRuntime } from "../src/kernels/wasm/runtime.ts";
import { asFloat64, expectEveryLayoutMatchesJs, expectMatchesJs, LAYOUTS, makeArgs, random, resident, SIZES, type Case } from "./helpers/gemm-cases.ts";

// The wasm tests run whatever the default (NDGRAD_BACKEND=js forces the JS kernels elsewhere).
const defaults = { backend: getBackend(), threads: getNumThreads(), tuning: { ...gemmTuning } };
beforeEach(() => setBackend("wasm"));
afterEach(() => {
  setBackend(defaults.backend);
  setNumThreads(defaults.threads);
  Object.assign(gemmTuning, defaults.tuning);
});


describe.each([
  [1, "", false], [2, ", packing on the caller", false], [2, ", packing shared", true],
] as const)("wasm GEMM on %i thread(s)%s agrees with the JS kernel", (threads, _label, sharedPack) => {
  it.each(SIZES)("%s (%i×%i×%i), all transposes, strided or not, accumulate or not", (_, m, n, k) => {
    setNumThreads(threads);
    gemmTuning.parallelMinMacs = 0; // split even the tiny products, to test the split
    gemmTuning.parallelMinPack = sharedPack ? 0 : Infinity;
    expectEveryLayoutMatchesJs(m, n, k);
  });
});

describe("wasm GEMM", () => {
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
    const { f64, expected } = asFloat64(makeArgs({ m: 9, n: 20, k: 11, transA: false, transB: true, accumulate: false, strided: true }, 4));
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
    expect(() => setBackend("gpu" as never)).toThrow('setBackend: unknown backend "gpu" (valid: "blas", "wasm", "js")');
    for (const bad of [0, -1, 1.5, Number.NaN, 65]) {
      expect(() => setNumThreads(bad)).toThrow(`setNumThreads: invalid thread count ${bad} (valid: an integer from 1 to 64)`);
    }
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
  });
});
