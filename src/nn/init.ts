// nn.init: in-place weight initialisations with PyTorch's formulas (Kaiming, Xavier, uniform, normal, constants), seeded.

import ndarray from "ndarray";
import ops from "ndarray-ops";
import { allocate, fmt, Tensor } from "../tensor/index.ts";
import { defaultGenerator, type Generator } from "../tensor/rng.ts";
import { given } from "../tensor/index.ts";
import { checkOptions } from "../tensor/describe.ts";

/** PyTorch's nonlinearity names in camelCase; the snake_case spellings ("leaky_relu", "conv_transpose2d") are accepted too. */
export type Nonlinearity =
  | "linear" | "identity" | "sigmoid" | "tanh" | "relu" | "leakyRelu" | "selu"
  | "conv1d" | "conv2d" | "conv3d" | "convTranspose1d" | "convTranspose2d" | "convTranspose3d";

export type FanMode = "fanIn" | "fanOut";

export interface KaimingOptions {
  /** The negative slope of the leaky ReLU that follows (used when nonlinearity is leakyRelu). Default 0. */
  a?: number;
  /** fanIn (default) preserves the forward variance, fanOut the backward one. */
  mode?: FanMode;
  /** Default "leakyRelu" (PyTorch's default; with a = 0 it equals relu). */
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

export interface XavierOptions {
  gain?: number;
  generator?: Generator;
}

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear/conv/sigmoid,
 * 5/3 for tanh, √2 for relu, √(2/(1 + slope²)) for leaky relu (slope default 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity | string, param?: number): number {
  const name = nonlinearity.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  switch (name) {
    case "linear": case "identity": case "sigmoid":
    case "conv1d": case "conv2d": case "conv3d": case "convTranspose1d": case "convTranspose2d": case "convTranspose3d":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leakyRelu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || Number.isNaN(slope)) throw new TypeError(`calculateGain: negative slope ${slope} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new RangeError(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)} (valid: linear, identity, sigmoid, tanh, relu, leakyRelu, selu, conv1d..3d, convTranspose1d..3d)`);
  }
}

/** fanIn = shape[1]·receptive field, fanOut = shape[0]·receptive field (PyTorch's _calculate_fan_in_and_fan_out). */
export function calculateFanInAndFanOut(t: Tensor): [fanIn: number, fanOut: number] {
  if (t.ndim < 2) throw new RangeError(`init: fan in and fan out cannot be computed for a tensor with fewer than 2 dims (got ${fmt(t.shape)})`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** U(a, b) in place. */
export function uniform(t: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  if (!(a <= b)) throw new RangeError(`init.uniform: expected a <= b, got a = ${a}, b = ${b}`);
  return fillWith(t, () => a + (b - a) * generator.random());
}

/** N(mean, std²) in place. */
export function normal(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  if (!(std >= 0)) throw new RangeError(`init.normal: std must be >= 0, got ${std}`);
  return fillWith(t, () => mean + std * generator.normal());
}

export function constant(t: Tensor, value: number): Tensor {
  if (typeof value !== "number") throw new TypeError(`init.constant: value must be a number, got ${given(value)}`);
  return fillWith(t, () => value);
}

export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/**
 * He et al. (2015) uniform: U(−bound, bound) with bound = gain·√(3 / fan), gain = calculateGain(nonlinearity, a).
 */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const std = kaimingStd("kaimingUniform", t, options);
  const bound = Math.sqrt(3) * std;
  return uniform(t, -bound, bound, options.generator);
}

/** He et al. (2015) normal: N(0, std²) with std = gain / √fan. */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd("kaimingNormal", t, options), options.generator);
}

/** Glorot & Bengio (2010) uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform(t: Tensor, options: XavierOptions | number = {}): Tensor {
  const { gain = 1, generator } = xavierOptions("init.xavierUniform", options);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -a, a, generator);
}

/** Glorot & Bengio (2010) normal: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, options: XavierOptions | number = {}): Tensor {
  const { gain = 1, generator } = xavierOptions("init.xavierNormal", options);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

/** A gain alone, or { gain, generator } (checkOptions), with a numeric gain. */
function xavierOptions(who: string, options: XavierOptions | number): XavierOptions {
  const checked = typeof options === "number" ? { gain: options } : checkOptions(who, options, { gain: true, generator: true }, "a gain or { gain, generator }");
  if (checked.gain !== undefined && typeof checked.gain !== "number") throw new TypeError(`${who}: gain must be a number, got ${given(checked.gain)}`);
  return checked;
}

function kaimingStd(who: string, t: Tensor, options: KaimingOptions): number {
  const { a = 0, mode = "fanIn", nonlinearity = "leakyRelu" } = checkOptions(who, options, { a: true, mode: true, nonlinearity: true, generator: true });
  if (mode !== "fanIn" && mode !== "fanOut") throw new RangeError(`${who}: mode must be "fanIn" or "fanOut", got ${JSON.stringify(mode)}`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = mode === "fanIn" ? fanIn : fanOut;
  if (fan === 0) throw new RangeError(`${who}: cannot initialise a tensor with a zero-size dimension (${fmt(t.shape)})`);
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/** Writes draw() into every element, in row-major order, straight into the tensor's storage. */
function fillWith(t: Tensor, draw: () => number): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`init: expected a Tensor to fill in place, got ${given(t, true)}`);
  if (t.isContiguous()) {
    const values = t.values();
    for (let i = 0; i < values.length; i++) values[i] = draw();
  } else {
    const values = allocate(t.dtype, t.size);
    for (let i = 0; i < values.length; i++) values[i] = draw();
    ops.assign(t.data, ndarray(values, t.shape));
  }
  t.bumpVersion();
  return t;
}
