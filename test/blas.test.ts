// The blas backend: chosen by default where koffi and a BLAS library load (CI installs OpenBLAS, so
// this fails there without it), agreeing with the JS kernel, and falling back to wasm with one line.

import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backendInfo, gemm, getBackend, getNumThreads, setBackend, setNumThreads } from "../src/kernels/index.ts";
import { blasThreads } from "../src/kernels/gemm-blas.ts";
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

  it("runs each product shape on the thread count its first calls measured faster, and sets OpenBLAS's count to it", () => {
    const openblas = (createRequire(import.meta.url)("koffi") as { load(p: string): { func(s: string): () => number } }).load("libopenblas.so.0");
    const openblasThreads = openblas.func("int openblas_get_num_threads()");
    blasThreads.reset();
    const shapes = [{ m: 128, n: 256, k: 784 }, { m: 3, n: 3, k: 3 }].map((size) => makeArgs({ ...size, transA: false, transB: true, accumulate: false, strided: false }, 1));
    setNumThreads(1);
    for (const args of shapes) gemm(args);
    expect(blasThreads.choices().size).toBe(0); // one thread available: nothing to choose
    setNumThreads(2);
    const seen: number[][] = shapes.map(() => []);
    for (let call = 0; call < 12; call++) {
      shapes.forEach((args, i) => {
        gemm(args);
        seen[i].push(openblasThreads());
      });
    }
    const choices = blasThreads.choices();
    expect([...choices.keys()].sort()).toEqual(["sNT 128×256×784/2", "sNT 3×3×3/2"]);
    shapes.forEach((_, i) => {
      const chosen = [...choices.values()][i];
      expect(seen[i].slice(0, 8)).toEqual([1, 2, 1, 2, 1, 2, 1, 2]); // on trial: turns
      expect(seen[i].slice(8)).toEqual([chosen, chosen, chosen, chosen]); // then the winner only
    });
  });
});

describe("memory freed by a training step", () => {
  /**
   * Frees 32 MiB of 4 MiB arrays, then reports how much more free memory glibc's heap holds than
   * before (mallinfo2's fordblks): kept for the next step's arrays, or given back to the system (glibc's default for
   * blocks this large, and then each new array is mapped and zero-filled again).
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
