// L-BFGS: limited-memory quasi-Newton steps from a closure (Nocedal; Liu & Nocedal), exactly PyTorch's LBFGS.

import { Tensor, enableGrad, fmt, type FloatArray } from "../tensor/index.ts";
import { isPlainObject } from "../tensor/describe.ts";
import { gradOf } from "../tensor/tensor.ts";
import { Optimizer, type Loss, type OptimizerStateDict, type ParamGroupInput, type ParamsInput } from "./optimizer.ts";
import { dot, maxAbs, strongWolfe } from "./strong-wolfe.ts";
import { checkInteger, checkNonNegative, describe } from "./validate.ts";

/** The line searches LBFGS knows (PyTorch's names). */
const LINE_SEARCHES = ["strong_wolfe"] as const;

export interface LBFGSOptions {
  /** The step length: the fixed step without a line search, the first trial step with one (default 1). */
  lr: number;
  /** Iterations per step(closure) call (default 20). */
  maxIter: number;
  /** Closure evaluations per call (default floor(maxIter·5/4)). */
  maxEval: number;
  /** Stop when max|∇f| ≤ this (default 1e-7). */
  toleranceGrad: number;
  /** Stop when a step, or the change of f, is smaller than this (default 1e-9). */
  toleranceChange: number;
  /** m, how many (s, y) pairs are kept (default 100). */
  historySize: number;
  /** null: a fixed step of lr; "strong_wolfe": a line search for the strong Wolfe conditions (default null). */
  lineSearchFn: (typeof LINE_SEARCHES)[number] | null;
}

/**
 * The state of the whole run (PyTorch keeps it under the first parameter, and so does ndgrad).
 * Vectors are flat over all parameters in order, in float64.
 */
export interface LBFGSState {
  /** Closure evaluations so far, over all calls. */
  funcEvals: number;
  /** Iterations so far, over all calls (only the very first uses the scaled first step). */
  nIter: number;
  /** d, the last search direction. */
  d?: Float64Array;
  /** t, the last step length. */
  t?: number;
  /** y_i = ∇f_{i+1} − ∇f_i, oldest first (PyTorch's `old_dirs`). */
  oldDirs: Float64Array[];
  /** s_i = t·d, oldest first (PyTorch's `old_stps`). */
  oldStps: Float64Array[];
  /** ρ_i = 1 / y_iᵀs_i. */
  ro: number[];
  /** γ, the scale of the initial inverse Hessian H0 = γ·I. */
  hDiag: number;
  /** ∇f at the start of the last iteration. */
  prevFlatGrad?: Float64Array;
  /** f at the start of the last iteration. */
  prevLoss?: number;
}


/**
 * L-BFGS (Nocedal, 1980, "Updating Quasi-Newton Matrices with Limited Storage"; Liu & Nocedal,
 * 1989, "On the limited memory BFGS method for large scale optimization"), as PyTorch's LBFGS
 * (itself after Schmidt's minFunc). θ is all parameters, flattened and concatenated.
 * One step(closure) call:
 *
 *   f, g ← closure()                             (f(θ) and ∇f(θ); return now if max|g| ≤ toleranceGrad)
 *   repeat up to maxIter times:
 *     if this is the first iteration ever:  d ← −g,  H0 = γ·I with γ ← 1
 *     else:
 *       y ← g − g_prev;  s ← t·d
 *       if yᵀs > 1e−10:  store (s, y, ρ = 1/yᵀs), dropping the oldest beyond m pairs;  γ ← sᵀy / yᵀy
 *       q ← −g                                    (the two-loop recursion, Nocedal & Wright Alg. 7.4)
 *       for i = newest … oldest:  α_i ← ρ_i·s_iᵀq;  q ← q − α_i·y_i
 *       r ← γ·q
 *       for i = oldest … newest:  β ← ρ_i·y_iᵀr;  r ← r + s_i·(α_i − β)
 *       d ← r                                     (≈ −H·g)
 *     g_prev ← g;  f_prev ← f
 *     t ← min(1, 1/‖g‖₁)·lr on the first iteration ever, else t ← lr
 *     if gᵀd > −toleranceChange: stop             (not a descent direction)
 *     with "strong_wolfe": t, f, g ← the line search from t along d;  θ ← θ + t·d
 *     else:  θ ← θ + t·d;  f, g ← closure()  unless this was the last iteration
 *     stop if: maxIter reached, evaluations ≥ maxEval, max|g| ≤ toleranceGrad,
 *              max|t·d| ≤ toleranceChange, or |f − f_prev| < toleranceChange
 *   return the first f of the call
 *
 * Convention notes: this is PyTorch's algorithm, kept exactly (its closure-evaluation counts are
 * tested): the history, d, t, γ and the iteration count persist across calls, so a call continues
 * the previous one; only the very first iteration uses the scaled step min(1, 1/‖g‖₁)·lr. The
 * line search's bracket tolerance is a fixed 1e-9, not toleranceChange, and its evaluations count
 * towards maxEval only after it returns. Without a line search the step is a fixed t = lr, which
 * is what makes L-BFGS usable on mini-batches; textbook L-BFGS always searches. One parameter
 * group only (PyTorch's restriction: the history is one vector over all parameters). The flat
 * vectors are float64 whatever the parameters' dtype.
 */
