// Helpers shared by the op families: plain-number operands, dtype agreement, fresh outputs, unary maps.

import ndarray, { type NdArray } from "ndarray";
import { allocate, type FloatArray } from "./dtype.ts";
import { broadcastShapes, rowMajorStrides, sizeOf, type Shape } from "./shape.ts";
import { broadcastView } from "./broadcast.ts";
import { describeTyped } from "./describe.ts";
import { scalar } from "./create.ts";
import { Tensor } from "./tensor.ts";

export type Operand = Tensor | number;

export function checkTensor(op: string, x: unknown, what = "input"): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: ${what} must be a Tensor, got ${describeTyped(x)}`);
  return x;
}

/** Brings a binary op's operands to tensors of one dtype: numbers become 0-d constants. */
export function operands(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  if (typeof a === "number" && typeof b === "number") throw new TypeError(`${op}: at least one operand must be a Tensor`);
  const ta = typeof a === "number" ? scalar(a, (b as Tensor).dtype) : checkTensor(op, a, "first operand");
  const tb = typeof b === "number" ? scalar(b, ta.dtype) : checkTensor(op, b, "second operand");
  if (ta.dtype !== tb.dtype) throw new TypeError(`${op}: dtypes differ (${ta.dtype} and ${tb.dtype}); convert one with .to("${ta.dtype}")`);
  return [ta, tb];
}

/** A fresh row-major ndarray of the given shape and dtype of `like`. */
export function emptyLike(like: FloatArray, shape: Shape): NdArray<FloatArray> {
  const data = allocate(like instanceof Float64Array ? "float64" : "float32", sizeOf(shape));
  return ndarray(data, shape.slice(), rowMajorStrides(shape));
}

type NdBinary = (out: NdArray<FloatArray>, a: NdArray<FloatArray>, b: NdArray<FloatArray>) => void;

/** Applies an ndarray-ops binary kernel with broadcasting into a fresh contiguous array. */
export function broadcastBinary(op: string, a: Tensor, b: Tensor, kernel: NdBinary): [FloatArray, number[]] {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = emptyLike(a.data.data, shape);
  if (shape.length === 0) {
    kernel(ndarray(out.data, [1]), ndarray(a.data.data, [1], [1], a.data.offset), ndarray(b.data.data, [1], [1], b.data.offset));
  } else if (out.size > 0) {
    kernel(out, broadcastView(a, shape), broadcastView(b, shape));
  }
  return [out.data, shape];
}

/** y[i] = f(x[i]) into a fresh array (for the less common unary ops; hot ones have their own loops). */
export function mapValues(x: Tensor, f: (v: number) => number): FloatArray {
  const src = x.values();
  const out = allocate(x.dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  return out;
}

/** y[i] = f(x[i], z[i]) for two tensors of one shape, into a fresh array. */
export function zipValues(x: Tensor, z: Tensor, f: (u: number, v: number) => number): FloatArray {
  const xs = x.values();
  const zs = z.values();
  const out = allocate(x.dtype, xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = f(xs[i], zs[i]);
  return out;
}
