// Loss functions as fused ops: crossEntropy, nllLoss, mseLoss, binaryCrossEntropyWithLogits (reduction mean | sum | none).

import { allocate, fmt, fromArray, Tensor, type DType, type FloatArray } from "../tensor/index.ts";
import { crossEntropyBackward, crossEntropyForward } from "../kernels/cross-entropy.ts";
import { given } from "../tensor/index.ts";
import { checkOptions, type OptionKeys } from "../tensor/describe.ts";
import { fromOp } from "../tensor/tensor.ts";

/** How per-element losses become the result, as PyTorch: their mean (default), their sum, or all of them. */
export type Reduction = "mean" | "sum" | "none";

/** Class indices, one per row: a plain array, an Int32Array (or any typed array), or a 1-D tensor. */
export type Targets = ArrayLike<number> | Tensor;

export interface LossOptions {
  reduction?: Reduction;
}

export interface NllLossOptions extends LossOptions {
  /** A rescaling weight per class ([C]); the mean then divides by Σ weight[target] (PyTorch's rule). */
  weight?: Tensor | ArrayLike<number> | null;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** ε in [0, 1]: the target becomes (1 − ε)·one-hot + ε/C (Szegedy et al., 2016). Default 0. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits [N, C] against class indices: log-softmax and NLL in one fused op.
 *
 *   loss_n = logsumexp(z_n) − z_n[y_n]        (with ε: (1 − ε)·that + ε/C·Σ_c −log p_n[c])
 *   ∂loss/∂z = softmax(z) − onehot(y)          (times 1/N for the mean)
 *
 * The log-sum-exp is max-shifted, so logits of ±1e4 give finite results.
 */
export function crossEntropy(logits: Tensor, targets: Targets, options: CrossEntropyOptions = {}): Tensor {
  const op = "crossEntropy";
  const { reduction = "mean", labelSmoothing = 0 } = lossOptions(op, options, op);
  if (typeof labelSmoothing !== "number" || !(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(`${op}: labelSmoothing must be in [0, 1], got ${given(labelSmoothing)}`);
  }
  const [n, c] = checkLogits(op, logits, "logits");
  const y = classTargets(op, targets, n, c, "logits");
  const weight = classWeights(op, options.weight, c);
  const logProbs = new Float64Array(n * c);
  const losses = new Float64Array(n);
  crossEntropyForward(logits.values(), n, c, y, weight, labelSmoothing, logProbs, losses);
  const denominator = weight === null ? n : sumAt(weight, y);
  const [values, shape] = reduce(losses, logits.dtype, [n], reduction, denominator);
  return fromOp("crossEntropy", values, shape, [logits], (g) => {
    const grad = allocate(logits.dtype, n * c);
    crossEntropyBackward(logProbs, n, c, y, weight, labelSmoothing, upstream(g, n, reduction, denominator), grad);
    return [fromArray(grad, logits.shape)];
  });
}

/**
 * Negative log-likelihood of log-probabilities [N, C] (e.g. from logSoftmax):
 * loss_n = −w[y_n]·logProbs[n, y_n]. The gradient is −w[y_n] at the target entry, 0 elsewhere.
 */
export function nllLoss(logProbs: Tensor, targets: Targets, options: NllLossOptions = {}): Tensor {
  const op = "nllLoss";
  const { reduction = "mean" } = lossOptions(op, options, op);
  const [n, c] = checkLogits(op, logProbs, "input");
  const y = classTargets(op, targets, n, c, "input");
  const weight = classWeights(op, options.weight, c);
  const lp = logProbs.values();
  const losses = new Float64Array(n);
  for (let r = 0; r < n; r++) losses[r] = -(weight === null ? 1 : weight[y[r]]) * lp[r * c + y[r]];
  const denominator = weight === null ? n : sumAt(weight, y);
  const [values, shape] = reduce(losses, logProbs.dtype, [n], reduction, denominator);
  return fromOp("nllLoss", values, shape, [logProbs], (g) => {
    const scales = upstream(g, n, reduction, denominator);
    const grad = allocate(logProbs.dtype, n * c);
    for (let r = 0; r < n; r++) grad[r * c + y[r]] = -(weight === null ? 1 : weight[y[r]]) * scales[r];
    return [fromArray(grad, logProbs.shape)];
  });
}

/** Mean squared error: (x − t)². ∂/∂x = 2(x − t), ∂/∂t = −2(x − t). Shapes must be equal (no silent broadcasting). */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const op = "mseLoss";
  const { reduction = "mean" } = lossOptions(op, options, op);
  checkPair(op, input, target);
  const x = input.values();
  const t = target.values();
  const size = x.length;
  const diff = new Float64Array(size);
  const losses = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    diff[i] = x[i] - t[i];
    losses[i] = diff[i] * diff[i];
  }
  const [values, shape] = reduce(losses, input.dtype, input.shape, reduction, size);
  return fromOp("mseLoss", values, shape, [input, target], (g) => {
    const scales = upstream(g, size, reduction, size);
    const gx = input.requiresGrad ? allocate(input.dtype, size) : null;
    const gt = target.requiresGrad ? allocate(target.dtype, size) : null;
    for (let i = 0; i < size; i++) {
      const d = 2 * diff[i] * scales[i];
      if (gx) gx[i] = d;
      if (gt) gt[i] = -d;
    }
    return [gx && fromArray(gx, input.shape), gt && fromArray(gt, target.shape)];
  });
}

