// Data types a tensor can hold, and the typed arrays behind them.

import type { FloatArray } from "../kernels/float-array.ts";

export type { FloatArray };
export type DType = "float32" | "float64";

export const DTYPES: readonly DType[] = ["float32", "float64"];

export function checkDtype(op: string, dtype: unknown): DType {
  if (dtype === "float32" || dtype === "float64") return dtype;
  throw new TypeError(`${op}: unknown dtype ${JSON.stringify(dtype)} (valid: ${DTYPES.join(", ")})`);
}

export function allocate(dtype: DType, size: number): FloatArray {
  return dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
}

export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float64Array ? "float64" : "float32";
}
