// nn.Module: the base of every layer — parameters and children in insertion order, train/eval, state dicts.

import ndarray from "ndarray";
import ops from "ndarray-ops";
import { releaseLongLived } from "../kernels/index.ts";
import { fmt, sameShape, Tensor } from "../tensor/index.ts";
import { checkOptions } from "../tensor/describe.ts";
import { releaseGrad } from "../tensor/tensor.ts";

/** What loadStateDict reports when `strict` is off (with strict on, any entry here is an error). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * A layer or a model. Children and parameters are kept in insertion order, which gives PyTorch's
 * dotted names ("0.weight", "encoder.fc1.bias").
 *
 * Registration is explicit (`registerParameter`, `registerModule`, `registerBuffer`), and, so that
 * a subclass written as in PyTorch works too, any own property holding a Module or a leaf tensor
 * with requiresGrad is picked up the first time the module is inspected:
 *
 *   class Net extends nn.Module {
 *     fc1 = new nn.Linear(4, 16);
 *     fc2 = new nn.Linear(16, 3);
 *     forward(x: Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 *   }
 */
export abstract class Module {
  /** True in training mode (Dropout drops), false after eval(). */
  training = true;
  // Private fields (#) are not own enumerable properties, so the property scan never sees them.
  readonly #parameters = new Map<string, Tensor | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #modules = new Map<string, Module | null>();

  abstract forward(...inputs: unknown[]): Tensor;

  /** Adds a parameter (null is allowed, as PyTorch's `bias=None`) and makes it `this[name]`. Returns it. */
  registerParameter<T extends Tensor | null>(name: string, param: T): T {
    checkName(this, name, "registerParameter");
    if (param !== null && !(param instanceof Tensor)) throw new TypeError(`${this.constructor.name}.registerParameter: "${name}" must be a Tensor or null`);
    if (param !== null && !param.isLeaf) throw new TypeError(`${this.constructor.name}.registerParameter: "${name}" is the result of an op; a parameter must be a leaf tensor (use .detach())`);
    this.#parameters.set(name, param);
    if (param !== null && param.name === undefined) param.name = name;
    defineSlot(this, name, param);
    return param;
  }

  /** Adds a tensor that is state but not a parameter (saved in stateDict, never optimized). Returns it. */
  registerBuffer<T extends Tensor | null>(name: string, buffer: T): T {
    checkName(this, name, "registerBuffer");
    this.#buffers.set(name, buffer);
    defineSlot(this, name, buffer);
    return buffer;
  }

