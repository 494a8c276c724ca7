// Shape ops: reshape, transpose, T, flatten, unsqueeze, squeeze, row selection, detach, dtype conversion.

import ndarray from "ndarray";
import { allocate, checkDtype, type DType } from "./dtype.ts";
import { checkTensor } from "./operand.ts";
import { checkShape, fmt, normalizeDim, rowMajorStrides, sizeOf, splitAt } from "./shape.ts";
import { fromArray, fromOp, Tensor, viewOp } from "./tensor.ts";

/** The same elements in a new shape (one dim may be −1). A view when x is contiguous, a copy otherwise. */
export function reshape(x: Tensor, ...shapeArgs: number[] | [readonly number[]]): Tensor {
  checkTensor("reshape", x);
  const requested = Array.isArray(shapeArgs[0]) ? [...(shapeArgs[0] as readonly number[])] : (shapeArgs as number[]);
  const shape = inferShape(x, requested);
  const back = (g: Tensor) => [reshape(g, x.shape)];
  if (!x.isContiguous()) return fromOp("reshape", x.values(), shape, [x], back, []);
  return viewOp("reshape", x, ndarray(x.values(), shape, rowMajorStrides(shape)), back);
}

function inferShape(x: Tensor, requested: number[]): number[] {
  const cannot = () => new RangeError(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(requested)}`);
  const free = requested.filter((d) => d === -1).length;
  if (free > 1) throw new RangeError(`reshape: only one dim may be -1, got ${fmt(requested)}`);
  checkShape("reshape", requested.map((d) => (d === -1 ? 0 : d)));
  const known = sizeOf(requested.filter((d) => d !== -1));
  if (free === 0) {
    if (known !== x.size) throw cannot();
    return requested;
  }
  if (known === 0 || x.size % known !== 0) throw cannot();
  return requested.map((d) => (d === -1 ? x.size / known : d));
}

/** Swaps two dims: a view (no copy). */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor("transpose", x);
  const d0 = normalizeDim("transpose", dim0, x.ndim);
  const d1 = normalizeDim("transpose", dim1, x.ndim);
  const order = x.shape.map((_, i) => (i === d0 ? d1 : i === d1 ? d0 : i));
  return viewOp("transpose", x, x.data.transpose(...order), (g) => [transpose(g, d0, d1)]);
}

/** x.T: a 2-D transpose (dims reversed for other ranks, as PyTorch's deprecated form). */
export function T(x: Tensor): Tensor {
  return x.ndim === 2 ? transpose(x, 0, 1) : x.ndim < 2 ? x : permute(x, x.shape.map((_, i) => x.ndim - 1 - i));
}

/** Reorders the dims: out.shape[i] = x.shape[dims[i]]. A view. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor("permute", x);
  const order = dims.map((d) => normalizeDim("permute", d, x.ndim));
  if (order.length !== x.ndim || new Set(order).size !== x.ndim) throw new RangeError(`permute: ${fmt(dims)} is not a permutation of the ${x.ndim} dims of ${fmt(x.shape)}`);
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return viewOp("permute", x, x.data.transpose(...order), (g) => [permute(g, inverse)]);
}

/** Merges dims startDim..endDim into one (all of them by default). */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor("flatten", x);
  if (x.ndim === 0) return reshape(x, 1);
  const s = normalizeDim("flatten", startDim, x.ndim);
  const e = normalizeDim("flatten", endDim, x.ndim);
  if (s > e) throw new RangeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Inserts a dim of size 1 at `dim`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim("unsqueeze", dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Removes size-1 dims (all of them, or just `dim`). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = normalizeDim("squeeze", dim, x.ndim);
  return x.shape[d] === 1 ? reshape(x, x.shape.filter((_, i) => i !== d)) : x;
}

/**
 * The entries at `indices` along `dim` (rows for dim 0: how a batch is gathered). The gradient is
 * scattered back, summing where an index repeats.
 */
export function indexSelect(x: Tensor, dim: number, indices: ArrayLike<number> | Tensor): Tensor {
  checkTensor("indexSelect", x);
  const d = normalizeDim("indexSelect", dim, x.ndim);
  const idx = indices instanceof Tensor ? indices.values() : indices;
  const [outer, n, inner] = splitAt(x.shape, d);
  for (let j = 0; j < idx.length; j++) {
    if (!Number.isInteger(idx[j]) || idx[j] < 0 || idx[j] >= n) {
      throw new RangeError(`indexSelect: index ${idx[j]} at position ${j} is out of range for dim ${dim} of size ${n} (valid: 0 to ${n - 1})`);
    }
  }
  const src = x.values();
  const shape = x.shape.map((s, i) => (i === d ? idx.length : s));
  const out = allocate(x.dtype, outer * idx.length * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < idx.length; j++) {
      const from = (o * n + idx[j]) * inner;
      out.set(src.subarray(from, from + inner), (o * idx.length + j) * inner);
    }
  }
  return fromOp("indexSelect", out, shape, [x], (g) => {
    const gv = g.values();
    const gx = allocate(x.dtype, x.size);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < idx.length; j++) {
        const to = (o * n + idx[j]) * inner;
        const from = (o * idx.length + j) * inner;
        for (let i = 0; i < inner; i++) gx[to + i] += gv[from + i];
      }
    }
    return [fromArray(gx, x.shape)];
  }, []);
}

/** The same storage (and version counter), cut from the graph: no gradFn, no requiresGrad. */
export function detach(x: Tensor): Tensor {
  return new Tensor(x.data, false, x.versionCounter());
}

/** A copy converted to `dtype` (the same tensor when it already has it). The gradient converts back. */
export function to(x: Tensor, dtype: DType): Tensor {
  checkDtype("to", dtype);
  if (x.dtype === dtype) return x;
  const out = allocate(dtype, x.size);
  out.set(x.values());
  return fromOp("to", out, x.shape, [x], (g) => [to(g, x.dtype)], []);
}

/** A contiguous copy that shares nothing with x (still in the graph). */
export function clone(x: Tensor): Tensor {
  return fromOp("clone", x.values().slice(), x.shape, [x], (g) => [g], []);
}
