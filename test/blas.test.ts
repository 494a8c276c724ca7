// The blas backend: chosen by default where koffi and a BLAS library load (CI installs OpenBLAS, so
// this fails there without it), agreeing with the JS kernel, and falling back to wasm with one line.

import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backendInfo, gemm, getBackend, getNumThreads, setBackend, setNumThreads } from "../src/kernels/index.ts";
import { productThreads } from "../src/kernels/gemm-blas.ts";
import { gemmJs } from "../src/kernels/gemm-js.ts";
import { asFloat64, expectEveryLayoutMatchesJs, expectMatchesJs, LAYOUTS, makeArgs, resident, SIZES } from "./helpers/gemm-cases.ts";

const defaults = { backend: getBackend(), threads: getNumThreads() };
beforeEach(() => setBackend("blas"));
afterEach(() => {
  setBackend(defaults.backend);
  setNumThreads(defaults.threads);
});

const kernels = new URL("../src/kernels/index.ts", import.meta.url).href;
/** A script that reports the backend it got, after one product it checks, and what setBackend("blas") says. */
const script = `
import { backendInfo, gemm, getBackend, setBackend } from ${JSON.stringify(kernels)};
const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([5, 6, 7, 8]), c = new Float32Array(4);
gemm({ m: 2, n: 2, k: 2, a, aOffset: 0, lda: 2, transA: false, b, bOffset: 0, ldb: 2, transB: false, c, cOffset: 0, ldc: 2, accumulate: false });
let refused = null;
try { setBackend("blas"); } catch (error) { refused = error.message; }
console.log(JSON.stringify({ backend: getBackend(), library: backendInfo().blasLibrary, unavailable: backendInfo().unavailable, c: [...c], refused }));
`;

/** Runs the script in a fresh Node (tsx) with `env` on top of this one's, NDGRAD_BACKEND unset unless given. */
async function runScript(env: Record<string, string>): Promise<{ out: Record<string, unknown>; stderr: string }> {
  const { NDGRAD_BACKEND: _, ...inherited } = process.env;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: new URL("..", import.meta.url).pathname, env: { ...inherited, ...env }, timeout: 60_000,
  });
  return { out: JSON.parse(stdout.trim().split("\n").pop()!), stderr };
}

describe("choosing the blas backend", () => {
  it("is the default where koffi and libopenblas load, and backendInfo() names the library", async () => {
    const { out, stderr } = await runScript({});
    expect(out).toMatchObject({ backend: "blas", library: "libopenblas.so.0", unavailable: null, c: [19, 22, 43, 50], refused: null });
    expect(stderr).toBe("");
  }, 90_000);

  it("falls back to wasm with one line saying why when NDGRAD_BLAS names a missing library", async () => {
    const { out, stderr } = await runScript({ NDGRAD_BLAS: "/nonexistent.so" });
    const why = "no CBLAS library loaded (/nonexistent.so: Failed to load shared library: cannot open shared object file: No such file or directory); " +
      "to use it: `npm install koffi` and `apt install libopenblas0-pthread` (or your platform's OpenBLAS), or set NDGRAD_BLAS to a CBLAS library's path";
    expect(stderr).toBe(`ndgrad: the blas backend is unavailable: ${why}. Using wasm for products.\n`);
    expect(out).toEqual({ backend: "wasm", library: null, unavailable: `blas: ${why}`, c: [19, 22, 43, 50], refused: `setBackend: the blas backend is unavailable here: ${why}` });
  }, 90_000);

  it("falls back to wasm when the library has no cblas_sgemm", async () => {
    const { out, stderr } = await runScript({ NDGRAD_BLAS: "libm.so.6" });
    expect(stderr).toMatch(/^ndgrad: the blas backend is unavailable: libm\.so\.6 has no cblas_sgemm \(.*\); to use it: .*\. Using wasm for products\.\n$/);
    expect(out).toMatchObject({ backend: "wasm", library: null, c: [19, 22, 43, 50] });
  }, 90_000);

  it("reports blas in backendInfo(), with the threads setNumThreads asks for", () => {
    setNumThreads(1);
    expect(backendInfo()).toMatchObject({ backend: "blas", blasLibrary: "libopenblas.so.0", simd: true, threads: 1, requestedThreads: 1, unavailable: null });
  });

  it("sets OpenBLAS's thread count from setNumThreads at the next large product; small ones run on one thread", () => {
    const openblas = (createRequire(import.meta.url)("koffi") as { load(p: string): { func(s: string): () => number } }).load("libopenblas.so.0");
    const openblasThreads = openblas.func("int openblas_get_num_threads()");
    const large = makeArgs({ m: 256, n: 256, k: 256, transA: false, transB: false, accumulate: false, strided: false }, 1);
    const small = makeArgs({ m: 3, n: 3, k: 3, transA: false, transB: false, accumulate: false, strided: false }, 1);
    expect(productThreads(256, 256, 256, 2)).toBe(2);
    for (const threads of [1, 2, 1, 2]) {
      setNumThreads(threads);
      gemm(large);
      expect(openblasThreads()).toBe(threads);
      gemm(small);
      expect(openblasThreads()).toBe(1);
    }
  });

  it("shares only large, compute-bound products: the MLPs' yes, LeNet-5's convolutions and mid-sized layers no", () => {
    const shared = ([m, n, k]: number[]) => productThreads(m, n, k, 2) === 2;
    expect([[128, 256, 784], [256, 784, 128], [128, 1000, 1000], [1000, 784, 128]].map(shared)).toEqual([true, true, true, true]);
    // conv1 and conv2 forward (2.4 and 7.2 flops per byte), conv1's weight gradient, a 400→120 layer, the 10-class output layer.
    expect([[6, 128 * 28 * 28, 25], [16, 128 * 10 * 10, 150], [6, 25, 128 * 28 * 28], [128, 120, 400], [128, 10, 256]].map(shared)).toEqual([false, false, false, false, false]);
    expect(productThreads(128, 256, 784, 1)).toBe(1);
  });
});

