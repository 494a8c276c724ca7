// Creation functions: tensor() from numbers, nested arrays or typed arrays; zeros, ones, full, rand, randn, arange.

import { allocateLongLived } from "../kernels/index.ts";
import { allocate, checkDtype, type DType, type FloatArray } from "./dtype.ts";
import { checkShape, fmt, sizeOf, type Shape } from "./shape.ts";
import { fromArray, Tensor, type Nested } from "./tensor.ts";
import { defaultGenerator, type Generator } from "./rng.ts";

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface FromDataOptions extends TensorOptions {
  /** The shape of a flat typed array (default: 1-D). */
  shape?: readonly number[];
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

type TypedNumbers = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array | Uint8ClampedArray;

/**
 * A tensor from a number (0-d), nested arrays, or a typed array (`{ shape }` gives its shape).
 * A Float32Array (or Float64Array with dtype float64) is used as the storage without a copy.
 */
export function tensor(values: Nested | TypedNumbers, options: FromDataOptions = {}): Tensor {
  if (typeof values !== "number" && !Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw new TypeError(`tensor: expected a number, nested arrays of numbers or a typed array, got ${values === null ? "null" : Array.isArray(values) ? "an array" : typeof values === "object" ? (values as object).constructor?.name ?? "object" : typeof values}`);
  }
  if (ArrayBuffer.isView(values)) {
    const shape = checkShape("tensor", options.shape ?? [values.length]);
    if (sizeOf(shape) !== values.length) {
      throw new RangeError(`tensor: shape ${fmt(shape)} holds ${sizeOf(shape)} elements, but the array has ${values.length}`);
    }
    const dtype = checkDtype("tensor", options.dtype ?? (values instanceof Float64Array ? "float64" : "float32"));
    const storage = dtype === "float64" ? (values instanceof Float64Array ? values : Float64Array.from(values)) : values instanceof Float32Array ? values : Float32Array.from(values);
    return fromArray(storage, shape, options.requiresGrad ?? false);
  }
  const dtype = checkDtype("tensor", options.dtype ?? "float32");
  const shape = inferShape(values);
  if (options.shape !== undefined && sizeOf(options.shape) !== sizeOf(shape)) {
    throw new RangeError(`tensor: shape ${fmt(options.shape)} does not fit data of shape ${fmt(shape)}`);
  }
  const flat = allocate(dtype, sizeOf(shape));
  let i = 0;
  const fill = (v: Nested): void => {
    if (typeof v === "number") flat[i++] = v;
    else for (const x of v) fill(x);
  };
  fill(values);
  return fromArray(flat, options.shape ? checkShape("tensor", options.shape) : shape, options.requiresGrad ?? false);
}

function inferShape(values: Nested): number[] {
  const shape: number[] = [];
  let probe: Nested = values;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const check = (v: Nested, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== "number") throw new TypeError(`tensor: ${Array.isArray(v) ? `ragged nested array: ${path} is an array` : `${path} is ${v === null ? "null" : `a ${typeof v}`}`} where a number was expected`);
      return;
    }
    if (!Array.isArray(v)) throw new TypeError(`tensor: ragged nested array: ${path} is ${typeof v === "number" ? "a number" : typeof v} where an array of length ${shape[depth]} was expected`);
    if (v.length !== shape[depth]) throw new TypeError(`tensor: ragged nested array: ${path} has length ${v.length}, expected ${shape[depth]}`);
    v.forEach((x, k) => check(x, depth + 1, `${path}[${k}]`));
  };
  check(values, 0, "values");
  return shape;
}

/** Accepts a shape as an array or as separate numbers, optionally followed by options: zeros([3, 4]), zeros(3, 4, { dtype }). */
export type ShapeArgs<O> = [shape: readonly number[], options?: O] | [...dims: number[]] | [...dims: number[], options: O];

function parseShapeArgs<O extends object>(op: string, args: readonly unknown[]): [number[], O] {
  if (Array.isArray(args[0])) return [checkShape(op, args[0]), (args[1] ?? {}) as O];
  const last = args[args.length - 1];
  const hasOptions = typeof last === "object" && last !== null;
  const dims = hasOptions ? args.slice(0, -1) : args;
  return [checkShape(op, dims), (hasOptions ? last : {}) as O];
}

/**
 * A zeroed leaf tensor that requires grad, for a layer (`op`, in error messages) to initialise as its parameter. float32
 * storage is long-lived (kernels/allocateLongLived): matrix products and optimizer steps then use
 * it where it is, without copying.
 */
export function parameterZeros(op: string, shape: number[], dtype: DType): Tensor {
  const size = sizeOf(checkShape(op, shape));
  return fromArray(checkDtype(op, dtype) === "float64" ? new Float64Array(size) : allocateLongLived(size), shape, true);
}

function filled(op: string, shape: number[], value: number, options: TensorOptions): Tensor {
  const data = allocate(checkDtype(op, options.dtype ?? "float32"), sizeOf(shape));
  if (value !== 0) data.fill(value);
  return fromArray(data, shape, options.requiresGrad ?? false);
}

export function zeros(...args: ShapeArgs<TensorOptions>): Tensor {
  const [shape, options] = parseShapeArgs<TensorOptions>("zeros", args);
  return filled("zeros", shape, 0, options);
}

export function ones(...args: ShapeArgs<TensorOptions>): Tensor {
  const [shape, options] = parseShapeArgs<TensorOptions>("ones", args);
  return filled("ones", shape, 1, options);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  if (!Array.isArray(shape)) throw new TypeError(`full: shape must be an array of sizes such as [2, 3], got ${typeof shape === "number" ? shape : typeof shape}`);
  if (typeof value !== "number") throw new TypeError(`full: the fill value must be a number, got ${typeof value === "string" ? JSON.stringify(value) : typeof value}`);
  return filled("full", checkShape("full", shape), value, options);
}

export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return filled("zerosLike", t.shape, 0, { dtype: t.dtype, ...options });
}

export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return filled("onesLike", t.shape, 1, { dtype: t.dtype, ...options });
}

function sampled(op: string, args: readonly unknown[], draw: (g: Generator) => number): Tensor {
  const [shape, options] = parseShapeArgs<RandomOptions>(op, args);
  const data: FloatArray = allocate(checkDtype(op, options.dtype ?? "float32"), sizeOf(shape));
  const g = options.generator ?? defaultGenerator;
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return fromArray(data, shape, options.requiresGrad ?? false);
}

/** Uniform samples in [0, 1) from the seeded generator (see manualSeed). */
export function rand(...args: ShapeArgs<RandomOptions>): Tensor {
  return sampled("rand", args, (g) => g.random());
}

/** Standard normal samples from the seeded generator (see manualSeed). */
export function randn(...args: ShapeArgs<RandomOptions>): Tensor {
  return sampled("randn", args, (g) => g.normal());
}

/** arange(end) or arange(start, end, step = 1): the half-open range [start, end). */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (!Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(step) || step === 0) {
    throw new RangeError(`arange: start ${start}, end ${end} and step ${step} must be finite, and step nonzero`);
  }
  // PyTorch refuses a step pointing away from end rather than giving an empty range.
  if ((end - start) * step < 0) throw new RangeError(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = allocate(checkDtype("arange", options.dtype ?? "float32"), n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return fromArray(data, [n], options.requiresGrad ?? false);
}

/** A 0-d constant of the given dtype (how plain-number operands enter an op). */
export function scalar(value: number, dtype: DType): Tensor {
  const data = allocate(dtype, 1);
  data[0] = value;
  return fromArray(data, []);
}

export type { Shape };