export class LBFGS extends Optimizer<LBFGSOptions, LBFGSState> {
  // The state is one object for the whole run; stateDict and loadStateDict below save it whole.
  protected readonly stateSpec = {};

  constructor(params: ParamsInput<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    // As PyTorch: maxEval defaults to floor(maxIter·5/4) of the maxIter given (the base class reports options that are not an object).
    const isObject = isPlainObject(options);
    const maxIter = isObject && typeof options.maxIter === "number" ? options.maxIter : 20;
    super(params, isObject ? { ...options, maxEval: options.maxEval ?? Math.floor((maxIter * 5) / 4) } : options, {
      lr: 1,
      maxIter: 20,
      maxEval: 25,
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
    });
  }

  /** LBFGS takes one parameter group (PyTorch's restriction). */
  override addParamGroup(input: ParamGroupInput<LBFGSOptions>): void {
    if (this.paramGroups.length > 0) throw new RangeError(`${this.name}: LBFGS doesn't support per-parameter options (parameter groups); give one list of tensors`);
    super.addParamGroup(input);
  }

  protected validate(o: LBFGSOptions): void {
    checkInteger("maxIter", o.maxIter, 1);
    checkInteger("maxEval", o.maxEval, 1);
    checkNonNegative("toleranceGrad", o.toleranceGrad);
    checkNonNegative("toleranceChange", o.toleranceChange);
    checkInteger("historySize", o.historySize, 1);
    if (o.lineSearchFn !== null && !LINE_SEARCHES.includes(o.lineSearchFn)) {
      throw new RangeError(`Invalid lineSearchFn value: ${describe(o.lineSearchFn)} (only ${LINE_SEARCHES.map((s) => `"${s}"`).join(", ")} or null is supported)`);
    }
  }

  protected initState(): LBFGSState {
    return { funcEvals: 0, nIter: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1 };
  }

