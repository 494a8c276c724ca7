// The WebAssembly runtime: the compiled kernels, one shared memory, its layout, and the worker pool.

import { loadKernelBytes } from "./platform-node.ts";
import { CTRL_WORDS, MAX_THREADS, Pool } from "./pool.ts";

/** Memory limits in 64 KiB pages, as declared by scripts/build-wasm.mjs: 16 MiB to start, 1 GiB at most. */
const INITIAL_PAGES = 256;
const MAXIMUM_PAGES = 16384;
const PAGE = 65536;

/** Job descriptor words, read by assembly/kernels.ts under the same names. */
export const JOB = {
  OP: 0, PHASE: 1, NT: 2, M: 3, N: 4, K: 5,
  A: 6, LDA: 7, TA: 8, B: 9, LDB: 10, TB: 11,
  AP: 12, BP: 13, C: 14, LDC: 15, ACC: 16, KC: 17, SCRATCH: 18,
  /** The phase's work queue (an i64 at words 20-21), chunks finished, and chunks in all. */
  NEXT: 20, DONE: 22, CHUNKS: 23,
} as const;
export const OP_GEMM = 1;
export const PHASE_PACK = 0;
export const PHASE_COMPUTE = 1;
const JOB_WORDS = 64;

export interface KernelExports {
  heapBase(): number;
  prepare(job: number, tag: number): void;
  run(job: number, tid: number, tag: number): number;
  gemm(job: number): void;
  adam(theta: number, grad: number, m: number, v: number, vmax: number, n: number, lr: number, beta1: number, beta2: number, eps: number, bc1: number, bc2: number, wd: number, flags: number): void;
  relu(x: number, out: number, n: number): void;
  reluBackward(y: number, g: number, gx: number, n: number): void;
}

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly kernels: KernelExports;
  readonly job: Int32Array;
  readonly jobOffset: number;
  /** Per-thread 2×16 float scratch tiles for edge tiles. */
  readonly scratchOffset: number;
  /** Operands are laid out from here on, per call. */
  readonly dataOffset: number;
  readonly pool: Pool;
  /** A Float32Array over the whole memory, remade when the memory grows. */
  f32: Float32Array;

  constructor(bytes: Uint8Array<ArrayBuffer>) {
    const module = new WebAssembly.Module(bytes);
    this.memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    this.kernels = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as KernelExports;
    const ctrlOffset = align64(this.kernels.heapBase());
    this.jobOffset = ctrlOffset + CTRL_WORDS * 4;
    this.scratchOffset = align64(this.jobOffset + JOB_WORDS * 4);
    this.dataOffset = align64(this.scratchOffset + MAX_THREADS * 128);
    this.job = new Int32Array(this.memory.buffer, this.jobOffset, JOB_WORDS);
    this.f32 = new Float32Array(this.memory.buffer);
    this.pool = new Pool(module, this.memory, this.kernels, ctrlOffset, this.jobOffset, this.job);
  }

  /** Grows the memory to hold at least `bytes`; throws a clear error past the 1 GiB maximum. */
  reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAXIMUM_PAGES) {
      throw new RangeError(`gemm: the wasm backend needs ${(bytes / 2 ** 20).toFixed(0)} MiB for this product, more than its ${MAXIMUM_PAGES * PAGE / 2 ** 30} GiB memory (use setBackend("js") for it)`);
    }
    this.memory.grow(pages);
    this.f32 = new Float32Array(this.memory.buffer);
  }
}

export function align64(bytes: number): number {
  return (bytes + 63) & ~63;
}

let runtime: WasmRuntime | null = null;
let failure: string | null = null;

/** The runtime, made on first use; null (see `wasmFailure`) where WebAssembly SIMD, threads or the binary are missing. */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime || failure !== null) return runtime;
  try {
    if (typeof WebAssembly !== "object" || typeof SharedArrayBuffer !== "function") throw new Error("no WebAssembly or SharedArrayBuffer");
    runtime = new WasmRuntime(loadKernelBytes());
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  return runtime;
}

/** Why the wasm runtime could not be made, or null. */
export function wasmFailure(): string | null {
  wasmRuntime();
  return failure;
}
