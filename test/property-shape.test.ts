// Properties of the shape ops: strided views read back, permute/transpose/reshape round trips, copies of non-contiguous data, flatten/unsqueeze/squeeze.

import { describe, it } from "vitest";
import * as fc from "fast-check";
import { tensor } from "../src/index.ts";
import {
  assertClose, assertShape, dimArb, dtypeArb, makeTensor, mulberry32, normalize, permutationInverse, ravel, roundTo, runs, shapeArb,
  sizeOf, tensorSpecArb, unravel, type TensorSpec,
} from "./helpers/arbitraries.ts";

/** Any tensor of up to 4 dims (size-0 and size-1 dims included), in any layout. */
const specArb = (minDims = 0): fc.Arbitrary<TensorSpec> =>
  fc.tuple(dtypeArb, shapeArb({ minDims, maxDims: 4, minSize: 0, maxSize: 4 })).chain(([dtype, shape]) => tensorSpecArb(shape, dtype));

const permutationArb = (n: number) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n });

/** The row-major values of x permuted by p: out[idx] = x[idx mapped back through p]. */
function permuted(spec: TensorSpec, p: readonly number[]): { shape: number[]; values: number[] } {
  const shape = p.map((d) => spec.shape[d]);
  const values = Array.from({ length: spec.values.length }, (_, flat) => {
    const idx = unravel(flat, shape);
    const src = new Array<number>(p.length);
    p.forEach((d, i) => (src[d] = idx[i]));
    return spec.values[ravel(src, spec.shape)];
  });
  return { shape, values };
}

/** Sizes whose product is `size`: the target of a random reshape (−1 in place of one of them, sometimes). */
function factorizationArb(size: number): fc.Arbitrary<number[]> {
  return fc.tuple(fc.array(fc.nat(), { maxLength: 3 }), fc.option(fc.nat(), { nil: undefined })).map(([picks, free]) => {
    const dims: number[] = [];
    let rest = size;
    for (const pick of picks) {
      const divisors = Array.from({ length: rest }, (_, i) => i + 1).filter((d) => rest % d === 0);
      const d = divisors.length === 0 ? 0 : divisors[pick % divisors.length];
      dims.push(d);
      rest = d === 0 ? rest : rest / d;
    }
    dims.push(rest);
    if (free !== undefined && size > 0) dims[free % dims.length] = -1;
    return dims;
  });
}

const withPermutationArb = specArb().chain((s) => fc.tuple(fc.constant(s), permutationArb(s.shape.length), fc.integer()));
const withTwoDimsArb = specArb(2).chain((s) => fc.tuple(fc.constant(s), dimArb(s.shape.length), dimArb(s.shape.length)));
const withReshapeTargetArb = specArb().chain((s) => fc.tuple(fc.constant(s), factorizationArb(s.values.length)));
/** Start and end dims for flatten, and a position for unsqueeze (one past the last dim allowed). */
const withFlattenDimsArb = specArb().chain((s) => {
  const n = s.shape.length;
  return fc.tuple(fc.constant(s), dimArb(n), dimArb(n), fc.integer({ min: -n - 1, max: n }));
});

describe("strided views", () => {
  it("read back their logical values (values, toArray, clone)", () => {
    fc.assert(
      fc.property(specArb(), (spec) => {
        const x = makeTensor(spec);
        assertShape("view", x.shape, spec.shape);
        assertClose("values()", x.values(), spec.values, 0);
        assertClose("clone()", x.clone().values(), spec.values, 0);
        const flat = (n: unknown): number[] => (Array.isArray(n) ? n.flatMap(flat) : [n as number]);
        assertClose("toArray()", flat(x.toArray()), spec.values, 0);
      }),
      runs(300),
    );
  });
});

