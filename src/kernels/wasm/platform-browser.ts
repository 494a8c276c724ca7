// Browser pieces of the wasm backend, the twin of platform-node.ts (same exported names; package.json's
// "browser" field makes bundlers pick this file): kernel bytes fetched ahead of time, module Web
// Workers, navigator.hardwareConcurrency. Web APIs only, so it bundles for any browser.
//
// Threads need SharedArrayBuffer, which browsers give only to cross-origin isolated pages (served
// with COOP: same-origin and COEP: require-corp). Without isolation there is no shared memory: the
// wasm runtime cannot be made and the JS backend runs instead (one warning). With isolation, the
// wasm kernels run on navigator.hardwareConcurrency threads.

import { BlasUnavailable, type Blas } from "../gemm-blas.ts";
import type { WorkerInit } from "./protocol.mjs";

export const blasFix = "run in Node for the blas backend";

/** The browser build loads the portable kernels (kernels-relaxed.wasm is Node's for now). */
export function kernelsRelaxed(): boolean {
  return false;
}

/** Browsers cannot load a native library: the blas backend is Node's. */
export function openBlas(): Blas {
  throw new BlasUnavailable("a browser cannot load a native BLAS library", true);
}

/** The browser main thread may not block in Atomics.wait: the pool spins there instead. */
export const canBlock = false;

export const isBrowser = true;

/** What to do when the kernels are not loaded (said in the one-time warning). */
export const missingKernelsFix = "`await loadWasmKernels()` (or `loadWasmKernels(url)`, url being where the page serves kernels.wasm) before the first float32 product";

/** Whether the page may share memory with workers (served with COOP: same-origin and COEP: require-corp). */
export function crossOriginIsolated(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

let kernelBytes: Uint8Array<ArrayBuffer> | null = null;

/**
 * Fetches the compiled kernels (kernels.wasm) so that the wasm backend can start:
 * browsers cannot read a file synchronously. Await it before the first float32 product: products
 * made earlier run on the JS backend (with one warning), later ones on wasm.
 * Accepts a URL (resolved against the page), the bytes themselves, or a fetch Response. Without an
 * argument it fetches kernels.wasm beside this module, which bundlers such as Vite and webpack copy
 * as an asset from the `new URL(...)` below; with esbuild, import "ndgrad/kernels.wasm" with its file
 * loader and pass that URL.
 */
export async function loadWasmKernels(source?: string | URL | ArrayBuffer | ArrayBufferView | Response): Promise<void> {
  const from = source ?? new URL("./kernels.wasm", import.meta.url);
  let bytes: ArrayBuffer;
  if (from instanceof ArrayBuffer) {
    bytes = from.slice(0);
  } else if (ArrayBuffer.isView(from)) {
    bytes = new Uint8Array(from.buffer, from.byteOffset, from.byteLength).slice().buffer;
  } else {
    const response = typeof Response !== "undefined" && from instanceof Response ? from : await fetch(from as string | URL);
    if (!response.ok) throw new Error(`loadWasmKernels: fetching ${response.url || String(from)} failed: HTTP ${response.status}`);
    bytes = await response.arrayBuffer();
  }
  if (!WebAssembly.validate(bytes)) throw new Error("loadWasmKernels: the bytes are not a valid WebAssembly module (or this browser lacks WebAssembly SIMD/threads)");
  kernelBytes = new Uint8Array(bytes);
}

/** Whether `loadWasmKernels` has loaded the kernels. */
export function kernelsLoaded(): boolean {
  return kernelBytes !== null;
}

/** The kernels loaded by `loadWasmKernels`; throws (so the JS backend is used) until then. */
export function loadKernelBytes(): Uint8Array<ArrayBuffer> {
  if (!kernelBytes) throw new Error("the kernels are not loaded: in a browser, `await loadWasmKernels(url)` before the first float32 product");
  return kernelBytes;
}

export interface WorkerHandle {
  terminate(): void;
}

/** Starts one kernel worker (a module Web Worker) and sends it its init once. `onError` runs if it fails. */
export function spawnWorker(init: WorkerInit, onError: (error: Error) => void): WorkerHandle {
  let worker: Worker;
  try {
    // Written as one expression so that bundlers (Vite, webpack 5, Parcel) find and bundle the worker.
    worker = new Worker(new URL("./worker-browser.mjs", import.meta.url), { type: "module" });
  } catch (error) {
    // No Worker here (e.g. a content security policy forbids it): the pool keeps to the caller.
    onError(error instanceof Error ? error : new Error(String(error)));
    return { terminate: () => {} };
  }
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    onError(new Error(`kernel worker failed: ${event.message || "it could not start"}`));
  });
  worker.addEventListener("messageerror", () => onError(new Error("kernel worker could not receive its init message")));
  worker.postMessage(init);
  return { terminate: () => worker.terminate() };
}

/** Cores for the pool: navigator.hardwareConcurrency when the page may share memory, else 1 (no workers). */
export function hardwareThreads(): number {
  if (!crossOriginIsolated()) return 1;
  const n = typeof navigator === "undefined" ? undefined : navigator.hardwareConcurrency;
  return typeof n === "number" && n >= 1 ? n : 1;
}

/** No environment variables in a browser: choose with setNumThreads. */
export function threadsFromEnv(): string | undefined {
  return undefined;
}

/** No environment variables in a browser: choose with setBackend. */
export function backendFromEnv(): string | undefined {
  return undefined;
}
