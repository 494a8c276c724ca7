// Properties of the GEMM kernel seam and of matmul (2-D views of any strides, 1-D operands, broadcast batches) against a naive triple loop.

import { describe, it } from "vitest";
import * as fc from "fast-check";
import { BACKENDS, gemm, getBackend, setBackend, type Backend } from "../src/kernels/index.ts";
import { tensor, type DType, type FloatArray } from "../src/index.ts";
import {
  assertClose, assertShape, ATOL, broadcastPairArb, broadcastShape, broadcastSource, dtypeArb, makeTensor, mulberry32, ravel, roundTo,
  RTOL, runs, sizeOf, tensorSpecArb, unravel, type TensorSpec,
} from "./helpers/arbitraries.ts";

interface GemmCase {
  backend: Backend;
  dtype: DType;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Extra slots per row beyond the matrix (lda = cols + padA) and where each matrix starts. */
  padA: number;
  padB: number;
  padC: number;
  offA: number;
  offB: number;
  offC: number;
  accumulate: boolean;
  seed: number;
}

/** Every backend this platform has: "js" always, "wasm" where WebAssembly SIMD loads, "blas" where a BLAS library does (float64 runs on "blas" or "js"). */
const DEFAULT_BACKEND = getBackend();
const AVAILABLE: Backend[] = BACKENDS.filter((b) => {
  try {
    setBackend(b);
    return true;
  } catch {
    return false;
  } finally {
    setBackend(DEFAULT_BACKEND);
  }
});

function withBackend<T>(backend: Backend, fn: () => T): T {
  setBackend(backend);
  try {
    return fn();
  } finally {
    setBackend(DEFAULT_BACKEND);
  }
}

const size = fc.integer({ min: 1, max: 40 });
const pad = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }));
const offset = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 7 }));

const gemmCaseArb = (dims: fc.Arbitrary<number>): fc.Arbitrary<GemmCase> => fc.record({
  backend: fc.constantFrom(...AVAILABLE),
  dtype: dtypeArb,
  m: dims,
  n: dims,
  k: fc.oneof({ arbitrary: dims, weight: 9 }, { arbitrary: fc.constant(0), weight: 1 }),
  transA: fc.boolean(),
  transB: fc.boolean(),
  padA: pad,
  padB: pad,
  padC: pad,
  offA: offset,
  offB: offset,
  offC: offset,
  accumulate: fc.boolean(),
  seed: fc.noShrink(fc.integer()),
});

/** A buffer holding a rows×cols row-major matrix at `off` with leading dimension ld; every other slot is NaN. */
function matrixBuffer(dtype: DType, rows: number, cols: number, ld: number, off: number, next: () => number, fill = NaN): FloatArray {
  const buf = (dtype === "float64" ? new Float64Array(off + rows * ld + 3) : new Float32Array(off + rows * ld + 3)).fill(fill);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) buf[off + r * ld + c] = roundTo(dtype, 2 * next() - 1);
  return buf;
}

describe("gemm kernel (the seam every backend implements)", () => {
  it("C = op(A)·op(B) (+ C) matches the triple loop and touches nothing outside C", () => {
    fc.assert(
      fc.property(gemmCaseArb(size), checkGemm),
      runs(300),
    );
  });
  // Big enough (m·n·k ≥ 2^17 multiply-adds) for the wasm backend to split the product across threads.
  it("large products (threaded) match the triple loop too", () => {
    fc.assert(
      fc.property(gemmCaseArb(fc.integer({ min: 52, max: 90 })), checkGemm),
      runs(12),
    );
  });
});

