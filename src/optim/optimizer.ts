// The Optimizer base class: parameter groups, per-parameter state, option checks, zeroGrad and state dicts.

import ops from "ndarray-ops";
import { allocateLongLived, releaseLongLived } from "../kernels/index.ts";
import { Tensor, enableGrad, fmt, type FloatArray } from "../tensor/index.ts";
import { gradOf, releaseGrad } from "../tensor/tensor.ts";
import { checkOptions, type OptionKeys } from "../tensor/describe.ts";
import { checkLr, describe } from "./validate.ts";

/** What every optimizer's options have in common; each optimizer adds its own. */
export interface BaseOptions {
  lr: number;
}

/** A parameter group: its tensors and every option, read afresh at every step (change them freely). */
export type ParamGroup<O> = O & {
  params: Tensor[];
  /** The lr when the first lr scheduler attached (schedulers set it, as PyTorch's `initial_lr`). */
  initialLr?: number;
};

/** A parameter group as given to the constructor or addParamGroup: tensors plus options that override the defaults. */
export type ParamGroupInput<O> = Partial<O> & { params: Iterable<Tensor> | Tensor; initialLr?: number };

/** An optimizer's parameters: a list of tensors (one group) or a list of parameter groups. */
export type ParamsInput<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** An option's value: a number, a flag, or a tuple of numbers such as betas. */
export type OptionValue = number | boolean | readonly number[];

/** How each entry of a parameter's state is saved: a buffer the size of the parameter, or a number; "?" marks optional entries. */
export type StateSpec = Record<string, "buffer" | "buffer?" | "number" | "number?">;

/** A JSON-friendly snapshot of an optimizer: parameters appear as indices (counted across groups in order), buffers as number[]. */
export interface OptimizerStateDict {
  state: Record<string, Record<string, number | number[]>>;
  paramGroups: Array<{ params: number[]; [option: string]: OptionValue | number[] | undefined }>;
}

/** What a step closure returns: the loss, as a tensor (PyTorch's closures return one) or a number. */
export type Loss = Tensor | number;

/** A per-parameter state: numbers (step counts, products) and typed buffers shaped like the parameter, flattened. */
export type ParamState = { [key: string]: number | FloatArray | null | undefined };

