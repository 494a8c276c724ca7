// The WebAssembly runtime: the compiled kernels, one shared memory, its layout, and the worker pool.
//
// The shared memory, from address 0 up (byte offsets; blocks 64-byte aligned):
//
//   0             the kernels' static data (up to heapBase())
//   ctrl          control block, CTRL_WORDS i32 (protocol.mjs: generation, ready, error, worker states)
//                 then a worker's error message, ERROR_TEXT_BYTES
//   job           job descriptor, JOB_WORDS i32 (protocol.mjs)
//   tiles         one edge tile per thread, MAX_THREADS × TILE_BYTES
//   residentStart resident blocks: parameters and optimizer state (`resident`), at most
//                 RESIDENT_MAX_BYTES; freed blocks wait in a free list, the top one shrinks the area
//   dataOffset    the private per-call area (`scratch`, caller only), PRIVATE_BYTES
//                 then the ring of per-call areas shared with workers, RING_BYTES
//   ...           grown on demand, up to MAXIMUM_PAGES (1 GiB)

import { crossOriginIsolated, isBrowser, kernelsLoaded, loadKernelBytes, missingKernelsFix } from "./platform-node.ts";
import { Pool } from "./pool.ts";
import { CTRL_WORDS, ERROR_TEXT_BYTES, INITIAL_PAGES, JOB_WORDS, MAX_THREADS, MAXIMUM_PAGES, PAGE_BYTES, TILE_BYTES, type KernelExports } from "./protocol.mjs";

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

/**
 * A block of the resident area. Its array and every subarray of it hold it; it returns to the free
 * list once none of them is reachable (a FinalizationRegistry sees to it) or when released.
 */
interface Block {
  readonly at: number;
  readonly bytes: number;
  released: boolean;
}

/**
 * A Float32Array over a resident block. Its subarrays are of this class too and hold the block, so
 * the block lives as long as any view of it: a subarray kept after its model is dropped never sees
 * the block reused. Everything else about it is an ordinary Float32Array (slice and map give
 * ordinary copies). Only a view made from its `buffer` by hand (the whole wasm memory) escapes this.
 */
export class ResidentArray extends Float32Array<ArrayBufferLike> {
  static get [Symbol.species](): Float32ArrayConstructor {
    return Float32Array;
  }

  // A private field, not a property: to equality checks, JSON and Object.keys this is a plain Float32Array.
  readonly #block: Block;

  constructor(block: Block, buffer: ArrayBufferLike, byteOffset: number, length: number) {
    super(buffer, byteOffset, length);
    this.#block = block;
  }

  get block(): Block {
    return this.#block;
  }

  override subarray(begin?: number, end?: number): ResidentArray {
    const view = super.subarray(begin, end);
    return new ResidentArray(this.#block, view.buffer, view.byteOffset, view.length);
  }
}

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly kernels: KernelExports;
  readonly job: Int32Array;
  readonly jobOffset: number;
  /** Per-thread scratch tiles for edge tiles. */
  readonly scratchOffset: number;
  /** Per-call areas (see `scratch`) start here: just past the resident blocks. */
  dataOffset: number;
  readonly pool: Pool;
  /** A Float32Array over the whole memory, remade when the memory grows. */
  f32: Float32Array;
  /** The cap on resident blocks (tests lower it). */
  residentLimitBytes = RESIDENT_MAX_BYTES;
  /** Resident blocks sit in [residentStart, dataOffset); freed ones wait in `free` for reuse, in address order. */
  private readonly residentStart: number;
  private free: { at: number; bytes: number }[] = [];
  private freeBytes = 0;
  /** Where the next shared per-call area starts, in bytes from the start of the ring. */
  private ringCursor = 0;
  /** Every buffer object this memory has had (growing gives a new one; views on the old ones stay valid). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  /** Frees a block once no view holds it; `register` gets a copy of the block, so that it does not keep the block alive. */
  private readonly registry = new FinalizationRegistry<{ at: number; bytes: number }>((block) => this.release(block));

  constructor(bytes: Uint8Array<ArrayBuffer>) {
    const module = new WebAssembly.Module(bytes);
    this.memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    this.kernels = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as KernelExports;
    const ctrlOffset = align64(this.kernels.heapBase());
    this.jobOffset = align64(ctrlOffset + CTRL_WORDS * 4 + ERROR_TEXT_BYTES);
    this.scratchOffset = align64(this.jobOffset + JOB_WORDS * 4);
    this.dataOffset = align64(this.scratchOffset + MAX_THREADS * TILE_BYTES);
    this.job = new Int32Array(this.memory.buffer, this.jobOffset, JOB_WORDS);
    this.f32 = new Float32Array(this.memory.buffer);
    this.pool = new Pool(module, this.memory, this.kernels, ctrlOffset, this.jobOffset, this.job);
    this.residentStart = this.dataOffset;
    this.buffers.add(this.memory.buffer);
  }

