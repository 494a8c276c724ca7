// Properties of softmax and logSoftmax on random logits up to ±1e3 along any dim: finite, normalized, and consistent with each other.

import { describe, it } from "vitest";
import * as fc from "fast-check";
import { type DType } from "../src/index.ts";
import { assertClose, dimArb, dtypeArb, makeTensor, normalize, runs, shapeArb, sizeOf, tensorSpecArb, type TensorSpec } from "./helpers/arbitraries.ts";

interface Case {
  x: TensorSpec;
  dim: number;
}

/** Logits at three scales (±1, ±30, ±1e3), any layout, up to 4 dims. */
const caseArb: fc.Arbitrary<Case> = fc
  .tuple(dtypeArb, shapeArb({ minDims: 1, maxDims: 4, maxSize: 6 }), fc.constantFrom(1, 30, 1e3))
  .filter(([, shape]) => sizeOf(shape) <= 300)
  .chain(([dtype, shape, scale]) => fc.record({ x: tensorSpecArb(shape, dtype, { min: -scale, max: scale }), dim: dimArb(shape.length) }));

/** The lanes along `dim`: for each, the flat positions of its elements. */
function lanes(shape: readonly number[], dim: number): number[][] {
  const inner = sizeOf(shape.slice(dim + 1));
  const n = shape[dim];
  const outer = sizeOf(shape.slice(0, dim));
  const out: number[][] = [];
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) out.push(Array.from({ length: n }, (_, j) => (o * n + j) * inner + i));
  return out;
}

const EPS: Record<DType, number> = { float32: 2 ** -23, float64: 2 ** -52 };

describe("softmax and logSoftmax", () => {
  it("are finite, sum to 1, match the max-shifted formula, and logSoftmax = log(softmax)", () => {
    fc.assert(
      fc.property(caseArb, ({ x: spec, dim }) => {
        const x = makeTensor(spec);
        const d = normalize(dim, spec.shape.length);
        const s = x.softmax(dim).values();
        const ls = x.logSoftmax(dim).values();
        const eps = EPS[spec.dtype];
        const sRef = new Array<number>(s.length);
        const lsRef = new Array<number>(s.length);
        for (const lane of lanes(spec.shape, d)) {
          const max = Math.max(...lane.map((p) => spec.values[p]));
          const total = lane.reduce((acc, p) => acc + Math.exp(spec.values[p] - max), 0);
          for (const p of lane) {
            sRef[p] = Math.exp(spec.values[p] - max) / total;
            lsRef[p] = spec.values[p] - max - Math.log(total);
          }
          const sum = lane.reduce((acc, p) => acc + s[p], 0);
          if (!(Math.abs(sum - 1) <= eps * (2 + lane.length))) throw new Error(`softmax(${dim}): a lane sums to ${sum}`);
        }
        for (let i = 0; i < s.length; i++) {
          if (!Number.isFinite(s[i]) || s[i] < 0 || s[i] > 1) throw new Error(`softmax(${dim}): element ${i} is ${s[i]}`);
          if (!Number.isFinite(ls[i]) || ls[i] > 0) throw new Error(`logSoftmax(${dim}): element ${i} is ${ls[i]}`);
        }
        // Computed in float64 and rounded once to the dtype, up to a few float64 roundings.
        assertClose(`softmax(${dim})`, s, sRef, sRef.map((v) => 2 * eps * v + 1e-15));
        assertClose(`logSoftmax(${dim})`, ls, lsRef, lsRef.map((v) => 2 * eps * Math.abs(v) + 1e-12));
        // Where softmax has not underflowed, logSoftmax is its log (to the dtype's rounding of both).
        const logS = Array.from(s, Math.log);
        const keep = (i: number) => s[i] > 1e-30;
        assertClose(
          `logSoftmax(${dim}) vs log(softmax(${dim}))`,
          Array.from(ls).filter((_, i) => keep(i)),
          logS.filter((_, i) => keep(i)),
          Array.from(ls).filter((_, i) => keep(i)).map((v) => 4 * eps * (Math.abs(v) + 1)),
        );
      }),
      runs(300),
    );
  });
});