/**
 * Binary cross-entropy on logits, in the stable form max(x, 0) − x·t + log(1 + e^(−|x|)): no exp
 * overflows and no log(0), even for |x| = 30 with the "wrong" target.
 * ∂/∂x = σ(x) − t, ∂/∂t = −x. Targets are probabilities in [0, 1], same shape as the logits.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  const { reduction = "mean" } = lossOptions(op, options, op);
  checkPair(op, input, target);
  const x = input.values();
  const t = target.values();
  const size = x.length;
  const losses = new Float64Array(size);
  for (let i = 0; i < size; i++) losses[i] = Math.max(x[i], 0) - x[i] * t[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
  const [values, shape] = reduce(losses, input.dtype, input.shape, reduction, size);
  return fromOp("binaryCrossEntropyWithLogits", values, shape, [input, target], (g) => {
    const scales = upstream(g, size, reduction, size);
    const gx = input.requiresGrad ? allocate(input.dtype, size) : null;
    const gt = target.requiresGrad ? allocate(target.dtype, size) : null;
    for (let i = 0; i < size; i++) {
      if (gx) gx[i] = (sigmoid(x[i]) - t[i]) * scales[i];
      if (gt) gt[i] = -x[i] * scales[i];
    }
    return [gx && fromArray(gx, input.shape), gt && fromArray(gt, target.shape)];
  });
}

function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** The options each loss takes (its module, e.g. nn.CrossEntropyLoss, takes the same). */
const LOSS_OPTIONS = {
  crossEntropy: { reduction: true, weight: true, labelSmoothing: true } satisfies OptionKeys<CrossEntropyOptions>,
  nllLoss: { reduction: true, weight: true } satisfies OptionKeys<NllLossOptions>,
  mseLoss: { reduction: true } satisfies OptionKeys<LossOptions>,
  binaryCrossEntropyWithLogits: { reduction: true } satisfies OptionKeys<LossOptions>,
};

/** The options of `loss` as given to `op` (the loss or its module): checkOptions (an object, no unknown key), then a valid reduction. */
export function lossOptions<T extends LossOptions>(op: string, options: T, loss: keyof typeof LOSS_OPTIONS): T {
  const checked = checkOptions(op, options, LOSS_OPTIONS[loss] as OptionKeys<T>, 'an object such as { reduction: "sum" }');
  const { reduction } = checked;
  if (reduction !== undefined && reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new TypeError(`${op}: reduction must be "mean", "sum" or "none", got ${given(reduction)}`);
  }
  return checked;
}

