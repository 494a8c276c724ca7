// Elementwise loops in WebAssembly SIMD (assembly/kernels.ts): the optimizer updates and ReLU, forward and backward.
// Each runs in wasm when the backend is "wasm" and every array is a Float32Array, and otherwise as plain TS.

import { activeWasm } from "./backend.ts";
import { adadeltaStep } from "./optim-adadelta.ts";
import { adagradStep } from "./optim-adagrad.ts";
import { adamStep } from "./optim-adam.ts";
import type { Floats } from "./optim-common.ts";
import { rmspropStep } from "./optim-rmsprop.ts";
import { sgdStep } from "./optim-sgd.ts";
import { align64, type WasmRuntime } from "./wasm/runtime.ts";

/** The optimizers' exports of assembly/kernels.ts; addresses are byte offsets into the wasm memory. */
interface OptimizerKernels {
  adam(theta: number, grad: number, m: number, v: number, vmax: number, n: number, lr: number, beta1: number, beta2: number, eps: number, bc1: number, bc2: number, wd: number, flags: number): void;
  sgd(theta: number, grad: number, b: number, n: number, lr: number, momentum: number, dampening: number, wd: number, flags: number): void;
  adagrad(theta: number, grad: number, sum: number, n: number, lr: number, wd: number, eps: number, flags: number): void;
  rmsprop(theta: number, grad: number, v: number, gbar: number, b: number, n: number, lr: number, alpha: number, eps: number, wd: number, momentum: number, flags: number): void;
  adadelta(theta: number, grad: number, eg2: number, edx2: number, n: number, lr: number, rho: number, eps: number, wd: number, flags: number): void;
}

function optimizerKernels(rt: WasmRuntime): OptimizerKernels {
  return rt.kernels as unknown as OptimizerKernels;
}

/** Elements per pass through the wasm memory, so that a huge tensor needs no huge copy area. */
const BLOCK = 1 << 20;

type F32s = (Float32Array | null)[];

function allF32(arrays: (Floats | null)[]): arrays is F32s {
  return arrays.every((a) => a === null || a instanceof Float32Array);
}

/**
 * Runs `kernel(pointers, length)` over the first n elements of `arrays` (null: an unused operand,
 * pointer 0), block by block. An array that lives in the wasm memory (optimizer state from
 * `allocateLike`) is used in place; the others are copied into a scratch slot and, except the
 * `readOnly` one, copied back after.
 */
function inWasm(rt: WasmRuntime, arrays: F32s, readOnly: number, n: number, kernel: (p: number[], len: number) => void): void {
  const block = Math.min(n, BLOCK), bytes = align64(4 * block);
  const home = arrays.map((a) => (a === null ? -1 : rt.addressOf(a)));
  const area = rt.scratch(arrays.length * bytes, false);
  for (let start = 0; start < n; start += block) {
    const len = Math.min(block, n - start), end = start + len;
    const p = arrays.map((a, i) => (a === null ? 0 : home[i] >= 0 ? home[i] + 4 * start : area + i * bytes));
    arrays.forEach((a, i) => {
      if (a !== null && home[i] < 0) rt.f32.set(a.subarray(start, end), p[i] >> 2);
    });
    kernel(p, len);
    arrays.forEach((a, i) => {
      if (a !== null && i !== readOnly && home[i] < 0) a.set(rt.f32.subarray(p[i] >> 2, (p[i] >> 2) + len), start);
    });
  }
}

/*
 * The optimizer steps below take the arguments of their plain-TS twins in src/kernels/optim-*.ts and
 * do the same operations in the same order, four lanes at a time in f32x4, each rounded to float32
 * (the TS loops round once, at the store): results agree to float32 precision, not bit for bit.
 * float64 storage, or the js backend, runs the TS loop.
 */