function checkGemm(g: GemmCase): void {
  const next = mulberry32(g.seed);
  const [ar, ac] = g.transA ? [g.k, g.m] : [g.m, g.k];
  const [br, bc] = g.transB ? [g.n, g.k] : [g.k, g.n];
  const lda = ac + g.padA;
  const ldb = bc + g.padB;
  const ldc = g.n + g.padC;
  const a = matrixBuffer(g.dtype, ar, ac, lda, g.offA, next);
  const b = matrixBuffer(g.dtype, br, bc, ldb, g.offB, next);
  // Slots of C outside the m×n block hold a sentinel that must survive.
  const c = matrixBuffer(g.dtype, g.m, g.n, ldc, g.offC, next, 7.25);
  const before = c.slice();
  const A = (i: number, p: number) => (g.transA ? a[g.offA + p * lda + i] : a[g.offA + i * lda + p]);
  const B = (p: number, j: number) => (g.transB ? b[g.offB + j * ldb + p] : b[g.offB + p * ldb + j]);
  const expected = Array.from(before);
  const bound = new Array<number>(c.length).fill(0);
  for (let i = 0; i < g.m; i++) {
    for (let j = 0; j < g.n; j++) {
      const at = g.offC + i * ldc + j;
      let s = g.accumulate ? before[at] : 0;
      let mag = Math.abs(s);
      for (let p = 0; p < g.k; p++) {
        s += A(i, p) * B(p, j);
        mag += Math.abs(A(i, p) * B(p, j));
      }
      expected[at] = s;
      bound[at] = RTOL[g.dtype] * mag + ATOL[g.dtype];
    }
  }
  const { m, n, k, transA, transB, accumulate } = g;
  withBackend(g.backend, () => gemm({ m, n, k, a, aOffset: g.offA, lda, transA, b, bOffset: g.offB, ldb, transB, c, cOffset: g.offC, ldc, accumulate }));
  assertClose(`gemm (${g.backend}) C buffer`, c, expected, bound);
}

/** C[i][j] = Σ_p A[i][p]·B[p][j] for row-major value lists, with the magnitude sums that bound its error. */
function naiveMatmul(a: readonly number[], b: readonly number[], m: number, k: number, n: number): { values: number[]; magnitude: number[] } {
  const values = new Array<number>(m * n).fill(0);
  const magnitude = values.slice();
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) {
        values[i * n + j] += a[i * k + p] * b[p * n + j];
        magnitude[i * n + j] += Math.abs(a[i * k + p] * b[p * n + j]);
      }
    }
  }
  return { values, magnitude };
}

/** M, N, K in 1..40 and both operands as views of any layout: transposed, stepped, reversed, padded, offset. */
const matmul2dArb = fc
  .record({ backend: fc.constantFrom(...AVAILABLE), dtype: dtypeArb, m: size, n: size, k: size })
  .chain(({ backend, dtype, m, n, k }) =>
    fc.record({ backend: fc.constant(backend), a: tensorSpecArb([m, k], dtype, { min: -1, max: 1 }), b: tensorSpecArb([k, n], dtype, { min: -1, max: 1 }) }),
  );

describe("matmul", () => {
  it("2-D views of any strides equal the triple loop", () => {
    fc.assert(
      fc.property(matmul2dArb, ({ backend, a, b }) => {
        const [m, k] = a.shape;
        const n = b.shape[1];
        const out = withBackend(backend, () => makeTensor(a).matmul(makeTensor(b)));
        assertShape("matmul", out.shape, [m, n]);
        const { values, magnitude } = naiveMatmul(a.values, b.values, m, k, n);
        assertClose(`matmul (${backend}) [${m}, ${k}] @ [${k}, ${n}]`, out.values(), values, magnitude.map((x) => RTOL[a.dtype] * x + ATOL[a.dtype]));
      }),
      runs(200),
    );
  });

  it("batched and 1-D operands broadcast like torch.matmul, values and gradients", () => {
    fc.assert(
      fc.property(batchedArb(), fc.integer(), (c, seed) => {
        const { a, b } = c;
        const dtype = a.dtype;
        const x = makeTensor(a, true);
        const y = makeTensor(b, true);
        const out = x.matmul(y);
        const ref = referenceBatched(c);
        assertShape(`matmul [${a.shape}] @ [${b.shape}]`, out.shape, ref.outShape);
        const tol = (mags: number[]) => mags.map((v) => RTOL[dtype] * v + ATOL[dtype]);
        assertClose(`matmul [${a.shape}] @ [${b.shape}]`, out.values(), ref.values, tol(ref.magnitude));

        const next = mulberry32(seed);
        const w = Array.from({ length: out.size }, () => roundTo(dtype, 2 * next() - 1));
        out.backward(tensor(Float64Array.from(w), { shape: out.shape, dtype }));
        const grads = ref.grads(w);
        assertShape("matmul grad a", x.grad!.shape, a.shape);
        assertShape("matmul grad b", y.grad!.shape, b.shape);
        assertClose(`matmul [${a.shape}] @ [${b.shape}] grad a`, x.grad!.values(), grads.ga, tol(grads.ma));
        assertClose(`matmul [${a.shape}] @ [${b.shape}] grad b`, y.grad!.values(), grads.gb, tol(grads.mb));
      }),
      runs(300),
    );
  });
});