/**
 * The base of every optimizer. A subclass supplies its defaults, `validate` (option checks),
 * `stateSpec`, `initState` and `update`; the base keeps groups and state, and runs the loop:
 * for each group, for each parameter with a gradient, update it in place. CONTRIBUTING.md shows a
 * whole optimizer written this way (examples/custom-optimizer.ts).
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions, S extends object = object> {
  /** The constructor's options with the optimizer's defaults filled in; a group inherits what it does not override. */
  readonly defaults: O;
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (step counts, moments, buffers), keyed by the tensor itself. */
  state = new Map<Tensor, S>();
  /** The class name, used in error messages. */
  readonly name: string;

  /** Which state entries exist and how they are saved (checked by loadStateDict). */
  protected abstract readonly stateSpec: StateSpec;

  /**
   * @param defaults every option of this optimizer with its default; an `undefined` lr means lr is required.
   */
  protected constructor(params: ParamsInput<O>, options: Partial<O>, defaults: { [K in keyof O]: O[K] | undefined }) {
    this.name = new.target.name;
    options = checkOptions<Partial<O>>(this.name, options, defaults as OptionKeys<O>, "an object such as { lr: 0.01 }");
    const merged = { ...defaults, ...withoutUndefined(options) } as O;
    this.defaults = copyOptions(merged);
    this.validateWhere(merged.lr === undefined ? { ...merged, lr: 0 } : merged, this.name);
    for (const group of this.normalizeParams(params)) this.addParamGroup(group);
  }

  /** Throws (RangeError or TypeError, message without prefix) when an option is invalid. */
  protected abstract validate(options: O): void;

  /** The state of a parameter before its first step. */
  protected abstract initState(p: Tensor, group: ParamGroup<O>): S;

  /**
   * Updates n elements of θ in place, starting at `offset`, from the gradient g (contiguous,
   * n elements). `state` belongs to this parameter; read options from `group`. The built-ins'
   * per-element loop here is the reference; where they have a SIMD twin (assembly/optim/, run
   * through `twin` for float32 under the wasm backend) it does the same operations in float32.
   */
  protected abstract update(θ: FloatArray, offset: number, g: FloatArray, n: number, state: S, group: ParamGroup<O>): void;

  /** Adds a parameter group; options it leaves out come from `defaults`. */
  addParamGroup(input: ParamGroupInput<O>): void {
    const gi = this.paramGroups.length;
    if (input === null || typeof input !== "object" || input instanceof Tensor || !("params" in input)) {
      throw new TypeError(`${this.name}: a parameter group must be an object { params, ...options }, got ${describe(input)}`);
    }
    const { params: given, ...overrides } = input as ParamGroupInput<O> & Record<string, unknown>;
    checkOptions<Record<string, unknown>>(`${this.name}: parameter group ${gi}`, overrides, this.groupOptionNames);
    const params = this.collectParams(given, gi);
    const group = { ...copyOptions(this.defaults), ...copyOptions(withoutUndefined(overrides)), params } as ParamGroup<O>;
    if (group.lr === undefined) {
      throw new TypeError(`${this.name}: parameter group ${gi} didn't specify a value of required optimization parameter lr`);
    }
    this.validateWhere(group, `${this.name}: parameter group ${gi}`);
    const seen = new Set<Tensor>();
    params.forEach((p, k) => {
      if (seen.has(p)) throw new RangeError(`${this.name}: parameter group ${gi} lists the same tensor twice (parameter ${k}, shape ${fmt(p.shape)})`);
      seen.add(p);
    });
    for (const other of this.paramGroups) {
      if (other.params.some((p) => seen.has(p))) throw new RangeError(`${this.name}: some parameters appear in more than one parameter group`);
    }
    this.paramGroups.push(group);
  }

  /**
   * One optimization step over every parameter that has a gradient. With a closure (PyTorch's
   * contract), calls it once first, with gradient recording on even inside noGrad (it should zero
   * the gradients, compute the loss and call backward), and returns what it returns; without one,
   * returns undefined.
   */
  step<L extends Loss>(closure?: () => L): L | undefined {
    if (closure !== undefined && typeof closure !== "function") {
      throw new TypeError(`${this.name}.step: the closure must be a function that computes the loss, got ${describe(closure)}`);
    }
    const loss = closure === undefined ? undefined : enableGrad(closure);
    this.paramGroups.forEach((group, gi) => {
      // Options may have been changed since the last step (that is the point of re-reading them).
      this.validateWhere(group, `${this.name}: parameter group ${gi}`);
      group.params.forEach((p, k) => {
        const grad = gradOf(p);
        if (grad === null) return;
        if (!(grad instanceof Tensor)) throw new TypeError(`${this.name}: parameter ${k} of group ${gi} has a grad that is not a Tensor (got ${describe(grad)})`);
        if (grad.dtype !== p.dtype) throw new TypeError(`${this.name}: parameter ${k} of group ${gi} is ${p.dtype} but its grad is ${grad.dtype}`);
        if (!p.isContiguous()) {
          throw new RangeError(`${this.name}: parameter ${k} of group ${gi} (shape ${fmt(p.shape)}) is not contiguous; optimizers update the storage in place`);
        }
        if (grad.size !== p.size || grad.ndim !== p.ndim || grad.shape.some((d, i) => d !== p.data.shape[i])) {
          throw new RangeError(`${this.name}: parameter ${k} of group ${gi} has shape ${fmt(p.shape)} but its grad has shape ${fmt(grad.shape)}`);
        }
        let s = this.state.get(p);
        if (s === undefined) {
          s = this.initState(p, group);
          this.state.set(p, s);
        }
        this.update(p.data.data, p.data.offset, grad.values(), p.size, s, group);
        p.bumpVersion();
      });
    });
    return loss;
  }

  /** Clears the gradients: sets them to null (default, as PyTorch ≥ 2.0), or fills them with zeros in place. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const grad = gradOf(p);
        if (grad === null) continue;
        if (setToNone) {
          releaseGrad(p);
        } else {
          // A gradient made with a graph would keep it alive; PyTorch detaches before zeroing too.
          grad.gradFn = null;
          grad.requiresGrad = false;
          ops.assigns(grad.data, 0);
          grad.bumpVersion();
        }
      }
    }
  }

  /**
   * Puts the weights to evaluate into the parameters. Most optimizers train and evaluate the same
   * weights, so this does nothing; schedule-free methods (AdamWScheduleFree) train at one point and
   * evaluate at another, and a loop that calls eval() before testing and train() after works with both.
   */
  eval(): void {}

  /** Puts the training weights back after eval(); does nothing for most optimizers. */
  train(): void {}

  /**
   * Gives the wasm memory of the state buffers back now rather than after garbage collection (as
   * Module.dispose does for parameters); `using opt = ...` calls it at the end of the block. The
   * optimizer keeps working, its buffers moved to ordinary arrays; buffers taken from it before
   * must not be used afterwards.
   */
  dispose(): void {
    for (const s of this.state.values()) {
      const entries = s as Record<string, unknown>;
      for (const key of Object.keys(entries)) {
        const value = entries[key];
        if (value instanceof Float32Array) entries[key] = releaseLongLived(value);
      }
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A JSON-friendly snapshot: options of each group, parameters as indices, state buffers as number[]. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      const ids = params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return { ...(copyOptions(options as Record<string, OptionValue>) as Record<string, OptionValue>), params: ids };
    });
    const state: OptimizerStateDict["state"] = {};
    for (const [p, s] of this.state) {
      const id = index.get(p);
      if (id === undefined) continue;
      const entry: Record<string, number | number[]> = {};
      for (const [key, value] of Object.entries(s as ParamState)) {
        if (value === null || value === undefined) continue;
        entry[key] = typeof value === "number" ? value : Array.from(value);
      }
      state[String(id)] = entry;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a snapshot from stateDict() into an optimizer over the same parameters (same group
   * sizes, same shapes). Everything is checked first; on any error nothing changes.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== "object" || !Array.isArray(sd.paramGroups) || sd.state === null || typeof sd.state !== "object") {
      throw new TypeError(`${where}: expected { state, paramGroups } as made by stateDict(), got ${describe(sd)}`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(`${where}: the state dict has ${sd.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const byId = new Map<number, Tensor>();
    const groups = sd.paramGroups.map((saved, gi) => {
      const current = this.paramGroups[gi];
      if (saved === null || typeof saved !== "object" || !Array.isArray(saved.params)) {
        throw new TypeError(`${where}: parameter group ${gi} has no params list`);
      }
      if (saved.params.length !== current.params.length) {
        throw new RangeError(`${where}: parameter group ${gi} has ${saved.params.length} parameters in the state dict, ${current.params.length} in this optimizer`);
      }
      saved.params.forEach((id, k) => {
        if (!Number.isInteger(id) || id < 0) throw new RangeError(`${where}: parameter group ${gi} lists ${describe(id)} as a parameter index`);
        const p = current.params[k];
        const before = byId.get(id);
        if (before !== undefined && before !== p) throw new RangeError(`${where}: parameter index ${id} stands for two different tensors`);
        byId.set(id, p);
      });
      const { params: _ids, ...options } = saved;
      checkOptions<Record<string, unknown>>(`${where}: parameter group ${gi}`, options, this.groupOptionNames);
      const { params, ...currentOptions } = current;
      const merged = { ...currentOptions, ...copyOptions(withoutUndefined(options)), params } as ParamGroup<O>;
      if (!("initialLr" in options)) delete merged.initialLr;
      this.validateWhere(merged, `${where}: parameter group ${gi}`);
      return merged;
    });
    const state = new Map<Tensor, S>();
    for (const [key, saved] of Object.entries(sd.state)) {
      const id = Number(key);
      const p = byId.get(id);
      if (p === undefined) throw new RangeError(`${where}: state for parameter index ${key}, which no parameter group lists`);
      state.set(p, this.restoreState(p, saved, `${where}: state of parameter ${key} (shape ${fmt(p.shape)})`));
    }
    this.paramGroups.forEach((group, gi) => {
      for (const key of Object.keys(group)) if (!(key in groups[gi])) delete (group as unknown as Record<string, unknown>)[key];
      Object.assign(group, groups[gi]);
    });
    this.state = state;
  }

  /** How many values the state buffer `key` of p holds: p's size, unless an optimizer keeps smaller statistics (Adafactor's row and column factors). */
  protected bufferLength(_key: string, p: Tensor): number {
    return p.size;
  }

  private restoreState(p: Tensor, saved: unknown, where: string): S {
    if (saved === null || typeof saved !== "object" || Array.isArray(saved)) throw new TypeError(`${where}: expected an object, got ${describe(saved)}`);
    const out: ParamState = {};
    for (const [key, value] of Object.entries(saved as Record<string, unknown>)) {
      const kind = this.stateSpec[key];
      if (kind === undefined) throw new RangeError(`${where}: unknown state entry "${key}" (valid: ${Object.keys(this.stateSpec).join(", ")})`);
      if (kind === "number" || kind === "number?") {
        if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`${where}: "${key}" must be a finite number, got ${describe(value)}`);
        out[key] = value;
      } else {
        const values = value as ArrayLike<unknown> | null;
        if (values === null || typeof values !== "object" || typeof values.length !== "number") {
          throw new TypeError(`${where}: "${key}" must be an array of numbers, got ${describe(value)}`);
        }
        const length = this.bufferLength(key, p);
        if (values.length !== length) throw new RangeError(`${where}: "${key}" has ${values.length} values, ${length === p.size ? `the parameter has ${p.size}` : `expected ${length}`}`);
        const buffer = stateBuffer(p.data.data, length);
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          if (typeof v !== "number") throw new TypeError(`${where}: "${key}"[${i}] is ${describe(v)}, not a number`);
          buffer[i] = v;
        }
        out[key] = buffer;
      }
    }
    for (const [key, kind] of Object.entries(this.stateSpec)) {
      if (!kind.endsWith("?") && !(key in out)) throw new RangeError(`${where}: missing state entry "${key}"`);
    }
    // In stateSpec's order, with absent optional buffers as null, so `update` sees the shape initState makes and stateDict() lists keys as before.
    const state: ParamState = {};
    for (const [key, kind] of Object.entries(this.stateSpec)) {
      if (key in out) state[key] = out[key];
      else if (kind === "buffer?") state[key] = null;
    }
    return state as S;
  }

  /** Checks lr and the optimizer's own options; an error's message is prefixed with `where` (the class, and the group if any). */
  protected validateWhere(options: O, where: string): void {
    try {
      checkLr(options.lr);
      this.validate(options);
    } catch (e) {
      throw rethrow(e, `${where}: `);
    }
  }

  /** The options a parameter group may set: every default's, and the schedulers' initialLr. */
  private get groupOptionNames(): OptionKeys<Record<string, unknown>> {
    return { ...(this.defaults as Record<string, unknown>), initialLr: true };
  }

  private normalizeParams(params: ParamsInput<O>): ParamGroupInput<O>[] {
    if (params instanceof Tensor) {
      throw new TypeError(`${this.name}: params must be a list of tensors or of parameter groups, got a single Tensor (wrap it: [t])`);
    }
    if (params === null || typeof params !== "object" || typeof (params as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new TypeError(`${this.name}: params must be a list of tensors or of parameter groups, got ${describe(params)}`);
    }
    if (params instanceof Set) throw new TypeError(`${this.name}: params must be an ordered list, not a Set (a Set's order is not the order the state dict relies on)`);
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new RangeError(`${this.name}: optimizer got an empty parameter list`);
    const isGroup = (x: unknown) => x !== null && typeof x === "object" && !(x instanceof Tensor) && "params" in x;
    if (isGroup(list[0])) {
      list.forEach((g, i) => {
        if (!isGroup(g)) throw new TypeError(`${this.name}: element ${i} of params is ${describe(g)}, but element 0 is a parameter group; give all tensors or all groups`);
      });
      return list as ParamGroupInput<O>[];
    }
    return [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>];
  }

  private collectParams(given: unknown, gi: number): Tensor[] {
    let list: unknown[];
    if (given instanceof Tensor) list = [given];
    else if (given instanceof Set) throw new TypeError(`${this.name}: parameter group ${gi}: params must be an ordered list, not a Set`);
    else if (given !== null && typeof given === "object" && typeof (given as Iterable<unknown>)[Symbol.iterator] === "function") list = Array.from(given as Iterable<unknown>);
    else throw new TypeError(`${this.name}: parameter group ${gi}: params must be a list of tensors, got ${describe(given)}`);
    list.forEach((p, k) => {
      if (!(p instanceof Tensor)) {
        throw new TypeError(`${this.name}: optimizer can only optimize Tensors, but parameter ${k} of group ${gi} is ${describe(p)}`);
      }
      if (!p.isLeaf) {
        throw new TypeError(`${this.name}: can't optimize a non-leaf Tensor (parameter ${k} of group ${gi} was made by "${p.gradFn!.op}"; optimize the leaf it came from, or detach() it)`);
      }
      if (!p.isContiguous()) {
        throw new RangeError(`${this.name}: parameter ${k} of group ${gi} (shape ${fmt(p.shape)}) is not contiguous; optimizers update the storage in place (clone() it)`);
      }
    });
    return list as Tensor[];
  }
}

/**
 * A zeroed state buffer in the parameter's dtype: the size of p, or of the n elements an `update`
 * gets (for a buffer that appears after the first step). float32 ones live in the wasm memory under
 * the wasm backend, where the SIMD twins update them in place.
 */
export function stateBuffer(p: Tensor): FloatArray;
export function stateBuffer(θ: FloatArray, n: number): FloatArray;
export function stateBuffer(like: Tensor | FloatArray, n?: number): FloatArray {
  const [storage, size] = like instanceof Tensor ? [like.data.data, like.size] : [like, n!];
  return storage instanceof Float64Array ? new Float64Array(size) : allocateLongLived(size);
}

/**
 * The gradient most update rules start from, for one element: −∇ when maximizing, plus λ·θ for L2
 * weight decay (folded into the gradient, as PyTorch's `weight_decay`).
 */
export function gradient(gi: number, θi: number, λ: number, maximize: boolean): number {
  const g = maximize ? -gi : gi;
  return λ !== 0 ? g + λ * θi : g;
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Options are copied, arrays included (betas), so a group never aliases the caller's objects. */
function copyOptions<T extends object>(options: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) out[k] = Array.isArray(v) ? v.slice() : v;
  return out as T;
}

function rethrow(e: unknown, prefix: string): unknown {
  if (e instanceof RangeError) return new RangeError(prefix + e.message);
  if (e instanceof TypeError) return new TypeError(prefix + e.message);
  return e;
}
