// Adam: adaptive moment estimation (Kingma & Ba), with AMSGrad (Reddi et al.) as an option.

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { Optimizer, gradient, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { AdamArgs } from "./simd-abi.ts";
import { flags, twin } from "./simd.ts";
import { checkBetas, checkBoolean, checkEps, checkNonNegative } from "./validate.ts";

export interface AdamOptions {
  /** Step size α (default 0.001). */
  lr: number;
  /** Decay rates [β1, β2] of the moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** ε, added to √v̂ (default 1e-8, as in the paper). */
  eps: number;
  /** L2 penalty λ folded into the gradient (default 0); see AdamW for the decoupled form. */
  weightDecay: number;
  /** Use AMSGrad's running maximum of v (default false). */
  amsgrad: boolean;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export interface AdamState {
  /** t, the number of steps this parameter has taken. */
  step: number;
  /** m, the first-moment (mean) estimate. */
  expAvg: FloatArray;
  /** v, the second raw-moment estimate. */
  expAvgSq: FloatArray;
  /** v̂max, AMSGrad's running maximum of v; null unless amsgrad. */
  maxExpAvgSq: FloatArray | null;
}

/**
 * Adam (Kingma & Ba, 2014, "Adam: A Method for Stochastic Optimization", Algorithm 1):
 *
 *   Require: α stepsize; β1, β2 ∈ [0, 1) decay rates; f(θ) objective; θ0 initial parameters
 *   m0 ← 0                                   (initialize 1st moment vector)
 *   v0 ← 0                                   (initialize 2nd moment vector)
 *   t ← 0                                    (initialize timestep)
 *   while θt not converged do
 *     t ← t + 1
 *     gt ← ∇θ ft(θt−1)                       (+ λ·θt−1 with weightDecay λ; −g if maximize)
 *     mt ← β1·mt−1 + (1 − β1)·gt             (update biased first moment estimate)
 *     vt ← β2·vt−1 + (1 − β2)·gt²            (update biased second raw moment estimate)
 *     [AMSGrad: vt ← max(vt−1^max, vt), kept as v^max]      (Reddi, Kale & Kumar, 2018)
 *     m̂t ← mt / (1 − β1ᵗ)                    (bias-corrected first moment estimate)
 *     v̂t ← vt / (1 − β2ᵗ)                    (bias-corrected second raw moment estimate)
 *     θt ← θt−1 − α·m̂t / (√v̂t + ε)           (update parameters)
 *   end while
 *
 * Convention notes: ε is added after bias-correcting, to √v̂t, exactly as in the paper and in
 * PyTorch (adding it to √vt before dividing by √(1 − β2ᵗ) is a different, common variant). ε is
 * 1e-8 as in the paper (some notes say 1e-12). t counts steps per parameter. AMSGrad keeps the
 * maximum of the raw vt and divides by the current 1 − β2ᵗ, as PyTorch's code does (the 1.13
 * docstring's max of bias-corrected values does not match its code). The paper's section 2 also
 * gives a cheaper form, α_t = α·√(1 − β2ᵗ)/(1 − β1ᵗ) and θt ← θt−1 − α_t·mt/(√vt + ε̂), which
 * TensorFlow/Keras use; it puts ε on the uncorrected √vt, so its ε acts √(1 − β2ᵗ) times larger.
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  protected readonly stateSpec = { step: "number", expAvg: "buffer", expAvgSq: "buffer", maxExpAvgSq: "buffer?" } as const;
  /** AdamW sets this: weight decay shrinks θ directly instead of entering g. */
  protected readonly decoupledWeightDecay: boolean = false;

  protected update(θ: FloatArray, offset: number, g: FloatArray, n: number, s: AdamState, group: ParamGroup<AdamOptions>): void {
    const { lr: α, betas: [β1, β2], eps: ε, weightDecay: λ, amsgrad, maximize } = group;
    const decoupled = this.decoupledWeightDecay;
    s.step += 1;                                          // t ← t + 1
    const t = s.step;
    const bc1 = 1 - β1 ** t, bc2 = 1 - β2 ** t;           // the bias corrections 1 − β1ᵗ, 1 − β2ᵗ
    // amsgrad may be switched on after the first step: v^max then starts from zero, i.e. from vt.
    if (amsgrad && s.maxExpAvgSq === null) s.maxExpAvgSq = stateBuffer(θ, n);
    const { expAvg: m, expAvgSq: v } = s, vMax = amsgrad ? s.maxExpAvgSq : null;
    const args = { expAvg: m, expAvgSq: v, maxExpAvgSq: vMax, lr: α, beta1: β1, beta2: β2, eps: ε, bc1, bc2, weightDecay: λ, flags: flags({ maximize, decoupled, amsgrad }) };
    if (twin("adamStep", AdamArgs, θ, offset, g, n, args)) return;
    for (let i = 0; i < n; i++) {
      let θi = θ[offset + i];
      if (decoupled) θi *= 1 - α * λ;                     // AdamW: θt−1 ← θt−1·(1 − α·λ)
      const gi = gradient(g[i], θi, decoupled ? 0 : λ, maximize); // gt ← ∇θ ft(θt−1) (+ λ·θt−1)
      const mi = β1 * m[i] + (1 - β1) * gi;               // mt ← β1·mt−1 + (1 − β1)·gt
      m[i] = mi;
      let vi = β2 * v[i] + (1 - β2) * gi * gi;            // vt ← β2·vt−1 + (1 − β2)·gt²
      v[i] = vi;
      if (vMax !== null) {
        vi = Math.max(vMax[i], vi);                       // AMSGrad: vt ← max(vt−1^max, vt)
        vMax[i] = vi;
      }
      const mHat = mi / bc1;                              // m̂t ← mt / (1 − β1ᵗ)
      const vHat = vi / bc2;                              // v̂t ← vt / (1 − β2ᵗ)
      θ[offset + i] = θi - (α * mHat) / (Math.sqrt(vHat) + ε); // θt ← θt−1 − α·m̂t / (√v̂t + ε)
    }
  }

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, options, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
  }

  protected validate(o: AdamOptions): void {
    checkEps(o.eps);
    checkBetas(o.betas);
    checkNonNegative("weightDecay", o.weightDecay);
    checkBoolean("amsgrad", o.amsgrad);
    checkBoolean("maximize", o.maximize);
  }

  // m0 ← 0, v0 ← 0, t ← 0
  protected initState(p: Tensor, group: ParamGroup<AdamOptions>): AdamState {
    return { step: 0, expAvg: stateBuffer(p), expAvgSq: stateBuffer(p), maxExpAvgSq: group.amsgrad ? stateBuffer(p) : null };
  }
}
