// Elementwise loops in WebAssembly SIMD: ReLU forward and backward, and the runner of kernels that
// take an args record (the optimizers' SIMD twins, assembly/optim/).
// Each runs in wasm when the backend is "wasm" and every array is a Float32Array; otherwise ReLU runs
// as plain TS and the runner reports that it did nothing.

import { activeWasm } from "./backend.ts";
import { align64, type WasmRuntime } from "./wasm/runtime.ts";

type Floats = Float32Array | Float64Array;

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
export function runRecordKernel(name: string, fields: readonly (number | Floats | null)[], readOnly: number, n: number, reserved: number): boolean {
  const rt = activeWasm();
  if (!rt) return false;
  const arrays: number[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f === null || typeof f === "number") continue;
    if (!(f instanceof Float32Array)) return false;
    arrays.push(i);
  }
  const kernel = exported(rt, name);
  const block = Math.min(n, BLOCK), bytes = align64(4 * block), head = align64(reserved);
  const home = fields.map((f) => (f instanceof Float32Array ? rt.addressOf(f) : -1));
  const copied = arrays.filter((i) => home[i] < 0);
  const args = rt.scratch(head + copied.length * bytes, false);
  const slot = (i: number) => args + head + copied.indexOf(i) * bytes;
  const record = new Float64Array(rt.memory.buffer, args, fields.length);
  fields.forEach((f, i) => {
    if (typeof f === "number") record[i] = f;
    else if (f === null) record[i] = 0;
  });
  for (let start = 0; start < n; start += block) {
    const len = Math.min(block, n - start), end = start + len;
    for (const i of arrays) {
      const a = fields[i] as Float32Array;
      if (home[i] >= 0) {
        record[i] = home[i] + 4 * start;
      } else {
        record[i] = slot(i);
        rt.f32.set(a.subarray(start, end), slot(i) >> 2);
      }
    }
    kernel(args, len);
    for (const i of copied) {
      if (i !== readOnly) (fields[i] as Float32Array).set(rt.f32.subarray(slot(i) >> 2, (slot(i) >> 2) + len), start);
    }
  }
  return true;
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
export function reluWasm(x: Floats, out: Floats, n = x.length): void {
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
export function reluBackwardWasm(y: Floats, g: Floats, gx: Floats, n = y.length): void {
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
