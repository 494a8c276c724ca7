// Creation functions: tensor() from numbers, nested arrays or typed arrays; zeros, ones, full, rand, randn, arange.

import { allocateLongLived } from "../kernels/index.ts";
import { checkOptions, describe, describeTyped, type OptionKeys } from "./describe.ts";
import { allocate, checkDtype, type DType, type FloatArray } from "./dtype.ts";
import { checkShape, fmt, sizeOf, type Shape } from "./shape.ts";
import { fromArray, Tensor, type Nested } from "./tensor.ts";
import { defaultGenerator, Generator } from "./rng.ts";

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

/** The keys of TensorOptions, for the unknown-option check. */
const TENSOR_OPTIONS: OptionKeys<TensorOptions> = { dtype: true, requiresGrad: true };

type TypedNumbers = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array | Uint8ClampedArray;

const DATA_KINDS = "a number, nested arrays of numbers or a typed array";

/**
 * A tensor from a number (0-d), nested arrays, or a typed array (`{ shape }` gives its shape).
 * A Float32Array (or Float64Array with dtype float64) is used as the storage without a copy.
 */
export function tensor(values: Nested | TypedNumbers, options: FromDataOptions = {}): Tensor {
  const { dtype: given, requiresGrad = false, shape: shapeOption } = tensorOptions<FromDataOptions>("tensor", options, { ...TENSOR_OPTIONS, shape: true });
  if (values instanceof BigInt64Array || values instanceof BigUint64Array || values instanceof DataView) {
    const fix = values instanceof DataView ? "read its numbers into one" : "convert it first, e.g. Float64Array.from(data, Number)";
    throw new TypeError(`tensor: expected ${DATA_KINDS}, got ${describeTyped(values)} (valid typed arrays hold numbers: Float32Array, Float64Array, Int32Array, Uint8Array ...; ${fix})`);
  }
  if (typeof values !== "number" && !Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw new TypeError(`tensor: expected ${DATA_KINDS}, got ${describeTyped(values)}`);
  }
  if (ArrayBuffer.isView(values)) {
    const shape = checkShape("tensor", shapeOption ?? [values.length]);
    if (sizeOf(shape) !== values.length) {
      throw new RangeError(`tensor: shape ${fmt(shape)} holds ${sizeOf(shape)} elements, but the array has ${values.length}`);
    }
    const dtype = given ?? (values instanceof Float64Array ? "float64" : "float32");
    const storage = dtype === "float64" ? (values instanceof Float64Array ? values : Float64Array.from(values)) : values instanceof Float32Array ? values : Float32Array.from(values);
    return fromArray(storage, shape, requiresGrad);
  }
  const dtype = given ?? "float32";
  const shape = inferShape(values);
  if (shapeOption !== undefined && sizeOf(checkShape("tensor", shapeOption)) !== sizeOf(shape)) {
    throw new RangeError(`tensor: shape ${fmt(shapeOption)} does not fit data of shape ${fmt(shape)}`);
  }
  const flat = allocateShape("tensor", dtype, shape);
  let i = 0;
  const fill = (v: Nested): void => {
    if (typeof v === "number") flat[i++] = v;
    else for (const x of v) fill(x);
  };
  fill(values);
  return fromArray(flat, shapeOption ?? shape, requiresGrad);
}

/** The options object as given (checkOptions: an object, no unknown key), with a known dtype, a boolean requiresGrad and a Generator. */
function tensorOptions<O extends TensorOptions>(op: string, options: unknown, valid: OptionKeys<O>): O {
  const checked: RandomOptions = checkOptions(op, options as O | undefined, valid, 'an object such as { dtype: "float64", requiresGrad: true }');
  const { dtype, requiresGrad, generator } = checked;
  if (dtype !== undefined) checkDtype(op, dtype);
  if (requiresGrad !== undefined && typeof requiresGrad !== "boolean") throw new TypeError(`${op}: requiresGrad must be true or false, got ${describeTyped(requiresGrad)}`);
  if (generator !== undefined && !(generator instanceof Generator)) throw new TypeError(`${op}: generator must be a Generator (new Generator(seed)), got ${describeTyped(generator)}`);
  return checked as O;
}

/** Fresh zeroed storage for `shape` (long-lived for parameters); a shape too large to allocate is named with the op, as given. */
function allocateShape(op: string, dtype: DType, shape: Shape, longLived = false): FloatArray {
  const size = sizeOf(shape);
  try {
    return longLived && dtype === "float32" ? allocateLongLived(size) : allocate(dtype, size);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const bytes = size * (dtype === "float64" ? 8 : 4);
    const message = `${op}: shape ${fmt(shape)} is too large to allocate: ${size} ${dtype} elements, ${(bytes / 2 ** 30).toFixed(1)} GiB (the limit is the engine's typed-array length and the memory available)`;
    throw new RangeError(message, { cause: e });
  }
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
      if (typeof v !== "number") throw new TypeError(`tensor: ${Array.isArray(v) ? `ragged nested array: ${path} is an array` : `${path} is ${describeTyped(v)}`} where a number was expected`);
      return;
    }
    if (!Array.isArray(v)) throw new TypeError(`tensor: ragged nested array: ${path} is ${typeof v === "number" ? "a number" : typeof v} where an array of length ${shape[depth]} was expected`);
    if (v.length !== shape[depth]) throw new TypeError(`tensor: ragged nested array: ${path} has length ${v.length}, expected ${shape[depth]}`);
    for (let k = 0; k < v.length; k++) {
      if (!(k in v)) throw new TypeError(`tensor: ${path}[${k}] is an empty slot of a sparse array (${describe(v)}); every element must be given`);
      check(v[k], depth + 1, `${path}[${k}]`);
    }
  };
  check(values, 0, "values");
  return shape;
}

