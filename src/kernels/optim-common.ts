// Shared pieces of the optimizer update loops: the storage type they run over and a strided fill (zeroGrad).

import { allocateLongLived } from "./backend.ts";

/** The storage of a float tensor; the kernels never see a Tensor, only its elements. */
export type Floats = Float32Array | Float64Array;

/** A zeroed buffer of the same element type as `like` (state buffers share the parameter's dtype), long-lived. */
export function allocateLike(like: Floats, n: number): Floats {
  return like instanceof Float64Array ? new Float64Array(n) : allocateLongLived(n);
}

/**
 * Writes `value` into every element of a strided view (any strides, offset allowed), so that
 * zeroGrad({ setToNone: false }) can clear a gradient in place whatever its layout.
 */
export function fillStrided(data: Floats, offset: number, shape: readonly number[], stride: readonly number[], value: number): void {
  const ndim = shape.length;
  if (ndim === 0) {
    data[offset] = value;
    return;
  }
  for (const d of shape) if (d === 0) return;
  const index = new Array<number>(ndim).fill(0);
  const last = ndim - 1;
  let at = offset;
  for (;;) {
    for (let i = 0, p = at; i < shape[last]; i++, p += stride[last]) data[p] = value;
    let d = last - 1;
    while (d >= 0) {
      index[d]++;
      at += stride[d];
      if (index[d] < shape[d]) break;
      at -= stride[d] * shape[d];
      index[d] = 0;
      d--;
    }
    if (d < 0) return;
  }
}