  /** Never called: LBFGS works on all parameters at once, in step(closure). */
  protected update(): void {
    throw new Error(`${this.name}: update is not used; LBFGS steps through step(closure)`);
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  /**
   * Up to maxIter L-BFGS iterations. `closure` must zero the gradients, compute the loss, call
   * backward() and return the loss tensor; it is called at least once, and the loss of its first
   * call (at the parameters the call started from) is returned.
   */
  override step<L extends Loss>(closure?: () => L): L {
    const name = `${this.name}.step`;
    if (typeof closure !== "function") {
      throw new TypeError(`${name}: needs a closure that zeroes the gradients, computes the loss, calls backward() and returns the loss, got ${describe(closure)}`);
    }
    const group = this.paramGroups[0];
    this.validateWhere(group, `${this.name}: parameter group 0`);
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize: m } = group;
    const evaluate = (): { loss: L; f: number; g: Float64Array } => {
      // As PyTorch: the closure records its graph even when step is called inside noGrad.
      const loss = enableGrad(closure);
      const f = loss instanceof Tensor && loss.size === 1 ? loss.item() : loss;
      if (typeof f !== "number") {
        throw new TypeError(`${name}: the closure must return the loss (a one-element Tensor or a number), got ${loss instanceof Tensor ? `a tensor of shape ${fmt(loss.shape)}` : describe(loss)}`);
      }
      return { loss, f, g: this.gatherFlatGrad() };
    };

    let s = this.state.get(this.params[0]);
    if (s === undefined) {
      s = this.initState();
      this.state.set(this.params[0], s);
    }
    const first = evaluate();
    let { f, g } = first;
    let currentEvals = 1;
    s.funcEvals += 1;
    let optimal = maxAbs(g) <= toleranceGrad;
    if (optimal) return first.loss;

    let { d, t, prevFlatGrad, prevLoss } = s;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      s.nIter += 1;
      if (s.nIter === 1) {
        d = g.map((x) => -x);
        s.oldDirs = [];
        s.oldStps = [];
        s.ro = [];
        s.hDiag = 1;
      } else {
        const y = g.map((x, i) => x - prevFlatGrad![i]);
        const sk = d!.map((x) => x * t!);
        const ys = dot(y, sk);
        if (ys > 1e-10) {
          while (s.oldDirs.length >= m) {
            s.oldDirs.shift();
            s.oldStps.shift();
            s.ro.shift();
          }
          s.oldDirs.push(y);
          s.oldStps.push(sk);
          s.ro.push(1 / ys);
          s.hDiag = ys / dot(y, y);
        }
        d = this.twoLoop(g, s);
      }
      prevFlatGrad = g.slice();
      prevLoss = f;
      t = s.nIter === 1 ? Math.min(1, 1 / sumAbs(g)) * lr : lr;
      const gtd = dot(g, d);
      if (gtd > -toleranceChange) break;

      let lsEvals = 0;
      if (lineSearchFn === "strong_wolfe") {
        const x0 = this.cloneParams();
        const objective = (step: number, dir: Float64Array) => {
          this.addToParams(step, dir);
          const { f: fAt, g: gAt } = evaluate();
          this.setParams(x0);
          return { f: fAt, g: gAt };
        };
        ({ f, g, t, evals: lsEvals } = strongWolfe(objective, t, d, f, g, gtd));
        this.addToParams(t, d);
        optimal = maxAbs(g) <= toleranceGrad;
      } else {
        this.addToParams(t, d);
        if (nIter !== maxIter) {
          // The last iteration skips this evaluation: on mini-batches the next call evaluates anyway.
          ({ f, g } = evaluate());
          optimal = maxAbs(g) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      s.funcEvals += lsEvals;

      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optimal) break;
      if (maxAbs(d) * Math.abs(t) <= toleranceChange) break;
      if (Math.abs(f - prevLoss) < toleranceChange) break;
    }
    Object.assign(s, { d, t, prevFlatGrad, prevLoss });
    return first.loss;
  }

  /** The two-loop recursion: r ≈ −H·g from the stored pairs and H0 = γ·I. */
  private twoLoop(g: Float64Array, s: LBFGSState): Float64Array {
    const { oldDirs: ys, oldStps: ss, ro: ρ, hDiag: γ } = s;
    const k = ys.length;
    const α = new Array<number>(k);
    const q = g.map((x) => -x);
    for (let i = k - 1; i >= 0; i--) {
      α[i] = dot(ss[i], q) * ρ[i];
      for (let j = 0; j < q.length; j++) q[j] -= α[i] * ys[i][j];
    }
    const r = q.map((x) => x * γ);
    for (let i = 0; i < k; i++) {
      const β = dot(ys[i], r) * ρ[i];
      for (let j = 0; j < r.length; j++) r[j] += ss[i][j] * (α[i] - β);
    }
    return r;
  }

  private get numel(): number {
    return this.params.reduce((n, p) => n + p.size, 0);
  }

  /** ∇f of all parameters, flat (zeros for a parameter without a gradient). */
  private gatherFlatGrad(): Float64Array {
    const out = new Float64Array(this.numel);
    let at = 0;
    this.params.forEach((p, k) => {
      const grad = gradOf(p);
      if (grad !== null) {
        if (!(grad instanceof Tensor) || grad.size !== p.size) {
          throw new RangeError(`${this.name}: parameter ${k} has shape ${fmt(p.shape)} but its grad is ${grad instanceof Tensor ? `of shape ${fmt(grad.shape)}` : describe(grad)}`);
        }
        out.set(grad.values(), at);
      }
      at += p.size;
    });
    return out;
  }

  /** θ ← θ + t·d, parameter by parameter. */
  private addToParams(t: number, d: Float64Array): void {
    let at = 0;
    for (const p of this.params) {
      const θ: FloatArray = p.data.data;
      const offset = p.data.offset;
      for (let i = 0; i < p.size; i++) θ[offset + i] += t * d[at + i];
      p.bumpVersion();
      at += p.size;
    }
  }

