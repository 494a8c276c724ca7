// nn.functional: the stateless forms of the layers — the fused linear op, convolution, pooling, norms, dropout, activations and losses.

import { fromArray, fmt, allocate, relu, leakyRelu, sigmoid, tanh, gelu, softmax, logSoftmax, Tensor } from "../tensor/index.ts";
import { fromOp, gradStorage } from "../tensor/tensor.ts";
import { linearBackwardBias, linearBackwardInput, linearBackwardWeight, linearForward } from "../kernels/linear.ts";

export { relu, leakyRelu, sigmoid, tanh, gelu, softmax, logSoftmax };
export { conv2d, maxPool2d, avgPool2d, batchNorm, layerNorm, type Conv2dOptions, type Pool2dOptions, type BatchNormOptions, type LayerNormOptions } from "../tensor/index.ts";
export { dropout } from "./dropout.ts";
export { crossEntropy, nllLoss, mseLoss, binaryCrossEntropyWithLogits, type Reduction, type Targets, type CrossEntropyOptions, type NllLossOptions, type LossOptions } from "./losses.ts";

/**
 * y = x·Wᵀ + b for x [..., in], W [out, in], b [out]: one fused op (gemm with the bias folded in).
 * Backward: dx = g·W, dW = gᵀ·x (both gemm), db = Σ over rows of g.
 * `label` names the caller in errors (nn.Linear passes "Linear(784, 10)").
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, label = "linear"): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${label}: input must be a Tensor, got ${typeof x}`);
  if (!(weight instanceof Tensor) || weight.ndim !== 2) throw new TypeError(`${label}: weight must be a 2-D Tensor [out, in]${weight instanceof Tensor ? `, got ${fmt(weight.shape)}` : ""}`);
  const [outF, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new RangeError(`${label}: expected input with ${inF} features (last dim), got ${fmt(x.shape)}`);
  }
  if (bias !== null && (!(bias instanceof Tensor) || bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new RangeError(`${label}: bias must have shape [${outF}], got ${bias instanceof Tensor ? fmt(bias.shape) : typeof bias}`);
  }
  for (const [what, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t !== null && t.dtype !== x.dtype) throw new TypeError(`${label}: input is ${x.dtype} but ${what} is ${t.dtype}; convert one with .to("${t.dtype}")`);
  }
  const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const outShape = [...x.shape.slice(0, -1), outF];
  const xv = x.values();
  const wv = weight.values();
  const y = allocate(x.dtype, rows * outF);
  linearForward(xv, wv, bias === null ? null : bias.values(), y, rows, inF, outF);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return fromOp("linear", y, outShape, inputs, (g) => {
    const gv = g.values();
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (x.requiresGrad) {
      const a = allocate(x.dtype, x.size);
      linearBackwardInput(gv, wv, a, rows, inF, outF);
      dx = fromArray(a, x.shape);
    }
    if (weight.requiresGrad) {
      const a = gradStorage(weight, outF * inF);
      linearBackwardWeight(gv, xv, a, rows, inF, outF);
      dw = fromArray(a, weight.shape);
    }
    if (bias !== null && bias.requiresGrad) {
      const a = gradStorage(bias, outF);
      linearBackwardBias(gv, a, rows, outF);
      db = fromArray(a, bias.shape);
    }
    return bias === null ? [dx, dw] : [dx, dw, db];
  });
}
