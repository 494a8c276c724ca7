// Elementwise loops in WebAssembly SIMD (assembly/kernels.ts): the Adam update and ReLU, forward and backward.
// Each runs in wasm when the backend is "wasm" and every array is a Float32Array, and otherwise as plain TS.

import { activeWasm } from "./backend.ts";
import { adamStep } from "./optim-adam.ts";
import type { Floats } from "./optim-common.ts";
import { align64 } from "./wasm/runtime.ts";

/** Elements per pass through the wasm memory, so that a huge tensor needs no huge copy area. */
const BLOCK = 1 << 20;

/**
 * adamStep (src/kernels/optim-adam.ts) with the same arguments and, bit for bit, the same result:
 * the wasm loop does the same double-precision operations in the same order, two lanes at a time.
 */
export function adamStepWasm(
  θ: Floats, offset: number, grad: Floats, n: number, m: Floats, v: Floats, vMax: Floats | null,
  α: number, β1: number, β2: number, ε: number, bc1: number, bc2: number,
  λ: number, decoupled: boolean, maximize: boolean,
): void {
  const rt = activeWasm();
  if (!rt || !(θ instanceof Float32Array && grad instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array && (vMax === null || vMax instanceof Float32Array))) {
    adamStep(θ, offset, grad, n, m, v, vMax, α, β1, β2, ε, bc1, bc2, λ, decoupled, maximize);
    return;
  }
  const flags = (decoupled ? 1 : 0) | (maximize ? 2 : 0) | (vMax ? 4 : 0);
  const block = Math.min(n, BLOCK), bytes = align64(4 * block);
  const [pθ, pg, pm, pv, pmax] = [0, 1, 2, 3, 4].map((i) => rt.dataOffset + i * bytes);
  rt.reserve(rt.dataOffset + 5 * bytes);
  for (let start = 0; start < n; start += block) {
    const len = Math.min(block, n - start), end = start + len;
    const mem = rt.f32;
    mem.set(θ.subarray(offset + start, offset + end), pθ >> 2);
    mem.set(grad.subarray(start, end), pg >> 2);
    mem.set(m.subarray(start, end), pm >> 2);
    mem.set(v.subarray(start, end), pv >> 2);
    if (vMax) mem.set(vMax.subarray(start, end), pmax >> 2);
    rt.kernels.adam(pθ, pg, pm, pv, pmax, len, α, β1, β2, ε, bc1, bc2, λ, flags);
    θ.set(mem.subarray(pθ >> 2, (pθ >> 2) + len), offset + start);
    m.set(mem.subarray(pm >> 2, (pm >> 2) + len), start);
    v.set(mem.subarray(pv >> 2, (pv >> 2) + len), start);
    if (vMax) vMax.set(mem.subarray(pmax >> 2, (pmax >> 2) + len), start);
  }
}

/** out[i] = x[i] > 0 ? x[i] : 0 for i < n (out may be x). */
export function reluWasm(x: Float32Array, out: Float32Array, n = x.length): void {
  const rt = activeWasm();
  if (!rt) {
    for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
    return;
  }
  const block = Math.min(n, BLOCK), p = rt.dataOffset;
  rt.reserve(p + 4 * block);
  for (let start = 0; start < n; start += block) {
    const len = Math.min(block, n - start);
    rt.f32.set(x.subarray(start, start + len), p >> 2);
    rt.kernels.relu(p, p, len);
    out.set(rt.f32.subarray(p >> 2, (p >> 2) + len), start);
  }
}

/** gx[i] = y[i] > 0 ? g[i] : 0 for i < n, with y = relu(x) (gx may be g). */
export function reluBackwardWasm(y: Float32Array, g: Float32Array, gx: Float32Array, n = y.length): void {
  const rt = activeWasm();
  if (!rt) {
    for (let i = 0; i < n; i++) gx[i] = y[i] > 0 ? g[i] : 0;
    return;
  }
  const block = Math.min(n, BLOCK), bytes = align64(4 * block), py = rt.dataOffset, pg = py + bytes;
  rt.reserve(pg + bytes);
  for (let start = 0; start < n; start += block) {
    const len = Math.min(block, n - start);
    rt.f32.set(y.subarray(start, start + len), py >> 2);
    rt.f32.set(g.subarray(start, start + len), pg >> 2);
    rt.kernels.reluBackward(py, pg, pg, len);
    gx.set(rt.f32.subarray(pg >> 2, (pg >> 2) + len), start);
  }
}
