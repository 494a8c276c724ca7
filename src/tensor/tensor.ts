// The Tensor: an ndarray view plus the autograd bookkeeping (requiresGrad, grad, gradFn).

import ndarray, { type NdArray } from "ndarray";
import ops from "ndarray-ops";
import { allocate, dtypeOf, type DType, type FloatArray } from "./dtype.ts";
import { isGradEnabled } from "./grad-mode.ts";
import { fmt, rowMajorStrides, sizeOf, type Shape } from "./shape.ts";

export type Backward = (grad: Tensor) => (Tensor | null)[];

/** How a tensor was made: the op, its inputs, and how the gradient flows back to each input. */
export interface GradFn {
  op: string;
  inputs: Tensor[];
  /** One gradient per input (null where the input needs none); null once the graph is released. */
  backward: Backward | null;
  /** The inputs whose values the backward reads, and their versions at the forward (checked by backward). */
  saved: readonly Tensor[];
  savedVersions: readonly number[];
  /**
   * True for ndgrad's own ops, whose backward keeps no reference to the gradient it gets or the
   * ones it returns: backward may then recycle those arrays once consumed (recycle.ts). False for
   * ops made through the public fromOp/viewOp (custom-op.ts).
   */
  recycles: boolean;
}

/** PyTorch's _version: one counter per storage, shared by a tensor and its views. */
export interface VersionCounter {
  value: number;
}

export type Nested = number | Nested[];

export class Tensor {
  /** The storage: an ndarray view (any strides) over a Float32Array or Float64Array. */
  data: NdArray<FloatArray>;
  requiresGrad: boolean;
  gradFn: GradFn | null = null;
  /** A label for graphs and error messages (set on parameters by nn.Module). */
  name?: string;
  /** Shared with every view of the same storage (reshape, transpose, detach ...); made on first need, so most op outputs never have one. */
  private counter: VersionCounter | null;
  /** The gradient behind `grad`; ndgrad's own readers (gradOf) leave it unmarked. */
  private gradValue: Tensor | null = null;
  /** Set once this tensor has been given to code outside ndgrad, as a `.grad` read or assigned: its storage is then never reused. */
  private handedOut = false;
  /** Storage of a gradient that zeroGrad released without anyone having seen it, for the next backward to write into (gradStorage). */
  private spareGrad: FloatArray | null = null;

  constructor(data: NdArray<FloatArray>, requiresGrad = false, counter: VersionCounter | null = null) {
    this.data = data;
    this.requiresGrad = requiresGrad;
    this.counter = counter;
  }

  /** Accumulated gradient of a leaf after backward(); assignable (optimizers read it, zeroGrad clears it). */
  get grad(): Tensor | null {
    if (this.gradValue !== null) this.gradValue.handedOut = true;
    return this.gradValue;
  }

  set grad(g: Tensor | null) {
    if (g instanceof Tensor) g.handedOut = true;
    this.gradValue = g;
  }

  /** How many in-place writes the storage has had (PyTorch's _version). */
  get version(): number {
    return this.counter === null ? 0 : this.counter.value;
  }

  /** The counter to hand to a view of this tensor's storage. */
  versionCounter(): VersionCounter {
    return (this.counter ??= { value: 0 });
  }

  /**
   * Records an in-place write to the storage. Whatever writes a tensor's values in place calls it
   * (optimizer steps, loadStateDict, zeroGrad fills, nn.init, DataLoader buffers), so that backward can refuse a graph
   * whose forward saw the old values instead of returning a silently wrong gradient.
   */
  bumpVersion(): void {
    this.versionCounter().value++;
  }

  get dtype(): DType {
    return dtypeOf(this.data.data);
  }

  get shape(): number[] {
    return this.data.shape.slice();
  }

  get size(): number {
    return sizeOf(this.data.shape);
  }

  get ndim(): number {
    return this.data.shape.length;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** True when the elements lie in row-major order with no gaps (offset allowed). */
  isContiguous(): boolean {
    const { shape, stride } = this.data;
    let expected = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (shape[i] !== 1 && stride[i] !== expected) return false;
      expected *= shape[i];
    }
    return true;
  }

