// Which implementation runs the kernels (plain TypeScript or WebAssembly SIMD), and on how many threads.

import { backendFromEnv, hardwareThreads, threadsFromEnv } from "./wasm/platform-node.ts";
import { MAX_THREADS } from "./wasm/pool.ts";
import { wasmFailure, wasmRuntime } from "./wasm/runtime.ts";

export type Backend = "js" | "wasm";
export const BACKENDS: readonly Backend[] = ["js", "wasm"];

let requested: Backend | null = null;
let threads: number | null = null;
let warned = false;

/**
 * Chooses the kernels: "wasm" (the default: WebAssembly SIMD, multi-threaded) or "js" (plain
 * TypeScript, for platforms without WebAssembly SIMD or threads). float64 products always use "js".
 * The environment variable NDGRAD_BACKEND sets the default.
 */
export function setBackend(name: Backend): void {
  if (!BACKENDS.includes(name)) throw new TypeError(`setBackend: unknown backend ${JSON.stringify(name)} (valid: ${BACKENDS.map((b) => `"${b}"`).join(", ")})`);
  if (name === "wasm" && !wasmRuntime()) throw new Error(`setBackend: the wasm backend is unavailable here: ${wasmFailure()}`);
  requested = name;
}

/** The backend float32 kernels run on: "wasm" unless "js" was chosen or WebAssembly is unavailable. */
export function getBackend(): Backend {
  return activeWasm() ? "wasm" : "js";
}

/** Minimal stand-in (package helper, for its package test) until wasm-runtime's full backendInfo lands. */
export function backendInfo(): { backend: Backend } {
  return { backend: getBackend() };
}

/** The wasm runtime if float32 kernels should use it; warns once if it was wanted but is unavailable. */
export function activeWasm(): ReturnType<typeof wasmRuntime> {
  if ((requested ??= defaultBackend()) !== "wasm") return null;
  const rt = wasmRuntime();
  if (!rt && !warned) {
    warned = true;
    console.warn(`ndgrad: WebAssembly kernels unavailable (${wasmFailure()}); using the JS backend`);
  }
  return rt;
}

/**
 * A zeroed Float32Array for storage that lives as long as a model or an optimizer (parameters,
 * optimizer state). With the wasm backend it sits in the wasm memory, where the kernels read and
 * update it in place instead of copying it in and out; to everything else it is an ordinary array.
 */
export function allocateLongLived(n: number): Float32Array {
  return activeWasm()?.resident(n) ?? new Float32Array(n);
}

/** Threads for large products (1 = the calling thread only). Default: NDGRAD_NUM_THREADS, else every core. */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw new RangeError(`setNumThreads: invalid thread count ${n} (valid: an integer from 1 to ${MAX_THREADS})`);
  threads = n;
}

export function getNumThreads(): number {
  return (threads ??= defaultThreads());
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
