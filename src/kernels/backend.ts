// Which implementation runs the kernels (plain TypeScript or WebAssembly SIMD), on how many threads,
// where long-lived storage lives, and what backendInfo() reports about all that.

import { backendFromEnv, crossOriginIsolated, hardwareThreads, threadsFromEnv } from "./wasm/platform-node.ts";
import { MAX_THREADS } from "./wasm/protocol.mjs";
import { ResidentArray, wasmFailure, wasmRuntime, type WasmRuntime } from "./wasm/runtime.ts";

declare global {
  // Symbol.dispose (which `using` calls; modules and optimizers define it) for TypeScript programs
  // whose lib predates it, declared as @types/node and lib.esnext.disposable do, so the declarations merge.
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** The backends by name: adding one is one more name here, and its case in getBackend and backendInfo. */
export const BACKENDS = ["js", "wasm"] as const;
export type Backend = (typeof BACKENDS)[number];

/** What the kernels run on now: the truth, not the request. */
export interface BackendInfo {
  /** The backend float32 kernels run on. */
  backend: Backend;
  /** Whether they use SIMD instructions (WebAssembly SIMD on "wasm"). */
  simd: boolean;
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
  /** Why the wasm backend is not in use although it was wanted, and how to fix it, or null. */
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
let residentFallbacks = 0;
let warnedFull = false;

/**
 * Chooses the kernels: "wasm" (the default: WebAssembly SIMD, multi-threaded) or "js" (plain
 * TypeScript, for platforms without WebAssembly SIMD or threads). float64 products always use "js".
 * The environment variable NDGRAD_BACKEND sets the default.
 */
export function setBackend(name: Backend): void {
  if (!BACKENDS.includes(name)) throw new TypeError(`setBackend: unknown backend ${JSON.stringify(name)} (valid: ${BACKENDS.map((b) => `"${b}"`).join(", ")})`);
  if (name === "wasm" && !wasmRuntime()) throw new Error(`setBackend: the wasm backend is unavailable here: ${unavailableText()}`);
  requested = name;
}

/** The backend float32 kernels run on: "wasm" unless "js" was chosen or WebAssembly is unavailable. */
export function getBackend(): Backend {
  return activeWasm() ? "wasm" : "js";
}

/** The wasm runtime if float32 kernels should use it; warns once (why, and how to fix it) if it was wanted but is unavailable. */
export function activeWasm(): WasmRuntime | null {
  if ((requested ??= defaultBackend()) !== "wasm") return null;
  const rt = wasmRuntime();
  if (!rt && !warnedUnavailable) {
    warnedUnavailable = true;
    console.warn(`ndgrad: the WebAssembly kernels are unavailable: ${unavailableText()}. Using the JS backend (slower) until then.`);
  }
  return rt;
}

/** What backendInfo() says: see BackendInfo. */
export function backendInfo(): BackendInfo {
  const rt = activeWasm();
  const wanted = (requested ??= defaultBackend()) === "wasm";
  const pool = rt?.pool;
  return {
    backend: rt ? "wasm" : "js",
    simd: rt !== null,
    threads: Math.min(getNumThreads(), 1 + (pool?.running ?? 0)),
    requestedThreads: getNumThreads(),
    workersStarted: pool?.started ?? 0,
    workerFailure: pool?.failure?.message ?? null,
    crossOriginIsolated: crossOriginIsolated(),
    unavailable: wanted && !rt ? unavailableText() : null,
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
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw new RangeError(`setNumThreads: invalid thread count ${n} (valid: an integer from 1 to ${MAX_THREADS})`);
  threads = n;
}

export function getNumThreads(): number {
  return (threads ??= defaultThreads());
}

function unavailableText(): string {
  const why = wasmFailure();
  return why ? `${why.reason}; to fix it: ${why.fix}` : "unknown reason";
}

function defaultBackend(): Backend {
  const env = backendFromEnv();
  if (env === undefined || env.trim() === "") return "wasm";
  if ((BACKENDS as readonly string[]).includes(env.trim())) return env.trim() as Backend;
  console.warn(`ndgrad: ignoring NDGRAD_BACKEND=${JSON.stringify(env)} (valid: ${BACKENDS.map((b) => `"${b}"`).join(", ")}); using "wasm"`);
  return "wasm";
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