/** adamStep (optim-adam.ts) in wasm SIMD. */
export function adamStepWasm(
  θ: Floats, offset: number, grad: Floats, n: number, m: Floats, v: Floats, vMax: Floats | null,
  α: number, β1: number, β2: number, ε: number, bc1: number, bc2: number,
  λ: number, decoupled: boolean, maximize: boolean,
): void {
  const rt = activeWasm();
  const arrays = [θ.subarray(offset, offset + n), grad, m, v, vMax];
  if (!rt || !allF32(arrays)) return adamStep(θ, offset, grad, n, m, v, vMax, α, β1, β2, ε, bc1, bc2, λ, decoupled, maximize);
  const flags = (decoupled ? 1 : 0) | (maximize ? 2 : 0) | (vMax ? 4 : 0);
  inWasm(rt, arrays, 1, n, (p, len) => optimizerKernels(rt).adam(p[0], p[1], p[2], p[3], p[4], len, α, β1, β2, ε, bc1, bc2, λ, flags));
}

/** sgdStep (optim-sgd.ts) in wasm SIMD when there is a momentum buffer; plain SGD stays in TS (as fast, and exact). */
export function sgdStepWasm(
  θ: Floats, offset: number, grad: Floats, n: number, b: Floats | null, first: boolean,
  η: number, μ: number, τ: number, nesterov: boolean, λ: number, maximize: boolean,
): void {
  const rt = activeWasm();
  const arrays = [θ.subarray(offset, offset + n), grad, b];
  if (!rt || b === null || !allF32(arrays)) return sgdStep(θ, offset, grad, n, b, first, η, μ, τ, nesterov, λ, maximize);
  const flags = (b ? 1 : 0) | (first ? 2 : 0) | (nesterov ? 4 : 0) | (maximize ? 8 : 0);
  inWasm(rt, arrays, 1, n, (p, len) => optimizerKernels(rt).sgd(p[0], p[1], p[2], len, η, μ, τ, λ, flags));
}

/** adagradStep (optim-adagrad.ts) in wasm SIMD. */
export function adagradStepWasm(θ: Floats, offset: number, grad: Floats, n: number, G: Floats, ηt: number, λ: number, ε: number, maximize: boolean): void {
  const rt = activeWasm();
  const arrays = [θ.subarray(offset, offset + n), grad, G];
  if (!rt || !allF32(arrays)) return adagradStep(θ, offset, grad, n, G, ηt, λ, ε, maximize);
  inWasm(rt, arrays, 1, n, (p, len) => optimizerKernels(rt).adagrad(p[0], p[1], p[2], len, ηt, λ, ε, maximize ? 1 : 0));
}

/** rmspropStep (optim-rmsprop.ts) in wasm SIMD. */
export function rmspropStepWasm(
  θ: Floats, offset: number, grad: Floats, n: number, v: Floats, gBar: Floats | null, b: Floats | null,
  η: number, α: number, ε: number, λ: number, μ: number, maximize: boolean,
): void {
  const rt = activeWasm();
  const arrays = [θ.subarray(offset, offset + n), grad, v, gBar, b];
  if (!rt || !allF32(arrays)) return rmspropStep(θ, offset, grad, n, v, gBar, b, η, α, ε, λ, μ, maximize);
  const flags = (gBar ? 1 : 0) | (b ? 2 : 0) | (maximize ? 4 : 0);
  inWasm(rt, arrays, 1, n, (p, len) => optimizerKernels(rt).rmsprop(p[0], p[1], p[2], p[3], p[4], len, η, α, ε, λ, μ, flags));
}

/** adadeltaStep (optim-adadelta.ts) in wasm SIMD. */
export function adadeltaStepWasm(θ: Floats, offset: number, grad: Floats, n: number, Eg2: Floats, Edx2: Floats, η: number, ρ: number, ε: number, λ: number, maximize: boolean): void {
  const rt = activeWasm();
  const arrays = [θ.subarray(offset, offset + n), grad, Eg2, Edx2];
  if (!rt || !allF32(arrays)) return adadeltaStep(θ, offset, grad, n, Eg2, Edx2, η, ρ, ε, λ, maximize);
  inWasm(rt, arrays, 1, n, (p, len) => optimizerKernels(rt).adadelta(p[0], p[1], p[2], p[3], len, η, ρ, ε, λ, maximize ? 1 : 0));
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
