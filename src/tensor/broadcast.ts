// Broadcasting: stride-0 views that stretch a tensor to a shape, and sumToShape, the one place it is undone.

import ndarray, { type NdArray } from "ndarray";
import type { FloatArray } from "./dtype.ts";
import { fmt, sameShape, type Shape } from "./shape.ts";
import { Tensor } from "./tensor.ts";

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
 * input lacked and over the dims where it had size 1. Called by every op that broadcasts.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  return g.sum(dims, true).reshape(shape.slice());
}
