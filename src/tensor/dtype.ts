// Data types a tensor can hold, and the typed arrays behind them.

import type { FloatArray } from "../kernels/float-array.ts";

export type { FloatArray };
export type DType = "float32" | "float64";

export const DTYPES: readonly DType[] = ["float32", "float64"];

export function checkDtype(op: string, dtype: unknown): DType {
  if (dtype === "float32" || dtype === "float64") return dtype;
  throw new TypeError(`${op}: unknown dtype ${JSON.stringify(dtype)} (valid: ${DTYPES.join(", ")})`);
}

/** A zero-filled array of `size` elements (from backward's free lists while a backward runs: see recycle.ts). */
export function allocate(dtype: DType, size: number): FloatArray {
  return allocator === null ? newArray(dtype, size) : allocator(dtype, size);
}

/** A new zero-filled array, never a recycled one. */
export function newArray(dtype: DType, size: number): FloatArray {
  return dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
}

export type Allocator = (dtype: DType, size: number) => FloatArray;
let allocator: Allocator | null = null;

/** Installs the allocator that allocate() defers to (null: plain new arrays); returns the one it replaces. */
export function setAllocator(next: Allocator | null): Allocator | null {
  const previous = allocator;
  allocator = next;
  return previous;
}

export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float64Array ? "float64" : "float32";
}
