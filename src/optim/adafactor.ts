// Adafactor: factored second moments (row and column sums instead of a full matrix), update clipping and relative step sizes (Shazeer & Stern).

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { Optimizer, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { checkBoolean, checkNonNegative, describe } from "./validate.ts";

export interface AdafactorOptions {
  /** The cap of the relative step size ρt = min(lr, 1/√t) (default 0.01, the paper's 10⁻²). */
  lr: number;
  /** c in the decay β̂2t = 1 − t^c (default −0.8); ≤ 0. */
  beta2Decay: number;
  /** [ε1, ε2]: ε1 regularizes G² (default 1e-30); ε2 is the floor of RMS(X) in the step size (default 1e-3). */
  eps: [number, number];
  /** d, the update-clipping threshold on RMS(U) (default 1). */
  d: number;
  /** λ, decoupled weight decay: X ← X·(1 − lr·λ) (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export interface AdafactorState {
  step: number;
  /** n, the rows of each factored matrix (a parameter with 2+ dims is a batch of [n, m] matrices over its last two dims). */
  rows?: number;
  /** m, the columns of each factored matrix. */
  cols?: number;
  /** R, the decayed row sums of G² (one per row of each matrix); factored parameters only. */
  expAvgSqRow: FloatArray | null;
  /** C, the decayed column sums of G² (one per column of each matrix); factored parameters only. */
  expAvgSqCol: FloatArray | null;
  /** V̂, the full second-moment estimate; vectors and scalars only. */
  expAvgSq: FloatArray | null;
}

/**
 * Adafactor (Shazeer & Stern, 2018, "Adafactor: Adaptive Learning Rates with Sublinear Memory
 * Cost"): Algorithm 4 for matrices and Algorithm 5 for vectors, with update clipping (section 6),
 * the increasing decay β̂2t (section 7) and the relative step size (section 8); no momentum (β1 = 0):
 *
 *   t ← t + 1
 *   β̂2t ← 1 − t^c                                    (c = beta2Decay = −0.8: β̂21 = 0, then rising to 1)
 *   ρt ← min(lr, 1/√t)
 *   αt ← max(ε2, RMS(Xt−1))·ρt                        (a step relative to the parameter's scale)
 *   Gt ← ∇f(Xt−1)                                     (−∇ if maximize)
 *   if X is a matrix [n, m]:
 *     Rt ← β̂2t·Rt−1 + (1 − β̂2t)·(Gt² + ε1·1n1mᵀ)·1m  (row sums)
 *     Ct ← β̂2t·Ct−1 + (1 − β̂2t)·1nᵀ·(Gt² + ε1·1n1mᵀ)  (column sums)
 *     V̂t ← Rt·Ct / (1nᵀ·Rt)                           (rank-1: n + m numbers instead of n·m)
 *   else:
 *     V̂t ← β̂2t·V̂t−1 + (1 − β̂2t)·(Gt² + ε1)
 *   Ut ← Gt / √V̂t
 *   Ût ← Ut / max(1, RMS(Ut)/d)                       (update clipping)
 *   Xt ← Xt−1·(1 − lr·λ)                               (weightDecay λ; not in the paper)
 *   Xt ← Xt − αt·Ût
 *
 * RMS(X) = √(mean of X²) over the whole parameter.
 *
 * Convention notes: this is the paper's algorithm. PyTorch (≥ 2.5) names the options as here (lr
 * is the cap of ρt, so lr = 0.01 reproduces the paper) but keeps row and column means and puts ε1
 * in max(·, ε1) guards instead of adding it to G²; the rank-1 product R·C/ΣR is the same with sums
 * or means, so only the ε1 placement differs, at the 1e-30 scale. Hugging Face's Adafactor
 * defaults to the paper too (relative_step, clip_threshold 1, decay_rate −0.8) but uses ε1 =
 * 1e-30 the same way. A parameter with more than two dims is factored over its last two (a batch
 * of matrices), as PyTorch does. αt uses RMS(Xt−1) before the weight decay.
 */
export class Adafactor extends Optimizer<AdafactorOptions, AdafactorState> {
  protected readonly stateSpec = { step: "number", rows: "number?", cols: "number?", expAvgSqRow: "buffer?", expAvgSqCol: "buffer?", expAvgSq: "buffer?" } as const;

  constructor(params: ParamsInput<AdafactorOptions>, options: Partial<AdafactorOptions> = {}) {
    super(params, options, { lr: 1e-2, beta2Decay: -0.8, eps: [1e-30, 1e-3], d: 1, weightDecay: 0, maximize: false });
  }

  protected validate(o: AdafactorOptions): void {
    if (typeof o.beta2Decay !== "number" || !(o.beta2Decay <= 0) || !Number.isFinite(o.beta2Decay)) {
      throw new RangeError(`Invalid beta2Decay value: ${describe(o.beta2Decay)} (must be a finite number <= 0)`);
    }
    if (!Array.isArray(o.eps) || o.eps.length !== 2) throw new RangeError(`Invalid epsilon value: ${describe(o.eps)} (must be a pair [eps1, eps2])`);
    checkNonNegative("eps1", o.eps[0]);
    checkNonNegative("eps2", o.eps[1]);
    if (typeof o.d !== "number" || !(o.d > 0) || !Number.isFinite(o.d)) throw new RangeError(`Invalid d value: ${describe(o.d)} (the clipping threshold must be a finite number > 0)`);
    checkNonNegative("weightDecay", o.weightDecay);
    checkBoolean("maximize", o.maximize);
  }

  protected initState(p: Tensor): AdafactorState {
    if (p.ndim < 2) return { step: 0, expAvgSqRow: null, expAvgSqCol: null, expAvgSq: stateBuffer(p) };
    const rows = p.shape[p.ndim - 2];
    const cols = p.shape[p.ndim - 1];
    const factor = (key: string) => stateBuffer(p.data.data, this.bufferLength(key, p));
    return { step: 0, rows, cols, expAvgSqRow: factor("expAvgSqRow"), expAvgSqCol: factor("expAvgSqCol"), expAvgSq: null };
  }

  protected override bufferLength(key: string, p: Tensor): number {
    if (key === "expAvgSqRow") return p.size / p.shape[p.ndim - 1];
    if (key === "expAvgSqCol") return p.size / p.shape[p.ndim - 2];
    return p.size;
  }

  protected update(X: FloatArray, offset: number, grad: FloatArray, size: number, s: AdafactorState, group: ParamGroup<AdafactorOptions>): void {
    const { lr, beta2Decay: c, eps: [ε1, ε2], d, weightDecay: λ, maximize } = group;
    const { expAvgSqRow: R, expAvgSqCol: C, expAvgSq: V, rows: n = 0, cols: m = 0 } = s;
    const factored = R !== null && C !== null;
    if (factored ? n * m === 0 || R.length * m !== size || C.length * n !== size : V === null) {
      throw new RangeError(`${this.name}: the state does not fit a parameter of ${size} elements (rows ${n}, cols ${m}); was it loaded for another parameter?`);
    }
    const G = (i: number) => (maximize ? -grad[i] : grad[i]);
    s.step += 1;
    const t = s.step;
    const β̂2t = 1 - t ** c;
    const ρt = Math.min(lr, 1 / Math.sqrt(t));
    const αt = Math.max(ε2, rms((i) => X[offset + i], size)) * ρt;
    let Vt: (i: number) => number;
    if (factored) {
      const batches = size / (n * m);
      const rowSums = new Float64Array(batches);
      for (let b = 0; b < batches; b++) {
        for (let i = 0; i < n; i++) {
          let sum = 0;
          for (let j = 0; j < m; j++) sum += G((b * n + i) * m + j) ** 2 + ε1;
          R[b * n + i] = β̂2t * R[b * n + i] + (1 - β̂2t) * sum;
        }
        for (let j = 0; j < m; j++) {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += G((b * n + i) * m + j) ** 2 + ε1;
          C[b * m + j] = β̂2t * C[b * m + j] + (1 - β̂2t) * sum;
        }
        for (let i = 0; i < n; i++) rowSums[b] += R[b * n + i];
      }
      Vt = (k) => {
        const b = Math.floor(k / (n * m));
        return (R[Math.floor(k / m)] * C[b * m + (k % m)]) / rowSums[b];
      };
    } else {
      for (let i = 0; i < size; i++) V![i] = β̂2t * V![i] + (1 - β̂2t) * (G(i) ** 2 + ε1);
      Vt = (i) => V![i];
    }
    const U = (i: number) => G(i) / Math.sqrt(Vt(i));
    const clip = Math.max(1, rms(U, size) / d);
    for (let i = 0; i < size; i++) {
      const Ût = U(i) / clip;
      X[offset + i] *= 1 - lr * λ;
      X[offset + i] -= αt * Ût;
    }
  }
}

/** √(mean of x(i)²) over i < n. */
function rms(x: (i: number) => number, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x(i) ** 2;
  return Math.sqrt(sum / n);
}
