// Runs an optimizer's SIMD twin (assembly/optim/<name>.ts) on float32 storage under the wasm backend.

import { runRecordKernel } from "../kernels/vector-wasm.ts";
import type { FloatArray } from "../tensor/index.ts";
import { ARGS_BYTES, Flag, STAGE_BYTES } from "./simd-abi.ts";

/** An args layout of simd-abi.ts (field name → index); every record has θ and g. */
interface Layout {
  theta: number;
  grad: number;
}

/** The fields an optimizer gives its twin, by name: every field of its layout but θ and g. */
export type TwinFields<L> = { [K in Exclude<keyof L, "theta" | "grad">]: number | FloatArray | null };

/**
 * Runs the wasm export `kernel` over θ[offset, offset + n) and g with the other `fields` of its
 * args record, if it can (wasm backend, float32 everywhere). Returns true when it ran; false when it
 * did nothing and the caller must run its own loop (the reference: js backend, float64).
 */
export function twin<L extends Layout>(kernel: string, layout: L, θ: FloatArray, offset: number, g: FloatArray, n: number, fields: TwinFields<L>): boolean {
  if (!(θ instanceof Float32Array)) return false; // float64: the reference loop, before building anything
  const index = layout as unknown as Record<string, number>;
  const record: (number | FloatArray | null)[] = [];
  // A parameter's own storage is the whole array: a view of it (a ResidentArray's, at that) would be made every step for nothing.
  record[layout.theta] = offset === 0 && θ.length === n ? θ : θ.subarray(offset, offset + n);
  record[layout.grad] = g;
  for (const name in fields) record[index[name]] = fields[name as keyof TwinFields<L>];
  return runRecordKernel(kernel, record, layout.grad, n, ARGS_BYTES + STAGE_BYTES);
}

/** The `flags` field: the bits (simd-abi.ts's Flag) of the switches that are on. */
export function flags(on: { [F in keyof typeof Flag]?: boolean }): number {
  let bits = 0;
  for (const name in on) if (on[name as keyof typeof Flag]) bits |= Flag[name as keyof typeof Flag];
  return bits;
}
