// Data types a tensor can hold, and the typed arrays behind them: new, or from the free lists of arrays nobody can reach any more.

import type { FloatArray } from "../kernels/float-array.ts";

export type { FloatArray };
export type DType = "float32" | "float64";

export const DTYPES: readonly DType[] = ["float32", "float64"];

export function checkDtype(op: string, dtype: unknown): DType {
  if (dtype === "float32" || dtype === "float64") return dtype;
  throw new TypeError(`${op}: unknown dtype ${JSON.stringify(dtype)} (valid: ${DTYPES.join(", ")})`);
}

/** At most this many bytes wait on the free lists; more are left to the garbage collector. */
const FREE_BYTES_LIMIT = 64 * 2 ** 20;

/** Arrays that nobody can reach any more (see recycle.ts), by dtype and length, for allocate to hand out again. */
const freeLists: Record<DType, Map<number, FloatArray[]>> = { float32: new Map(), float64: new Map() };
/** Bytes on the free lists now, and bytes allocate has made anew or taken from them so far. */
const counts = { freeBytes: 0, madeBytes: 0, reusedBytes: 0 };
let watcher: ((array: FloatArray) => void) | null = null;

/**
 * A zero-filled array of `size` elements: one from the free lists when one of that size waits
 * there (a training step then reuses the last step's arrays instead of leaving megabytes per step
 * to the garbage collector, whose helper threads take a core from the BLAS threads), else a new one.
 */
export function allocate(dtype: DType, size: number): FloatArray {
  const free = freeLists[dtype].get(size)?.pop();
  let array: FloatArray;
  if (free === undefined) {
    array = dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
    counts.madeBytes += array.byteLength;
  } else {
    array = free.fill(0);
    counts.freeBytes -= array.byteLength;
    counts.reusedBytes += array.byteLength;
  }
  watcher?.(array);
  return array;
}

/** Puts a whole array that nobody can reach any more on the free lists: the caller vouches for that. */
export function recycle(array: FloatArray): void {
  if (array.length === 0 || counts.freeBytes + array.byteLength > FREE_BYTES_LIMIT) return;
  const lists = freeLists[dtypeOf(array)];
  const list = lists.get(array.length);
  if (list === undefined) lists.set(array.length, [array]);
  else list.push(array);
  counts.freeBytes += array.byteLength;
}

/** Calls `watch` with every array allocate hands out, until the returned function is called (backward records what it made). */
export function watchAllocations(watch: (array: FloatArray) => void): () => void {
  const previous = watcher;
  watcher = watch;
  return () => {
    watcher = previous;
  };
}

/** A copy of the byte counts (for tests and benchmarks). */
export function allocationCounts(): Readonly<typeof counts> {
  return { ...counts };
}

export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float64Array ? "float64" : "float32";
}
