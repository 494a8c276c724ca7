// Arbitraries for the property suites (shapes, broadcast pairs, strided layouts, tensors) and the plain-loop index math their references use.

import * as fc from "fast-check";
import ndarray from "ndarray";
import { Tensor, type DType } from "../../src/index.ts";

/**
 * Every property starts from this seed, so a failure replays exactly (fast-check prints the seed,
 * the path and the counterexample). NDGRAD_PROP_SEED picks another seed, NDGRAD_PROP_SCALE
 * multiplies every numRuns for a longer hunt: `NDGRAD_PROP_SCALE=20 npx vitest run test/property`.
 */
export const SEED = Number(process.env.NDGRAD_PROP_SEED ?? 42);
const SCALE = Number(process.env.NDGRAD_PROP_SCALE ?? 1);

export function runs(numRuns: number): { seed: number; numRuns: number } {
  return { seed: SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)) };
}

export const DTYPES: readonly DType[] = ["float32", "float64"];
export const dtypeArb: fc.Arbitrary<DType> = fc.constantFrom(...DTYPES);

// Index math (row-major), written out as plain loops: the references never call into ndgrad.

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** The multi-index of flat position `flat` in a row-major `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i] + idx[i];
  return flat;
}

/** NumPy broadcasting of two shapes, or null when they do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The flat index into `shape` that an index of the broadcast shape reads (aligned right, size-1 dims pinned to 0). */
export function broadcastSource(outIdx: readonly number[], shape: readonly number[]): number {
  const lead = outIdx.length - shape.length;
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i] + (shape[i] === 1 ? 0 : outIdx[i + lead]);
  return flat;
}

export function permutationInverse(p: readonly number[]): number[] {
  const inv = new Array<number>(p.length);
  p.forEach((d, i) => (inv[d] = i));
  return inv;
}

export function roundTo(dtype: DType, v: number): number {
  return dtype === "float32" ? Math.fround(v) : v;
}

// Closeness: every element against its own bound, with a message that names the element.

/** Fails unless |actual[i] − expected[i]| ≤ bound[i] for all i (NaN matches only NaN). */
export function assertClose(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, bound: ArrayLike<number> | number): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} elements, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const b = typeof bound === "number" ? bound : bound[i];
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= b) continue;
    throw new Error(`${what}: element ${i} is ${a}, expected ${e} (|diff| ${Math.abs(a - e).toExponential(3)} > bound ${b.toExponential(3)})`);
  }
}

export function assertShape(what: string, actual: readonly number[], expected: readonly number[]): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new Error(`${what}: shape [${actual.join(", ")}], expected [${expected.join(", ")}]`);
  }
}

/** Relative tolerances for results whose error grows with the sum of the magnitudes of their terms. */
export const RTOL: Record<DType, number> = { float32: 1e-5, float64: 1e-12 };
/** An absolute floor below every relative bound (float32 subnormals, float64 cancellation to 0). */
export const ATOL: Record<DType, number> = { float32: 1e-30, float64: 1e-300 };

export interface ShapeOptions {
  minDims?: number;
  maxDims?: number;
  minSize?: number;
  maxSize?: number;
}

/** A shape of minDims..maxDims dims, each minSize..maxSize (0-d when it has no dims). */
export function shapeArb({ minDims = 0, maxDims = 4, minSize = 1, maxSize = 4 }: ShapeOptions = {}): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: minSize, max: maxSize }), { minLength: minDims, maxLength: maxDims });
}

/**
 * A shape that broadcasts to `full`: some leading dims dropped, some others set to 1. Dropping and
 * shrinking independently on both sides of a pair yields every kind of broadcast (incl. 0-d).
 */
export function subBroadcastArb(full: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .tuple(fc.integer({ min: 0, max: full.length }), fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }))
    .map(([drop, ones]) => full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}

/** Two shapes that broadcast together (either side may be 0-d, lower-rank, or have size-1 dims). */
export function broadcastPairArb(options: ShapeOptions = {}): fc.Arbitrary<[number[], number[]]> {
  return shapeArb(options).chain((full) => fc.tuple(subBroadcastArb(full), subBroadcastArb(full)));
}

// Tensors as plain data: a spec prints as a readable counterexample, makeTensor turns it into a Tensor.

/**
 * Where a tensor's elements lie in its storage. Physical dim k holds logical dim `order[k]`,
 * stretched by |steps| (negative: walked backwards) and followed by `pads` unused slots; the view
 * starts `lead` slots in. Slots outside the view hold NaN, so an op that reads them is caught.
 */
export interface Layout {
  order: number[];
  steps: number[];
  pads: number[];
  lead: number;
}

export interface TensorSpec {
  shape: number[];
  dtype: DType;
  /** The logical elements in row-major order, already rounded to the dtype. */
  values: number[];
  /** Absent: a fresh contiguous tensor. */
  layout?: Layout;
}

/** A strided layout for `ndim` dims: transposes, steps of ±1/±2, padding between rows, an offset. */
export function layoutArb(ndim: number): fc.Arbitrary<Layout> {
  const dims = Array.from({ length: ndim }, (_, i) => i);
  return fc.record({
    order: fc.shuffledSubarray(dims, { minLength: ndim, maxLength: ndim }),
    steps: fc.array(fc.constantFrom(1, 2, -1, -2), { minLength: ndim, maxLength: ndim }),
    pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: ndim, maxLength: ndim }),
    lead: fc.integer({ min: 0, max: 3 }),
  });
}

/** Contiguous about a third of the time, some strided layout otherwise. */
export function maybeLayoutArb(ndim: number): fc.Arbitrary<Layout | undefined> {
  return fc.oneof(fc.constant(undefined), layoutArb(ndim), layoutArb(ndim));
}

export interface ValueOptions {
  min?: number;
  max?: number;
  /** Small integers in [min, max] instead of doubles (ties for max/argmax, exact sums). */
  integers?: boolean;
  /** Keep |v| ≥ this (denominators). */
  awayFromZero?: number;
}

export function valueArb({ min = -4, max = 4, integers = false, awayFromZero = 0 }: ValueOptions = {}): fc.Arbitrary<number> {
  if (integers) return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
  if (awayFromZero > 0) {
    return fc.tuple(fc.boolean(), fc.double({ min: awayFromZero, max: Math.max(Math.abs(min), Math.abs(max)), noNaN: true })).map(([neg, v]) => (neg ? -v : v));
  }
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

export function valuesArb(n: number, dtype: DType, options: ValueOptions = {}): fc.Arbitrary<number[]> {
  return fc.array(valueArb(options), { minLength: n, maxLength: n }).map((vs) => vs.map((v) => roundTo(dtype, v)));
}

export interface SpecOptions extends ValueOptions {
  /** Allow strided layouts (default true). */
  strided?: boolean;
}

export function tensorSpecArb(shape: readonly number[], dtype: DType, options: SpecOptions = {}): fc.Arbitrary<TensorSpec> {
  const layout = options.strided === false ? fc.constant(undefined) : maybeLayoutArb(shape.length);
  return fc.record({ values: valuesArb(sizeOf(shape), dtype, options), layout }).map(({ values, layout }) => {
    const spec: TensorSpec = { shape: [...shape], dtype, values };
    if (layout !== undefined) spec.layout = layout;
    return spec;
  });
}

/** Builds the tensor a spec describes (a view with the spec's strides over NaN-filled storage). */
export function makeTensor(spec: TensorSpec, requiresGrad = false): Tensor {
  const { shape, dtype, values, layout } = spec;
  const Storage = dtype === "float64" ? Float64Array : Float32Array;
  if (layout === undefined) return new Tensor(ndarray(Storage.from(values), [...shape], stridesOf(shape)), requiresGrad);
  const n = shape.length;
  const extents = layout.order.map((d, k) => shape[d] * Math.abs(layout.steps[d]) + layout.pads[k]);
  const physical = stridesOf(extents);
  const stride = new Array<number>(n);
  let offset = layout.lead;
  layout.order.forEach((d, k) => {
    stride[d] = layout.steps[d] * physical[k];
    if (layout.steps[d] < 0 && shape[d] > 0) offset += (shape[d] - 1) * -stride[d];
  });
  const storage = new Storage(layout.lead + sizeOf(extents) + 2).fill(NaN);
  const size = sizeOf(shape);
  for (let flat = 0; flat < size; flat++) {
    const idx = unravel(flat, shape);
    let at = offset;
    for (let i = 0; i < n; i++) at += idx[i] * stride[i];
    storage[at] = values[flat];
  }
  return new Tensor(ndarray(storage, [...shape], stride, offset), requiresGrad);
}

/** One dim of an `ndim`-dim tensor, possibly written negatively (0 or −1 for a 0-d tensor). */
export function dimArb(ndim: number): fc.Arbitrary<number> {
  const n = Math.max(ndim, 1);
  return fc.integer({ min: -n, max: n - 1 });
}

/** A non-empty list of distinct dims in any order, each possibly negative. */
export function dimListArb(ndim: number): fc.Arbitrary<number[]> {
  const n = Math.max(ndim, 1);
  const dims = Array.from({ length: n }, (_, i) => i);
  return fc
    .tuple(fc.shuffledSubarray(dims, { minLength: 1 }), fc.array(fc.boolean(), { minLength: n, maxLength: n }))
    .map(([ds, negative]) => ds.map((d, i) => (negative[i] ? d - n : d)));
}

export function normalize(dim: number, ndim: number): number {
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

// A small seeded generator for bulk values where fast-check's shrinking buys nothing (GEMM buffers).

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
