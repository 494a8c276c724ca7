// Reductions: sum, mean, max (all elements or along dims, with keepdim) and argmax. Accumulation is float64.

import ndarray from "ndarray";
import ops from "ndarray-ops";
import { sumAxis } from "../kernels/softmax.ts";
import { allocate } from "./dtype.ts";
import { broadcastView } from "./broadcast.ts";
import { div } from "./elementwise.ts";
import { checkTensor } from "./operand.ts";
import { normalizeDim, rowMajorStrides, splitAt, type Shape } from "./shape.ts";
import { fromArray, fromOp, type Tensor } from "./tensor.ts";
import { reshape } from "./views.ts";

/** A contiguous copy of g stretched to `shape` (the backward of every reduction). */
export function expandTo(g: Tensor, shape: Shape): Tensor {
  const out = allocate(g.dtype, shape.reduce((a, b) => a * b, 1));
  if (out.length > 0) ops.assign(ndarray(out, shape.slice(), rowMajorStrides(shape)), broadcastView(g, shape));
  return fromArray(out, shape);
}

function keptShape(shape: Shape, dim: number, keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (i === dim ? 1 : d)) : shape.filter((_, i) => i !== dim);
}

function dimList(op: string, x: Tensor, dim: number | readonly number[]): number[] {
  const dims = (typeof dim === "number" ? [dim] : [...dim]).map((d) => normalizeDim(op, d, x.ndim));
  if (new Set(dims).size !== dims.length) throw new RangeError(`${op}: dim ${JSON.stringify(dim)} names a dim twice`);
  return dims.sort((a, b) => b - a);
}

/** Sum of all elements (a 0-d tensor), or along `dim` (a number or a list). The gradient is g broadcast back. */
export function sum(x: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  checkTensor("sum", x);
  if (dim == null) {
    const values = allocate(x.dtype, 1);
    sumAxis(x.values(), values, 1, x.size, 1);
    return fromOp("sum", values, keepdim ? x.shape.map(() => 1) : [], [x], (g) => [expandTo(g, x.shape)], []);
  }
  const dims = dimList("sum", x, dim);
  let out = x;
  for (const d of dims) out = sumAlong(out, d, true);
  return keepdim ? out : reshape(out, x.shape.filter((_, i) => !dims.includes(i)));
}

function sumAlong(x: Tensor, dim: number, keepdim: boolean): Tensor {
  const [outer, n, inner] = splitAt(x.shape, dim);
  const values = allocate(x.dtype, outer * inner);
  sumAxis(x.values(), values, outer, n, inner);
  const kept = keptShape(x.shape, dim, true);
  return fromOp("sum", values, keptShape(x.shape, dim, keepdim), [x], (g) => [expandTo(reshape(g, kept), x.shape)], []);
}

/** Mean of all elements, or along `dim`: the sum divided by the number of elements summed. */
export function mean(x: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  checkTensor("mean", x);
  const count = dim == null ? x.size : dimList("mean", x, dim).reduce((n, d) => n * (x.shape[d] ?? 1), 1); // a 0-d tensor has no x.shape[0]
  return div(sum(x, dim, keepdim), count);
}

/** Largest element (0-d), or the largest along `dim` (values only; see argmax). The gradient goes to the argmax. */
export function max(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  checkTensor("max", x);
  if (x.size === 0) throw new RangeError("max: the tensor is empty (a max of no elements is undefined)");
  if (dim == null) {
    const flat = max(reshape(x, x.size), 0, false);
    return keepdim ? reshape(flat, x.shape.map(() => 1)) : flat;
  }
  const d = normalizeDim("max", dim, x.ndim);
  const [outer, n, inner] = splitAt(x.shape, d);
  const src = x.values();
  const values = allocate(x.dtype, outer * inner);
  const index = new Int32Array(outer * inner);
  argmaxAxis(src, outer, n, inner, index);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) values[o * inner + i] = src[o * n * inner + index[o * inner + i] * inner + i];
  return fromOp("max", values, keptShape(x.shape, d, keepdim), [x], (g) => {
    const gv = g.values();
    const gx = allocate(x.dtype, x.size);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) gx[o * n * inner + index[o * inner + i] * inner + i] = gv[o * inner + i];
    return [fromArray(gx, x.shape)];
  }, []);
}

/** Index of the largest element along `dim` (of the flattened tensor without a dim), as a float tensor with no gradient. The first wins ties. */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  checkTensor("argmax", x);
  if (x.size === 0) throw new RangeError("argmax: the tensor is empty");
  if (dim == null) return argmax(reshape(x, x.size), 0, false);
  const d = normalizeDim("argmax", dim, x.ndim);
  const [outer, n, inner] = splitAt(x.shape, d);
  const index = new Int32Array(outer * inner);
  argmaxAxis(x.values(), outer, n, inner, index);
  return fromArray(Float32Array.from(index), keptShape(x.shape, d, keepdim));
}

function argmaxAxis(src: ArrayLike<number>, outer: number, n: number, inner: number, index: Int32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = 0;
      let bestValue = src[base];
      for (let j = 1; j < n; j++) {
        const v = src[base + j * inner];
        if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue))) {
          best = j;
          bestValue = v;
        }
      }
      index[o * inner + i] = best;
    }
  }
}