describe("permute and transpose", () => {
  it("permute matches the index loop, permuting back restores x, reshape copies the permuted order, gradients flow back", () => {
    fc.assert(
      fc.property(withPermutationArb, ([spec, p, seed]) => {
        const x = makeTensor(spec, true);
        const y = x.permute(...p);
        const ref = permuted(spec, p);
        assertShape(`permute(${p})`, y.shape, ref.shape);
        assertClose(`permute(${p})`, y.values(), ref.values, 0);
        const back = y.permute(...permutationInverse(p));
        assertShape("permute back", back.shape, spec.shape);
        assertClose("permute back", back.values(), spec.values, 0);
        // A reshape of a non-contiguous view has to copy in row-major order of the view.
        const flat = y.reshape(-1);
        assertClose(`permute(${p}).reshape(-1)`, flat.values(), ref.values, 0);

        const next = mulberry32(seed);
        const w = Array.from({ length: flat.size }, () => roundTo(spec.dtype, 2 * next() - 1));
        flat.backward(tensor(Float64Array.from(w), { shape: flat.shape, dtype: spec.dtype }));
        const expected = new Array<number>(spec.values.length);
        w.forEach((wi, flatIdx) => {
          const idx = unravel(flatIdx, ref.shape);
          const src = new Array<number>(p.length);
          p.forEach((d, i) => (src[d] = idx[i]));
          expected[ravel(src, spec.shape)] = wi;
        });
        assertShape("permute grad", x.grad!.shape, spec.shape);
        assertClose("permute grad", x.grad!.values(), expected, 0);
      }),
      runs(300),
    );
  });

  it("transpose(d0, d1) swaps two dims and is its own inverse", () => {
    fc.assert(
      fc.property(withTwoDimsArb, ([spec, d0, d1]) => {
        const n = spec.shape.length;
        const x = makeTensor(spec);
        const p = spec.shape.map((_, i) => (i === normalize(d0, n) ? normalize(d1, n) : i === normalize(d1, n) ? normalize(d0, n) : i));
        const y = x.transpose(d0, d1);
        const ref = permuted(spec, p);
        assertShape(`transpose(${d0}, ${d1})`, y.shape, ref.shape);
        assertClose(`transpose(${d0}, ${d1})`, y.values(), ref.values, 0);
        const back = y.transpose(d0, d1);
        assertShape("transpose twice", back.shape, spec.shape);
        assertClose("transpose twice", back.values(), spec.values, 0);
      }),
      runs(200),
    );
  });
});

describe("reshape, flatten, unsqueeze, squeeze", () => {
  it("reshape keeps the row-major values and reshaping back restores x", () => {
    fc.assert(
      fc.property(withReshapeTargetArb, ([spec, target]) => {
        const x = makeTensor(spec);
        const y = x.reshape(target);
        const known = target.filter((d) => d !== -1);
        const expectedShape = target.map((d) => (d === -1 ? spec.values.length / sizeOf(known) : d));
        assertShape(`reshape(${target})`, y.shape, expectedShape);
        assertClose(`reshape(${target})`, y.values(), spec.values, 0);
        const back = y.reshape(spec.shape);
        assertShape("reshape back", back.shape, spec.shape);
        assertClose("reshape back", back.values(), spec.values, 0);
      }),
      runs(300),
    );
  });

  it("flatten, unsqueeze and squeeze change only the shape, as PyTorch's do", () => {
    fc.assert(
      fc.property(withFlattenDimsArb, ([spec, start, end, at]) => {
        const x = makeTensor(spec);
        const n = spec.shape.length;
        const s = normalize(start, n);
        const e = normalize(end, n);
        if (n > 0 && s <= e) {
          const f = x.flatten(start, end);
          assertShape(`flatten(${start}, ${end})`, f.shape, [...spec.shape.slice(0, s), sizeOf(spec.shape.slice(s, e + 1)), ...spec.shape.slice(e + 1)]);
          assertClose(`flatten(${start}, ${end})`, f.values(), spec.values, 0);
        }
        if (n === 0) assertShape("flatten() of 0-d", x.flatten().shape, [1]);
        const u = x.unsqueeze(at);
        const ua = at < 0 ? at + n + 1 : at;
        assertShape(`unsqueeze(${at})`, u.shape, [...spec.shape.slice(0, ua), 1, ...spec.shape.slice(ua)]);
        assertClose(`unsqueeze(${at})`, u.values(), spec.values, 0);
        assertShape(`unsqueeze(${at}).squeeze(${at})`, u.squeeze(at).shape, spec.shape);
        assertShape("squeeze()", x.squeeze().shape, spec.shape.filter((d) => d !== 1));
        assertClose("squeeze()", x.squeeze().values(), spec.values, 0);
        const sq = x.squeeze(start);
        assertShape(`squeeze(${start})`, sq.shape, spec.shape[s] === 1 ? spec.shape.filter((_, i) => i !== s) : spec.shape);
      }),
      runs(300),
    );
  });
});
