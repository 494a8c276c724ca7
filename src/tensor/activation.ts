// Activations: relu leakyRelu sigmoid tanh gelu, and softmax / logSoftmax along any dim.

import { softmaxAxis } from "../kernels/softmax.ts";
import { reluBackwardWasm, reluWasm } from "../kernels/vector-wasm.ts";
import { erf } from "./erf.ts";
import { allocate } from "./dtype.ts";
import { checkTensor, mapValues, zipValues } from "./operand.ts";
import { normalizeDim, splitAt } from "./shape.ts";
import { fromArray, fromOp, type Tensor } from "./tensor.ts";

/** max(x, 0). The gradient passes where x > 0. */
export function relu(x: Tensor): Tensor {
  checkTensor("relu", x);
  const src = x.values();
  const out = allocate(x.dtype, src.length);
  reluWasm(src, out);
  return fromOp("relu", out, x.shape, [x], (g) => {
    const gx = allocate(x.dtype, out.length);
    reluBackwardWasm(out, g.values(), gx);
    return [fromArray(gx, x.shape)];
  }, []);
}

/** x for x > 0, else negativeSlope·x (default 0.01, as PyTorch). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkTensor("leakyRelu", x);
  if (typeof negativeSlope !== "number" || Number.isNaN(negativeSlope)) throw new TypeError(`leakyRelu: negativeSlope must be a number, got ${typeof negativeSlope === "string" ? JSON.stringify(negativeSlope) : String(negativeSlope)}`);
  const s = negativeSlope;
  return fromOp("leakyRelu", mapValues(x, (v) => (v > 0 ? v : s * v)), x.shape, [x], (g) => [
    fromArray(zipValues(g, x, (gv, v) => (v > 0 ? gv : s * gv)), x.shape),
  ]);
}

/** 1/(1+e⁻ˣ), computed without overflow for large |x|. d/dx = σ(1−σ). */
export function sigmoid(x: Tensor): Tensor {
  checkTensor("sigmoid", x);
  const out = fromOp("sigmoid", mapValues(x, stableSigmoid), x.shape, [x], (g) => [
    fromArray(zipValues(g, out, (gv, s) => gv * s * (1 - s)), x.shape),
  ], []);
  return out;
}

export function stableSigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** tanh x. d/dx = 1 − tanh²x. */
export function tanh(x: Tensor): Tensor {
  checkTensor("tanh", x);
  const out = fromOp("tanh", mapValues(x, Math.tanh), x.shape, [x], (g) => [
    fromArray(zipValues(g, out, (gv, t) => gv * (1 - t * t)), x.shape),
  ], []);
  return out;
}

const INV_SQRT2 = 1 / Math.SQRT2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** GELU, the exact form x·Φ(x) with Φ(x) = ½(1 + erf(x/√2)). d/dx = Φ(x) + x·φ(x). */
export function gelu(x: Tensor): Tensor {
  checkTensor("gelu", x);
  return fromOp("gelu", mapValues(x, (v) => v * 0.5 * (1 + erf(v * INV_SQRT2))), x.shape, [x], (g) => [
    fromArray(zipValues(g, x, (gv, v) => gv * (0.5 * (1 + erf(v * INV_SQRT2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v))), x.shape),
  ]);
}

/** softmax along `dim` (default −1), max-shifted. Backward: s ⊙ (g − Σ g⊙s). */
export function softmax(x: Tensor, dim = -1): Tensor {
  checkTensor("softmax", x);
  const [outer, n, inner] = splitAt(x.shape, normalizeDim("softmax", dim, x.ndim));
  const s = allocate(x.dtype, x.size);
  softmaxAxis(x.values(), s, outer, n, inner, false);
  return fromOp("softmax", s, x.shape, [x], (g) => {
    const gv = g.values();
    const gx = allocate(x.dtype, s.length);
    forEachLane(outer, n, inner, (base) => {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += gv[base + j * inner] * s[base + j * inner];
      for (let j = 0; j < n; j++) gx[base + j * inner] = s[base + j * inner] * (gv[base + j * inner] - dot);
    });
    return [fromArray(gx, x.shape)];
  }, []);
}

/** log-softmax along `dim` (default −1): x − max − log Σ exp(x − max). Backward: g − softmax ⊙ Σ g. */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  checkTensor("logSoftmax", x);
  const [outer, n, inner] = splitAt(x.shape, normalizeDim("logSoftmax", dim, x.ndim));
  const y = allocate(x.dtype, x.size);
  softmaxAxis(x.values(), y, outer, n, inner, true);
  return fromOp("logSoftmax", y, x.shape, [x], (g) => {
    const gv = g.values();
    const gx = allocate(x.dtype, y.length);
    forEachLane(outer, n, inner, (base) => {
      let total = 0;
      for (let j = 0; j < n; j++) total += gv[base + j * inner];
      for (let j = 0; j < n; j++) gx[base + j * inner] = gv[base + j * inner] - Math.exp(y[base + j * inner]) * total;
    });
    return [fromArray(gx, x.shape)];
  }, []);
}

/** Calls fn with the start of every lane along the middle axis of [outer, n, inner]. */
function forEachLane(outer: number, n: number, inner: number, fn: (base: number) => void): void {
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) fn(o * n * inner + i);
}
