// The tensor package: the Tensor class with its methods installed, creation functions, ops and autograd.

import "./methods.ts";

export { Tensor, fromArray, opHooks, type GradFn, type Backward, type Nested, type OpHook, type VersionCounter } from "./tensor.ts";
export { fromOp, viewOp } from "./custom-op.ts";
export { tensor, zeros, ones, full, zerosLike, onesLike, rand, randn, arange, scalar, parameterZeros, type TensorOptions, type FromDataOptions, type RandomOptions } from "./create.ts";
export { noGrad, enableGrad, isGradEnabled } from "./grad-mode.ts";
export { backward, type BackwardOptions } from "./autograd.ts";
export { add, sub, mul, div, neg, pow, exp, log, sqrt, abs, clamp } from "./elementwise.ts";
export { relu, leakyRelu, sigmoid, tanh, gelu, softmax, logSoftmax, stableSigmoid } from "./activation.ts";
export { sum, mean, max, argmax, expandTo } from "./reduce.ts";
export { matmul, matrixLayout, type MatrixLayout } from "./matmul.ts";
export { conv2d, type Conv2dOptions } from "./conv.ts";
export { maxPool2d, avgPool2d, type Pool2dOptions } from "./pool.ts";
export { batchNorm, layerNorm, type BatchNormOptions, type LayerNormOptions } from "./norm.ts";
export { pair, type Size2 } from "./window.ts";
export { reshape, transpose, permute, flatten, unsqueeze, squeeze, indexSelect, detach, to, clone } from "./views.ts";
export { sumToShape, broadcastView } from "./broadcast.ts";
export { checkTensor, type Operand } from "./operand.ts";
export { fmt, sizeOf, sameShape, normalizeDim, broadcastShapes, splitAt, type Shape } from "./shape.ts";
export { describe, describeTyped, given } from "./describe.ts";
export { allocate, type DType, type FloatArray } from "./dtype.ts";
export { manualSeed, Generator, defaultGenerator } from "./rng.ts";
