// NAdam: Adam with Nesterov momentum and a momentum schedule (Dozat), as documented by PyTorch ≥ 2.0.

import type { FloatArray, Tensor } from "../tensor/index.ts";
import { Optimizer, gradient, stateBuffer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { NAdamArgs } from "./simd-abi.ts";
import { flags, twin } from "./simd.ts";
import { checkBetas, checkBoolean, checkEps, checkNonNegative } from "./validate.ts";

export interface NAdamOptions {
  /** Learning rate γ (default 0.002). */
  lr: number;
  /** [β1, β2]: β1 scales the momentum schedule μ_t, β2 is the decay of v (default [0.9, 0.999]). */
  betas: [number, number];
  /** ε, added to √v̂ (default 1e-8). */
  eps: number;
  /** L2 penalty λ folded into the gradient (default 0). */
  weightDecay: number;
  /** ψ, the speed of the momentum schedule (default 0.004). */
  momentumDecay: number;
  /** Ascend instead of descend (default false). */
  maximize: boolean;
}

export interface NAdamState {
  step: number;
  /** Π_t = μ_1·μ_2·…·μ_t, the product of the momentum schedule so far. */
  muProduct: number;
  /** m, the first-moment estimate. */
  expAvg: FloatArray;
  /** v, the second-moment estimate. */
  expAvgSq: FloatArray;
}

/**
 * NAdam (Dozat, 2016, "Incorporating Nesterov Momentum into Adam"), PyTorch's documented form:
 *
 *   t ← t + 1
 *   g ← ∇θ f(θ) + λ·θ                                    (weightDecay λ; −∇ if maximize)
 *   μ_t ← β1·(1 − ½·0.96^(t·ψ));   μ_{t+1} ← β1·(1 − ½·0.96^((t+1)·ψ))
 *   Π_t ← Π_{t−1}·μ_t                                    (Π_0 = 1)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   v̂ ← v / (1 − β2ᵗ)
 *   θ ← θ − γ·(1 − μ_t)/(1 − Π_t) · g/(√v̂ + ε) − γ·μ_{t+1}/(1 − Π_t·μ_{t+1}) · m/(√v̂ + ε)
 *
 * Convention notes: the first term is the current gradient's share and the second is the
 * look-ahead momentum, each with its own bias correction through the product of the μ schedule
 * (Dozat's m̂ uses Π_{t+1} for the momentum term). PyTorch 1.13's default (single-tensor) path
 * multiplied μ_t into Π twice in the second term; that was fixed in 2.0 (pytorch/pytorch#92699)
 * and ndgrad follows the documented formula. Π is kept in float64 per parameter.
 */
export class NAdam extends Optimizer<NAdamOptions, NAdamState> {
  protected readonly stateSpec = { step: "number", muProduct: "number", expAvg: "buffer", expAvgSq: "buffer" } as const;

  protected update(θ: FloatArray, offset: number, g: FloatArray, n: number, s: NAdamState, group: ParamGroup<NAdamOptions>): void {
    const { lr: γ, betas: [β1, β2], eps: ε, weightDecay: λ, momentumDecay: ψ, maximize } = group;
    s.step += 1;                                         // t ← t + 1
    const t = s.step;
    const μt = β1 * (1 - 0.5 * 0.96 ** (t * ψ));         // μ_t ← β1·(1 − ½·0.96^(t·ψ))
    const μnext = β1 * (1 - 0.5 * 0.96 ** ((t + 1) * ψ)); // μ_{t+1}
    s.muProduct *= μt;                                   // Π_t ← Π_{t−1}·μ_t
    const Πt = s.muProduct;
    const bc2 = 1 - β2 ** t;
    const cg = (γ * (1 - μt)) / (1 - Πt);                // γ·(1 − μ_t)/(1 − Π_t)
    const cm = (γ * μnext) / (1 - Πt * μnext);           // γ·μ_{t+1}/(1 − Π_t·μ_{t+1})
    const { expAvg: m, expAvgSq: v } = s;
    const args = { expAvg: m, expAvgSq: v, beta1: β1, beta2: β2, eps: ε, bc2, cg, cm, weightDecay: λ, flags: flags({ maximize }) };
    if (twin("nadamStep", NAdamArgs, θ, offset, g, n, args)) return;
    for (let i = 0; i < n; i++) {
      const θi = θ[offset + i];
      const gi = gradient(g[i], θi, λ, maximize);        // g ← ∇θ f(θ) + λ·θ
      const mi = β1 * m[i] + (1 - β1) * gi;              // m ← β1·m + (1 − β1)·g
      m[i] = mi;
      const vi = β2 * v[i] + (1 - β2) * gi * gi;         // v ← β2·v + (1 − β2)·g²
      v[i] = vi;
      const denom = Math.sqrt(vi / bc2) + ε;             // √v̂ + ε, with v̂ ← v / (1 − β2ᵗ)
      θ[offset + i] = θi - (cg * gi) / denom - (cm * mi) / denom;
    }
  }

  constructor(params: ParamsInput<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super(params, options, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, maximize: false });
  }

  protected validate(o: NAdamOptions): void {
    checkEps(o.eps);
    checkBetas(o.betas);
    checkNonNegative("weightDecay", o.weightDecay);
    checkNonNegative("momentumDecay", o.momentumDecay);
    checkBoolean("maximize", o.maximize);
  }

  protected initState(p: Tensor): NAdamState {
    return { step: 0, muProduct: 1, expAvg: stateBuffer(p), expAvgSq: stateBuffer(p) };
  }
}
