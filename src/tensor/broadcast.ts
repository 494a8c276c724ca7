// Broadcasting: stride-0 views that stretch a tensor to a shape, and sumToShape, the one place it is undone.

import ndarray, { type NdArray } from "ndarray";
import { sumAxis } from "../kernels/softmax.ts";
import { allocate, type FloatArray } from "./dtype.ts";
import { fmt, sameShape, sizeOf, splitAt, type Shape } from "./shape.ts";
import { fromArray, type Tensor } from "./tensor.ts";

/** A view of t stretched to `shape` (stride 0 along broadcast dims): no copy. */
export function broadcastView(t: Tensor, shape: Shape): NdArray<FloatArray> {
  const nd = t.data;
  if (sameShape(nd.shape, shape)) return nd;
  const lead = shape.length - nd.shape.length;
  const stride = shape.map((size, i) => {
    const j = i - lead;
    if (j < 0) return 0;
    if (nd.shape[j] === size) return nd.stride[j];
    if (nd.shape[j] === 1) return 0;
    throw new RangeError(`broadcast: cannot stretch ${fmt(nd.shape)} to ${fmt(shape)}`);
  });
  return ndarray(nd.data, shape.slice(), stride, nd.offset);
}

/**
 * Sums a gradient of the broadcast shape back to an input's shape: over the leading dims the
 * input lacked and over the dims where it had size 1. Called by every op that broadcasts, inside
 * backward (so the result records no graph). Accumulates in float64.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims = g.shape.slice(lead);
  let values = g.values();
  if (lead > 0) values = sumAlong(values, 1, sizeOf(g.shape.slice(0, lead)), sizeOf(dims));
  for (let i = 0; i < dims.length; i++) {
    if (shape[i] !== 1 || dims[i] === 1) continue;
    const [outer, n, inner] = splitAt(dims, i);
    values = sumAlong(values, outer, n, inner);
    dims[i] = 1;
  }
  return fromArray(values, shape);
}

function sumAlong(values: FloatArray, outer: number, n: number, inner: number): FloatArray {
  const out = allocate(values instanceof Float64Array ? "float64" : "float32", outer * inner);
  sumAxis(values, out, outer, n, inner);
  return out;
}