  /** Adds a child module and makes it `this[name]`. Returns it. */
  registerModule<M extends Module | null>(name: string, module: M): M {
    checkName(this, name, "registerModule");
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${this.constructor.name}.registerModule: "${name}" must be a Module or null`);
    this.#modules.set(name, module);
    defineSlot(this, name, module);
    return module;
  }

  /** Every parameter once (a tensor shared by two layers is listed once), in registration order. */
  parameters(recurse = true): Tensor[] {
    return [...this.namedParameters("", recurse)].map(([, p]) => p);
  }

  /** [dotted name, tensor] for every parameter, each tensor once; also sets `tensor.name` to its full name. */
  *namedParameters(prefix = "", recurse = true): IterableIterator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const [name, p] of this.#namedTensors(prefix, recurse, "parameters")) {
      if (seen.has(p)) continue;
      seen.add(p);
      nameTensor(p, name);
      yield [name, p];
    }
  }

  buffers(recurse = true): Tensor[] {
    return [...this.namedBuffers("", recurse)].map(([, b]) => b);
  }

  *namedBuffers(prefix = "", recurse = true): IterableIterator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const [name, b] of this.#namedTensors(prefix, recurse, "buffers")) {
      if (seen.has(b)) continue;
      seen.add(b);
      yield [name, b];
    }
  }

  /** The direct children, in order. */
  children(): Module[] {
    return [...this.namedChildren()].map(([, m]) => m);
  }

  *namedChildren(): IterableIterator<[string, Module]> {
    this.#discover();
    for (const [name, m] of this.#modules) if (m !== null) yield [name, m];
  }

  /** This module and all its descendants, depth first, each once. */
  modules(): Module[] {
    return [...this.namedModules()].map(([, m]) => m);
  }

  *namedModules(prefix = ""): IterableIterator<[string, Module]> {
    const seen = new Set<Module>();
    const stack: [string, Module][] = [[prefix, this]];
    while (stack.length > 0) {
      const [name, m] = stack.pop()!;
      if (seen.has(m)) continue;
      seen.add(m);
      yield [name, m];
      const kids = [...m.namedChildren()].reverse();
      for (const [k, child] of kids) stack.push([name === "" ? k : `${name}.${k}`, child]);
    }
  }

  /** Sets training mode here and in every descendant (as PyTorch's train(mode)). */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: Dropout becomes the identity. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (to null, PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) releaseGrad(p);
  }

  /** Calls fn on every descendant and then on this module (as PyTorch's apply, e.g. for custom init). */
  apply(fn: (m: Module) => void): this {
    for (const m of this.modules().reverse()) fn(m);
    return this;
  }

  /**
   * name → tensor for every parameter and buffer, in order. The tensors are detached views of the
   * module's own storage (as PyTorch's state_dict): no copy, no graph.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of this.#stateEntries()) {
      const view = t.detach();
      view.name = name;
      out[name] = view;
    }
    return out;
  }

  /**
   * Copies the values of `stateDict` into the existing parameter and buffer storage, so an optimizer
   * holding these tensors keeps working. Everything is checked before anything is written: an
   * unknown or missing name (with `strict`, the default) or a shape mismatch throws and leaves the
   * module unchanged.
   */
  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const where = `${this.constructor.name}.loadStateDict`;
    const { strict = true } = checkOptions(where, options, { strict: true });
    if (typeof stateDict !== "object" || stateDict === null) throw new TypeError(`${where}: expected an object of name → Tensor, got ${String(stateDict)}`);
    const own = new Map(this.#stateEntries());
    const problems: string[] = [];
    const missingKeys = [...own.keys()].filter((k) => !Object.hasOwn(stateDict, k));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !own.has(k));
    if (strict) {
      for (const k of unexpectedKeys) problems.push(`unexpected key "${k}" (not in the model)`);
      for (const k of missingKeys) problems.push(`missing key "${k}" (shape ${fmt(own.get(k)!.shape)})`);
    }
    const copies: [Tensor, Tensor][] = [];
    for (const [name, target] of own) {
      if (!Object.hasOwn(stateDict, name)) continue;
      const source = stateDict[name];
      if (!(source instanceof Tensor)) {
        problems.push(`"${name}" is not a Tensor`);
      } else if (!sameShape(source.shape, target.shape)) {
        problems.push(`size mismatch for "${name}": the model has shape ${fmt(target.shape)}, the state dict has ${fmt(source.shape)}`);
      } else {
        copies.push([target, source]);
      }
    }
    if (problems.length > 0) {
      throw new Error(`${where}: ${problems.length === 1 ? "" : `${problems.length} problems: `}${problems.join("; ")}. Nothing was loaded.`);
    }
    for (const [target, source] of copies) copyInto(target, source);
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Gives the wasm memory under the parameters and buffers of this module and its descendants back
   * now, rather than after garbage collection (which a synchronous loop never reaches): a loop
   * building many models keeps them all on the fast path. `using model = ...` calls it at the end
   * of the block. The module keeps working, its tensors moved to ordinary arrays; arrays and views
   * taken from them before (values(), subarrays, a graph from an earlier forward) must not be used
   * afterwards.
   */
  dispose(): void {
    for (const [, t] of this.#stateEntries()) {
      const { data: storage, shape, stride, offset } = t.data;
      if (!(storage instanceof Float32Array)) continue;
      const moved = releaseLongLived(storage);
      if (moved !== storage) t.data = ndarray(moved, shape, stride, offset);
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The part of toString inside the parentheses, e.g. "in_features=2, out_features=8" (override in layers). */
  extraRepr(): string {
    return "";
  }

  /** A PyTorch-style summary of the module tree. */
  toString(): string {
    const kids = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return `${head})`;
    const lines = kids.map(([name, m]) => `  (${name}): ${m.toString().split("\n").join("\n  ")}`);
    return `${head}\n${lines.join("\n")}\n)`;
  }

  #namedTensors(prefix: string, recurse: boolean, kind: "parameters" | "buffers"): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const modules: [string, Module][] = recurse ? [...this.namedModules(prefix)] : [[prefix, this]];
    for (const [path, m] of modules) {
      m.#discover();
      const table = kind === "parameters" ? m.#parameters : m.#buffers;
      for (const [name, t] of table) if (t !== null) out.push([path === "" ? name : `${path}.${name}`, t]);
    }
    return out;
  }

  /** Parameters then buffers of every module, by full name (a shared tensor appears under its first name). */
  #stateEntries(): [string, Tensor][] {
    const entries: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules()) {
      m.#discover();
      for (const table of [m.#parameters, m.#buffers]) {
        for (const [name, t] of table) {
          if (t === null || seen.has(t)) continue;
          seen.add(t);
          entries.push([path === "" ? name : `${path}.${name}`, t]);
        }
      }
    }
    return entries;
  }

  /**
   * Brings the registries up to date with the own properties: a Module property is a child, a
   * leaf tensor with requiresGrad is a parameter, and a registered name that was reassigned
   * (`this.fc = new Linear(...)`) follows the new value. Map.set keeps an existing key's position.
   */
  #discover(): void {
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      const value = self[key];
      if (this.#modules.has(key) || value instanceof Module) {
        if (value === null || value instanceof Module) this.#modules.set(key, value);
      } else if (this.#buffers.has(key)) {
        if (value === null || value instanceof Tensor) this.#buffers.set(key, value);
      } else if (this.#parameters.has(key)) {
        if (value === null || value instanceof Tensor) this.#parameters.set(key, value);
      } else if (value instanceof Tensor && value.isLeaf && value.requiresGrad) {
        this.#parameters.set(key, value);
        if (value.name === undefined) value.name = key;
      }
    }
  }
}

function checkName(m: Module, name: string, method: string): void {
  if (typeof name !== "string" || name === "" || name.includes(".")) {
    throw new TypeError(`${m.constructor.name}.${method}: name must be a non-empty string without ".", got ${JSON.stringify(name)}`);
  }
}

/** A plain writable property, so `this.weight` reads what was registered and can be reassigned. */
function defineSlot(m: Module, name: string, value: unknown): void {
  Object.defineProperty(m, name, { value, writable: true, enumerable: true, configurable: true });
}

/** Names a parameter by its fullest known dotted name (a later, shorter name from a submodule does not overwrite it). */
function nameTensor(t: Tensor, name: string): void {
  if (t.name === undefined || name.length >= t.name.length) t.name = name;
}

/** target ← source elementwise, in target's storage and dtype (any strides on either side). */
function copyInto(target: Tensor, source: Tensor): void {
  if (target.isContiguous()) {
    target.values().set(source.values());
  } else {
    const src = source.values();
    ops.assign(target.data, ndarray(src, target.shape));
  }
  target.bumpVersion();
}
