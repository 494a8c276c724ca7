// Node-specific pieces of the kernels: reading (or building) the wasm binary, spawning worker threads,
// thread-count defaults, and the native BLAS (blas-node.ts). platform-browser.ts is its twin (the
// package.json "browser" field selects it).

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { hasRelaxedSimd } from "./features.ts";
import type { WorkerInit } from "./protocol.mjs";

export { blasFix, openBlas } from "../blas-node.ts";

// Found from this module's own URL: beside it in src/ (written by the build) and in the package's dist/.
const wasmFile = fileURLToPath(new URL("./kernels.wasm", import.meta.url));
/** The same kernels built with relaxed SIMD (fused multiply-add in the GEMM micro-kernel; scripts/build-wasm.mjs). */
const relaxedWasmFile = fileURLToPath(new URL("./kernels-relaxed.wasm", import.meta.url));
const buildScript = fileURLToPath(new URL("../../../scripts/build-wasm.mjs", import.meta.url));
const workerScript = new URL("./worker.mjs", import.meta.url);

/** The main thread may block in Atomics.wait (browsers forbid it on their main thread). */
export const canBlock = true;

export const isBrowser = false;

/** What to do when the kernels binary is missing (said in the one-time warning). */
export const missingKernelsFix = `reinstall ndgrad (the package ships kernels.wasm beside platform-node), or in a checkout run \`node scripts/build-wasm.mjs\``;

/** Node shares memory between threads without any isolation. */
export function crossOriginIsolated(): boolean {
  return true;
}

/** Whether loadKernelBytes can give the kernels now (in Node always: it builds them if need be). */
export function kernelsLoaded(): boolean {
  return true;
}

/** Whether the kernels loaded are the relaxed-SIMD build: where the runtime has relaxed SIMD and the build is there. */
export function kernelsRelaxed(): boolean {
  return hasRelaxedSimd() && existsSync(relaxedWasmFile);
}

/**
 * The compiled kernels: kernels.wasm (or kernels-relaxed.wasm, see kernelsRelaxed) beside this module,
 * made by `npm ci` in the repository (the "prepare" script) and shipped in the package. If it is
 * missing in the repository, compile it now from assembly/kernels.ts with the AssemblyScript devDependency.
 */
export function loadKernelBytes(): Uint8Array<ArrayBuffer> {
  if (kernelsRelaxed()) return new Uint8Array(readFileSync(relaxedWasmFile));
  if (!existsSync(wasmFile)) {
    if (!existsSync(buildScript)) throw new Error(`${wasmFile} is missing and there is no build script to make it`);
    try {
      execFileSync(process.execPath, [buildScript, "--quiet"], { stdio: ["ignore", "ignore", "pipe"], timeout: 120_000 });
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? "");
      const reason = stderr.split("\n").find((line) => /error/i.test(line))?.trim() ?? (error as Error).message;
      throw new Error(`${wasmFile} is missing and compiling it failed: ${reason}`);
    }
  }
  return new Uint8Array(readFileSync(wasmFile));
}

/**
 * The browser twin fetches the kernels here; in Node they are read when first needed, so this only
 * checks that they are there (code shared with a browser can await it on both). Takes no source in Node.
 */
export async function loadWasmKernels(source?: string | URL | ArrayBuffer | ArrayBufferView | Response): Promise<void> {
  if (source !== undefined) throw new Error(`loadWasmKernels: in Node the kernels are read from ${wasmFile}; call it without an argument (got ${String(source)})`);
  loadKernelBytes();
}

export interface WorkerHandle {
  terminate(): void;
}

/** Starts one kernel worker; it never keeps the process alive. `onError` runs if it fails to start or dies. */
export function spawnWorker(init: WorkerInit, onError: (error: Error) => void): WorkerHandle {
  // A plain .mjs worker needs no TypeScript loader, so it starts the same under tsx, vitest and node.
  const worker = new Worker(workerScript, { workerData: init, execArgv: [], stdout: false, stderr: false });
  worker.unref();
  worker.on("error", onError);
  worker.on("exit", (code) => { if (code !== 0) onError(new Error(`kernel worker exited with code ${code}`)); });
  return { terminate: () => void worker.terminate() };
}

export function hardwareThreads(): number {
  return availableParallelism();
}

/** The NDGRAD_NUM_THREADS environment variable, if set. */
export function threadsFromEnv(): string | undefined {
  return process.env.NDGRAD_NUM_THREADS;
}

/** The NDGRAD_BACKEND environment variable ("js" forces the plain-TS kernels, e.g. in one CI run), if set. */
export function backendFromEnv(): string | undefined {
  return process.env.NDGRAD_BACKEND;
}
