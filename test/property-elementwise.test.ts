// Properties of the binary ops add/sub/mul/div: values and gradients under random broadcasting, dtypes and strides, against plain loops.

import { describe, it } from "vitest";
import * as fc from "fast-check";
import { tensor, type DType, type Tensor } from "../src/index.ts";
import {
  assertClose, assertShape, ATOL, broadcastPairArb, broadcastShape, broadcastSource, dtypeArb, makeTensor, mulberry32, roundTo, RTOL, runs, sizeOf,
  tensorSpecArb, unravel, type TensorSpec,
} from "./helpers/arbitraries.ts";

type Op = "add" | "sub" | "mul" | "div";
const OPS: readonly Op[] = ["add", "sub", "mul", "div"];

const apply: Record<Op, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};

/** ∂(x op y)/∂x and ∂(x op y)/∂y. */
const partials: Record<Op, (x: number, y: number) => [number, number]> = {
  add: () => [1, 1],
  sub: () => [1, -1],
  mul: (x, y) => [y, x],
  div: (x, y) => [1 / y, -x / (y * y)],
};

interface Case {
  op: Op;
  a: TensorSpec;
  b: TensorSpec;
  /** Pass a 0-d right operand as a plain number, as in x.mul(2). */
  bAsNumber: boolean;
}

/** An op, a broadcastable pair of shapes (up to 4 dims; 0-d, size-1 and, now and then, size-0 dims), values, strides. */
const pairArb = fc.oneof(
  { arbitrary: broadcastPairArb({ maxDims: 4, maxSize: 4 }), weight: 9 },
  { arbitrary: broadcastPairArb({ maxDims: 4, minSize: 0, maxSize: 3 }), weight: 1 },
);
const caseArb: fc.Arbitrary<Case> = fc
  .record({ op: fc.constantFrom(...OPS), dtype: dtypeArb, shapes: pairArb, bAsNumber: fc.boolean() })
  .chain(({ op, dtype, shapes: [sa, sb], bAsNumber }) =>
    fc.record({
      op: fc.constant(op),
      a: tensorSpecArb(sa, dtype),
      b: tensorSpecArb(sb, dtype, op === "div" ? { awayFromZero: 0.25 } : {}),
      bAsNumber: fc.constant(bAsNumber && sb.length === 0),
    }),
  );

function run(c: Case, requiresGrad: boolean): [Tensor, Tensor, Tensor] {
  const a = makeTensor(c.a, requiresGrad);
  const b = makeTensor(c.b, requiresGrad);
  const out = c.bAsNumber ? a[c.op](c.b.values[0]) : a[c.op](b);
  return [a, b, out];
}

describe("binary ops with broadcasting", () => {
  it("equal the broadcast loop, rounded to the dtype", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const [, , out] = run(c, false);
        const shape = broadcastShape(c.a.shape, c.b.shape)!;
        assertShape(c.op, out.shape, shape);
        if (out.dtype !== c.a.dtype) throw new Error(`${c.op}: dtype ${out.dtype}, expected ${c.a.dtype}`);
        const expected = new Array<number>(sizeOf(shape));
        for (let i = 0; i < expected.length; i++) {
          const idx = unravel(i, shape);
          expected[i] = apply[c.op](c.a.values[broadcastSource(idx, c.a.shape)], c.b.values[broadcastSource(idx, c.b.shape)]);
        }
        // One correctly rounded operation: at most half an ulp of the result away from the exact value.
        const ulp = c.a.dtype === "float32" ? 2 ** -24 : 2 ** -53;
        assertClose(c.op, out.values(), expected, expected.map((e) => ulp * Math.abs(e) + ATOL[c.a.dtype]));
      }),
      runs(800),
    );
  });

  it("gradients are the upstream gradient times the partials, summed over broadcast dims", () => {
    fc.assert(
      fc.property(caseArb, fc.integer(), (c, wSeed) => {
        if (c.bAsNumber) c = { ...c, bAsNumber: false };
        const [a, b, out] = run(c, true);
        const dtype: DType = c.a.dtype;
        const w = upstream(out.shape, dtype, wSeed);
        out.backward(tensor(Float64Array.from(w), { shape: out.shape, dtype }));
        const ga = new Array<number>(sizeOf(c.a.shape)).fill(0);
        const gb = new Array<number>(sizeOf(c.b.shape)).fill(0);
        const ma = ga.slice();
        const mb = gb.slice();
        for (let i = 0; i < w.length; i++) {
          const idx = unravel(i, out.shape);
          const ia = broadcastSource(idx, c.a.shape);
          const ib = broadcastSource(idx, c.b.shape);
          const [da, db] = partials[c.op](c.a.values[ia], c.b.values[ib]);
          ga[ia] += w[i] * da;
          gb[ib] += w[i] * db;
          ma[ia] += Math.abs(w[i] * da);
          mb[ib] += Math.abs(w[i] * db);
        }
        assertShape(`${c.op} grad a`, a.grad!.shape, c.a.shape);
        assertShape(`${c.op} grad b`, b.grad!.shape, c.b.shape);
        // Each term is a few roundings off, the sum is accumulated in float64 per reduced dim.
        assertClose(`${c.op} grad a`, a.grad!.values(), ga, ma.map((m) => RTOL[dtype] * m + ATOL[dtype]));
        assertClose(`${c.op} grad b`, b.grad!.values(), gb, mb.map((m) => RTOL[dtype] * m + ATOL[dtype]));
      }),
      runs(500),
    );
  });

  it("x op x sums the gradients of both operands", () => {
    fc.assert(
      fc.property(fc.constantFrom(...OPS), dtypeArb.chain((d) => tensorSpecArb([3, 2], d, { awayFromZero: 0.25 })), fc.integer(), (op, spec, wSeed) => {
        const x = makeTensor(spec, true);
        const out = x[op](x);
        const w = upstream(out.shape, spec.dtype, wSeed);
        out.backward(tensor(Float64Array.from(w), { shape: out.shape, dtype: spec.dtype }));
        const expected = spec.values.map((v, i) => w[i] * partials[op](v, v).reduce((s, p) => s + p, 0));
        const bound = spec.values.map((v, i) => RTOL[spec.dtype] * partials[op](v, v).reduce((s, p) => s + Math.abs(w[i] * p), 0) + ATOL[spec.dtype]);
        assertClose(`${op}(x, x) grad`, x.grad!.values(), expected, bound);
      }),
      runs(100),
    );
  });
});

/** A fixed upstream gradient in [−1, 1) (rounded to the dtype), so that a backward ignoring it fails. */
function upstream(shape: readonly number[], dtype: DType, seed: number): number[] {
  const next = mulberry32(seed);
  return Array.from({ length: sizeOf(shape) }, () => roundTo(dtype, 2 * next() - 1));
}
