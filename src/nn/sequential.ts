// nn.Sequential: modules applied in order; children are named "0", "1", ... as in PyTorch.

import { isGradEnabled, opHooks, type Tensor } from "../tensor/index.ts";
import { markIntermediate } from "../tensor/recycle.ts";
import { GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from "./activation.ts";
import { BatchNorm1d, BatchNorm2d } from "./batchnorm.ts";
import { Conv2d } from "./conv.ts";
import { Dropout } from "./dropout.ts";
import { Flatten, Unflatten } from "./flatten.ts";
import { LayerNorm } from "./layernorm.ts";
import { Linear } from "./linear.ts";
import { Module } from "./module.ts";
import { AvgPool2d, MaxPool2d } from "./pooling.ts";

/**
 * Layers whose forward keeps no tensor and returns a new tensor in an array of its own, or its
 * input itself, or (VIEWS) a view of its input. Between two of them, a Sequential's intermediate
 * output is read by the graph alone, so backward may reuse its array (tensor/recycle.ts). Exact
 * classes only: a subclass may keep what it sees.
 */
const VIEWS = new Set<unknown>([Flatten, Unflatten]);
const KEEPS_NO_TENSOR = new Set<unknown>([...VIEWS, Linear, Conv2d, ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax, MaxPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, LayerNorm, Dropout]);
const keepsNoTensor = (m: Module): boolean => KEEPS_NO_TENSOR.has(m.constructor) && !Object.hasOwn(m, "forward");

export class Sequential extends Module {
  /** model[0] is the first layer (as PyTorch's indexing). */
  readonly [index: number]: Module;
  #length = 0;

  constructor(...modules: Module[]) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end, named by its position. */
  append(module: Module): this {
    if (!(module instanceof Module)) throw new TypeError(`Sequential: argument ${this.#length} is not a Module (got ${module === null ? "null" : typeof module})`);
    this.registerModule(String(this.#length++), module);
    return this;
  }

  get length(): number {
    return this.#length;
  }

  /** The i-th module; negative i counts from the end. */
  at(i: number): Module {
    const k = i < 0 ? i + this.#length : i;
    if (!Number.isInteger(k) || k < 0 || k >= this.#length) throw new RangeError(`Sequential.at: index ${i} is out of range for ${this.#length} modules`);
    return this[k];
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    const layers = this.children();
    const outputs: Tensor[] = [];
    let out = x;
    for (const m of layers) outputs.push((out = m.forward(out)));
    if (isGradEnabled() && opHooks.length === 0) markIntermediates(x, layers, outputs);
    return out;
  }
}

/**
 * Marks each output that only layers keeping no tensor made and read: not the input, not the
 * result, wherever it appears (a layer may pass its input on), and only if the view a view layer
 * makes of it is marked too (the view shares its array). From the last output back, so that a
 * view's verdict is known before its input's. (An operation hook may keep what it sees: then
 * nothing is marked.)
 */
function markIntermediates(x: Tensor, layers: Module[], outputs: Tensor[]): void {
  const verdicts = new Map<Tensor, boolean>();
  for (let k = outputs.length - 1; k >= 0; k--) {
    const t = outputs[k];
    const reader = layers[k + 1];
    const privateHere = reader !== undefined && keepsNoTensor(layers[k]) && keepsNoTensor(reader) && (!VIEWS.has(reader.constructor) || verdicts.get(outputs[k + 1]) === true);
    verdicts.set(t, (verdicts.get(t) ?? true) && privateHere);
  }
  for (const [t, isPrivate] of verdicts) if (isPrivate && t !== x) markIntermediate(t);
}
