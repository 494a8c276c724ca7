// Properties of the reductions sum/mean/max/argmax over random dims (single, lists, all), keepdim on and off, against plain loops.

import { describe, it } from "vitest";
import * as fc from "fast-check";
import { tensor, type DType } from "../src/index.ts";
import {
  assertClose, assertShape, ATOL, dimArb, dimListArb, dtypeArb, makeTensor, mulberry32, normalize, ravel, roundTo, RTOL, runs,
  shapeArb, sizeOf, tensorSpecArb, unravel, type TensorSpec,
} from "./helpers/arbitraries.ts";

interface Reduction {
  x: TensorSpec;
  /** null: every element; a number or a list of dims (negative allowed). */
  dim: number | number[] | null;
  keepdim: boolean;
}

/** Where each input element goes: the output shape and, per input element, its output position. */
function reductionMap(shape: readonly number[], dims: readonly number[], keepdim: boolean): { outShape: number[]; target: number[] } {
  const reduced = new Set(dims);
  const kept = shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const outShape = keepdim ? kept : shape.filter((_, i) => !reduced.has(i));
  const target = Array.from({ length: sizeOf(shape) }, (_, flat) => {
    const idx = unravel(flat, shape).map((v, i) => (reduced.has(i) ? 0 : v));
    return ravel(idx, kept);
  });
  return { outShape, target };
}

function dimsOf(r: Reduction): number[] {
  const n = r.x.shape.length;
  if (r.dim === null) return r.x.shape.map((_, i) => i);
  return (typeof r.dim === "number" ? [r.dim] : r.dim).map((d) => normalize(d, n)).filter((d) => d < n);
}

/** sum/mean: shapes up to 4 dims with size-0 and size-1 dims, any strides, dims as null, one dim, or a list. */
const sumCaseArb: fc.Arbitrary<Reduction> = fc
  .tuple(dtypeArb, shapeArb({ maxDims: 4, minSize: 0, maxSize: 4 }))
  .chain(([dtype, shape]) =>
    fc.record({
      x: tensorSpecArb(shape, dtype),
      dim: fc.oneof(fc.constant(null), dimArb(shape.length), dimListArb(shape.length)),
      keepdim: fc.boolean(),
    }),
  );

/** max/argmax: non-empty shapes; small integers half the time, so that ties are common. */
const maxCaseArb: fc.Arbitrary<Reduction> = fc
  .tuple(dtypeArb, shapeArb({ maxDims: 4, minSize: 1, maxSize: 5 }), fc.boolean())
  .chain(([dtype, shape, ties]) =>
    fc.record({
      x: tensorSpecArb(shape, dtype, ties ? { integers: true, min: -2, max: 2 } : {}),
      dim: fc.oneof(fc.constant(null), dimArb(shape.length)),
      keepdim: fc.boolean(),
    }),
  );

describe("sum and mean", () => {
  it("equal the loop over the reduced dims", () => {
    fc.assert(
      fc.property(sumCaseArb, fc.constantFrom("sum", "mean") as fc.Arbitrary<"sum" | "mean">, (r, op) => {
        const x = makeTensor(r.x);
        const out = x[op](r.dim, r.keepdim);
        const dims = dimsOf(r);
        const { outShape, target } = reductionMap(r.x.shape, dims, r.keepdim);
        assertShape(`${op}(${JSON.stringify(r.dim)}, ${r.keepdim})`, out.shape, outShape);
        const total = new Array<number>(sizeOf(outShape)).fill(0);
        const magnitude = total.slice();
        r.x.values.forEach((v, i) => {
          total[target[i]] += v;
          magnitude[target[i]] += Math.abs(v);
        });
        const count = dims.reduce((n, d) => n * r.x.shape[d], 1);
        const expected = op === "sum" ? total : total.map((s) => s / count);
        const scale = op === "sum" ? 1 : 1 / count;
        // Each dim is summed in float64; between dims (a list) the partial sums are stored in the dtype.
        assertClose(op, out.values(), expected, magnitude.map((m) => RTOL[r.x.dtype] * m * scale + ATOL[r.x.dtype]));
      }),
      runs(500),
    );
  });

  it("backward spreads the upstream gradient over the reduced dims", () => {
    fc.assert(
      fc.property(sumCaseArb, fc.integer(), (r, seed) => {
        const x = makeTensor(r.x, true);
        const out = x.sum(r.dim, r.keepdim);
        const next = mulberry32(seed);
        const w = Array.from({ length: out.size }, () => roundTo(r.x.dtype, 2 * next() - 1));
        out.backward(tensor(Float64Array.from(w), { shape: out.shape, dtype: r.x.dtype }));
        const { target } = reductionMap(r.x.shape, dimsOf(r), true);
        assertShape("sum grad", x.grad!.shape, r.x.shape);
        assertClose("sum grad", x.grad!.values(), target.map((t) => w[t]), 0);
      }),
      runs(200),
    );
  });
});

describe("max and argmax", () => {
  it("max is the loop's maximum, argmax its first index, and the gradient goes there", () => {
    fc.assert(
      fc.property(maxCaseArb, fc.integer(), (r, seed) => {
        const x = makeTensor(r.x, true);
        const dtype: DType = r.x.dtype;
        const out = x.max(r.dim as number | null, r.keepdim);
        const reduceAll = r.dim === null;
        const dims = dimsOf(r);
        const { outShape, target } = reductionMap(r.x.shape, dims, r.keepdim);
        assertShape(`max(${r.dim}, ${r.keepdim})`, out.shape, reduceAll && !r.keepdim ? [] : outShape);
        const best = new Array<number>(sizeOf(outShape)).fill(-Infinity);
        const first = new Array<number>(best.length).fill(-1);
        const position = new Array<number>(best.length).fill(-1);
        r.x.values.forEach((v, i) => {
          if (v > best[target[i]]) {
            best[target[i]] = v;
            position[target[i]] = i;
            first[target[i]] = reduceAll ? i : dims.length === 0 ? 0 : unravel(i, r.x.shape)[dims[0]];
          }
        });
        assertClose("max", out.values(), best, 0);

        const idx = x.argmax(r.dim as number | null, reduceAll ? false : r.keepdim);
        assertShape("argmax", idx.shape, reduceAll ? [] : outShape);
        assertClose("argmax", idx.values(), first, 0);

        const next = mulberry32(seed);
        const w = Array.from({ length: out.size }, () => roundTo(dtype, 2 * next() - 1));
        out.backward(tensor(Float64Array.from(w), { shape: out.shape, dtype }));
        const expected = new Array<number>(r.x.values.length).fill(0);
        position.forEach((p, o) => (expected[p] = w[o]));
        assertClose("max grad", x.grad!.values(), expected, 0);
      }),
      runs(400),
    );
  });
});