interface BatchedCase {
  a: TensorSpec;
  b: TensorSpec;
}

/**
 * [...batchA, M, K] @ [...batchB, K, N] with broadcastable batches (up to 2 dims each), and the
 * 1-D forms: [K] @ [..., K, N], [..., M, K] @ [K], [K] @ [K].
 */
function batchedArb(): fc.Arbitrary<BatchedCase> {
  // Now and then a size-0 dim: an empty batch, or K = 0 (a product of zeros).
  const small = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 5 }), weight: 19 }, { arbitrary: fc.constant(0), weight: 1 });
  return fc
    .record({
      dtype: dtypeArb,
      batches: fc.oneof(
        { arbitrary: broadcastPairArb({ maxDims: 2, maxSize: 3 }), weight: 19 },
        { arbitrary: broadcastPairArb({ maxDims: 2, minSize: 0, maxSize: 3 }), weight: 1 },
      ),
      m: small,
      n: small,
      k: small,
      aVector: fc.boolean(),
      bVector: fc.boolean(),
    })
    .chain(({ dtype, batches: [ba, bb], m, n, k, aVector, bVector }) => {
      // A 1-D operand has no batch dims of its own (as in PyTorch, where it is promoted to 2-D first).
      const aShape = aVector ? [k] : [...ba, m, k];
      const bShape = bVector ? [k] : [...bb, k, n];
      return fc.record({ a: tensorSpecArb(aShape, dtype, { min: -1, max: 1 }), b: tensorSpecArb(bShape, dtype, { min: -1, max: 1 }) });
    });
}

/** torch.matmul by the book: promote 1-D operands, broadcast the batch dims, loop, then drop the promoted dims. */
function referenceBatched({ a, b }: BatchedCase) {
  const aShape = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const [m, k] = aShape.slice(-2);
  const n = bShape[bShape.length - 1];
  const batchA = aShape.slice(0, -2);
  const batchB = bShape.slice(0, -2);
  const batch = broadcastShape(batchA, batchB)!;
  const outShape = [...batch, ...(a.shape.length === 1 ? [] : [m]), ...(b.shape.length === 1 ? [] : [n])];
  const values = new Array<number>(sizeOf(batch) * m * n).fill(0);
  const magnitude = values.slice();
  const aAt = (t: number, i: number, p: number) => broadcastSource(unravel(t, batch), batchA) * m * k + i * k + p;
  const bAt = (t: number, p: number, j: number) => broadcastSource(unravel(t, batch), batchB) * k * n + p * n + j;
  const loop = (body: (t: number, i: number, j: number, p: number) => void) => {
    for (let t = 0; t < sizeOf(batch); t++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) body(t, i, j, p);
  };
  loop((t, i, j, p) => {
    const term = a.values[aAt(t, i, p)] * b.values[bAt(t, p, j)];
    values[ravel([t, i, j], [sizeOf(batch), m, n])] += term;
    magnitude[ravel([t, i, j], [sizeOf(batch), m, n])] += Math.abs(term);
  });
  const grads = (w: number[]) => {
    const ga = new Array<number>(a.values.length).fill(0);
    const gb = new Array<number>(b.values.length).fill(0);
    const ma = ga.slice();
    const mb = gb.slice();
    loop((t, i, j, p) => {
      const wo = w[(t * m + i) * n + j];
      ga[aAt(t, i, p)] += wo * b.values[bAt(t, p, j)];
      ma[aAt(t, i, p)] += Math.abs(wo * b.values[bAt(t, p, j)]);
      gb[bAt(t, p, j)] += wo * a.values[aAt(t, i, p)];
      mb[bAt(t, p, j)] += Math.abs(wo * a.values[aAt(t, i, p)]);
    });
    return { ga, gb, ma, mb };
  };
  return { outShape, values, magnitude, grads };
}
