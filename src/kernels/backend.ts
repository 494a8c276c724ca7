// Which implementation runs the kernels (a native BLAS, WebAssembly SIMD or plain TypeScript), on how
// many threads, where long-lived storage lives, and what backendInfo() reports about all that.

import { BlasUnavailable, type Blas } from "./gemm-blas.ts";
import { backendFromEnv, blasFix, crossOriginIsolated, hardwareThreads, kernelsRelaxed, openBlas, threadsFromEnv } from "./wasm/platform-node.ts";
import { MAX_THREADS } from "./wasm/protocol.mjs";
import { ResidentArray, wasmFailure, wasmRuntime, type WasmRuntime } from "./wasm/runtime.ts";

declare global {
  // Symbol.dispose (which `using` calls; modules and optimizers define it) for TypeScript programs
  // whose lib predates it, declared as @types/node and lib.esnext.disposable do, so the declarations merge.
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/**
 * The backends by name, each falling back to the next when it is unavailable: "blas" runs products
 * in the system's BLAS (Node with koffi) and the rest on "wasm"; "wasm" runs every float32 kernel in
 * WebAssembly SIMD; "js" is plain TypeScript. Adding one is one more name here, and its case in
 * getBackend and backendInfo.
 */
export const BACKENDS = ["blas", "wasm", "js"] as const;
export type Backend = (typeof BACKENDS)[number];

/** What the kernels run on now: the truth, not the request. */
export interface BackendInfo {
  /** The backend float32 products run on ("blas": the other kernels run on wasm). */
  backend: Backend;
  /** The BLAS library products go to (backend "blas"), or null. */
  blasLibrary: string | null;
  /** Whether they use SIMD instructions (the library's own on "blas", WebAssembly SIMD on "wasm"). */
  simd: boolean;
  /** Whether the wasm kernels are the relaxed-SIMD build (fused multiply-add), which runtimes with relaxed SIMD get. */
  relaxedSimd: boolean;
  /** Threads a large product runs on now: the calling thread plus the workers running (not the number requested). */
  threads: number;
  /** Threads asked for (setNumThreads, NDGRAD_NUM_THREADS, or every core). */
  requestedThreads: number;
  /** Kernel workers that have started; they start at the first product large enough to share. */
  workersStarted: number;
  /** Why the workers are not used (one failed to start, failed in a kernel or died), or null. */
  workerFailure: string | null;
  /** Whether this page may share memory with workers (always true in Node); browsers need COOP/COEP headers. */
  crossOriginIsolated: boolean;
  /** Why the backend asked for (or wasm, under blas) is not in use, and how to fix it, or null. */
  unavailable: string | null;
  /** Bytes of the wasm memory that hold parameters and optimizer state now, and the most they may hold. */
  residentBytes: number;
  residentLimitBytes: number;
  /**
   * Parameters and optimizer buffers that got ordinary arrays because that area was full: they
   * train slower. Nonzero means models or optimizers that are no longer needed were not disposed.
   */
  residentFallbacks: number;
}

let requested: Backend | null = null;
let threads: number | null = null;
let warnedUnavailable = false;
let blas: Blas | null = null;
let blasFailure: BlasUnavailable | null = null;
let warnedBlas = false;
let residentFallbacks = 0;
let warnedFull = false;

/**
 * Chooses the kernels: "blas" (the default: products in the system's BLAS library, in Node with the
 * koffi package), "wasm" (WebAssembly SIMD, multi-threaded) or "js" (plain TypeScript, for
 * platforms without WebAssembly SIMD or threads). float64 products run on "blas" or "js".
 * The environment variable NDGRAD_BACKEND sets the default.
 */
export function setBackend(name: Backend): void {
  if (!BACKENDS.includes(name)) throw new TypeError(`setBackend: unknown backend ${JSON.stringify(name)} (valid: ${BACKENDS.map((b) => `"${b}"`).join(", ")})`);
  if (name === "blas" && !loadedBlas()) throw new Error(`setBackend: the blas backend is unavailable here: ${blasText()}`);
  if (name === "wasm" && !wasmRuntime()) throw new Error(`setBackend: the wasm backend is unavailable here: ${unavailableText()}`);
  requested = name;
}

/** The backend float32 products run on: the one chosen, or the next one that is available. */
export function getBackend(): Backend {
  return activeBlas() ? "blas" : activeWasm() ? "wasm" : "js";
}

/**
 * The BLAS library if products should use it. If it was wanted but does not load, says once why
 * (unless only the optional koffi package is missing and nobody asked for blas by name).
 */
export function activeBlas(): Blas | null {
  if ((requested ??= defaultBackend()) !== "blas") return null;
  const lib = loadedBlas();
  if (!lib && !warnedBlas && (!blasFailure!.quiet || backendFromEnv()?.trim() === "blas")) {
    warnedBlas = true;
    console.warn(`ndgrad: the blas backend is unavailable: ${blasText()}. Using ${wasmRuntime() ? "wasm" : "js"} for products.`);
  }
  return lib;
}

/** The wasm runtime if float32 kernels (other than products, under blas) should use it; warns once (why, and how to fix it) if it was wanted but is unavailable. */
export function activeWasm(): WasmRuntime | null {
  if ((requested ??= defaultBackend()) === "js") return null;
  const rt = wasmRuntime();
  if (!rt && !warnedUnavailable) {
    warnedUnavailable = true;
    console.warn(`ndgrad: the WebAssembly kernels are unavailable: ${unavailableText()}. Using the JS backend (slower) until then.`);
  }
  return rt;
}

/** What backendInfo() says: see BackendInfo. */
export function backendInfo(): BackendInfo {
  const lib = activeBlas();
  const rt = activeWasm();
  const pool = rt?.pool;
  const why = [
    requested === "blas" && !lib && !blasFailure!.quiet ? `blas: ${blasText()}` : null,
    requested !== "js" && !rt ? unavailableText() : null,
  ].filter((text) => text !== null);
  return {
    backend: getBackend(),
    blasLibrary: lib?.library ?? null,
    simd: lib !== null || rt !== null,
    relaxedSimd: rt !== null && kernelsRelaxed(),
    threads: lib ? getNumThreads() : Math.min(getNumThreads(), 1 + (pool?.running ?? 0)),
    requestedThreads: getNumThreads(),
    workersStarted: pool?.started ?? 0,
    workerFailure: pool?.failure?.message ?? null,
    crossOriginIsolated: crossOriginIsolated(),
    unavailable: why.length > 0 ? why.join("; ") : null,
    residentBytes: rt?.residentBytes ?? 0,
    residentLimitBytes: rt?.residentLimitBytes ?? 0,
    residentFallbacks,
  };
}

/**
 * A zeroed Float32Array for storage that lives as long as a model or an optimizer (parameters,
 * optimizer state). With the wasm backend it sits in the wasm memory, where the kernels read and
 * update it in place instead of copying it in and out; to everything else it is an ordinary array.
 * When that area is full it is an ordinary array (counted in backendInfo, and warned about once).
 */
export function allocateLongLived(n: number): Float32Array {
  const rt = activeWasm();
  if (!rt) return new Float32Array(n);
  const resident = rt.resident(n);
  if (resident) return resident;
  residentFallbacks++;
  if (!warnedFull) {
    warnedFull = true;
    console.warn(
      `ndgrad: the wasm memory for parameters and optimizer state is full (${rt.residentLimitBytes / 2 ** 20} MiB): new ones get ordinary arrays, ` +
      "and training them is slower. Call dispose() on models and optimizers that are no longer needed (or declare them with `using`): " +
      "otherwise their memory comes back only after garbage collection, between turns of the event loop.",
    );
  }
  return new Float32Array(n);
}

/**
 * Gives the wasm memory under `array` (from allocateLongLived) back now. Returns what to keep
 * using: an ordinary copy of its values, or `array` itself when it was an ordinary array. Views of
 * the old array must not be used afterwards.
 */
export function releaseLongLived(array: Float32Array): Float32Array {
  if (!(array instanceof ResidentArray) || array.block.released) return array;
  const copy = new Float32Array(array);
  wasmRuntime()?.releaseResident(array);
  return copy;
}

/** Threads for large products (1 = the calling thread only). Default: NDGRAD_NUM_THREADS, else every core. */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw new RangeError(`setNumThreads: invalid thread count ${typeof n === "number" ? n : `${JSON.stringify(n)} (a ${typeof n})`} (valid: an integer from 1 to ${MAX_THREADS})`);
  threads = n;
}

