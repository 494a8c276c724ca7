// The Tensor methods (x.add(y), x.relu() ...): a typed table of calls to the op functions, installed on the prototype, so tensor.ts need not import the ops.

import { backward, type BackwardOptions } from "./autograd.ts";
import { add, sub, mul, div, neg, pow, exp, log, sqrt, abs, clamp } from "./elementwise.ts";
import { relu, leakyRelu, sigmoid, tanh, gelu, softmax, logSoftmax } from "./activation.ts";
import { sum, mean, max, argmax } from "./reduce.ts";
import { matmul } from "./matmul.ts";
import { reshape, transpose, T, permute, flatten, unsqueeze, squeeze, indexSelect, detach, to, clone } from "./views.ts";
import type { DType } from "./dtype.ts";
import type { Operand } from "./operand.ts";
import { Tensor } from "./tensor.ts";

/** Every Tensor method but the T getter; an op given a method gets one line here and one in `methodTable`. */
export interface TensorMethods {
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
  flatten(startDim?: number, endDim?: number): Tensor;
  unsqueeze(dim: number): Tensor;
  squeeze(dim?: number): Tensor;
  indexSelect(dim: number, indices: ArrayLike<number> | Tensor): Tensor;
  detach(): Tensor;
  to(dtype: DType): Tensor;
  clone(): Tensor;
  backward(gradient?: Tensor, options?: BackwardOptions): void;
}

declare module "./tensor.ts" {
  interface Tensor extends TensorMethods {
    /** The 2-D transpose (see T in views.ts). */
    readonly T: Tensor;
  }
}

/**
 * The implementation of each method as a function of `this`. The mapped type makes the table
 * complete and exact: a missing method, a parameter of another type or a wrong return type fails
 * the type check (test/tensor-methods.test.ts shows it).
 */
export type MethodTable = { [K in keyof TensorMethods]: (this: Tensor, ...args: Parameters<TensorMethods[K]>) => ReturnType<TensorMethods[K]> };

export const methodTable: MethodTable = {
  add(o) { return add(this, o); },
  sub(o) { return sub(this, o); },
  mul(o) { return mul(this, o); },
  div(o) { return div(this, o); },
  neg() { return neg(this); },
  pow(p) { return pow(this, p); },
  exp() { return exp(this); },
  log() { return log(this); },
  sqrt() { return sqrt(this); },
  abs() { return abs(this); },
  clamp(lo, hi) { return clamp(this, lo, hi); },
  relu() { return relu(this); },
  leakyRelu(s) { return leakyRelu(this, s); },
  sigmoid() { return sigmoid(this); },
  tanh() { return tanh(this); },
  gelu() { return gelu(this); },
  softmax(dim) { return softmax(this, dim); },
  logSoftmax(dim) { return logSoftmax(this, dim); },
  sum(dim, keepdim) { return sum(this, dim, keepdim); },
  mean(dim, keepdim) { return mean(this, dim, keepdim); },
  max(dim, keepdim) { return max(this, dim, keepdim); },
  argmax(dim, keepdim) { return argmax(this, dim, keepdim); },
  matmul(o) { return matmul(this, o); },
  reshape(...shape) { return reshape(this, ...shape); },
  view(...shape) { return reshape(this, ...shape); },
  transpose(d0, d1) { return transpose(this, d0, d1); },
  permute(...dims) { return permute(this, dims); },
  flatten(s, e) { return flatten(this, s, e); },
  unsqueeze(dim) { return unsqueeze(this, dim); },
  squeeze(dim) { return squeeze(this, dim); },
  indexSelect(dim, idx) { return indexSelect(this, dim, idx); },
  detach() { return detach(this); },
  to(dtype) { return to(this, dtype); },
  clone() { return clone(this); },
  backward(gradient, options) { backward(this, gradient, options); },
};

Object.assign(Tensor.prototype, methodTable);
Object.defineProperty(Tensor.prototype, "T", { get(this: Tensor) { return T(this); }, configurable: true });
