// Adamax: Adam with the infinity norm in place of the second moment (Kingma & Ba, section 7.1).

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { Optimizer, gradient, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { AdamaxArgs } from "./simd-abi.ts";
import { flags, twin } from "./simd.ts";
import { checkBetas, checkBoolean, checkEps, checkNonNegative } from "./validate.ts";

export interface AdamaxOptions {
  /** Step size α (default 0.002, as in the paper). */
  lr: number;
  /** Decay rates [β1, β2] (default [0.9, 0.999]). */
  betas: [number, number];
  /** ε, inside the max (default 1e-8). */
  eps: number;
  /** L2 penalty λ folded into the gradient (default 0). */
  weightDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export interface AdamaxState {
  step: number;
  /** m, the first-moment estimate. */
  expAvg: FloatArray;
  /** u, the exponentially weighted infinity norm. */
  expInf: FloatArray;
}

/**
 * AdaMax (Kingma & Ba, 2014, "Adam: A Method for Stochastic Optimization", Algorithm 2):
 *
 *   t ← t + 1
 *   gt ← ∇θ ft(θt−1) + λ·θt−1                (weightDecay λ; −∇ if maximize)
 *   mt ← β1·mt−1 + (1 − β1)·gt
 *   ut ← max(β2·ut−1, |gt| + ε)
 *   θt ← θt−1 − (α / (1 − β1ᵗ))·mt / ut
 *
 * Convention notes: the paper has no ε; PyTorch puts it inside the max (so u > 0 even when the
 * gradient is 0), not in the denominator. u needs no bias correction (the paper shows it is not
 * biased towards zero); only m is corrected. The default lr is 0.002, not Adam's 0.001.
 */
export class Adamax extends Optimizer<AdamaxOptions, AdamaxState> {
  protected readonly stateSpec = { step: "number", expAvg: "buffer", expInf: "buffer" } as const;

  protected update(θ: FloatArray, offset: number, g: FloatArray, n: number, s: AdamaxState, group: ParamGroup<AdamaxOptions>): void {
    const { lr: α, betas: [β1, β2], eps: ε, weightDecay: λ, maximize } = group;
    s.step += 1;                                         // t ← t + 1
    const bc1 = 1 - β1 ** s.step;
    const αt = α / bc1;                                  // α / (1 − β1ᵗ)
    const { expAvg: m, expInf: u } = s;
    const args = { expAvg: m, expInf: u, lr: α, beta1: β1, beta2: β2, eps: ε, bc1, weightDecay: λ, flags: flags({ maximize }) };
    if (twin("adamaxStep", AdamaxArgs, θ, offset, g, n, args)) return;
    for (let i = 0; i < n; i++) {
      const θi = θ[offset + i];
      const gi = gradient(g[i], θi, λ, maximize);        // gt ← ∇θ ft(θt−1) + λ·θt−1
      const mi = β1 * m[i] + (1 - β1) * gi;              // mt ← β1·mt−1 + (1 − β1)·gt
      m[i] = mi;
      const ui = Math.max(β2 * u[i], Math.abs(gi) + ε);  // ut ← max(β2·ut−1, |gt| + ε)
      u[i] = ui;
      θ[offset + i] = θi - (αt * mi) / ui;               // θt ← θt−1 − (α / (1 − β1ᵗ))·mt / ut
    }
  }

  constructor(params: ParamsInput<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super(params, options, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false });
  }

  protected validate(o: AdamaxOptions): void {
    checkEps(o.eps);
    checkBetas(o.betas);
    checkNonNegative("weightDecay", o.weightDecay);
    checkBoolean("maximize", o.maximize);
  }

  protected initState(p: Tensor): AdamaxState {
    return { step: 0, expAvg: stateBuffer(p), expInf: stateBuffer(p) };
  }
}
