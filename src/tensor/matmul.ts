// Matrix product: 2-D, 1-D (as a row or column), and batched with broadcasting over leading dims.

import ndarray, { type NdArray } from "ndarray";
import ops from "ndarray-ops";
import { gemm } from "../kernels/index.ts";
import { allocate, type FloatArray } from "./dtype.ts";
import { broadcastView, sumToShape } from "./broadcast.ts";
import { operands } from "./operand.ts";
import { broadcastShapes, fmt, rowMajorStrides, sizeOf, type Shape } from "./shape.ts";
import { fromOp, type Tensor } from "./tensor.ts";
import { reshape, transpose } from "./views.ts";

/** a @ b. d/da = g @ bᵀ, d/db = aᵀ @ g (summed over broadcast batch dims). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const [x, y] = operands("matmul", a, b);
  if (x.ndim === 0 || y.ndim === 0) throw new RangeError(`matmul: ${fmt(x.shape)} @ ${fmt(y.shape)}: both operands need at least 1 dim`);
  if (x.ndim === 1) return reshape(matmul(reshape(x, 1, x.size), y), y.ndim === 1 ? [] : dropDim([...y.shape.slice(0, -2), 1, y.shape[y.ndim - 1]], -2));
  if (y.ndim === 1) return reshape(matmul(x, reshape(y, y.size, 1)), x.shape.slice(0, -1));
  const [m, k] = x.shape.slice(-2);
  const [k2, n] = y.shape.slice(-2);
  if (k !== k2) throw new RangeError(`matmul: ${fmt(x.shape)} @ ${fmt(y.shape)}: inner dimensions ${k} and ${k2} differ`);
  const batch = broadcastShapes("matmul", x.shape.slice(0, -2), y.shape.slice(0, -2));
  const outShape = [...batch, m, n];
  const out = allocate(x.dtype, sizeOf(outShape));
  if (batch.length === 0) {
    multiply2d(x.data, y.data, out, m, n, k);
  } else {
    const xs = contiguousAs(x, [...batch, m, k]);
    const ys = contiguousAs(y, [...batch, k, n]);
    for (let t = 0; t < sizeOf(batch); t++) {
      gemm({ m, n, k, a: xs, aOffset: t * m * k, lda: k, transA: false, b: ys, bOffset: t * k * n, ldb: n, transB: false, c: out, cOffset: t * m * n, ldc: n, accumulate: false });
    }
  }
  return fromOp("matmul", out, outShape, [x, y], (g) => [
    x.requiresGrad ? sumToShape(matmul(g, transpose(y, -1, -2)), x.shape) : null,
    y.requiresGrad ? sumToShape(matmul(transpose(x, -1, -2), g), y.shape) : null,
  ]);
}

function dropDim(shape: number[], dim: number): number[] {
  return shape.filter((_, i) => i !== shape.length + dim);
}

/** How a 2-D view lies in memory: row-major, or the transpose of a row-major matrix (no copy either way). */
export interface MatrixLayout {
  data: FloatArray;
  offset: number;
  ld: number;
  trans: boolean;
}

export function matrixLayout(nd: NdArray<FloatArray>): MatrixLayout | null {
  const [r, c] = nd.shape;
  const [s0, s1] = nd.stride;
  if ((s1 === 1 || c <= 1) && (r <= 1 || s0 >= c)) return { data: nd.data, offset: nd.offset, ld: r <= 1 ? Math.max(c, 1) : s0, trans: false };
  if ((s0 === 1 || r <= 1) && (c <= 1 || s1 >= r)) return { data: nd.data, offset: nd.offset, ld: c <= 1 ? Math.max(r, 1) : s1, trans: true };
  return null;
}

function asLayout(nd: NdArray<FloatArray>): MatrixLayout {
  const layout = matrixLayout(nd);
  if (layout) return layout;
  const copy = allocate(nd.data instanceof Float64Array ? "float64" : "float32", nd.size);
  ops.assign(ndarray(copy, nd.shape.slice()), nd);
  return { data: copy, offset: 0, ld: Math.max(nd.shape[1], 1), trans: false };
}

/** out[m×n] = A·B for two 2-D views, passing transposed layouts to the kernel as flags. */
function multiply2d(a: NdArray<FloatArray>, b: NdArray<FloatArray>, out: FloatArray, m: number, n: number, k: number): void {
  const la = asLayout(a);
  const lb = asLayout(b);
  gemm({ m, n, k, a: la.data, aOffset: la.offset, lda: la.ld, transA: la.trans, b: lb.data, bOffset: lb.offset, ldb: lb.ld, transB: lb.trans, c: out, cOffset: 0, ldc: n, accumulate: false });
}

function contiguousAs(t: Tensor, shape: Shape): FloatArray {
  if (t.ndim === shape.length && t.shape.every((d, i) => d === shape[i])) return t.values();
  const out = allocate(t.dtype, sizeOf(shape));
  ops.assign(ndarray(out, shape.slice(), rowMajorStrides(shape)), broadcastView(t, shape));
  return out;
}
