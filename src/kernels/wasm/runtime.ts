// The WebAssembly runtime: the compiled kernels, one shared memory, its layout, and the worker pool.

import { kernelsLoaded, loadKernelBytes } from "./platform-node.ts";
import { CTRL_WORDS, MAX_THREADS, Pool } from "./pool.ts";

/** Memory limits in 64 KiB pages, as declared by scripts/build-wasm.mjs: 16 MiB to start, 1 GiB at most. */
const INITIAL_PAGES = 256;
const MAXIMUM_PAGES = 16384;
const PAGE = 65536;
/** Resident buffers (see WasmRuntime.resident) may take this much of the memory; past it, callers get ordinary arrays. */
const RESIDENT_MAX_BYTES = 256 * 2 ** 20;
/**
 * Per-call areas (see WasmRuntime.scratch). A call on the caller's thread alone reuses one area at
 * the start, which stays in its core's cache. A call shared with workers takes the next part of a
 * ring after it: by the time the ring comes round (a few times a core's 2 MiB L2, well inside the
 * shared L3), the other core has dropped its copy of those lines, so the caller's writes need no
 * invalidation across cores. Reusing one area made copying operands in twice as slow with 2 threads.
 */
const PRIVATE_BYTES = 2 * 2 ** 20;
const RING_BYTES = 8 * 2 ** 20;

/** Job descriptor words, read by assembly/kernels.ts under the same names. */
export const JOB = {
  OP: 0, PHASE: 1, NT: 2, M: 3, N: 4, K: 5,
  A: 6, LDA: 7, TA: 8, B: 9, LDB: 10, TB: 11,
  AP: 12, BP: 13, C: 14, LDC: 15, ACC: 16, KC: 17, SCRATCH: 18,
  /** 1: tiles are stored transposed (the host computes Cᵀ = op(B)ᵀ·op(A)ᵀ into C). */
  TC: 19,
  /** The phase's work queue (an i64 at words 20-21), chunks finished, chunks in all, row pairs per compute chunk. */
  NEXT: 20, DONE: 22, CHUNKS: 23, GROUP: 24,
  /** 1: B is packed panel by panel in the compute phase, A alone in the pack phase. */
  FUSED: 25,
  /** Rows of B, as stored, copied in so far: a FUSED compute chunk waits for its panel's rows. */
  READY: 26,
  /** 1: compute chunks are ROW_BLOCKS blocks of rows across every panel; FINISHED has bit c set once block c is done. */
  BY_ROWS: 27, FINISHED: 28, ROW_BLOCKS: 29,
} as const;
export const OP_GEMM = 1;
export const PHASE_PACK = 0;
export const PHASE_COMPUTE = 1;
const JOB_WORDS = 64;

export interface KernelExports {
  heapBase(): number;
  prepare(job: number, tag: number): void;
  run(job: number, tid: number, tag: number): number;
  runOne(job: number, tid: number, tag: number): number;
  gemm(job: number): void;
  runPhase(job: number, phase: number): void;
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
  /** Per-call areas (see `scratch`) start here: just past the resident buffers. */
  dataOffset: number;
  readonly pool: Pool;
  /** A Float32Array over the whole memory, remade when the memory grows. */
  f32: Float32Array;
  /** Resident buffers sit in [residentStart, dataOffset); freed blocks wait in `free` for reuse. */
  private readonly residentStart: number;
  private free: { at: number; bytes: number }[] = [];
  /** Where the next shared per-call area starts, in bytes from the start of the ring. */
  private ringCursor = 0;
  /** Every buffer object this memory has had (growing gives a new one; views on the old ones stay valid). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly registry = new FinalizationRegistry<{ at: number; bytes: number }>((block) => this.release(block));

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
    this.residentStart = this.dataOffset;
    this.buffers.add(this.memory.buffer);
  }

  /**
   * A zeroed Float32Array of n elements that lives in the wasm memory, for long-lived buffers such as
   * optimizer state: kernels then read and write it in place instead of copying it in and out. Its
   * block returns to the runtime when the array is garbage-collected (a subarray does not keep it:
   * keep the array itself). Null when the resident area is full (the caller then makes an ordinary array).
   */
  resident(n: number): Float32Array | null {
    const bytes = align64(Math.max(4 * n, 64));
    let at = -1;
    const i = this.free.findIndex((b) => b.bytes >= bytes);
    if (i >= 0) {
      const block = this.free[i];
      at = block.at;
      if (block.bytes === bytes) this.free.splice(i, 1);
      else this.free[i] = { at: at + bytes, bytes: block.bytes - bytes };
    } else {
      if (this.dataOffset + bytes - this.residentStart > RESIDENT_MAX_BYTES) return null;
      at = this.dataOffset;
      this.reserve(at + bytes);
      this.dataOffset = at + bytes;
    }
    const view = new Float32Array(this.memory.buffer, at, n);
    view.fill(0);
    this.registry.register(view, { at, bytes });
    return view;
  }

  /**
   * The byte address of an area of `bytes` bytes for one kernel call's copies and packed operands,
   * valid until the next call, with the memory grown to hold it. `shared`: worker threads will
   * read or write it too (the top of this file says why that matters).
   */
  scratch(bytes: number, shared: boolean): number {
    bytes = align64(bytes);
    if (!shared) {
      this.reserve(this.dataOffset + bytes);
      return this.dataOffset;
    }
    if (this.ringCursor + bytes > RING_BYTES) this.ringCursor = 0;
    const at = this.dataOffset + PRIVATE_BYTES + this.ringCursor;
    this.ringCursor += bytes;
    this.reserve(at + bytes);
    return at;
  }

  /** The byte address of `a` in the wasm memory, or -1 if `a` is an ordinary array. */
  addressOf(a: Float32Array): number {
    return this.buffers.has(a.buffer) ? a.byteOffset : -1;
  }

  private release(block: { at: number; bytes: number }): void {
    this.free.push(block);
    // Give the top of the resident area back to the per-call scratch space.
    this.free.sort((a, b) => a.at - b.at);
    while (this.free.length > 0) {
      const last = this.free[this.free.length - 1];
      if (last.at + last.bytes !== this.dataOffset) break;
      this.dataOffset = last.at;
      this.free.pop();
    }
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
    this.buffers.add(this.memory.buffer);
  }
}

export function align64(bytes: number): number {
  return (bytes + 63) & ~63;
}

let runtime: WasmRuntime | null = null;
let failure: string | null = null;
/** Why there is no runtime yet, when that may change: in a browser, before loadWasmKernels. */
let notYet: string | null = null;

/** The runtime, made on first use; null (see `wasmFailure`) where WebAssembly SIMD, threads or the binary are missing. */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime || failure !== null) return runtime;
  if (notYet !== null && !kernelsLoaded()) return null;
  try {
    if (typeof WebAssembly !== "object" || typeof SharedArrayBuffer !== "function") throw new Error("no WebAssembly or SharedArrayBuffer");
    runtime = new WasmRuntime(loadKernelBytes());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Kernels still to be loaded are tried again on the next call: a page may build its model
    // (whose parameters would live in the wasm memory) before it has awaited loadWasmKernels.
    if (kernelsLoaded()) failure = message;
    else notYet = message;
  }
  return runtime;
}

/** Why the wasm runtime could not be made, or null. */
export function wasmFailure(): string | null {
  return wasmRuntime() ? null : (failure ?? notYet);
}