/** Accepts a shape as an array or as separate numbers, optionally followed by options: zeros([3, 4]), zeros(3, 4, { dtype }). */
export type ShapeArgs<O> = [shape: readonly number[], options?: O] | [...dims: number[]] | [...dims: number[], options: O];

function parseShapeArgs<O extends TensorOptions>(op: string, args: readonly unknown[], valid: OptionKeys<O>): [number[], O] {
  if (Array.isArray(args[0])) {
    if (args.length > 2) throw new TypeError(`${op}: after the shape ${describe(args[0])} only an options object may follow, got ${args.length - 1} more arguments`);
    return [checkShape(op, args[0]), tensorOptions<O>(op, args[1], valid)];
  }
  const last = args[args.length - 1];
  const hasOptions = typeof last === "object" && last !== null;
  const dims = hasOptions ? args.slice(0, -1) : args;
  return [checkShape(op, dims), tensorOptions<O>(op, hasOptions ? last : undefined, valid)];
}

/**
 * A zeroed leaf tensor that requires grad, for a layer (`op`, in error messages) to initialise as its parameter. float32
 * storage is long-lived (kernels/allocateLongLived): matrix products and optimizer steps then use
 * it where it is, without copying.
 */
export function parameterZeros(op: string, shape: number[], dtype: DType): Tensor {
  return fromArray(allocateShape(op, checkDtype(op, dtype), checkShape(op, shape), true), shape, true);
}

function filled(op: string, shape: number[], value: number, options: TensorOptions): Tensor {
  const data = allocateShape(op, options.dtype ?? "float32", shape);
  if (value !== 0) data.fill(value);
  return fromArray(data, shape, options.requiresGrad ?? false);
}

export function zeros(...args: ShapeArgs<TensorOptions>): Tensor {
  const [shape, options] = parseShapeArgs<TensorOptions>("zeros", args, TENSOR_OPTIONS);
  return filled("zeros", shape, 0, options);
}

export function ones(...args: ShapeArgs<TensorOptions>): Tensor {
  const [shape, options] = parseShapeArgs<TensorOptions>("ones", args, TENSOR_OPTIONS);
  return filled("ones", shape, 1, options);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  const checked = checkShape("full", shape);
  if (typeof value !== "number") throw new TypeError(`full: the fill value must be a number, got ${describeTyped(value)}`);
  return filled("full", checked, value, tensorOptions("full", options, TENSOR_OPTIONS));
}

export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return filled("zerosLike", likeShape("zerosLike", t), 0, { dtype: t.dtype, ...tensorOptions("zerosLike", options, TENSOR_OPTIONS) });
}

export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return filled("onesLike", likeShape("onesLike", t), 1, { dtype: t.dtype, ...tensorOptions("onesLike", options, TENSOR_OPTIONS) });
}

function likeShape(op: string, t: unknown): number[] {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${describeTyped(t)}`);
  return t.shape;
}

function sampled(op: string, args: readonly unknown[], draw: (g: Generator) => number): Tensor {
  const [shape, options] = parseShapeArgs<RandomOptions>(op, args, { ...TENSOR_OPTIONS, generator: true });
  const data = allocateShape(op, options.dtype ?? "float32", shape);
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
  const { dtype = "float32", requiresGrad = false } = tensorOptions<TensorOptions>("arange", options, TENSOR_OPTIONS);
  if (end === undefined) [start, end] = [0, start];
  for (const [name, v] of [["start", start], ["end", end], ["step", step]] as const) {
    if (typeof v !== "number") throw new TypeError(`arange: ${name} must be a number, got ${describeTyped(v)}`);
  }
  if (!Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(step) || step === 0) {
    throw new RangeError(`arange: start ${start}, end ${end} and step ${step} must be finite, and step nonzero`);
  }
  // PyTorch refuses a step pointing away from end rather than giving an empty range.
  if ((end - start) * step < 0) throw new RangeError(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = allocateShape("arange", dtype, [n]);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return fromArray(data, [n], requiresGrad);
}

/** A 0-d constant of the given dtype (how plain-number operands enter an op). */
export function scalar(value: number, dtype: DType): Tensor {
  const data = allocate(dtype, 1);
  data[0] = value;
  return fromArray(data, []);
}

export type { Shape };
