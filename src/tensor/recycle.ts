// Which arrays backward may give back to allocate's free lists (dtype.ts) once it is done with them.
//
// A training step makes megabytes of arrays: the activations of the forward, the gradients between
// layers of the backward. Left to the garbage collector, they come back through collections whose
// helper threads take a core from the BLAS threads. Backward gives back two kinds, so that from the
// second step on a step takes its arrays from the free lists:
// - a gradient between layers, once the op below has used it: made by allocate during this
//   backward, held by no pending gradient (holders are counted per ArrayBuffer, so a view of it, or
//   one gradient passed to two inputs by add, keeps it), never adopted as a leaf's .grad, never
//   given to or returned by a custom op's backward (which may keep it);
// - an intermediate, once the ops that read it have run their backward: the output of one layer of
//   a Sequential read only by the next (markIntermediate), in an array of its own (not a view).

import { recycle, watchAllocations, type FloatArray } from "./dtype.ts";
import type { Tensor } from "./tensor.ts";

/** Outputs that only the graph reaches: no caller, no layer keeps them (see nn/sequential.ts). */
const intermediates = new WeakSet<Tensor>();

/** t is read by nothing but the ops recorded in the graph: backward may give its array back once they have run. */
export function markIntermediate(t: Tensor): void {
  intermediates.add(t);
}

/** The arrays of one backward call: what it allocated, and how many pending gradients hold each. */
export class BackwardArrays {
  /** Arrays this backward may give back, by buffer: made by allocate during it, or intermediates' arrays. */
  private readonly fresh = new Map<ArrayBufferLike, FloatArray>();
  private readonly holders = new Map<ArrayBufferLike, number>();
  private unwatch: (() => void) | null = null;

  /** From now until end(), records every array allocate hands out. */
  begin(): void {
    this.unwatch = watchAllocations((array) => {
      if (array.length > 0) this.fresh.set(array.buffer, array);
    });
  }

  end(): void {
    this.unwatch?.();
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

  /**
   * Node t's backward has run: every op that read t ran its backward before (reverse topological
   * order), so an intermediate's array is free, if it is t's own: whole, and no input's storage.
   */
  doneWith(t: Tensor): void {
    if (!intermediates.has(t) || t.gradFn === null || !t.gradFn.recycles) return;
    const array = t.data.data;
    if (array.byteOffset !== 0 || array.byteLength !== array.buffer.byteLength) return;
    if (t.gradFn.inputs.some((input) => input.data.data.buffer === array.buffer)) return;
    this.fresh.set(array.buffer, array);
  }

  /** Gives g's array back if this backward may and no pending gradient holds it. */
  recycleIfFree(g: Tensor): void {
    const buffer = g.data.data.buffer;
    if (this.holders.has(buffer)) return;
    const array = this.fresh.get(buffer);
    if (array === undefined) return;
    this.fresh.delete(buffer);
    recycle(array);
  }

  /** g's array now belongs to someone else (a leaf's .grad, a custom op): never give it back. */
  keep(g: Tensor): void {
    this.fresh.delete(g.data.data.buffer);
  }
}