function checkLogits(op: string, x: unknown, what: string): [number, number] {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: ${what} must be a Tensor, got ${given(x, true)}`);
  if (x.ndim !== 2) {
    throw new RangeError(`${op}: ${what} must be 2-D [batch, classes], got ${fmt(x.shape)} (for a single sample use .reshape(1, -1))`);
  }
  return [x.shape[0], x.shape[1]];
}

function checkPair(op: string, input: unknown, target: unknown): void {
  if (!(input instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${given(input, true)}`);
  if (!(target instanceof Tensor)) throw new TypeError(`${op}: target must be a Tensor, got ${given(target, true)}`);
  if (input.ndim !== target.ndim || input.shape.some((d, i) => d !== target.shape[i])) {
    throw new RangeError(`${op}: input ${fmt(input.shape)} and target ${fmt(target.shape)} must have the same shape`);
  }
  if (input.dtype !== target.dtype) throw new TypeError(`${op}: input is ${input.dtype} but target is ${target.dtype}; convert one with .to("${input.dtype}")`);
}

/** Validates class indices: one per row of the [N, C] input, each an integer in [0, C). */
function classTargets(op: string, targets: Targets, n: number, c: number, what: string): Int32Array {
  let values: ArrayLike<number>;
  if (targets instanceof Tensor) {
    if (targets.ndim !== 1) throw new RangeError(`${op}: target must be a 1-D tensor of class indices, got shape ${fmt(targets.shape)}`);
    values = targets.values();
  } else if (targets !== null && typeof targets === "object" && typeof (targets as ArrayLike<number>).length === "number") {
    values = targets;
  } else {
    throw new TypeError(`${op}: target must be class indices (number[], Int32Array or a 1-D Tensor), got ${given(targets, true)}`);
  }
  if (values.length !== n) {
    throw new RangeError(`${op}: batch sizes differ: ${what} has ${n} rows but target has ${values.length} labels`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${op}: target ${v} at position ${i} is not an integer class index`);
    if (v < 0 || v >= c) throw new RangeError(`${op}: target ${v} at position ${i} is out of range for ${c} classes (valid: 0 to ${c - 1})`);
    out[i] = v;
  }
  return out;
}

function classWeights(op: string, weight: Tensor | ArrayLike<number> | null | undefined, c: number): Float64Array | null {
  if (weight == null) return null;
  if (!(weight instanceof Tensor) && !(typeof weight === "object" && typeof weight.length === "number")) {
    throw new TypeError(`${op}: weight must be a Tensor or an array of ${c} numbers (one per class), got ${given(weight)}`);
  }
  const values = weight instanceof Tensor ? weight.values() : weight;
  if ((weight instanceof Tensor && weight.ndim !== 1) || values.length !== c) {
    throw new RangeError(`${op}: weight must have one entry per class ([${c}]), got ${weight instanceof Tensor ? fmt(weight.shape) : `${values.length} entries`}`);
  }
  for (let k = 0; k < c; k++) {
    const w = values[k];
    if (typeof w !== "number") throw new TypeError(`${op}: weight[${k}] must be a number, got ${given(w)}`);
    // PyTorch takes any weight; a NaN or negative one silently turns the loss NaN or rewards the wrong class.
    if (!(w >= 0) || w === Infinity) throw new RangeError(`${op}: weight[${k}] is ${w}; class weights must be finite and >= 0`);
  }
  return Float64Array.from(values);
}

function sumAt(weight: Float64Array, y: Int32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += weight[y[i]];
  return s;
}

/** Per-element losses → the op's output values and shape. Sums run in float64 and round once. */
function reduce(losses: Float64Array, dtype: DType, shape: readonly number[], reduction: Reduction, denominator: number): [FloatArray, number[]] {
  if (reduction === "none") {
    const out = allocate(dtype, losses.length);
    out.set(losses);
    return [out, shape.slice()];
  }
  let total = 0;
  for (let i = 0; i < losses.length; i++) total += losses[i];
  const out = allocate(dtype, 1);
  out[0] = reduction === "sum" ? total : total / denominator;
  return [out, []];
}

/** The upstream gradient per element: g[i] for "none", g for "sum", g/denominator for "mean". */
function upstream(g: Tensor, count: number, reduction: Reduction, denominator: number): Float64Array {
  const gv = g.values();
  if (reduction === "none") return Float64Array.from(gv);
  return new Float64Array(count).fill(reduction === "sum" ? gv[0] : gv[0] / denominator);
}
