// Opens the system's CBLAS library through the koffi FFI package (Node only: platform-node.ts exports it, the browser twin does not load it).

import { createRequire } from "node:module";
import { BlasUnavailable, type Blas, type CblasGemm } from "./gemm-blas.ts";

/** The libraries tried in order when NDGRAD_BLAS names none: OpenBLAS as Debian/Ubuntu, other Linux and Homebrew install it. */
const LIBRARIES = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"];

/** How to get the fast path, said with every reason it is not taken. */
export const blasFix = "`npm install koffi` and `apt install libopenblas0-pthread` (or your platform's OpenBLAS), or set NDGRAD_BLAS to a CBLAS library's path";

/** The part of koffi used here (its own types stay out of ndgrad's declarations: it is an optional peer dependency). */
interface Koffi {
  load(path: string): { func(signature: string): (...args: unknown[]) => unknown };
}

/**
 * Loads koffi and the CBLAS library (NDGRAD_BLAS, else OpenBLAS by its usual names) and checks one
 * small product. Throws a BlasUnavailable saying why when any step fails.
 */
export function openBlas(): Blas {
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)("koffi") as Koffi;
  } catch (error) {
    throw new BlasUnavailable(`the FFI package koffi did not load (${firstLine(error)})`, !process.env.NDGRAD_BLAS);
  }
  const wanted = process.env.NDGRAD_BLAS?.trim();
  const candidates = wanted ? [wanted] : LIBRARIES;
  const failures: string[] = [];
  for (const library of candidates) {
    let lib: ReturnType<Koffi["load"]>;
    try {
      lib = koffi.load(library);
    } catch (error) {
      failures.push(`${library}: ${firstLine(error)}`);
      continue;
    }
    try {
      const blas = bind(lib, library);
      check(blas);
      keepFreedMemory(koffi);
      return blas;
    } catch (error) {
      throw new BlasUnavailable((error as Error).message, false);
    }
  }
  throw new BlasUnavailable(`no CBLAS library loaded (${failures.join("; ")})`, false);
}

function bind(lib: ReturnType<Koffi["load"]>, library: string): Blas {
  const gemm = (prefix: "s" | "d", real: "float" | "double") => {
    const signature = `void cblas_${prefix}gemm(int order, int transA, int transB, int m, int n, int k, ${real} alpha, ` +
      `const ${real} *a, int lda, const ${real} *b, int ldb, ${real} beta, _Inout_ ${real} *c, int ldc)`;
    try {
      return lib.func(signature);
    } catch (error) {
      throw new Error(`${library} has no cblas_${prefix}gemm (${firstLine(error)})`);
    }
  };
  let setThreads: ((n: number) => void) | null = null;
  try {
    setThreads = lib.func("void openblas_set_num_threads(int)") as (n: number) => void;
  } catch {
    // Not OpenBLAS: that library chooses its own threads.
  }
  return { library, sgemm: gemm("s", "float") as CblasGemm<Float32Array>, dgemm: gemm("d", "double") as CblasGemm<Float64Array>, setThreads };
}

/** glibc's mallopt parameters (malloc.h). */
const M_TRIM_THRESHOLD = -1;
const M_MMAP_THRESHOLD = -3;
/** Arrays below this come from the heap, and this much free heap is kept for reuse (glibc's own defaults: 128 KiB and 256 KiB, rising as it sees larger blocks freed). */
const MALLOC_TUNING = { mmapThreshold: 64 * 2 ** 20, trimThreshold: 512 * 2 ** 20 };

/**
 * Asks glibc to keep freed memory for reuse. A training step frees and allocates megabytes of
 * arrays (activations, gradients); by default glibc maps each large one fresh and unmaps it when
 * freed, so every step zero-fills new pages through page faults, which with BLAS threads running
 * also stalls them. PyTorch allocates the same
 * arrays but skips the zero-fill and gets its memory reused. A user who set glibc's own
 * MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_ keeps their setting; off glibc, nothing is done.
 */
function keepFreedMemory(koffi: Koffi): void {
  if (process.env.MALLOC_MMAP_THRESHOLD_ !== undefined || process.env.MALLOC_TRIM_THRESHOLD_ !== undefined) return;
  let mallopt: (param: number, value: number) => number;
  try {
    mallopt = koffi.load("libc.so.6").func("int mallopt(int param, int value)") as typeof mallopt;
  } catch {
    return;
  }
  mallopt(M_MMAP_THRESHOLD, MALLOC_TUNING.mmapThreshold);
  mallopt(M_TRIM_THRESHOLD, MALLOC_TUNING.trimThreshold);
}

/** A 2 × 2 product with a transpose, row-major: a library that gets it wrong (or is not row-major CBLAS) is not used. */
function check(blas: Blas): void {
  const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([5, 6, 7, 8]), c = new Float32Array(4);
  blas.sgemm(101, 111, 112, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2);
  const expected = [17, 23, 39, 53];
  if (c.some((x, i) => x !== expected[i])) throw new Error(`${blas.library}'s cblas_sgemm gave [${[...c].join(", ")}] for a 2 × 2 product, not [${expected.join(", ")}]`);
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0];
}