export function getNumThreads(): number {
  return (threads ??= defaultThreads());
}

/** The BLAS library, opened at the first call; null (with blasFailure saying why) if it cannot be. */
function loadedBlas(): Blas | null {
  if (blas || blasFailure) return blas;
  try {
    blas = openBlas();
  } catch (error) {
    blasFailure = error instanceof BlasUnavailable ? error : new BlasUnavailable(String(error), false);
  }
  return blas;
}

function blasText(): string {
  return `${blasFailure?.message ?? "unknown reason"}; to use it: ${blasFix}`;
}

function unavailableText(): string {
  const why = wasmFailure();
  return why ? `${why.reason}; to fix it: ${why.fix}` : "unknown reason";
}

function defaultBackend(): Backend {
  const env = backendFromEnv();
  if (env === undefined || env.trim() === "") return BACKENDS[0];
  if ((BACKENDS as readonly string[]).includes(env.trim())) return env.trim() as Backend;
  console.warn(`ndgrad: ignoring NDGRAD_BACKEND=${JSON.stringify(env)} (valid: ${BACKENDS.map((b) => `"${b}"`).join(", ")}); using "${BACKENDS[0]}"`);
  return BACKENDS[0];
}

function defaultThreads(): number {
  const cores = Math.max(1, Math.min(MAX_THREADS, hardwareThreads()));
  const env = threadsFromEnv();
  if (env === undefined || env.trim() === "") return cores;
  const n = Number(env);
  if (Number.isInteger(n) && n >= 1 && n <= MAX_THREADS) return n;
  console.warn(`ndgrad: ignoring NDGRAD_NUM_THREADS=${JSON.stringify(env)} (valid: an integer from 1 to ${MAX_THREADS}); using ${cores}`);
  return cores;
}