describe("memory freed by a training step", () => {
  /**
   * Frees 32 MiB of 4 MiB arrays, then reports how much more free memory glibc's heap holds than
   * before (mallinfo2's fordblks): kept for the next step's arrays, or given back to the system
   * (glibc's default for blocks this large, and then each new array is mapped and zero-filled again).
   */
  const freed = `
import { createRequire } from "node:module";
import { setImmediate as turn } from "node:timers/promises";
import { gemm, getBackend } from ${JSON.stringify(kernels)};
const koffi = createRequire(import.meta.url)("koffi");
const a = new Float32Array([1]), c = new Float32Array(1);
gemm({ m: 1, n: 1, k: 1, a, aOffset: 0, lda: 1, transA: false, b: a, bOffset: 0, ldb: 1, transB: false, c, cOffset: 0, ldc: 1, accumulate: false });
const info = koffi.struct("mallinfo2", { arena: "size_t", ordblks: "size_t", smblks: "size_t", hblks: "size_t", hblkhd: "size_t", usmblks: "size_t", fsmblks: "size_t", uordblks: "size_t", fordblks: "size_t", keepcost: "size_t" });
const mallinfo2 = koffi.load("libc.so.6").func("mallinfo2", info, []);
globalThis.gc();
const before = Number(mallinfo2().fordblks);
let arrays = Array.from({ length: 8 }, () => new Float32Array(2 ** 20).fill(1));
arrays = null;
let held = 0;
for (let i = 0; i < 50 && held < 24 * 2 ** 20; i++) { globalThis.gc(); await turn(); held = Number(mallinfo2().fordblks) - before; }
console.log(JSON.stringify({ backend: getBackend(), heldMiB: held / 2 ** 20 }));
`;
  const run = async (env: Record<string, string>) => {
    const { NDGRAD_BACKEND: _, ...inherited } = process.env;
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", freed], {
      cwd: new URL("..", import.meta.url).pathname, env: { ...inherited, ...env }, timeout: 60_000,
    });
    return JSON.parse(stdout.trim().split("\n").pop()!) as { backend: string; heldMiB: number };
  };

  it("is kept by glibc for reuse once the blas backend has loaded, unless the user set glibc's own thresholds", async () => {
    const tuned = await run({});
    expect(tuned.backend).toBe("blas");
    expect(tuned.heldMiB).toBeGreaterThanOrEqual(24);
    // glibc's fixed default threshold: every 4 MiB array is its own mapping, unmapped when freed.
    const untouched = await run({ MALLOC_MMAP_THRESHOLD_: String(128 * 1024) });
    expect(untouched.backend).toBe("blas");
    expect(untouched.heldMiB).toBeLessThan(4);
  }, 90_000);
});

describe.each([1, 2])("blas GEMM on %i thread(s) agrees with the JS kernel", (threads) => {
  it.each(SIZES)("%s (%i×%i×%i), all transposes, strided or not, accumulate or not", (_, m, n, k) => {
    setNumThreads(threads);
    expectEveryLayoutMatchesJs(m, n, k);
  });
});

describe("blas GEMM on odd operands", () => {
  it("reads and writes arrays in the wasm memory (parameters) in place", () => {
    for (const [transA, transB] of LAYOUTS) {
      expectMatchesJs({ m: 37, n: 29, k: 41, transA, transB, strided: true, accumulate: true }, 3, { a: true, b: true, c: true });
    }
  });

  it("gives zeros for k = 0 (or keeps C with accumulate), and leaves empty products alone", () => {
    for (const accumulate of [false, true]) expectMatchesJs({ m: 5, n: 6, k: 0, transA: false, transB: false, strided: true, accumulate }, 4);
    expectMatchesJs({ m: 0, n: 6, k: 3, transA: true, transB: false, strided: true, accumulate: false }, 5);
  });

  it("computes C right when it shares memory with an input", () => {
    const shared = resident(new Float32Array(200).map((_, i) => (i % 7) - 3));
    const args = { m: 6, n: 6, k: 6, a: shared, aOffset: 0, lda: 6, transA: false, b: shared, bOffset: 36, ldb: 6, transB: true, c: shared, cOffset: 50, ldc: 8, accumulate: true };
    const expected = { ...args, c: shared.slice(), a: shared.slice(), b: shared.slice() };
    gemmJs(expected);
    gemm(args);
    expect([...shared]).toEqual([...expected.c]);
  });

  it("runs float64 products in cblas_dgemm, to float64 rounding", () => {
    const { f64, expected } = asFloat64(makeArgs({ m: 19, n: 23, k: 31, transA: true, transB: true, strided: true, accumulate: true }, 6));
    gemmJs(expected);
    gemm(f64);
    for (let i = 0; i < f64.c.length; i++) expect(Math.abs(f64.c[i] - expected.c[i])).toBeLessThan(1e-12);
  });
});
