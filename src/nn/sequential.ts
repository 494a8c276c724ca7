// nn.Sequential: modules applied in order; children are named "0", "1", ... as in PyTorch.

import type { Tensor } from "../tensor/index.ts";
import { Module } from "./module.ts";

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
    let out = x;
    for (const m of this.children()) out = m.forward(out);
    return out;
  }
}
