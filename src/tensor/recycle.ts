// Gradient arrays that backward made and consumed, kept for the next backward to make its own in.
//
// A training step's backward makes one array per gradient between layers (megabytes for a wide
// MLP or a CNN) and drops each as soon as the op below has used it. Left to the garbage collector,
// that memory comes back through full collections whose helper threads take a core from the BLAS
// threads. Backward instead hands such arrays to a free list here, and `allocate` takes from it
// while a backward runs, so from the second step on a step's backward allocates almost nothing.
//
// Only arrays nobody else can reach are recycled: made by `allocate` during this backward, held by
// no pending gradient, never adopted as a leaf's .grad, never given to a custom op's backward
// (which may keep it). The engine counts holders per ArrayBuffer, so views (reshape, transpose) and
// one gradient passed to two inputs (add) keep their array alive.

import { dtypeOf, newArray, setAllocator, type Allocator, type DType, type FloatArray } from "./dtype.ts";
import type { Tensor } from "./tensor.ts";

/** At most this many bytes wait on the free lists; more are left to the garbage collector. */
const FREE_BYTES_LIMIT = 64 * 2 ** 20;

const freeLists = new Map<string, FloatArray[]>();
/** What the free lists hold, and how many arrays backward's allocations made anew or reused so far. */
const stats = { freeBytes: 0, made: 0, reused: 0 };

const listKey = (dtype: DType, size: number): string => `${dtype}:${size}`;

/** The arrays of one backward call: what it allocated, and how many pending gradients hold each. */
export class BackwardArrays {
  /** Made by allocate during this backward and still recyclable, by buffer. */
  private readonly fresh = new Map<ArrayBufferLike, FloatArray>();
  private readonly holders = new Map<ArrayBufferLike, number>();
  private previousAllocator: Allocator | null = null;

  /** From now until end(), allocate() takes from the free lists and records what it hands out. */
  begin(): void {
    this.previousAllocator = setAllocator((dtype, size) => this.take(dtype, size));
  }

  end(): void {
    setAllocator(this.previousAllocator);
    this.fresh.clear();
    this.holders.clear();
  }

  /** g is now a pending gradient (stored for a node). */
  hold(g: Tensor): void {
    const buffer = g.data.data.buffer;
    this.holders.set(buffer, (this.holders.get(buffer) ?? 0) + 1);
  }

  /** g is no longer a pending gradient (consumed, or added into a new one). */
  unhold(g: Tensor): void {
    const buffer = g.data.data.buffer;
    const n = (this.holders.get(buffer) ?? 1) - 1;
    if (n > 0) this.holders.set(buffer, n);
    else this.holders.delete(buffer);
  }

  /** Puts g's array on the free lists if this backward made it and no pending gradient holds it. */
  recycleIfFree(g: Tensor): void {
    const buffer = g.data.data.buffer;
    if (this.holders.has(buffer)) return;
    const array = this.fresh.get(buffer);
    if (array === undefined) return;
    this.fresh.delete(buffer);
    if (stats.freeBytes + array.byteLength > FREE_BYTES_LIMIT) return;
    const key = listKey(dtypeOf(array), array.length);
    const list = freeLists.get(key);
    if (list === undefined) freeLists.set(key, [array]);
    else list.push(array);
    stats.freeBytes += array.byteLength;
  }

  /** g's array now belongs to someone else (a leaf's .grad, a custom op): never recycle it. */
  keep(g: Tensor): void {
    this.fresh.delete(g.data.data.buffer);
  }

  private take(dtype: DType, size: number): FloatArray {
    const array = freeLists.get(listKey(dtype, size))?.pop();
    const out = array === undefined ? newArray(dtype, size) : array.fill(0);
    if (array === undefined) stats.made++;
    else {
      stats.reused++;
      stats.freeBytes -= array.byteLength;
    }
    if (size > 0) this.fresh.set(out.buffer, out);
    return out;
  }
}

/** A copy of the counts (for tests and benchmarks). */
export function recycleStats(): Readonly<typeof stats> {
  return { ...stats };
}