  /**
   * A zeroed Float32Array of n elements that lives in the wasm memory, for long-lived buffers such as
   * parameters and optimizer state: kernels then read and write it in place instead of copying it in
   * and out. Its block returns to the runtime when `releaseResident` is called on it, or once it and
   * every subarray of it are garbage-collected. Null when the resident area is full (the caller then
   * makes an ordinary array).
   */
  resident(n: number): ResidentArray | null {
    const bytes = align64(Math.max(4 * n, 64));
    let at = -1;
    const i = this.free.findIndex((b) => b.bytes >= bytes);
    if (i >= 0) {
      const block = this.free[i];
      at = block.at;
      if (block.bytes === bytes) this.free.splice(i, 1);
      else this.free[i] = { at: at + bytes, bytes: block.bytes - bytes };
      this.freeBytes -= bytes;
    } else {
      if (this.dataOffset + bytes - this.residentStart > this.residentLimitBytes) return null;
      at = this.dataOffset;
      this.reserve(at + bytes);
      this.dataOffset = at + bytes;
    }
    const block: Block = { at, bytes, released: false };
    const view = new ResidentArray(block, this.memory.buffer, at, n);
    view.fill(0);
    this.registry.register(block, { at, bytes }, block);
    return view;
  }

  /**
   * Gives the block under `array` back now, without waiting for the garbage collector (dispose()).
   * Views of it must not be used afterwards: callers first move their data out. Whether there was a
   * block to give back.
   */
  releaseResident(array: Float32Array): boolean {
    if (!(array instanceof ResidentArray) || array.block.released || !this.buffers.has(array.buffer)) return false;
    const block = array.block;
    block.released = true;
    this.registry.unregister(block);
    this.release(block);
    return true;
  }

  /** Bytes of the memory held by resident blocks now. */
  get residentBytes(): number {
    return this.dataOffset - this.residentStart - this.freeBytes;
  }

  /**
   * The byte address of an area of `bytes` bytes for one kernel call's copies and packed operands,
   * valid until the next call, with the memory grown to hold it. `shared`: worker threads will
   * read or write it too (the comment on PRIVATE_BYTES says why that matters).
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

  /** Puts a block on the free list, merging it with free neighbours, and gives the top of the list back to the per-call areas. */
  private release(block: { at: number; bytes: number }): void {
    this.freeBytes += block.bytes;
    let i = this.free.findIndex((b) => b.at > block.at);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { at: block.at, bytes: block.bytes });
    const next = this.free[i + 1];
    if (next && block.at + block.bytes === next.at) this.free.splice(i, 2, { at: block.at, bytes: block.bytes + next.bytes });
    const prev = this.free[i - 1];
    if (prev && prev.at + prev.bytes === this.free[i].at) this.free.splice(i - 1, 2, { at: prev.at, bytes: prev.bytes + this.free[i].bytes });
    const last = this.free[this.free.length - 1];
    if (last.at + last.bytes === this.dataOffset) {
      this.dataOffset = last.at;
      this.freeBytes -= last.bytes;
      this.free.pop();
    }
  }

  /** Grows the memory to hold at least `bytes`; throws a clear error past the 1 GiB maximum. */
  reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE_BYTES);
    if (have / PAGE_BYTES + pages > MAXIMUM_PAGES) {
      throw new RangeError(`gemm: the wasm backend needs ${(bytes / 2 ** 20).toFixed(0)} MiB for this product, more than its ${MAXIMUM_PAGES * PAGE_BYTES / 2 ** 30} GiB memory (use setBackend("js") for it)`);
    }
    this.memory.grow(pages);
    this.f32 = new Float32Array(this.memory.buffer);
    this.buffers.add(this.memory.buffer);
  }
}

export function align64(bytes: number): number {
  return (bytes + 63) & ~63;
}

/** Why the wasm runtime could not be made, and what would fix it. */
export interface WasmUnavailable {
  reason: string;
  fix: string;
}

let runtime: WasmRuntime | null = null;
let failure: WasmUnavailable | null = null;
/** Why there is no runtime yet, when that may change: in a browser, before loadWasmKernels. */
let notYet: WasmUnavailable | null = null;

/** The runtime, made on first use; null (see `wasmFailure`) where WebAssembly SIMD, threads or the binary are missing. */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime || failure !== null) return runtime;
  if (notYet !== null && !kernelsLoaded()) return null;
  if (typeof WebAssembly !== "object") {
    failure = { reason: "this JavaScript runtime has no WebAssembly", fix: "use a runtime with WebAssembly SIMD and threads (Node 20+, a current browser)" };
    return null;
  }
  if (typeof SharedArrayBuffer !== "function") {
    failure = isBrowser && !crossOriginIsolated()
      ? { reason: "the page is not cross-origin isolated, so it has no SharedArrayBuffer", fix: "serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp" }
      : { reason: "this JavaScript runtime has no SharedArrayBuffer", fix: "use a runtime with WebAssembly threads (Node 20+, a current browser)" };
    return null;
  }
  if (!kernelsLoaded()) {
    // Kernels still to be loaded are tried again on the next call: a page may build its model
    // (whose parameters would live in the wasm memory) before it has awaited loadWasmKernels.
    notYet = { reason: "the wasm kernels are not loaded yet", fix: missingKernelsFix };
    return null;
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = loadKernelBytes();
  } catch (error) {
    failure = { reason: error instanceof Error ? error.message : String(error), fix: missingKernelsFix };
    return null;
  }
  try {
    runtime = new WasmRuntime(bytes);
  } catch (error) {
    failure = { reason: `the wasm kernels do not load here: ${error instanceof Error ? error.message : String(error)}`, fix: "use a runtime with WebAssembly SIMD and threads (Node 20+, Chrome 91+, Firefox 89+, Safari 16.4+)" };
  }
  return runtime;
}

/** Why the wasm runtime could not be made (and what would fix it), or null. */
export function wasmFailure(): WasmUnavailable | null {
  return wasmRuntime() ? null : (failure ?? notYet);
}