  /**
   * The elements in row-major order as a typed array: the storage itself (a subarray, no copy)
   * when contiguous, a fresh copy otherwise. Do not write through it unless you own the tensor.
   */
  values(): FloatArray {
    const nd = this.data;
    const n = this.size;
    if (this.isContiguous()) {
      return nd.offset === 0 && nd.data.length === n ? nd.data : nd.data.subarray(nd.offset, nd.offset + n);
    }
    const out = allocate(this.dtype, n);
    ops.assign(ndarray(out, nd.shape.slice()), nd);
    return out;
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item: only a one-element tensor converts to a number, this one has shape ${fmt(this.shape)}`);
    return this.values()[0];
  }

  /** Nested arrays of numbers in the tensor's shape (a number for a 0-d tensor). */
  toArray(): Nested {
    const flat = this.values();
    const shape = this.data.shape;
    if (shape.length === 0) return flat[0];
    const build = (dim: number, offset: number, stride: number): Nested[] => {
      const out: Nested[] = new Array(shape[dim]);
      const inner = stride / shape[dim];
      for (let i = 0; i < shape[dim]; i++) {
        out[i] = dim === shape.length - 1 ? flat[offset + i] : build(dim + 1, offset + i * inner, inner);
      }
      return out;
    };
    return build(0, 0, flat.length);
  }

  toString(): string {
    const flags = this.requiresGrad ? ", requiresGrad: true" : "";
    return `Tensor(${JSON.stringify(this.toArray())}, { shape: ${fmt(this.shape)}, dtype: "${this.dtype}"${flags} })`;
  }
}

/** The private fields the gradient functions below reach into (TypeScript's private is per class, not per file). */
interface GradSlots {
  gradValue: Tensor | null;
  handedOut: boolean;
  spareGrad: FloatArray | null;
}
const slots = (t: Tensor): GradSlots => t as unknown as GradSlots;

/** t.grad without handing it out: for ndgrad's own readers, which keep no reference to it (backward, optimizers, clipping, diagnostics). */
export function gradOf(t: Tensor): Tensor | null {
  return slots(t).gradValue;
}

/** t.grad ← g from backward: a gradient nobody outside has seen yet. */
export function setGrad(t: Tensor, g: Tensor | null): void {
  slots(t).gradValue = g;
}

/**
 * t.grad ← null, as zeroGrad does. When nobody outside ndgrad has seen that gradient (no `.grad`
 * read, no assignment) and it owns its whole array, the array is kept for the next backward to
 * write t's new gradient into (gradStorage): a training step then allocates no gradient arrays for
 * its weights, the garbage collector has megabytes less to free per step, and its helper threads
 * stop taking a core from the BLAS threads. A gradient that was seen is left alone, so a reference
 * kept to it keeps its values, as in PyTorch.
 */
export function releaseGrad(t: Tensor): void {
  const g = slots(t).gradValue;
  slots(t).gradValue = null;
  if (g === null || slots(g).handedOut || !g.isContiguous() || g.data.offset !== 0) return;
  const values: FloatArray = g.data.data;
  if (values.length === g.size && values.byteOffset === 0 && values.byteLength === values.buffer.byteLength) slots(t).spareGrad = values;
}

/**
 * An array of n elements for t's gradient, which the caller overwrites whole: the array releaseGrad
 * kept, when it fits and t has no gradient that this one will be added to, else a new one.
 */
export function gradStorage(t: Tensor, n: number): FloatArray {
  const spare = slots(t).spareGrad;
  if (spare === null) return allocate(t.dtype, n);
  slots(t).spareGrad = null;
  return spare.length === n && dtypeOf(spare) === t.dtype && slots(t).gradValue === null ? spare : allocate(t.dtype, n);
}

/** A fresh contiguous tensor around a typed array (no copy). */
export function fromArray(values: FloatArray, shape: Shape, requiresGrad = false): Tensor {
  return new Tensor(ndarray(values, shape.slice(), rowMajorStrides(shape)), requiresGrad);
}

/**
 * The output of an op: records the inputs and the backward closure when any input requires a
 * gradient and recording is on (see noGrad). `backward` returns one gradient per input. `saved`
 * lists the inputs whose values the backward reads (all of them unless the op says fewer): their
 * versions are recorded, and backward throws if one was written in place since.
 */
export function fromOp(op: string, values: FloatArray | NdArray<FloatArray>, shape: Shape, inputs: Tensor[], backward: Backward, saved: Tensor[] = inputs): Tensor {
  const nd = ArrayBuffer.isView(values) ? ndarray(values, shape.slice(), rowMajorStrides(shape)) : values;
  return record(op, new Tensor(nd), inputs, backward, saved);
}

/** The output of a view op (reshape of contiguous data, transpose, permute): x's storage, so x's version counter. */
export function viewOp(op: string, x: Tensor, view: NdArray<FloatArray>, backward: Backward): Tensor {
  return record(op, new Tensor(view, false, x.versionCounter()), [x], backward, []);
}

const NONE_SAVED: readonly number[] = [];

function record(op: string, out: Tensor, inputs: Tensor[], backward: Backward, saved: Tensor[]): Tensor {
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.gradFn = { op, inputs, backward, saved, savedVersions: saved.length === 0 ? NONE_SAVED : saved.map((t) => t.version), recycles: true };
  }
  for (const hook of opHooks) hook(op, out, inputs);
  return out;
}

/** Called after every op (the anomaly detector plugs in here). */
export type OpHook = (op: string, output: Tensor, inputs: Tensor[]) => void;
export const opHooks: OpHook[] = [];