  private cloneParams(): Float64Array {
    const out = new Float64Array(this.numel);
    let at = 0;
    for (const p of this.params) {
      out.set(p.values(), at);
      at += p.size;
    }
    return out;
  }

  private setParams(x: Float64Array): void {
    let at = 0;
    for (const p of this.params) {
      p.data.data.set(x.subarray(at, at + p.size), p.data.offset);
      p.bumpVersion();
      at += p.size;
    }
  }

  /** The run's state (under parameter 0, as PyTorch) with the history flattened: oldDirs and oldStps hold ro.length vectors each. */
  override stateDict(): OptimizerStateDict {
    const { paramGroups } = super.stateDict();
    const s = this.state.get(this.params[0]);
    if (s === undefined) return { state: {}, paramGroups };
    const entry: Record<string, number | number[]> = { funcEvals: s.funcEvals, nIter: s.nIter, hDiag: s.hDiag, ro: s.ro.slice() };
    entry.oldDirs = s.oldDirs.flatMap((v) => Array.from(v));
    entry.oldStps = s.oldStps.flatMap((v) => Array.from(v));
    if (s.d !== undefined) entry.d = Array.from(s.d);
    if (s.t !== undefined) entry.t = s.t;
    if (s.prevFlatGrad !== undefined) entry.prevFlatGrad = Array.from(s.prevFlatGrad);
    if (s.prevLoss !== undefined) entry.prevLoss = s.prevLoss;
    return { state: { [String(paramGroups[0].params[0])]: entry }, paramGroups };
  }

  /** Restores a stateDict() of an LBFGS over parameters of the same sizes; checked first, nothing changes on an error. */
  override loadStateDict(sd: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    const saved = sd !== null && typeof sd === "object" && sd.state !== null && typeof sd.state === "object" ? sd.state : {};
    const entries = Object.entries(saved);
    const firstId = Array.isArray(sd?.paramGroups?.[0]?.params) ? sd.paramGroups[0].params[0] : undefined;
    if (entries.length > 1 || (entries.length === 1 && entries[0][0] !== String(firstId))) {
      throw new RangeError(`${where}: LBFGS keeps its state under the first parameter only, got state for parameter indices ${entries.map(([k]) => k).join(", ")}`);
    }
    const restored = entries.length === 1 ? this.restoreRun(entries[0][1], `${where}: state`) : undefined;
    super.loadStateDict({ ...sd, state: {} });
    if (restored !== undefined) this.state.set(this.params[0], restored);
  }

  private restoreRun(saved: Record<string, number | number[]>, where: string): LBFGSState {
    const n = this.numel;
    const known = ["funcEvals", "nIter", "hDiag", "ro", "oldDirs", "oldStps", "d", "t", "prevFlatGrad", "prevLoss"];
    for (const key of Object.keys(saved)) if (!known.includes(key)) throw new RangeError(`${where}: unknown entry "${key}" (valid: ${known.join(", ")})`);
    const number = (key: string, optional = false): number | undefined => {
      const v = saved[key];
      if (v === undefined && optional) return undefined;
      if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`${where}: "${key}" must be a finite number, got ${describe(v)}`);
      return v;
    };
    const numbers = (key: string, length: number | undefined, optional = false): Float64Array | undefined => {
      const v = saved[key];
      if (v === undefined && optional) return undefined;
      if (!Array.isArray(v) || !v.every((x) => typeof x === "number")) throw new TypeError(`${where}: "${key}" must be an array of numbers, got ${describe(v)}`);
      if (length !== undefined && v.length !== length) throw new RangeError(`${where}: "${key}" has ${v.length} values, expected ${length}`);
      return Float64Array.from(v);
    };
    const ro = Array.from(numbers("ro", undefined)!);
    const history = (key: string) => {
      const flat = numbers(key, ro.length * n)!;
      return ro.map((_, i) => flat.slice(i * n, (i + 1) * n));
    };
    return {
      funcEvals: number("funcEvals")!,
      nIter: number("nIter")!,
      hDiag: number("hDiag")!,
      ro,
      oldDirs: history("oldDirs"),
      oldStps: history("oldStps"),
      d: numbers("d", n, true),
      t: number("t", true),
      prevFlatGrad: numbers("prevFlatGrad", n, true),
      prevLoss: number("prevLoss", true),
    };
  }
}

function sumAbs(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]);
  return s;
}
