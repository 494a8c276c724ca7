// Installs the op functions as Tensor methods (x.add(y), x.relu() ...), so tensor.ts need not import the ops.

import { backward, type BackwardOptions } from "./autograd.ts";
import { add, sub, mul, div, neg, pow, exp, log, sqrt, abs, clamp } from "./elementwise.ts";
import { relu, leakyRelu, sigmoid, tanh, gelu, softmax, logSoftmax } from "./activation.ts";
import { sum, mean, max, argmax } from "./reduce.ts";
import { matmul } from "./matmul.ts";
import { reshape, transpose, T, permute, flatten, unsqueeze, squeeze, indexSelect, detach, to, clone } from "./views.ts";
import type { DType } from "./dtype.ts";
import type { Operand } from "./operand.ts";
import { Tensor } from "./tensor.ts";

declare module "./tensor.ts" {
  interface Tensor {
    add(other: Operand): Tensor;
    sub(other: Operand): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand): Tensor;
    neg(): Tensor;
    pow(exponent: number): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    relu(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    gelu(): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    sum(dim?: number | readonly number[] | null, keepdim?: boolean): Tensor;
    mean(dim?: number | readonly number[] | null, keepdim?: boolean): Tensor;
    max(dim?: number | null, keepdim?: boolean): Tensor;
    argmax(dim?: number | null, keepdim?: boolean): Tensor;
    matmul(other: Tensor): Tensor;
    reshape(...shape: number[] | [readonly number[]]): Tensor;
    view(...shape: number[] | [readonly number[]]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    permute(...dims: number[]): Tensor;
    readonly T: Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    squeeze(dim?: number): Tensor;
    indexSelect(dim: number, indices: ArrayLike<number> | Tensor): Tensor;
    detach(): Tensor;
    to(dtype: DType): Tensor;
    clone(): Tensor;
    backward(gradient?: Tensor, options?: BackwardOptions): void;
  }
}

const methods: Partial<Record<keyof Tensor, unknown>> = {
  add(this: Tensor, o: Operand) { return add(this, o); },
  sub(this: Tensor, o: Operand) { return sub(this, o); },
  mul(this: Tensor, o: Operand) { return mul(this, o); },
  div(this: Tensor, o: Operand) { return div(this, o); },
  neg(this: Tensor) { return neg(this); },
  pow(this: Tensor, p: number) { return pow(this, p); },
  exp(this: Tensor) { return exp(this); },
  log(this: Tensor) { return log(this); },
  sqrt(this: Tensor) { return sqrt(this); },
  abs(this: Tensor) { return abs(this); },
  clamp(this: Tensor, lo?: number | null, hi?: number | null) { return clamp(this, lo, hi); },
  relu(this: Tensor) { return relu(this); },
  leakyRelu(this: Tensor, s?: number) { return leakyRelu(this, s); },
  sigmoid(this: Tensor) { return sigmoid(this); },
  tanh(this: Tensor) { return tanh(this); },
  gelu(this: Tensor) { return gelu(this); },
  softmax(this: Tensor, dim?: number) { return softmax(this, dim); },
  logSoftmax(this: Tensor, dim?: number) { return logSoftmax(this, dim); },
  sum(this: Tensor, dim?: number | readonly number[] | null, keepdim?: boolean) { return sum(this, dim, keepdim); },
  mean(this: Tensor, dim?: number | readonly number[] | null, keepdim?: boolean) { return mean(this, dim, keepdim); },
  max(this: Tensor, dim?: number | null, keepdim?: boolean) { return max(this, dim, keepdim); },
  argmax(this: Tensor, dim?: number | null, keepdim?: boolean) { return argmax(this, dim, keepdim); },
  matmul(this: Tensor, o: Tensor) { return matmul(this, o); },
  reshape(this: Tensor, ...shape: number[] | [readonly number[]]) { return reshape(this, ...shape); },
  view(this: Tensor, ...shape: number[] | [readonly number[]]) { return reshape(this, ...shape); },
  transpose(this: Tensor, d0: number, d1: number) { return transpose(this, d0, d1); },
  permute(this: Tensor, ...dims: number[]) { return permute(this, dims); },
  flatten(this: Tensor, s?: number, e?: number) { return flatten(this, s, e); },
  unsqueeze(this: Tensor, dim: number) { return unsqueeze(this, dim); },
  squeeze(this: Tensor, dim?: number) { return squeeze(this, dim); },
  indexSelect(this: Tensor, dim: number, idx: ArrayLike<number> | Tensor) { return indexSelect(this, dim, idx); },
  detach(this: Tensor) { return detach(this); },
  to(this: Tensor, dtype: DType) { return to(this, dtype); },
  clone(this: Tensor) { return clone(this); },
  backward(this: Tensor, gradient?: Tensor, options?: BackwardOptions) { backward(this, gradient, options); },
};

Object.assign(Tensor.prototype, methods);
Object.defineProperty(Tensor.prototype, "T", { get(this: Tensor) { return T(this); }, configurable: true });
