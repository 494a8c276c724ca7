// Elementwise loops in WebAssembly SIMD: ReLU forward and backward, and the runner of kernels that
// take an args record (the optimizers' SIMD twins, assembly/optim/).
// Each runs in wasm when the backend is "wasm" and every array is a Float32Array; otherwise ReLU runs
// as plain TS and the runner reports that it did nothing.

import { activeWasm } from "./backend.ts";
import { align64, type WasmRuntime } from "./wasm/runtime.ts";
import type { FloatArray } from "./float-array.ts";

/** Elements per pass through the wasm memory, so that a huge tensor needs no huge copy area. */
const BLOCK = 1 << 20;

/** A wasm export over n elements whose every other argument sits in an args record at `args`. */
type RecordKernel = (args: number, n: number) => void;

/**
 * Calls the wasm export `name(args, len)` block by block over n elements. `fields` are written at
 * `args` as a row of f64: numbers as they are, arrays as the byte address of the block's first
 * element (0 for null: an unused buffer). An array that lives in the wasm memory (from
 * allocateLongLived) is used in place; the others are copied into scratch and, except
 * `fields[readOnly]`, copied back after. `reserved` bytes at `args` belong to the kernel (the record
 * and any staging area it uses). Returns false, doing nothing, when the wasm backend is off or an
 * array is not a Float32Array: the caller then runs its own loop.
 */
export function runRecordKernel(name: string, fields: readonly (number | FloatArray | null)[], readOnly: number, n: number, reserved: number): boolean {
  const rt = activeWasm();
  if (!rt) return false;
  for (const f of fields) if (f !== null && typeof f !== "number" && !(f instanceof Float32Array)) return false;
  const kernel = exported(rt, name);
  const block = Math.min(n, BLOCK), bytes = align64(4 * block), head = align64(reserved);
  // Each array's home in the wasm memory (-1: none, it is copied into slot k of the scratch area).
  const home = new Array<number>(fields.length).fill(-1), slot = home.slice();
  let copies = 0;
  fields.forEach((f, i) => {
    if (!(f instanceof Float32Array)) return;
    home[i] = rt.addressOf(f);
    if (home[i] < 0) slot[i] = copies++;
  });
  const args = rt.scratch(head + copies * bytes, false);
  const record = recordView(rt, args, fields.length);
  for (let start = 0; start < n; start += block) {
    const len = Math.min(block, n - start);
    fields.forEach((f, i) => {
      if (f === null) record[i] = 0;
      else if (typeof f === "number") record[i] = f;
      else if (home[i] >= 0) record[i] = home[i] + 4 * start;
      else {
        record[i] = args + head + slot[i] * bytes;
        rt.f32.set(f.subarray(start, start + len), record[i] >> 2);
      }
    });
    kernel(args, len);
    fields.forEach((f, i) => {
      if (slot[i] >= 0 && i !== readOnly) (f as Float32Array).set(rt.f32.subarray(record[i] >> 2, (record[i] >> 2) + len), start);
    });
  }
  return true;
}

let f64: Float64Array | null = null;

/** A Float64Array over the record's `length` fields at byte `at` (8-aligned), on a view kept while the memory does not grow. */
function recordView(rt: WasmRuntime, at: number, length: number): Float64Array {
  if (f64 === null || f64.buffer !== rt.f32.buffer) f64 = new Float64Array(rt.f32.buffer);
  return f64.subarray(at >> 3, (at >> 3) + length);
}

function exported(rt: WasmRuntime, name: string): RecordKernel {
  const kernel = (rt.kernels as unknown as Record<string, unknown>)[name];
  if (typeof kernel !== "function") throw new Error(`ndgrad: the wasm module has no kernel "${name}" (rebuild it: npm run prepare)`);
  return kernel as RecordKernel;
}

/**
 * out[i] = x[i] > 0 ? x[i] : 0 for i < n (out may be x). On random signs the JS loop mispredicts
 * every other branch; the wasm loop has no branch, and the copies cost less than the mispredictions.
 */
export function reluWasm(x: FloatArray, out: FloatArray, n = x.length): void {
  const rt = activeWasm();
  if (!rt || !(x instanceof Float32Array && out instanceof Float32Array)) {
    for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
    return;
  }
  const block = Math.min(n, BLOCK), p = rt.scratch(4 * block, false);
  for (let start = 0; start < n; start += block) {
    const len = Math.min(block, n - start);
    rt.f32.set(x.subarray(start, start + len), p >> 2);
    rt.kernels.relu(p, p, len);
    out.set(rt.f32.subarray(p >> 2, (p >> 2) + len), start);
  }
}

/** gx[i] = y[i] > 0 ? g[i] : 0 for i < n, with y = relu(x) (gx may be g). */
export function reluBackwardWasm(y: FloatArray, g: FloatArray, gx: FloatArray, n = y.length): void {
  const rt = activeWasm();
  if (!rt || !(y instanceof Float32Array && g instanceof Float32Array && gx instanceof Float32Array)) {
    for (let i = 0; i < n; i++) gx[i] = y[i] > 0 ? g[i] : 0;
    return;
  }
  const block = Math.min(n, BLOCK), bytes = align64(4 * block), py = rt.scratch(2 * bytes, false), pg = py + bytes;
  for (let start = 0; start < n; start += block) {
    const len = Math.min(block, n - start);
    rt.f32.set(y.subarray(start, start + len), py >> 2);
    rt.f32.set(g.subarray(start, start + len), pg >> 2);
    rt.kernels.reluBackward(py, pg, pg, len);
    gx.set(rt.f32.subarray(pg >> 2, (pg >> 2) + len), start);
  }
}
