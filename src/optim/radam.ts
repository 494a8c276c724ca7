// RAdam: Adam with a rectified adaptive learning rate (Liu et al.), as PyTorch's RAdam.

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { Optimizer, gradient, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { checkBetas, checkEps, checkNonNegative } from "./validate.ts";

export interface RAdamOptions {
  /** Step size α (default 0.001). */
  lr: number;
  /** Decay rates [β1, β2] of the moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** ε, added to √vt (default 1e-8). */
  eps: number;
  /** L2 penalty λ folded into the gradient (default 0). */
  weightDecay: number;
}

export interface RAdamState {
  /** t, the number of steps this parameter has taken. */
  step: number;
  /** m, the first-moment estimate. */
  expAvg: FloatArray;
  /** v, the second raw-moment estimate. */
  expAvgSq: FloatArray;
}

/**
 * RAdam (Liu, Jiang, He, Chen, Liu, Gao & Han, 2020, "On the Variance of the Adaptive Learning
 * Rate and Beyond", Algorithm 2):
 *
 *   ρ∞ ← 2/(1 − β2) − 1                       (the maximum length of the approximated SMA)
 *   t ← t + 1
 *   gt ← ∇θ ft(θt−1) + λ·θt−1                  (weightDecay λ)
 *   mt ← β1·mt−1 + (1 − β1)·gt
 *   vt ← β2·vt−1 + (1 − β2)·gt²
 *   m̂t ← mt / (1 − β1ᵗ)
 *   ρt ← ρ∞ − 2t·β2ᵗ / (1 − β2ᵗ)
 *   if ρt > 5:                                 (the variance of the adaptive lr is tractable)
 *     lt ← √(1 − β2ᵗ) / (√vt + ε)
 *     rt ← √( (ρt − 4)(ρt − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρt) )
 *     θt ← θt−1 − α·m̂t·rt·lt
 *   else:
 *     θt ← θt−1 − α·m̂t                         (un-adapted momentum SGD; v is still updated)
 *
 * Convention notes: the paper's threshold is ρt > 4; PyTorch (and ndgrad) use ρt > 5, so the
 * adaptive update starts at step 6 for β2 between 0.9 and 0.999 (ρ5 = 4.996 for β2 = 0.999), and
 * never when ρ∞ ≤ 5. The paper has no ε; PyTorch adds it to the raw √vt (not to the
 * bias-corrected one, and not inside the root as the 1.13 docstring writes), and so does ndgrad.
 * ρt is computed in float64 whatever the parameter's dtype.
 */
export class RAdam extends Optimizer<RAdamOptions, RAdamState> {
  protected readonly stateSpec = { step: "number", expAvg: "buffer", expAvgSq: "buffer" } as const;

  constructor(params: ParamsInput<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super(params, options, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
  }

  protected validate(o: RAdamOptions): void {
    checkEps(o.eps);
    checkBetas(o.betas);
    checkNonNegative("weightDecay", o.weightDecay);
  }

  protected initState(p: Tensor): RAdamState {
    return { step: 0, expAvg: stateBuffer(p), expAvgSq: stateBuffer(p) };
  }

  protected update(θ: FloatArray, offset: number, g: FloatArray, n: number, s: RAdamState, group: ParamGroup<RAdamOptions>): void {
    const { lr: α, betas: [β1, β2], eps: ε, weightDecay: λ } = group;
    const { expAvg: m, expAvgSq: v } = s;
    const ρInf = 2 / (1 - β2) - 1;
    s.step += 1;
    const t = s.step;
    const bc1 = 1 - β1 ** t;
    const bc2 = 1 - β2 ** t;
    const ρt = ρInf - (2 * t * β2 ** t) / bc2;
    const rectified = ρt > 5;
    const rt = rectified ? Math.sqrt(((ρt - 4) * (ρt - 2) * ρInf) / ((ρInf - 4) * (ρInf - 2) * ρt)) : 0;
    for (let i = 0; i < n; i++) {
      const θi = θ[offset + i];
      const gt = gradient(g[i], θi, λ, false);
      m[i] = β1 * m[i] + (1 - β1) * gt;
      v[i] = β2 * v[i] + (1 - β2) * gt * gt;
      const m̂t = m[i] / bc1;
      if (rectified) {
        const lt = Math.sqrt(bc2) / (Math.sqrt(v[i]) + ε);
        θ[offset + i] = θi - α * m̂t * rt * lt;
      } else {
        θ[offset + i] = θi - α * m̂t;
      }
    }
  }
}
